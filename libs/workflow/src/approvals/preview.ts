import { CrmError, type Db, ErrorCode } from '@crm/common';
import { FeelError } from '@crm/metadata';
import { DmnEvaluationError, evaluateDeployedDecision } from '../dmn';
import { isApprovalNode } from '../engine/behaviors/approval';
import { calendarFunctions } from '../engine/calendar-functions';
import type { EngineCore } from '../engine/engine-core';
import { type EngineFeelOptions, StepIncident, attr, feel } from '../engine/expressions';
import type { GraphNode, ProcessGraph } from '../engine/process-graph';
import { applyInputMappings, plainVariables } from '../engine/variables';
import { type ListenerEvent, listenersOf } from '../engine/behaviors/listeners';
import {
  type Assignment,
  type OnEmpty,
  type Route,
  autoApprovesRepeated,
  evaluateAssignment,
  isApproverCollection,
  routeApprovers,
  routeCollection,
  routingSettings,
  singleApprover,
} from './approvers';
import { EMPTY_ORG, type OrgIndex, loginsOf, orgFunctions, orgIndex } from './org';
import { checkPicks } from './picks';
import { type ApprovalMode, approvalSettings } from './settings';

/**
 * "Who will approve this?" — the approval nodes the current data routes to, found by walking the
 * diagram from its start event the way a token would: gateway conditions and approver sources are
 * evaluated with the FEEL context a real instance would have (initiator = the caller, the record,
 * the variables), each approval node is taken as approved (`decision = "approve"`) and the walk
 * goes on. Script tasks, DMN decisions and record updates of `crm:update-record` are evaluated on
 * a copy; the walk stops, and says why, where the data to go on is unknown (a message to wait
 * for, a service result, a called process). It starts nothing and writes nothing.
 */
export interface PreviewInput {
  processKey: string;
  /** A stored record the process would be about. */
  record?: { entity: string; id: number };
  /** Or the values of a record not saved yet (a form about to be submitted). */
  values?: Record<string, unknown>;
  variables?: Record<string, unknown>;
}

export interface PreviewPerson {
  login: string;
  displayName: string | null;
}

/**
 * How a node's approver list came out: as its sources gave it (`approvers`); the initiator's
 * supervisor after separation of duties (`supervisor`); the empty-list rule (`admin`,
 * `auto-approve`, `refuse` — the start would be refused); or approved automatically because the
 * same person approved the node before (`repeated`). A user task that is no approval node: `task`.
 */
export type PreviewRoute =
  'approvers' | 'supervisor' | 'admin' | 'auto-approve' | 'refuse' | 'repeated' | 'task';

export interface PreviewNode {
  elementId: string;
  name: string | null;
  mode: ApprovalMode;
  approval: boolean;
  /** Assignees and candidate users (a multi-instance node: one per inner task, in order). */
  approvers: PreviewPerson[];
  candidateGroups: Array<{ name: string; members: PreviewPerson[] }>;
  route: PreviewRoute;
  /** The node's empty-list rule (approval nodes). */
  onEmpty: OnEmpty | null;
}

export interface PreviewStop {
  elementId: string;
  name: string | null;
  reason: string;
}

export interface PreviewResult {
  processKey: string;
  version: number;
  nodes: PreviewNode[];
  /** Where the walk could not predict what happens next (empty: every path reached its end). */
  stops: PreviewStop[];
}

/** Built-in task types whose outcome the preview knows without running them. */
const PASSING_TYPES = new Set(['crm:notify', 'crm:update-record']);

/**
 * Listener job types whose outcome the preview knows: a notification changes no data. Any other
 * listener is a worker's job that may set variables (start / end), correct who is asked
 * (creating) or deny the completion (completing): the walk stops there, saying which.
 */
const PASSING_LISTENERS = new Set(['crm:notify']);
const LISTENER_EFFECT: Record<ListenerEvent, (type: string) => string> = {
  start: (type) => `its start listener (${type}) may set variables`,
  end: (type) => `its end listener (${type}) may set variables`,
  creating: (type) => `its creating listener (${type}) may change who is asked`,
  completing: (type) => `its completing listener (${type}) may deny the completion`,
};

/** A walk that cannot go on at an element (an unknown result, a failing expression). */
class Stop extends Error {}

