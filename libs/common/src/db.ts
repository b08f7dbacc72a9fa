import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource, QueryFailedError, type QueryRunner } from 'typeorm';
import { CrmError, ErrorCode } from './errors';

export type Dialect = 'mysql' | 'sqlite';
export type SqlParam = string | number | bigint | null | Buffer;

/** Options of one read. */
export interface QueryOptions {
  /**
   * Stop the statement after this long (503 QUERY_TIMEOUT): for reads a user shapes (lists,
   * counts, exports), so that one user's query cannot hold a connection and the CPU for everyone.
   * MySQL: the MAX_EXECUTION_TIME hint; MariaDB: SET STATEMENT max_statement_time ... FOR; SQLite:
   * the statement's deadlineTerm() (better-sqlite3 has no progress handler).
   */
  timeoutMs?: number;
}

export interface ExecResult {
  affected: number;
  insertId: number;
}

/**
 * The one way code talks to the database: parameterised SQL over a TypeORM DataSource, on MySQL
 * (mysql2) or SQLite (better-sqlite3). The caller owns the transaction and passes the `Db` it got
 * from `transaction()` down, so a record change and what it causes commit together.
 */
export interface Db {
  readonly dialect: Dialect;
  query<T = Record<string, unknown>>(
    sql: string,
    params?: SqlParam[],
    opts?: QueryOptions,
  ): Promise<T[]>;
  execute(sql: string, params?: SqlParam[]): Promise<ExecResult>;
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs fn so that, if it throws, only its own writes are undone (SAVEPOINT inside a
   * transaction; a transaction of its own otherwise). A workflow step uses it to turn a failing
   * built-in task into an incident while the rest of the step commits.
   */
  savepoint<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  readonly inTransaction: boolean;
}

/** Quotes a name that has already been checked against the metadata; backticks work on both dialects. */
export function q(identifier: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(identifier)) {
    throw new Error(`refusing unsafe SQL identifier ${JSON.stringify(identifier)}`);
  }
  return `\`${identifier}\``;
}

/** A FIFO async lock: SQLite has one connection, so transactions must not interleave on it. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.tail;
    this.tail = prev.then(() => next);
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/** Which MySQL server a DataSource talks to: the two spell a statement timeout differently. */
const mysqlFlavor = new WeakMap<DataSource, 'mariadb' | 'mysql'>();
/** Per SQLite connection: when its running statement must stop (see deadlineTerm). */
const sqliteDeadline = new WeakMap<object, { at: number }>();

const SQLITE_TIMEOUT = 'CRM_QUERY_TIMEOUT';

/**
 * A WHERE term (put first) that stops the statement once its timeout has passed. SQLite only:
 * better-sqlite3 offers no progress handler, so a user function checks the clock for every row
 * the statement looks at and throws when it is late. On MySQL the server enforces the timeout.
 */
export function deadlineTerm(dialect: Dialect): string {
  return dialect === 'sqlite' ? 'crm_deadline() = 1' : '1=1';
}

function withTimeout(sql: string, flavor: 'mariadb' | 'mysql' | undefined, ms: number): string {
  if (!/^\s*SELECT\b/i.test(sql)) return sql;
  if (flavor === 'mariadb')
    return `SET STATEMENT max_statement_time=${(ms / 1000).toFixed(3)} FOR ${sql}`;
  return sql.replace(/^\s*SELECT\b/i, `SELECT /*+ MAX_EXECUTION_TIME(${Math.ceil(ms)}) */`);
}

export function isQueryTimeout(e: unknown): boolean {
  const err = e as {
    driverError?: { errno?: number; message?: string };
    errno?: number;
    message?: string;
  };
  const d = err?.driverError ?? err;
  // MariaDB ER_STATEMENT_TIMEOUT, MySQL ER_QUERY_TIMEOUT, our SQLite deadline
  return d?.errno === 1969 || d?.errno === 3024 || String(d?.message).includes(SQLITE_TIMEOUT);
}

function queryTimeout(ms: number): CrmError {
  return new CrmError(
    ErrorCode.QueryTimeout,
    `the query ran longer than ${ms} ms and was stopped: narrow the filter or ask for fewer rows`,
    [{ path: 'filter', message: `longer than QUERY_TIMEOUT_MS (${ms} ms)` }],
  );
}

