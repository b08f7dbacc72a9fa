import { type Db, q } from '@crm/common';
import type { CompiledEntity, FieldDef, MetadataModel } from '@crm/metadata';
import { fromRow } from '@crm/records';

/** How many fields besides the display field a summary shows. */
export const SUMMARY_FIELDS = 3;

/**
 * Field types a one-line summary can show. Long text, rich text, JSON, files and relations (an id
 * says nothing without its target's name) are left to the record page.
 */
const SHOWN = new Set<FieldDef['type']>([
  'text',
  'autoNumber',
  'integer',
  'decimal',
  'currency',
  'percent',
  'boolean',
  'date',
  'datetime',
  'email',
  'phone',
  'url',
  'select',
  'multiSelect',
]);

/** What an inbox item or a timeline shows of the record an instance is about. */
export interface RecordSummary {
  entity: string;
  id: number;
  /** The display field's value; null when the caller may not read it or the record is gone. */
  display: string | null;
  /** A few fields (the first SUMMARY_FIELDS the summary can show), minus those hidden from the caller. */
  fields: Record<string, unknown>;
}

/** May the caller read this field of a record they take part in? (field-level read rules) */
export type FieldReader = (entity: string, field: string) => boolean;

/**
 * The fields of an entity a summary shows: the display field, then the first few showable fields
 * in the order the entity declares them. (The model has no list columns yet; when `view`
 * documents land, their columns should come first.)
 */
export function summaryFieldsOf(e: CompiledEntity): { display: string; fields: string[] } {
  const display = e.doc.displayField;
  const fields = Object.entries(e.fields)
    .filter(([name, f]) => name !== display && SHOWN.has(f.type))
    .slice(0, SUMMARY_FIELDS)
    .map(([name]) => name);
  return { display, fields };
}

/** The summary of one record row as the caller may see it. */
export function summarize(
  e: CompiledEntity,
  id: number,
  row: Record<string, unknown> | undefined,
  canRead: FieldReader,
): RecordSummary {
  const { display, fields } = summaryFieldsOf(e);
  if (!row) return { entity: e.name, id, display: null, fields: {} };
  const data = fromRow(e, row, new Set([display, ...fields]));
  const shown = fields.filter((f) => canRead(e.name, f));
  const value = canRead(e.name, display) ? data[display] : null;
  return {
    entity: e.name,
    id,
    display: value === null || value === undefined ? null : String(value),
    fields: Object.fromEntries(shown.map((f) => [f, data[f] ?? null])),
  };
}

/**
 * Summaries of the records a page of instances is about: one query per entity on the page, by
 * primary key. Soft-deleted records still show (the approval happened); a record that no longer
 * exists, or an entity the model dropped, shows its reference only.
 */
export async function readSummaries(
  db: Db,
  model: MetadataModel,
  refs: Array<{ entity: string; id: number }>,
  canRead: FieldReader,
): Promise<Map<string, RecordSummary>> {
  const out = new Map<string, RecordSummary>();
  const byEntity = new Map<string, Set<number>>();
  for (const r of refs) {
    const ids = byEntity.get(r.entity) ?? new Set<number>();
    ids.add(r.id);
    byEntity.set(r.entity, ids);
  }
  for (const [name, idSet] of byEntity) {
    const ids = [...idSet];
    const e = model.entities.get(name);
    if (!e) {
      for (const id of ids)
        out.set(`${name}:${id}`, { entity: name, id, display: null, fields: {} });
      continue;
    }
    const { display, fields } = summaryFieldsOf(e);
    const columns = ['id'];
    for (const f of [display, ...fields]) {
      const def = e.fields[f];
      if (!def || (def.type === 'relation' && def.relation === 'manyToMany')) continue;
      columns.push(f);
      if (def.type === 'currency') columns.push(`${f}_currency`);
    }
    const rows = await db.query<Record<string, unknown>>(
      `SELECT ${columns.map(q).join(', ')} FROM ${q(e.table)} WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    const found = new Map(rows.map((r) => [Number(r.id), r]));
    for (const id of ids) out.set(`${name}:${id}`, summarize(e, id, found.get(id), canRead));
  }
  return out;
}
