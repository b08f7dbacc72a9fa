import { date as feelDate, dateAndTime, evaluate } from 'feelin';
import {
  CrmError,
  type Db,
  ErrorCode,
  type SqlParam,
  fromDbTimestamp,
  toDbTimestamp,
} from '@crm/common';
import { type GraphNode, type ProcessGraph, stripEq } from './process-graph';
import { candidateRows, deleteCandidatesOf, insertCandidates } from './task-candidates';
import { type TaskContext, TaskTypeError, type TaskTypeRegistry } from './task-types';
import { type TimerPlan, TimerSpecError, planTimer } from './timers';

/**
 * The interpreter. One `StepContext` is one database transaction; it holds an `InstanceStep` per
 * process instance the transaction touches (a call activity's child and its parent both). Each
 * instance row is locked (SELECT ... FOR UPDATE) before its tokens are read, so steps of one
 * instance never interleave; tokens then move in memory until every one waits, and `commit()`
 * writes executions, variables, history and the instance's version check in the same transaction
 * as the task, job or message that caused the step and any record changes it made.
 */

export interface EngineSettings {
  maxVariablesBytes: number;
  timeZone: string;
}

export interface StepDeps {
  graph(tx: Db, definitionId: number, processKey: string): Promise<ProcessGraph>;
  taskTypes: TaskTypeRegistry;
  now(): Date;
  settings: EngineSettings;
  readRecord(tx: Db, entity: string, id: number): Promise<Record<string, unknown> | null>;
}

export interface Exec {
  id: number;
  parentId: number | null;
  elementId: string;
  state: 'ready' | 'waiting' | 'scope' | 'joined' | 'incident';
  vars: Record<string, unknown> | null;
  loop: LoopState | null;
}

/** On a multi-instance body: the items and progress; on an inner instance: its index. */
export interface LoopState {
  items?: unknown[];
  next?: number;
  completed?: number;
  outputs?: unknown[];
  index?: number;
}

interface InstanceRow {
  id: number;
  definition_id: number;
  process_key: string;
  definition_version: number;
  business_key: string | null;
  state: string;
  variables: string;
  started_by: string | null;
  version: number;
  parent_instance_id: number | null;
  parent_execution_id: number | null;
  record_entity: string | null;
  record_id: number | null;
  started_at: string;
  ended_at: string | null;
  element_counts: string | null;
  open_incidents: number | null;
}

/** A failure the process owns (bad FEEL, no matching flow, failing task type): an incident. */
export class StepIncident extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_STEPS = 10_000;
const ACTIVITIES = new Set([
  'UserTask',
  'ServiceTask',
  'SendTask',
  'BusinessRuleTask',
  'ScriptTask',
  'ReceiveTask',
  'Task',
  'ManualTask',
  'SubProcess',
  'CallActivity',
]);

export function feel(expression: string, context: Record<string, unknown>, at: string): unknown {
  try {
    return evaluate(expression, context).value ?? null;
  } catch (e) {
    throw new StepIncident(
      'expression',
      `FEEL ${JSON.stringify(expression)} failed at ${at}: ${(e as Error).message}`,
    );
  }
}

/** Attribute values: `=expr` is FEEL, anything else the literal text. */
export function attr(raw: string, context: Record<string, unknown>, at: string): unknown {
  return raw.trim().startsWith('=') ? feel(stripEq(raw), context, at) : raw;
}

/** Candidate lists as stored: comma-joined, trimmed, no empties. */
export function joinList(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  const items = (Array.isArray(raw) ? raw : String(raw).split(','))
    .map((g) => String(g).trim())
    .filter(Boolean);
  return items.length ? items.join(',') : null;
}

/**
 * Names the engine gives every expression (see scopeVars): a request could not override them
 * anyway, and storing its values beside the real ones only misleads whoever reads the instance.
 */
const RESERVED_VARIABLES = new Set([
  'initiator',
  'record',
  'processInstanceKey',
  'businessKey',
  'now',
  'today',
]);

export function checkVariables(value: unknown, path: string, max: number): void {
  if (value === undefined) return;
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new CrmError(ErrorCode.VariablesInvalid, 'variables must be a JSON object', [
      { path, message: 'must be an object of name → value' },
    ]);
  const reserved = Object.keys(value).filter((k) => RESERVED_VARIABLES.has(k));
  if (reserved.length)
    throw new CrmError(
      ErrorCode.VariablesInvalid,
      `${reserved.join(', ')} ${reserved.length > 1 ? 'are' : 'is'} set by the engine, not by a request`,
      reserved.map((k) => ({ path: `${path}/${k}`, message: 'reserved variable name' })),
    );
  const size = Buffer.byteLength(JSON.stringify(value));
  if (size > max)
    throw new CrmError(
      ErrorCode.VariablesTooLarge,
      `variables take ${size} bytes, more than the limit of ${max} (WORKFLOW_MAX_VARIABLES_BYTES)`,
      [{ path, message: `${size} bytes > ${max}` }],
    );
}

export class StepContext {
  readonly steps = new Map<number, InstanceStep>();
  constructor(
    readonly tx: Db,
    readonly deps: StepDeps,
    readonly actor: string,
  ) {}

  /** Locks and loads an instance (once per transaction). */
  async load(instanceId: number): Promise<InstanceStep> {
    const known = this.steps.get(instanceId);
    if (known) return known;
    const lock = this.tx.dialect === 'mysql' ? ' FOR UPDATE' : '';
    const [row] = await this.tx.query<InstanceRow>(
      `SELECT * FROM crm_wf_instance WHERE id = ?${lock}`,
      [instanceId],
    );
    if (!row)
      throw new CrmError(ErrorCode.InstanceNotFound, `instance ${instanceId} not found`, [
        { path: 'id', message: 'not found' },
      ]);
    const g = await this.deps.graph(this.tx, Number(row.definition_id), row.process_key);
    const execRows = await this.tx.query<Record<string, unknown>>(
      'SELECT id, parent_id, element_id, state, variables, loop_state FROM crm_wf_execution WHERE instance_id = ? ORDER BY id',
      [instanceId],
    );
    const step = new InstanceStep(this, row, g, JSON.parse(row.variables));
    for (const r of execRows) {
      step.execs.set(Number(r.id), {
        id: Number(r.id),
        parentId: r.parent_id === null ? null : Number(r.parent_id),
        elementId: String(r.element_id),
        state: r.state as Exec['state'],
        vars: r.variables ? JSON.parse(String(r.variables)) : null,
        loop: r.loop_state ? JSON.parse(String(r.loop_state)) : null,
      });
    }
    if (row.record_entity && row.record_id !== null)
      step.record = await this.deps.readRecord(this.tx, row.record_entity, Number(row.record_id));
    this.steps.set(instanceId, step);
    return step;
  }

