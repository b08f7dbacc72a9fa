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

/** Password of the first `admin` each test server starts with, and of the users tests act as. */
export const ADMIN_PASSWORD = 'admin-e2e-password-1';
export const USER_PASSWORD = 'user-e2e-password-1';

/**
 * Existing specs name who acts with an `x-user` header and sometimes call `fetch(s.url...)`
 * directly. Every API route now needs a token, so requests to a test server without an
 * Authorization header get the bearer token of their x-user (default "tester"), created through
 * the admin API on first use with the admin role. Specs that test authentication itself send their
 * own Authorization header, which is left alone.
 */
const rawFetch: typeof fetch = globalThis.fetch.bind(globalThis);
const liveServers = new Set<{
  url: string;
  tokenFor(login: string, fresh?: boolean): Promise<string>;
}>();
globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const server = [...liveServers].find((s) => s.url && href.startsWith(s.url));
  const headers = new Headers(
    init?.headers ?? (input instanceof Request ? input.headers : undefined),
  );
  if (!server || headers.has('authorization') || headers.get('x-no-auth') === '1') {
    headers.delete('x-no-auth');
    return rawFetch(input, { ...init, headers });
  }
  const login = headers.get('x-user') ?? 'tester';
  headers.delete('x-user');
  headers.set('authorization', `Bearer ${await server.tokenFor(login)}`);
  const res = await rawFetch(input, { ...init, headers });
  if (res.status !== 401 || (init?.body !== undefined && typeof init.body !== 'string')) return res;
  // the test moved the clock past the token's expiry: log in again, once
  headers.set('authorization', `Bearer ${await server.tokenFor(login, true)}`);
  return rawFetch(input, { ...init, headers });
};

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
  /** An access token of `login` (created with the admin role on first use). */
  tokenFor(login: string, fresh?: boolean): Promise<string>;
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
      ADMIN_PASSWORD,
      // tests start from an empty organisation unless they ask for the demo one
      DEMO_DATA: 'false',
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
  try {
    await boot(env);
  } catch (e) {
    // a server that refuses to start has created its MySQL database already: drop it, or every
    // `npm test` leaves one behind (the "refuses to start on bad files" cases)
    if (!joinNodeOf) await dropDatabase(databaseUrl);
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const tokens = new Map<string, string>();
  const login = async (name: string, password: string): Promise<Response> =>
    rawFetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: name, password }),
    });
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
    async tokenFor(name, fresh = false) {
      const cached = tokens.get(name);
      if (cached && !fresh) return cached;
      let res = await login(name, name === 'admin' ? ADMIN_PASSWORD : USER_PASSWORD);
      if (res.status === 401 && name !== 'admin') {
        const create = async (admin: string) =>
          rawFetch(`${url}/api/admin/users`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
            body: JSON.stringify({
              login: name,
              password: USER_PASSWORD,
              roles: ['admin'],
              locale: 'en',
            }),
          });
        let created = await create(await server.tokenFor('admin'));
        // the test may have moved the clock past the admin token's expiry
        if (created.status === 401) created = await create(await server.tokenFor('admin', true));
        if (created.status !== 201 && created.status !== 409)
          throw new Error(`harness could not create user ${name}: ${await created.text()}`);
        res = await login(name, USER_PASSWORD);
      }
      if (res.status !== 200)
        throw new Error(`harness could not log in ${name}: ${await res.text()}`);
      const token = ((await res.json()) as { accessToken: string }).accessToken;
      tokens.set(name, token);
      return token;
    },
    async api(method, p, body, headers = {}) {
      const res = await fetch(`${url}${p}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-user': 'tester', ...headers },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return readResponse(res);
    },
    async restart(extra = {}) {
      await app.close();
      await boot({ ...env, ...extra });
    },
    async close() {
      liveServers.delete(server);
      try {
        // after a restart that refused to start, the app is closed already and this throws
        await app.close();
      } finally {
        if (!joinNodeOf) await dropDatabase(databaseUrl);
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
  liveServers.add(server);
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

/** A response as tests read it: status, JSON body (or the text when it is not JSON), headers. */
export async function readResponse<T = any>(res: Response): Promise<ApiResponse<T>> {
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON (HTML docs page, XML) */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}
