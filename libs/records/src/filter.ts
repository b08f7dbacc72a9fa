import {
  CrmError,
  type ErrorDetail,
  ErrorCode,
  type SqlParam,
  q,
  toDbTimestamp,
} from '@crm/common';
import {
  type CompiledEntity,
  type FieldDef,
  type MetadataModel,
  junctionTableName,
} from '@crm/metadata';

/**
 * Record filters as JSON, translated to a parameterised SQL WHERE clause:
 *   { "status": "open", "amount": { "gte": 100 }, "account.name": { "startsWith": "Acme" },
 *     "or": [ { "owner": "li" }, { "tags": { "contains": "vip" } } ] }
 * Keys of one object are ANDed; `and` / `or` take lists. A plain value means `eq`. Field names are
 * checked against the model before they become identifiers; every value is a parameter.
 */
export const FILTER_OPS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'contains',
  'startsWith',
  'isNull',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface SqlFragment {
  sql: string;
  params: SqlParam[];
}

/** Alias of a related entity in a filter: `r` one many-to-one hop away, `m` a many-to-many target. */
export type RelatedAlias = 'r' | 'm';
/** The user's read condition on a related entity over the given alias (undefined: no limit). */
export type RelatedRows = (entity: string, alias: RelatedAlias) => SqlFragment | undefined;

/** A system column as seen by filters and sorts. */
const SYSTEM_FIELDS: Record<
  string,
  { column: string; kind: 'id' | 'text' | 'datetime' | 'integer' }
> = {
  id: { column: 'id', kind: 'id' },
  owner: { column: 'owner', kind: 'text' },
  createdAt: { column: 'created_at', kind: 'datetime' },
  createdBy: { column: 'created_by', kind: 'text' },
  updatedAt: { column: 'updated_at', kind: 'datetime' },
  updatedBy: { column: 'updated_by', kind: 'text' },
  version: { column: 'version', kind: 'integer' },
};

type ValueKind = 'text' | 'number' | 'boolean' | 'date' | 'datetime' | 'list' | 'm2m' | 'none';

export interface ResolvedField {
  column: string;
  kind: ValueKind;
  field?: FieldDef;
  name: string;
}

function kindOf(f: FieldDef): ValueKind {
  switch (f.type) {
    case 'integer':
    case 'decimal':
    case 'percent':
    case 'currency':
      return 'number';
    case 'relation':
      return f.relation === 'manyToMany' ? 'm2m' : 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'multiSelect':
      return 'list';
    case 'json':
    case 'richText':
      return 'none';
    default:
      return 'text';
  }
}

/** Resolves a (possibly `currency.currency`) field name of one entity to its column. */
export function resolveField(entity: CompiledEntity, name: string): ResolvedField | undefined {
  const sys = Object.hasOwn(SYSTEM_FIELDS, name) ? SYSTEM_FIELDS[name] : undefined;
  if (sys) {
    return {
      column: sys.column,
      kind: sys.kind === 'id' || sys.kind === 'integer' ? 'number' : sys.kind,
      name,
    };
  }
  const [base, sub] = name.split('.');
  const f = Object.hasOwn(entity.fields, base) ? entity.fields[base] : undefined;
  if (!f) return undefined;
  if (sub !== undefined) {
    if (f.type === 'currency' && sub === 'currency')
      return { column: `${base}_currency`, kind: 'text', field: f, name };
    if (f.type === 'currency' && sub === 'amount')
      return { column: base, kind: 'number', field: f, name };
    return undefined;
  }
  return { column: base, kind: kindOf(f), field: f, name };
}

const OPS_BY_KIND: Record<ValueKind, FilterOp[]> = {
  text: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'startsWith', 'isNull'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'],
  date: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull'],
  datetime: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'isNull'],
  boolean: ['eq', 'ne', 'isNull'],
  list: ['contains', 'isNull'],
  m2m: ['contains', 'in', 'isNull'],
  none: ['isNull'],
};

const escapeLike = (s: string): string => s.replace(/[!%_]/g, (c) => `!${c}`);

/**
 * One list request must not be able to hold the database: 180 OR'ed `contains` over 100,000 rows
 * took seconds each. A filter has at most this many comparisons and this much and/or nesting.
 */
export const MAX_FILTER_CONDITIONS = 50;
export const MAX_FILTER_DEPTH = 6;

/** A real calendar day both dialects store (MySQL's DATE and DATETIME reach 9999-12-31). */
function isStorableDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1000 && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

class Translator {
  readonly errors: ErrorDetail[] = [];
  private conditions = 0;
  constructor(
    private readonly model: MetadataModel,
    private readonly root: CompiledEntity,
    private readonly readable?: (entity: string, field: string) => boolean,
    private readonly relatedRows?: RelatedRows,
  ) {}

  fail(path: string, message: string): SqlFragment {
    this.errors.push({ path, message });
    return { sql: '1=0', params: [] };
  }

