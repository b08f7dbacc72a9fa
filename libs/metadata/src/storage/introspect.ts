import { type Db, q } from '@crm/common';
import type { LiveTable } from './planner';
import { type ColumnDef, type IndexSpec, parseColumnType } from './table-def';

/** Reads the live tables whose names start with one of the prefixes, with row counts. */
export async function introspect(db: Db, prefixes: string[]): Promise<LiveTable[]> {
  const names = (await listTables(db)).filter((t) => prefixes.some((p) => t.startsWith(p)));
  const out: LiveTable[] = [];
  for (const name of names) {
    const { columns, indexes, primaryKey } =
      db.dialect === 'mysql' ? await mysqlTable(db, name) : await sqliteTable(db, name);
    const [{ n }] = await db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${q(name)}`);
    out.push({
      name,
      entity: name.startsWith('e_') ? name.slice(2) : undefined,
      columns,
      indexes,
      primaryKey,
      rowCount: Number(n),
    });
  }
  return out;
}

export async function listTables(db: Db): Promise<string[]> {
  if (db.dialect === 'mysql') {
    const rows = await db.query<{ t: string }>(
      `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'`,
    );
    return rows.map((r) => r.t).sort();
  }
  const rows = await db.query<{ name: string }>(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
  );
  return rows.map((r) => r.name);
}

async function mysqlTable(db: Db, table: string) {
  const cols = await db.query<{
    name: string;
    type: string;
    nullable: string;
    extra: string;
    ckey: string;
  }>(
    `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, EXTRA AS extra, COLUMN_KEY AS ckey
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [table],
  );
  const columns: ColumnDef[] = cols.map((c) => ({
    name: c.name,
    type: parseColumnType(c.type),
    nullable: c.nullable === 'YES',
    ...(c.extra.includes('auto_increment') && { autoIncrement: true, primary: true }),
  }));
  const ix = await db.query<{ name: string; col: string; nonUnique: number | string }>(
    `SELECT INDEX_NAME AS name, COLUMN_NAME AS col, NON_UNIQUE AS nonUnique
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
      ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [table],
  );
  const byName = new Map<string, IndexSpec>();
  const primaryKey: string[] = [];
  for (const r of ix) {
    if (r.name === 'PRIMARY') {
      primaryKey.push(r.col);
      continue;
    }
    const spec = byName.get(r.name) ?? {
      name: r.name,
      columns: [],
      unique: Number(r.nonUnique) === 0,
    };
    spec.columns.push(r.col);
    byName.set(r.name, spec);
  }
  return { columns, indexes: [...byName.values()], primaryKey };
}

async function sqliteTable(db: Db, table: string) {
  const cols = await db.query<{ name: string; type: string; nn: number; pk: number }>(
    `SELECT name, type, "notnull" AS nn, pk FROM pragma_table_info(?)`,
    [table],
  );
  const columns: ColumnDef[] = cols.map((c) => ({
    name: c.name,
    type: parseColumnType(c.type),
    nullable: c.nn === 0 && c.pk === 0,
    ...(c.pk === 1 && c.type.toUpperCase() === 'INTEGER' && { autoIncrement: true, primary: true }),
  }));
  const primaryKey = cols
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  const list = await db.query<{ name: string; unique: number; origin: string }>(
    `SELECT name, "unique" AS "unique", origin FROM pragma_index_list(?)`,
    [table],
  );
  const indexes: IndexSpec[] = [];
  for (const ix of list) {
    if (ix.origin !== 'c') continue; // pk / unique-constraint autoindexes are part of the table
    const info = await db.query<{ name: string; coll: string | null }>(
      `SELECT name, coll FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`,
      [ix.name],
    );
    const ignoreCase = info.length > 0 && info.every((i) => i.coll?.toUpperCase() === 'NOCASE');
    indexes.push({
      name: ix.name,
      columns: info.map((i) => i.name),
      unique: ix.unique === 1,
      ...(ignoreCase && { ignoreCase }),
    });
  }
  return { columns, indexes, primaryKey };
}
