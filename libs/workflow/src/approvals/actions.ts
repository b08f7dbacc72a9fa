import { CrmError, type Db, ErrorCode, toDbTimestamp } from '@crm/common';
import type { EngineCore } from '../engine/engine-core';
import type { InstanceView } from '../engine/instance-view';
import type { GraphNode } from '../engine/process-graph';
import type { Exec, InstanceStep } from '../engine/step';
import { checkVariables } from '../engine/variables';
import { type WorkflowViewer, mayWork } from '../engine/visibility';
import { type ActionInput, parseActionInput } from './action-input';
import { addSigners, ccUsers, delegateTask, transferTask } from './signers';
import { resubmit, returnTask } from './returns';
import { approvalSettings } from './settings';
import { checkTaskVariables } from './task-form';
import {
  type TaskRow,
  actorsOf,
  closeTask,
  conflict,
  dropTask,
  liveTasksOf,
  openTask,
  reassign,
  taskById,
} from './task-rows';

export interface ActionResult {
  taskId: number;
  action: string;
  instance: InstanceView;
}

/** Everything one action handler works with, under the instance's lock. */
export interface ActionContext {
  core: EngineCore;
  s: InstanceStep;
  task: TaskRow;
  exec: Exec;
  node: GraphNode;
  input: ActionInput;
  actor: string;
  /** The history detail every action records (task, comment, attachments, override). */
  detail: Record<string, unknown>;
}

/**
 * The approval actions on a task (`POST /api/tasks/:id/actions`): each runs in one step under
 * the instance lock, is allowed only to a current assignee or candidate (an `operate` override
 * is audited), and is recorded in the instance history with actor, time, comment and
 * attachments. Flow-bending actions (return, resubmit) use the instance-modification primitive
 * in returns.ts / modify.ts; signers, delegation and CC are in signers.ts.
 */
export class ApprovalActions {
  constructor(private readonly core: EngineCore) {}

  async act(
    taskId: number,
    body: unknown,
    actor: string,
    viewer?: WorkflowViewer,
  ): Promise<ActionResult> {
    const input = parseActionInput(body);
    checkVariables(input.variables, '/variables', this.core.settings.maxVariablesBytes);
    await this.checkReferences(input);
    return this.core.step(actor, async (ctx) => {
      const first = await this.visibleTask(ctx.tx, taskId, viewer);
      const s = await ctx.load(first.instance_id);
      // under the instance lock: the task as it is now (READ COMMITTED on MySQL)
      const task = await taskById(ctx.tx, taskId);
      if (!task) throw conflict(taskId, 'was decided or cancelled meanwhile');
      if (task.state !== 'created')
        throw conflict(
          taskId,
          task.state === 'completed'
            ? `is already ${task.outcome ?? 'completed'}`
            : `is ${task.state}`,
        );
      s.assertActive();
      const override = viewer ? await this.assertMayAct(ctx.tx, s, task, viewer, input) : false;
      const exec = s.execs.get(task.execution_id);
      if (!exec) throw new Error(`task ${taskId} has no execution`);
      const node = s.node(task.element_id);
      this.assertAllowed(task, node, input);
      const detail: Record<string, unknown> = {
        taskId,
        ...(input.comment && { comment: input.comment }),
        ...(input.attachments.length && { attachments: input.attachments }),
        ...(override && { override: true }),
        ...(!viewer && { system: true }),
      };
      const c: ActionContext = { core: this.core, s, task, exec, node, input, actor, detail };
      await this.run(c);
      if (override) await this.audit(ctx.tx, actor, taskId, input.action);
      await s.drain();
      return { taskId, action: input.action, instance: s.view() };
    });
  }

  /** Many approvals or rejections at once: each task on its own, each outcome reported. */
  async bulk(
    body: unknown,
    actor: string,
    viewer?: WorkflowViewer,
  ): Promise<{ results: Array<Record<string, unknown>> }> {
    const b = (body ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(b))
      if (!['taskIds', 'action', 'comment'].includes(k))
        throw new CrmError(ErrorCode.BadRequest, `${k} is not a property`, [
          { path: `/${k}`, message: 'is not a property' },
        ]);
    const ids = b.taskIds;
    if (
      !Array.isArray(ids) ||
      !ids.length ||
      ids.length > 200 ||
      !ids.every((i) => Number.isSafeInteger(i) && i > 0)
    )
      throw new CrmError(ErrorCode.BadRequest, 'taskIds must list 1 to 200 task ids', [
        { path: '/taskIds', message: 'must list 1 to 200 task ids' },
      ]);
    if (b.action !== 'approve' && b.action !== 'reject')
      throw new CrmError(ErrorCode.BadRequest, 'bulk actions are approve or reject', [
        { path: '/action', message: 'must be approve or reject' },
      ]);
    const results: Array<Record<string, unknown>> = [];
    for (const id of new Set(ids as number[])) {
      try {
        const r = await this.act(id, { action: b.action, comment: b.comment }, actor, viewer);
        results.push({ taskId: id, ok: true, status: 200, instanceId: r.instance.id });
      } catch (e) {
        if (!(e instanceof CrmError)) throw e;
        results.push({ taskId: id, ok: false, status: e.status, code: e.code, message: e.message });
      }
    }
    return { results };
  }

