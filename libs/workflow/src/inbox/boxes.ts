import type { SqlParam } from '@crm/common';
import { type SqlWhere, type WorkflowViewer, visibleTasksSql } from '../engine/visibility';
import {
  type InboxBox,
  type InboxQuery,
  type SortColumns,
  type DueClock,
  andSql,
  dueFilterSql,
  dueWindow,
  keysetSql,
  likeSql,
  orSql,
  orderBySql,
} from './inbox-query';

/*
 * Each box as SQL that starts from an index on the caller, never from the whole table:
 *   pending    the union of index lookups of visibility.ts (assignee, candidate user, candidate
 *              group narrowed by row rules, open tasks of their own instances), open tasks only,
 *              minus tasks another candidate holds (those show, but are not the caller's to act)
 *   done       tasks the caller closed (crm_wf_task.completed_by), and tasks they acted on
 *              without closing them — delegated, transferred, signers added, a delegate's opinion
 *              — found through their actions in the history (ix_crm_wf_history_actor)
 *   cc         crm_wf_cc.login (ix_crm_wf_cc_login)
 *   initiated  crm_wf_instance.started_by of top-level instances (ix_crm_wf_instance_started_by):
 *              a call activity's child carries the actor of the step that called it, not the
 *              person who submitted anything
 * pending and done list tasks; cc and initiated list instances, whose due date is the earliest of
 * their open tasks'.
 *
 * A page is found narrow, then dressed: the box's rows are filtered, sorted and cut to the page
 * on their keys alone, and only the page's rows are joined to what an item shows. A user with
 * thousands of open tasks sorts thousands of (due, id) pairs, not thousands of whole rows.
 */

export type BoxKind = 'task' | 'instance';

export interface BoxSql {
  kind: BoxKind;
  /** The box's rows, with the instance (alias i) joined (with the parameters of any union). */
  from: SqlWhere;
  /** The box and the query's filters (the counts ignore filters). */
  where: SqlWhere;
  sort: SortColumns;
  /** How a page's row (its sort id, `p.sort_id`) is joined again to show it (aliases t / c, i). */
  rejoin: string;
  /** Columns a box adds to its items (done: the caller's own last action on the task). */
  columns?: SqlWhere;
}

/** The text search's match on the record's display field, per entity, built by the service. */
export type DisplayMatch = (instanceAlias: string, pattern: string) => SqlWhere | null;

const TASK_COLUMNS = `t.id AS task_id, t.instance_id, t.element_id, t.name AS node_name, t.assignee, t.due_at, t.priority, t.created_at, t.completed_at, t.completed_by, t.outcome AS task_outcome, i.process_key, i.state AS instance_state, i.outcome AS instance_outcome, i.started_by, i.started_at, i.ended_at, i.record_entity, i.record_id, d.name AS process_name`;

const INSTANCE_COLUMNS = `i.id AS instance_id, i.process_key, i.state AS instance_state, i.outcome AS instance_outcome, i.started_by, i.started_at, i.ended_at, i.record_entity, i.record_id, d.name AS process_name`;

/** The earliest due date of an instance's open tasks (index ix_crm_wf_task_instance). */
const instanceDue = (i: string) =>
  `(SELECT MIN(ot.due_at) FROM crm_wf_task ot WHERE ot.instance_id = ${i}.id AND ot.state = 'created')`;

/**
 * Pending: open tasks the viewer may act on (assignee, or unassigned and offered to them). The
 * union's branches bring the columns the box filters and sorts on (alias t), so no task is looked
 * up twice; the instance is joined only when a filter needs it.
 */
export function pendingSource(
  v: WorkflowViewer,
  need: { instance?: boolean; name?: boolean } = {},
): { from: SqlWhere; where: SqlWhere } {
  const mine = visibleTasksSql(v, {
    state: 'created',
    columns: ['due_at', 'assignee', ...(need.name ? ['name'] : [])],
  });
  return {
    from: {
      sql: `(${mine.sql}) t${need.instance ? ' JOIN crm_wf_instance i ON i.id = t.instance_id' : ''}`,
      params: mine.params,
    },
    where: { sql: '(t.assignee IS NULL OR t.assignee = ?)', params: [v.login] },
  };
}

/** History events by which a person handles a task (comments and CCs do not). */
export const DONE_EVENTS = [
  'approve',
  'reject',
  'return',
  'delegate',
  'transfer',
  'addSigner',
  'resubmit',
] as const;

/** The task an action's history row is about (its detail's taskId). */
const actionTaskId = (h: string) => `CAST(JSON_EXTRACT(${h}.detail, '$.taskId') AS SIGNED)`;
const doneEvents = DONE_EVENTS.map(() => '?').join(', ');

/** Done: the ids of the tasks the viewer closed, or acted on through an action in the history. */
function doneIds(v: WorkflowViewer): SqlWhere {
  return {
    sql: `SELECT dt.id FROM crm_wf_task dt WHERE dt.completed_by = ? UNION SELECT ht.id FROM crm_wf_history h JOIN crm_wf_task ht ON ht.id = ${actionTaskId('h')} WHERE h.actor = ? AND h.event IN (${doneEvents})`,
    params: [v.login, v.login, ...DONE_EVENTS],
  };
}

