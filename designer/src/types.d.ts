declare module 'bpmn-auto-layout' {
  /** Adds BPMNDI (shapes and edges) to a diagram that has none. */
  export function layoutProcess(xml: string): Promise<string>;
}