  private async run(c: ActionContext): Promise<void> {
    const { s, node, input, task } = c;
    switch (input.action) {
      case 'approve':
      case 'reject':
        return this.decide(c, input.action);
      case 'comment':
        s.hist(node.id, node.type, 'comment', c.detail);
        return;
      case 'delegate':
        return delegateTask(c);
      case 'transfer':
        return transferTask(c);
      case 'addSigner':
        return addSigners(c);
      case 'cc':
        return ccUsers(s, input.userIds, node.id, c.detail, input.comment);
      case 'return':
        return returnTask(c);
      case 'resubmit':
        if (task.kind !== 'resubmit')
          throw new CrmError(
            ErrorCode.ActionNotAllowed,
            'only a returned submission is resubmitted',
            [{ path: '/action', message: 'not a resubmission task' }],
          );
        return resubmit(c);
    }
  }

  /**
   * approve / reject. A delegate's decision is an opinion: the task goes back to whoever
   * delegated it. A before-signer's approval hands the task back to its holder; the node's own
   * approval opens its after-signers; the token completes when nobody on it is left to decide. A
   * rejection by anyone on the node decides it.
   */
  private async decide(c: ActionContext, decision: 'approve' | 'reject'): Promise<void> {
    const { s, task, exec, node, input, actor } = c;
    checkTaskVariables(s.graph, node, input.variables);
    s.hist(node.id, node.type, decision, {
      ...c.detail,
      ...(task.owner && { onBehalfOf: task.owner }),
    });
    if (task.owner) {
      await reassign(s.tx, task, task.owner, null);
      await this.core.notifier.notify(s.tx, {
        kind: 'assignment',
        to: [task.owner],
        instanceId: s.id,
        taskId: task.id,
        actor,
        comment: input.comment,
        data: { taskName: task.name, delegateDecision: decision },
      });
      return;
    }
    await closeTask(s, task, decision, actor);
    const live = await liveTasksOf(s.tx, s, exec.id);
    if (decision === 'reject') {
      for (const t of live) await dropTask(s.tx, t);
      return this.complete(c, 'reject');
    }
    if (task.kind === 'before') {
      const waiting = live.filter(
        (t) => t.kind === 'before' && t.parent_task_id === task.parent_task_id,
      );
      const holder = live.find((t) => t.id === task.parent_task_id);
      if (!waiting.length && holder) {
        await openTask(s, holder);
        await this.core.notifier.notify(s.tx, {
          kind: 'assignment',
          to: await actorsOf(s.tx, holder),
          instanceId: s.id,
          taskId: holder.id,
          actor,
          data: { taskName: holder.name },
        });
      }
      return;
    }
    // the after-signers of this task get their turn
    for (const t of live.filter((x) => x.parent_task_id === task.id && x.state === 'pending')) {
      await openTask(s, t);
      await this.core.notifier.notify(s.tx, {
        kind: 'assignment',
        to: await actorsOf(s.tx, t),
        instanceId: s.id,
        taskId: t.id,
        actor,
        data: { taskName: t.name },
      });
    }
    // the token completes once nobody on it is left to decide
    if (live.length) return;
    return this.complete(c, 'approve');
  }

  /** The token's work is decided: the activity completes with `decision` (and the variables). */
  private async complete(c: ActionContext, decision: 'approve' | 'reject'): Promise<void> {
    const { s, exec, input } = c;
    // the decider's comment goes with the decision, for the flows after it (a rejection notice)
    const vars = { ...input.variables, decision, ...(input.comment && { comment: input.comment }) };
    await s.guard(exec, () => s.completeActivity(exec, vars));
  }

  /** Only an assignee or candidate acts; `operate` on Workflow overrides (returns true then). */
  private async assertMayAct(
    tx: Db,
    s: InstanceStep,
    task: TaskRow,
    viewer: WorkflowViewer,
    input: ActionInput,
  ): Promise<boolean> {
    const participant = { ...viewer, worksAll: false } as WorkflowViewer;
    const assignment = {
      assignee: task.assignee,
      candidateUsers: split(task.candidate_users),
      candidateGroups: split(task.candidate_groups),
    };
    const facts = {
      seesInstance: true,
      readsRecord: await this.readsRecord(tx, s, viewer),
      startedByViewer: s.row.started_by === viewer.login,
    };
    // an unassigned task with no candidates is open to whoever sees the instance; the CC'd do not
    // count as seeing it for work
    if (!task.assignee && !assignment.candidateUsers.length && !assignment.candidateGroups.length)
      facts.seesInstance = s.row.started_by === viewer.login || facts.readsRecord;
    const own = mayWork(assignment, participant, facts);
    if (own.ok) return false;
    if (viewer.worksAll) return true;
    throw viewer.deny(
      input.action,
      'Workflow',
      `you may not ${input.action} task ${task.id}: ${own.reason}`,
    );
  }

