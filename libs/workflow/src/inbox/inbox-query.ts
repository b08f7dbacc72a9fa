import { CrmError, type ErrorDetail, ErrorCode, type SqlParam, toDbTimestamp } from '@crm/common';
import type { SqlWhere } from '../engine/visibility';

/**
 * The inbox request, checked, and the pieces of SQL it turns into that do not depend on who asks:
 * the keyset cursor, the sort, the due-state arithmetic and the LIKE pattern. Pure functions, so
 * every bad input has a table of cases in inbox-query.spec.ts.
 */

export const INBOX_BOXES = ['pending', 'done', 'cc', 'initiated'] as const;
export type InboxBox = (typeof INBOX_BOXES)[number];

/** `due`: soonest due first, tasks without a due date last; `newest`: newest first. */
export const INBOX_SORTS = ['due', 'newest'] as const;
export type InboxSort = (typeof INBOX_SORTS)[number];

// one vocabulary of due states with the task list (engine/due-state.ts)
import { DUE_FILTERS, type DueFilter, type DueState, dueState } from '../engine/due-state';
export { DUE_FILTERS, type DueFilter, type DueState };

/**
 * The moment a request reads the inbox, and how many hours before its due date a task counts as
 * "due soon" (TASK_DUE_SOON_HOURS, the same setting the task list's due filter uses).
 */
export interface DueClock {
  now: Date;
  soonHours: number;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
/** Longer search text than this is refused: a LIKE pattern is no place for a paragraph. */
export const MAX_TEXT = 100;

/** Where a page stopped: the sort keys of its last item. */
export interface InboxCursor {
  /** The due date (ISO) of the last item; null when it had none. Only for sort `due`. */
  due: string | null;
  id: number;
}

export interface InboxQuery {
  box: InboxBox;
  processKey?: string;
  entity?: string;
  due?: DueFilter;
  /** Matches the record's display field, the task name or the process name (substring). */
  text?: string;
  sort: InboxSort;
  limit: number;
  cursor?: InboxCursor;
}

/** The sort a box has when the request names none: work by urgency, history newest first. */
export const defaultSort = (box: InboxBox): InboxSort => (box === 'pending' ? 'due' : 'newest');

const invalid = (errors: ErrorDetail[]) =>
  new CrmError(
    ErrorCode.QueryInvalid,
    errors.length === 1 ? errors[0].message : `${errors.length} invalid query parameters`,
    errors,
  );

const oneOf = <T extends string>(
  name: string,
  raw: string | undefined,
  values: readonly T[],
  errors: ErrorDetail[],
): T | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  errors.push({ path: name, message: `${name} is one of ${values.join(', ')} (got "${raw}")` });
  return undefined;
};

/**
 * Checks the query string of GET /api/inbox. Every problem is reported at once, each naming its
 * parameter; `entities` are the entity names the model knows (an unknown one is a typo, not an
 * empty box).
 */
export function parseInboxQuery(
  raw: Record<string, string | undefined>,
  entities: ReadonlySet<string>,
): InboxQuery {
  const errors: ErrorDetail[] = [];
  if (raw.box === undefined || raw.box === '')
    errors.push({ path: 'box', message: `box is required: one of ${INBOX_BOXES.join(', ')}` });
  const box = oneOf('box', raw.box, INBOX_BOXES, errors);
  const sort = oneOf('sort', raw.sort, INBOX_SORTS, errors);
  const due = oneOf('due', raw.due, DUE_FILTERS, errors);
  if (due && box === 'done')
    errors.push({
      path: 'due',
      message: 'due filters open work (pending, cc, initiated); done tasks are no longer due',
    });
  let limit = DEFAULT_LIMIT;
  if (raw.limit !== undefined && raw.limit !== '') {
    const n = Number(raw.limit);
    if (!/^\d+$/.test(raw.limit) || n < 1 || n > MAX_LIMIT)
      errors.push({ path: 'limit', message: `limit is a whole number from 1 to ${MAX_LIMIT}` });
    else limit = n;
  }
  const processKey = raw.processKey || undefined;
  if (processKey && processKey.length > 191)
    errors.push({ path: 'processKey', message: 'processKey is at most 191 characters' });
  const entity = raw.entity || undefined;
  if (entity && !entities.has(entity))
    errors.push({ path: 'entity', message: `unknown entity "${entity.slice(0, 64)}"` });
  const text = raw.q?.trim() || undefined;
  if (text && text.length > MAX_TEXT)
    errors.push({ path: 'q', message: `q is at most ${MAX_TEXT} characters` });
  const effectiveSort = sort ?? (box ? defaultSort(box) : 'newest');
  let cursor: InboxCursor | undefined;
  if (raw.cursor) {
    if (box) {
      cursor = decodeInboxCursor(raw.cursor, box, effectiveSort);
      if (!cursor)
        errors.push({
          path: 'cursor',
          message: 'invalid cursor (it belongs to another box or sort, or was altered)',
        });
    }
  }
  if (errors.length || !box) throw invalid(errors);
  return { box, processKey, entity, due, text, sort: effectiveSort, limit, cursor };
}