  node(entity: CompiledEntity, f: unknown, path: string, alias: string, depth = 0): SqlFragment {
    if (f === null || typeof f !== 'object' || Array.isArray(f)) {
      return this.fail(path, 'a filter must be an object of conditions');
    }
    if (depth > MAX_FILTER_DEPTH)
      return this.fail(path, `and/or nest at most ${MAX_FILTER_DEPTH} levels deep`);
    const parts: SqlFragment[] = [];
    for (const [key, value] of Object.entries(f)) {
      const at = `${path}/${key}`;
      if (key === 'and' || key === 'or') {
        if (!Array.isArray(value) || value.length === 0) {
          parts.push(this.fail(at, `"${key}" takes a non-empty list of filters`));
          continue;
        }
        const sub = value.map((v, i) => this.node(entity, v, `${at}/${i}`, alias, depth + 1));
        parts.push({
          sql: `(${sub.map((s) => s.sql).join(key === 'and' ? ' AND ' : ' OR ')})`,
          params: sub.flatMap((s) => s.params),
        });
        continue;
      }
      parts.push(this.condition(entity, key, value, at, alias));
    }
    if (parts.length === 0) return { sql: '1=1', params: [] };
    return { sql: parts.map((p) => p.sql).join(' AND '), params: parts.flatMap((p) => p.params) };
  }

  condition(
    entity: CompiledEntity,
    key: string,
    value: unknown,
    path: string,
    alias: string,
  ): SqlFragment {
    const dot = key.indexOf('.');
    const head = dot >= 0 ? key.slice(0, dot) : key;
    const headField = Object.hasOwn(entity.fields, head) ? entity.fields[head] : undefined;
    // One hop through a manyToOne relation: account.name → account IN (SELECT id FROM e_account WHERE ...)
    if (dot >= 0 && headField?.type === 'relation' && headField.relation === 'manyToOne') {
      if (entity !== this.root)
        return this.fail(path, 'filters reach one relation away, not further');
      const target = this.model.entities.get(headField.target!);
      if (!target) return this.fail(path, `relation ${head} points at a missing entity`);
      if (this.readable && !this.readable(entity.name, head))
        return this.fail(path, `unknown field "${key}"`);
      const inner = this.condition(target, key.slice(dot + 1), value, path, 'r');
      // only related records the user may read can match, or a filter would probe hidden ones
      const allowed = this.relatedRows?.(target.name, 'r');
      return {
        sql: `${alias}.${q(head)} IN (SELECT r.${q('id')} FROM ${q(target.table)} r WHERE r.${q('deleted_at')} IS NULL AND ${allowed ? `${allowed.sql} AND ` : ''}${inner.sql})`,
        params: [...(allowed?.params ?? []), ...inner.params],
      };
    }
    const rf = resolveField(entity, key);
    if (!rf || (this.readable && !this.readable(entity.name, head))) {
      return this.fail(path, `unknown field "${key}" on ${entity.name}`);
    }
    const isOpObject = value !== null && typeof value === 'object' && !Array.isArray(value);
    const ops = isOpObject
      ? Object.entries(value as Record<string, unknown>)
      : [['eq', value] as [string, unknown]];
    if (ops.length === 0) return this.fail(path, 'an empty condition');
    const parts = ops.map(([op, v]) =>
      this.op(entity, rf, op, v, isOpObject ? `${path}/${op}` : path, alias),
    );
    return { sql: parts.map((p) => p.sql).join(' AND '), params: parts.flatMap((p) => p.params) };
  }

  value(rf: ResolvedField, v: unknown, path: string): SqlParam | undefined {
    const bad = (why: string): undefined => {
      this.errors.push({ path, message: why });
      return undefined;
    };
    switch (rf.kind) {
      case 'number':
        return typeof v === 'number' && Number.isFinite(v) ? v : bad(`${rf.name} takes a number`);
      case 'boolean':
        return typeof v === 'boolean' ? (v ? 1 : 0) : bad(`${rf.name} takes true or false`);
      // a date the database cannot hold would compare as NULL or garbage (and matched every row
      // on MySQL): refused, so a filter means what it says
      case 'date':
        return typeof v === 'string' && isStorableDate(v)
          ? v
          : bad(`${rf.name} takes a date YYYY-MM-DD from 1000-01-01 to 9999-12-31`);
      case 'datetime': {
        const d = typeof v === 'string' ? new Date(v) : undefined;
        const year = d?.getUTCFullYear() ?? NaN;
        return d && year >= 1000 && year <= 9999
          ? toDbTimestamp(d)
          : bad(`${rf.name} takes an ISO date-time from year 1000 to 9999`);
      }
      case 'text':
      case 'list':
        return typeof v === 'string' ? v : bad(`${rf.name} takes a string`);
      case 'm2m':
        return typeof v === 'number' && Number.isInteger(v)
          ? v
          : bad(`${rf.name} takes a record id`);
      case 'none':
        return bad(`${rf.name} cannot be compared`);
    }
  }

