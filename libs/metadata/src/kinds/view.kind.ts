import type { ErrorDetail } from '@crm/common';
import type { EntityDocument, FieldDef, I18nText } from '../types';
import { layoutEntity, namedLikeAnother, unknownField } from './form.kind';
import {
  type DocumentKindSpec,
  type KindCheckContext,
  docNameSchema,
  i18nSchema,
} from './registry';

/**
 * `view` documents set up the list page of an entity: its columns, a default filter (the records
 * API filter syntax), sort, grouping, the kanban lane field and the page size. The view named like
 * its entity is the one the app opens; users' own saved views (saved-views.ts) start from it.
 */
export interface ViewDocument {
  kind: 'view';
  name: string;
  label?: I18nText;
  entity?: string;
  columns: string[];
  filter?: Record<string, unknown>;
  sort?: Array<{ field: string; order?: 'asc' | 'desc' }>;
  groupBy?: string;
  kanban?: string;
  pageSize?: number;
  /** The calendar mode of the list: records placed by a date / datetime field. */
  calendar?: ViewCalendar;
}

/** Where a record sits on the calendar: from `start` (to `end`), shown by `title`. */
export interface ViewCalendar {
  start: string;
  end?: string;
  title?: string;
}

/** System fields that are datetimes (a calendar can place records by them). */
const SYSTEM_DATETIMES = new Set(['createdAt', 'updatedAt']);

/** Bounds of a page of the list (the records API reads at most 500 rows a request). */
export const VIEW_PAGE_SIZE = { min: 5, max: 200, default: 50 } as const;

/** System fields a list can show and sort by (besides the entity's fields). */
export const VIEW_SYSTEM_FIELDS = [
  'id',
  'owner',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
] as const;

const fieldName = { type: 'string', pattern: '^[a-z][a-zA-Z0-9_]{0,63}$' };

