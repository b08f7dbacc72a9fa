import { CrmError, type Db, ErrorCode, type SqlParam, toDbTimestamp } from '@crm/common';
import { settleRecord, tellOutcome } from '../approvals/outcome';
import { completeActivity, enterElement } from './behaviors';
import { dropRecords } from './behaviors/compensation';
import type { ListenerEvent } from './behaviors/listeners';
import { settleInclusiveJoins } from './behaviors/gateways';
import { throwError, trigger } from './behaviors/events';
import { taskContext } from './behaviors/job-task';
import { calendarFunctions } from './calendar-functions';
import type { FeelFunction } from '@crm/metadata';
import { type OrgIndex, orgFunctions } from '../approvals/org';
import { type EngineFeelOptions, StepIncident, attr, feel } from './expressions';
import { type PendingDelivery, deliverBuffered } from './messages';
import {
  INSTANCE_CONFLICT,
  type InstanceRow,
  type InstanceView,
  instanceView,
} from './instance-view';
import type { GraphNode, ProcessGraph } from './process-graph';
import type { StepContext, StepDeps } from './step-context';
import { deleteCandidatesOf } from './task-candidates';
import { type TaskContext, TaskTypeError } from './task-types';
import { TimerSpecError } from './timers';
import { serializeTokens } from './tokens';
import { targetPath, withPath } from './variables';

/**
 * The interpreter's persistence cycle. One `StepContext` is one database transaction; it holds an
 * `InstanceStep` per process instance the transaction touches (a call activity's child and its
 * parent both).
 *
 *   request / job / message ──► StepContext.load(id)      SELECT instance FOR UPDATE (its tokens
 *                                   │                      are in the row: tokens.ts)
 *                                   │
 *                                   ▼
 *                     InstanceStep.drain(tokens)          in memory: each ready token enters its
 *                       │   ▲                             element's behaviour (behaviors/*.ts),
 *                       ▼   │ queue                       which moves it on, forks, or parks it
 *                 behaviour.enter / complete              as waiting (task, job, timer, message)
 *                                   │
 *                                   ▼
 *                     StepContext.commit() ─► flush()      history (one multi-row INSERT), then the
 *                                                          instance row with its variables, tokens
 *                                                          and version check — in the same
 *                                                          transaction as the cause of the step
 *
 * Each instance row is locked before its tokens are read, so steps of one instance never
 * interleave. step-context.ts owns the transaction (load, start, commit); this file the tokens,
 * scopes, variables and persistence of one instance; what an element *does* lives in its behaviour
 * module, registered in behaviors/index.ts.
 */

export interface Exec {
  id: number;
  parentId: number | null;
  elementId: string;
  /** `listening`: an event subprocess start waiting in its scope (event-subprocess.ts). */
  state: 'ready' | 'waiting' | 'scope' | 'joined' | 'incident' | 'listening';
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
  /** An end / creating / completing listener failed on an expression: its retry resumes there. */
  resumeListeners?: { event: ListenerEvent; result?: Record<string, unknown> };
  /**
   * The element whose start listeners all completed: an incident's retry of that element goes on
   * after them instead of running them again (as Zeebe does); forgotten when the token moves on.
   */
  startListened?: string;
  /** An ad-hoc subprocess whose completion condition held: it completes when its tokens end. */
  adHocFulfilled?: boolean;
  /** Approval nodes: each inner instance's decision (approve / reject / null = open). */
  decisions?: Array<'approve' | 'reject' | null>;
}

/**
 * A start on a cached definition found a newer version deployed meanwhile: when its INSERT or
 * its checks found it, nothing was written; when its commit did (`atCommit`), the step's
 * transaction rolls back and the engine runs it again on the latest version (engine-core.ts).
 */
export class StaleDefinition extends Error {
  constructor(readonly processKey: string) {
    super('a newer version of the process was deployed');
  }
}

