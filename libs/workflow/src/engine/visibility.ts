import { type SqlParam, q } from '@crm/common';

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
   * Instances (the given alias) whose record the user may read, as SQL; null when the user reads
   * no entity any instance could be about.
   */
  readableRecords(instanceAlias: string): SqlWhere | null;
  /** The FORBIDDEN error for a denial, logged and audited with user, action, subject and reason. */
  deny(action: string, subject: string, reason: string): Error;
}

/** The task columns `mayWork` reads. */
export interface TaskAssignment {
  assignee: string | null;
  candidateUsers: string[];
  candidateGroups: string[];
}

/** The task (alias t) has a candidate row of this kind and one of these names. */
export function hasCandidateSql(
  t: string,
  kind: 'user' | 'group' | 'open',
  names: readonly string[],
): SqlWhere {
  if (!names.length) return { sql: '1=0', params: [] };
  return {
    sql: `EXISTS (SELECT 1 FROM crm_wf_task_candidate c WHERE c.task_id = ${t}.id AND c.kind = ? AND c.name IN (${names.map(() => '?').join(', ')}))`,
    params: [kind, ...names],
  };
}

const or = (parts: SqlWhere[]): SqlWhere => ({
  sql: parts.length ? `(${parts.map((p) => p.sql).join(' OR ')})` : '1=0',
  params: parts.flatMap((p) => p.params),
});

/**
 * The instance (alias i) is about no record, or about one the viewer may read. A candidate group
 * is a role held company-wide; row-level rules narrow it, so a sales manager of one department is
 * not offered the approval of another department's quote.
 */
export function recordReadableSql(v: WorkflowViewer, i = 'i'): SqlWhere {
  const parts: SqlWhere[] = [{ sql: `${i}.record_entity IS NULL`, params: [] }];
  const readable = v.readableRecords(i);
  if (readable) parts.push(readable);
  return or(parts);
}

/**
 * The viewer is not the instance's starter. A role's group task is a second pair of eyes: the
 * one who submitted is never offered it (separation of duties) — a process that wants the
 * starter names them (`assignee="=initiator"`).
 */
function notStarterSql(v: WorkflowViewer, i: string): SqlWhere {
  return { sql: `(${i}.started_by IS NULL OR ${i}.started_by <> ?)`, params: [v.login] };
}

/** A group candidate's condition on the instance: not their own, record readable. */
function groupReachSql(v: WorkflowViewer, i: string): SqlWhere {
  const reads = recordReadableSql(v, i);
  const other = notStarterSql(v, i);
  return { sql: `(${other.sql} AND ${reads.sql})`, params: [...other.params, ...reads.params] };
}

/**
 * Instances the viewer may see whatever their tasks: started by them, or about a record they may
 * read. (Participation through a task is added by `instanceVisibleSql`.)
 */
function ownInstanceSql(v: WorkflowViewer, i: string): SqlWhere {
  const parts: SqlWhere[] = [{ sql: `${i}.started_by = ?`, params: [v.login] }];
  const readable = v.readableRecords(i);
  if (readable) parts.push(readable);
  return or(parts);
}

/*
 * Which tasks a viewer sees. Candidates live in crm_wf_task_candidate while a task is open (one
 * row per user or group, or one `open` row for a task offered to nobody in particular), so a
 * decided task leaves its candidates' inboxes. A task is visible when it is
 *   - assigned to the viewer, or completed by them;
 *   - offered to them by login;
 *   - offered to one of their groups (roles), and its instance is about no record or one they may
 *     read (also once another candidate claimed it: the team sees who holds it);
 *   - open, unassigned, in an instance they started or whose record they may read.
 * Everything else is invisible, not forbidden: its id answers 404. The rule is written twice: as a
 * condition on one task row (`taskVisibleSql`) and as a union of index lookups that finds all of
 * a viewer's tasks without scanning (`visibleTasksSql`); a unit test holds them equal.
 */

/** The rule as a condition on one task (alias t) joined to its instance (alias i). */
export function taskVisibleSql(v: WorkflowViewer, t = 't', i = 'i'): SqlWhere {
  const parts: SqlWhere[] = [
    { sql: `${t}.assignee = ?`, params: [v.login] },
    { sql: `${t}.completed_by = ?`, params: [v.login] },
    hasCandidateSql(t, 'user', [v.login]),
  ];
  if (v.groups.length) {
    const groups = hasCandidateSql(t, 'group', v.groups);
    const reach = groupReachSql(v, i);
    parts.push({
      sql: `(${groups.sql} AND ${reach.sql})`,
      params: [...groups.params, ...reach.params],
    });
  }
  const open = hasCandidateSql(t, 'open', ['']);
  const own = ownInstanceSql(v, i);
  parts.push({
    sql: `(${t}.assignee IS NULL AND ${open.sql} AND ${own.sql})`,
    params: [...open.params, ...own.params],
  });
  return or(parts);
}

/**
 * The rule as `SELECT id, instance_id` of every task the viewer sees, each branch driven by an
 * index (candidate name, assignee, completer), optionally of one state; `withOpen: false` leaves
 * out open tasks (for instance visibility, where their instances count anyway).
 */