/** The viewer's last action on the task (alias t) and when: what a done item says they did. */
function lastActionColumns(v: WorkflowViewer): SqlWhere {
  const last = (col: string) =>
    `(SELECT h2.${col} FROM crm_wf_history h2 WHERE h2.instance_id = t.instance_id AND h2.actor = ? AND h2.event IN (${doneEvents}) AND ${actionTaskId('h2')} = t.id ORDER BY h2.id DESC LIMIT 1)`;
  return {
    sql: `${last('event')} AS my_action, ${last('at')} AS my_action_at`,
    params: [v.login, ...DONE_EVENTS, v.login, ...DONE_EVENTS],
  };
}

const TASK_REJOIN =
  'crm_wf_task t ON t.id = p.sort_id JOIN crm_wf_instance i ON i.id = t.instance_id';
const TASK_SORT: SortColumns = { due: 't.due_at', id: 't.id' };

function source(box: InboxBox, v: WorkflowViewer, query?: InboxQuery): BoxSql {
  switch (box) {
    case 'pending': {
      const p = pendingSource(v, {
        instance: !!(query?.processKey || query?.entity || query?.text),
        name: !!query?.text,
      });
      return { kind: 'task', ...p, sort: TASK_SORT, rejoin: TASK_REJOIN };
    }
    case 'done': {
      const done = doneIds(v);
      return {
        kind: 'task',
        from: {
          sql: `(${done.sql}) v JOIN crm_wf_task t ON t.id = v.id JOIN crm_wf_instance i ON i.id = t.instance_id`,
          params: done.params,
        },
        where: { sql: '1=1', params: [] },
        sort: TASK_SORT,
        rejoin: TASK_REJOIN,
        columns: lastActionColumns(v),
      };
    }
    case 'cc':
      return {
        kind: 'instance',
        from: { sql: 'crm_wf_cc c JOIN crm_wf_instance i ON i.id = c.instance_id', params: [] },
        where: { sql: 'c.login = ?', params: [v.login] },
        sort: { due: instanceDue('i'), id: 'c.id' },
        rejoin: 'crm_wf_cc c ON c.id = p.sort_id JOIN crm_wf_instance i ON i.id = c.instance_id',
      };
    case 'initiated':
      return {
        kind: 'instance',
        from: { sql: 'crm_wf_instance i', params: [] },
        where: { sql: 'i.started_by = ? AND i.parent_instance_id IS NULL', params: [v.login] },
        sort: { due: instanceDue('i'), id: 'i.id' },
        rejoin: 'crm_wf_instance i ON i.id = p.sort_id',
      };
  }
}

/** The query's filters on a box's rows (aliases t for tasks, i for the instance). */
function filtersSql(
  s: BoxSql,
  query: InboxQuery,
  clock: DueClock,
  displayMatch: DisplayMatch,
  pattern?: string,
): SqlWhere[] {
  const parts: SqlWhere[] = [];
  if (query.processKey) parts.push({ sql: 'i.process_key = ?', params: [query.processKey] });
  if (query.entity) parts.push({ sql: 'i.record_entity = ?', params: [query.entity] });
  if (query.due) parts.push(dueFilterSql(query.due, s.sort.due, clock));
  if (pattern) {
    const text: SqlWhere[] = [
      {
        sql: `EXISTS (SELECT 1 FROM crm_wf_definition dd WHERE dd.id = i.definition_id AND dd.name LIKE ? ESCAPE '!')`,
        params: [pattern],
      },
      likeSql('i.process_key', pattern),
    ];
    if (s.kind === 'task') text.push(likeSql('t.name', pattern));
    else
      text.push({
        sql: `EXISTS (SELECT 1 FROM crm_wf_task nt WHERE nt.instance_id = i.id AND nt.state = 'created' AND nt.name LIKE ? ESCAPE '!')`,
        params: [pattern],
      });
    const display = displayMatch('i', pattern);
    if (display) text.push(display);
    parts.push(orSql(text));
  }
  return parts;
}

/** The box with the query's filters (not its cursor). */
export function boxSql(
  v: WorkflowViewer,
  query: InboxQuery,
  clock: DueClock,
  displayMatch: DisplayMatch,
  pattern?: string,
): BoxSql {
  const s = source(query.box, v, query);
  return { ...s, where: andSql([s.where, ...filtersSql(s, query, clock, displayMatch, pattern)]) };
}

/** The page's keys (p.sort_id, p.sort_due, …) joined to what an item shows. */
function dressed(b: BoxSql, query: InboxQuery, keys: SqlWhere, also = ''): SqlWhere {
  const columns =
    b.kind === 'task'
      ? TASK_COLUMNS
      : `${INSTANCE_COLUMNS}${query.box === 'cc' ? ', c.cc_by, c.created_at AS cc_at, c.read_at AS cc_read_at' : ''}`;
  const extra = b.columns ? `, ${b.columns.sql}` : '';
  return {
    sql: `SELECT ${columns}${extra}, p.sort_due, p.sort_id${also} FROM (${keys.sql}) p JOIN ${b.rejoin} JOIN crm_wf_definition d ON d.id = i.definition_id ORDER BY ${orderBySql(query.sort, { due: 'p.sort_due', id: 'p.sort_id' })}`,
    params: [...(b.columns?.params ?? []), ...keys.params],
  };
}