const MAX_STEPS = 10_000;

export class InstanceStep {
  readonly execs = new Map<number, Exec>();
  record: Record<string, unknown> | null = null;
  fresh = false;
  ended: null | 'completed' | 'terminated' | 'cancelled' = null;
  /**
   * How an approval ended (approved, rejected, withdrawn, cancelled): set by the approval actions
   * or an end event's `outcome` property; written with the instance row and back to its record.
   */
  outcome: string | null = null;
  /** A start on a cached definition: the commit checks no newer version exists (step-context.ts). */
  latestCheck: { processKey: string; version: number } | null = null;
  private history: SqlParam[][] = [];
  /** Buffered messages for subscriptions opened in this step (messages.ts). */
  readonly pendingDeliveries: PendingDelivery[] = [];
  /** Tokens ready to enter their element; behaviours push onto it. */
  readonly queue: Exec[] = [];
  private steps = 0;
  private draining = false;
  /** Completed element counts and open incidents, kept on the instance row. */
  readonly counts: Record<string, number>;
  openIncidents: number;

  constructor(
    readonly ctx: StepContext,
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
        outcome: this.outcome,
      },
    );
  }

  get id(): number {
    return Number(this.row.id);
  }
  get tx(): Db {
    return this.ctx.tx;
  }
  get deps(): StepDeps {
    return this.ctx.deps;
  }
  now(): string {
    return toDbTimestamp(this.ctx.deps.now());
  }
  node(id: string): GraphNode {
    return this.graph.nodes.get(id)!;
  }
  /** The record the instance is about, as `{ entity, id }`. */
  get recordRef(): { entity: string; id: number } | null {
    return this.row.record_entity && this.row.record_id !== null
      ? { entity: this.row.record_entity, id: Number(this.row.record_id) }
      : null;
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
   * A new token. It gets its id only when something needs it (a task, job or subscription, a
   * child token) or at commit; it is written with its instance row (tokens.ts).
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

  /**
   * The token's id, giving it one first if it is still only in memory (ids come in blocks, see
   * tokens.ts: no statement of its own). A token that ends within its step never gets one.
   */
  async idOf(exec: Exec): Promise<number> {
    if (exec.id > 0) return exec.id;
    const id = await this.ctx.deps.tokenIds.take(this.tx);
    this.execs.delete(exec.id);
    exec.id = id;
    this.execs.set(id, exec);
    return id;
  }

  /** Parks a token in a state (waiting on a task, job, timer...). */
  park(exec: Exec, state: Exec['state']): void {
    exec.state = state;
  }

  drop(exec: Exec): void {
    this.execs.delete(exec.id);
  }

  children(id: number | null): Exec[] {
    return [...this.execs.values()].filter((e) => e.parentId === id);
  }

  parent(exec: Exec): Exec | null {
    return exec.parentId ? (this.execs.get(exec.parentId) ?? null) : null;
  }

  /** An inner instance of a multi-instance body (its token carries its index). */
  isInner(exec: Exec): boolean {
    return exec.loop?.index !== undefined;
  }

  // ---- expressions --------------------------------------------------------------------------

  /**
   * FEEL's now() and today() read the engine's clock (tests move it; nodes agree on it) in the
   * company's time zone (CRM_TIMEZONE), so a business date formed at 07:00 in Beijing is today's.
   */
  get feelOptions(): EngineFeelOptions {
    return { ...this.ctx.feelOptionsBase(), functions: this.orgFunctions() };
  }

  /** The organisation as the approver sources see it in this step. */
  get org(): OrgIndex {
    return this.ctx.org;
  }

  private fns: Record<string, FeelFunction> | null = null;
  /** The approver sources (approvals/org.ts), reading this instance's record and variables. */
  private orgFunctions(): Record<string, FeelFunction> {
    return (this.fns ??= {
      ...orgFunctions(this.ctx.org, {
        record: () => this.record,
        variable: (name) => this.vars[name],
      }),
      // `is working day(date, calendar)` over the calendar documents (calendar-functions.ts)
      ...calendarFunctions(() => this.deps.documents()),
    });
  }
  feel(expression: string, context: Record<string, unknown>, at: string): unknown {
    return feel(expression, context, at, this.feelOptions);
  }
  attr(raw: string, context: Record<string, unknown>, at: string): unknown {
    return attr(raw, context, at, this.feelOptions);
  }

  // ---- variables ----------------------------------------------------------------------------

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
    for (const e of chain) if (e.vars) Object.assign(out, e.vars);
    return out;
  }

  /**
   * Sets a variable where it is defined (nearest scope first, starting at `from`), else on the
   * process — Zeebe's variable propagation.
   */
  setVar(from: Exec | null, name: string, value: unknown): void {
    for (let e = from; e; e = e.parentId ? (this.execs.get(e.parentId) ?? null) : null) {
      if (e.vars && name in e.vars) {
        e.vars[name] = value;
        return;
      }
    }
    this.vars[name] = value;
  }

  setVars(from: Exec | null, values: Record<string, unknown> | undefined): void {
    for (const [k, v] of Object.entries(values ?? {})) this.setVar(from, k, v);
  }

  /** A mapping target (`a` or `a.b.c`), propagated from `from` like setVar. */
  setTarget(from: Exec | null, target: string, value: unknown): void {
    const [head, ...rest] = targetPath(target);
    if (!rest.length) return this.setVar(from, head, value);
    this.setVar(from, head, withPath(this.scopeVars(from)[head], rest, value));
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
          await this.guard(exec, () => enterElement(this, exec, this.node(exec.elementId)));
        }
        if (await settleInclusiveJoins(this)) continue;
        const delivery = this.pendingDeliveries.shift();
        if (!delivery) break;
        await this.guard(delivery.exec, () => deliverBuffered(this, delivery));
      }
    } finally {
      this.draining = false;
    }
    // the instance completes when nothing but event subprocess listeners is left
    if (!this.ended && [...this.execs.values()].every((e) => e.state === 'listening'))
      await this.end('completed');
  }

  /** Turns the process's own failures into an incident on the token; everything else aborts. */
  async guard(exec: Exec, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      if (e instanceof StepIncident || e instanceof TaskTypeError || e instanceof TimerSpecError) {
        await this.incident(exec, e instanceof StepIncident ? e.kind : 'task-failed', e.message);
      } else if (
        e instanceof CrmError &&
        e.status < 500 &&
        e.code !== ErrorCode.FlowStuck &&
        // an approval node refusing its empty list refuses the whole start or step
        e.code !== ErrorCode.ApproversEmpty &&
        e.code !== ErrorCode.TriggerLoop
      ) {
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
    if (this.execs.has(exec.id)) this.park(exec, 'incident');
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

  // ---- entry points the engine service calls (each delegates to the behaviours) ------------

  /** A task was completed, a job finished, a child instance ended: the activity completes. */
  completeActivity(exec: Exec, result: Record<string, unknown>): Promise<void> {
    return completeActivity(this, exec, result);
  }

  /** A timer or message fired for `element` on token `exec`. */
  trigger(exec: Exec, element: string, variables: Record<string, unknown> = {}): Promise<void> {
    return trigger(this, exec, element, variables);
  }

  /** A BPMN error thrown at `exec` (a job worker's error, an error end event). */
  throwError(exec: Exec, code: string, message: string): Promise<void> {
    return throwError(this, exec, code, message);
  }

  taskContext(exec: Exec, node: GraphNode, type: string): TaskContext {
    return taskContext(this, exec, node, type);
  }

  // ---- ending -------------------------------------------------------------------------------

  /** Ends a token and everything under it: tasks, jobs, subscriptions, called instances. */
  async cancelExec(exec: Exec): Promise<void> {
    for (const child of this.children(exec.id)) await this.cancelExec(child);
    const node = this.node(exec.elementId);
    if (['waiting', 'incident', 'scope', 'listening'].includes(exec.state)) {
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
    // a listener that never fired is closed quietly, as Zeebe closes an unused subscription
    if (exec.state !== 'listening') this.hist(node.id, node.type, 'cancel');
    this.drop(exec);
  }

  /** Cancels the whole instance (admin cancel, or a parent cancelled it). */
  async cancelAll(state: 'cancelled' | 'terminated'): Promise<void> {
    for (const e of this.children(null)) await this.cancelExec(e);
    await this.end(state);
  }

  /**
   * The instance ends: runtime rows go, history stays; a calling instance continues. A terminate
   * end event ends it `completed`, as Zeebe reports it (`detail` says it was terminated).
   */
  async end(state: 'completed' | 'terminated' | 'cancelled', detail?: unknown): Promise<void> {
    if (this.ended) return;
    // event subprocess listeners close with their subscriptions and timers (a completed instance
    // keeps no runtime rows; the other endings delete them all at flush)
    if (state === 'completed')
      for (const e of [...this.execs.values()])
        if (e.state === 'listening' && this.execs.has(e.id)) await this.cancelExec(e);
    // compensation records nobody used go with a completed instance (the other endings delete
    // every runtime row at flush)
    if (state === 'completed') await dropRecords(this);
    this.ended = state;
    for (const e of [...this.execs.values()]) this.drop(e);
    this.hist(null, 'Process', state === 'completed' ? 'end' : state, detail);
    // the record the instance is about gets its outcome (or its pre-approval values) now
    await settleRecord(this, state);
    await tellOutcome(this);
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
    // tokens still only in memory get their ids now; the row carries them all (tokens.ts)
    for (const e of [...this.execs.values()]) if (e.id < 0) await this.idOf(e);
    const tokens = serializeTokens(this.execs.values());
    if (this.ended && this.ended !== 'completed') {
      // A cancelled or terminated instance: runtime rows of every kind go (its history stays; its
      // tokens went with it above). A completed one has none left: each token's tasks, jobs and
      // subscriptions went with it.
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
    // the tokens only when they changed: a step that only answers a variable or a history entry
    // does not rewrite them
    const tokensChanged = tokens !== (this.row.tokens ?? '[]');
    const latest = this.latestCheck;
    const r = await this.tx.execute(
      `UPDATE crm_wf_instance SET variables = ?, state = ?, ended_at = ?, element_counts = ?, open_incidents = ?, outcome = ?, ${tokensChanged ? 'tokens = ?, ' : ''}version = version + 1 WHERE id = ? AND version = ?${latest ? ' AND ? >= (SELECT MAX(n.version) FROM crm_wf_definition n WHERE n.process_key = ?)' : ''}`,
      [
        vars,
        this.ended ?? 'active',
        this.row.ended_at,
        JSON.stringify(this.counts),
        this.openIncidents,
        this.outcome ?? this.row.outcome ?? null,
        ...(tokensChanged ? [tokens] : []),
        this.id,
        this.row.version,
        // MAX over the (process_key, version) index is one index dive; a definition deleted
        // meanwhile (MAX null) fails the check too, and the rerun reports it missing
        ...(latest ? [latest.version, latest.processKey] : []),
      ],
    );
    // a fresh row cannot have lost a race: a newer version of its process was deployed
    if (r.affected === 0 && latest) throw new StaleDefinition(latest.processKey);
    if (r.affected === 0)
      throw new CrmError(ErrorCode.TaskConflict, INSTANCE_CONFLICT, [
        { path: 'instance', message: 'concurrent step' },
      ]);
    this.latestCheck = null;
    this.row.version = Number(this.row.version) + 1;
    this.row.tokens = tokens;
    this.history = [];
  }
}
