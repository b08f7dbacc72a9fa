import type { Dialect, ErrorDetail } from '@crm/common';
import type { EntityDocument } from '../types';
import { entityTables } from './entity-tables';
import type { ColumnDef, ColumnType, TableDef } from './table-def';

/**
 * What each database refuses, checked before any DDL runs: on MySQL each statement commits on
 * its own, so a statement refused half-way through an apply leaves the work half done.
 * Measured on MariaDB 10.11 (InnoDB, DYNAMIC rows, strict mode) and MySQL's documented limits.
 */
export const DIALECT_LIMITS = {
  mysql: {
    /** InnoDB: 1017 columns per table (MySQL's own 4096 is never reached first). */
    maxColumns: 1017,
    /** The server's row size, not counting TEXT/BLOB contents: 65,535 bytes. */
    maxRowBytes: 65_535,
    /** InnoDB's half-page: what one row must be able to keep in the page (strict mode). */
    maxInlineBytes: 8_126,
    maxIndexes: 64,
    /** InnoDB index key prefix limit with DYNAMIC rows. */
    maxKeyBytes: 3_072,
  },
  sqlite: {
    /** SQLITE_MAX_COLUMN as compiled by default. */
    maxColumns: 2_000,
  },
} as const;

/** utf8mb4: up to 4 bytes a character, and MySQL reserves the worst case. */
const CHAR_BYTES = 4;

function decimalBytes(precision: number, scale: number): number {
  const part = (digits: number) =>
    Math.floor(digits / 9) * 4 + [0, 1, 1, 2, 2, 3, 3, 4, 4, 4][digits % 9];
  return part(precision - scale) + part(scale);
}

/** Bytes of the column's fixed part (for VARCHAR: its longest value) on MySQL. */
function fixedBytes(t: ColumnType): number | null {
  switch (t.base) {
    case 'bigint':
      return 8;
    case 'int':
      return 4;
    case 'boolean':
      return 1;
    case 'date':
      return 3;
    case 'datetime':
      return 7;
    case 'decimal':
      return decimalBytes(t.precision ?? 18, t.scale ?? 2);
    default:
      return null;
  }
}

/** What the column counts toward MySQL's 65,535-byte row size. */
export function rowBytes(t: ColumnType): number {
  const fixed = fixedBytes(t);
  if (fixed !== null) return fixed;
  if (t.base === 'varchar') {
    const max = (t.length ?? 255) * CHAR_BYTES;
    return max + (max > 255 ? 2 : 1);
  }
  return t.base === 'text' ? 10 : 12; // length bytes + pointer; the text itself lives elsewhere
}

/**
 * What the column counts toward InnoDB's in-page limit: values that may be longer than 255 bytes
 * can move off the page and keep a 20-byte pointer (+ length); shorter ones stay in the page.
 */
export function inlineBytes(t: ColumnType): number {
  const fixed = fixedBytes(t);
  if (fixed !== null) return fixed;
  if (t.base === 'varchar') {
    const max = (t.length ?? 255) * CHAR_BYTES;
    if (max <= 255) return max + 1;
  }
  return 22;
}

/** Per-row bookkeeping InnoDB adds: transaction id, roll pointer, record header, page slot. */
const INNODB_ROW_OVERHEAD = 6 + 7 + 5 + 2;

const n = (x: number): string => x.toLocaleString('en-US');

/** The fields taking the most bytes, for a message that says what to shorten. */
function biggest(cols: ColumnDef[], bytes: (t: ColumnType) => number): string {
  return [...cols]
    .filter((c) => c.field)
    .sort((a, b) => bytes(b.type) - bytes(a.type))
    .slice(0, 3)
    .map((c) => `${c.field} (${n(bytes(c.type))} bytes)`)
    .join(', ');
}

/**
 * Column names that are the same to the database: MySQL and SQLite compare column names without
 * case, so a field `iD` or `Owner` would be the system column, and `Name` beside `name` one column.
 */