  /** Creates an instance and runs it to its first wait states. */
  async startInstance(input: {
    definitionId: number;
    processKey: string;
    version: number;
    variables: Record<string, unknown>;
    businessKey?: string | null;
    record?: { entity: string; id: number } | null;
    parent?: { instanceId: number; executionId: number };
    startNode?: string;
  }): Promise<InstanceStep> {
    const g = await this.deps.graph(this.tx, input.definitionId, input.processKey);
    const startNode = input.startNode ?? g.start;
    if (!startNode)
      throw new CrmError(
        ErrorCode.NotStartable,
        `${input.processKey} has no none start event; it starts by message or timer only`,
        [{ path: '/processKey', message: 'no none start event' }],
      );
    const now = toDbTimestamp(this.deps.now());
    const r = await this.tx.execute(
      `INSERT INTO crm_wf_instance (definition_id, process_key, definition_version, business_key, state, variables, started_by, started_at, version, parent_instance_id, parent_execution_id, record_entity, record_id) VALUES (?, ?, ?, ?, 'active', '{}', ?, ?, 1, ?, ?, ?, ?)`,
      [
        input.definitionId,
        input.processKey,
        input.version,
        input.businessKey ?? null,
        this.actor,
        now,
        input.parent?.instanceId ?? null,
        input.parent?.executionId ?? null,
        input.record?.entity ?? null,
        input.record?.id ?? null,
      ],
    );
    const row: InstanceRow = {
      id: r.insertId,
      definition_id: input.definitionId,
      process_key: input.processKey,
      definition_version: input.version,
      business_key: input.businessKey ?? null,
      state: 'active',
      variables: '{}',
      started_by: this.actor,
      version: 1,
      parent_instance_id: input.parent?.instanceId ?? null,
      parent_execution_id: input.parent?.executionId ?? null,
      record_entity: input.record?.entity ?? null,
      record_id: input.record?.id ?? null,
      started_at: now,
      ended_at: null,
      element_counts: null,
      open_incidents: 0,
    };
    const step = new InstanceStep(this, row, g, { ...input.variables });
    step.fresh = true;
    if (input.record)
      step.record = await this.deps.readRecord(this.tx, input.record.entity, input.record.id);
    this.steps.set(row.id, step);
    step.hist(null, 'Process', 'start', input.variables);
    const exec = await step.createExec(null, startNode);
    await step.drain([exec]);
    return step;
  }

  /** Writes every touched instance. */
  async commit(): Promise<void> {
    for (const s of this.steps.values()) await s.flush();
  }
}

export class InstanceStep {
  readonly execs = new Map<number, Exec>();
  record: Record<string, unknown> | null = null;
  fresh = false;
  ended: null | 'completed' | 'terminated' | 'cancelled' = null;
  private dirty = new Set<number>();
  private deleted = new Set<number>();
  private history: SqlParam[][] = [];
  private queue: Exec[] = [];
  private steps = 0;
  private draining = false;
  /** Completed element counts and open incidents, kept on the instance row. */
  readonly counts: Record<string, number>;
  openIncidents: number;

  constructor(
    private readonly ctx: StepContext,
    readonly row: InstanceRow,
    readonly graph: ProcessGraph,
    public vars: Record<string, unknown>,
  ) {
    this.counts = row.element_counts ? JSON.parse(row.element_counts) : {};
    this.openIncidents = Number(row.open_incidents ?? 0);
  }

  /** What the API shows of an instance, straight from the step that just committed. */
  view(): InstanceView {
    return instanceView(
      this.row,
      [...this.execs.values()].sort((a, b) => a.id - b.id),
      {
        variables: this.vars,
        state: this.ended ?? (this.row.state as InstanceView['state']),
        counts: this.counts,
        incidents: this.openIncidents,
        endedAt: this.ended ? this.row.ended_at : null,
      },
    );
  }

  get id(): number {
    return Number(this.row.id);
  }
  private get tx(): Db {
    return this.ctx.tx;
  }
  private now(): string {
    return toDbTimestamp(this.ctx.deps.now());
  }
  node(id: string): GraphNode {
    return this.graph.nodes.get(id)!;
  }

  assertActive(): void {
    if (this.row.state !== 'active' || this.ended)
      throw new CrmError(
        ErrorCode.InstanceNotActive,
        `instance ${this.id} is ${this.ended ?? this.row.state}`,
        [{ path: 'id', message: 'not active' }],
      );
  }

  // ---- bookkeeping --------------------------------------------------------------------------

  hist(elementId: string | null, elementType: string, event: string, detail?: unknown): void {
    this.history.push([
      this.id,
      elementId,
      elementType,
      event,
      this.ctx.actor,
      detail === undefined ? null : JSON.stringify(detail),
      this.now(),
    ]);
  }

  /**
   * A new token. Its row is written only when something needs its id (a task, job or
   * subscription, a child token) or at commit, so a token that passes through events and
   * gateways to its first wait state costs one INSERT, and one that ends within the step none.
   */
  async createExec(
    parentId: number | null,
    elementId: string,
    state: Exec['state'] = 'ready',
    vars: Record<string, unknown> | null = null,
    loop: LoopState | null = null,
  ): Promise<Exec> {
    const parent = parentId === null ? null : (this.execs.get(parentId) ?? null);
    const exec: Exec = {
      id: this.nextTmp--,
      parentId: parent ? await this.idOf(parent) : parentId,
      elementId,
      state,
      vars,
      loop,
    };
    this.execs.set(exec.id, exec);
    return exec;
  }

