import type { FieldInfo } from '../entities/model';
import type { ServerErrorDetail } from '../record-show/errorMessages';

/**
 * Pure helpers of the list's export, import and bulk edit: file names, the per-row error report
 * read from the server's error pointers, and the CSV files the browser writes itself (the error
 * report, the import template).
 */

/** One line of an error report: where (a row of the file, or a record) and why. */
export interface ReportRow {
  /** The row as a spreadsheet shows it (the header is row 1), or the record id; null: the file. */
  at: number | null;
  /** The field's label ('' when the error is about the whole row or file). */
  field: string;
  message: string;
}

/** An error answer's detail, as the API documents it (a denial may name its field). */
interface ErrorDetail extends ServerErrorDetail {
  field?: string;
}

/** How an error reads, given the field it is about: the server's message unless told otherwise. */
export type WordOf = (e: ErrorDetail, field: string | undefined) => string;
const serverWords: WordOf = (e) => e.message ?? '';

const UNSAFE_IN_FILE_NAMES = /[\\/:*?"<>|\s]+/g;

/** "客户-20260305.xlsx": the entity's label and the local date, safe on every file system. */
export function exportFileName(entityLabel: string, ext: string, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const name = entityLabel.replace(UNSAFE_IN_FILE_NAMES, '_').replace(/^_+|_+$/g, '') || 'export';
  return `${name}-${day}.${ext}`;
}

/** The field named by the part of a pointer after the row: `/status` → its label. */
function fieldOf(rest: string[], labelOf: (field: string) => string | undefined): string {
  const name = rest[0];
  if (!name) return '';
  return labelOf(name) ?? rest.join('/');
}

/**
 * An import's errors as report rows. The server numbers data rows from 1 (`/rows/3/name`); a
 * spreadsheet shows the header as row 1, so data row 3 is the user's row 4 — the one they fix.
 * Header problems (`/header/2`) are row 1; anything else is about the whole file.
 */
export function importReport(
  errors: ErrorDetail[],
  labelOf: (field: string) => string | undefined,
  wordOf: WordOf = serverWords,
): ReportRow[] {
  return errors.map((e) => {
    const [, kind, n, ...rest] = (e.path ?? '').split('/');
    const message = wordOf(e, kind === 'rows' ? rest[0] : e.field);
    if (kind === 'rows' && /^\d+$/.test(n ?? ''))
      return { at: Number(n) + 1, field: fieldOf(rest, labelOf), message };
    if (kind === 'header') return { at: 1, field: '', message };
    // a column the user may not write: the denial names its field
    return { at: null, field: e.field ? fieldOf([e.field], labelOf) : '', message };
  });
}

const RECORD_KEYS = new Set(['id', 'version']);

/**
 * A bulk write's errors as report rows by record id: the server points at `/records/<index>` of
 * what was sent (`ids[index]`), then at a field (`/status`) or at a denied subject (`customer/7`).
 */
export function bulkReport(
  errors: ErrorDetail[],
  ids: number[],
  labelOf: (field: string) => string | undefined,
  wordOf: WordOf = serverWords,
): ReportRow[] {
  return errors.map((e) => {
    const [, kind, i, ...rest] = (e.path ?? '').split('/');
    const message = wordOf(e, rest.length === 1 ? rest[0] : undefined);
    const id = kind === 'records' && /^\d+$/.test(i ?? '') ? ids[Number(i)] : undefined;
    if (id === undefined) return { at: null, field: '', message };
    // a denial names "entity/id", a missing record `/id`, a stale one `/version`: not fields
    const field = rest.length === 1 && !RECORD_KEYS.has(rest[0]) ? fieldOf(rest, labelOf) : '';
    return { at: id, field, message };
  });
}

/** The record ids a bulk report names (to leave them out of the next try). */
export const failedIds = (report: ReportRow[]): number[] => [
  ...new Set(report.flatMap((r) => (r.at === null ? [] : [r.at]))),
];

/** One CSV line (RFC 4180 quoting; a cell starting like a formula gets an apostrophe). */
export function csvLine(cells: Array<string | number | null>): string {
  return `${cells
    .map((c) => {
      let text = c === null ? '' : String(c);
      if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',')}\r\n`;
}

/** UTF-8 BOM: Excel opens a CSV with Chinese text as UTF-8 only with it. */
const BOM = '\uFEFF';

export function reportCsv(rows: ReportRow[], headers: [string, string, string]): string {
  return BOM + csvLine(headers) + rows.map((r) => csvLine([r.at, r.field, r.message])).join('');
}

/** The import template: a header row of the fields a user may fill in, by label. */
export function templateCsv(labels: string[]): string {
  return BOM + csvLine(labels);
}

/** Fields a person fills in or edits: not computed, generated or system-owned. */
const isEditable = (f: FieldInfo): boolean =>
  !f.system && !f.readOnly && f.type !== 'autoNumber' && f.type !== 'json';

/** The columns of the import template: fields the user may create with. */
export function templateFields(fields: FieldInfo[], canCreate: (field: string) => boolean) {
  return fields.filter((f) => isEditable(f) && canCreate(f.name));
}

/**
 * Fields bulk edit offers: ones the user may update that take one value the same for every
 * record (a file or a many-to-many list are edited record by record).
 */
export function bulkEditableFields(fields: FieldInfo[], canUpdate: (field: string) => boolean) {
  return fields.filter(
    (f) =>
      isEditable(f) &&
      f.type !== 'file' &&
      f.type !== 'richText' &&
      f.relation?.kind !== 'manyToMany' &&
      canUpdate(f.name),
  );
}

/** A value the dialog holds as the API value of the field (a currency gets its code). */
export function bulkValue(f: FieldInfo, value: unknown): unknown {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
    return null;
  if (f.type === 'currency') return { amount: value, currency: f.currency ?? 'CNY' };
  return value;
}
