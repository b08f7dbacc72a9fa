import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConsoleLogger, type INestApplication } from '@nestjs/common';
import { type AppConfig, type Dialect, ManualClock, loadConfig } from '@crm/common';
import { createServer } from '../../../apps/server/src/bootstrap';

export const DIALECTS: Dialect[] = ['sqlite', 'mysql'];
/** Server part of TEST_MYSQL_URL (a database name in it is ignored: each test gets its own). */
const MYSQL_BASE = (() => {
  const u = new URL(process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
  const auth = u.username ? `${u.username}${u.password ? `:${u.password}` : ''}@` : 'root@';
  return `mysql://${auth}${u.host}`;
})();

let counter = 0;

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestServer {
  url: string;
  app: INestApplication;
  clock: ManualClock;
  dialect: Dialect;
  config: AppConfig;
  metadataDir: string;
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
  /** Restarts the server on the same database and metadata dir (e.g. after editing files). */
  restart(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/** A fresh database per test server: a temp SQLite file, or a new MySQL database dropped on close. */
export async function freshDatabaseUrl(dialect: Dialect, dataDir: string): Promise<string> {
  if (dialect === 'sqlite') return `sqlite:${path.join(dataDir, 'test.sqlite')}`;
  const name = `crm_e2e_${process.pid}_${Date.now() % 100000}_${++counter}`;
  const mysql = await import('mysql2/promise');
  const u = new URL(`${MYSQL_BASE}/x`);
  // Fails loudly when MySQL is unreachable: the suite must run on both databases.
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
  });
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await conn.end();
  return `${MYSQL_BASE}/${name}`;
}

export async function dropDatabase(url: string): Promise<void> {
  if (!url.startsWith('mysql')) return;
  const u = new URL(url);
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
  });
  await conn.query(`DROP DATABASE IF EXISTS \`${u.pathname.slice(1)}\``);
  await conn.end();
}

export function writeMetadata(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}

export async function startServer(
  dialect: Dialect,
  files: Record<string, string>,
  env: Record<string, string> = {},
  /** Join another server's database and metadata dir instead (a second node of one cluster). */
  joinNodeOf?: TestServer,
): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-e2e-'));
  const metadataDir = joinNodeOf?.metadataDir ?? path.join(dataDir, 'metadata');
  fs.mkdirSync(metadataDir, { recursive: true });
  if (!joinNodeOf) writeMetadata(metadataDir, files);
  const databaseUrl = joinNodeOf?.config.databaseUrl ?? (await freshDatabaseUrl(dialect, dataDir));
  const clock = new ManualClock(new Date('2026-03-15T08:00:00.000Z'));
  let app: INestApplication;
  let url = '';
  let config!: AppConfig;
  const boot = async (extra: Record<string, string>) => {
    config = loadConfig({
      DATA_DIR: dataDir,
      METADATA_DIR: metadataDir,
      WORKFLOWS_DIR: path.join(dataDir, 'workflows'),
      DATABASE_URL: databaseUrl,
      META_POLL_MS: '0',
      // tests drive the job executor round by round (runDue) unless they ask for polling
      JOB_POLL_MS: '0',
      ...extra,
    });
    // Only errors are logged: a 500 in a test shows its stack and correlation id.
    app = await createServer(config, {
      clock,
      logger: new ConsoleLogger('e2e', { logLevels: ['error'] }),
    });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  };
  await boot(env);
  const server: TestServer = {
    get url() {
      return url;
    },
    get app() {
      return app;
    },
    get config() {
      return config;
    },
    clock,
    dialect,
    metadataDir,
    async api(method, p, body, headers = {}) {
      const res = await fetch(`${url}${p}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-user': 'tester', ...headers },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON (HTML docs page) */
      }
      return { status: res.status, body: parsed as never, headers: res.headers };
    },
    async restart(extra = {}) {
      await app.close();
      await boot({ ...env, ...extra });
    },
    async close() {
      await app.close();
      if (!joinNodeOf) await dropDatabase(databaseUrl);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

export const q = (filter: unknown): string => encodeURIComponent(JSON.stringify(filter));

/** Polls until fn stops throwing (bounded): for work another process or poller does. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Minimal BPMN definitions around one or more processes (Camunda 8 namespaces). */
export const bpmn = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="crm">
${body}
</bpmn:definitions>`;
