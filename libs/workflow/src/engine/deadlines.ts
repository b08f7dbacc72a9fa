import {
  CrmError,
  ErrorCode,
  fromDbTimestamp,
  parseBusinessDuration,
  toDbTimestamp,
} from '@crm/common';
import {
  type WorkingCalendar,
  addBusinessTime,
  resolveCalendar,
  subtractBusinessTime,
} from '@crm/metadata';
import {
  type TaskRow,
  actorsOf,
  membersOf,
  reassign,
  taskById,
  updateTask,
} from '../approvals/task-rows';
import { type OverdueAction, readDeadlineHeaders } from './deadline-headers';
import type { EngineService, JobRow } from './engine.service';
import { StepIncident } from './expressions';
import type { GraphNode } from './process-graph';
import type { Exec, InstanceStep } from './step';
import { candidateRows, insertCandidates } from './task-candidates';

/**
 * Task deadlines on a business calendar (headers in deadline-headers.ts, README "Deadlines").
 *
 *   user task created ──► scheduleTaskDeadline   due_at = now + deadline on the calendar
 *                                                 (TASK_DEFAULT_DEADLINE without a header)
 *                            │                    job `deadline/remind` at due − remindBefore
 *                            ▼                    job `deadline/overdue` at due (with onOverdue)
 *                      crm_wf_job (kind deadline, execution_id = the task's token)
 *                            │   a return or withdraw cancels the token: its jobs go with it
 *                            ▼
 *          job executor ──► fireDeadline          exactly once across nodes, like timers: the
 *                                                 job is claimed, then handled under the
 *                                                 instance lock in one step
 *
 * Firing: `remind` notifies whoever can act now (kind reminder) and, when overdue, comes back
 * every working day until the task is decided; `escalate` hands the task to the assignee's
 * supervisor (or to a role's members) and notifies them (kind escalation); `approve` / `reject`
 * decide through the approval actions as `system`. Each firing is a history row. A job whose task
 * was decided, handed on as another task, or cancelled meanwhile does nothing.
 */
export const DEADLINE_JOB = 'deadline';
type DeadlineJobType = 'remind' | 'overdue';

/** Who deadline firings are recorded as. */
export const SYSTEM_ACTOR = 'system';
/** Where an escalation goes when there is nobody above the assignee (onEmpty's `admin` too). */
const ADMIN_ROLE = 'admin';

interface DeadlinePayload {
  taskId: number;
  /** The calendar the due time was computed on (FEEL evaluated at creation); null = plain. */
  calendar: string | null;
}

export interface DeadlinePlan {
  due: Date;
  remindAt: Date | null;
  onOverdue: OverdueAction | null;
  calendar: WorkingCalendar | null;
}

/** The due time, reminder and overdue action of a task about to be offered on `node`. */
export function planTaskDeadline(s: InstanceStep, exec: Exec, node: GraphNode): DeadlinePlan {
  const h = readDeadlineHeaders(node.headers);
  const vars = h.deadline || h.calendar || h.remindBefore ? s.scopeVars(exec) : {};
  const text = (raw: string, header: string): string => {
    const v = s.attr(raw, vars, node.id);
    if (typeof v !== 'string' || !v.trim())
      throw new StepIncident('deadline', `${node.id}: header ${header} gave ${JSON.stringify(v)}`);
    return v;
  };
  const duration = (raw: string, header: string) => {
    const d = parseBusinessDuration(text(raw, header));
    if ('message' in d) throw new StepIncident('deadline', `${node.id}: ${header} ${d.message}`);
    return d;
  };
  const calendarName = h.calendar ? text(h.calendar, 'calendar').trim() : null;
  const calendar = resolveCalendar(s.deps.documents(), calendarName);
  if (calendar === undefined)
    throw new StepIncident(
      'deadline',
      `${node.id}: calendar "${calendarName}" is not a calendar document`,
    );
  const deadline = h.deadline
    ? duration(h.deadline, 'deadline')
    : s.deps.settings.taskDefaultDeadline;
  const now = s.deps.now();
  try {
    const due = addBusinessTime(calendar, now, deadline.amount, deadline.unit);
    let remindAt: Date | null = null;
    if (h.remindBefore) {
      const before = duration(h.remindBefore, 'remindBefore');
      remindAt = subtractBusinessTime(calendar, due, before.amount, before.unit);
      // a deadline shorter than the reminder's lead: the assignment itself is the reminder
      if (remindAt <= now) remindAt = null;
    }
    return { due, remindAt, onOverdue: h.onOverdue, calendar };
  } catch (e) {
    if (e instanceof RangeError) throw new StepIncident('deadline', `${node.id}: ${e.message}`);
    throw e;
  }
}