/**
 * One page of the box: its keys found, sorted and cut (one more row than `limit`, to know
 * whether another page follows), then joined to what an item shows.
 */
export function pageSql(b: BoxSql, query: InboxQuery): SqlWhere {
  const where = [b.where];
  if (query.cursor) where.push(keysetSql(query.sort, query.cursor, b.sort));
  const cond = andSql(where);
  return dressed(b, query, {
    sql: `SELECT ${b.sort.id} AS sort_id, ${b.sort.due} AS sort_due FROM ${b.from.sql} WHERE ${cond.sql} ORDER BY ${orderBySql(query.sort, b.sort)} LIMIT ${query.limit + 1}`,
    params: [...b.from.params, ...cond.params],
  });
}

/**
 * A page of the pending box and the box's counts from one pass over the viewer's open tasks:
 * the union of index lookups is the costly part of a request, so it runs once. Every open task
 * carries the box's totals (window aggregates over all of them) and whether the filters keep
 * it; the page is cut from the kept ones. (A page with no rows brings no totals: the caller
 * asks countsSql then.)
 */
export function pendingPageSql(
  v: WorkflowViewer,
  query: InboxQuery,
  clock: DueClock,
  displayMatch: DisplayMatch,
  pattern?: string,
): SqlWhere {
  const s = source('pending', v, query);
  const w = dueWindow(clock);
  const filters = andSql(filtersSql(s, query, clock, displayMatch, pattern));
  const all = `SELECT t.id AS sort_id, t.due_at AS sort_due, CASE WHEN ${filters.sql} THEN 1 ELSE 0 END AS hit, COUNT(*) OVER () AS n_pending, SUM(CASE WHEN t.due_at < ? THEN 1 ELSE 0 END) OVER () AS n_overdue, SUM(CASE WHEN t.due_at >= ? AND t.due_at < ? THEN 1 ELSE 0 END) OVER () AS n_due_soon FROM ${s.from.sql} WHERE ${s.where.sql}`;
  const cols: SortColumns = { due: 'x.sort_due', id: 'x.sort_id' };
  const after = query.cursor ? keysetSql(query.sort, query.cursor, cols) : andSql([]);
  return dressed(
    s,
    query,
    {
      sql: `SELECT x.sort_id, x.sort_due, x.n_pending, x.n_overdue, x.n_due_soon FROM (${all}) x WHERE x.hit = 1 AND ${after.sql} ORDER BY ${orderBySql(query.sort, cols)} LIMIT ${query.limit + 1}`,
      params: [
        ...filters.params,
        w.now,
        w.now,
        w.soon,
        ...s.from.params,
        ...s.where.params,
        ...after.params,
      ],
    },
    ', p.n_pending, p.n_overdue, p.n_due_soon',
  );
}

/** The other boxes' sizes, each an index lookup on the caller: done, cc (and unread), initiated. */
function otherCounts(v: WorkflowViewer): SqlWhere {
  const done = doneIds(v);
  return {
    sql: `(SELECT COUNT(*) FROM (${done.sql}) dv) AS done, (SELECT COUNT(*) FROM crm_wf_cc c WHERE c.login = ?) AS cc, (SELECT COUNT(*) FROM crm_wf_cc c WHERE c.login = ? AND c.read_at IS NULL) AS cc_unread, (SELECT COUNT(*) FROM crm_wf_instance si WHERE si.started_by = ? AND si.parent_instance_id IS NULL) AS initiated`,
    params: [...done.params, v.login, v.login, v.login],
  };
}

/** done, cc, cc_unread and initiated, for a page of pending that brought its own totals. */
export function otherCountsSql(v: WorkflowViewer): SqlWhere {
  const o = otherCounts(v);
  return { sql: `SELECT ${o.sql}`, params: o.params };
}

/**
 * Every box's size in one statement: pending with how many of those are overdue or due soon
 * (the union of index lookups), and the others.
 */
export function countsSql(v: WorkflowViewer, clock: DueClock): SqlWhere {
  const p = pendingSource(v);
  const w = dueWindow(clock);
  const o = otherCounts(v);
  const params: SqlParam[] = [w.now, w.now, w.soon, ...o.params];
  return {
    sql: `SELECT COUNT(*) AS pending, SUM(CASE WHEN t.due_at < ? THEN 1 ELSE 0 END) AS overdue, SUM(CASE WHEN t.due_at >= ? AND t.due_at < ? THEN 1 ELSE 0 END) AS due_soon, ${o.sql} FROM ${p.from.sql} WHERE ${p.where.sql}`,
    params: [...params, ...p.from.params, ...p.where.params],
  };
}