async function runQuery(
  runner: QueryRunner | DataSource | MysqlTx,
  sql: string,
  params: SqlParam[],
  opts: QueryOptions = {},
): Promise<{ records: unknown[]; affected: number; insertId: number }> {
  // on MySQL a statement outside a transaction goes straight to mysql2's pool, a transaction's
  // to its connection of the transaction pool (see MysqlTx)
  const pool =
    runner instanceof MysqlTx
      ? runner.conn
      : runner instanceof DataSource
        ? mysqlPoolOf(runner)
        : undefined;
  const qr =
    runner instanceof MysqlTx
      ? runner.source
      : runner instanceof DataSource && !pool
        ? runner.createQueryRunner()
        : runner;
  const ms = opts.timeoutMs;
  let deadline: { at: number } | undefined;
  if (ms) {
    const source = qr instanceof DataSource ? qr : qr.connection;
    if (source.options.type === 'mysql') sql = withTimeout(sql, mysqlFlavor.get(source), ms);
    else {
      const conn = (source.driver as unknown as { databaseConnection?: object }).databaseConnection;
      deadline = conn ? sqliteDeadline.get(conn) : undefined;
    }
  }
  try {
    // better-sqlite3 runs the statement synchronously inside query(): no other statement can
    // start on this connection between setting the deadline and clearing it
    if (deadline && ms) deadline.at = Date.now() + ms;
    // mysql2 directly: TypeORM's query() adds per statement a logger call, two awaited subscriber
    // broadcasts and a result copy, for hooks this application configures none of
    const res = pool
      ? await mysqlQuery(pool, sql, params)
      : await (qr as QueryRunner).query(sql, params, true);
    const raw = res.raw as unknown;
    let insertId = 0;
    if (typeof raw === 'number' || typeof raw === 'bigint') insertId = Number(raw);
    else if (raw && typeof raw === 'object' && 'insertId' in raw) insertId = Number(raw.insertId);
    return { records: res.records ?? [], affected: res.affected ?? 0, insertId };
  } catch (e) {
    if (ms && isQueryTimeout(e)) throw queryTimeout(ms);
    throw e;
  } finally {
    if (deadline) deadline.at = Infinity;
    if (qr !== runner && !(runner instanceof MysqlTx)) await (qr as QueryRunner).release();
  }
}

/** mysql2's pool behind a MySQL DataSource (none with replication or on SQLite). */
function mysqlPoolOf(ds: DataSource): MysqlConnection | undefined {
  if (ds.options.type !== 'mysql') return undefined;
  return (ds.driver as unknown as { pool?: MysqlConnection }).pool;
}

/** The callback API of a pooled mysql2 connection, as far as a statement needs it. */
interface MysqlConnection {
  query(sql: string, params: SqlParam[], cb: (err: Error | null, raw: unknown) => void): void;
}

/** One statement on a mysql2 connection, answered and failing as TypeORM's query() would. */
function mysqlQuery(
  conn: MysqlConnection,
  sql: string,
  params: SqlParam[],
): Promise<{ raw: unknown; records?: unknown[]; affected?: number }> {
  return new Promise((ok, fail) =>
    conn.query(sql, params, (err, raw) => {
      if (err) return fail(new QueryFailedError(sql, params, err));
      const affected = (raw as { affectedRows?: number } | null)?.affectedRows;
      ok({ raw, records: Array.isArray(raw) ? raw : undefined, affected });
    }),
  );
}

class TxDb implements Db {
  readonly inTransaction = true;
  constructor(
    readonly dialect: Dialect,
    private readonly runner: QueryRunner | MysqlTx,
  ) {}
  async query<T>(sql: string, params: SqlParam[] = [], opts?: QueryOptions): Promise<T[]> {
    return (await runQuery(this.runner, sql, params, opts)).records as T[];
  }
  async execute(sql: string, params: SqlParam[] = []): Promise<ExecResult> {
    const r = await runQuery(this.runner, sql, params);
    return { affected: r.affected, insertId: r.insertId };
  }
  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return fn(this); // nested: join the caller's transaction
  }
  private savepoints = 0;
  /** Savepoints of this transaction rolled back so far (engine/tokens.ts reads it on SQLite). */
  savepointRollbacks = 0;
  async savepoint<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const name = `sp_${++this.savepoints}`;
    await runQuery(this.runner, `SAVEPOINT ${name}`, []);
    try {
      const out = await fn(this);
      await runQuery(this.runner, `RELEASE SAVEPOINT ${name}`, []);
      return out;
    } catch (e) {
      await runQuery(this.runner, `ROLLBACK TO SAVEPOINT ${name}`, []);
      this.savepointRollbacks++;
      throw e;
    }
  }
}

