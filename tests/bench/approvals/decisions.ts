/**
 * bench:approvals (a): countersign decisions per second, our engine's action API against the
 * same persisted writes hand-written with mysql2, side by side in one process on one MySQL.
 *
 * Each round, per system (the order alternating round by round): BENCH_DECIDE_INSTANCES
 * instances are started (not timed), then BENCH_CONCURRENCY workers decide them (timed): a worker
 * takes the next instance, looks up its five open tasks and approves them one by one; the fifth
 * approval completes the node and ends the instance.
 */
import mysql from 'mysql2/promise';
import { MYSQL, pct } from '../support';
import type { CountersignSystem } from './countersign';
import { oursOnMysql } from './ours';
import { rawOnMysql } from './raw';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const INSTANCES = Number(process.env.BENCH_DECIDE_INSTANCES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 50);
const OURS_DB = 'crm_bench_approvals_ours';
const RAW_DB = 'crm_bench_approvals_raw';

/** Runs `fn` over `items` with `workers` at a time; returns the wall time in seconds. */
async function pooled<T>(items: T[], workers: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
  return (performance.now() - t0) / 1000;
}

interface Sample {
  decisions: number;
  seconds: number;
  /** ms per instance decided (lookup + five approvals). */
  latencies: number[];
}

async function round(sys: CountersignSystem, instances: number): Promise<Sample> {
  const ids: number[] = [];
  await pooled(
    Array.from({ length: instances }, (_, i) => i),
    CONCURRENCY,
    async () => {
      ids.push(await sys.start());
    },
  );
  const latencies: number[] = [];
  let decisions = 0;
  const seconds = await pooled(ids, CONCURRENCY, async (id) => {
    const t0 = performance.now();
    // (not `decisions += await …`: that reads `decisions` before the await, losing updates)
    const made = await sys.decide(id);
    decisions += made;
    latencies.push(performance.now() - t0);
  });
  return { decisions, seconds, latencies };
}

export async function benchDecisions(): Promise<{ lines: string[]; ratio: number }> {
  const conn = await mysql.createConnection(MYSQL);
  for (const db of [OURS_DB, RAW_DB]) await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await conn.query(`CREATE DATABASE \`${RAW_DB}\``);
  const systems: CountersignSystem[] = [];
  try {
    systems.push(await oursOnMysql(`${MYSQL}/${OURS_DB}`, CONCURRENCY));
    systems.push(await rawOnMysql(`${MYSQL}/${RAW_DB}`, CONCURRENCY));
    for (const s of systems) await round(s, WARMUP);
    // SQL round trips per decision: the server's Questions counter over sequential decisions
    // (global: another client of the server at the same time adds noise; an approximation)
    const questions = async () => {
      const [[row]] = (await conn.query("SHOW GLOBAL STATUS LIKE 'Questions'")) as unknown as [
        [{ Value: string }],
      ];
      return Number(row.Value);
    };
    const statements: Record<string, number> = {};
    for (const s of systems) {
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) ids.push(await s.start());
      const q0 = await questions();
      for (const id of ids) await s.decide(id);
      statements[s.name] = ((await questions()) - q0 - 1) / (20 * 5);
    }
    const samples = new Map<string, Sample[]>(systems.map((s) => [s.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 === 0 ? systems : [...systems].reverse()) {
        const sample = await round(s, INSTANCES);
        samples.get(s.name)!.push(sample);
        process.stdout.write(
          `round ${r + 1}/${ROUNDS} ${s.name}: ${(sample.decisions / sample.seconds).toFixed(0)} decisions/s\n`,
        );
      }
    }
    const rate = (name: string) => {
      const ss = samples.get(name)!;
      return ss.reduce((a, x) => a + x.decisions, 0) / ss.reduce((a, x) => a + x.seconds, 0);
    };
    const lines = [
      `| ${CONCURRENCY} workers, ${ROUNDS} rounds of ${INSTANCES} instances × 5 approvals | decisions/s | per round | one instance decided (lookup + 5 approvals) p50 / p99 ms | SQL statements per decision |`,
      '|---|---:|---:|---:|---:|',
    ];
    for (const s of systems) {
      const ss = samples.get(s.name)!;
      const lat = ss.flatMap((x) => x.latencies);
      lines.push(
        `| ${s.name} | ${rate(s.name).toFixed(0)} | ${ss.map((x) => (x.decisions / x.seconds).toFixed(0)).join(' / ')} | ${pct(lat, 50).toFixed(1)} / ${pct(lat, 99).toFixed(1)} | ~${statements[s.name].toFixed(1)} |`,
      );
    }
    const ratio = rate('ours') / rate('raw');
    const states = await Promise.all(
      systems.map(async (s) => `${s.name} ${JSON.stringify(await s.states())}`),
    );
    lines.push(
      '',
      `Instances by final state: ${states.join('; ')}.`,
      '',
      `Decisions per second, ours / raw = **${ratio.toFixed(2)}×** (goal ≥ 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'}).`,
    );
    return { lines, ratio };
  } finally {
    for (const s of systems) await s.close().catch(() => undefined);
    if (!process.env.BENCH_KEEP)
      for (const db of [OURS_DB, RAW_DB]) await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn.end();
  }
}
