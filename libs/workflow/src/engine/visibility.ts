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

/**
 * The instance (alias i) is about no record, or about one the viewer may read. A candidate group
 * is a role held company-wide; row-level rules narrow it, so a sales manager of one department is
 * not offered the approval of another department's quote.
 */
export function recordReadableSql(v: WorkflowViewer, i = 'i'): SqlWhere {
  const parts: SqlWhere[] = [{ sql: `${i}.record_entity IS NULL`, params: [] }];
  if (v.readableRecords) parts.push(v.readableRecords);
  return or(parts);
}

/**
 * The viewer is among the task's candidates: named as a user, or holding one of its groups while
 * able to read the instance's record.
 */
function candidateSql(v: WorkflowViewer, t: string, i: string): SqlWhere {
  const groups = or(v.groups.map((g) => listHasSql(`${t}.candidate_groups`, g)));
  const reads = recordReadableSql(v, i);
  return or([
    listHasSql(`${t}.candidate_users`, v.login),
    ...(v.groups.length
      ? [{ sql: `(${groups.sql} AND ${reads.sql})`, params: [...groups.params, ...reads.params] }]
      : []),
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
  const mine = taskOfViewerSql(v, t, i);
  const own = ownInstanceSql(v, i);
  return {
    sql: `(${mine.sql} OR (${t}.assignee IS NULL AND ${isEmptySql(`${t}.candidate_users`)} AND ${isEmptySql(`${t}.candidate_groups`)} AND ${own.sql}))`,
    params: [...mine.params, ...own.params],
  };
}

/** Tasks that are the viewer's by name: assigned to, completed by, or offered to them. */
function taskOfViewerSql(v: WorkflowViewer, t: string, i: string): SqlWhere {
  const cand = candidateSql(v, t, i);
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
  const task = taskOfViewerSql(v, 'vt', i);
  return {
    sql: `(${own.sql} OR EXISTS (SELECT 1 FROM crm_wf_task vt WHERE vt.instance_id = ${i}.id AND ${task.sql}))`,
    params: [...own.params, ...task.params],
  };
}

/** What decides a task for a viewer beyond its own columns, read from its instance. */
export interface TaskInstanceFacts {
  /** The viewer sees the instance (started it, reads its record, or takes part in it). */
  seesInstance: boolean;
  /** The instance is about no record, or about one the viewer may read. */
  readsRecord: boolean;
}

/**
 * May the viewer claim or complete this open task? Its assignee may; with no assignee, its
 * candidate users, and holders of its candidate groups who may read the record it is about; a
 * task with neither is open to whoever may see its instance. `operate` on Workflow overrides.
 */
export function mayWork(
  task: TaskAssignment,
  v: WorkflowViewer,
  facts: TaskInstanceFacts,
): { ok: true } | { ok: false; reason: string } {
  if (v.worksAll) return { ok: true };
  if (task.assignee)
    return task.assignee === v.login
      ? { ok: true }
      : { ok: false, reason: `the task is assigned to ${task.assignee}` };
  if (task.candidateUsers.includes(v.login)) return { ok: true };
  const inGroup = task.candidateGroups.some((g) => v.groups.includes(g));
  if (inGroup && facts.readsRecord) return { ok: true };
  if (inGroup) return { ok: false, reason: 'its record is outside the records you may read' };
  if (!task.candidateUsers.length && !task.candidateGroups.length && facts.seesInstance)
    return { ok: true };
  const who = [...task.candidateUsers, ...task.candidateGroups.map((g) => `group ${g}`)].join(', ');
  return { ok: false, reason: `only its candidates may take it (${who})` };
}