export class DataSourceDb implements Db {
  readonly inTransaction = false;
  private readonly mutex = new Mutex();
  readonly dialect: Dialect;
  constructor(readonly dataSource: DataSource) {
    this.dialect = dataSource.options.type === 'mysql' ? 'mysql' : 'sqlite';
  }
  private guard<T>(fn: () => Promise<T>): Promise<T> {
    return this.dialect === 'sqlite' ? this.mutex.run(fn) : fn();
  }
  async query<T>(sql: string, params: SqlParam[] = [], opts?: QueryOptions): Promise<T[]> {
    return this.guard(
      async () => (await runQuery(this.dataSource, sql, params, opts)).records as T[],
    );
  }
  async execute(sql: string, params: SqlParam[] = []): Promise<ExecResult> {
    return this.guard(async () => {
      const r = await runQuery(this.dataSource, sql, params);
      return { affected: r.affected, insertId: r.insertId };
    });
  }
  async savepoint<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }
  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const txPool = transactionPools.get(this.dataSource);
    if (txPool) return mysqlTransaction(this.dataSource, txPool, this.dialect, fn);
    // SQLite: one connection, transactions take turns (a MySQL DataSource always has its pool)
    if (this.dialect === 'mysql')
      throw new Error('a MySQL DataSource opened without openDataSource has no transaction pool');
    return this.guard(async () => {
      const runner = this.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        const out = await fn(new TxDb(this.dialect, runner));
        await runner.commitTransaction();
        return out;
      } catch (e) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        throw e;
      } finally {
        await runner.release();
      }
    });
  }
}

/** A MySQL transaction's connection (of the transaction pool) and the DataSource it serves. */
class MysqlTx {
  constructor(
    readonly conn: MysqlConnection,
    readonly source: DataSource,
  ) {}
}

/**
 * MySQL transactions run on a pool of their own whose connections are in autocommit-off mode
 * at READ COMMITTED (as Camunda requires: after a step locks its instance row, its plain reads
 * must see what the step before it committed). With autocommit off, the first statement opens
 * the transaction and COMMIT / ROLLBACK ends it, as JDBC drivers do — no START TRANSACTION
 * round trip per transaction (a simple approval's two steps: 14 → 12 statements). Statements
 * outside transactions keep autocommit on the DataSource's own pool: a connection of this pool
 * is never handed to anything but mysqlTransaction, which always ends what it began.
 */
const transactionPools = new WeakMap<DataSource, MysqlPool>();
/** Connections of a transaction pool whose session is set up (autocommit off, READ COMMITTED). */
const transactionSessions = new WeakSet<object>();

interface MysqlPool {
  getConnection(cb: (err: Error | null, conn: MysqlPooledConnection) => void): void;
  end(cb: (err: Error | null) => void): void;
}

interface MysqlPooledConnection extends MysqlConnection {
  release(): void;
  destroy(): void;
}

async function mysqlTransaction<T>(
  source: DataSource,
  pool: MysqlPool,
  dialect: Dialect,
  fn: (tx: Db) => Promise<T>,
): Promise<T> {
  const conn = await new Promise<MysqlPooledConnection>((ok, fail) =>
    pool.getConnection((err, c) => (err ? fail(err) : ok(c))),
  );
  let healthy = true;
  try {
    // once per connection, awaited: a connection that did not take both settings runs nothing
    if (!transactionSessions.has(conn)) {
      await mysqlQuery(conn, 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', []);
      await mysqlQuery(conn, 'SET SESSION autocommit = 0', []);
      transactionSessions.add(conn);
    }
    const out = await fn(new TxDb(dialect, new MysqlTx(conn, source)));
    await mysqlQuery(conn, 'COMMIT', []);
    return out;
  } catch (e) {
    // a connection whose transaction could not be ended is never handed out again
    await mysqlQuery(conn, 'ROLLBACK', []).catch(() => (healthy = false));
    throw e;
  } finally {
    if (healthy) conn.release();
    else conn.destroy();
  }
}

/** Opens the transaction pool of a MySQL DataSource (see transactionPools); ended with it. */
function openTransactionPool(ds: DataSource): void {
  const driver = ds.driver as unknown as {
    options: unknown;
    mysql: { createPool(options: unknown): MysqlPool };
    createConnectionOptions(options: unknown, credentials: unknown): unknown;
  };
  // the DataSource's own connection options (charset, time zone, date strings, big numbers...),
  // so rows read in a transaction look exactly like rows read outside one
  const pool = driver.mysql.createPool(
    driver.createConnectionOptions(driver.options, driver.options),
  );
  transactionPools.set(ds, pool);
  const destroy = ds.destroy.bind(ds);
  ds.destroy = async () => {
    transactionPools.delete(ds);
    await new Promise<void>((ok) => pool.end(() => ok()));
    await destroy();
  };
}

export interface ParsedDatabaseUrl {
  dialect: Dialect;
  /** SQLite file path, or MySQL connection parts. */
  file?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
}

export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    return { dialect: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) };
  }
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  return {
    dialect: 'mysql',
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password || ''),
    database: u.pathname.replace(/^\//, '') || 'crm',
  };
}

