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
import { RecordsService } from '@crm/records';
import { parseBpmn } from '../bpmn-model';
import { type ProcessGraph, buildGraph } from './process-graph';
import { INSTANCE_CONFLICT, type InstanceView, instanceView } from './instance-view';
import { type PublishInput, type PublishResult, publishMessage } from './messages';
import {
  type EngineSettings,
  type Exec,
  type InstanceStep,
  StepContext,
  type StepDeps,
} from './step';
import { checkVariables } from './variables';

export type { InstanceView };
import { backfillCandidates } from './task-candidates';
import { TaskTypeError, TaskTypeRegistry } from './task-types';
import { nextInCycle } from './timers';
import {
  type TaskInstanceFacts,
  type WorkflowViewer,
  instanceVisibleSql,
  hasCandidateSql,
  mayWork,
  recordReadableSql,
  taskVisibleSql,
  visibleTasksSql,
} from './visibility';

export interface StartInput {
  processKey: string;
  version?: number;
  variables?: Record<string, unknown>;
  businessKey?: string;
  record?: { entity: string; id: number };
}

export interface TaskView {
  id: number;
  instanceId: number;
  elementId: string;
  name: string | null;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  state: string;
  version: number;
  createdAt: string | null;
}

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

const MAX_STEP_ATTEMPTS = 8;
/** Tasks per list answer. */
const TASK_PAGE = 500;
const split = (v: unknown): string[] =>
  v
    ? String(v)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/** A step lost a race on its instance row (or MySQL chose it as a deadlock victim): run it again. */
function isRetryable(e: unknown): boolean {
  if (e instanceof CrmError) return e.message === INSTANCE_CONFLICT;
  const errno = (e as { driverError?: { errno?: number } }).driverError?.errno;
  return errno === 1213 || errno === 1205; // deadlock, lock wait timeout
}

const bad = (path: string, message: string) =>
  new CrmError(ErrorCode.BadRequest, message, [{ path, message }]);

const instanceNotFound = (id: number) =>
  new CrmError(ErrorCode.InstanceNotFound, `instance ${id} not found`, [
    { path: 'id', message: 'not found' },
  ]);

/**
 * The engine's operations. Each runs one transaction: it locks the instances it touches, moves
 * their tokens (see step.ts) and commits the result with its history; a lost race or deadlock
 * reruns the whole step on fresh state.
 */