  private nextTmp = -1;

  /** The token's row id, writing the row first if it is still only in memory. */
  async idOf(exec: Exec): Promise<number> {
    if (exec.id > 0) return exec.id;
    const r = await this.tx.execute(
      'INSERT INTO crm_wf_execution (instance_id, parent_id, element_id, state, variables, loop_state) VALUES (?, ?, ?, ?, ?, ?)',
      [
        this.id,
        exec.parentId,
        exec.elementId,
        exec.state,
        exec.vars ? JSON.stringify(exec.vars) : null,
        exec.loop ? JSON.stringify(exec.loop) : null,
      ],
    );
    this.execs.delete(exec.id);
    this.dirty.delete(exec.id);
    exec.id = r.insertId;
    this.execs.set(exec.id, exec);
    return exec.id;
  }

  touch(exec: Exec): void {
    this.dirty.add(exec.id);
  }

  private drop(exec: Exec): void {
    this.execs.delete(exec.id);
    this.dirty.delete(exec.id);
    if (exec.id > 0) this.deleted.add(exec.id);
  }

  children(id: number | null): Exec[] {
    return [...this.execs.values()].filter((e) => e.parentId === id);
  }

  /** The FEEL context a token sees: process variables, then each enclosing scope's locals. */
  scopeVars(exec: Exec | null): Record<string, unknown> {
    const chain: Exec[] = [];
    for (let e: Exec | null = exec; e; e = e.parentId ? (this.execs.get(e.parentId) ?? null) : null)
      chain.unshift(e);
    const out: Record<string, unknown> = {
      ...this.vars,
      processInstanceKey: this.id,
      initiator: this.row.started_by,
      businessKey: this.row.business_key,
    };
    if (this.record) out.record = this.record;
    // FEEL's now() and today() read the engine's clock (tests move it; nodes agree on it)
    const now = this.ctx.deps.now();
    out.now = () => dateAndTime(now.toISOString());
    out.today = () => feelDate(now.toISOString().slice(0, 10));
    for (const e of chain) if (e.vars) Object.assign(out, e.vars);
    return out;
  }

  /** Sets a variable where it is defined (nearest scope first), else on the process. */
  setVar(from: Exec | null, name: string, value: unknown): void {
    for (let e = from; e; e = e.parentId ? (this.execs.get(e.parentId) ?? null) : null) {
      if (e.vars && name in e.vars) {
        e.vars[name] = value;
        this.touch(e);
        return;
      }
    }
    this.vars[name] = value;
  }

  setVars(from: Exec | null, values: Record<string, unknown> | undefined): void {
    for (const [k, v] of Object.entries(values ?? {})) this.setVar(from, k, v);
  }

  private parent(exec: Exec): Exec | null {
    return exec.parentId ? (this.execs.get(exec.parentId) ?? null) : null;
  }

  private isInner(exec: Exec): boolean {
    return exec.loop?.index !== undefined;
  }

  // ---- running ------------------------------------------------------------------------------

  /** Runs tokens until each one waits; then settles inclusive joins and the instance's end. */
  async drain(ready: Exec[] = []): Promise<void> {
    this.queue.push(...ready);
    if (this.draining) return; // a nested call (call activity child ending) feeds our queue
    this.draining = true;
    try {
      for (;;) {
        while (this.queue.length) {
          if (++this.steps > MAX_STEPS)
            throw new CrmError(
              ErrorCode.FlowStuck,
              'the process loops without reaching a wait state',
              [{ path: 'process', message: `more than ${MAX_STEPS} steps in one transaction` }],
            );
          const exec = this.queue.shift()!;
          if (!this.execs.has(exec.id) || exec.state !== 'ready') continue;
          await this.guard(exec, () => this.enter(exec));
        }
        if (!(await this.settleInclusiveJoins())) break;
      }
    } finally {
      this.draining = false;
    }
    if (!this.ended && this.execs.size === 0) await this.end('completed');
  }

