import { CrmError, type Db, ErrorCode, type SqlParam } from '@crm/common';
import type { Exec, InstanceStep } from '../engine/step';
import { scheduleTaskDeadline } from '../engine/deadlines';
import { candidateRows, insertCandidates } from '../engine/task-candidates';

/**
 * The task rows approval actions read and write. A node's token may hold several tasks: its own
 * (kind null), signers added to it (加签: `before`, `after`, `along`, pointing at the task they
 * were added to), or the initiator's `resubmit` task after a return. States: `created` (open),
 * `pending` (an after-signer waiting for its turn), `suspended` (a task whose before-signers
 * decide first), `completed`.
 */
export interface TaskRow {
  id: number;
  instance_id: number;
  execution_id: number;
  element_id: string;
  name: string | null;
  assignee: string | null;
  candidate_groups: string | null;
  candidate_users: string | null;
  state: string;
  version: number;
  owner: string | null;
  outcome: string | null;
  kind: string | null;
  parent_task_id: number | null;
  completed_by: string | null;
}

export const conflict = (taskId: number, why: string) =>
  new CrmError(ErrorCode.TaskConflict, `task ${taskId} ${why}`, [
    { path: '/taskId', message: why },
  ]);

export async function taskById(tx: Db, taskId: number): Promise<TaskRow | null> {
  const [r] = await tx.query<TaskRow>('SELECT * FROM crm_wf_task WHERE id = ?', [taskId]);
  return r ? normalise(r) : null;
}

function normalise(r: TaskRow): TaskRow {
  return {
    ...r,
    id: Number(r.id),
    instance_id: Number(r.instance_id),
    execution_id: Number(r.execution_id),
    version: Number(r.version),
    parent_task_id: r.parent_task_id === null ? null : Number(r.parent_task_id),
  };
}

/** Every task on a token that is not completed (open, pending or suspended). */
export async function liveTasksOf(tx: Db, s: InstanceStep, execId: number): Promise<TaskRow[]> {
  return (
    await tx.query<TaskRow>(
      `SELECT * FROM crm_wf_task WHERE instance_id = ? AND execution_id = ? AND state <> 'completed' ORDER BY id`,
      [s.id, execId],
    )
  ).map(normalise);
}

export interface NewTask {
  elementId: string;
  name: string | null;
  assignee: string | null;
  groups?: string | null;
  users?: string | null;
  kind?: string | null;
  parentTaskId?: number | null;
  owner?: string | null;
  state?: 'created' | 'pending';
}

/** A task row on `exec` (with its candidate index rows when it is open). */
export async function insertTask(s: InstanceStep, exec: Exec, t: NewTask): Promise<number> {
  const state = t.state ?? 'created';
  const r = await s.tx.execute(
    `INSERT INTO crm_wf_task (instance_id, execution_id, element_id, name, assignee, candidate_groups, candidate_users, state, created_at, version, owner, kind, parent_task_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    [
      s.id,
      await s.idOf(exec),
      t.elementId,
      t.name,
      t.assignee,
      t.groups ?? null,
      t.users ?? null,
      state,
      s.now(),
      t.owner ?? null,
      t.kind ?? null,
      t.parentTaskId ?? null,
    ],
  );
  if (state === 'created')
    await insertCandidates(
      s.tx,
      candidateRows(r.insertId, t.assignee, t.groups ?? null, t.users ?? null),
    );
  // signers get the node's deadline from the moment they may act (the initiator's resubmission
  // has none: nobody escalates a submitter's own edit)
  if (state === 'created' && t.kind !== 'resubmit')
    await scheduleTaskDeadline(s, exec, s.node(t.elementId), r.insertId);
  return r.insertId;
}

/** Updates a task row by version; a lost race is a 409. */
export async function updateTask(
  tx: Db,
  task: TaskRow,
  set: Record<string, SqlParam>,
): Promise<void> {
  const cols = Object.keys(set);
  const r = await tx.execute(
    `UPDATE crm_wf_task SET ${cols.map((c) => `${c} = ?`).join(', ')}, version = version + 1 WHERE id = ? AND version = ?`,
    [...cols.map((c) => set[c]), task.id, task.version],
  );
  if (r.affected === 0) throw conflict(task.id, 'was changed meanwhile');
  task.version++;
}

/** Hands a task to `assignee` alone (its candidate lists go). */
export async function reassign(
  tx: Db,
  task: TaskRow,
  assignee: string,
  owner: string | null,
): Promise<void> {
  await updateTask(tx, task, {
    assignee,
    owner,
    candidate_groups: null,
    candidate_users: null,
  });
  await tx.execute('DELETE FROM crm_wf_task_candidate WHERE task_id = ?', [task.id]);
}

/** Marks a task decided (or otherwise ended) by `actor`. */
export async function closeTask(
  s: InstanceStep,
  task: TaskRow,
  outcome: string,
  actor: string,
): Promise<void> {
  await updateTask(s.tx, task, {
    state: 'completed',
    outcome,
    completed_at: s.now(),
    completed_by: actor,
  });
  await s.tx.execute('DELETE FROM crm_wf_task_candidate WHERE task_id = ?', [task.id]);
}

/** Opens a pending or suspended task (its candidates are offered it again). */
export async function openTask(s: InstanceStep, task: TaskRow): Promise<void> {
  const wasPending = task.state === 'pending';
  await updateTask(s.tx, task, { state: 'created' });
  await insertCandidates(
    s.tx,
    candidateRows(task.id, task.assignee, task.candidate_groups, task.candidate_users),
  );
  // an after-signer's deadline runs from its turn
  const exec = s.execs.get(task.execution_id);
  if (wasPending && exec) await scheduleTaskDeadline(s, exec, s.node(task.element_id), task.id);
}

/** Parks an open task while others decide first (it leaves every inbox meanwhile). */
export async function suspendTask(s: InstanceStep, task: TaskRow): Promise<void> {
  await updateTask(s.tx, task, { state: 'suspended' });
  await s.tx.execute('DELETE FROM crm_wf_task_candidate WHERE task_id = ?', [task.id]);
}

/** Removes a task that will never be decided (the node was decided by others). */
export async function dropTask(tx: Db, task: TaskRow): Promise<void> {
  await tx.execute('DELETE FROM crm_wf_task_candidate WHERE task_id = ?', [task.id]);
  await tx.execute('DELETE FROM crm_wf_task WHERE id = ?', [task.id]);
}

/** Logins of the active users holding any of `roles`. */
export async function membersOf(tx: Db, roles: string[]): Promise<string[]> {
  if (!roles.length) return [];
  const rows = await tx.query<{ login: string; roles: string | null }>(
    `SELECT login, roles FROM crm_user WHERE active = ? AND (${roles.map(() => 'roles LIKE ?').join(' OR ')})`,
    [1, ...roles.map((r) => `%${JSON.stringify(r)}%`)],
  );
  return rows
    .filter((r) => (JSON.parse(String(r.roles || '[]')) as string[]).some((x) => roles.includes(x)))
    .map((r) => String(r.login));
}

/** Who can act on a task now: its assignee, or its candidate users and groups' members. */
export async function actorsOf(tx: Db, task: TaskRow): Promise<string[]> {
  if (task.assignee) return [task.assignee];
  const split = (v: string | null) =>
    (v ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  return [
    ...new Set([
      ...split(task.candidate_users),
      ...(await membersOf(tx, split(task.candidate_groups))),
    ]),
  ];
}
