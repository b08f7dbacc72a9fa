import type { RecordData } from '../api/records';
import type { FieldInfo } from '../entities/model';

/** The parts of a `view` document the list page reads (as GET /api/meta/entities sends it). */
export interface ViewDoc {
  columns: string[];
  filter?: Record<string, unknown>;
  sort?: Array<{ field: string; order?: 'asc' | 'desc' }>;
  groupBy?: string;
  kanban?: string;
  pageSize?: number;
  /** The calendar mode: records placed by a date / datetime start (to an end), titled by a field. */
  calendar?: { start: string; end?: string; title?: string };
}

export const DEFAULT_PAGE_SIZE = 50;

/**
 * The columns a user sees: the view's, without those their schema does not have (fields they may
 * not read); when none is left, the defaults. The link to the record sits on the display field,
 * or on the first column when the view leaves the display field out.
 */
export function viewColumns(
  view: ViewDoc | undefined,
  fields: Map<string, FieldInfo>,
  fallback: string[],
  displayField: string,
): { columns: string[]; link: string } {
  const own = (view?.columns ?? []).filter((c) => fields.has(c));
  const columns = own.length ? own : fallback;
  return { columns, link: columns.includes(displayField) ? displayField : columns[0] };
}

/**
 * The `sort` of a list request: the user's column sort, else the view's; a grouped list is
 * ordered by its group field first so each group's rows come together.
 */
export function sortParam(
  view: ViewDoc | undefined,
  userSort?: string,
  /** Fields the user may read: the view's sort by another is dropped (the API would refuse it). */
  known: (field: string) => boolean = () => true,
): string | undefined {
  const viewSort = (view?.sort ?? [])
    .filter((s) => known(s.field))
    .map((s) => `${s.order === 'desc' ? '-' : ''}${s.field}`)
    .join(',');
  const base = userSort ?? (viewSort || undefined);
  if (!view?.groupBy) return base;
  const rest = (base ?? '').split(',').filter((k) => k && k.replace(/^-/, '') !== view.groupBy);
  return [view.groupBy, ...rest].join(',');
}

/** The filter of a list request: the view's default one (while on) AND the user's own. */
export function combineFilter(
  viewFilter: Record<string, unknown> | undefined,
  own: Record<string, unknown>,
): Record<string, unknown> {
  const parts = [viewFilter, own].filter(
    (f): f is Record<string, unknown> => !!f && Object.keys(f).length > 0,
  );
  if (parts.length === 0) return {};
  return parts.length === 1 ? parts[0] : { and: parts };
}

/** A group's header row in a grouped table: the group's value, read off its first record. */
export interface GroupRow {
  id: string;
  group: true;
  /** The first record of the group (its field renders the group's title). */
  first: RecordData;
  count: number;
}

export const isGroupRow = (r: RecordData | GroupRow): r is GroupRow =>
  (r as GroupRow).group === true;

/**
 * Rows of a grouped table: a header before each run of rows sharing the group field's value
 * (sortParam puts the group field first, so a group is one run; counts are of the rows loaded).
 */
export function groupRows(rows: RecordData[], field: string): Array<RecordData | GroupRow> {
  const out: Array<RecordData | GroupRow> = [];
  let header: GroupRow | undefined;
  let last: string | undefined;
  for (const r of rows) {
    const key = JSON.stringify(r[field] ?? null);
    if (!header || key !== last) {
      header = { id: `group:${key}:${out.length}`, group: true, first: r, count: 0 };
      out.push(header);
      last = key;
    }
    header.count++;
    out.push(r);
  }
  return out;
}

/** What a page's "select all" shows and selects: its records, not its group headers. */
export function pageSelection(
  rows: Array<RecordData | GroupRow>,
  selected: readonly number[],
): { ids: number[]; all: boolean; some: boolean } {
  const ids = rows.filter((r) => !isGroupRow(r)).map((r) => (r as RecordData).id as number);
  const chosen = new Set(selected);
  const n = ids.filter((id) => chosen.has(id)).length;
  return { ids, all: ids.length > 0 && n === ids.length, some: n > 0 && n < ids.length };
}
