import {
  CrmError,
  type Db,
  ErrorCode,
  type SqlParam,
  fromDbTimestamp,
  toDbTimestamp,
} from '@crm/common';
import { checkTaskVariables } from '../approvals/task-form';
import { type EngineCore } from './engine-core';
import { type DueFilter, type DueState, dueSql, dueState } from './due-state';
import { type InstanceView } from './instance-view';
import { checkVariables } from './variables';
import {
  type TaskInstanceFacts,
  type WorkflowViewer,
  instanceVisibleSql,
  hasCandidateSql,
  mayWork,
  recordReadableSql,
  visibleTasksSql,
} from './visibility';
import { priorityOf } from './task-priority';

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
  /** When it is due (deadlines.ts) and where it stands against that (due-state.ts). */
  dueAt: string | null;
  dueState: DueState | null;
  /**
   * Approvals: a signer added to someone's task (before / after / along), or the initiator's
   * returned submission (resubmit); null for the node's own task. Decides what the task offers.
   */
  kind: string | null;
  /** Who delegated it: the task comes back to them after the delegate's opinion. */
  owner: string | null;
  /** zeebe:priorityDefinition, 0 (lowest) to 100; 50 when the diagram sets none. */
  priority: number;
}

/** Tasks per list answer. */
const TASK_PAGE = 500;
const split = (v: unknown): string[] =>
  v
    ? String(v)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/** User tasks: the inbox, claiming and completing (decisions under the instance lock). */
export class TaskOps {
  constructor(private readonly core: EngineCore) {}

  async completeTask(
    taskId: number,
    body: { variables?: Record<string, unknown>; version?: number },
    actor: string,
    viewer?: WorkflowViewer,
  ): Promise<InstanceView> {
    checkVariables(body.variables, '/variables', this.core.settings.maxVariablesBytes);
    const stepped = await this.core.step(actor, async (ctx) => {
      // a viewer who may not see every task learns of a hidden one what of a missing one (404)
      if (viewer && !viewer.seesAll) await this.taskRow(ctx.tx, taskId, viewer);
      // the instance locked and the task read under that lock, in one round trip; the decision
      // is made on the task as it is now, and the update below completes it by version
      const locked = await ctx.loadByTask(taskId);
      if (!locked) throw await this.notFound(ctx.tx, taskId, viewer);
      const { step, task } = locked;
      if (viewer) await this.assertMayWork(ctx.tx, task, viewer, 'complete');
      // signers' and resubmission tasks end through their actions (approvals/actions.ts)
      if (task.kind)
        throw new CrmError(
          ErrorCode.ActionNotAllowed,
          `task ${taskId} is a ${String(task.kind)} task: use POST /api/tasks/${taskId}/actions`,
          [{ path: 'id', message: 'decided by an action' }],
        );
      checkTaskVariables(step.graph, step.node(String(task.element_id)), body.variables ?? {});
      const version = body.version ?? Number(task.version);
      // the holder the decision was made for must still hold it: a claim committed since (claims
      // do not take the instance lock) makes this a conflict, whatever version the caller sent
      const holder =
        viewer && !viewer.worksAll
          ? { sql: ' AND (assignee IS NULL OR assignee = ?)', params: [viewer.login] }
          : { sql: '', params: [] };
      const done = await ctx.tx.execute(
        `UPDATE crm_wf_task SET state = 'completed', completed_at = ?, completed_by = ?, version = version + 1 WHERE id = ? AND version = ? AND state = 'created'${holder.sql}`,
        [toDbTimestamp(this.core.clock.now()), actor, taskId, version, ...holder.params],
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
    await this.core.db.transaction(async (tx) => {
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
          toDbTimestamp(this.core.clock.now()),
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
    const v = viewer && !viewer.seesAll ? this.core.taskOrInstanceVisible(viewer) : null;
    const [task] = await tx.query<Record<string, unknown>>(
      `SELECT t.* FROM crm_wf_task t JOIN crm_wf_instance i ON i.id = t.instance_id WHERE t.id = ?${v ? ` AND ${v.sql}` : ''}`,
      [taskId, ...(v?.params ?? [])],
    );
    if (!task) throw await this.notFound(tx, taskId, viewer);
    return task;
  }

  /** The 404 of a missing or hidden task (a viewer's look at a hidden one is audited). */
  private async notFound(tx: Db, taskId: number, viewer?: WorkflowViewer): Promise<CrmError> {
    if (viewer) await this.core.auditHidden(tx, 'crm_wf_task', taskId, viewer, `task ${taskId}`);
    return new CrmError(ErrorCode.TaskNotFound, `task ${taskId} not found`, [
      { path: 'id', message: 'not found' },
    ]);
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
      // the CC'd see an instance read-only: it does not open its tasks to them
      seesInstance:
        viewer.seesAll || (await holds(instanceVisibleSql(viewer, 'i', { withCc: false }))),
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
      /** Open tasks due within TASK_DUE_SOON_HOURS, or past due. */
      due?: DueFilter;
    },
    viewer?: WorkflowViewer,
  ): Promise<TaskView[]> {
    const where = ['1=1'];
    const params: SqlParam[] = [];
    // the instance is joined only when a filter or the viewer's visibility reads it (instance
    // rows are never deleted, so the join drops no task)
    let from = filter.processKey
      ? 'crm_wf_task t JOIN crm_wf_instance i ON i.id = t.instance_id'
      : 'crm_wf_task t';
    if (viewer && (!viewer.seesAll || filter.mine)) {
      // the viewer's tasks found by index lookups, never by testing every task; with no other
      // filter, each lookup stops at one page
      const alone =
        !filter.assignee &&
        !filter.processKey &&
        filter.instanceId === undefined &&
        !filter.candidateGroup &&
        !filter.candidateUser &&
        !filter.due;
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
    if (filter.due) {
      const d = dueSql(filter.due, this.core.clock.now(), this.core.settings.taskDueSoonHours);
      where.push(d.sql);
      params.push(...d.params);
    }
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
    const rows = await this.core.db.query<Record<string, unknown>>(
      `SELECT t.* FROM ${from} WHERE ${where.join(' AND ')} ORDER BY t.id LIMIT ${TASK_PAGE}`,
      params,
    );
    return rows.map((r) => this.toTask(r));
  }

  async task(id: number, viewer?: WorkflowViewer): Promise<TaskView> {
    return this.toTask(await this.taskRow(this.core.db, id, viewer));
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
      dueAt: fromDbTimestamp(r.due_at),
      dueState: dueState(
        fromDbTimestamp(r.due_at),
        String(r.state),
        this.core.clock.now(),
        this.core.settings.taskDueSoonHours,
      ),
      kind: (r.kind as string) ?? null,
      owner: (r.owner as string) ?? null,
      priority: priorityOf(r.priority),
    };
  }
}