  /** Turns the process's own failures into an incident on the token; everything else aborts. */
  async guard(exec: Exec, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      if (e instanceof StepIncident || e instanceof TaskTypeError || e instanceof TimerSpecError) {
        await this.incident(exec, e instanceof StepIncident ? e.kind : 'task-failed', e.message);
      } else if (e instanceof CrmError && e.status < 500 && e.code !== ErrorCode.FlowStuck) {
        // a built-in task's record write was refused (invalid, conflict...): the process owns it
        await this.incident(exec, 'task-failed', `${e.code}: ${e.message}`);
      } else throw e;
    }
  }

  async incident(
    exec: Exec,
    kind: string,
    message: string,
    jobId: number | null = null,
  ): Promise<void> {
    if (this.execs.has(exec.id)) {
      exec.state = 'incident';
      this.touch(exec);
    }
    this.openIncidents++;
    await this.tx.execute(
      `INSERT INTO crm_wf_incident (instance_id, execution_id, job_id, element_id, kind, message, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?)`,
      [
        this.id,
        this.execs.has(exec.id) ? await this.idOf(exec) : exec.id > 0 ? exec.id : null,
        jobId,
        exec.elementId,
        kind,
        message,
        this.now(),
      ],
    );
    this.hist(exec.elementId, this.node(exec.elementId)?.type ?? 'Element', 'incident', {
      kind,
      message,
    });
  }

  private async enter(exec: Exec): Promise<void> {
    const node = this.node(exec.elementId);
    this.hist(node.id, node.type, 'start');
    if (ACTIVITIES.has(node.type)) return this.enterActivity(exec, node);
    switch (node.type) {
      case 'StartEvent':
      case 'BoundaryEvent':
      case 'IntermediateThrowEvent':
        return this.leave(exec);
      case 'EndEvent':
        this.hist(node.id, node.type, 'end');
        if (node.error)
          return this.throwError(exec, node.error.code ?? '', `error end event ${node.id}`);
        if (node.terminate) return this.terminate(exec);
        return this.endToken(exec);
      case 'IntermediateCatchEvent':
        exec.state = 'waiting';
        this.touch(exec);
        return this.arm(node, exec);
      case 'EventBasedGateway':
        exec.state = 'waiting';
        this.touch(exec);
        for (const f of node.outgoing) await this.arm(this.node(f.target), exec);
        return;
      case 'ParallelGateway':
      case 'InclusiveGateway':
        if (node.incoming > 1) return this.join(exec, node);
        return this.leave(exec);
      case 'ExclusiveGateway':
        return this.leave(exec);
      default:
        throw new CrmError(ErrorCode.ElementNotExecutable, `${node.type} ${node.id} cannot run`, [
          { path: node.id, message: `${node.type} is not executable` },
        ]);
    }
  }

  private async enterActivity(exec: Exec, node: GraphNode): Promise<void> {
    if (node.loop && !this.isInner(exec)) return this.startMultiInstance(exec, node);
    if (node.inputs.length) {
      const context = this.scopeVars(exec);
      exec.vars = { ...(exec.vars ?? {}) };
      for (const m of node.inputs) {
        exec.vars[m.target] = feel(stripEq(m.source), { ...context, ...exec.vars }, node.id);
      }
      this.touch(exec);
    }
    if (!this.isInner(exec) || !node.loop) await this.armBoundaries(exec, node);
    const context = () => this.scopeVars(exec);
    switch (node.type) {
      case 'UserTask': {
        exec.state = 'waiting';
        this.touch(exec);
        const c = context();
        const raw = node.assignee ? attr(node.assignee, c, node.id) : null;
        const assignee = raw === null || raw === '' ? null : String(raw);
        const groups = node.candidateGroups
          ? joinList(attr(node.candidateGroups, c, node.id))
          : null;
        const users = node.candidateUsers ? joinList(attr(node.candidateUsers, c, node.id)) : null;
        const task = await this.tx.execute(
          `INSERT INTO crm_wf_task (instance_id, execution_id, element_id, name, assignee, candidate_groups, candidate_users, state, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 'created', ?, 1)`,
          [this.id, await this.idOf(exec), node.id, node.name, assignee, groups, users, this.now()],
        );
        await insertCandidates(this.tx, candidateRows(task.insertId, assignee, groups, users));
        return;
      }
      case 'ScriptTask': {
        const value = feel(node.script!.expression, context(), node.id);
        return this.completeActivity(exec, { [node.script!.resultVariable]: value });
      }
      case 'ServiceTask':
      case 'SendTask':
      case 'BusinessRuleTask':
        return this.startJobTask(exec, node);
      case 'ReceiveTask':
        exec.state = 'waiting';
        this.touch(exec);
        return this.arm(node, exec);
      case 'SubProcess': {
        exec.state = 'scope';
        this.touch(exec);
        const child = await this.createExec(exec.id, node.startNode!);
        this.queue.push(child);
        return;
      }
      case 'CallActivity':
        return this.callActivity(exec, node);
      default:
        return this.completeActivity(exec, {}); // task, manualTask: pass through
    }
  }

  private async startJobTask(exec: Exec, node: GraphNode): Promise<void> {
    const c = this.scopeVars(exec);
    const type = String(attr(node.job!.type, c, node.id));
    const handler = this.ctx.deps.taskTypes.get(type);
    if (handler?.mode === 'inline') {
      const task = this.taskContext(exec, node, type, c);
      // the task's own writes are undone if it fails, the rest of the step commits with an incident
      const result = await this.tx.savepoint(async (tx) => handler.run({ ...task, tx }));
      // the task may have changed the linked record: later expressions see the new values
      if (this.row.record_entity && this.row.record_id !== null)
        this.record = await this.ctx.deps.readRecord(
          this.tx,
          this.row.record_entity,
          Number(this.row.record_id),
        );
      return this.completeActivity(exec, (result as Record<string, unknown>) ?? {});
    }
    exec.state = 'waiting';
    this.touch(exec);
    await this.tx.execute(
      `INSERT INTO crm_wf_job (kind, type, definition_id, instance_id, execution_id, element_id, due_at, retries, attempts, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 'ready', ?)`,
      [
        handler ? 'service' : 'external',
        type,
        this.row.definition_id,
        this.id,
        await this.idOf(exec),
        node.id,
        this.now(),
        node.job!.retries,
        this.now(),
      ],
    );
  }

  taskContext(exec: Exec, node: GraphNode, type: string, c = this.scopeVars(exec)): TaskContext {
    return {
      type,
      headers: node.headers,
      header: (name) => (name in node.headers ? attr(node.headers[name], c, node.id) : undefined),
      variables: c,
      record:
        this.row.record_entity && this.row.record_id !== null
          ? { entity: this.row.record_entity, id: Number(this.row.record_id) }
          : null,
      instanceId: this.id,
      actor: this.ctx.actor,
    };
  }

  private async callActivity(exec: Exec, node: GraphNode): Promise<void> {
    const c = this.scopeVars(exec);
    const key = String(attr(node.called!.processId, c, node.id));
    const pinned = node.called!.bindingType === 'versionTag' ? node.called!.versionTag : undefined;
    const version = pinned ? Number(String(pinned).replace(/^v/i, '')) : undefined;
    const rows = await this.tx.query<{ id: number; version: number; executable: number | boolean }>(
      `SELECT id, version, executable FROM crm_wf_definition WHERE process_key = ?${version ? ' AND version = ?' : ''} ORDER BY version DESC LIMIT 1`,
      version ? [key, version] : [key],
    );
    if (!rows.length || !(Number(rows[0].executable) === 1 || rows[0].executable === true))
      throw new StepIncident(
        'called-element',
        `call activity ${node.id}: no executable process "${key}"${version ? ` version ${version}` : ''}`,
      );
    exec.state = 'waiting';
    this.touch(exec);
    // with input mappings only the mapped locals go in; otherwise all variables (Camunda 8)
    const input = node.inputs.length
      ? { ...(exec.vars ?? {}) }
      : node.called!.propagateAllParentVariables
        ? this.plain(c)
        : {};
    await this.ctx.startInstance({
      definitionId: Number(rows[0].id),
      processKey: key,
      version: Number(rows[0].version),
      variables: input,
      businessKey: this.row.business_key,
      record:
        this.row.record_entity && this.row.record_id !== null
          ? { entity: this.row.record_entity, id: Number(this.row.record_id) }
          : null,
      parent: { instanceId: this.id, executionId: await this.idOf(exec) },
    });
  }

  /** Variables without the engine's own context entries. */
  private plain(c: Record<string, unknown>): Record<string, unknown> {
    const {
      processInstanceKey: _a,
      initiator: _b,
      businessKey: _c,
      record: _d,
      now: _e,
      today: _f,
      ...rest
    } = c;
    return rest;
  }

  private async startMultiInstance(body: Exec, node: GraphNode): Promise<void> {
    const items = feel(node.loop!.inputCollection, this.scopeVars(body), node.id);
    if (!Array.isArray(items))
      throw new StepIncident(
        'expression',
        `multi-instance ${node.id}: inputCollection is not a list`,
      );
    body.state = 'scope';
    body.loop = { items, next: 0, completed: 0, outputs: items.map(() => null) };
    this.touch(body);
    await this.armBoundaries(body, node);
    if (items.length === 0) return this.finishMultiInstance(body, node);
    const n = node.loop!.sequential ? 1 : items.length;
    for (let i = 0; i < n; i++) await this.spawnInner(body, node);
  }

  private async spawnInner(body: Exec, node: GraphNode): Promise<void> {
    const i = body.loop!.next!;
    body.loop!.next = i + 1;
    this.touch(body);
    const vars: Record<string, unknown> = { loopCounter: i + 1 };
    if (node.loop!.inputElement) vars[node.loop!.inputElement] = body.loop!.items![i];
    if (node.loop!.outputElement && node.loop!.outputCollection) {
      // the output element is usually a variable the inner instance sets: make it local
      const name = node.loop!.outputElement;
      if (/^[A-Za-z_]\w*$/.test(name) && !(name in vars)) vars[name] = null;
    }
    this.queue.push(await this.createExec(body.id, node.id, 'ready', vars, { index: i }));
  }

  private async innerDone(inner: Exec, node: GraphNode): Promise<void> {
    const body = this.parent(inner)!;
    const loop = body.loop!;
    if (node.loop!.outputElement)
      loop.outputs![inner.loop!.index!] = feel(
        node.loop!.outputElement,
        this.scopeVars(inner),
        node.id,
      );
    loop.completed = (loop.completed ?? 0) + 1;
    this.touch(body);
    await this.disarm(inner, node);
    this.hist(node.id, node.type, 'end');
    this.drop(inner);
    const total = loop.items!.length;
    const active = this.children(body.id).length;
    const done =
      loop.completed >= total ||
      (node.loop!.completionCondition !== undefined &&
        feel(
          node.loop!.completionCondition,
          {
            ...this.scopeVars(body),
            numberOfInstances: total,
            numberOfCompletedInstances: loop.completed,
            numberOfActiveInstances: active,
          },
          node.id,
        ) === true);
    if (done) {
      for (const other of this.children(body.id)) await this.cancelExec(other);
      return this.finishMultiInstance(body, node);
    }
    if (node.loop!.sequential && loop.next! < total) await this.spawnInner(body, node);
  }

  private async finishMultiInstance(body: Exec, node: GraphNode): Promise<void> {
    if (node.loop!.outputCollection)
      this.setVar(this.parent(body), node.loop!.outputCollection, body.loop!.outputs ?? []);
    body.loop = null;
    body.state = 'ready';
    await this.disarm(body, node);
    this.hist(node.id, node.type, 'end');
    await this.leave(body);
  }

  /**
   * An activity finished (task completed, job done, child instance ended...): output mappings or
   * variable propagation, boundary events disarmed, then the token leaves.
   */
  async completeActivity(exec: Exec, result: Record<string, unknown>): Promise<void> {
    const node = this.node(exec.elementId);
    if (node.outputs.length) {
      const c = { ...this.scopeVars(exec), ...result };
      for (const m of node.outputs)
        this.setVar(this.parent(exec), m.target, feel(stripEq(m.source), c, node.id));
    } else this.setVars(exec, result);
    if (this.isInner(exec) && node.loop) return this.innerDone(exec, node);
    exec.vars = null;
    exec.state = 'ready';
    this.touch(exec);
    await this.disarm(exec, node);
    this.hist(node.id, node.type, 'end');
    await this.leave(exec);
  }

  /** Picks the outgoing flows and moves the token; more flows fork new tokens. */
  async leave(exec: Exec): Promise<void> {
    const node = this.node(exec.elementId);
    const c = () => this.scopeVars(exec);
    let targets: string[];
    const conditional = node.outgoing.filter(
      (f) => f.id !== node.defaultFlow && f.condition !== undefined,
    );
    const holds = (f: { condition?: string }) => feel(f.condition!, c(), node.id) === true;
    const dflt = node.outgoing.find((f) => f.id === node.defaultFlow);
    if (node.type === 'ExclusiveGateway') {
      const hit = node.outgoing.find(
        (f) => f.id !== node.defaultFlow && (f.condition === undefined || holds(f)),
      );
      const chosen = hit ?? dflt;
      if (!chosen)
        throw new StepIncident(
          'no-matching-flow',
          `no condition out of ${node.id} is true and it has no default flow`,
        );
      targets = [chosen.target];
    } else if (node.type === 'InclusiveGateway') {
      const hits = node.outgoing.filter(
        (f) => f.id !== node.defaultFlow && (f.condition === undefined || holds(f)),
      );
      if (!hits.length && !dflt)
        throw new StepIncident(
          'no-matching-flow',
          `no condition out of ${node.id} is true and it has no default flow`,
        );
      targets = (hits.length ? hits : [dflt!]).map((f) => f.target);
    } else if (node.type === 'ParallelGateway') {
      targets = node.outgoing.map((f) => f.target);
    } else {
      const plain = node.outgoing.filter(
        (f) => f.condition === undefined && f.id !== node.defaultFlow,
      );
      const taken = [...plain, ...conditional.filter(holds)];
      targets = (taken.length ? taken : dflt ? [dflt] : []).map((f) => f.target);
    }
    if (!ACTIVITIES.has(node.type) && node.type !== 'EndEvent')
      this.hist(node.id, node.type, 'end');
    if (targets.length === 0) return this.endToken(exec);
    exec.elementId = targets[0];
    exec.state = 'ready';
    exec.vars = null;
    this.touch(exec);
    this.queue.push(exec);
    for (const t of targets.slice(1)) this.queue.push(await this.createExec(exec.parentId, t));
  }

  private async join(exec: Exec, node: GraphNode): Promise<void> {
    exec.state = 'joined';
    this.touch(exec);
    if (node.type === 'InclusiveGateway') return; // settled when nothing else can arrive
    const joined = this.children(exec.parentId).filter(
      (e) => e.elementId === node.id && e.state === 'joined',
    );
    if (joined.length < node.incoming) return;
    await this.fireJoin(exec, joined);
  }

  private async fireJoin(exec: Exec, joined: Exec[]): Promise<void> {
    for (const other of joined) if (other !== exec) this.drop(other);
    exec.state = 'ready';
    await this.leave(exec);
  }

  /** An inclusive join fires once no other token of its scope can still reach it. */
  private async settleInclusiveJoins(): Promise<boolean> {
    let fired = false;
    for (const exec of [...this.execs.values()]) {
      if (exec.state !== 'joined' || !this.execs.has(exec.id)) continue;
      const node = this.node(exec.elementId);
      if (node.type !== 'InclusiveGateway') continue;
      const siblings = this.children(exec.parentId);
      const pending = siblings.some(
        (s) =>
          !(s.elementId === node.id && s.state === 'joined') &&
          (this.graph.reach.get(s.elementId)?.has(node.id) ?? false),
      );
      if (pending) continue;
      const joined = siblings.filter((s) => s.elementId === node.id && s.state === 'joined');
      await this.guard(exec, () => this.fireJoin(exec, joined));
      fired = true;
    }
    return fired;
  }

  /** A token reached the end of its path: the scope completes when its last token ends. */
  private async endToken(exec: Exec): Promise<void> {
    this.drop(exec);
    const scope = this.parent(exec);
    if (scope && this.children(scope.id).length === 0 && !scope.loop?.items) {
      await this.completeActivity(scope, {});
    }
  }

  /** Terminate end event: ends every token of its scope (the subprocess or the instance). */
  private async terminate(exec: Exec): Promise<void> {
    const scope = this.parent(exec);
    this.drop(exec);
    for (const other of this.children(scope?.id ?? null)) await this.cancelExec(other);
    if (scope) return this.completeActivity(scope, {});
    await this.end('terminated');
  }

  // ---- events -------------------------------------------------------------------------------

  /** Creates the timer job or message subscription an event waits on, for token `exec`. */
  async arm(node: GraphNode, exec: Exec): Promise<void> {
    if (node.timer) {
      const spec = String(attr(node.timer.expression, this.scopeVars(exec), node.id));
      const plan = planTimer(
        node.timer.kind,
        spec,
        this.ctx.deps.now(),
        this.ctx.deps.settings.timeZone,
      );
      await insertTimerJob(this.tx, plan, {
        definitionId: Number(this.row.definition_id),
        instanceId: this.id,
        executionId: await this.idOf(exec),
        elementId: node.id,
        now: this.now(),
      });
    } else if (node.message) {
      const c = this.scopeVars(exec);
      const name = String(attr(node.message.name, c, node.id));
      const key = node.message.correlationKey
        ? attr(node.message.correlationKey, c, node.id)
        : null;
      await this.tx.execute(
        'INSERT INTO crm_wf_subscription (definition_id, instance_id, execution_id, element_id, message_name, correlation_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [
          this.row.definition_id,
          this.id,
          await this.idOf(exec),
          node.id,
          name,
          key === null ? null : String(key),
          this.now(),
        ],
      );
    }
  }

  private async armBoundaries(exec: Exec, node: GraphNode): Promise<void> {
    for (const b of node.boundaries) await this.arm(this.node(b), exec);
  }

  /** Removes the timers and subscriptions a token no longer waits on. */
  private async disarm(exec: Exec, node: GraphNode): Promise<void> {
    const armed =
      node.boundaries.some((b) => this.node(b).timer || this.node(b).message) ||
      node.type === 'IntermediateCatchEvent' ||
      node.type === 'ReceiveTask' ||
      node.type === 'EventBasedGateway';
    if (!armed || exec.id < 0) return;
    await this.tx.execute(`DELETE FROM crm_wf_job WHERE execution_id = ? AND kind = 'timer'`, [
      exec.id,
    ]);
    await this.tx.execute('DELETE FROM crm_wf_subscription WHERE execution_id = ?', [exec.id]);
  }

  /** A timer or message fired for `element` on token `exec`. */
  async trigger(
    exec: Exec,
    element: string,
    variables: Record<string, unknown> = {},
  ): Promise<void> {
    const node = this.node(element);
    await this.guard(exec, async () => {
      if (node.type === 'BoundaryEvent') {
        this.setVars(this.parent(exec), variables);
        const parentId = exec.parentId;
        if (node.cancelActivity) await this.cancelExec(exec);
        this.queue.push(await this.createExec(parentId, node.id));
        return;
      }
      const at = this.node(exec.elementId);
      if (at.type === 'EventBasedGateway') {
        await this.disarm(exec, at);
        this.hist(at.id, at.type, 'end');
        exec.elementId = node.id;
        this.hist(node.id, node.type, 'start');
      }
      await this.completeActivityOrEvent(exec, variables);
    });
    await this.drain();
  }

  private async completeActivityOrEvent(
    exec: Exec,
    variables: Record<string, unknown>,
  ): Promise<void> {
    const node = this.node(exec.elementId);
    if (ACTIVITIES.has(node.type)) return this.completeActivity(exec, variables);
    this.setVars(exec, variables);
    exec.state = 'ready';
    await this.disarm(exec, node);
    await this.leave(exec);
  }

  /**
   * Throws a BPMN error from `exec`: the nearest enclosing activity with a matching error boundary
   * event catches it (the throwing activity itself first, then its subprocesses, then a calling
   * instance); uncaught, it becomes an incident.
   */
  async throwError(exec: Exec, code: string, message: string): Promise<void> {
    const fromEnd = this.node(exec.elementId).type === 'EndEvent';
    let cur: Exec | null = fromEnd ? this.parent(exec) : exec;
    while (cur) {
      if (!(this.isInner(cur) && this.node(cur.elementId).loop)) {
        const n = this.node(cur.elementId);
        const catcher = n.boundaries
          .map((b) => this.node(b))
          .find(
            (b) =>
              b.error &&
              (b.error.code === undefined || b.error.code === '' || b.error.code === code),
          );
        if (catcher) {
          this.hist(n.id, n.type, 'error', { code, message });
          const parentId = cur.parentId;
          await this.cancelExec(cur);
          if (fromEnd && this.execs.has(exec.id)) this.drop(exec);
          this.queue.push(await this.createExec(parentId, catcher.id));
          return;
        }
      }
      cur = this.parent(cur);
    }
    if (this.row.parent_instance_id) {
      const parent = await this.ctx.load(Number(this.row.parent_instance_id));
      const callExec = parent.execs.get(Number(this.row.parent_execution_id));
      if (callExec) {
        await this.end('terminated');
        await parent.throwError(callExec, code, message);
        await parent.drain();
        return;
      }
    }
    throw new StepIncident(
      'unhandled-error',
      `BPMN error "${code}" (${message}) is not caught by any boundary event`,
    );
  }

  /** Ends a token and everything under it: tasks, jobs, subscriptions, called instances. */
  async cancelExec(exec: Exec): Promise<void> {
    for (const child of this.children(exec.id)) await this.cancelExec(child);
    const node = this.node(exec.elementId);
    if (exec.state === 'waiting' || exec.state === 'incident' || exec.state === 'scope') {
      // instance_id first: the tasks are found through its index
      const mine = `instance_id = ? AND execution_id = ? AND state <> 'completed'`;
      await deleteCandidatesOf(this.tx, mine, [this.id, exec.id]);
      await this.tx.execute(`DELETE FROM crm_wf_task WHERE ${mine}`, [this.id, exec.id]);
      await this.tx.execute('DELETE FROM crm_wf_job WHERE execution_id = ?', [exec.id]);
      await this.tx.execute('DELETE FROM crm_wf_subscription WHERE execution_id = ?', [exec.id]);
      const resolved = await this.tx.execute(
        `UPDATE crm_wf_incident SET state = 'resolved', resolved_at = ?, resolved_by = ? WHERE execution_id = ? AND state = 'open'`,
        [this.now(), this.ctx.actor, exec.id],
      );
      this.openIncidents -= resolved.affected;
    }
    if (node.type === 'CallActivity') {
      const [child] = await this.tx.query<{ id: number }>(
        `SELECT id FROM crm_wf_instance WHERE parent_execution_id = ? AND state = 'active'`,
        [exec.id],
      );
      if (child) {
        const c = await this.ctx.load(Number(child.id));
        if (!c.ended) await c.cancelAll('cancelled');
      }
    }
    this.hist(node.id, node.type, 'cancel');
    this.drop(exec);
  }

  /** Cancels the whole instance (admin cancel, or a parent cancelled it). */
  async cancelAll(state: 'cancelled' | 'terminated'): Promise<void> {
    for (const e of this.children(null)) await this.cancelExec(e);
    await this.end(state);
  }

  /** The instance ends: runtime rows go, history stays; a calling instance continues. */
  async end(state: 'completed' | 'terminated' | 'cancelled'): Promise<void> {
    if (this.ended) return;
    this.ended = state;
    for (const e of [...this.execs.values()]) this.drop(e);
    this.hist(null, 'Process', state === 'completed' ? 'end' : state);
    if (state === 'completed' && this.row.parent_instance_id) {
      const parent = await this.ctx.load(Number(this.row.parent_instance_id));
      const callExec = parent.execs.get(Number(this.row.parent_execution_id));
      if (callExec) {
        const node = parent.node(callExec.elementId);
        const result =
          node.outputs.length || node.called?.propagateAllChildVariables ? { ...this.vars } : {};
        await parent.guard(callExec, () => parent.completeActivity(callExec, result));
        await parent.drain();
      }
    }
  }

  // ---- persistence --------------------------------------------------------------------------

  async flush(): Promise<void> {
    const max = this.ctx.deps.settings.maxVariablesBytes;
    const vars = JSON.stringify(this.vars);
    if (Buffer.byteLength(vars) > max)
      throw new CrmError(
        ErrorCode.VariablesTooLarge,
        `instance ${this.id}: variables would take ${Buffer.byteLength(vars)} bytes, more than ${max}`,
        [{ path: '/variables', message: 'too large' }],
      );
    // history keeps every variable change of the step: name → new value (null = removed)
    const before = JSON.parse(this.row.variables) as Record<string, unknown>;
    const changed: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(before), ...Object.keys(this.vars)]))
      if (JSON.stringify(before[k]) !== JSON.stringify(this.vars[k]))
        changed[k] = this.vars[k] ?? null;
    if (Object.keys(changed).length) this.hist(null, 'Process', 'variables', changed);
    this.row.variables = vars;
    if (this.deleted.size) {
      const ids = [...this.deleted];
      await this.tx.execute(
        `DELETE FROM crm_wf_execution WHERE id IN (${ids.map(() => '?').join(', ')})`,
        ids,
      );
    }
    // tokens still only in memory are written now (with their current state: no UPDATE needed)
    for (const e of [...this.execs.values()]) if (e.id < 0) await this.idOf(e);
    for (const id of this.dirty) {
      const e = this.execs.get(id);
      if (!e || id < 0) continue;
      await this.tx.execute(
        'UPDATE crm_wf_execution SET element_id = ?, state = ?, variables = ?, loop_state = ? WHERE id = ?',
        [
          e.elementId,
          e.state,
          e.vars ? JSON.stringify(e.vars) : null,
          e.loop ? JSON.stringify(e.loop) : null,
          id,
        ],
      );
    }
    if (this.ended && this.ended !== 'completed') {
      // A cancelled or terminated instance: runtime rows of every kind go (its history stays).
      // A completed one has none left: each token's tasks, jobs and subscriptions went with it.
      await this.tx.execute('DELETE FROM crm_wf_execution WHERE instance_id = ?', [this.id]);
      // completed tasks stay: they are the users' "done" list and answer a late second completion
      await deleteCandidatesOf(this.tx, `instance_id = ? AND state <> 'completed'`, [this.id]);
      await this.tx.execute(
        `DELETE FROM crm_wf_task WHERE instance_id = ? AND state <> 'completed'`,
        [this.id],
      );
      await this.tx.execute('DELETE FROM crm_wf_job WHERE instance_id = ?', [this.id]);
      await this.tx.execute('DELETE FROM crm_wf_subscription WHERE instance_id = ?', [this.id]);
      await this.tx.execute(
        `UPDATE crm_wf_incident SET state = 'resolved', resolved_at = ?, resolved_by = ? WHERE instance_id = ? AND state = 'open'`,
        [this.now(), this.ctx.actor, this.id],
      );
      this.openIncidents = 0;
    }
    for (const h of this.history)
      if (h[3] === 'end' && h[1] !== null)
        this.counts[String(h[1])] = (this.counts[String(h[1])] ?? 0) + 1;
    if (this.ended) this.row.ended_at = this.now();
    if (this.history.length) {
      await this.tx.execute(
        `INSERT INTO crm_wf_history (instance_id, element_id, element_type, event, actor, detail, at) VALUES ${this.history.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        this.history.flat(),
      );
    }
    const r = await this.tx.execute(
      `UPDATE crm_wf_instance SET variables = ?, state = ?, ended_at = ?, element_counts = ?, open_incidents = ?, version = version + 1 WHERE id = ? AND version = ?`,
      [
        vars,
        this.ended ?? 'active',
        this.row.ended_at,
        JSON.stringify(this.counts),
        this.openIncidents,
        this.id,
        this.row.version,
      ],
    );
    if (r.affected === 0)
      throw new CrmError(ErrorCode.TaskConflict, INSTANCE_CONFLICT, [
        { path: 'instance', message: 'concurrent step' },
      ]);
    this.row.version = Number(this.row.version) + 1;
    this.history = [];
    this.dirty.clear();
    this.deleted.clear();
  }
}

export const INSTANCE_CONFLICT = 'the process instance was changed concurrently';

/** Inserts a timer job from its plan (instance timers and definition start timers alike). */
export async function insertTimerJob(
  tx: Db,
  plan: TimerPlan,
  at: {
    definitionId: number;
    instanceId: number | null;
    executionId: number | null;
    elementId: string;
    now: string;
  },
): Promise<void> {
  await tx.execute(
    `INSERT INTO crm_wf_job (kind, type, definition_id, instance_id, execution_id, element_id, due_at, retries, attempts, state, payload, created_at) VALUES ('timer', NULL, ?, ?, ?, ?, ?, 3, 0, 'ready', ?, ?)`,
    [
      at.definitionId,
      at.instanceId,
      at.executionId,
      at.elementId,
      toDbTimestamp(plan.due),
      plan.cycle ? JSON.stringify({ cycle: plan.cycle }) : null,
      at.now,
    ],
  );
}

export interface InstanceView {
  id: number;
  processKey: string;
  definitionVersion: number;
  businessKey: string | null;
  state: 'active' | 'completed' | 'terminated' | 'cancelled';
  variables: Record<string, unknown>;
  record: { entity: string; id: number } | null;
  parentInstanceId: number | null;
  activeElementIds: string[];
  completedElements: Record<string, number>;
  incidents: number;
  startedBy: string | null;
  startedAt: string | null;
  endedAt: string | null;
}

/** The API form of an instance from its row and its executions (ordered by id). */
export function instanceView(
  r: InstanceRow,
  execs: Array<{ elementId: string }>,
  now?: {
    variables: Record<string, unknown>;
    state: InstanceView['state'];
    counts: Record<string, number>;
    incidents: number;
    endedAt: string | null;
  },
): InstanceView {
  return {
    id: Number(r.id),
    processKey: String(r.process_key),
    definitionVersion: Number(r.definition_version),
    businessKey: r.business_key ?? null,
    state: now?.state ?? (r.state as InstanceView['state']),
    variables: now?.variables ?? JSON.parse(String(r.variables)),
    record: r.record_entity ? { entity: String(r.record_entity), id: Number(r.record_id) } : null,
    parentInstanceId: r.parent_instance_id === null ? null : Number(r.parent_instance_id),
    // joined tokens wait at a gateway: the diagram shows where tokens are
    activeElementIds: [...new Set(execs.map((e) => e.elementId))],
    completedElements: now?.counts ?? (r.element_counts ? JSON.parse(r.element_counts) : {}),
    incidents: now?.incidents ?? Number(r.open_incidents ?? 0),
    startedBy: r.started_by ?? null,
    startedAt: fromDbTimestamp(r.started_at),
    endedAt: fromDbTimestamp(now ? now.endedAt : r.ended_at),
  };
}
