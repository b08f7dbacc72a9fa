import { createRequire } from 'node:module';
import type { Connection } from 'mysql2/promise';
import { columnSql } from '../../libs/metadata/src/storage/ddl';
import type { ColumnDef } from '../../libs/metadata/src/storage/table-def';
import { DIALECTS, type TestServer, startServer } from './support/harness';
import { ACCOUNT } from './support/fixtures';

/**
 * Every string a metadata document can put into DDL (a text default, a select option used as a
 * default) must come back from the database byte for byte — and must never run as SQL. Given a
 * table per dialect and sql_mode, when a column is added with a hostile default, then a new row
 * carries exactly that default and the table still has its other columns.
 */
/** The slice of better-sqlite3 used here (the package ships no types; the app reaches it via TypeORM). */
interface SqliteDb {
  exec(sql: string): void;
  prepare(sql: string): { all(): unknown[] };
  close(): void;
}
const Database = createRequire(__filename)('better-sqlite3') as new (file: string) => SqliteDb;

const MYSQL_URL = new URL(process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');

const HOSTILE = [
  "\\' , DROP COLUMN secret, ENGINE=MyISAM #", // the red-team payload
  "\\'); DROP TABLE t; --",
  "it's",
  "''",
  '\\',
  '\\\\',
  "\\\\'",
  'a\\nb',
  'tab\there\nline\r\n',
  '"double" `back` ; # -- /* c */',
  '%_ LIKE wildcards',
  '中文默认值，含全角符号＇＂',
  '😀 emoji',
  "0x27 X'27' _utf8mb4 X'27'",
];

/** Random strings over the characters that matter to SQL lexers, reproducible by seed. */
function fuzzStrings(n: number, seed = 42): string[] {
  const alphabet = ["'", '\\', '"', '`', ';', '#', '-', '/', '*', ' ', 'a', '中', 'X', '0', '\n'];
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) as number;
  return Array.from({ length: n }, () =>
    Array.from(
      { length: 1 + Math.floor(rand() * 24) },
      () => alphabet[Math.floor(rand() * alphabet.length)],
    ).join(''),
  );
}

const VALUES = [...HOSTILE, ...fuzzStrings(60)];
const column = (i: number, value: string): ColumnDef => ({
  name: `c${i}`,
  type: { base: 'varchar', length: 64 },
  nullable: true,
  default: value,
});

describe('DDL literals: hostile defaults on SQLite', () => {
  it('round-trips every value and runs none of it', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, secret VARCHAR(20))');
    db.exec("INSERT INTO t (secret) VALUES ('kept')");
    VALUES.forEach((v, i) =>
      db.exec(`ALTER TABLE t ADD COLUMN ${columnSql(column(i, v), 'sqlite')}`),
    );
    db.exec('INSERT INTO t (secret) VALUES (NULL)');
    const rows = db.prepare('SELECT * FROM t ORDER BY id').all() as Record<string, unknown>[];
    expect(rows[0].secret).toBe('kept');
    VALUES.forEach((v, i) => expect(rows[1][`c${i}`]).toBe(v));
    expect(Object.keys(rows[0])).toHaveLength(2 + VALUES.length);
    db.close();
  });
});