/** Creates the MySQL database if it is missing (the server is expected to exist). */
async function ensureMysqlDatabase(p: ParsedDatabaseUrl): Promise<void> {
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection({
    host: p.host,
    port: p.port,
    user: p.user,
    password: p.password,
  });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${p.database!.replace(/`/g, '')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await conn.end();
  }
}

export async function openDataSource(url: string, poolSize = 10): Promise<DataSource> {
  const p = parseDatabaseUrl(url);
  let ds: DataSource;
  if (p.dialect === 'sqlite') {
    if (p.file !== ':memory:') fs.mkdirSync(path.dirname(p.file!), { recursive: true });
    ds = new DataSource({
      type: 'better-sqlite3',
      database: p.file!,
      // WAL lets readers (the CLI, backups) work while the server writes.
      prepareDatabase: (db: SqliteHandle) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
        db.pragma('foreign_keys = ON');
        const deadline = { at: Infinity };
        sqliteDeadline.set(db, deadline);
        let calls = 0;
        // deadlineTerm(): called for each row a statement looks at; the clock is read every 64
        db.function('crm_deadline', { deterministic: false }, () => {
          if ((++calls & 63) === 0 && Date.now() > deadline.at) throw new Error(SQLITE_TIMEOUT);
          return 1;
        });
      },
    });
  } else {
    await ensureMysqlDatabase(p);
    ds = new DataSource({
      type: 'mysql',
      host: p.host,
      port: p.port,
      username: p.user,
      password: p.password,
      database: p.database,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
      poolSize,
      extra: { decimalNumbers: true },
    });
  }
  await ds.initialize();
  if (p.dialect === 'mysql') {
    const [v] = (await ds.query('SELECT VERSION() AS v')) as Array<{ v: string }>;
    mysqlFlavor.set(ds, /mariadb/i.test(v.v) ? 'mariadb' : 'mysql');
    openTransactionPool(ds);
  }
  return ds;
}

interface SqliteHandle {
  pragma(s: string): unknown;
  function(name: string, opts: { deterministic: boolean }, fn: () => number): unknown;
}

export function isUniqueViolation(e: unknown): boolean {
  const err = e as { driverError?: { code?: string; errno?: number }; code?: string };
  const d = err.driverError ?? err;
  return (
    d.code === 'ER_DUP_ENTRY' ||
    d.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    d.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

export function isForeignKeyViolation(e: unknown): boolean {
  const err = e as { driverError?: { code?: string }; code?: string };
  const d = err.driverError ?? err;
  return d.code === 'ER_NO_REFERENCED_ROW_2' || d.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Nest injection token of the application's `Db`. */
export const DB = Symbol('DB');

/** Runs fn under a cluster-wide named lock (MySQL GET_LOCK); SQLite has one writer anyway. */
export async function withNamedLock<T>(db: Db, name: string, fn: () => Promise<T>): Promise<T> {
  if (db.dialect !== 'mysql') return fn();
  const ds = (db as DataSourceDb).dataSource;
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    const [row] = (await runner.query('SELECT GET_LOCK(?, 120) AS ok', [name])) as Array<{
      ok: number;
    }>;
    if (Number(row.ok) !== 1) throw new Error(`could not acquire lock ${name}`);
    try {
      return await fn();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [name]);
    }
  } finally {
    await runner.release();
  }
}
