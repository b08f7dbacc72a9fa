import { BpmnModdle } from 'bpmn-moddle';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json';

/**
 * The slice of bpmn-moddle's object model the validator reads. moddle elements are dynamic
 * (`$type` names the BPMN class); these interfaces say what we rely on.
 */
export interface BpmnElement {
  $type: string;
  id?: string;
  name?: string;
  [key: string]: unknown;
}

export interface BpmnDefinitions extends BpmnElement {
  rootElements?: BpmnElement[];
}

export interface ParsedBpmn {
  definitions?: BpmnDefinitions;
  /** Import warnings from the XML reader (unknown attributes, unresolved references...). */
  warnings: string[];
  /** Set when the XML cannot be read at all. */
  error?: string;
}

// zeebe.json makes Camunda 8 extension elements (zeebe:taskDefinition, zeebe:assignmentDefinition,
// zeebe:ioMapping, zeebe:calledElement, ...) first-class in the parsed model.
const moddle = new BpmnModdle({ zeebe });

/** Parses BPMN 2.0 XML; never throws: unreadable XML comes back as `error`. */
export async function parseBpmn(xml: string): Promise<ParsedBpmn> {
  try {
    const result = (await moddle.fromXML(xml)) as unknown as {
      rootElement: BpmnDefinitions;
      warnings: Array<{ message: string }>;
    };
    return {
      definitions: result.rootElement,
      warnings: result.warnings.map((w) => w.message.split('\n')[0]),
    };
  } catch (e) {
    return { warnings: [], error: (e as Error).message.split('\n')[0] };
  }
}