export async function previewRoute(
  core: EngineCore,
  input: PreviewInput,
  actor: string,
): Promise<PreviewResult> {
  return core.db.transaction(async (tx) => {
    const [def] = await tx.query<{ id: number; version: number; executable: unknown }>(
      'SELECT id, version, executable FROM crm_wf_definition WHERE process_key = ? ORDER BY version DESC LIMIT 1',
      [input.processKey],
    );
    if (!def)
      throw new CrmError(
        ErrorCode.DefinitionNotFound,
        `no process definition "${input.processKey}"`,
        [{ path: '/processKey', message: 'not deployed' }],
      );
    if (!(Number(def.executable) === 1 || def.executable === true))
      throw new CrmError(
        ErrorCode.NotStartable,
        `${input.processKey} is not executable (isExecutable="false")`,
        [{ path: '/processKey', message: 'not executable' }],
      );
    const g = await core.graph(tx, Number(def.id), input.processKey);
    if (!g.start)
      throw new CrmError(
        ErrorCode.NotStartable,
        `${input.processKey} has no none start event; it starts by message or timer only`,
        [{ path: '/processKey', message: 'no none start event' }],
      );
    let record: Record<string, unknown> | null = null;
    if (input.record) {
      record = await core.deps.readRecord(tx, input.record.entity, input.record.id);
      if (!record)
        throw new CrmError(
          ErrorCode.RecordNotFound,
          `${input.record.entity} ${input.record.id} does not exist`,
          [{ path: '/record', message: 'no such record' }],
        );
    } else if (input.values) record = { owner: actor, ...input.values };
    const org = orgIndex(core.deps.org ? await core.deps.org(tx) : EMPTY_ORG);
    const feelBase: EngineFeelOptions = {
      clock: { now: () => core.deps.now() },
      timeZone: core.settings.timeZone,
      // cluster variables, as the run will read them
      globals: await core.deps.clusterVariables?.(tx),
      // `is working day(...)` as a step sees it (engine/calendar-functions.ts)
      functions: calendarFunctions(() => core.deps.documents()),
    };
    const variables = { ...(input.variables ?? {}) };
    checkPicks(g, variables, org, { initiator: actor, record, feel: feelBase });
    const walk = new Walk(tx, g, org, actor, record, variables, feelBase);
    await walk.run();
    return {
      processKey: input.processKey,
      version: Number(def.version),
      nodes: walk.nodes,
      stops: walk.stops,
    };
  });
}

/** The previous approval node's people, when all of them are sure to have approved it. */
interface Approved {
  people: string[];
}

class Walk {
  readonly nodes: PreviewNode[] = [];
  readonly stops: PreviewStop[] = [];
  private readonly visited = new Set<string>();
  private readonly queue: string[] = [];
  private last: Approved | null = null;
  private refused = false;
  private readonly options: EngineFeelOptions;

  constructor(
    private readonly tx: Db,
    private readonly g: ProcessGraph,
    private readonly org: OrgIndex,
    private readonly initiator: string,
    private record: Record<string, unknown> | null,
    private readonly vars: Record<string, unknown>,
    feelBase: EngineFeelOptions,
  ) {
    this.options = {
      ...feelBase,
      functions: {
        ...feelBase.functions,
        ...orgFunctions(org, {
          record: () => this.record,
          variable: (n) => this.vars[n],
        }),
      },
    };
  }

