import type { ListQuery } from '../api/listUrl';
import { defaultColumns, type EntitySchema, fieldsOf } from '../entities/model';
import { buildFilter } from './filter';
import { combineFilter, DEFAULT_PAGE_SIZE, sortParam, type ViewDoc, viewColumns } from './view';

/** What GET /api/meta/entities says of an entity that the list's first request depends on. */
export interface EntityEntry {
  name: string;
  displayField: string;
  view?: ViewDoc | null;
}

/**
 * The request of a list's first page as the list page opens (no column sort, no filter of the
 * user's, the view's default filter on): the view's columns decide which relations come along,
 * the view sets sort and page size. The early script (boot/early.ts) asks for it before the app
 * has loaded; the list page's query must ask for the same page, or the early answer goes unused.
 */
export function firstPageQuery(
  entity: string,
  entities: EntityEntry[],
  schema: EntitySchema,
): ListQuery {
  const view = entities.find((e) => e.name === entity)?.view ?? undefined;
  const byName = new Map(fieldsOf(schema).map((f) => [f.name, f]));
  const displayFieldOf = (e: string) => entities.find((x) => x.name === e)?.displayField;
  const { columns } = viewColumns(view, byName, defaultColumns(schema), schema['x-display-field']);
  return {
    filter: combineFilter(view?.filter, buildFilter([], byName, displayFieldOf)),
    sort: sortParam(view, undefined, (f) => byName.has(f)),
    limit: view?.pageSize ?? DEFAULT_PAGE_SIZE,
    cursor: null,
    include: columns.filter((c) => byName.get(c)?.relation?.kind === 'manyToOne'),
    count: true,
  };
}

/**
 * The query key of a list's pages, from what its request depends on (all but the cursor): the
 * list page's query and the first screen's seed (boot/seed.ts) must agree on it, or the early
 * answer is put where the list never looks. Starts with ['records', entity], which a change
 * invalidates.
 */
export const recordsKey = (entity: string, q: ListQuery) =>
  ['records', entity, q.filter, q.sort, q.include, q.limit] as const;
