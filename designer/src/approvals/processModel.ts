/**
 * What the task page needs to know about an approval node, read from the deployed BPMN XML: the
 * settings the README's "Approvals" table puts in zeebe:taskHeaders (allowed actions, return
 * targets, task variables) and zeebe:properties (withdrawal). The web app reads the same table the
 * visual approval designer writes; the server stays the authority (it answers 422 for an action
 * the node does not allow), this only decides which buttons to offer.
 *
 * `readProcessModel` needs the browser's DOMParser; everything else is pure and unit-tested.
 */
const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
const ZEEBE = 'http://camunda.org/schema/zeebe/1.0';

export interface ModelNode {
  id: string;
  /** The BPMN element's local name: userTask, startEvent, boundaryEvent... */
  type: string;
  name: string | null;
  headers: Record<string, string>;
  /** Directly in the process (not inside a subprocess): only those are return targets. */
  topLevel: boolean;
  /** Boundary events: the activity they are attached to. */
  attachedTo: string | null;
}

export interface ProcessModel {
  id: string;
  name: string | null;
  properties: Record<string, string>;
  nodes: Map<string, ModelNode>;
  /** Sequence flows as [source, target]. */
  flows: Array<[string, string]>;
  /** The none start event: where a return to the initiator goes. */
  start: string | null;
}

/** Every action a task can offer (the server's TASK_ACTIONS). */
export const TASK_ACTIONS = [
  'approve',
  'reject',
  'return',
  'delegate',
  'transfer',
  'addSigner',
  'cc',
  'comment',
  'resubmit',
] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];
type NodeAction = Exclude<TaskAction, 'resubmit'>;
const NODE_ACTIONS: NodeAction[] = TASK_ACTIONS.filter((a): a is NodeAction => a !== 'resubmit');

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Parses the process `processId` out of a deployed diagram (null when it is not there). */
export function readProcessModel(xml: string, processId: string): ProcessModel | null {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const proc = Array.from(doc.getElementsByTagNameNS(BPMN, 'process')).find(
    (p) => p.getAttribute('id') === processId,
  );
  if (!proc) return null;
  const nodes = new Map<string, ModelNode>();
  const flows: Array<[string, string]> = [];
  const walk = (container: Element, topLevel: boolean) => {
    for (const el of Array.from(container.children)) {
      if (el.namespaceURI !== BPMN) continue;
      const id = el.getAttribute('id');
      if (!id) continue;
      if (el.localName === 'sequenceFlow') {
        const from = el.getAttribute('sourceRef');
        const to = el.getAttribute('targetRef');
        if (from && to) flows.push([from, to]);
        continue;
      }
      if (
        ['extensionElements', 'laneSet', 'documentation', 'textAnnotation'].includes(el.localName)
      )
        continue;
      nodes.set(id, {
        id,
        type: el.localName,
        name: el.getAttribute('name'),
        headers: zeebeHeaders(el),
        topLevel,
        attachedTo: el.getAttribute('attachedToRef'),
      });
      if (el.localName === 'subProcess') walk(el, false);
    }
  };
  walk(proc, true);
  const start =
    [...nodes.values()].find(
      (n) => n.type === 'startEvent' && n.topLevel && !hasEventDefinition(proc, n.id),
    )?.id ?? null;
  return {
    id: processId,
    name: proc.getAttribute('name'),
    properties: zeebeProperties(proc),
    nodes,
    flows,
    start,
  };
}

function ownExtensions(el: Element): Element | null {
  return (
    Array.from(el.children).find(
      (c) => c.namespaceURI === BPMN && c.localName === 'extensionElements',
    ) ?? null
  );
}

function zeebeHeaders(el: Element): Record<string, string> {
  const out: Record<string, string> = {};
  const ext = ownExtensions(el);
  if (!ext) return out;
  for (const h of Array.from(ext.getElementsByTagNameNS(ZEEBE, 'header'))) {
    const key = h.getAttribute('key');
    if (key) out[key] = h.getAttribute('value') ?? '';
  }
  return out;
}

function zeebeProperties(proc: Element): Record<string, string> {
  const out: Record<string, string> = {};
  const ext = ownExtensions(proc);
  if (!ext) return out;
  for (const p of Array.from(ext.getElementsByTagNameNS(ZEEBE, 'property'))) {
    const name = p.getAttribute('name');
    if (name) out[name] = p.getAttribute('value') ?? '';
  }
  return out;
}

function hasEventDefinition(proc: Element, id: string): boolean {
  const el = Array.from(proc.children).find((c) => c.getAttribute('id') === id);
  return !!el && Array.from(el.children).some((c) => /EventDefinition$/.test(c.localName));
}

// ---- pure -------------------------------------------------------------------------------------

