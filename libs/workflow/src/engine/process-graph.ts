import type { BpmnDefinitions, BpmnElement } from '../bpmn-model';
import type { TimerKind } from './timers';

/**
 * The runnable shape of one process, read once per deployed definition: every flow node of the
 * process and of its embedded subprocesses (flattened, each knowing its scope), with the Camunda 8
 * extension elements already picked out. The interpreter never touches moddle objects.
 */
export interface FlowEdge {
  id: string;
  target: string;
  /** FEEL condition without the leading `=`; undefined = unconditional. */
  condition?: string;
}

export interface Mapping {
  source: string;
  target: string;
}

export interface LoopSpec {
  sequential: boolean;
  inputCollection: string;
  inputElement?: string;
  outputCollection?: string;
  outputElement?: string;
  completionCondition?: string;
}

/** A zeebe:executionListener or zeebe:taskListener: a job of `type` the element waits on. */
export interface Listener {
  /** The job type (literal or `=FEEL`). */
  type: string;
  retries: number;
  /** The listener's own zeebe:taskHeaders (they win over the element's). */
  headers: Record<string, string>;
}

/** Execution listener events (Camunda 8.6+). */
export type ExecutionListenerEvent = 'start' | 'end';
/**
 * User task listener events, as the 8.8 docs name them. Diagrams from 8.7 modelers write
 * `create`, `assignment` and `complete`; buildGraph reads those as these.
 */
export type TaskListenerEvent = 'creating' | 'assigning' | 'completing';

export interface GraphNode {
  id: string;
  type: string;
  name: string | null;
  /** Enclosing embedded subprocess id; null = the process itself. */
  scope: string | null;
  outgoing: FlowEdge[];
  incoming: number;
  defaultFlow?: string;
  terminate?: boolean;
  /** Error end events and error boundary events; undefined code on a boundary = catch all. */
  error?: { code?: string };
  timer?: { kind: TimerKind; expression: string };
  /** Signal events: the signal's name (literal or FEEL). */
  signal?: { name: string };
  /** Link throw and catch events: the link name. */
  link?: string;
  /** Escalation throw, end and boundary events; undefined code on a boundary = catch all. */
  escalation?: { code?: string };
  message?: { name: string; correlationKey?: string };
  script?: { expression: string; resultVariable: string };
  assignee?: string;
  candidateGroups?: string;
  candidateUsers?: string;
  /** zeebe:priorityDefinition of a user task: 0..100 or `=FEEL`; absent = Zeebe's default 50. */
  priority?: string;
  /** zeebe:calledDecision of a business rule task: a deployed DMN decision. */
  decision?: { decisionId: string; resultVariable: string };
  /** zeebe:taskDefinition of service, send and business rule tasks. */
  job?: { type: string; retries: number };
  headers: Record<string, string>;
  /** Compensation intermediate throw and end events: the one activity to compensate, or all. */
  compensation?: { activityRef?: string };
  /** A compensation boundary event (never armed: it only links its activity to the handler). */
  compensationBoundary?: boolean;
  /** An activity with a compensation boundary event: its handler (by association). */
  compensationHandler?: string;
  /** An ad-hoc subprocess (Camunda 8.7): what it activates and when it completes. */
  adHoc?: { activeElements?: string; completionCondition?: string; cancelRemaining: boolean };
  /** zeebe:executionListeners by event, in diagram order; absent = none. */
  listeners?: Partial<Record<ExecutionListenerEvent, Listener[]>>;
  /** zeebe:taskListeners of a user task by event, in diagram order; absent = none. */
  taskListeners?: Partial<Record<TaskListenerEvent, Listener[]>>;
  /** zeebe:formDefinition formKey (`camunda-forms:bpmn:<id>`: an embedded form of the process). */
  formKey?: string;
  /** zeebe:properties of the element (an end event's `outcome`...); buildGraph always sets it. */
  properties?: Record<string, string>;
  inputs: Mapping[];
  outputs: Mapping[];
  loop?: LoopSpec;
  /** Boundary events attached to this activity. */
  boundaries: string[];
  attachedTo?: string;
  cancelActivity?: boolean;
  /** Embedded subprocess: its none start event; event subprocess: its triggering start event. */
  startNode?: string;
  /** An event subprocess (triggeredByEvent). */
  eventSubprocess?: boolean;
  /** Start events of event subprocesses: false = non-interrupting. */
  interrupting?: boolean;
  called?: {
    processId: string;
    bindingType: string;
    versionTag?: string;
    propagateAllChildVariables: boolean;
    propagateAllParentVariables: boolean;
  };
}