export const viewKind: DocumentKindSpec = {
  kind: 'view',
  schema: {
    type: 'object',
    required: ['kind', 'name', 'columns'],
    properties: {
      kind: { const: 'view' },
      name: docNameSchema,
      label: i18nSchema,
      entity: docNameSchema,
      columns: { type: 'array', items: fieldName, minItems: 1, maxItems: 30 },
      filter: { type: 'object', additionalProperties: true },
      sort: {
        type: 'array',
        maxItems: 5,
        items: {
          type: 'object',
          required: ['field'],
          properties: { field: fieldName, order: { enum: ['asc', 'desc'] } },
          additionalProperties: false,
        },
      },
      groupBy: fieldName,
      kanban: fieldName,
      pageSize: { type: 'integer', minimum: VIEW_PAGE_SIZE.min, maximum: VIEW_PAGE_SIZE.max },
      calendar: {
        type: 'object',
        // an end alone places nothing: the start is what the calendar reads by
        required: ['start'],
        properties: { start: fieldName, end: fieldName, title: fieldName },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  check: checkView,
};

/**
 * Checks a view's default filter against its entity: the records layer installs its own filter
 * parser here (libs/records), so a view says only what a list request could say. The metadata
 * library cannot import the records library (that one builds on this one).
 */
export type ViewFilterCheck = (
  entities: Map<string, EntityDocument>,
  entity: string,
  filter: unknown,
) => ErrorDetail[];
let filterCheck: ViewFilterCheck | undefined;
export function setViewFilterCheck(check: ViewFilterCheck): void {
  filterCheck = check;
}

/** A select, a many-to-one relation or the owner: a field whose values make kanban lanes. */
export function isLaneField(entity: EntityDocument, name: string): boolean {
  if (name === 'owner') return true;
  const f: FieldDef | undefined = Object.hasOwn(entity.fields, name)
    ? entity.fields[name]
    : undefined;
  return f?.type === 'select' || (f?.type === 'relation' && f.relation === 'manyToOne');
}

/** Types the records API cannot order by (sort-cursor.ts: lists, links, json). */
const UNSORTABLE = new Set(['multiSelect', 'json', 'richText']);

function checkView(raw: Record<string, unknown>, ctx: KindCheckContext): ErrorDetail[] {
  const doc = raw as unknown as ViewDocument;
  const name = layoutEntity(doc);
  const entity = ctx.entities.get(name);
  if (!entity)
    return [
      {
        path: doc.entity ? '/entity' : '/name',
        message: doc.entity
          ? `unknown entity "${name}"`
          : `no entity is named "${name}": name the entity with \`entity:\``,
      },
    ];
  const errors: ErrorDetail[] = namedLikeAnother(doc, ctx);
  const known = (f: string, at: string): boolean => {
    const bad = unknownField(entity, f, at, VIEW_SYSTEM_FIELDS);
    errors.push(...bad);
    return bad.length === 0;
  };
  const seen = new Set<string>();
  doc.columns.forEach((c, i) => {
    const at = `/columns/${i}`;
    if (!known(c, at)) return;
    if (seen.has(c)) errors.push({ path: at, message: `${c} is a column twice` });
    else if (Object.hasOwn(entity.fields, c) && entity.fields[c].type === 'json')
      errors.push({ path: at, message: `${c} is a json field: a list cannot show it` });
    seen.add(c);
  });
  const sorted = new Set<string>();
  (doc.sort ?? []).forEach((s, i) => {
    const at = `/sort/${i}/field`;
    if (!known(s.field, at)) return;
    const f = Object.hasOwn(entity.fields, s.field) ? entity.fields[s.field] : undefined;
    if (f && (UNSORTABLE.has(f.type) || (f.type === 'relation' && f.relation === 'manyToMany')))
      errors.push({ path: at, message: `${s.field} (${f.type}) cannot be sorted by` });
    if (sorted.has(s.field)) errors.push({ path: at, message: `${s.field} is sorted by twice` });
    sorted.add(s.field);
  });
  for (const key of ['groupBy', 'kanban'] as const) {
    const f = doc[key];
    if (f === undefined || !known(f, `/${key}`)) continue;
    const boolean = Object.hasOwn(entity.fields, f) && entity.fields[f].type === 'boolean';
    // grouping also takes a yes/no field; kanban lanes are the values a card is dragged between
    if (!isLaneField(entity, f) && !(key === 'groupBy' && boolean))
      errors.push({
        path: `/${key}`,
        message: `${f} cannot ${key === 'kanban' ? 'make kanban lanes' : 'group a list'}: use a select field, a many-to-one relation or owner${key === 'groupBy' ? ' (or a yes/no field)' : ''}`,
      });
  }
  if (doc.calendar) errors.push(...checkCalendar(doc.calendar, entity, known));
  if (doc.filter !== undefined && filterCheck)
    errors.push(...filterCheck(ctx.entities, name, doc.filter));
  return errors;
}

/** The calendar's fields: start / end are dates or datetimes, the title any showable field. */
function checkCalendar(
  cal: ViewCalendar,
  entity: EntityDocument,
  known: (f: string, at: string) => boolean,
): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  for (const key of ['start', 'end'] as const) {
    const f = cal[key];
    const at = `/calendar/${key}`;
    if (f === undefined || !known(f, at)) continue;
    const type = Object.hasOwn(entity.fields, f) ? entity.fields[f].type : undefined;
    const dated = type ? type === 'date' || type === 'datetime' : SYSTEM_DATETIMES.has(f);
    if (!dated)
      errors.push({
        path: at,
        message: `${f}${type ? ` (${type})` : ''} cannot place records on a calendar: use a date or datetime field`,
      });
  }
  if (cal.end !== undefined && cal.end === cal.start)
    errors.push({ path: '/calendar/end', message: `${cal.end} is both the start and the end` });
  if (cal.title !== undefined && known(cal.title, '/calendar/title')) {
    const f = Object.hasOwn(entity.fields, cal.title) ? entity.fields[cal.title] : undefined;
    if (f && (f.type === 'json' || (f.type === 'relation' && f.relation === 'manyToMany')))
      errors.push({
        path: '/calendar/title',
        message: `${cal.title} (${f.type}) cannot title a calendar entry`,
      });
  }
  return errors;
}

/** The view documents of a document set. */
export function viewDocuments(documents: readonly { kind: string }[]): ViewDocument[] {
  return documents.filter((d): d is ViewDocument => d.kind === 'view');
}

/**
 * The view the app opens for an entity: its own (named like it), else the display field and the
 * next five fields a table shows well (in the order the records API returns by default).
 */
export function viewFor(
  documents: readonly { kind: string }[],
  entity: EntityDocument,
): ViewDocument {
  return viewDocuments(documents).find((v) => v.name === entity.name) ?? defaultView(entity);
}

const NOT_A_COLUMN = new Set(['longText', 'richText', 'json', 'file', 'multiSelect']);

export function defaultView(entity: EntityDocument): ViewDocument {
  const rest = Object.entries(entity.fields)
    .filter(
      ([n, f]) =>
        n !== entity.displayField &&
        !NOT_A_COLUMN.has(f.type) &&
        !(f.type === 'relation' && f.relation === 'manyToMany'),
    )
    .map(([n]) => n);
  const columns = [entity.displayField, ...rest].slice(0, 6);
  return {
    kind: 'view',
    name: entity.name,
    entity: entity.name,
    columns,
    pageSize: VIEW_PAGE_SIZE.default,
  };
}
