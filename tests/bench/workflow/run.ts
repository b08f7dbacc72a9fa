/**
 * Workflow benchmark (a script, not a test): one diagram — start → user task → exclusive gateway
 * (FEEL) → end — run to completion instance after instance by three systems side by side in one
 * process, alternated round by round so machine noise hits all of them:
 *
 *   ours         our engine in-process (the NestJS app on a fresh MySQL database), every step persisted
 *   raw          the same transactions hand-written with mysql2 on minimal tables: the MySQL floor
 *   bpmn-engine  the bpmn-engine npm package, in memory (nothing persisted)
 *
 * Each at BENCH_CONCURRENCY workers and single-threaded. One iteration = start an instance, find
 * its task (by its unique assignee), complete it.
 *
 *   npm run bench:workflow         (BENCH_SECONDS=5 BENCH_ROUNDS=3 BENCH_CONCURRENCY=16)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mysql from 'mysql2/promise';
import { bpmnEngineInMemory } from './bpmn-engine';
import { type BenchSystem, type Steps } from './diagram';
import { oursOnMysql } from './ours';
import { rawOnMysql } from './raw';

const MYSQL = (process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const ROOT = path.resolve(__dirname, '../../../..');
const ANALYSIS_MARKER = '<!-- analysis (kept by re-runs) -->';
const OURS_DB = 'crm_bench_wf_ours';
const RAW_DB = 'crm_bench_wf_raw';

interface Phase {
  instances: number;
  seconds: number;
  steps: Steps[];
  /** Highest RSS / heapUsed seen during the phase minus the value before it, bytes. */
  peakRss: number;
  peakHeap: number;
  /** heapUsed after a full GC at the end minus before the phase: what the work left behind. */
  retainedHeap: number;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

async function phase(sys: BenchSystem, workers: number, seconds: number): Promise<Phase> {
  gc();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const steps: Steps[] = [];
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let k = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) steps.push(await sys.iteration(k++ % 2 === 0));
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  sample();
  gc();
  const after = process.memoryUsage();
  return {
    instances: steps.length,
    seconds: elapsed,
    steps,
    peakRss: peakRss - before.rss,
    peakHeap: peakHeap - before.heapUsed,
    retainedHeap: after.heapUsed - before.heapUsed,
  };
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function admin() {
  return mysql.createConnection(MYSQL);
}

async function main() {
  const conn = await admin();
  const [[{ v: version }]] = (await conn.query('SELECT VERSION() AS v')) as unknown as [
    [{ v: string }],
  ];
  for (const db of [OURS_DB, RAW_DB]) await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await conn.query(`CREATE DATABASE \`${RAW_DB}\``);
  const systems: BenchSystem[] = [];
  try {
    systems.push(await oursOnMysql(`${MYSQL}/${OURS_DB}`, CONCURRENCY));
    systems.push(await rawOnMysql(`${MYSQL}/${RAW_DB}`, CONCURRENCY));
    systems.push(await bpmnEngineInMemory());
    await measure(systems, version, conn);
  } finally {
    // fresh databases in, none left behind — also when a run fails half-way
    for (const s of systems) await s.close().catch(() => undefined);
    for (const db of [OURS_DB, RAW_DB]) await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn.end();
  }
}

