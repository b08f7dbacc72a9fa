import { q, type Dialect } from '@crm/common';
import type { ColumnDef, IndexSpec, TableDef } from './table-def';
import { typeToString } from './table-def';

/**
 * A metadata value as an SQL literal in DDL (DEFAULT clauses cannot take bound parameters).
 *
 * Doubling quotes is the whole story on SQLite and on MySQL under NO_BACKSLASH_ESCAPES, but by
 * default MySQL also reads backslash escapes, so `\'` would close the literal and let the rest of
 * the value run as SQL. A MySQL string holding a backslash or a control character is therefore
 * written as a hex literal with a charset introducer (`_utf8mb4 X'..'`), which reads the same in
 * every sql_mode; plain text keeps the readable quoted form in plans.
 */
export function sqlLiteral(v: string | number | boolean, dialect: Dialect): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`refusing non-finite SQL literal ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? '1' : '0';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  if (dialect === 'mysql' && /[\\\u0000-\u001f\u007f]/.test(v)) {
    return `_utf8mb4 X'${Buffer.from(v, 'utf8').toString('hex').toUpperCase()}'`;
  }
  return `'${v.replace(/'/g, "''")}'`;
}

export function columnSql(c: ColumnDef, dialect: Dialect): string {
  if (c.autoIncrement && dialect === 'sqlite')
    return `${q(c.name)} INTEGER PRIMARY KEY AUTOINCREMENT`;
  const parts = [q(c.name), typeToString(c.type)];
  parts.push(c.nullable ? 'NULL' : 'NOT NULL');
  if (c.default !== undefined) parts.push(`DEFAULT ${sqlLiteral(c.default, dialect)}`);
  if (c.autoIncrement) parts.push('AUTO_INCREMENT');
  return parts.join(' ');
}

export function createIndexSql(table: string, ix: IndexSpec, dialect: Dialect): string {
  if (dialect === 'mysql') {
    const cols = ix.columns.map(q).join(', ');
    return `ALTER TABLE ${q(table)} ADD ${ix.unique ? 'UNIQUE ' : ''}INDEX ${q(ix.name)} (${cols}), ALGORITHM=INPLACE, LOCK=NONE`;
  }
  // SQLite compares text byte by byte; MySQL's collation ignores case (see IndexSpec.ignoreCase)
  const cols = ix.columns.map((c) => (ix.ignoreCase ? `${q(c)} COLLATE NOCASE` : q(c))).join(', ');
  return `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${q(ix.name)} ON ${q(table)} (${cols})`;
}

export function dropIndexSql(table: string, name: string, dialect: Dialect): string {
  return dialect === 'mysql'
    ? `ALTER TABLE ${q(table)} DROP INDEX ${q(name)}, ALGORITHM=INPLACE, LOCK=NONE`
    : `DROP INDEX ${q(name)}`;
}

export function createTableSql(t: TableDef, dialect: Dialect): string[] {
  const defs = t.columns.map((c) => columnSql(c, dialect));
  const pk = t.primaryKey ?? t.columns.filter((c) => c.primary).map((c) => c.name);
  const sqliteInlinePk = dialect === 'sqlite' && t.columns.some((c) => c.autoIncrement);
  if (pk.length && !sqliteInlinePk) defs.push(`PRIMARY KEY (${pk.map(q).join(', ')})`);
  const tail =
    dialect === 'mysql' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci' : '';
  return [
    `CREATE TABLE ${q(t.name)} (\n  ${defs.join(',\n  ')}\n)${tail}`,
    ...t.indexes.map((ix) => createIndexSql(t.name, ix, dialect)),
  ];
}

export function addColumnSql(table: string, c: ColumnDef, dialect: Dialect): string {
  const base = `ALTER TABLE ${q(table)} ADD COLUMN ${columnSql(c, dialect)}`;
  return dialect === 'mysql' ? `${base}, ALGORITHM=INSTANT` : base;
}

export function renameColumnSql(table: string, from: string, to: string, dialect: Dialect): string {
  const base = `ALTER TABLE ${q(table)} RENAME COLUMN ${q(from)} TO ${q(to)}`;
  return dialect === 'mysql' ? `${base}, ALGORITHM=INSTANT` : base;
}

export function dropColumnSql(table: string, column: string, dialect: Dialect): string {
  const base = `ALTER TABLE ${q(table)} DROP COLUMN ${q(column)}`;
  return dialect === 'mysql' ? `${base}, ALGORITHM=INSTANT` : base;
}

/** MySQL changes a column's type in place where it can (the executor falls back when it cannot). */
export function modifyColumnSql(table: string, column: ColumnDef): string {
  return `ALTER TABLE ${q(table)} MODIFY COLUMN ${columnSql(column, 'mysql')}, ALGORITHM=INPLACE`;
}

/**
 * SQLite cannot alter a column, so the table is rebuilt: create the final shape under a temporary
 * name, copy every row, swap, recreate the indexes. It runs inside the apply transaction.
 */
export function rebuildTableSql(next: TableDef): string[] {
  const temp: TableDef = { ...next, name: `${next.name}__rebuild`, indexes: [] };
  const cols = next.columns.map((c) => q(c.name)).join(', ');
  return [
    ...createTableSql(temp, 'sqlite'),
    `INSERT INTO ${q(temp.name)} (${cols}) SELECT ${cols} FROM ${q(next.name)}`,
    `DROP TABLE ${q(next.name)}`,
    `ALTER TABLE ${q(temp.name)} RENAME TO ${q(next.name)}`,
    ...next.indexes.map((ix) => createIndexSql(next.name, ix, 'sqlite')),
  ];
}

export function dropTableSql(table: string): string {
  return `DROP TABLE ${q(table)}`;
}