export interface NodeSettings {
  /** The node declares approvalMode: approve / reject set `decision`, the engine decides. */
  approval: boolean;
  actions: ReadonlySet<NodeAction>;
  /** Element ids (or `initiator`) a return may target; null = any passed user task or the initiator. */
  returnTo: string[] | null;
  /** JSON Schema of the task's variables (header variablesSchema), when it parses. */
  variablesSchema: Record<string, unknown> | null;
}

/** The node's settings as the server reads them (libs/workflow approvals/settings.ts). */
export function nodeSettings(node: ModelNode | undefined): NodeSettings {
  const h = node?.headers ?? {};
  const declared = list(h.actions).filter((a): a is NodeAction =>
    (NODE_ACTIONS as string[]).includes(a),
  );
  let variablesSchema: Record<string, unknown> | null = null;
  if (h.variablesSchema) {
    try {
      const s = JSON.parse(h.variablesSchema) as unknown;
      if (s && typeof s === 'object' && !Array.isArray(s))
        variablesSchema = s as Record<string, unknown>;
    } catch {
      // deploy refuses a schema that does not parse; nothing to render then
    }
  }
  return {
    approval: h.approvalMode !== undefined,
    // comments are always allowed
    actions: new Set<NodeAction>(declared.length ? [...declared, 'comment'] : NODE_ACTIONS),
    returnTo: h.returnTo ? list(h.returnTo) : null,
    variablesSchema,
  };
}

/** What a task is, as far as its offered actions go (GET /api/tasks/:id). */
export interface TaskFacts {
  state: string;
  /** before / after / along: an added signer; resubmit: the initiator's returned submission. */
  kind?: string | null;
}

/**
 * The actions a task offers, in the order the panel shows them. An added signer approves or
 * rejects (and comments, CCs); a returned submission is resubmitted; a closed task offers none.
 */
export function offeredActions(settings: NodeSettings, task: TaskFacts): TaskAction[] {
  if (task.state !== 'created') return [];
  if (task.kind === 'resubmit') return ['resubmit', 'comment', 'cc'];
  const signer = task.kind === 'before' || task.kind === 'after' || task.kind === 'along';
  return NODE_ACTIONS.filter(
    (a) =>
      settings.actions.has(a) &&
      !(signer && ['return', 'addSigner', 'delegate', 'transfer'].includes(a)),
  );
}

/** Nodes a token at `from` can still reach, along flows and boundary events. */
export function reachableFrom(model: ProcessModel, from: string): Set<string> {
  const next = new Map<string, string[]>();
  const add = (a: string, b: string) => next.set(a, [...(next.get(a) ?? []), b]);
  for (const [a, b] of model.flows) add(a, b);
  for (const n of model.nodes.values()) if (n.attachedTo) add(n.attachedTo, n.id);
  const seen = new Set<string>();
  const stack = [...(next.get(from) ?? [])];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return seen;
}

export interface ReturnTarget {
  /** `initiator`, or a user task's element id. */
  value: string;
  /** The node's name (null for the initiator: the page says who that is). */
  name: string | null;
}

/**
 * Where a return from `nodeId` may go: the initiator and every user task before the node that
 * has run in this instance (`completed`: element id → times completed), narrowed by the node's
 * `returnTo` header. Mirrors the server's check (approvals/returns.ts).
 */
export function returnTargets(
  model: ProcessModel,
  nodeId: string,
  settings: NodeSettings,
  completed: Record<string, number>,
): ReturnTarget[] {
  const allowed = (id: string) =>
    !settings.returnTo ||
    settings.returnTo.includes(id) ||
    (id === model.start && settings.returnTo.includes('initiator'));
  const out: ReturnTarget[] = [];
  if (model.start && allowed(model.start)) out.push({ value: 'initiator', name: null });
  for (const n of model.nodes.values()) {
    if (n.type !== 'userTask' || n.id === nodeId || !n.topLevel || !allowed(n.id)) continue;
    if (!((completed[n.id] ?? 0) > 0)) continue;
    if (!reachableFrom(model, n.id).has(nodeId)) continue;
    out.push({ value: n.id, name: n.name });
  }
  return out;
}

/** Process-level withdrawal setting: `never` hides the initiator's withdraw button. */
export function withdrawAllowed(model: ProcessModel | null): boolean {
  return model?.properties.withdraw !== 'never';
}

/**
 * Whether the task is the caller's to act on, as far as the browser can tell: assigned to them,
 * offered to them by login or by a role they hold (the server narrows roles by row rules), or
 * offered to nobody (open to whoever sees the instance). The server decides; this picks between
 * the action panel and "waiting for …".
 */
export function mayActOn(
  task: { assignee: string | null; candidateUsers?: string[]; candidateGroups?: string[] },
  login: string,
  roles: string[],
): boolean {
  const users = task.candidateUsers ?? [];
  const groups = task.candidateGroups ?? [];
  if (task.assignee) return task.assignee === login;
  if (!users.length && !groups.length) return true;
  return users.includes(login) || groups.some((g) => roles.includes(g));
}
