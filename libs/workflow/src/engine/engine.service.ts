import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  CrmError,
  DB,
  type Db,
  ErrorCode,
  type SqlParam,
  fromDbTimestamp,
  toDbTimestamp,
} from '@crm/common';
import { MetaService } from '@crm/metadata';
import { RecordsService } from '@crm/records';
import { ApprovalActions } from '../approvals/actions';
import { InstanceApprovalOps } from '../approvals/instance-actions';
import { ORG_SOURCE, type OrgSource } from '../approvals/org';
import { type PreviewInput, type PreviewResult, previewRoute } from '../approvals/preview';
import { EngineCore } from './engine-core';
import { IncidentOps } from './incidents';
import { InstanceOps } from './instances';
import type { InstanceView } from './instance-view';
import { type PublishInput, type PublishResult, publishMessage } from './messages';
import { type SignalResult, broadcastSignal } from './signals';
import { listenerDone, listenerHeaders, listenerOfJob } from './behaviors/listeners';
import { parseTaskListenerResult, refuseResultFor } from './behaviors/task-listener-result';
import type { Exec, InstanceStep } from './step';
import { StepContext } from './step-context';
import { TaskOps } from './tasks';
import { TaskTypeError, TaskTypeRegistry } from './task-types';
import { nextInCycle } from './timers';
import { checkVariables } from './variables';

export type { InstanceView };
export type { StartInput } from './instances';
export type { TaskView } from './tasks';

export interface JobRow {
  id: number;
  kind: string;
  type: string | null;
  definition_id: number | null;
  instance_id: number | null;
  execution_id: number | null;
  element_id: string;
  due_at: string;
  lock_owner: string | null;
  lock_expires_at: string | null;
  retries: number;
  attempts: number;
  state: string;
  payload: string | null;
}

export interface LockedJob {
  id: number;
  type: string;
  instanceId: number;
  elementId: string;
  processKey: string;
  variables: Record<string, unknown>;
  headers: Record<string, string>;
  retries: number;
  lockExpiresAt: string | null;
}

/**
 * The engine's operations as one injectable: instances, tasks and incidents live in their own
 * modules (instances.ts, tasks.ts, incidents.ts), messages in messages.ts; jobs (timers, service
 * jobs, external workers) are here. Every operation runs through EngineCore.step.
 */
@Injectable()
export class EngineService extends EngineCore {
  constructor(
    @Inject(DB) db: Db,
    @Inject(CLOCK) clock: Clock,
    taskTypes: TaskTypeRegistry,
    @Optional() @Inject(RecordsService) records: RecordsService | null,
    @Optional() @Inject(APP_CONFIG) config: AppConfig | null,
    @Optional() @Inject(ORG_SOURCE) org: OrgSource | null,
    @Optional() @Inject(MetaService) meta: MetaService | null = null,
  ) {
    super(db, clock, taskTypes, records, config, org, meta);
  }

  private readonly instanceOps = new InstanceOps(this);
  private readonly taskOps = new TaskOps(this);
  private readonly incidentOps = new IncidentOps(this);
  private readonly approvalActions = new ApprovalActions(this);
  private readonly approvalOps = new InstanceApprovalOps(this);

  readonly start = this.instanceOps.start.bind(this.instanceOps);
  readonly startIn = this.instanceOps.startIn.bind(this.instanceOps);
  readonly cancel = this.instanceOps.cancel.bind(this.instanceOps);
  readonly instances = this.instanceOps.instances.bind(this.instanceOps);
  readonly instance = this.instanceOps.instance.bind(this.instanceOps);
  readonly instanceHistory = this.instanceOps.instanceHistory.bind(this.instanceOps);
  readonly completeTask = this.taskOps.completeTask.bind(this.taskOps);
  readonly claim = this.taskOps.claim.bind(this.taskOps);
  readonly tasks = this.taskOps.tasks.bind(this.taskOps);
  readonly task = this.taskOps.task.bind(this.taskOps);
  readonly incidents = this.incidentOps.incidents.bind(this.incidentOps);
  readonly retryIncident = this.incidentOps.retryIncident.bind(this.incidentOps);
  /** Approval actions on a task (approvals/actions.ts); `system` callers pass no viewer. */
  readonly act = this.approvalActions.act.bind(this.approvalActions);
  readonly bulkAct = this.approvalActions.bulk.bind(this.approvalActions);
  readonly withdraw = this.approvalOps.withdraw.bind(this.approvalOps);
  readonly remind = this.approvalOps.remind.bind(this.approvalOps);
  readonly modify = this.approvalOps.modify.bind(this.approvalOps);
  readonly instanceRecord = this.approvalOps.record.bind(this.approvalOps);

