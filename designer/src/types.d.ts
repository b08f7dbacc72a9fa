declare module 'bpmn-auto-layout' {
  /** Adds BPMNDI (shapes and edges) to a diagram that has none. */
  export function layoutProcess(xml: string): Promise<string>;
}

declare module 'bpmn-moddle' {
  /** Reads and writes BPMN 2.0 XML as an object tree (the parts ProcessDiagram uses). */
  export class BpmnModdle {
    fromXML(xml: string): Promise<{ rootElement: unknown }>;
    toXML(root: unknown): Promise<{ xml: string }>;
  }
}