@Injectable()
export class EngineService {
  private graphs = new Map<number, ProcessGraph>();
  readonly settings: EngineSettings;
  private readonly deps: StepDeps;

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    readonly taskTypes: TaskTypeRegistry,
    @Optional() @Inject(RecordsService) private readonly records: RecordsService | null,
    @Optional() @Inject(APP_CONFIG) config: AppConfig | null,
  ) {
    this.settings = {
      maxVariablesBytes: config?.workflowMaxVariablesBytes ?? 256 * 1024,
      timeZone: config?.timeZone ?? 'UTC',
    };
    this.deps = {
      graph: (tx, id, key) => this.graph(tx, id, key),
      taskTypes: this.taskTypes,
      now: () => this.clock.now(),
      settings: this.settings,
      readRecord: async (tx, entity, id) => {
        if (!this.records) return null;
        try {
          return await this.records.get(entity, id, {}, tx);
        } catch (e) {
          if (e instanceof CrmError && e.code === ErrorCode.RecordNotFound) return null;
          throw e;
        }
      },
    };
  }

  /** Gives open tasks from before crm_wf_task_candidate existed their candidate rows (once). */
  backfillTaskCandidates(): Promise<number> {
    return backfillCandidates(this.db);
  }

  async graph(tx: Db, definitionId: number, processKey: string): Promise<ProcessGraph> {
    const cached = this.graphs.get(definitionId);
    if (cached) return cached;
    const [row] = await tx.query<{ xml: string }>(
      'SELECT xml FROM crm_wf_definition WHERE id = ?',
      [definitionId],
    );
    const parsed = await parseBpmn(row.xml);
    const g = buildGraph(parsed.definitions!, processKey);
    this.graphs.set(definitionId, g);
    return g;
  }

  /** Runs fn in one transaction with a step context, retrying lost races and deadlocks. */
  private async step<T>(actor: string, fn: (ctx: StepContext) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const ctx = new StepContext(tx, this.deps, actor);
          const out = await fn(ctx);
          await ctx.commit();
          return out;
        });
      } catch (e) {
        if (!isRetryable(e) || attempt >= MAX_STEP_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  // ---- instances ----------------------------------------------------------------------------

  async start(input: StartInput, actor: string): Promise<InstanceView> {
    checkVariables(input.variables, '/variables', this.settings.maxVariablesBytes);
    const started = await this.step(actor, async (ctx) => {
      const rows = await ctx.tx.query<{
        id: number;
        version: number;
        executable: number | boolean;
      }>(
        `SELECT id, version, executable FROM crm_wf_definition WHERE process_key = ?${input.version ? ' AND version = ?' : ''} ORDER BY version DESC LIMIT 1`,
        input.version ? [input.processKey, input.version] : [input.processKey],
      );
      if (!rows.length)
        throw new CrmError(
          ErrorCode.DefinitionNotFound,
          `no process definition "${input.processKey}"${input.version ? ` version ${input.version}` : ''}`,
          [{ path: input.version ? '/version' : '/processKey', message: 'not deployed' }],
        );
      const def = rows[0];
      if (!(Number(def.executable) === 1 || def.executable === true))
        throw new CrmError(
          ErrorCode.NotStartable,
          `${input.processKey} is not executable (isExecutable="false")`,
          [{ path: '/processKey', message: 'not executable' }],
        );
      if (input.record) {
        const rec = await this.deps.readRecord(ctx.tx, input.record.entity, input.record.id);
        if (!rec)
          throw new CrmError(
            ErrorCode.RecordNotFound,
            `${input.record.entity} ${input.record.id} does not exist`,
            [{ path: '/record', message: 'no such record' }],
          );
      }
      const step = await ctx.startInstance({
        definitionId: Number(def.id),
        processKey: input.processKey,
        version: Number(def.version),
        variables: input.variables ?? {},
        businessKey: input.businessKey ?? null,
        record: input.record ?? null,
      });
      return step;
    });
    return started.view();
  }

  /** Cancels an instance: anyone with `cancel` on Workflow, or its starter (withdrawing it). */
  async cancel(instanceId: number, actor: string, viewer?: WorkflowViewer): Promise<InstanceView> {
    if (viewer) await this.assertSees(this.db, instanceId, viewer);
    const step = await this.step(actor, async (ctx) => {
      const step = await ctx.load(instanceId);
      if (viewer && !viewer.cancelsAll && step.row.started_by !== viewer.login)
        throw viewer.deny(
          'cancel',
          'Workflow',
          `instance ${instanceId} was started by ${String(step.row.started_by)}; only its starter or a role with cancel on Workflow may cancel it`,
        );
      step.assertActive();
      await step.cancelAll('cancelled');
      return step;
    });
    return step.view();
  }

  async instances(
    filter: {
      state?: string;
      processKey?: string;
      record?: string;
      businessKey?: string;
      limit?: number;
    },
    viewer?: WorkflowViewer,
  ): Promise<InstanceView[]> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    if (viewer && !viewer.seesAll) {
      const v = instanceVisibleSql(viewer, 'i');
      where.push(v.sql);
      params.push(...v.params);
    }
    if (filter.state) {
      if (!['active', 'completed', 'terminated', 'cancelled'].includes(filter.state))
        throw bad('state', 'state is one of active, completed, terminated, cancelled');
      where.push('i.state = ?');
      params.push(filter.state);
    }
    if (filter.processKey) {
      where.push('i.process_key = ?');
      params.push(filter.processKey);
    }
    if (filter.businessKey) {
      where.push('i.business_key = ?');
      params.push(filter.businessKey);
    }
    if (filter.record) {
      const m = /^([A-Za-z_]\w*):(\d+)$/.exec(filter.record);
      if (!m) throw bad('record', 'record is written entity:id, e.g. quote:12');
      where.push('i.record_entity = ? AND i.record_id = ?');
      params.push(m[1], Number(m[2]));
    }
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
    const rows = await this.db.query<Parameters<typeof instanceView>[0]>(
      `SELECT i.* FROM crm_wf_instance i${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY i.id DESC LIMIT ${limit}`,
      params,
    );
    if (!rows.length) return [];
    // the tokens of the whole page in one query, not one per instance
    const ids = rows.map((r) => Number(r.id));
    const execs = await this.db.query<{ instance_id: number; element_id: string }>(
      `SELECT instance_id, element_id FROM crm_wf_execution WHERE instance_id IN (${ids.map(() => '?').join(', ')}) AND state <> 'listening' ORDER BY id`,
      ids,
    );
    return rows.map((r) =>
      instanceView(
        r,
        execs
          .filter((e) => Number(e.instance_id) === Number(r.id))
          .map((e) => ({ elementId: e.element_id })),
      ),
    );
  }

  /**
   * One instance, if the viewer may see it: one they may not answers exactly like a missing one,
   * so ids cannot be enumerated.
   */
  async instance(id: number, viewer?: WorkflowViewer): Promise<InstanceView> {
    const v = viewer && !viewer.seesAll ? instanceVisibleSql(viewer, 'i') : null;
    const [r] = await this.db.query<Parameters<typeof instanceView>[0]>(
      `SELECT i.* FROM crm_wf_instance i WHERE i.id = ?${v ? ` AND ${v.sql}` : ''}`,
      [id, ...(v?.params ?? [])],
    );
    if (!r) {
      if (viewer) await this.auditHidden(this.db, 'crm_wf_instance', id, viewer, `instance ${id}`);
      throw instanceNotFound(id);
    }
    const execs = await this.db.query<{ element_id: string }>(
      `SELECT element_id FROM crm_wf_execution WHERE instance_id = ? AND state <> 'listening' ORDER BY id`,
      [id],
    );
    return instanceView(
      r,
      execs.map((e) => ({ elementId: e.element_id })),
    );
  }

  async instanceHistory(
    id: number,
    viewer?: WorkflowViewer,
  ): Promise<Array<Record<string, unknown>>> {
    await this.instance(id, viewer);
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM crm_wf_history WHERE instance_id = ? ORDER BY id',
      [id],
    );
    return rows.map((r) => ({
      elementId: r.element_id ?? null,
      elementType: r.element_type,
      event: r.event,
      actor: r.actor ?? null,
      detail: r.detail ? JSON.parse(String(r.detail)) : null,
      at: fromDbTimestamp(r.at),
    }));
  }

  // ---- user tasks ---------------------------------------------------------------------------

  async completeTask(
    taskId: number,
    body: { variables?: Record<string, unknown>; version?: number },
    actor: string,
    viewer?: WorkflowViewer,
  ): Promise<InstanceView> {
    checkVariables(body.variables, '/variables', this.settings.maxVariablesBytes);
    const stepped = await this.step(actor, async (ctx) => {
      const first = await this.taskRow(ctx.tx, taskId, viewer);
      // lock the instance first (one lock order for every step), then decide on the task as it
      // is under that lock and complete it by version
      const step = await ctx.load(Number(first.instance_id));
      // a permission decision reads the task again under that lock; without one, the version
      // check of the update below is all the guard needed
      const task = viewer ? await this.taskRow(ctx.tx, taskId) : first;
      if (viewer) await this.assertMayWork(ctx.tx, task, viewer, 'complete');
      const version = body.version ?? Number(task.version);
      // the holder the decision was made for must still hold it: a claim committed since (claims
      // do not take the instance lock) makes this a conflict, whatever version the caller sent
      const holder =
        viewer && !viewer.worksAll
          ? { sql: ' AND (assignee IS NULL OR assignee = ?)', params: [viewer.login] }
          : { sql: '', params: [] };
      const done = await ctx.tx.execute(
        `UPDATE crm_wf_task SET state = 'completed', completed_at = ?, completed_by = ?, version = version + 1 WHERE id = ? AND version = ? AND state = 'created'${holder.sql}`,
        [toDbTimestamp(this.clock.now()), actor, taskId, version, ...holder.params],
      );
      if (done.affected === 0)
        throw new CrmError(
          ErrorCode.TaskConflict,
          `task ${taskId} was already completed or changed`,
          [{ path: '/version', message: 'stale or completed task' }],
        );
      // candidates are offered open tasks only; the decision stays in the task and history
      // (an assigned task without candidate lists has no rows: claiming drops the `open` one)
      if (task.candidate_groups || task.candidate_users || !task.assignee)
        await ctx.tx.execute('DELETE FROM crm_wf_task_candidate WHERE task_id = ?', [taskId]);
      const exec = step.execs.get(Number(task.execution_id));
      if (!exec) throw new Error(`task ${taskId} has no execution`);
      step.hist(String(task.element_id), 'UserTask', 'complete', body.variables);
      await step.guard(exec, () => step.completeActivity(exec, body.variables ?? {}));
      await step.drain();
      return step;
    });
    return stepped.view();
  }

  /** Takes an unassigned task (or confirms one already mine); someone else's is a 409. */
  async claim(taskId: number, actor: string, viewer?: WorkflowViewer): Promise<TaskView> {
    await this.db.transaction(async (tx) => {
      const task = await this.taskRow(tx, taskId, viewer);
      // a task someone else holds is a conflict (409), not a permission question
      if (viewer && (!task.assignee || task.state !== 'created'))
        await this.assertMayWork(tx, task, viewer, 'claim');
      const r = await tx.execute(
        `UPDATE crm_wf_task SET assignee = ?, version = version + 1 WHERE id = ? AND state = 'created' AND (assignee IS NULL OR assignee = ?)`,
        [actor, taskId, actor],
      );
      if (r.affected === 0)
        throw new CrmError(
          ErrorCode.TaskConflict,
          task.state !== 'created'
            ? `task ${taskId} is ${String(task.state)}`
            : `task ${taskId} is assigned to ${String(task.assignee)}`,
          [{ path: 'assignee', message: 'already claimed' }],
        );
      // a claimed task is no longer open to whoever sees its instance
      await tx.execute("DELETE FROM crm_wf_task_candidate WHERE task_id = ? AND kind = 'open'", [
        taskId,
      ]);
      await tx.execute(
        'INSERT INTO crm_wf_history (instance_id, element_id, element_type, event, actor, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [
          Number(task.instance_id),
          String(task.element_id),
          'UserTask',
          'claim',
          actor,
          null,
          toDbTimestamp(this.clock.now()),
        ],
      );
    });
    return this.task(taskId);
  }

  /** The task row; with a viewer, only a task they may see (else 404, like a missing one). */
  private async taskRow(
    tx: Db,
    taskId: number,
    viewer?: WorkflowViewer,
  ): Promise<Record<string, unknown>> {
    const v = viewer && !viewer.seesAll ? this.taskOrInstanceVisible(viewer) : null;
    const [task] = await tx.query<Record<string, unknown>>(
      `SELECT t.* FROM crm_wf_task t JOIN crm_wf_instance i ON i.id = t.instance_id WHERE t.id = ?${v ? ` AND ${v.sql}` : ''}`,
      [taskId, ...(v?.params ?? [])],
    );
    if (!task) {
      if (viewer) await this.auditHidden(tx, 'crm_wf_task', taskId, viewer, `task ${taskId}`);
      throw new CrmError(ErrorCode.TaskNotFound, `task ${taskId} not found`, [
        { path: 'id', message: 'not found' },
      ]);
    }
    return task;
  }

  /** A viewer asked for something that exists but is hidden from them: still a 404, but audited. */
  private async auditHidden(
    tx: Db,
    table: 'crm_wf_instance' | 'crm_wf_task',
    id: number,
    viewer: WorkflowViewer,
    what: string,
  ): Promise<void> {
    const [exists] = await tx.query(`SELECT id FROM ${table} WHERE id = ?`, [id]);
    if (exists)
      viewer.deny('read', 'Workflow', `${what} is not visible to you (answered as not found)`);
  }

  /** A single task is visible when the task is, or when its instance is (a record's approver chain). */
  private taskOrInstanceVisible(viewer: WorkflowViewer) {
    const t = taskVisibleSql(viewer, 't', 'i');
    const i = instanceVisibleSql(viewer, 'i');
    return { sql: `(${t.sql} OR ${i.sql})`, params: [...t.params, ...i.params] };
  }

  private async assertSees(tx: Db, instanceId: number, viewer: WorkflowViewer): Promise<void> {
    if (viewer.seesAll) {
      const [r] = await tx.query('SELECT id FROM crm_wf_instance WHERE id = ?', [instanceId]);
      if (!r) throw instanceNotFound(instanceId);
      return;
    }
    const v = instanceVisibleSql(viewer, 'i');
    const [r] = await tx.query(`SELECT i.id FROM crm_wf_instance i WHERE i.id = ? AND ${v.sql}`, [
      instanceId,
      ...v.params,
    ]);
    if (!r) throw instanceNotFound(instanceId);
  }

  private async assertMayWork(
    tx: Db,
    task: Record<string, unknown>,
    viewer: WorkflowViewer,
    action: 'claim' | 'complete',
  ): Promise<void> {
    const t = this.toTask(task);
    const verdict = mayWork(t, viewer, await this.instanceFacts(tx, t.instanceId, viewer));
    if (!verdict.ok)
      throw viewer.deny(
        action,
        'Workflow',
        `you may not ${action} task ${t.id}: ${verdict.reason}`,
      );
  }

  private async instanceFacts(
    tx: Db,
    instanceId: number,
    viewer: WorkflowViewer,
  ): Promise<TaskInstanceFacts> {
    const holds = async (where: { sql: string; params: SqlParam[] }) =>
      (
        await tx.query(`SELECT i.id FROM crm_wf_instance i WHERE i.id = ? AND ${where.sql}`, [
          instanceId,
          ...where.params,
        ])
      ).length > 0;
    return {
      seesInstance: viewer.seesAll || (await holds(instanceVisibleSql(viewer, 'i'))),
      readsRecord: await holds(recordReadableSql(viewer, 'i')),
      startedByViewer: await holds({ sql: 'i.started_by = ?', params: [viewer.login] }),
    };
  }

  async tasks(
    filter: {
      assignee?: string;
      candidateGroup?: string;
      candidateUser?: string;
      state?: string;
      processKey?: string;
      instanceId?: number;
      /** Only the tasks the viewer may see as a participant, even when they may see all. */
      mine?: boolean;
    },
    viewer?: WorkflowViewer,
  ): Promise<TaskView[]> {
    const where = ['1=1'];
    const params: SqlParam[] = [];
    let from = 'crm_wf_task t JOIN crm_wf_instance i ON i.id = t.instance_id';
    if (viewer && (!viewer.seesAll || filter.mine)) {
      // the viewer's tasks found by index lookups, never by testing every task; with no other
      // filter, each lookup stops at one page
      const alone =
        !filter.assignee &&
        !filter.processKey &&
        filter.instanceId === undefined &&
        !filter.candidateGroup &&
        !filter.candidateUser;
      const mine = visibleTasksSql(viewer, {
        state: filter.state || undefined,
        limit: alone ? TASK_PAGE : undefined,
      });
      from = `(${mine.sql}) v JOIN crm_wf_task t ON t.id = v.id JOIN crm_wf_instance i ON i.id = t.instance_id`;
      params.push(...mine.params);
    }
    const eq = (col: string, v: SqlParam | undefined) => {
      if (v === undefined || v === '') return;
      where.push(`${col} = ?`);
      params.push(v);
    };
    eq('t.assignee', filter.assignee);
    eq('t.state', filter.state);
    eq('i.process_key', filter.processKey);
    eq('t.instance_id', filter.instanceId);
    // candidates are kept while a task is open: these filters find open tasks offered to them
    for (const [kind, value] of [
      ['group', filter.candidateGroup],
      ['user', filter.candidateUser],
    ] as const) {
      if (!value) continue;
      const m = hasCandidateSql('t', kind, [value]);
      where.push(m.sql);
      params.push(...m.params);
    }
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT t.* FROM ${from} WHERE ${where.join(' AND ')} ORDER BY t.id LIMIT ${TASK_PAGE}`,
      params,
    );
    return rows.map((r) => this.toTask(r));
  }

  async task(id: number, viewer?: WorkflowViewer): Promise<TaskView> {
    return this.toTask(await this.taskRow(this.db, id, viewer));
  }

  private toTask(r: Record<string, unknown>): TaskView {
    return {
      id: Number(r.id),
      instanceId: Number(r.instance_id),
      elementId: String(r.element_id),
      name: (r.name as string) ?? null,
      assignee: (r.assignee as string) ?? null,
      candidateGroups: split(r.candidate_groups),
      candidateUsers: split(r.candidate_users),
      state: String(r.state),
      version: Number(r.version),
      createdAt: fromDbTimestamp(r.created_at),
    };
  }

  // ---- messages -----------------------------------------------------------------------------

  /** Publishes a message (messages.ts: Zeebe's correlation, buffering and idempotence). */
  async correlate(msg: PublishInput, actor: string): Promise<PublishResult> {
    checkVariables(msg.variables, '/variables', this.settings.maxVariablesBytes);
    return this.step(actor, (ctx) => publishMessage(ctx, msg, this.clock.now()));
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
  private async ownedJob(ctx: StepContext, jobId: number, owner: string): Promise<JobRow> {
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
        return step.taskContext(exec, step.node(job.element_id), String(job.type));
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
  }): Promise<LockedJob[]> {
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
        return {
          variables: exec ? step.scopeVars(exec) : step.vars,
          headers: step.node(job.element_id).headers,
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
    body: { workerId: string; variables?: Record<string, unknown> },
    actor: string,
  ): Promise<void> {
    checkVariables(body.variables, '/variables', this.settings.maxVariablesBytes);
    await this.finishJob(jobId, body.workerId, actor, async (step, exec, job) => {
      step.hist(job.element_id, step.node(job.element_id).type, 'job-complete', {
        workerId: body.workerId,
      });
      await step.guard(exec, () => step.completeActivity(exec, body.variables ?? {}));
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
    await this.finishJob(jobId, body.workerId, actor, async (step, exec) => {
      step.setVars(exec, body.variables);
      await step.guard(exec, () =>
        step.throwError(exec, body.errorCode, body.errorMessage ?? body.errorCode),
      );
    });
  }

  backoffMs = 1000;

  // ---- incidents ----------------------------------------------------------------------------

  async incidents(filter: {
    state?: string;
    instanceId?: number;
  }): Promise<Array<Record<string, unknown>>> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    where.push('state = ?');
    params.push(filter.state ?? 'open');
    if (filter.instanceId) {
      where.push('instance_id = ?');
      params.push(filter.instanceId);
    }
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT * FROM crm_wf_incident WHERE ${where.join(' AND ')} ORDER BY id LIMIT 500`,
      params,
    );
    return rows.map((r) => this.toIncident(r));
  }

  private toIncident(r: Record<string, unknown>): Record<string, unknown> {
    return {
      id: Number(r.id),
      instanceId: Number(r.instance_id),
      elementId: r.element_id ?? null,
      jobId: r.job_id === null ? null : Number(r.job_id),
      kind: r.kind,
      message: r.message,
      state: r.state,
      createdAt: fromDbTimestamp(r.created_at),
      resolvedAt: fromDbTimestamp(r.resolved_at),
      resolvedBy: r.resolved_by ?? null,
    };
  }

  /**
   * Retries an incident: a failed job gets its retries back and runs again; any other incident
   * re-runs its element (after the admin fixed the variables it failed on, if given).
   */
  async retryIncident(
    id: number,
    body: { retries?: number; variables?: Record<string, unknown> },
    actor: string,
  ): Promise<Record<string, unknown>> {
    checkVariables(body.variables, '/variables', this.settings.maxVariablesBytes);
    await this.step(actor, async (ctx) => {
      const [inc] = await ctx.tx.query<Record<string, unknown>>(
        'SELECT * FROM crm_wf_incident WHERE id = ?',
        [id],
      );
      if (!inc)
        throw new CrmError(ErrorCode.IncidentNotFound, `incident ${id} not found`, [
          { path: 'id', message: 'not found' },
        ]);
      const step = await ctx.load(Number(inc.instance_id));
      const [fresh] = await ctx.tx.query<{ state: string }>(
        'SELECT state FROM crm_wf_incident WHERE id = ?',
        [id],
      );
      if (fresh.state !== 'open')
        throw new CrmError(ErrorCode.IncidentResolved, `incident ${id} is already resolved`, [
          { path: 'id', message: 'resolved' },
        ]);
      await ctx.tx.execute(
        `UPDATE crm_wf_incident SET state = 'resolved', resolved_at = ?, resolved_by = ? WHERE id = ?`,
        [toDbTimestamp(this.clock.now()), actor, id],
      );
      step.openIncidents--;
      const exec = step.execs.get(Number(inc.execution_id));
      if (body.variables) step.setVars(exec ?? null, body.variables);
      if (!exec) return;
      step.hist(exec.elementId, step.node(exec.elementId).type, 'retry');
      if (inc.job_id !== null) {
        await ctx.tx.execute(
          `UPDATE crm_wf_job SET state = 'ready', retries = ?, due_at = ?, lock_owner = NULL, lock_expires_at = NULL WHERE id = ?`,
          [body.retries ?? 1, toDbTimestamp(this.clock.now()), Number(inc.job_id)],
        );
        exec.state = 'waiting';
        step.touch(exec);
        return;
      }
      exec.state = 'ready';
      step.touch(exec);
      await step.drain([exec]);
    });
    const [r] = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM crm_wf_incident WHERE id = ?',
      [id],
    );
    return this.toIncident(r);
  }

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
      createdAt: fromDbTimestamp(r.created_at),
      readAt: fromDbTimestamp(r.read_at),
    }));
  }
}