export interface ProcessGraph {
  id: string;
  /** The none start event of the process (manual and API starts). */
  start: string | null;
  /** Timer and message start events. */
  eventStarts: string[];
  nodes: Map<string, GraphNode>;
  /** For each node: the nodes a token there can still reach (inclusive joins wait on these). */
  reach: Map<string, Set<string>>;
  /** Event subprocesses by the scope they listen in (null = the process). */
  eventSubprocesses: Map<string | null, string[]>;
  /**
   * zeebe:properties of the process: approval and record settings (README, "Approvals" and
   * "Tied to records": withdraw, lockRecord, outcome.*). Zeebe ignores them.
   */
  properties: Record<string, string>;
  /** Embedded Camunda forms (zeebe:userTaskForm) by id: their JSON. */
  forms: Record<string, string>;
  /** Whether any activity has a compensation handler (completions are then recorded). */
  compensation: boolean;
}

/** zeebe:properties of an element as name → value. */
export function zeebeProperties(el: BpmnElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of list(ext(el, 'zeebe:Properties')?.properties))
    if (p.name !== undefined) out[String(p.name)] = String(p.value ?? '');
  return out;
}

const list = (v: unknown): BpmnElement[] => (Array.isArray(v) ? (v as BpmnElement[]) : []);
const ext = (el: BpmnElement | undefined, type: string): BpmnElement | undefined =>
  el
    ? list((el.extensionElements as { values?: unknown } | undefined)?.values).find(
        (v) => v.$type === type,
      )
    : undefined;
/** Strips the `=` Camunda 8 writes before FEEL. */
export const stripEq = (s: string): string =>
  s.trim().startsWith('=') ? s.trim().slice(1) : s.trim();
const str = (v: unknown): string | undefined =>
  v === undefined || v === null || v === '' ? undefined : String(v);

function mappings(el: BpmnElement, key: 'inputParameters' | 'outputParameters'): Mapping[] {
  const io = ext(el, 'zeebe:IoMapping');
  return list(io?.[key]).map((m) => ({ source: String(m.source ?? ''), target: String(m.target) }));
}

/** Older event names Camunda Modeler wrote for user task listeners (8.7) → the 8.8 names. */
export const TASK_LISTENER_ALIASES: Record<string, TaskListenerEvent> = {
  create: 'creating',
  creating: 'creating',
  assignment: 'assigning',
  assigning: 'assigning',
  complete: 'completing',
  completing: 'completing',
};

function readListeners<E extends string>(
  el: BpmnElement,
  container: string,
  eventOf: (raw: string) => E | undefined,
): Partial<Record<E, Listener[]>> | undefined {
  const found = list(ext(el, container)?.listeners);
  if (!found.length) return undefined;
  const out: Partial<Record<E, Listener[]>> = {};
  for (const l of found) {
    const event = eventOf(String(l.eventType ?? ''));
    if (!event || !l.type) continue; // deploy validation refuses these
    const retries = Number(stripEq(String(l.retries ?? '3')));
    const headers: Record<string, string> = {};
    for (const h of list((l.headers as BpmnElement | undefined)?.values))
      headers[String(h.key)] = String(h.value ?? '');
    (out[event] ??= []).push({
      type: String(l.type),
      retries: Number.isInteger(retries) ? retries : 3,
      headers,
    });
  }
  return out;
}

