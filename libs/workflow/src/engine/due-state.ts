import { CrmError, ErrorCode, type SqlParam, toDbTimestamp } from '@crm/common';

/**
 * Where an open task stands against its due time (crm_wf_task.due_at, set by deadlines.ts):
 * `overdue` once due, `dueSoon` within TASK_DUE_SOON_HOURS before, else `ok`. A task that is not
 * open (completed, pending, suspended) or has no due time has no due state (null): a decided task
 * is never "overdue".
 */
export type DueState = 'ok' | 'dueSoon' | 'overdue';
export const DUE_FILTERS = ['dueSoon', 'overdue'] as const;
export type DueFilter = (typeof DUE_FILTERS)[number];

export function dueState(
  dueAt: string | null,
  taskState: string,
  now: Date,
  soonHours: number,
): DueState | null {
  if (!dueAt || taskState !== 'created') return null;
  const due = Date.parse(dueAt);
  if (due <= now.getTime()) return 'overdue';
  return due <= now.getTime() + soonHours * 3_600_000 ? 'dueSoon' : 'ok';
}

/** The SQL condition (over task alias `t`) of a due filter; both use ix_crm_wf_task_state_due. */
export function dueSql(
  filter: DueFilter,
  now: Date,
  soonHours: number,
  t = 't',
): { sql: string; params: SqlParam[] } {
  const at = toDbTimestamp(now);
  return filter === 'overdue'
    ? { sql: `${t}.state = 'created' AND ${t}.due_at <= ?`, params: [at] }
    : {
        sql: `${t}.state = 'created' AND ${t}.due_at > ? AND ${t}.due_at <= ?`,
        params: [at, toDbTimestamp(new Date(now.getTime() + soonHours * 3_600_000))],
      };
}

/** The `due` query parameter: absent, or one of the filters (else a 400 naming it). */
export function parseDueFilter(raw: string | undefined): DueFilter | undefined {
  if (raw === undefined || raw === '') return undefined;
  if ((DUE_FILTERS as readonly string[]).includes(raw)) return raw as DueFilter;
  throw new CrmError(ErrorCode.BadRequest, `due must be ${DUE_FILTERS.join(' or ')}`, [
    { path: 'due', message: `must be ${DUE_FILTERS.join(' or ')}, got "${raw}"` },
  ]);
}
