import type { SqlParam } from '@crm/common';

export interface SqlWhere {
  sql: string;
  params: SqlParam[];
}

/**
 * Who is asking the engine, as far as the engine needs to know. The server builds it from the
 * user's roles; the engine itself (timers, jobs, the CLI) runs without one and may do anything.
 */
export interface WorkflowViewer {
  login: string;
  /** Candidate groups the user belongs to: the names of their roles. */
  groups: readonly string[];
  /** `read` on Workflow: sees every instance, task and incident. */
  seesAll: boolean;
  /** `operate` on Workflow: may claim and complete any task (an administrator's override). */
  worksAll: boolean;
  /** May cancel any instance (`cancel` on Workflow); a starter may always withdraw their own. */
  cancelsAll: boolean;
  /**
   * Instances (alias `i`) whose record the user may read, as SQL; null when the user reads no
   * entity any instance could be about.
   */
  readableRecords: SqlWhere | null;
  /** The FORBIDDEN error for a denial, logged and audited with user, action, subject and reason. */
  deny(action: string, subject: string, reason: string): Error;
}

/** The task columns `mayWork` reads. */
export interface TaskAssignment {
  assignee: string | null;
  candidateUsers: string[];
  candidateGroups: string[];
}

/**
 * Candidate lists are stored comma-joined: match a whole entry, never a substring of another one
 * (`sales` must not match `sales_manager`).
 */
export function listHasSql(col: string, value: string): SqlWhere {
  const g = value.replace(/[!%_]/g, (c) => `!${c}`);
  return {
    sql: `(${col} = ? OR ${col} LIKE ? ESCAPE '!' OR ${col} LIKE ? ESCAPE '!' OR ${col} LIKE ? ESCAPE '!')`,
    params: [value, `${g},%`, `%,${g}`, `%,${g},%`],
  };
}

const or = (parts: SqlWhere[]): SqlWhere => ({
  sql: parts.length ? `(${parts.map((p) => p.sql).join(' OR ')})` : '1=0',
  params: parts.flatMap((p) => p.params),
});

const isEmptySql = (col: string) => `(${col} IS NULL OR ${col} = '')`;

/** The viewer is among the task's candidates (a user or one of their groups). */
function candidateSql(v: WorkflowViewer, t: string): SqlWhere {
  return or([
    listHasSql(`${t}.candidate_users`, v.login),
    ...v.groups.map((g) => listHasSql(`${t}.candidate_groups`, g)),
  ]);
}

/**
 * Instances the viewer may see whatever their tasks: started by them, or about a record they may
 * read. (Participation through a task is added by `instanceVisibleSql`.)
 */
function ownInstanceSql(v: WorkflowViewer, i: string): SqlWhere {
  const parts: SqlWhere[] = [{ sql: `${i}.started_by = ?`, params: [v.login] }];
  if (v.readableRecords) parts.push(v.readableRecords);
  return or(parts);
}

/**
 * Tasks (alias t, joined to their instance as i) the viewer may see: assigned to them, completed
 * by them, offered to them as a candidate (also once another candidate claimed it: the team sees
 * who holds it), or open to anyone (no assignee, no candidates) in an instance they may see. Every
 * other task is invisible, not forbidden: its id answers 404.
 */
export function taskVisibleSql(v: WorkflowViewer, t = 't', i = 'i'): SqlWhere {
  const mine = taskOfViewerSql(v, t);
  const own = ownInstanceSql(v, i);
  return {
    sql: `(${mine.sql} OR (${t}.assignee IS NULL AND ${isEmptySql(`${t}.candidate_users`)} AND ${isEmptySql(`${t}.candidate_groups`)} AND ${own.sql}))`,
    params: [...mine.params, ...own.params],
  };
}

/** Tasks that are the viewer's by name: assigned to, completed by, or offered to them. */
function taskOfViewerSql(v: WorkflowViewer, t: string): SqlWhere {
  const cand = candidateSql(v, t);
  return {
    sql: `(${t}.assignee = ? OR ${t}.completed_by = ? OR ${cand.sql})`,
    params: [v.login, v.login, ...cand.params],
  };
}

/**
 * Instances (alias i) the viewer may see: their own, about a record they may read, or one where
 * they hold, held or may take a task.
 */
export function instanceVisibleSql(v: WorkflowViewer, i = 'i'): SqlWhere {
  const own = ownInstanceSql(v, i);
  // open tasks count only in instances the viewer sees anyway: checked once, outside
  const task = taskOfViewerSql(v, 'vt');
  return {
    sql: `(${own.sql} OR EXISTS (SELECT 1 FROM crm_wf_task vt WHERE vt.instance_id = ${i}.id AND ${task.sql}))`,
    params: [...own.params, ...task.params],
  };
}

/**
 * May the viewer claim or complete this open task? Its assignee may; with no assignee, its
 * candidates may; a task with neither is open to whoever may see its instance. `operate` on
 * Workflow overrides.
 */
export function mayWork(
  task: TaskAssignment,
  v: WorkflowViewer,
  seesInstance: boolean,
): { ok: true } | { ok: false; reason: string } {
  if (v.worksAll) return { ok: true };
  if (task.assignee)
    return task.assignee === v.login
      ? { ok: true }
      : { ok: false, reason: `the task is assigned to ${task.assignee}` };
  if (task.candidateUsers.includes(v.login)) return { ok: true };
  if (task.candidateGroups.some((g) => v.groups.includes(g))) return { ok: true };
  if (!task.candidateUsers.length && !task.candidateGroups.length && seesInstance)
    return { ok: true };
  const who = [...task.candidateUsers, ...task.candidateGroups.map((g) => `group ${g}`)].join(', ');
  return { ok: false, reason: `only its candidates may take it (${who})` };
}
