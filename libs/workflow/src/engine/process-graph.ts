import type { BpmnDefinitions, BpmnElement } from '../bpmn-model';

/** The runnable shape of one process: nodes with their outgoing flows, read once per definition. */
export interface FlowEdge {
  id: string;
  target: string;
  /** FEEL condition without the leading `=`; undefined = unconditional. */
  condition?: string;
}

export interface GraphNode {
  id: string;
  type: string;
  name: string | null;
  outgoing: FlowEdge[];
  incoming: number;
  defaultFlow?: string;
  terminate?: boolean;
  script?: { expression: string; resultVariable: string };
  assignee?: string;
  candidateGroups?: string;
}

export interface ProcessGraph {
  id: string;
  start: string;
  nodes: Map<string, GraphNode>;
}

const list = (v: unknown): BpmnElement[] => (Array.isArray(v) ? (v as BpmnElement[]) : []);
const ext = (el: BpmnElement, type: string): BpmnElement | undefined =>
  list((el.extensionElements as { values?: unknown } | undefined)?.values).find(
    (v) => v.$type === type,
  );
const stripEq = (s: string): string => (s.trim().startsWith('=') ? s.trim().slice(1) : s.trim());

export function buildGraph(definitions: BpmnDefinitions, processId: string): ProcessGraph {
  const process = list(definitions.rootElements).find(
    (e) => e.$type === 'bpmn:Process' && e.id === processId,
  );
  if (!process) throw new Error(`process ${processId} not in definitions`);
  const elements = list(process.flowElements);
  const nodes = new Map<string, GraphNode>();
  for (const el of elements) {
    if (el.$type === 'bpmn:SequenceFlow') continue;
    const node: GraphNode = {
      id: String(el.id),
      type: el.$type.replace('bpmn:', ''),
      name: (el.name as string) ?? null,
      outgoing: [],
      incoming: 0,
    };
    if (el.default) node.defaultFlow = String((el.default as BpmnElement).id);
    if (list(el.eventDefinitions).some((d) => d.$type === 'bpmn:TerminateEventDefinition'))
      node.terminate = true;
    const script = ext(el, 'zeebe:Script');
    if (script)
      node.script = {
        expression: stripEq(String(script.expression)),
        resultVariable: String(script.resultVariable),
      };
    const assignment = ext(el, 'zeebe:AssignmentDefinition');
    if (assignment?.assignee) node.assignee = String(assignment.assignee);
    if (assignment?.candidateGroups) node.candidateGroups = String(assignment.candidateGroups);
    nodes.set(node.id, node);
  }
  for (const f of elements.filter((e) => e.$type === 'bpmn:SequenceFlow')) {
    const source = nodes.get(String((f.sourceRef as BpmnElement).id));
    const target = nodes.get(String((f.targetRef as BpmnElement).id));
    if (!source || !target) continue;
    const cond = f.conditionExpression as BpmnElement | undefined;
    source.outgoing.push({
      id: String(f.id),
      target: target.id,
      ...(cond?.body ? { condition: stripEq(String(cond.body)) } : {}),
    });
    target.incoming++;
  }
  const start = [...nodes.values()].find((n) => n.type === 'StartEvent');
  if (!start) throw new Error(`process ${processId} has no start event`);
  return { id: processId, start: start.id, nodes };
}