  /** The FEEL context a token sees: the variables, initiator, record (as scopeVars gives it). */
  private context(locals: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      ...this.vars,
      processInstanceKey: null,
      initiator: this.initiator,
      businessKey: null,
      ...(this.record ? { record: this.record } : {}),
      ...locals,
    };
  }

  private feel(expression: string, c: Record<string, unknown>, at: string): unknown {
    return feel(expression, c, at, this.options);
  }

  private attr(raw: string, c: Record<string, unknown>, at: string): unknown {
    return attr(raw, c, at, this.options);
  }

  async run(): Promise<void> {
    this.queue.push(this.g.start!);
    while (this.queue.length && !this.refused) {
      const id = this.queue.shift()!;
      if (this.visited.has(id)) continue;
      this.visited.add(id);
      const node = this.g.nodes.get(id);
      if (!node) continue;
      try {
        this.listeners(node, 'start');
        const next = await this.visit(node);
        this.listeners(node, 'end');
        this.queue.push(...next);
      } catch (e) {
        if (e instanceof Stop) this.stop(node, e.message);
        else if (e instanceof StepIncident) this.stop(node, e.message);
        else throw e;
      }
    }
  }

  /** Stops at the first listener of `event` whose worker decides what follows. */
  private listeners(node: GraphNode, event: ListenerEvent): void {
    for (const l of listenersOf(node, event)) {
      const type = String(this.attr(l.type, this.context(), node.id));
      if (!PASSING_LISTENERS.has(type))
        throw new Stop(`stops here: ${LISTENER_EFFECT[event](type)}`);
    }
  }

  private stop(node: GraphNode, reason: string): void {
    this.stops.push({ elementId: node.id, name: node.name, reason });
  }

  /**
   * Where a token goes when `node` completes, chosen as gateways.ts `leave` chooses (exclusive:
   * the first flow that holds, else the default; inclusive: each that holds; other elements their
   * plain flows and the conditional ones that hold); a token with nowhere to go ends, and at the
   * end of an embedded subprocess the walk goes on after the subprocess.
   */
  private after(node: GraphNode): string[] {
    const targets = this.flowsOut(node);
    if (targets.length) return targets;
    if (node.terminate || node.error || node.escalation) return [];
    const scope = node.scope ? this.g.nodes.get(node.scope) : undefined;
    return scope && !scope.eventSubprocess ? this.after(scope) : [];
  }

  private flowsOut(node: GraphNode): string[] {
    if (node.type === 'ParallelGateway') return node.outgoing.map((f) => f.target);
    const c = this.context();
    const holds = (f: { condition?: string }) =>
      f.condition === undefined || this.feel(f.condition, c, node.id) === true;
    const flows = node.outgoing.filter((f) => f.id !== node.defaultFlow);
    const dflt = node.outgoing.find((f) => f.id === node.defaultFlow);
    let taken: typeof flows;
    if (node.type === 'ExclusiveGateway') {
      // the first that holds: later conditions are never evaluated, as in the engine
      const hit = flows.find(holds);
      taken = hit ? [hit] : [];
    } else taken = flows.filter(holds);
    if (taken.length) return taken.map((f) => f.target);
    if (dflt) return [dflt.target];
    if (node.type === 'ExclusiveGateway' || node.type === 'InclusiveGateway')
      throw new Stop('stops here: no condition holds and there is no default flow');
    return [];
  }

  /** Visits one node; answers the nodes the walk goes on to. */
  private async visit(node: GraphNode): Promise<string[]> {
    switch (node.type) {
      case 'StartEvent':
      case 'Task':
      case 'ManualTask':
        return this.after(node);
      case 'EndEvent':
        return this.after(node);
      case 'IntermediateThrowEvent':
        if (node.link !== undefined) return this.link(node);
        return this.after(node);
      case 'IntermediateCatchEvent':
        if (node.timer) return this.after(node); // a wait, not a decision
        throw new Stop(
          node.message
            ? `stops here: waits for message "${node.message.name}"`
            : node.signal
              ? `stops here: waits for signal "${node.signal.name}"`
              : node.link !== undefined
                ? 'reached only through its link'
                : 'stops here: waits for an event',
        );
      case 'EventBasedGateway':
        throw new Stop('stops here: the first of several events decides');
      case 'ReceiveTask':
        throw new Stop(`stops here: waits for message "${node.message?.name ?? ''}"`);
      case 'CallActivity':
        throw new Stop(`stops here: calls process ${node.called?.processId ?? ''}`);
      case 'SubProcess':
        return node.startNode ? [node.startNode] : this.after(node);
      case 'ScriptTask': {
        const c = this.context(this.locals(node));
        this.vars[node.script!.resultVariable] = this.feel(node.script!.expression, c, node.id);
        return this.after(node);
      }
      case 'ServiceTask':
      case 'SendTask':
        return this.jobTask(node);
      case 'BusinessRuleTask':
        return node.decision ? this.decision(node) : this.jobTask(node);
      case 'ExclusiveGateway':
      case 'InclusiveGateway':
      case 'ParallelGateway':
        return this.after(node);
      case 'UserTask': {
        this.listeners(node, 'creating');
        const next = await this.userTask(node);
        // the node is listed: whether its completion goes through is the listener's to say
        this.listeners(node, 'completing');
        return next;
      }
      default:
        throw new Stop(`stops here: ${node.type} is not previewed`);
    }
  }

  private link(node: GraphNode): string[] {
    const target = [...this.g.nodes.values()].find(
      (n) => n.type === 'IntermediateCatchEvent' && n.link === node.link && n.scope === node.scope,
    );
    return target ? this.after(target) : [];
  }

  /** The activity's input mappings, as its local variables. */
  private locals(node: GraphNode): Record<string, unknown> {
    return node.inputs.length
      ? applyInputMappings(node.inputs, this.context(), {}, node.id, this.options)
      : {};
  }

  private jobTask(node: GraphNode): string[] {
    const type = node.job ? String(this.attr(node.job.type, this.context(), node.id)) : '';
    if (!PASSING_TYPES.has(type))
      throw new Stop(`stops here: depends on a service result (${type || 'no job type'})`);
    if (type === 'crm:update-record' && node.headers.entity === undefined && this.record) {
      // the record as the rest of the process will read it
      const c = this.context(this.locals(node));
      const changes: Record<string, unknown> = {};
      for (const [k, raw] of Object.entries(node.headers))
        if (k !== 'id') changes[k] = this.attr(raw, c, node.id);
      this.record = { ...this.record, ...changes };
    }
    return this.after(node);
  }

  private async decision(node: GraphNode): Promise<string[]> {
    const c = this.context(this.locals(node));
    const id = String(this.attr(node.decision!.decisionId, c, node.id));
    try {
      this.vars[node.decision!.resultVariable] = await evaluateDeployedDecision(
        this.tx,
        id,
        plainVariables(c),
        this.options,
      );
    } catch (e) {
      if (e instanceof DmnEvaluationError || e instanceof FeelError)
        throw new Stop(`stops here: decision "${id}" failed: ${e.message}`);
      throw e;
    }
    return this.after(node);
  }

  private async userTask(node: GraphNode): Promise<string[]> {
    const approval = isApprovalNode(node);
    const settings = routingSettings(node);
    const base = this.context(this.locals(node));
    let route: Route | null = null;
    let assignments: Assignment[];
    if (node.loop) {
      const items = this.feel(node.loop.inputCollection, base, node.id);
      if (!Array.isArray(items)) throw new Stop(`inputCollection of ${node.id} is not a list`);
      let list: unknown[] = items;
      if (isApproverCollection(node)) {
        const routed = routeCollection(items, this.org, this.initiator, settings);
        route = routed.route;
        list = routed.items;
      }
      const el = node.loop.inputElement;
      assignments = list.map((item, i) =>
        evaluateAssignment(node, (raw) =>
          this.attr(raw, { ...base, loopCounter: i + 1, ...(el ? { [el]: item } : {}) }, node.id),
        ),
      );
    } else assignments = [evaluateAssignment(node, (raw) => this.attr(raw, base, node.id))];
    if (approval && !route) {
      // the rules apply to each task (an approver collection had them applied as a whole)
      const routes = assignments.map((a) => routeApprovers(a, this.org, this.initiator, settings));
      route = routes.find((r) => r.kind !== 'assigned') ?? routes[0] ?? null;
      assignments = routes.flatMap((r) => (r.kind === 'assigned' ? [r.assignment] : []));
    }
    const mode = approvalSettings(node).mode;
    const people = [...new Set(assignments.flatMap((a) => loginsOf([a.assignee, a.users])))];
    const groups = [...new Set(assignments.flatMap((a) => a.groups))];
    let kind: PreviewRoute = !approval
      ? 'task'
      : !route || route.kind === 'assigned'
        ? (route?.via ?? 'approvers')
        : route.kind;
    // the repeated-approver rule: one person who surely approved the node just before
    const one = assignments.length === 1 ? singleApprover(assignments[0]) : null;
    if (
      approval &&
      kind !== 'auto-approve' &&
      kind !== 'refuse' &&
      one &&
      autoApprovesRepeated(this.g) &&
      this.last?.people.includes(one)
    )
      kind = 'repeated';
    this.nodes.push({
      elementId: node.id,
      name: node.name,
      mode,
      approval,
      approvers: people.map((login) => this.person(login)),
      candidateGroups: groups.map((name) => ({
        name,
        members: this.org.roleMembers([name]).map((l) => this.person(l)),
      })),
      route: kind,
      onEmpty: approval ? settings.onEmpty : null,
    });
    if (kind === 'refuse') {
      this.refused = true;
      this.stop(node, 'the start would be refused: the node has no approvers (onEmpty: refuse)');
      return [];
    }
    if (!approval) this.last = null;
    else {
      // everyone in single, all and sequential modes approves; in any and vote, who is unknown
      const sure = mode === 'single' || mode === 'all' || mode === 'sequential';
      this.last = { people: sure ? people : [] };
      this.vars.decision = 'approve';
    }
    return this.after(node);
  }

  private person(login: string): PreviewPerson {
    return { login, displayName: this.org.displayName(login) };
  }
}
