/**
 * Records benchmark (a script, not a test): the generic records API against a hand-written
 * NestJS + TypeORM controller on an identical MySQL table, measured side by side in one run and
 * alternated round by round so machine noise hits both. Then a list over BENCH_ROWS rows and the
 * time to add a field to that table through the metadata API.
 *
 *   npm run bench:records                 (BENCH_ROWS=1000000 BENCH_SECONDS=5 BENCH_ROUNDS=3)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import mysql from 'mysql2/promise';

const MYSQL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROOT = path.resolve(__dirname, '../../../..');
const GENERIC_DB = 'crm_bench_generic';
const BASELINE_DB = 'crm_bench_typeorm';

async function admin() {
  const u = new URL(MYSQL);
  return mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: u.username || 'root',
    password: u.password,
    database: undefined,
  });
}

function start(cmd: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cmd, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (ready.test(out)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${cmd.join(' ')} exited ${code}:\n${out}`)));
  });
}

interface Measure {
  rps: number;
  p50: number;
  p99: number;
}

async function load(url: string, requests: autocannon.Request[]): Promise<Measure> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, requests });
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const randomId = (max: number) => 1 + Math.floor(Math.random() * max);

async function main() {
  const conn = await admin();
  for (const db of [GENERIC_DB, BASELINE_DB]) await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await conn.query(`CREATE DATABASE \`${BASELINE_DB}\``);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-'));
  const ours = await start(
    [path.join(ROOT, 'dist/apps/server/src/main.js')],
    {
      DATABASE_URL: `${MYSQL}/${GENERIC_DB}`,
      METADATA_DIR: path.join(ROOT, 'tests/bench/records/metadata'),
      DATA_DIR: dataDir,
      PORT: '3901',
      LOG_LEVEL: 'info',
      ADMIN_PASSWORD: 'bench-admin-password-1',
      DEMO_DATA: 'false',
    },
    /CRM serving on/,
  );
  const base = await start(
    [path.join(ROOT, 'dist/tests/bench/records/baseline/main.js')],
    { DATABASE_URL: `${MYSQL}/${BASELINE_DB}`, PORT: '3902' },
    /baseline serving/,
  );
  await new Promise((r) => setTimeout(r, 500));
  const systems = {
    generic: {
      url: 'http://127.0.0.1:3901',
      create: '/api/records/bench_item',
      read: (id: number) => `/api/records/bench_item/${id}`,
      list: `/api/records/bench_item?filter=${encodeURIComponent('{"status":"open"}')}&limit=50`,
    },
    typeorm: {
      url: 'http://127.0.0.1:3902',
      create: '/items',
      read: (id: number) => `/items/${id}`,
      list: '/items?status=open&limit=50',
    },
  };
  const body = () =>
    JSON.stringify({
      title: `item ${Math.random().toString(36).slice(2, 10)}`,
      status: ['open', 'won', 'lost'][Math.floor(Math.random() * 3)],
      amount: Math.round(Math.random() * 1e6) / 100,
    });
  const results: Record<string, Record<'generic' | 'typeorm', Measure[]>> = {
    create: { generic: [], typeorm: [] },
    read: { generic: [], typeorm: [] },
    list: { generic: [], typeorm: [] },
  };
  // every API route needs a token since the access issue: the bench acts as the first admin
  const login = await fetch(`${systems.generic.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'admin', password: 'bench-admin-password-1' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` };
  // warm-up: JIT, pools, and rows to read
  for (const s of Object.values(systems)) {
    for (let i = 0; i < 2000; i++)
      await fetch(`${s.url}${s.create}`, { method: 'POST', headers, body: body() });
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order =
      round % 2 === 0 ? (['generic', 'typeorm'] as const) : (['typeorm', 'generic'] as const);
    for (const name of order) {
      const s = systems[name];
      results.create[name].push(
        await load(s.url, [
          {
            method: 'POST',
            path: s.create,
            headers,
            setupRequest: (r) => ({ ...r, body: body() }),
          },
        ]),
      );
      results.read[name].push(
        await load(s.url, [
          {
            method: 'GET',
            path: s.read(1),
            headers,
            setupRequest: (r) => ({ ...r, path: s.read(randomId(2000)) }),
          },
        ]),
      );
      results.list[name].push(await load(s.url, [{ method: 'GET', path: s.list, headers }]));
      process.stdout.write(`round ${round + 1}/${ROUNDS} ${name} done\n`);
    }
  }
  const lines = [
    '| operation | generic req/s | TypeORM req/s | ratio | generic p50 / p99 ms | TypeORM p50 / p99 ms |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const [op, r] of Object.entries(results)) {
    const g = mean(r.generic.map((m) => m.rps));
    const t = mean(r.typeorm.map((m) => m.rps));
    lines.push(
      `| ${op} | ${g.toFixed(0)} | ${t.toFixed(0)} | ${(g / t).toFixed(2)}× | ${mean(r.generic.map((m) => m.p50)).toFixed(1)} / ${mean(r.generic.map((m) => m.p99)).toFixed(1)} | ${mean(r.typeorm.map((m) => m.p50)).toFixed(1)} / ${mean(r.typeorm.map((m) => m.p99)).toFixed(1)} |`,
    );
  }
  base.kill();

  // ---- large table: list over ROWS rows, then add a field ----
  const db = await mysql.createConnection(`${MYSQL}/${GENERIC_DB}`);
  const [[{ n: existing }]] = (await db.query(
    'SELECT COUNT(*) AS n FROM e_bench_item',
  )) as unknown as [[{ n: number }]];
  const t0 = Date.now();
  const batch = 5000;
  for (let done = Number(existing); done < ROWS; done += batch) {
    const count = Math.min(batch, ROWS - done);
    const values: unknown[] = [];
    for (let i = 0; i < count; i++) {
      values.push([
        'bench',
        'bench',
        '2026-01-01 00:00:00.000',
        'bench',
        '2026-01-01 00:00:00.000',
        1,
        `row ${done + i}`,
        ['open', 'won', 'lost'][(done + i) % 3],
        ((done + i) % 100000) / 100,
      ]);
    }
    await db.query(
      'INSERT INTO e_bench_item (owner, created_by, created_at, updated_by, updated_at, version, title, status, amount) VALUES ?',
      [values],
    );
    if ((done / batch) % 40 === 0)
      process.stdout.write(`loaded ${done.toLocaleString('en-US')} rows\n`);
  }
  const loadSeconds = (Date.now() - t0) / 1000;
  const [[{ n: total }]] = (await db.query(
    'SELECT COUNT(*) AS n FROM e_bench_item',
  )) as unknown as [[{ n: number }]];
  const listMs: number[] = [];
  const filters = [
    { status: 'open' },
    { status: 'won', amount: { gte: 500 } },
    { title: { startsWith: 'row 99' } },
  ];
  const filterMs: Record<string, number[]> = {};
  for (let i = 0; i < 200; i++) {
    const f = filters[i % filters.length];
    const started = performance.now();
    const res = await fetch(
      `${systems.generic.url}/api/records/bench_item?filter=${encodeURIComponent(JSON.stringify(f))}&limit=50`,
      { headers },
    );
    await res.json();
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`list ${res.status}`);
    listMs.push(ms);
    (filterMs[JSON.stringify(f)] ??= []).push(ms);
  }
  const doc = await (
    await fetch(`${systems.generic.url}/api/meta/documents/entity/bench_item`, { headers })
  ).json();
  doc.fields.score = { type: 'integer', label: { 'zh-CN': '分数', en: 'Score' }, default: 0 };
  await fetch(`${systems.generic.url}/api/meta/documents/entity/bench_item`, {
    method: 'PUT',
    headers,
    body: JSON.stringify(doc),
  });
  let started = performance.now();
  const plan = await (
    await fetch(`${systems.generic.url}/api/meta/plan`, { method: 'POST', headers })
  ).json();
  const planMs = performance.now() - started;
  started = performance.now();
  const applied = await fetch(`${systems.generic.url}/api/meta/apply`, {
    method: 'POST',
    headers,
    body: '{}',
  });
  const applyMs = performance.now() - started;
  if (applied.status !== 200) throw new Error(`apply ${applied.status}: ${await applied.text()}`);
  ours.kill();
  await db.end();
  for (const d of [GENERIC_DB, BASELINE_DB]) await conn.query(`DROP DATABASE IF EXISTS \`${d}\``);
  await conn.end();

  lines.push(
    '',
    `| list over ${Number(total).toLocaleString('en-US')} rows (limit 50, 200 requests) | p50 ms | p95 ms |`,
    '|---|---:|---:|',
  );
  lines.push(`| all filters | ${pct(listMs, 50).toFixed(1)} | ${pct(listMs, 95).toFixed(1)} |`);
  for (const [f, ms] of Object.entries(filterMs))
    lines.push(`| \`${f}\` | ${pct(ms, 50).toFixed(1)} | ${pct(ms, 95).toFixed(1)} |`);
  lines.push(
    '',
    `| add a field with a default to the ${Number(total).toLocaleString('en-US')}-row table | ms |`,
    '|---|---:|',
  );
  lines.push(
    `| plan (\`${plan.changes?.[0]?.effect ?? '?'}\`) | ${planMs.toFixed(0)} |`,
    `| apply (${(plan.changes?.[0]?.ddl?.[0] ?? '').replace(/\|/g, '\\|')}) | ${applyMs.toFixed(0)} |`,
  );
  lines.push(
    '',
    `Bulk load of the rows (direct multi-row INSERT, not the API): ${loadSeconds.toFixed(1)} s.`,
  );
  const table = lines.join('\n');
  process.stdout.write(`\n${table}\n`);
  const header = `# Records benchmark\n\nMeasured ${new Date().toISOString().slice(0, 10)} on the development machine (2 cores, MariaDB ${await serverVersion()} on 127.0.0.1), ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s per operation and system.\nCommand: \`npm run bench:records\` (env: BENCH_ROWS=${ROWS}, BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS, TEST_MYSQL_URL).\n\n"generic" is our records API (\`/api/records/bench_item\`: JSON Schema validation, history row, optimistic-locking columns); "TypeORM" is a hand-written NestJS + TypeORM entity and controller on an identical table (tests/bench/records/baseline). Both run as separate processes on the same MySQL server.\n\n`;
  fs.writeFileSync(path.join(ROOT, 'tests/bench/records/RESULTS.md'), `${header}${table}\n`);
}

async function serverVersion(): Promise<string> {
  const c = await admin();
  const [[row]] = (await c.query('SELECT VERSION() AS v')) as unknown as [[{ v: string }]];
  await c.end();
  return row.v;
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