/** The rounds, then the tables on stdout and in RESULTS.md. */
async function measure(systems: BenchSystem[], version: string, conn: mysql.Connection) {
  const levels = [...new Set([CONCURRENCY, 1])];
  const results = new Map<string, Phase[]>();
  const key = (s: BenchSystem, c: number) => `${s.name}@${c}`;
  // warm-up: JIT, pools, the engine's graph cache
  for (const s of systems) {
    let left = WARMUP;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (left-- > 0) await s.iteration(left % 2 === 0);
      }),
    );
  }
  // SQL round trips per instance: the server's Questions counter over sequential instances
  // (global, so another client of the server at the same time adds noise; an approximation)
  const statements: Record<string, number> = {};
  const questions = async () => {
    const [[row]] = (await conn.query("SHOW GLOBAL STATUS LIKE 'Questions'")) as unknown as [
      [{ Value: string }],
    ];
    return Number(row.Value);
  };
  for (const s of systems.filter((x) => x.name !== 'bpmn-engine')) {
    const q0 = await questions();
    for (let i = 0; i < 200; i++) await s.iteration(i % 2 === 0);
    statements[s.name] = ((await questions()) - q0 - 1) / 200;
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? systems : [...systems].reverse();
    for (const c of levels) {
      for (const s of order) {
        const p = await phase(s, c, SECONDS);
        const list = results.get(key(s, c)) ?? [];
        list.push(p);
        results.set(key(s, c), list);
        process.stdout.write(
          `round ${round + 1}/${ROUNDS} ${s.name} x${c}: ${(p.instances / p.seconds).toFixed(0)} instances/s\n`,
        );
      }
    }
  }
  const states: Record<string, Record<string, number>> = {};
  for (const s of systems) states[s.name] = await s.states();

  const ips = (name: string, c: number) => {
    const ps = results.get(`${name}@${c}`)!;
    return ps.reduce((a, p) => a + p.instances, 0) / ps.reduce((a, p) => a + p.seconds, 0);
  };
  const lines: string[] = [];
  for (const c of levels) {
    const ours = ips('ours', c);
    const raw = ips('raw', c);
    const be = ips('bpmn-engine', c);
    lines.push(
      `### ${c === 1 ? 'single-threaded (1 worker)' : `${c} concurrent workers`}`,
      '',
      '| system | instances/s | per round | start p50 / p99 ms | find task p50 / p99 ms | complete p50 / p99 ms | peak RSS Δ MB | peak heap Δ MB | retained heap Δ MB |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const s of systems) {
      const ps = results.get(key(s, c))!;
      const all = ps.flatMap((p) => p.steps);
      const lat = (f: keyof Steps) =>
        `${pct(
          all.map((x) => x[f]),
          50,
        ).toFixed(2)} / ${pct(
          all.map((x) => x[f]),
          99,
        ).toFixed(2)}`;
      const max = (f: 'peakRss' | 'peakHeap' | 'retainedHeap') =>
        mb(Math.max(...ps.map((p) => p[f])));
      lines.push(
        `| ${s.name} | ${ips(s.name, c).toFixed(0)} | ${ps.map((p) => (p.instances / p.seconds).toFixed(0)).join(' / ')} | ${lat('start')} | ${lat('find')} | ${lat('complete')} | ${max('peakRss')} | ${max('peakHeap')} | ${max('retainedHeap')} |`,
      );
    }
    lines.push(
      '',
      `ours / raw = **${(ours / raw).toFixed(2)}×** (goal ≥ 0.7: ${ours / raw >= 0.7 ? 'met' : 'NOT met'}); ours / bpmn-engine = **${(ours / be).toFixed(2)}×** (goal ≥ 4: ${ours / be >= 4 ? 'met' : 'NOT met'})`,
      '',
    );
  }
  lines.push(
    `SQL statements per instance (server \`Questions\` counter over 200 sequential instances, BEGIN/COMMIT and the task lookup included): ${Object.entries(
      statements,
    )
      .map(([n, v]) => `${n} ~${v.toFixed(1)}`)
      .join(', ')}.`,
    '',
    `Instances by final state: ${systems.map((s) => `${s.name} ${JSON.stringify(states[s.name])}`).join('; ')}.`,
  );
  const table = lines.join('\n');
  process.stdout.write(`\n${table}\n`);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    '# Workflow engine benchmark',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on the development machine (${os.cpus().length} cores, ${cpu}, Node ${process.version}, MariaDB ${version} on 127.0.0.1), ${ROUNDS} alternating rounds of ${SECONDS} s per system and concurrency level, after ${WARMUP} warm-up instances each.`,
    `Command: \`npm run bench:workflow\` (env: BENCH_SECONDS=${SECONDS}, BENCH_ROUNDS=${ROUNDS}, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_WARMUP, TEST_MYSQL_URL).`,
    '',
    'Diagram (tests/bench/workflow/diagram.ts): start → user task (assignee `=manager`) → exclusive gateway (`=approved = true`, default flow) → end. One instance = start it, find its task by its unique assignee, complete it with `approved` (alternately true and false, so both branches run). All three run in one Node process, one after another.',
    '',
    '- **ours**: the NestJS app booted with `createServer` on a fresh MySQL database, `EngineService.start` / `tasks` / `completeTask` called in-process (no HTTP). Every step is one transaction with its history; DB_POOL_SIZE = the number of workers.',
    '- **raw**: the MySQL floor — the same persisted effect hand-written with mysql2/promise on three minimal tables (instance, task, history): start = 1 transaction (insert instance, insert task, one multi-row history insert); find = one indexed select; complete = 1 transaction (task joined to its instance, locked FOR UPDATE; update task; the FEEL condition with feelin; multi-row history insert; instance ended). Pool size = the number of workers.',
    '- **bpmn-engine**: the `bpmn-engine` npm package in memory (nothing persisted), one `Engine` per instance from the once-parsed moddle context; FEEL plugged in through its `expressions` option; start = `execute` until the user task waits; find = `getPostponed()`; complete = set `approved`, `signal`, wait for `end`.',
    '',
    'Memory: `process.memoryUsage()` sampled every 20 ms during a phase, relative to just before it (after a forced GC); the worst phase of the rounds. "retained" is heapUsed after a forced GC at the end of the phase.',
    '',
  ].join('\n');
  // a hand-written analysis below the marker survives re-runs
  const file = path.join(ROOT, 'tests/bench/workflow/RESULTS.md');
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const at = previous.indexOf(ANALYSIS_MARKER);
  const analysis = at >= 0 ? `\n${previous.slice(at)}` : '';
  fs.writeFileSync(file, `${header}\n${table}\n${analysis}`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