  /** Who would approve: the approval nodes the data routes to (approvals/preview.ts). */
  preview(input: PreviewInput, actor: string): Promise<PreviewResult> {
    checkVariables(input.variables, '/variables', this.settings.maxVariablesBytes);
    return previewRoute(this, input, actor);
  }

  // ---- messages -----------------------------------------------------------------------------

  /** Publishes a message (messages.ts: Zeebe's correlation, buffering and idempotence). */
  async correlate(msg: PublishInput, actor: string): Promise<PublishResult> {
    checkVariables(msg.variables, '/variables', this.settings.maxVariablesBytes);
    return this.step(actor, (ctx) => publishMessage(ctx, msg, this.clock.now()));
  }

  /** Broadcasts a signal (signals.ts): every waiting signal catch, every signal start. */
  async signal(
    body: { name: string; variables?: Record<string, unknown> },
    actor: string,
  ): Promise<SignalResult> {
    checkVariables(body.variables, '/variables', this.settings.maxVariablesBytes);
    return this.step(actor, (ctx) => broadcastSignal(ctx, body.name, body.variables ?? {}));
  }

  // ---- jobs ---------------------------------------------------------------------------------

  /**
   * Locks up to `max` due jobs of the given kinds (and types) for `owner`. MySQL skips rows
   * other nodes hold (FOR UPDATE SKIP LOCKED), so every node acquires different jobs at once.
   */
  async acquire(
    owner: string,
    kinds: string[],
    max: number,
    lockMs: number,
    types?: string[],
  ): Promise<JobRow[]> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const params: SqlParam[] = [...kinds, toDbTimestamp(now), toDbTimestamp(now)];
      let typeSql = '';
      if (types) {
        typeSql = ` AND type IN (${types.map(() => '?').join(', ')})`;
        params.push(...types);
      }
      const skip = tx.dialect === 'mysql' ? ' FOR UPDATE SKIP LOCKED' : '';
      const rows = await tx.query<JobRow>(
        `SELECT * FROM crm_wf_job WHERE state = 'ready' AND kind IN (${kinds.map(() => '?').join(', ')}) AND due_at <= ? AND (lock_expires_at IS NULL OR lock_expires_at < ?)${typeSql} ORDER BY due_at, id LIMIT ${Math.max(1, Math.min(max, 100))}${skip}`,
        params,
      );
      if (!rows.length) return [];
      const expires = toDbTimestamp(new Date(now.getTime() + lockMs));
      await tx.execute(
        `UPDATE crm_wf_job SET lock_owner = ?, lock_expires_at = ? WHERE id IN (${rows.map(() => '?').join(', ')})`,
        [owner, expires, ...rows.map((r) => Number(r.id))],
      );
      return rows.map((r) => ({ ...r, lock_owner: owner, lock_expires_at: expires }));
    });
  }

  /** Reads a job under its instance's lock and checks this owner still holds it. */
  async ownedJob(ctx: StepContext, jobId: number, owner: string): Promise<JobRow> {
    const [job] = await ctx.tx.query<JobRow>('SELECT * FROM crm_wf_job WHERE id = ?', [jobId]);
    if (!job)
      throw new CrmError(ErrorCode.JobNotFound, `job ${jobId} not found (done or cancelled)`, [
        { path: 'id', message: 'not found' },
      ]);
    if (job.instance_id !== null) await ctx.load(Number(job.instance_id));
    const [fresh] = await ctx.tx.query<JobRow>('SELECT * FROM crm_wf_job WHERE id = ?', [jobId]);
    const expired =
      !fresh?.lock_expires_at ||
      (fromDbTimestamp(fresh.lock_expires_at) ?? '') < this.clock.now().toISOString();
    if (!fresh || fresh.lock_owner !== owner || expired)
      throw new CrmError(
        ErrorCode.JobLockLost,
        `job ${jobId} is not locked by ${owner} (its lock expired or another worker holds it)`,
        [{ path: '/workerId', message: 'lock not held' }],
      );
    return fresh;
  }

  /** Fires a due timer job this node acquired: exactly once, in the step's transaction. */
  async fireTimer(jobId: number, owner: string): Promise<void> {
    await this.step('timer', async (ctx) => {
      let job: JobRow;
      try {
        job = await this.ownedJob(ctx, jobId, owner);
      } catch (e) {
        if (e instanceof CrmError) return; // done by another node, or cancelled meanwhile
        throw e;
      }
      const payload = job.payload
        ? (JSON.parse(job.payload) as { cycle?: { left: number; spec: string } })
        : {};
      const due = new Date(fromDbTimestamp(job.due_at)!);
      const next = payload.cycle
        ? nextInCycle(payload.cycle, due, this.clock.now(), this.settings.timeZone)
        : null;
      const g = await this.graph(
        ctx.tx,
        Number(job.definition_id),
        await this.keyOf(ctx.tx, Number(job.definition_id)),
      );
      const node = g.nodes.get(job.element_id)!;
      const repeats =
        next &&
        (node.type === 'StartEvent' || (node.type === 'BoundaryEvent' && !node.cancelActivity));
      if (repeats)
        await ctx.tx.execute(
          `UPDATE crm_wf_job SET due_at = ?, lock_owner = NULL, lock_expires_at = NULL, payload = ? WHERE id = ?`,
          [toDbTimestamp(next!.due), JSON.stringify({ cycle: next!.cycle }), jobId],
        );
      else await ctx.tx.execute('DELETE FROM crm_wf_job WHERE id = ?', [jobId]);
      if (job.instance_id === null) {
        const [def] = await ctx.tx.query<{ process_key: string; version: number }>(
          'SELECT process_key, version FROM crm_wf_definition WHERE id = ?',
          [Number(job.definition_id)],
        );
        await ctx.startInstance({
          definitionId: Number(job.definition_id),
          processKey: def.process_key,
          version: Number(def.version),
          variables: {},
          startNode: job.element_id,
        });
        return;
      }
      const step = ctx.steps.get(Number(job.instance_id))!;
      const exec = step.execs.get(Number(job.execution_id));
      if (!exec) return;
      step.hist(node.id, node.type, 'timer');
      await step.trigger(exec, node.id);
    });
  }

  private async keyOf(tx: Db, definitionId: number): Promise<string> {
    const [d] = await tx.query<{ process_key: string }>(
      'SELECT process_key FROM crm_wf_definition WHERE id = ?',
      [definitionId],
    );
    return d.process_key;
  }

  /** Runs a built-in job-mode task (webhook) this node acquired; outside any transaction. */
  async runServiceJob(job: JobRow, owner: string): Promise<void> {
    const handler = this.taskTypes.get(String(job.type));
    try {
      const context = await this.db.transaction(async (tx) => {
        const ctx = new StepContext(tx, this.deps, 'job-executor');
        const step = await ctx.load(Number(job.instance_id));
        const exec = step.execs.get(Number(job.execution_id));
        if (!exec) return null;
        const node = step.node(job.element_id);
        const listener = listenerOfJob(job.payload);
        // a built-in type as a listener sees the listener's headers over the element's
        const headers = listener ? await listenerHeaders(step, exec, node, listener) : node.headers;
        return step.taskContext(exec, { ...node, headers }, String(job.type));
      });
      if (!context) return;
      if (!handler) throw new TaskTypeError(`no task type ${job.type}`);
      const result = (await handler.run(context)) ?? {};
      await this.completeJob(job.id, { workerId: owner, variables: result }, 'job-executor');
    } catch (e) {
      if (
        e instanceof CrmError &&
        (e.code === ErrorCode.JobLockLost || e.code === ErrorCode.JobNotFound)
      )
        return;
      const message = e instanceof Error ? e.message : String(e);
      await this.failJob(
        job.id,
        { workerId: owner, retries: Math.max(0, Number(job.retries) - 1), errorMessage: message },
        'job-executor',
      ).catch(() => undefined);
    }
  }

  /** External workers: lock jobs of their types (and see the variables and headers). */
  async fetchAndLock(body: {
    workerId: string;
    types: string[];
    maxJobs?: number;
    lockMs?: number;
    /** Zeebe's activate-jobs `fetchVariable`: only these variables (none or [] = all). */
    fetchVariable?: string[];
  }): Promise<LockedJob[]> {
    const only = body.fetchVariable?.length ? new Set(body.fetchVariable) : null;
    const rows = await this.acquire(
      body.workerId,
      ['external'],
      body.maxJobs ?? 10,
      body.lockMs ?? 60_000,
      body.types,
    );
    const out: LockedJob[] = [];
    for (const job of rows) {
      const info = await this.db.transaction(async (tx) => {
        const ctx = new StepContext(tx, this.deps, body.workerId);
        const step = await ctx.load(Number(job.instance_id));
        const exec = step.execs.get(Number(job.execution_id));
        const node = step.node(job.element_id);
        const listener = listenerOfJob(job.payload);
        const variables = exec ? step.scopeVars(exec) : step.vars;
        return {
          variables: only
            ? Object.fromEntries(Object.entries(variables).filter(([k]) => only.has(k)))
            : variables,
          headers: listener ? await listenerHeaders(step, exec, node, listener) : node.headers,
          processKey: step.row.process_key,
        };
      });
      out.push({
        id: Number(job.id),
        type: String(job.type),
        instanceId: Number(job.instance_id),
        elementId: job.element_id,
        processKey: info.processKey,
        variables: info.variables,
        headers: info.headers,
        retries: Number(job.retries),
        lockExpiresAt: fromDbTimestamp(job.lock_expires_at),
      });
    }
    return out;
  }

  async completeJob(
    jobId: number,
    body: { workerId: string; variables?: Record<string, unknown>; result?: unknown },
    actor: string,
  ): Promise<void> {
    checkVariables(body.variables, '/variables', this.settings.maxVariablesBytes);
    // a user task listener's denial / corrections (Camunda 8.8 job result); shape errors first
    const outcome = parseTaskListenerResult(body.result);
    await this.finishJob(jobId, body.workerId, actor, async (step, exec, job) => {
      step.hist(job.element_id, step.node(job.element_id).type, 'job-complete', {
        workerId: body.workerId,
      });
      const listener = listenerOfJob(job.payload);
      if (listener) {
        // a task listener job refuses variables (before anything moves), as Camunda does
        const names = Object.keys(body.variables ?? {});
        if (names.length && listener.listener !== 'start' && listener.listener !== 'end')
          throw new CrmError(
            ErrorCode.VariablesInvalid,
            `job ${jobId} is a user task listener job: it completes without variables (Camunda 8); got ${names.join(', ')}`,
            [{ path: '/variables', message: 'not allowed for a task listener job' }],
          );
        refuseResultFor(jobId, listener.listener, outcome);
        await step.guard(exec, () =>
          listenerDone(step, exec, listener, body.variables ?? {}, outcome, String(job.type)),
        );
      } else {
        refuseResultFor(jobId, null, outcome);
        await step.guard(exec, () => step.completeActivity(exec, body.variables ?? {}));
      }
    });
  }

  /** Ends a job its worker still holds: the job row goes, `then` moves the token, in one step. */
  private async finishJob(
    jobId: number,
    workerId: string,
    actor: string,
    then: (step: InstanceStep, exec: Exec, job: JobRow) => Promise<void>,
  ): Promise<void> {
    await this.step(actor, async (ctx) => {
      const job = await this.ownedJob(ctx, jobId, workerId);
      const step = ctx.steps.get(Number(job.instance_id))!;
      const exec = step.execs.get(Number(job.execution_id))!;
      await ctx.tx.execute('DELETE FROM crm_wf_job WHERE id = ?', [jobId]);
      await then(step, exec, job);
      await step.drain();
    });
  }

  /** A failed attempt: retried after a backoff while retries are left, else an incident. */
  async failJob(
    jobId: number,
    body: { workerId: string; retries?: number; errorMessage?: string; retryBackoffMs?: number },
    actor: string,
  ): Promise<void> {
    await this.step(actor, async (ctx) => {
      const job = await this.ownedJob(ctx, jobId, body.workerId);
      const retries = body.retries ?? Math.max(0, Number(job.retries) - 1);
      const attempts = Number(job.attempts) + 1;
      const message = String(body.errorMessage ?? 'failed').slice(0, 10_000);
      const backoff = body.retryBackoffMs ?? this.backoffMs * 2 ** (attempts - 1);
      const step = ctx.steps.get(Number(job.instance_id))!;
      const node = step.node(job.element_id);
      step.hist(node.id, node.type, 'job-failed', { retries, message });
      if (retries > 0) {
        await ctx.tx.execute(
          `UPDATE crm_wf_job SET retries = ?, attempts = ?, last_error = ?, due_at = ?, lock_owner = NULL, lock_expires_at = NULL WHERE id = ?`,
          [
            retries,
            attempts,
            message,
            toDbTimestamp(new Date(this.clock.now().getTime() + backoff)),
            jobId,
          ],
        );
        return;
      }
      await ctx.tx.execute(
        `UPDATE crm_wf_job SET retries = 0, attempts = ?, last_error = ?, state = 'incident', lock_owner = NULL, lock_expires_at = NULL WHERE id = ?`,
        [attempts, message, jobId],
      );
      const exec = step.execs.get(Number(job.execution_id));
      if (exec) await step.incident(exec, 'job-failed', message, jobId);
    });
  }

  /** The worker ends the job with a BPMN error: an error boundary event may catch it. */
  async bpmnError(
    jobId: number,
    body: {
      workerId: string;
      errorCode: string;
      errorMessage?: string;
      variables?: Record<string, unknown>;
    },
    actor: string,
  ): Promise<void> {
    checkVariables(body.variables, '/variables', this.settings.maxVariablesBytes);
    await this.finishJob(jobId, body.workerId, actor, async (step, exec, job) => {
      // Camunda 8 does not let a listener job throw a BPMN error: fail it (an incident) instead
      if (listenerOfJob(job.payload))
        throw new CrmError(
          ErrorCode.ActionNotAllowed,
          `job ${jobId} is a listener job: a listener cannot throw a BPMN error; fail the job instead`,
          [{ path: '/errorCode', message: 'not allowed for a listener job' }],
        );
      step.setVars(exec, body.variables);
      await step.guard(exec, () =>
        step.throwError(exec, body.errorCode, body.errorMessage ?? body.errorCode),
      );
    });
  }

  backoffMs = 1000;

  // ---- notifications (written by the crm:notify task type) -----------------------------------

  async notifications(recipient: string): Promise<Array<Record<string, unknown>>> {
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM crm_notification WHERE recipient = ? ORDER BY id DESC LIMIT 200',
      [recipient],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      subject: r.subject,
      body: r.body ?? null,
      instanceId: r.instance_id === null ? null : Number(r.instance_id),
      kind: r.kind ?? null,
      taskId: r.task_id === null || r.task_id === undefined ? null : Number(r.task_id),
      createdAt: fromDbTimestamp(r.created_at),
      readAt: fromDbTimestamp(r.read_at),
    }));
  }
}