/**
 * Gives a task just inserted on `exec` its due time and deadline jobs. A deadline that cannot be
 * computed (a FEEL header failing, an unknown calendar) takes the task back out and raises an
 * incident on the token: retrying the incident creates the task again, once.
 */
export async function scheduleTaskDeadline(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
  taskId: number,
): Promise<void> {
  let plan: DeadlinePlan;
  try {
    plan = planTaskDeadline(s, exec, node);
  } catch (e) {
    if (e instanceof StepIncident) {
      await s.tx.execute('DELETE FROM crm_wf_task_candidate WHERE task_id = ?', [taskId]);
      await s.tx.execute('DELETE FROM crm_wf_task WHERE id = ?', [taskId]);
    }
    throw e;
  }
  await s.tx.execute('UPDATE crm_wf_task SET due_at = ? WHERE id = ?', [
    toDbTimestamp(plan.due),
    taskId,
  ]);
  await scheduleDeadlineJobs(s, exec, node, taskId, plan);
}

/**
 * The reminder and overdue jobs of a task whose row already carries `plan.due`: a node's own task
 * is planned (planTaskDeadline) before its row is written, so the row needs no UPDATE after it.
 */
export async function scheduleDeadlineJobs(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
  taskId: number,
  plan: DeadlinePlan,
): Promise<void> {
  const payload: DeadlinePayload = { taskId, calendar: plan.calendar?.name ?? null };
  if (plan.remindAt) await insertJob(s, exec, node.id, 'remind', plan.remindAt, payload);
  if (plan.onOverdue) await insertJob(s, exec, node.id, 'overdue', plan.due, payload);
}

async function insertJob(
  s: InstanceStep,
  exec: Exec,
  elementId: string,
  type: DeadlineJobType,
  due: Date,
  payload: DeadlinePayload,
): Promise<void> {
  await s.tx.execute(
    `INSERT INTO crm_wf_job (kind, type, definition_id, instance_id, execution_id, element_id, due_at, retries, attempts, state, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 3, 0, 'ready', ?, ?)`,
    [
      DEADLINE_JOB,
      type,
      s.row.definition_id,
      s.id,
      await s.idOf(exec),
      elementId,
      toDbTimestamp(due),
      JSON.stringify(payload),
      s.now(),
    ],
  );
}

// ---- firing -------------------------------------------------------------------------------------

/**
 * Fires a deadline job this node acquired. Reminders and escalations are handled and the job
 * deleted in one step under the instance's lock, so each fires once however many nodes run
 * executors. An auto-decision (`approve` / `reject`) goes through the approval actions, which run
 * their own step: the job is deleted only after the decision committed (or the task turned out to
 * be decided already), so a node dying in between leaves it to another node, which finds the task
 * decided and does nothing.
 */