function readNode(el: BpmnElement, scope: string | null): GraphNode {
  const node: GraphNode = {
    id: String(el.id),
    type: el.$type.replace('bpmn:', ''),
    name: (el.name as string) ?? null,
    scope,
    outgoing: [],
    incoming: 0,
    headers: {},
    properties: zeebeProperties(el),
    inputs: mappings(el, 'inputParameters'),
    outputs: mappings(el, 'outputParameters'),
    boundaries: [],
  };
  if (el.default) node.defaultFlow = String((el.default as BpmnElement).id);
  const def = list(el.eventDefinitions)[0];
  if (def?.$type === 'bpmn:TerminateEventDefinition') node.terminate = true;
  if (def?.$type === 'bpmn:ErrorEventDefinition') {
    const ref = def.errorRef as BpmnElement | undefined;
    node.error = { code: str(ref?.errorCode) ?? (ref ? str(ref.name) : undefined) };
  }
  if (def?.$type === 'bpmn:CompensateEventDefinition') {
    if (el.$type === 'bpmn:BoundaryEvent') node.compensationBoundary = true;
    else {
      const ref = def.activityRef as BpmnElement | undefined;
      node.compensation = ref?.id ? { activityRef: String(ref.id) } : {};
    }
  }
  if (def?.$type === 'bpmn:LinkEventDefinition') node.link = String(def.name ?? '');
  if (def?.$type === 'bpmn:SignalEventDefinition')
    node.signal = { name: String((def.signalRef as BpmnElement | undefined)?.name ?? '') };
  if (def?.$type === 'bpmn:EscalationEventDefinition') {
    const ref = def.escalationRef as BpmnElement | undefined;
    node.escalation = { code: str(ref?.escalationCode) };
  }
  if (def?.$type === 'bpmn:TimerEventDefinition') {
    const kind: TimerKind = def.timeDate ? 'date' : def.timeDuration ? 'duration' : 'cycle';
    const spec = (def.timeDate ?? def.timeDuration ?? def.timeCycle) as BpmnElement;
    node.timer = { kind, expression: String(spec.body ?? '').trim() };
  }
  const message =
    def?.$type === 'bpmn:MessageEventDefinition'
      ? (def.messageRef as BpmnElement | undefined)
      : el.$type === 'bpmn:ReceiveTask'
        ? (el.messageRef as BpmnElement | undefined)
        : undefined;
  if (message) {
    const sub = ext(message, 'zeebe:Subscription');
    node.message = {
      name: String(message.name),
      ...(sub?.correlationKey ? { correlationKey: String(sub.correlationKey) } : {}),
    };
  }
  if (el.$type === 'bpmn:StartEvent') node.interrupting = el.isInterrupting !== false;
  if (el.$type === 'bpmn:SubProcess' && el.triggeredByEvent === true) node.eventSubprocess = true;
  if (el.$type === 'bpmn:AdHocSubProcess') {
    const active = ext(el, 'zeebe:AdHoc')?.activeElementsCollection;
    const cond = el.completionCondition as BpmnElement | undefined;
    node.adHoc = {
      ...(active ? { activeElements: stripEq(String(active)) } : {}),
      ...(cond?.body ? { completionCondition: stripEq(String(cond.body)) } : {}),
      cancelRemaining: el.cancelRemainingInstances !== false,
    };
  }
  if (el.$type === 'bpmn:BoundaryEvent') {
    node.attachedTo = String((el.attachedToRef as BpmnElement).id);
    node.cancelActivity = el.cancelActivity !== false;
  }
  const script = ext(el, 'zeebe:Script');
  if (script)
    node.script = {
      expression: stripEq(String(script.expression)),
      resultVariable: String(script.resultVariable),
    };
  const assignment = ext(el, 'zeebe:AssignmentDefinition');
  if (assignment?.assignee) node.assignee = String(assignment.assignee);
  if (assignment?.candidateGroups) node.candidateGroups = String(assignment.candidateGroups);
  if (assignment?.candidateUsers) node.candidateUsers = String(assignment.candidateUsers);
  const priority = ext(el, 'zeebe:PriorityDefinition')?.priority;
  if (priority !== undefined && String(priority).trim()) node.priority = String(priority).trim();
  const decision = ext(el, 'zeebe:CalledDecision');
  if (decision?.decisionId)
    node.decision = {
      decisionId: String(decision.decisionId),
      resultVariable: String(decision.resultVariable ?? ''),
    };
  const task = ext(el, 'zeebe:TaskDefinition');
  if (task?.type) {
    const retries = Number(stripEq(String(task.retries ?? '3')));
    node.job = { type: String(task.type), retries: Number.isInteger(retries) ? retries : 3 };
  }
  for (const h of list(ext(el, 'zeebe:TaskHeaders')?.values))
    node.headers[String(h.key)] = String(h.value ?? '');
  const listeners = readListeners<ExecutionListenerEvent>(el, 'zeebe:ExecutionListeners', (e) =>
    e === 'start' || e === 'end' ? e : undefined,
  );
  if (listeners) node.listeners = listeners;
  const taskListeners = readListeners<TaskListenerEvent>(
    el,
    'zeebe:TaskListeners',
    (e) => TASK_LISTENER_ALIASES[e],
  );
  if (taskListeners) node.taskListeners = taskListeners;
  const form = ext(el, 'zeebe:FormDefinition');
  if (form?.formKey) node.formKey = String(form.formKey);
  const lc = el.loopCharacteristics as BpmnElement | undefined;
  if (lc?.$type === 'bpmn:MultiInstanceLoopCharacteristics') {
    const z = ext(lc, 'zeebe:LoopCharacteristics');
    const cond = lc.completionCondition as BpmnElement | undefined;
    node.loop = {
      sequential: lc.isSequential === true,
      inputCollection: stripEq(String(z?.inputCollection ?? '[]')),
      inputElement: str(z?.inputElement),
      outputCollection: str(z?.outputCollection),
      outputElement: z?.outputElement ? stripEq(String(z.outputElement)) : undefined,
      completionCondition: cond?.body ? stripEq(String(cond.body)) : undefined,
    };
  }
  const called = ext(el, 'zeebe:CalledElement');
  if (called?.processId) {
    node.called = {
      processId: String(called.processId),
      bindingType: String(called.bindingType ?? 'latest'),
      versionTag: str(called.versionTag),
      propagateAllChildVariables: called.propagateAllChildVariables !== false,
      propagateAllParentVariables: called.propagateAllParentVariables !== false,
    };
  }
  return node;
}

