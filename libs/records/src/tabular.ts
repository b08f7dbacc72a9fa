import { CrmError, type ErrorDetail, ErrorCode } from '@crm/common';
import type { CompiledEntity, FieldDef } from '@crm/metadata';
import type { RecordData } from './codec';
import { type CsvCell, restoreFormula } from './csv';
import { headerAliases, optionLabel, optionValue } from './header-labels';
import type { Locale } from './record-validator';

/**
 * Records ↔ rows of a file (CSV cells or JSON objects) for export and import, as pure functions.
 * Representation, chosen so a spreadsheet user can read and edit it and an exported file imports
 * again unchanged:
 * - relations are record ids (many-to-many: ids joined by `;`), multi-selects option values
 *   joined by `;` (option values cannot contain one);
 * - dates `YYYY-MM-DD`, date-times ISO 8601 in UTC, booleans `true`/`false`;
 * - a currency field is two columns, `<field>` (the amount, a number) and `<field>.currency`;
 * - json fields are JSON text; empty cells mean "no value".
 */

/** System fields an export writes after the entity's fields. */
const SYSTEM_COLUMNS = ['owner', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'];
const SYSTEM_NAMES = new Set(['id', ...SYSTEM_COLUMNS, 'version', 'deletedAt']);
const CURRENCY_SUFFIX = '.currency';
const LIST_SEPARATOR = ';';

const isM2M = (f: FieldDef): boolean => f.type === 'relation' && f.relation === 'manyToMany';

/**
 * Import skips what the system generates on create (ids, audit columns, auto-numbers): an
 * exported file carries them, and re-importing it creates new records with fresh ones.
 */
export function isGeneratedColumn(e: CompiledEntity, name: string): boolean {
  if (name === 'owner') return false;
  if (SYSTEM_NAMES.has(name) || name === '_related') return true;
  const f = e.fields[name];
  // computed fields too: the server computes them, and an exported file carries them
  return f?.type === 'autoNumber' || f?.formula !== undefined || f?.rollup !== undefined;
}

/**
 * The fields an export writes, in order: `id`, the requested fields (entity or system fields), or
 * else every field then the system fields — leaving out whatever the user may not read. A
 * requested field the user may not read is refused like an unknown one, as the list endpoint does.
 */
export function exportFields(
  e: CompiledEntity,
  requested: string[] | undefined,
  readable: (field: string) => boolean,
): string[] {
  const known = (f: string) => (Object.hasOwn(e.fields, f) || SYSTEM_NAMES.has(f)) && readable(f);
  if (requested?.length) {
    const bad = requested.filter((f) => !known(f));
    if (bad.length)
      throw new CrmError(
        ErrorCode.FieldUnknown,
        `unknown field(s): ${bad.join(', ')}`,
        bad.map((f) => ({ path: 'fields', message: `unknown field "${f}" on ${e.name}` })),
      );
    return [...new Set(['id', ...requested])];
  }
  return ['id', ...Object.keys(e.fields), ...SYSTEM_COLUMNS].filter((f) => f === 'id' || known(f));
}

/** One CSV column: a field, or the currency code part of a currency field. */
export interface Column {
  header: string;
  field: string;
  part?: 'currency';
  /** A file for people (headers=labels): select options are written as their labels in this language. */
  labels?: Locale;
}

export function csvColumns(e: CompiledEntity, fields: string[]): Column[] {
  return fields.flatMap((field): Column[] =>
    e.fields[field]?.type === 'currency'
      ? [
          { header: field, field },
          { header: `${field}${CURRENCY_SUFFIX}`, field, part: 'currency' },
        ]
      : [{ header: field, field }],
  );
}

export function toCsvCells(e: CompiledEntity, columns: Column[], rec: RecordData): CsvCell[] {
  return columns.map((c) => {
    const v = rec[c.field];
    if (v === null || v === undefined) return null;
    const f = e.fields[c.field];
    if (!f) return typeof v === 'number' ? v : String(v);
    switch (f.type) {
      case 'currency': {
        const money = v as { amount: number; currency: string };
        return c.part === 'currency' ? money.currency : money.amount;
      }
      case 'select':
        return c.labels ? optionLabel(f, String(v as string), c.labels) : String(v as string);
      case 'multiSelect':
        return (v as string[])
          .map((o) => (c.labels ? optionLabel(f, o, c.labels) : o))
          .join(LIST_SEPARATOR);
      case 'relation':
        return Array.isArray(v) ? v.join(LIST_SEPARATOR) : (v as number);
      case 'integer':
      case 'decimal':
      case 'percent':
        return v as number;
      case 'boolean':
        return v ? 'true' : 'false';
      case 'json':
        return JSON.stringify(v);
      default:
        return String(v as string);
    }
  });
}

/** The exported fields of a record, as the list endpoint shapes them. */
export function toJsonRecord(fields: string[], rec: RecordData): RecordData {
  const out: RecordData = {};
  for (const f of fields) if (f in rec) out[f] = rec[f];
  return out;
}

export interface ImportHeader {
  /** Per file column: where its cells go (null: a generated column, skipped). */
  columns: Array<Column | null>;
  /** The fields the file writes: checked against the user's create permission. */
  fields: string[];
  /** Generated columns skipped (ids, audit columns, auto-numbers). */
  ignored: string[];
}

/**
 * Maps a CSV header to fields; every unknown, unnamed or repeated column is reported at once. A
 * column may be named by its field or by the field's label in either language (header-labels.ts).
 */
export function importHeader(e: CompiledEntity, header: string[]): ImportHeader {
  const aliases = headerAliases(e);
  const columns: Array<Column | null> = [];
  const fields = new Set<string>();
  const ignored: string[] = [];
  const seen = new Set<string>();
  const errors: ErrorDetail[] = [];
  header.forEach((raw, i) => {
    const text = raw.trim();
    const name = aliases.get(text) ?? text;
    const at = `/header/${i + 1}`;
    if (!name) errors.push({ path: at, message: `column ${i + 1} has no name` });
    // a label and its field's name are the same column
    else if (seen.has(name))
      errors.push({
        path: at,
        message: `column "${text}"${text === name ? '' : ` (field "${name}")`} appears twice`,
      });
    seen.add(name);
    const base = name.endsWith(CURRENCY_SUFFIX) ? name.slice(0, -CURRENCY_SUFFIX.length) : name;
    if (!name) {
      columns.push(null);
    } else if (isGeneratedColumn(e, name)) {
      columns.push(null);
      ignored.push(text);
    } else if (name === 'owner' || (Object.hasOwn(e.fields, name) && name === base)) {
      columns.push({ header: name, field: name });
      fields.add(name);
    } else if (base !== name && e.fields[base]?.type === 'currency') {
      columns.push({ header: name, field: base, part: 'currency' });
      fields.add(base);
    } else {
      columns.push(null);
      errors.push({ path: at, message: `unknown field "${text}" on ${e.name}` });
    }
  });
  if (errors.length)
    throw new CrmError(
      ErrorCode.FieldUnknown,
      `the header of the file does not match ${e.name}: ${errors.length} problem(s)`,
      errors,
    );
  return { columns, fields: [...fields], ignored };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['true', '1', 'yes', 'y', '是']);
const FALSE = new Set(['false', '0', 'no', 'n', '否']);

/** A number if the cell is one; otherwise the text, so validation names the field and the type. */
const numberOr = (cell: string): unknown => (NUMBER.test(cell.trim()) ? Number(cell) : cell);

/** One cell as the API value of its field; `error` only for what validation cannot see (JSON). */
export function cellValue(
  f: FieldDef | undefined,
  cell: string,
): { value: unknown } | { error: string } {
  switch (f?.type) {
    case 'integer':
    case 'decimal':
    case 'percent':
      return { value: numberOr(cell) };
    case 'boolean': {
      const t = cell.trim().toLowerCase();
      return { value: TRUE.has(t) ? true : FALSE.has(t) ? false : cell };
    }
    case 'date': {
      // spreadsheets rewrite 2026-03-05 as 2026/3/5
      const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(cell.trim());
      return { value: m ? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` : cell };
    }
    case 'select':
      return { value: optionValue(f, cell) };
    case 'multiSelect':
      return { value: splitList(cell).map((o) => optionValue(f, o)) };
    case 'relation':
      return { value: isM2M(f) ? splitList(cell).map(numberOr) : numberOr(cell) };
    case 'json':
      try {
        return { value: JSON.parse(cell) };
      } catch {
        return { error: 'is not valid JSON' };
      }
    default:
      return { value: cell };
  }
}

const splitList = (cell: string): string[] =>
  cell
    .split(LIST_SEPARATOR)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * One data row as a create body. Empty cells are left out, so defaults apply and a required field
 * is reported as missing by the normal validation. Errors are relative to the row (`/<field>`).
 */
export function rowToInput(
  e: CompiledEntity,
  header: ImportHeader,
  cells: string[],
): { data: Record<string, unknown>; errors: ErrorDetail[] } {
  const data: Record<string, unknown> = {};
  const errors: ErrorDetail[] = [];
  if (cells.length > header.columns.length) {
    errors.push({
      path: '',
      message: `has ${cells.length} cells but the header has ${header.columns.length} columns`,
    });
    return { data, errors };
  }
  const currency = new Map<string, string>();
  header.columns.forEach((c, i) => {
    const cell = restoreFormula(cells[i] ?? '');
    if (!c || cell.trim() === '') return;
    if (c.part === 'currency') {
      currency.set(c.field, cell.trim());
      return;
    }
    const f = e.fields[c.field];
    const v = cellValue(f, cell);
    if ('error' in v) errors.push({ path: `/${c.field}`, message: v.error });
    else data[c.field] = f?.type === 'currency' ? { amount: numberOr(cell) } : v.value;
  });
  for (const [field, code] of currency) {
    const money = data[field] as { amount: unknown; currency?: string } | undefined;
    if (money) money.currency = code;
  }
  return { data, errors };
}

/** A JSON import item as a create body: generated keys (an exported file has them) dropped. */
export function jsonItemToInput(e: CompiledEntity, item: unknown): unknown {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return item;
  return Object.fromEntries(
    Object.entries(item as Record<string, unknown>).filter(([k]) => !isGeneratedColumn(e, k)),
  );
}
