import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, CLOCK, type Clock, CrmError, ErrorCode } from '@crm/common';
import { type CompiledEntity, localDateString } from '@crm/metadata';
import type { RecordData } from './codec';
import { CSV_BOM, CsvSyntaxError, decodeCsvBytes, encodeCsvRow, parseCsv } from './csv';
import { type Actor, type ImportItem, type RecordAccess, RecordsService } from './records.service';
import { labelledColumns } from './header-labels';
import type { Locale } from './record-validator';
import {
  type Column,
  csvColumns,
  exportFields,
  importHeader,
  jsonItemToInput,
  rowToInput,
  toCsvCells,
  toJsonRecord,
} from './tabular';
import { XLSX_TYPE, XlsxError, parseXlsx, xlsxChunks } from './xlsx';

export type ExportFormat = 'csv' | 'json' | 'xlsx';
const FORMATS: ExportFormat[] = ['csv', 'json', 'xlsx'];
const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xlsx: XLSX_TYPE,
};

export interface ExportQuery {
  format?: string;
  /** `names` (default: field names, for scripts) or `labels` (in `locale`, for people). */
  headers?: string;
  locale?: Locale;
  filter?: unknown;
  sort?: string;
  fields?: string[];
}

export interface ExportFile {
  filename: string;
  contentType: string;
  /** The file, a page of records per chunk; nothing is read before the consumer asks. */
  chunks: AsyncGenerator<string | Uint8Array, void, undefined>;
}

/** What an import body is, as the HTTP layer received it. */
export type ImportPayload =
  { kind: 'csv' | 'xlsx'; bytes: Uint8Array } | { kind: 'json'; items: unknown };

export interface ImportResult {
  created: number;
  ids: number[];
  dryRun?: true;
  /** Rows that passed every check (a dry run writes none of them). */
  valid?: number;
  /** Columns of the file the import skipped: ids, audit columns, auto-numbers. */
  ignoredColumns?: string[];
}

/** The export's business date in the company's time zone (a 07:00 Beijing export is today's). */
const stamp = (d: Date, timeZone: string): string => localDateString(d, timeZone).replace(/-/g, '');

/**
 * Export and import of one entity's records as CSV or JSON files. Permissions, validation and
 * writes stay with RecordsService (export walks its keyset pages; import goes through its create
 * path); this service only turns records into files and files into create bodies.
 */