  /**
   * The links of the record at `alias` through a many-to-many field, as a SELECT to wrap in
   * EXISTS. With the access layer only links to records the user may read count, so a filter
   * cannot confirm a link that reads hide.
   */
  links(entity: CompiledEntity, rf: ResolvedField, alias: string): SqlFragment {
    const jt = junctionTableName(entity.name, rf.column);
    const target = rf.field?.target ? this.model.entities.get(rf.field.target) : undefined;
    const allowed = target ? this.relatedRows?.(target.name, 'm') : undefined;
    const join = allowed
      ? ` JOIN ${q(target!.table)} m ON m.${q('id')} = j.target_id AND (${allowed.sql})`
      : '';
    return {
      sql: `SELECT 1 FROM ${q(jt)} j${join} WHERE j.source_id = ${alias}.${q('id')}`,
      params: allowed?.params ?? [],
    };
  }

  op(
    entity: CompiledEntity,
    rf: ResolvedField,
    op: string,
    v: unknown,
    path: string,
    alias: string,
  ): SqlFragment {
    if (!FILTER_OPS.includes(op as FilterOp)) {
      return this.fail(path, `unknown operator "${op}" (use ${FILTER_OPS.join(', ')})`);
    }
    if (++this.conditions === MAX_FILTER_CONDITIONS + 1)
      return this.fail(path, `a filter has at most ${MAX_FILTER_CONDITIONS} conditions`);
    if (!OPS_BY_KIND[rf.kind].includes(op as FilterOp)) {
      return this.fail(path, `operator "${op}" does not apply to ${rf.name}`);
    }
    const col = `${alias}.${q(rf.column)}`;
    if (op === 'isNull') {
      if (typeof v !== 'boolean') return this.fail(path, 'isNull takes true or false');
      if (rf.kind === 'm2m') {
        const links = this.links(entity, rf, alias);
        return { sql: `${v ? 'NOT ' : ''}EXISTS (${links.sql})`, params: links.params };
      }
      return { sql: `${col} IS ${v ? '' : 'NOT '}NULL`, params: [] };
    }
    if (rf.kind === 'm2m') {
      const ids = op === 'in' ? v : [v];
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > 1000)
        return this.fail(path, `${op} takes a list of 1 to 1000 values`);
      const ps = ids.map((x, i) => this.value(rf, x, `${path}/${i}`));
      const links = this.links(entity, rf, alias);
      return {
        sql: `EXISTS (${links.sql} AND j.target_id IN (${ps.map(() => '?').join(', ')}))`,
        params: [...links.params, ...ps.map((p) => p ?? null)],
      };
    }
    if (op === 'in' || op === 'nin') {
      if (!Array.isArray(v) || v.length === 0 || v.length > 1000) {
        return this.fail(path, `${op} takes a list of 1 to 1000 values`);
      }
      const ps = v.map((x, i) => this.value(rf, x, `${path}/${i}`));
      return {
        sql: `${op === 'nin' ? `(${col} IS NULL OR ` : ''}${col} ${op === 'in' ? 'IN' : 'NOT IN'} (${ps.map(() => '?').join(', ')})${op === 'nin' ? ')' : ''}`,
        params: ps.map((p) => p ?? null),
      };
    }
    if (v === null && (op === 'eq' || op === 'ne')) {
      return { sql: `${col} IS ${op === 'eq' ? '' : 'NOT '}NULL`, params: [] };
    }
    if (rf.kind === 'list') {
      const p = this.value(rf, v, path);
      return {
        sql: `${col} LIKE ? ESCAPE '!'`,
        params: [`%${escapeLike(JSON.stringify(p ?? ''))}%`],
      };
    }
    const p = this.value(rf, v, path) ?? null;
    switch (op as FilterOp) {
      case 'eq':
        return { sql: `${col} = ?`, params: [p] };
      case 'ne':
        return { sql: `(${col} IS NULL OR ${col} <> ?)`, params: [p] };
      case 'gt':
        return { sql: `${col} > ?`, params: [p] };
      case 'gte':
        return { sql: `${col} >= ?`, params: [p] };
      case 'lt':
        return { sql: `${col} < ?`, params: [p] };
      case 'lte':
        return { sql: `${col} <= ?`, params: [p] };
      case 'contains':
        return { sql: `${col} LIKE ? ESCAPE '!'`, params: [`%${escapeLike(String(p ?? ''))}%`] };
      case 'startsWith':
        return { sql: `${col} LIKE ? ESCAPE '!'`, params: [`${escapeLike(String(p ?? ''))}%`] };
      default:
        return this.fail(path, `operator "${op}" is not supported here`);
    }
  }
}

/**
 * Translates a filter for `entity` (alias `t`). `readable` lets the access layer hide fields: a
 * filter on a field the user may not read is refused like an unknown field, so it cannot probe.
 */
export function translateFilter(
  model: MetadataModel,
  entity: CompiledEntity,
  filter: unknown,
  readable?: (entity: string, field: string) => boolean,
  /** The user's read condition on a related entity (see RelatedAlias). */
  relatedRows?: RelatedRows,
): SqlFragment {
  if (filter === undefined || filter === null) return { sql: '1=1', params: [] };
  const t = new Translator(model, entity, readable, relatedRows);
  const out = t.node(entity, filter, '/filter', 't');
  if (t.errors.length) {
    throw new CrmError(ErrorCode.FilterInvalid, `filter has ${t.errors.length} error(s)`, t.errors);
  }
  return out;
}