// ---- cursor -------------------------------------------------------------------------------------

/** A cursor names its box and sort, so one copied into another query is refused, not misread. */
export function encodeInboxCursor(box: InboxBox, sort: InboxSort, at: InboxCursor): string {
  const body = sort === 'due' ? [box, sort, at.due, at.id] : [box, sort, at.id];
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeInboxCursor(
  raw: string,
  box: InboxBox,
  sort: InboxSort,
): InboxCursor | undefined {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(body) || body[0] !== box || body[1] !== sort) return undefined;
  const id = body[body.length - 1];
  if (!Number.isSafeInteger(id) || (id as number) < 0) return undefined;
  if (sort === 'newest') return body.length === 3 ? { due: null, id: id as number } : undefined;
  const due = body[2];
  if (body.length !== 4) return undefined;
  if (due !== null && (typeof due !== 'string' || Number.isNaN(Date.parse(due)))) return undefined;
  return { due: due as string | null, id: id as number };
}

// ---- sort and keyset ----------------------------------------------------------------------------

/** The two sort keys of a box as SQL expressions: its due date and its unique id. */
export interface SortColumns {
  due: string;
  id: string;
}

/** ORDER BY for the sort: due ascending with no-due last (NULL sorts first in both dialects). */
export function orderBySql(sort: InboxSort, c: SortColumns): string {
  return sort === 'due'
    ? `CASE WHEN ${c.due} IS NULL THEN 1 ELSE 0 END, ${c.due}, ${c.id}`
    : `${c.id} DESC`;
}

/** "After the cursor" in the order orderBySql gives. */
export function keysetSql(sort: InboxSort, at: InboxCursor, c: SortColumns): SqlWhere {
  if (sort === 'newest') return { sql: `${c.id} < ?`, params: [at.id] };
  if (at.due === null) return { sql: `(${c.due} IS NULL AND ${c.id} > ?)`, params: [at.id] };
  const due = toDbTimestamp(new Date(at.due));
  return {
    sql: `(${c.due} IS NULL OR ${c.due} > ? OR (${c.due} = ? AND ${c.id} > ?))`,
    params: [due, due, at.id],
  };
}

// ---- due state ----------------------------------------------------------------------------------

/** The window of "due soon" as database timestamps: (now, now + soonHours]. */
export function dueWindow({ now, soonHours }: DueClock): { now: string; soon: string } {
  return {
    now: toDbTimestamp(now),
    soon: toDbTimestamp(new Date(now.getTime() + soonHours * 3_600_000)),
  };
}

/**
 * The engine's rule (engine/due-state.ts), so a badge, a filter and the task API never disagree
 * about one task: overdue from its due instant on (when its deadline timer fires), dueSoon within
 * the window before it, ok later, null without a due date.
 */
export function dueStateOf(dueAt: string | null, { now, soonHours }: DueClock): DueState | null {
  return dueState(dueAt, 'created', now, soonHours);
}

/** The condition of a due filter on a due-date expression, with dueStateOf's boundaries. */
export function dueFilterSql(due: DueFilter, expr: string, clock: DueClock): SqlWhere {
  const w = dueWindow(clock);
  return due === 'overdue'
    ? { sql: `${expr} <= ?`, params: [w.now] }
    : { sql: `(${expr} > ? AND ${expr} <= ?)`, params: [w.now, w.soon] };
}

// ---- text ---------------------------------------------------------------------------------------

/** A LIKE pattern matching `text` anywhere, its wildcards taken literally (`ESCAPE '!'`). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
}

export const likeSql = (expr: string, pattern: string): SqlWhere => ({
  sql: `${expr} LIKE ? ESCAPE '!'`,
  params: [pattern],
});

export const orSql = (parts: SqlWhere[]): SqlWhere => ({
  sql: parts.length ? `(${parts.map((p) => p.sql).join(' OR ')})` : '1=0',
  params: parts.flatMap((p) => p.params),
});

export const andSql = (parts: SqlWhere[]): SqlWhere => ({
  sql: parts.length ? parts.map((p) => p.sql).join(' AND ') : '1=1',
  params: parts.flatMap((p): SqlParam[] => p.params),
});
