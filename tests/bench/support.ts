/** What the HTTP benchmarks share: starting the built server, calling it, percentiles. */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');

/** Starts dist/apps/server with env added; resolves once it logs that it serves. */
export function startBuiltServer(env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps/server/src/main.js')], {
      env: { ...process.env, LOG_LEVEL: 'info', DEMO_DATA: 'false', ...env }, // "CRM serving on" is an info line
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (/CRM serving on/.test(out)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
}

export const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** A JSON client of one server; throws on any status ≥ 300 so a benchmark never times errors. */
export function client(baseUrl: string) {
  return async function api<T>(
    method: string,
    p: string,
    token?: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: {
        'content-type': contentType,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? null : await res.json()) as T;
  };
}

/**
 * Times `a` and `b` side by side: a warm-up, then `requests` rounds alternating which goes first,
 * so machine noise hits both alike. Returns the samples in ms.
 */
export async function sideBySide(
  a: () => Promise<void>,
  b: () => Promise<void>,
  requests: number,
): Promise<{ a: number[]; b: number[] }> {
  const out = { a: [] as number[], b: [] as number[] };
  const time = async (fn: () => Promise<void>, into: number[]) => {
    const started = performance.now();
    await fn();
    into.push(performance.now() - started);
  };
  for (let i = 0; i < 20; i++) await Promise.all([a(), b()]);
  for (let i = 0; i < requests; i++) {
    if (i % 2) {
      await time(a, out.a);
      await time(b, out.b);
    } else {
      await time(b, out.b);
      await time(a, out.a);
    }
  }
  return out;
}

export const MYSQL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/**
 * A fresh MySQL database `db` with the built server on it (metadata from `metadataDir`), the
 * admin logged in. `stop()` kills the server and drops the database (BENCH_KEEP=1 keeps it, to
 * EXPLAIN the queries a run made).
 */
export async function benchServer(opts: {
  db: string;
  port: string;
  metadataDir: string;
  adminPassword: string;
}) {
  const { default: mysql } = await import('mysql2/promise');
  const conn = await mysql.createConnection(MYSQL);
  await conn.query(`DROP DATABASE IF EXISTS \`${opts.db}\``);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `crm-${opts.db}-`));
  const server = await startBuiltServer({
    DATABASE_URL: `${MYSQL}/${opts.db}`,
    METADATA_DIR: opts.metadataDir,
    WORKFLOWS_DIR: path.join(dataDir, 'workflows'),
    DATA_DIR: dataDir,
    PORT: opts.port,
    ADMIN_PASSWORD: opts.adminPassword,
  });
  const api = client(`http://127.0.0.1:${opts.port}`);
  const login = async (l: string, p: string) =>
    (
      await api<{ accessToken: string }>('POST', '/api/auth/login', undefined, {
        login: l,
        password: p,
      })
    ).accessToken;
  return {
    api,
    login,
    admin: await login('admin', opts.adminPassword),
    async stop() {
      server.kill();
      if (!process.env.BENCH_KEEP) await conn.query(`DROP DATABASE IF EXISTS \`${opts.db}\``);
      await conn.end();
    },
  };
}
