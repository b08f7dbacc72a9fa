import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { CompiledEntity } from '@crm/metadata';
import type { RecordData } from './codec';
import { type Column, toCsvCells } from './tabular';

/**
 * Excel (.xlsx) files, both directions, in the same representation as CSV (tabular.ts): the same
 * header of field names, the same cells — numbers stay numbers, everything else is text. Text in
 * an .xlsx cell is never evaluated (a formula is a different cell type), so unlike CSV nothing is
 * neutralised on export.
 */

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Why an uploaded workbook cannot be read (the caller answers 400 with it). */
export class XlsxError extends Error {
  constructor(
    message: string,
    readonly path = '/file',
  ) {
    super(message);
  }
}

/**
 * The workbook, a page of records at a time: rows are committed as they come, so memory stays at
 * a page or two (the zip is streamed too). The sheet is named after the entity; `columns` carry
 * the headers (field names or labels).
 */
export async function* xlsxChunks(
  e: CompiledEntity,
  columns: Column[],
  first: RecordData[],
  rest: AsyncGenerator<RecordData[], void, undefined>,
): AsyncGenerator<Uint8Array, void, undefined> {
  const out = new PassThrough();
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const sheet = book.addWorksheet(e.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ key: c.header, width: Math.max(12, c.header.length + 2) }));
  // the producer runs beside the consumer: it writes rows into `out`, which we yield from
  const produce = (async () => {
    const header = sheet.addRow(columns.map((c) => c.header));
    header.font = { bold: true };
    header.commit();
    const page = (records: RecordData[]) => {
      for (const r of records)
        sheet.addRow(toCsvCells(e, columns, r).map((c) => (c === undefined ? null : c))).commit();
    };
    page(first);
    for await (const records of rest) page(records);
    sheet.commit();
    await book.commit();
  })();
  // a failure while producing ends the stream with it, so the consumer sees the error
  produce.catch((err: unknown) => out.destroy(err as Error));
  for await (const chunk of out) yield chunk as Uint8Array;
  await produce;
}

/**
 * An .xlsx file is a zip: before a library inflates it, the central directory says how large its
 * parts are. A small upload that claims gigabytes (a zip bomb) is refused without inflating it.
 */
export function assertZipExpandsWithin(bytes: Uint8Array, limit: number): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // the end-of-central-directory record sits in the last 22 + 65,535 (comment) bytes
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new XlsxError('the file is not an Excel workbook (.xlsx)');
  const entries = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== 0x02014b50)
      throw new XlsxError('the Excel workbook is damaged (its zip directory is cut off)');
    const size = buf.readUInt32LE(at + 24);
    // 0xffffffff: a zip64 entry (over 4 GiB) — too large whatever it holds
    total += size === 0xffffffff ? Infinity : size;
    if (total > limit)
      throw new XlsxError(
        `the Excel workbook expands to more than ${Math.round(limit / 1024 / 1024)} MB; split it`,
      );
    at += 46 + buf.readUInt16LE(at + 28) + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A cell as the text a CSV would hold for it, so one import path reads both kinds of file. */
export function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) {
    // Excel stores dates without a zone (exceljs reads them as UTC): a whole day is a date
    const day = `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
    return v.getUTCHours() || v.getUTCMinutes() || v.getUTCSeconds() ? v.toISOString() : day;
  }
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('formula' in v || 'sharedFormula' in v)
    return cellText((v as { result?: ExcelJS.CellValue }).result ?? null);
  if ('hyperlink' in v) return typeof v.text === 'string' ? v.text : cellText(v.text);
  if ('error' in v) return String(v.error);
  return '';
}

/**
 * The first worksheet's rows as text cells (row 1 is the header), trailing empty rows dropped.
 * `expandLimit` bounds what the zip may inflate to.
 */
export async function parseXlsx(bytes: Uint8Array, expandLimit: number): Promise<string[][]> {
  assertZipExpandsWithin(bytes, expandLimit);
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch (err) {
    throw new XlsxError(`the Excel workbook cannot be read: ${(err as Error).message}`);
  }
  const sheet = book.worksheets[0];
  if (!sheet) throw new XlsxError('the Excel workbook has no worksheet');
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = [];
    // row.values is 1-based and sparse
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value));
    while (cells.length && cells[cells.length - 1] === '') cells.pop();
    rows[n - 1] = cells;
  });
  for (let i = 0; i < rows.length; i++) rows[i] ??= [];
  while (rows.length && rows[rows.length - 1].length === 0) rows.pop();
  return rows;
}
