import { type SqlParam, fromDbTimestamp, toDbTimestamp } from '@crm/common';
import type { CompiledEntity, FieldDef } from '@crm/metadata';
import { sanitizeRichText } from './rich-text';

export type RecordData = Record<string, unknown>;

const isManyToMany = (f: FieldDef): boolean => f.type === 'relation' && f.relation === 'manyToMany';

/** Converts one API value of a field to the column values that store it. */
export function fieldToColumns(name: string, f: FieldDef, v: unknown): Record<string, SqlParam> {
  if (f.type === 'currency') {
    if (v === null || v === undefined) return { [name]: null, [`${name}_currency`]: null };
    const c = v as { amount: number; currency?: string };
    return { [name]: c.amount, [`${name}_currency`]: c.currency ?? f.currency ?? 'CNY' };
  }
  if (v === null || v === undefined) return { [name]: null };
  switch (f.type) {
    case 'boolean':
      return { [name]: v ? 1 : 0 };
    case 'datetime':
      return { [name]: toDbTimestamp(new Date(String(v))) };
    case 'multiSelect':
    case 'json':
      return { [name]: JSON.stringify(v) };
    case 'richText':
      // the last line of defence: every column of rich text holds only allow-listed HTML
      return { [name]: typeof v === 'string' ? sanitizeRichText(v) : (v as SqlParam) };
    case 'text':
    case 'email':
    case 'phone':
    case 'url':
      // a unique value is stored trimmed: MySQL ignores trailing spaces when comparing (PAD
      // SPACE) and SQLite does not, so trimming gives both dialects one rule
      return { [name]: f.unique && typeof v === 'string' ? v.trim() : (v as SqlParam) };
    default:
      return { [name]: v as SqlParam };
  }
}

export function toRow(entity: CompiledEntity, data: RecordData): Record<string, SqlParam> {
  const row: Record<string, SqlParam> = {};
  for (const [name, v] of Object.entries(data)) {
    const f = entity.fields[name];
    if (!f || isManyToMany(f)) continue;
    Object.assign(row, fieldToColumns(name, f, v));
  }
  return row;
}

function fieldFromRow(name: string, f: FieldDef, row: Record<string, unknown>): unknown {
  const v = row[name];
  if (f.type === 'currency') {
    if (v === null || v === undefined) return null;
    return {
      amount: Number(v),
      currency: (row[`${name}_currency`] as string) ?? f.currency ?? 'CNY',
    };
  }
  if (v === null || v === undefined) return f.type === 'multiSelect' ? [] : null;
  switch (f.type) {
    case 'integer':
    case 'decimal':
    case 'percent':
    case 'relation':
      return Number(v);
    case 'boolean':
      return Number(v) === 1 || v === true;
    case 'datetime':
      return fromDbTimestamp(v);
    case 'date':
      return String(v).slice(0, 10);
    case 'multiSelect':
    case 'json':
      try {
        return JSON.parse(String(v));
      } catch {
        return v;
      }
    default:
      return String(v);
  }
}

/** Builds the API shape of a row; `only` limits the fields returned (system fields always are). */
export function fromRow(
  entity: CompiledEntity,
  row: Record<string, unknown>,
  only?: Set<string>,
): RecordData {
  const out: RecordData = { id: Number(row.id) };
  for (const [name, f] of Object.entries(entity.fields)) {
    if (isManyToMany(f) || (only && !only.has(name))) continue;
    out[name] = fieldFromRow(name, f, row);
  }
  out.owner = row.owner ?? null;
  out.createdAt = fromDbTimestamp(row.created_at);
  out.createdBy = row.created_by ?? null;
  out.updatedAt = fromDbTimestamp(row.updated_at);
  out.updatedBy = row.updated_by ?? null;
  out.version = Number(row.version);
  out.deletedAt = fromDbTimestamp(row.deleted_at);
  return out;
}

/** Columns to SELECT for a record (or a subset of its fields). */
export function selectColumns(entity: CompiledEntity, only?: Set<string>): string[] {
  const cols = [
    'id',
    'owner',
    'created_at',
    'created_by',
    'updated_at',
    'updated_by',
    'version',
    'deleted_at',
  ];
  for (const [name, f] of Object.entries(entity.fields)) {
    if (isManyToMany(f) || (only && !only.has(name))) continue;
    cols.push(name);
    if (f.type === 'currency') cols.push(`${name}_currency`);
  }
  return cols;
}