  private async readsRecord(tx: Db, s: InstanceStep, viewer: WorkflowViewer): Promise<boolean> {
    if (!s.row.record_entity) return true;
    const where = viewer.readableRecords('i');
    if (!where) return false;
    const rows = await tx.query(
      `SELECT i.id FROM crm_wf_instance i WHERE i.id = ? AND ${where.sql}`,
      [s.id, ...where.params],
    );
    return rows.length > 0;
  }

  private assertAllowed(task: TaskRow, node: GraphNode, input: ActionInput): void {
    if (task.kind === 'resubmit') {
      if (!['resubmit', 'comment', 'cc'].includes(input.action))
        throw notAllowed(input.action, 'a returned submission is resubmitted (or withdrawn)');
      return;
    }
    if (input.action === 'resubmit') return;
    const st = approvalSettings(node);
    if (!st.actions.has(input.action))
      throw notAllowed(input.action, `node ${node.id} allows ${[...st.actions].join(', ')}`);
    if (task.kind && ['return', 'addSigner', 'delegate', 'transfer'].includes(input.action))
      throw notAllowed(input.action, `an added signer (${task.kind}) approves or rejects`);
  }

  /** Users exist and are active; attachments are uploaded files. */
  private async checkReferences(input: ActionInput): Promise<void> {
    const db = this.core.db;
    if (input.userIds.length) {
      const rows = await db.query<{ login: string }>(
        `SELECT login FROM crm_user WHERE active = 1 AND login IN (${input.userIds.map(() => '?').join(', ')})`,
        input.userIds,
      );
      const known = new Set(rows.map((r) => String(r.login)));
      const missing = input.userIds.filter((u) => !known.has(u));
      if (missing.length)
        throw new CrmError(
          ErrorCode.BadRequest,
          `no active user ${missing.join(', ')}`,
          missing.map((u) => ({
            path: `/userIds/${input.userIds.indexOf(u)}`,
            message: `no active user ${u}`,
          })),
        );
    }
    if (input.attachments.length) {
      const rows = await db.query<{ id: string }>(
        `SELECT id FROM crm_file WHERE id IN (${input.attachments.map(() => '?').join(', ')})`,
        input.attachments,
      );
      const known = new Set(rows.map((r) => String(r.id)));
      const missing = input.attachments.filter((a) => !known.has(a));
      if (missing.length)
        throw new CrmError(
          ErrorCode.BadRequest,
          `no uploaded file ${missing.join(', ')}`,
          missing.map((a) => ({
            path: `/attachments/${input.attachments.indexOf(a)}`,
            message: 'no such file',
          })),
        );
    }
  }

  /** The task, if the viewer may see it (else 404, like a missing one). */
  private async visibleTask(tx: Db, taskId: number, viewer?: WorkflowViewer): Promise<TaskRow> {
    const v = viewer && !viewer.seesAll ? this.core.taskOrInstanceVisible(viewer) : null;
    const [row] = await tx.query<{ id: number }>(
      `SELECT t.id FROM crm_wf_task t JOIN crm_wf_instance i ON i.id = t.instance_id WHERE t.id = ?${v ? ` AND ${v.sql}` : ''}`,
      [taskId, ...(v?.params ?? [])],
    );
    const task = row ? await taskById(tx, taskId) : null;
    if (!task) {
      if (viewer) await this.core.auditHidden(tx, 'crm_wf_task', taskId, viewer, `task ${taskId}`);
      throw new CrmError(ErrorCode.TaskNotFound, `task ${taskId} not found`, [
        { path: 'id', message: 'not found' },
      ]);
    }
    return task;
  }

  private async audit(tx: Db, actor: string, taskId: number, action: string): Promise<void> {
    await tx.execute(
      'INSERT INTO crm_audit (at, actor, action, subject, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)',
      [
        toDbTimestamp(this.core.clock.now()),
        actor,
        `workflow.override.${action}`.slice(0, 64),
        `task ${taskId}`,
        'ok',
        JSON.stringify({ reason: 'operate on Workflow: acted on a task that was not theirs' }),
      ],
    );
  }
}

const split = (v: string | null): string[] =>
  (v ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export const notAllowed = (action: string, why: string) =>
  new CrmError(ErrorCode.ActionNotAllowed, `${action} is not allowed here: ${why}`, [
    { path: '/action', message: why },
  ]);