export function columnClashErrors(entity: EntityDocument): ErrorDetail[] {
  const [table] = entityTables(entity);
  const seen = new Map<string, ColumnDef>();
  const out: ErrorDetail[] = [];
  for (const c of table.columns) {
    const key = c.name.toLowerCase();
    const first = seen.get(key);
    if (!first) {
      seen.set(key, c);
      continue;
    }
    if (!c.field) continue;
    out.push({
      path: `/fields/${c.field}`,
      message: `column "${c.name}" is the same column as ${first.field ? `field "${first.field}"'s "${first.name}"` : `the system column "${first.name}"`} (MySQL and SQLite compare column names without case): rename the field`,
      reason: 'columnClash',
    });
  }
  return out;
}

function mysqlTableErrors(t: TableDef): ErrorDetail[] {
  const L = DIALECT_LIMITS.mysql;
  const out: ErrorDetail[] = [];
  const nullBytes = Math.ceil(t.columns.filter((c) => c.nullable).length / 8);
  const row = t.columns.reduce((s, c) => s + rowBytes(c.type), 0) + nullBytes;
  if (row > L.maxRowBytes)
    out.push({
      path: '/fields',
      message: `a row needs up to ${n(row)} bytes on MySQL, over its limit of ${n(L.maxRowBytes)} (text counts ${CHAR_BYTES} bytes a character in utf8mb4); shorten text fields or make long ones longText — largest: ${biggest(t.columns, rowBytes)}`,
      reason: 'rowSize',
    });
  const inline =
    t.columns.reduce((s, c) => s + inlineBytes(c.type), 0) + nullBytes + INNODB_ROW_OVERHEAD;
  if (row <= L.maxRowBytes && inline > L.maxInlineBytes)
    out.push({
      path: '/fields',
      message: `a row needs up to ${n(inline)} bytes in an InnoDB page, over its limit of ${n(L.maxInlineBytes)}: too many short or numeric fields in one entity; split it, or make text fields longText — largest: ${biggest(t.columns, inlineBytes)}`,
      reason: 'rowSize',
    });
  if (t.indexes.length > L.maxIndexes)
    out.push({
      path: '/indexes',
      message: `${t.indexes.length} indexes, over MySQL's ${L.maxIndexes} per table`,
      reason: 'indexCount',
    });
  for (const ix of t.indexes) {
    const bytes = ix.columns.reduce((s, name) => {
      const c = t.columns.find((x) => x.name === name);
      if (!c) return s;
      return s + (fixedBytes(c.type) ?? (c.type.length ?? 255) * CHAR_BYTES);
    }, 0);
    if (bytes > L.maxKeyBytes)
      out.push({
        path: '/indexes',
        message: `index ${ix.name} on ${ix.columns.join(', ')} is up to ${n(bytes)} bytes, over InnoDB's key limit of ${n(L.maxKeyBytes)} (${CHAR_BYTES} bytes a character): index shorter text fields`,
        reason: 'indexSize',
      });
  }
  return out;
}

/**
 * Everything the dialect would refuse about the entity's tables, as errors with pointers into the
 * document; without a dialect, only what both refuse (column names that clash).
 */
export function tableLimitErrors(entity: EntityDocument, dialect?: Dialect): ErrorDetail[] {
  const out = columnClashErrors(entity);
  if (!dialect) return out;
  const tables = entityTables(entity);
  const max = DIALECT_LIMITS[dialect].maxColumns;
  const cols = tables[0].columns.length;
  if (cols > max)
    return [
      ...out,
      {
        path: '/fields',
        message: `${n(cols)} columns (${n(Object.keys(entity.fields).length)} fields and the system columns), over ${dialect === 'mysql' ? 'MySQL/InnoDB' : 'SQLite'}'s ${n(max)} per table: split the entity`,
        reason: 'columnCount',
      },
    ];
  if (dialect === 'mysql') out.push(...tables.flatMap(mysqlTableErrors));
  return out;
}