export async function fireDeadline(
  engine: EngineService,
  jobId: number,
  owner: string,
): Promise<void> {
  const decide = await engine.step(SYSTEM_ACTOR, async (ctx) => {
    let job: JobRow;
    try {
      job = await engine.ownedJob(ctx, jobId, owner);
    } catch (e) {
      if (e instanceof CrmError) return null; // done by another node, or cancelled meanwhile
      throw e;
    }
    const s = ctx.steps.get(Number(job.instance_id));
    const payload = JSON.parse(job.payload ?? '{}') as DeadlinePayload;
    const task = await taskById(ctx.tx, Number(payload.taskId));
    const exec = task && s?.execs.get(task.execution_id);
    const action =
      job.type === 'remind' ? null : readDeadlineHeaders(s!.node(job.element_id).headers).onOverdue;
    // decided, handed on, withdrawn: nothing to do (a task waiting for its before-signers is not
    // open either, and is not reminded)
    const live = !!s && !s.ended && s.row.state === 'active' && task?.state === 'created' && !!exec;
    if (live && (action?.kind === 'approve' || action?.kind === 'reject'))
      return { taskId: task.id, action: action.kind };
    await ctx.tx.execute('DELETE FROM crm_wf_job WHERE id = ?', [jobId]);
    if (!live) return null;
    const node = s.node(task.element_id);
    if (job.type === 'remind') await remind(s, node, task, 'dueSoon');
    else if (action?.kind === 'remind') {
      await remind(s, node, task, 'overdue');
      // again every working day until the task is decided
      const calendar = resolveCalendar(s.deps.documents(), payload.calendar) ?? null;
      const due = Date.parse(fromDbTimestamp(job.due_at)!);
      const from = new Date(Math.max(due, engine.clock.now().getTime()));
      const next = addBusinessTime(calendar, from, 1, 'workingDays');
      await insertJob(s, exec, node.id, 'overdue', next, payload);
    } else if (action?.kind === 'escalate') await escalate(s, node, task, action.role);
    return null;
  });
  if (!decide) return;
  try {
    await engine.act(decide.taskId, { action: decide.action, comment: 'overdue' }, SYSTEM_ACTOR);
  } catch (e) {
    const done =
      e instanceof CrmError &&
      (e.code === ErrorCode.TaskConflict ||
        e.code === ErrorCode.TaskNotFound ||
        e.code === ErrorCode.InstanceNotActive);
    if (!done) {
      // the node refuses the decision: an incident on the task's token an admin can retry
      await engine.failJob(
        jobId,
        { workerId: owner, retries: 0, errorMessage: (e as Error).message },
        SYSTEM_ACTOR,
      );
      return;
    }
  }
  await engine.db.execute('DELETE FROM crm_wf_job WHERE id = ? AND lock_owner = ?', [jobId, owner]);
}

async function remind(
  s: InstanceStep,
  node: GraphNode,
  task: TaskRow,
  reason: 'dueSoon' | 'overdue',
): Promise<void> {
  const to = await actorsOf(s.tx, task);
  s.hist(node.id, node.type, 'remind', { taskId: task.id, reason, userIds: to });
  await s.deps.notifier.notify(s.tx, {
    kind: 'reminder',
    to,
    instanceId: s.id,
    taskId: task.id,
    actor: SYSTEM_ACTOR,
    data: { reason },
  });
}

/**
 * Hands an overdue task on: to the assignee's supervisor, or with `escalate:<role>` to the role's
 * members as candidates. A task nobody holds, or whose assignee has no active supervisor, goes to
 * the `admin` role, so someone can always act on it.
 */
async function escalate(
  s: InstanceStep,
  node: GraphNode,
  task: TaskRow,
  role: string | null,
): Promise<void> {
  const from = task.assignee;
  let supervisor: string | null = null;
  if (!role && from) {
    const [row] = await s.tx.query<{ login: string }>(
      'SELECT s.login FROM crm_user u JOIN crm_user s ON s.id = u.supervisor_id WHERE u.login = ? AND s.active = ?',
      [from, 1],
    );
    supervisor = row ? String(row.login) : null;
  }
  const group = supervisor ? null : (role ?? ADMIN_ROLE);
  if (supervisor) await reassign(s.tx, task, supervisor, task.owner);
  else {
    await updateTask(s.tx, task, {
      assignee: null,
      candidate_groups: group,
      candidate_users: null,
    });
    await s.tx.execute('DELETE FROM crm_wf_task_candidate WHERE task_id = ?', [task.id]);
    await insertCandidates(s.tx, candidateRows(task.id, null, group, null));
  }
  const to = supervisor ? [supervisor] : await membersOf(s.tx, [group!]);
  s.hist(node.id, node.type, 'escalate', {
    taskId: task.id,
    from,
    ...(supervisor ? { to: supervisor } : { toRole: group }),
    ...(!supervisor && !role && { reason: from ? 'no supervisor' : 'no assignee' }),
    userIds: to,
  });
  await s.deps.notifier.notify(s.tx, {
    kind: 'escalation',
    to,
    instanceId: s.id,
    taskId: task.id,
    actor: SYSTEM_ACTOR,
    data: { from },
  });
}