@Injectable()
export class RecordTransferService {
  constructor(
    private readonly records: RecordsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Every record the user may read and export that matches the query. Permission, filter, sort
   * and field problems throw here, before the caller has sent a byte; the rows follow page by page.
   */
  async export(entityName: string, query: ExportQuery, access?: RecordAccess): Promise<ExportFile> {
    const format = (query.format ?? 'csv') as ExportFormat;
    if (!FORMATS.includes(format))
      throw new CrmError(ErrorCode.QueryInvalid, 'format must be csv, json or xlsx', [
        { path: 'format', message: `unknown format "${format}"` },
      ]);
    const headers = query.headers ?? 'names';
    if (headers !== 'names' && headers !== 'labels')
      throw new CrmError(ErrorCode.QueryInvalid, 'headers must be names or labels', [
        { path: 'headers', message: `unknown header style "${headers}"` },
      ]);
    const e = this.records.entity(entityName);
    // a user without the right is refused before their fields or filter are looked at
    if (access) await access.rows(e, 'export');
    const fields = exportFields(e, query.fields, (f) => !access || access.canRead(e, f));
    const selected = query.fields?.length ? fields.filter((f) => f in e.fields) : undefined;
    const pages = this.records.pages(
      entityName,
      // an empty list would mean "every field": the requested ones were only system fields
      { filter: query.filter, sort: query.sort, fields: selected?.length ? selected : undefined },
      access,
      'export',
    );
    const first = await pages.next();
    const firstPage = first.done ? [] : first.value;
    const columns =
      headers === 'labels'
        ? labelledColumns(e, csvColumns(e, fields), query.locale ?? 'en')
        : csvColumns(e, fields);
    return {
      filename: `${e.name}-${stamp(this.clock.now(), this.config.timeZone)}.${format}`,
      contentType: CONTENT_TYPES[format],
      chunks:
        format === 'csv'
          ? csvChunks(e, columns, firstPage, pages)
          : format === 'xlsx'
            ? xlsxChunks(e, columns, firstPage, pages)
            : jsonChunks(fields, firstPage, pages),
    };
  }

  async import(
    entityName: string,
    payload: ImportPayload,
    actor: Actor,
    opts: { dryRun?: boolean } = {},
  ): Promise<ImportResult> {
    const e = this.records.entity(entityName);
    // refuse before reading the file: a user without the right learns nothing from its errors
    if (actor.access) {
      await actor.access.rows(e, 'import');
      await actor.access.rows(e, 'create');
    }
    const { items, ignored } =
      payload.kind === 'json'
        ? this.jsonItems(e, payload.items)
        : this.tableItems(
            e,
            payload.kind === 'csv'
              ? this.csvRows(payload.bytes)
              : await this.xlsxRows(payload.bytes),
            actor,
          );
    const { ids } = await this.records.importMany(entityName, items, actor, opts);
    return {
      created: ids.length,
      ids,
      ...(opts.dryRun ? { dryRun: true as const, valid: items.length } : {}),
      ...(ignored.length ? { ignoredColumns: ignored } : {}),
    };
  }

  private csvRows(bytes: Uint8Array): string[][] {
    try {
      return parseCsv(decodeCsvBytes(bytes)).map((r) => r.cells);
    } catch (err) {
      if (!(err instanceof CsvSyntaxError)) throw err;
      throw new CrmError(ErrorCode.BadRequest, `the CSV file is malformed: ${err.message}`, [
        { path: `/lines/${err.line}`, message: err.message },
      ]);
    }
  }

  private async xlsxRows(bytes: Uint8Array): Promise<string[][]> {
    try {
      // a workbook may inflate to a few times the upload limit, never more (zip bombs)
      return await parseXlsx(bytes, this.config.maxFileBytes * 8);
    } catch (err) {
      if (!(err instanceof XlsxError)) throw err;
      throw new CrmError(ErrorCode.BadRequest, err.message, [
        { path: err.path, message: err.message },
      ]);
    }
  }

  /** A CSV's or a worksheet's rows (the first is the header) as create bodies. */
  private tableItems(
    e: CompiledEntity,
    rows: string[][],
    actor: Actor,
  ): { items: ImportItem[]; ignored: string[] } {
    if (rows.length === 0) throw this.empty();
    this.assertRowCount(rows.length - 1);
    const header = importHeader(e, rows[0]);
    // every column counts, even one whose cells are all empty: the file claims to write it
    actor.access?.assertWrite(e, 'create', header.fields);
    const items = rows.slice(1).map((cells, i): ImportItem => {
      const { data, errors } = rowToInput(e, header, cells);
      return { row: i + 1, data, errors };
    });
    return { items, ignored: header.ignored };
  }

  private jsonItems(e: CompiledEntity, body: unknown): { items: ImportItem[]; ignored: string[] } {
    if (!Array.isArray(body))
      throw new CrmError(ErrorCode.BadRequest, 'a JSON import is an array of records', [
        { path: '', message: 'must be an array' },
      ]);
    this.assertRowCount(body.length);
    return {
      items: body.map((item, i) => ({ row: i + 1, data: jsonItemToInput(e, item) })),
      ignored: [],
    };
  }

  private assertRowCount(rows: number): void {
    if (rows === 0) throw this.empty();
    const max = this.config.importMaxRows;
    if (rows > max)
      throw new CrmError(
        ErrorCode.ImportTooLarge,
        `the file has ${rows} rows; one import takes at most ${max}: split the file`,
        [{ path: '/rows', message: `at most ${max} rows` }],
      );
  }

  private empty(): CrmError {
    return new CrmError(ErrorCode.BadRequest, 'the file has no data rows', [
      { path: '/rows', message: 'no rows to import' },
    ]);
  }
}

async function* csvChunks(
  e: CompiledEntity,
  columns: Column[],
  first: RecordData[],
  rest: AsyncGenerator<RecordData[], void, undefined>,
): AsyncGenerator<string, void, undefined> {
  const page = (records: RecordData[]) =>
    records.map((r) => encodeCsvRow(toCsvCells(e, columns, r))).join('');
  yield CSV_BOM + encodeCsvRow(columns.map((c) => c.header)) + page(first);
  for await (const records of rest) yield page(records);
}

async function* jsonChunks(
  fields: string[],
  first: RecordData[],
  rest: AsyncGenerator<RecordData[], void, undefined>,
): AsyncGenerator<string, void, undefined> {
  let n = 0;
  const page = (records: RecordData[]) =>
    records.map((r) => `${n++ ? ',' : ''}\n${JSON.stringify(toJsonRecord(fields, r))}`).join('');
  yield `[${page(first)}`;
  for await (const records of rest) yield page(records);
  yield '\n]\n';
}