export function buildGraph(definitions: BpmnDefinitions, processId: string): ProcessGraph {
  const process = list(definitions.rootElements).find(
    (e) => e.$type === 'bpmn:Process' && e.id === processId,
  );
  if (!process) throw new Error(`process ${processId} not in definitions`);
  const nodes = new Map<string, GraphNode>();
  const flows: BpmnElement[] = [];
  const associations: BpmnElement[] = [];
  const eventSubprocesses = new Map<string | null, string[]>();
  const walk = (container: BpmnElement, scope: string | null): void => {
    for (const a of list(container.artifacts))
      if (a.$type === 'bpmn:Association') associations.push(a);
    for (const el of list(container.flowElements)) {
      if (el.$type === 'bpmn:SequenceFlow') {
        flows.push(el);
        continue;
      }
      if (!/Event$|Task$|Gateway$|SubProcess$|CallActivity$/.test(el.$type)) continue;
      const node = readNode(el, scope);
      nodes.set(node.id, node);
      if (el.$type === 'bpmn:SubProcess' || el.$type === 'bpmn:AdHocSubProcess') {
        if (node.eventSubprocess)
          eventSubprocesses.set(scope, [...(eventSubprocesses.get(scope) ?? []), node.id]);
        walk(el, node.id);
        const start = list(el.flowElements).find((c) => c.$type === 'bpmn:StartEvent');
        if (start) node.startNode = String(start.id);
      }
    }
  };
  walk(process, null);
  for (const f of flows) {
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
  for (const n of nodes.values()) if (n.attachedTo) nodes.get(n.attachedTo)?.boundaries.push(n.id);
  // a compensation boundary event names its activity's handler through an association
  let compensation = false;
  for (const a of associations) {
    const from = nodes.get(String((a.sourceRef as BpmnElement | undefined)?.id));
    const to = String((a.targetRef as BpmnElement | undefined)?.id);
    if (from?.compensationBoundary && from.attachedTo && nodes.has(to)) {
      nodes.get(from.attachedTo)!.compensationHandler = to;
      compensation = true;
    }
  }
  const starts = [...nodes.values()].filter((n) => n.type === 'StartEvent' && n.scope === null);
  return {
    id: processId,
    start: starts.find((n) => !n.timer && !n.message && !n.signal)?.id ?? null,
    eventStarts: starts.filter((n) => n.timer || n.message || n.signal).map((n) => n.id),
    nodes,
    reach: reachability(nodes),
    eventSubprocesses,
    properties: zeebeProperties(process),
    forms: Object.fromEntries(
      list((process.extensionElements as { values?: unknown } | undefined)?.values)
        .filter((v) => v.$type === 'zeebe:UserTaskForm')
        .map((v) => [String(v.id), String(v.body ?? '')]),
    ),
    compensation,
  };
}

/** Transitive successors along sequence flows and boundary events (a token can leave that way). */
function reachability(nodes: Map<string, GraphNode>): Map<string, Set<string>> {
  const next = (n: GraphNode): string[] => [
    ...n.outgoing.map((f) => f.target),
    ...n.boundaries,
    // a token inside a subprocess reaches what follows the subprocess
    ...(n.outgoing.length === 0 && n.scope ? [n.scope] : []),
  ];
  const reach = new Map<string, Set<string>>();
  for (const n of nodes.values()) {
    const seen = new Set<string>();
    const stack = next(n);
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const m = nodes.get(id);
      if (m) stack.push(...next(m));
    }
    reach.set(n.id, seen);
  }
  return reach;
}