export function visibleTasksSql(
  v: WorkflowViewer,
  opts: {
    state?: string;
    withOpen?: boolean;
    /**
     * Only the first `limit` tasks by id are wanted (and nothing else filters them): each branch
     * stops there, so a group with thousands of open tasks costs one page, not all of them.
     */
    limit?: number;
    /**
     * More task columns each branch returns (names of crm_wf_task columns), so a caller that
     * needs them (the inbox: due date, assignee) does not look every task up again.
     */
    columns?: readonly string[];
  } = {},
): SqlWhere {
  const more = (opts.columns ?? []).map((c) => `, t.${q(c)}`).join('');
  const cols = `t.id, t.instance_id${more}`;
  const st: SqlWhere = opts.state
    ? { sql: ' AND t.state = ?', params: [opts.state] }
    : { sql: '', params: [] };
  const viaCandidate = (
    kind: string,
    names: readonly string[],
    extra?: (i: string) => SqlWhere,
  ) => {
    const cond = extra?.('ci');
    return {
      sql: `SELECT ${cols} FROM crm_wf_task_candidate c JOIN crm_wf_task t ON t.id = c.task_id${cond ? ' JOIN crm_wf_instance ci ON ci.id = t.instance_id' : ''} WHERE c.kind = ? AND c.name IN (${names.map(() => '?').join(', ')})${cond ? ` AND ${cond.sql}` : ''}${st.sql}`,
      params: [kind, ...names, ...(cond?.params ?? []), ...st.params],
    };
  };
  const parts: SqlWhere[] = [
    {
      sql: `SELECT ${cols} FROM crm_wf_task t WHERE t.assignee = ?${st.sql}`,
      params: [v.login, ...st.params],
    },
    viaCandidate('user', [v.login]),
  ];
  // an open task has no completer
  if (opts.state !== 'created')
    parts.push({
      sql: `SELECT ${cols} FROM crm_wf_task t WHERE t.completed_by = ?${st.sql}`,
      params: [v.login, ...st.params],
    });
  if (v.groups.length) parts.push(viaCandidate('group', v.groups, (i) => groupReachSql(v, i)));
  if (opts.withOpen !== false)
    parts.push(
      viaCandidate('open', [''], (i) => {
        const own = ownInstanceSql(v, i);
        return { sql: `t.assignee IS NULL AND ${own.sql}`, params: own.params };
      }),
    );
  // SQLite takes ORDER BY/LIMIT in a compound select only on the whole: wrap each branch
  const branch = (p: SqlWhere, k: number): SqlWhere =>
    opts.limit
      ? {
          sql: `SELECT b${k}.* FROM (${p.sql} ORDER BY t.id LIMIT ${Math.floor(opts.limit)}) b${k}`,
          params: p.params,
        }
      : p;
  const all = parts.map(branch);
  return { sql: all.map((p) => p.sql).join(' UNION '), params: all.flatMap((p) => p.params) };
}

/**
 * Instances (alias i) the viewer may see: their own, about a record they may read, or one with a
 * task they see. Tested per instance, newest first, so a page stops early. (A group candidate's
 * task counts only in an instance about no record here: one about a readable record is the
 * viewer's own already, and one about an unreadable record is not offered to them.)
 */
export function instanceVisibleSql(
  v: WorkflowViewer,
  i = 'i',
  opts: { withCc?: boolean } = {},
): SqlWhere {
  const own = ownInstanceSql(v, i);
  // 抄送: the CC'd see the instance (and its record) read-only
  const cc: SqlWhere =
    opts.withCc === false
      ? { sql: '', params: [] }
      : {
          sql: ` OR EXISTS (SELECT 1 FROM crm_wf_cc vc WHERE vc.login = ? AND vc.instance_id = ${i}.id)`,
          params: [v.login],
        };
  const parts: SqlWhere[] = [
    { sql: 'vt.assignee = ?', params: [v.login] },
    { sql: 'vt.completed_by = ?', params: [v.login] },
    hasCandidateSql('vt', 'user', [v.login]),
  ];
  if (v.groups.length) {
    const groups = hasCandidateSql('vt', 'group', v.groups);
    parts.push({ sql: `(${i}.record_entity IS NULL AND ${groups.sql})`, params: groups.params });
  }
  const task = or(parts);
  return {
    sql: `(${own.sql} OR EXISTS (SELECT 1 FROM crm_wf_task vt WHERE vt.instance_id = ${i}.id AND ${task.sql})${cc.sql})`,
    params: [...own.params, ...task.params, ...cc.params],
  };
}

/** What decides a task for a viewer beyond its own columns, read from its instance. */
export interface TaskInstanceFacts {
  /** The viewer sees the instance (started it, reads its record, or takes part in it). */
  seesInstance: boolean;
  /** The instance is about no record, or about one the viewer may read. */
  readsRecord: boolean;
  /** The viewer started the instance (a group task of it is never theirs to decide). */
  startedByViewer: boolean;
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
  if (inGroup && facts.startedByViewer)
    return { ok: false, reason: 'you started this process: its approval is for someone else' };
  if (inGroup && facts.readsRecord) return { ok: true };
  if (inGroup) return { ok: false, reason: 'its record is outside the records you may read' };
  if (!task.candidateUsers.length && !task.candidateGroups.length && facts.seesInstance)
    return { ok: true };
  const who = [...task.candidateUsers, ...task.candidateGroups.map((g) => `group ${g}`)].join(', ');
  return { ok: false, reason: `only its candidates may take it (${who})` };
}
