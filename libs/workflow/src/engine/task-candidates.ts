import { type Db, type SqlParam, withNamedLock } from '@crm/common';

export type CandidateKind = 'user' | 'group' | 'open';

const split = (v: string | null): string[] =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/**
 * The candidate rows of a task, from its comma-joined lists: each user and group, or one `open`
 * row when the task has neither candidates nor an assignee (offered to whoever sees its instance).
 */
export function candidateRows(
  taskId: number,
  assignee: string | null,
  groups: string | null,
  users: string | null,
): Array<[number, CandidateKind, string]> {
  const rows: Array<[number, CandidateKind, string]> = [
    ...split(users).map((u): [number, CandidateKind, string] => [taskId, 'user', u.slice(0, 191)]),
    ...split(groups).map((g): [number, CandidateKind, string] => [
      taskId,
      'group',
      g.slice(0, 191),
    ]),
  ];
  if (!rows.length && !assignee) rows.push([taskId, 'open', '']);
  return rows;
}

export async function insertCandidates(
  tx: Db,
  rows: Array<[number, CandidateKind, string]>,
): Promise<void> {
  if (!rows.length) return;
  await tx.execute(
    `INSERT INTO crm_wf_task_candidate (task_id, kind, name) VALUES ${rows.map(() => '(?, ?, ?)').join(', ')}`,
    rows.flat(),
  );
}

/** Removes the candidate rows of the tasks `where` (over crm_wf_task) selects, before they go. */
export async function deleteCandidatesOf(tx: Db, where: string, params: SqlParam[]): Promise<void> {
  await tx.execute(
    `DELETE FROM crm_wf_task_candidate WHERE task_id IN (SELECT id FROM crm_wf_task WHERE ${where})`,
    params,
  );
}

const BACKFILLED = 'task_candidates_backfilled';

/**
 * Open tasks written before crm_wf_task_candidate existed get their rows once, at start (under a
 * named lock, so two nodes starting together do it once; a setting remembers it was done).
 */
export async function backfillCandidates(db: Db): Promise<number> {
  const done = async () =>
    (await db.query('SELECT value FROM crm_setting WHERE setting_key = ?', [BACKFILLED])).length >
    0;
  if (await done()) return 0;
  return withNamedLock(db, 'crm_wf_task_candidate_backfill', async () => {
    if (await done()) return 0;
    let filled = 0;
    for (let after = 0; ;) {
      const tasks = await db.query<{
        id: number;
        assignee: string | null;
        candidate_groups: string | null;
        candidate_users: string | null;
      }>(
        "SELECT t.id, t.assignee, t.candidate_groups, t.candidate_users FROM crm_wf_task t WHERE t.id > ? AND t.state = 'created' AND NOT EXISTS (SELECT 1 FROM crm_wf_task_candidate c WHERE c.task_id = t.id) ORDER BY t.id LIMIT 500",
        [after],
      );
      if (!tasks.length) break;
      const rows = tasks.flatMap((t) =>
        candidateRows(Number(t.id), t.assignee, t.candidate_groups, t.candidate_users),
      );
      await db.transaction((tx) => insertCandidates(tx, rows));
      filled += tasks.length;
      after = Number(tasks[tasks.length - 1].id);
    }
    await db.execute('INSERT INTO crm_setting (setting_key, value) VALUES (?, ?)', [
      BACKFILLED,
      new Date().toISOString(),
    ]);
    return filled;
  });
}
