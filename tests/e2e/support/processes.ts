import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADMIN_PASSWORD, type ApiResponse, USER_PASSWORD, readResponse } from './harness';

const ROOT = path.resolve(__dirname, '../../..');
/** The built server (`npm run build`; `npm test` builds it first as pretest). */
export const SERVER_MAIN = path.join(ROOT, 'dist/apps/server/src/main.js');

/** Bearer tokens per server URL and login; users other than admin are created on first use. */
const tokens = new Map<string, Promise<string>>();

async function login(url: string, name: string, password: string): Promise<Response> {
  return fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: name, password }),
  });
}

async function tokenOf(url: string, user: string): Promise<string> {
  let res = await login(url, user, user === 'admin' ? ADMIN_PASSWORD : USER_PASSWORD);
  if (res.status === 401 && user !== 'admin') {
    const created = await fetch(`${url}/api/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await identify(url, 'admin')) },
      body: JSON.stringify({ login: user, password: USER_PASSWORD, roles: ['admin'] }),
    });
    if (created.status !== 201 && created.status !== 409)
      throw new Error(`could not create user ${user}: ${await created.text()}`);
    res = await login(url, user, USER_PASSWORD);
  }
  if (res.status !== 200) throw new Error(`could not log in ${user}: ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/**
 * How a test client says who it is: the bearer token of that login on this server (every server
 * of one database shares the signing key). Concurrent callers share one login, so a burst of
 * clients does not trip the failed-login rate limit while the user is being created.
 */
export async function identify(url: string, user: string): Promise<Record<string, string>> {
  const key = `${url} ${user}`;
  let token = tokens.get(key);
  if (!token) {
    token = tokenOf(url, user);
    tokens.set(key, token);
    token.catch(() => tokens.delete(key));
  }
  return { authorization: `Bearer ${await token}` };
}

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal (SIGKILL by default: a crash) and waits for the process to be gone. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Graceful stop: SIGTERM (Nest shutdown hooks close the pool), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** One HTTP call; JSON in and out, the caller identified with {@link identify}. */
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    opts?: { user?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  /** The last 64 KB of the process's stdout and stderr (pino JSON lines), for failure messages. */
  output(): string;
}

export interface SpawnOptions {
  /** Environment of the server on top of the test's own (DATABASE_URL, DATA_DIR, METADATA_DIR...). */
  env: Record<string, string>;
  /** How long start-up may take until `GET /api/health` answers 200. */
  timeoutMs?: number;
}

/**
 * Starts `node dist/apps/server/src/main.js` as a real child process. With PORT=0 (the default
 * here) the OS picks a free port and the server's one "CRM serving on <url>" log line (info level)
 * says which; the server is ready when `GET /api/health` answers 200.
 */
export async function spawnServer(opts: SpawnOptions): Promise<ServerProcess> {
  if (!fs.existsSync(SERVER_MAIN))
    throw new Error(`${SERVER_MAIN} is missing: run \`npm run build\` first`);
  const child: ChildProcess = spawn(process.execPath, [SERVER_MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'info',
      META_POLL_MS: '0',
      ADMIN_PASSWORD,
      DEMO_DATA: 'false',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 65536) out = out.slice(-65536);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));

  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  // a port picked by the caller is known up front; PORT=0 is read from the log line
  const fixed = Number(opts.env.PORT ?? 0);
  let url = fixed ? `http://127.0.0.1:${fixed}` : '';
  for (;;) {
    if (gone) throw new Error(`server exited during start-up:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer /api/health in time:\n${out}`);
    }
    if (!url) {
      const m = /CRM serving on https?:\/\/[^:\s]+:(\d+)/.exec(out);
      if (m) url = `http://127.0.0.1:${m[1]}`;
    }
    if (url) {
      const ok = await fetch(`${url}/api/health`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!gone) child.kill(signal);
    return exited;
  };
  return {
    url,
    pid: child.pid!,
    exited,
    kill,
    async stop(graceMs = 10_000) {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async api(method, p, body, o = {}) {
      const xml = typeof body === 'string' && body.trimStart().startsWith('<');
      const res = await fetch(`${url}${p}`, {
        method,
        headers: {
          'content-type': xml ? 'application/xml' : 'application/json',
          ...(await identify(url, o.user ?? 'tester')),
          ...o.headers,
        },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return readResponse(res);
    },
    output: () => out,
  };
}
