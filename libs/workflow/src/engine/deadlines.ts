import {
  CrmError,
  type Db,
  toDbTimestamp,
  fromDbTimestamp,
  parseBusinessDuration,
} from '@crm/common';
import {
  type WorkingCalendar,
  addBusinessTime,
  resolveCalendar,
  subtractBusinessTime,
} from '@crm/metadata';
import { type OverdueAction, readDeadlineHeaders } from './deadline-headers';
import type { EngineService, JobRow } from './engine.service';
import { StepIncident } from './expressions';
import type { GraphNode } from './process-graph';
import type { Exec, InstanceStep, StepContext } from './step';
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

interface OpenTask {
  id: number;
  execution_id: number;
  element_id: string;
  name: string | null;
  assignee: string | null;
  candidate_groups: string | null;
  candidate_users: string | null;
  owner: string | null;
  due_at: string | null;
  version: number;
}

/**
 * Fires a deadline job this node acquired: claimed under the instance's lock, handled and deleted
 * in one step, so it fires once however many nodes run executors.
 */
export async function fireDeadline(
  engine: EngineService,
  jobId: number,
  owner: string,
): Promise<void> {
  await engine.step(SYSTEM_ACTOR, async (ctx) => {
    let job: JobRow;
    try {
      job = await engine.ownedJob(ctx, jobId, owner);
    } catch (e) {
      if (e instanceof CrmError) return; // done by another node, or cancelled meanwhile
      throw e;
    }
    await ctx.tx.execute('DELETE FROM crm_wf_job WHERE id = ?', [jobId]);
    const s = ctx.steps.get(Number(job.instance_id));
    const payload = JSON.parse(job.payload ?? '{}') as DeadlinePayload;
    const task = await openTask(ctx, Number(payload.taskId));
    if (!s || s.ended || s.row.state !== 'active' || !task) return;
    const node = s.node(task.element_id);
    const exec = s.execs.get(task.execution_id);
    if (!exec) return;
    if (job.type === 'remind') return remind(engine, s, node, task, 'dueSoon');
    const action = readDeadlineHeaders(node.headers).onOverdue;
    switch (action?.kind) {
      case undefined:
        return;
      case 'remind': {
        await remind(engine, s, node, task, 'overdue');
        // again every working day until the task is decided
        const calendar = resolveCalendar(s.deps.documents(), payload.calendar) ?? null;
        const from = new Date(
          Math.max(Date.parse(fromDbTimestamp(job.due_at)!), engine.clock.now().getTime()),
        );
        await insertJob(
          s,
          exec,
          node.id,
          'overdue',
          addBusinessTime(calendar, from, 1, 'workingDays'),
          payload,
        );
        return;
      }
      case 'escalate':
        return escalate(engine, s, node, task, action.role);
      case 'approve':
      case 'reject':
        // TODO(lead's act): decide through the approval actions as `system`
        return;
    }
  });
}

async function openTask(ctx: StepContext, taskId: number): Promise<OpenTask | null> {
  const [t] = await ctx.tx.query<OpenTask>(
    `SELECT id, execution_id, element_id, name, assignee, candidate_groups, candidate_users, owner, due_at, version FROM crm_wf_task WHERE id = ? AND state = 'created'`,
    [taskId],
  );
  return t
    ? { ...t, id: Number(t.id), execution_id: Number(t.execution_id), version: Number(t.version) }
    : null;
}

const split = (v: string | null): string[] =>
  (v ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Logins of the active users holding `role`. */
async function roleMembers(tx: Db, role: string): Promise<string[]> {
  const rows = await tx.query<{ login: string; roles: string | null }>(
    'SELECT login, roles FROM crm_user WHERE active = ? AND roles LIKE ?',
    [1, `%${JSON.stringify(role)}%`],
  );
  return rows
    .filter((r) => (JSON.parse(String(r.roles || '[]')) as string[]).includes(role))
    .map((r) => String(r.login));
}

/** Who can act on the task now: its assignee, else its candidate users and groups' members. */
async function actorsOf(tx: Db, task: OpenTask): Promise<string[]> {
  if (task.assignee) return [task.assignee];
  const out = new Set(split(task.candidate_users));
  for (const g of split(task.candidate_groups))
    for (const m of await roleMembers(tx, g)) out.add(m);
  return [...out];
}

async function remind(
  engine: EngineService,
  s: InstanceStep,
  node: GraphNode,
  task: OpenTask,
  reason: 'dueSoon' | 'overdue',
): Promise<void> {
  const to = await actorsOf(s.tx, task);
  const dueAt = fromDbTimestamp(task.due_at);
  s.hist(node.id, node.type, 'remind', { taskId: task.id, reason, dueAt, userIds: to });
  await engine.notifier.notify(s.tx, {
    kind: 'reminder',
    to,
    instanceId: s.id,
    taskId: task.id,
    actor: SYSTEM_ACTOR,
    data: { taskName: task.name ?? node.name ?? node.id, dueAt, reason },
  });
}

/**
 * Hands an overdue task on: to the assignee's supervisor, or with `escalate:<role>` to the role's
 * members as candidates. A task nobody holds, or whose assignee has no active supervisor, goes to
 * the `admin` role, so someone can always act on it.
 */
async function escalate(
  engine: EngineService,
  s: InstanceStep,
  node: GraphNode,
  task: OpenTask,
  role: string | null,
): Promise<void> {
  let supervisor: string | null = null;
  if (!role && task.assignee) {
    const [row] = await s.tx.query<{ login: string }>(
      'SELECT s.login FROM crm_user u JOIN crm_user s ON s.id = u.supervisor_id WHERE u.login = ? AND s.active = ?',
      [task.assignee, 1],
    );
    supervisor = row ? String(row.login) : null;
  }
  const group = supervisor ? null : (role ?? 'admin');
  const r = await s.tx.execute(
    'UPDATE crm_wf_task SET assignee = ?, candidate_groups = ?, candidate_users = NULL, version = version + 1 WHERE id = ? AND version = ?',
    [supervisor, group, task.id, task.version],
  );
  if (r.affected === 0) return; // changed meanwhile under the same lock: cannot happen, be safe
  await s.tx.execute('DELETE FROM crm_wf_task_candidate WHERE task_id = ?', [task.id]);
  await insertCandidates(s.tx, candidateRows(task.id, supervisor, group, null));
  const to = supervisor ? [supervisor] : await roleMembers(s.tx, group!);
  s.hist(node.id, node.type, 'escalate', {
    taskId: task.id,
    from: task.assignee,
    ...(supervisor ? { to: supervisor } : { toRole: group }),
    ...(!supervisor && !role && { reason: task.assignee ? 'no supervisor' : 'no assignee' }),
    userIds: to,
  });
  await engine.notifier.notify(s.tx, {
    kind: 'escalation',
    to,
    instanceId: s.id,
    taskId: task.id,
    actor: SYSTEM_ACTOR,
    data: { taskName: task.name ?? node.name ?? node.id, from: task.assignee },
  });
}