describe.each(['', 'NO_BACKSLASH_ESCAPES'])(
  'DDL literals: hostile defaults on MySQL, sql_mode %p',
  (mode) => {
    let conn: Connection;
    const dbName = `crm_ddl_lit_${process.pid}_${mode ? 'nbe' : 'std'}`;

    beforeAll(async () => {
      const mysql = await import('mysql2/promise');
      conn = await mysql.createConnection({
        host: MYSQL_URL.hostname,
        port: Number(MYSQL_URL.port || 3306),
        user: decodeURIComponent(MYSQL_URL.username || 'root'),
        password: decodeURIComponent(MYSQL_URL.password),
      });
      await conn.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
      await conn.query(`CREATE DATABASE \`${dbName}\``);
      await conn.query(`USE \`${dbName}\``);
      await conn.query(`SET SESSION sql_mode = CONCAT(@@sql_mode, ?)`, [mode ? `,${mode}` : '']);
    });
    afterAll(async () => {
      await conn?.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
      await conn?.end();
    });

    it('round-trips every value and runs none of it', async () => {
      const [[modeRow]] = (await conn.query('SELECT @@SESSION.sql_mode AS m')) as any;
      expect(String(modeRow.m).includes('NO_BACKSLASH_ESCAPES')).toBe(mode !== '');
      await conn.query(
        'CREATE TABLE t (id BIGINT AUTO_INCREMENT PRIMARY KEY, secret VARCHAR(20)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
      );
      await conn.query("INSERT INTO t (secret) VALUES ('kept')");
      for (const [i, v] of VALUES.entries())
        await conn.query(`ALTER TABLE t ADD COLUMN ${columnSql(column(i, v), 'mysql')}`);
      await conn.query('INSERT INTO t (secret) VALUES (NULL)');
      const [rows] = (await conn.query('SELECT * FROM t ORDER BY id')) as any;
      expect(rows[0].secret).toBe('kept');
      VALUES.forEach((v, i) => expect(rows[1][`c${i}`]).toBe(v));
      const [[{ engine }]] = (await conn.query(
        `SELECT ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 't'`,
        [dbName],
      )) as any;
      expect(engine).toBe('InnoDB');
      expect(Object.keys(rows[0])).toHaveLength(2 + VALUES.length);
    });
  },
);

describe.each(DIALECTS)('metadata API: the red-team default on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, {
      'account.yaml': ACCOUNT.replace(
        'fields:',
        'fields:\n  secret: { type: text, label: { zh-CN: 机密, en: Secret } }',
      ),
    });
    for (const name of ['Alpha', 'Beta'])
      await s.api('POST', '/api/records/account', { name, secret: `s-${name}` });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('adds the column with the default verbatim and drops nothing', async () => {
    const payload = "\\' , DROP COLUMN secret, ENGINE=MyISAM #";
    const doc = (await s.api('GET', '/api/meta/documents/entity/account')).body;
    doc.fields.note = { type: 'text', label: { 'zh-CN': '备注', en: 'Note' }, default: payload };
    expect((await s.api('PUT', '/api/meta/documents/entity/account', doc)).status).toBe(200);
    const plan = await s.api('POST', '/api/meta/plan');
    expect(plan.body.changes.map((c: { id: string }) => c.id)).toEqual([
      'addColumn:e_account.note',
    ]);
    const applied = await s.api('POST', '/api/meta/apply', { planHash: plan.body.hash });
    expect(applied.status).toBe(200);
    const list = await s.api('GET', '/api/records/account?sort=name');
    expect(list.body.data.map((r: any) => [r.name, r.secret, r.note])).toEqual([
      ['Alpha', 's-Alpha', payload],
      ['Beta', 's-Beta', payload],
    ]);
  });

  it.each([
    ['integer', { type: 'integer', default: 1.5 }, 'must be an integer'],
    ['integer beyond 2^53', { type: 'integer', default: 2 ** 60 }, 'must be an integer'],
    [
      'decimal too wide',
      { type: 'decimal', precision: 5, scale: 2, default: 12345 },
      'digits before the point',
    ],
    [
      'decimal too precise',
      { type: 'decimal', precision: 8, scale: 2, default: 1.125 },
      'more than 2 decimals',
    ],
    ['date that does not exist', { type: 'date', default: '2024-02-30' }, 'real date'],
    ['date MySQL cannot store', { type: 'date', default: '0000-01-01' }, 'real date'],
    ['text longer than its column', { type: 'text', length: 5, default: 'abcdefg' }, 'at most 5'],
    ['text with a NUL', { type: 'text', default: 'a\u0000b' }, 'control characters'],
    ['integer under min', { type: 'integer', min: 0, default: -1 }, 'at least 0'],
  ])('refuses a default that cannot live in its column: %s', async (_name, field, message) => {
    const doc = (await s.api('GET', '/api/meta/documents/entity/account')).body;
    doc.fields.bad = { label: { 'zh-CN': '坏', en: 'Bad' }, ...field };
    // Refused before any DDL is built: by the PUT itself, or at the latest by the plan.
    let res = await s.api('PUT', '/api/meta/documents/entity/account', doc);
    if (res.status === 200) res = await s.api('POST', '/api/meta/plan');
    await s.api('DELETE', '/api/meta/draft');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        path: '/fields/bad/default',
        message: expect.stringContaining(message),
      }),
    ]);
  });
});
