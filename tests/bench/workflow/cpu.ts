/**
 * CPU per instance of our engine (a script, not a test): boots the app as the bench does, warms it
 * up, then runs BENCH_INSTANCES instances one after another and prints the Node process's own CPU
 * time per instance and MariaDB's (the server process's, from /proc: other clients of the server
 * count too). Unlike instances/s, the Node figure hardly moves with the machine's load.
 * BENCH_PROFILE=file.cpuprofile also writes a CPU profile of the measured part only.
 *
 *   npm run build && swc tests/bench -d dist --copy-files --quiet && node dist/tests/bench/workflow/cpu.js
 */
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import mysql from 'mysql2/promise';
import { oursOnMysql } from './ours';
import { rawOnMysql } from './raw';

const MYSQL = (process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const DB = 'crm_bench_wf_cpu';
const N = Number(process.env.BENCH_INSTANCES ?? 1000);
/** Workers running instances side by side (the bench's 16 shows where Node's time goes under load). */
const C = Number(process.env.BENCH_CONCURRENCY ?? 1);
const PROFILE = process.env.BENCH_PROFILE;
/** BENCH_SYSTEM=raw measures the hand-written floor the same way (the bench's `raw`). */
const SYSTEM = process.env.BENCH_SYSTEM === 'raw' ? rawOnMysql : oursOnMysql;

/** The MariaDB server's CPU time in ms (user + system), or NaN when it is not on this machine. */
function serverCpuMs(): number {
  try {
    const pid = execSync('pgrep -o mariadbd || pgrep -o mysqld').toString().trim();
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

async function main() {
  const admin = await mysql.createConnection(MYSQL);
  await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  // the app creates its database; the floor expects it
  if (SYSTEM === rawOnMysql) await admin.query(`CREATE DATABASE \`${DB}\``);
  const ours = await SYSTEM(`${MYSQL}/${DB}`, Math.max(2, C));
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((ok, fail) =>
      session.post(method, params, (e, v) => (e ? fail(e) : ok(v))),
    );
  try {
    for (let i = 0; i < 300; i++) await ours.iteration(i % 2 === 0);
    if (PROFILE) {
      await post('Profiler.enable');
      await post('Profiler.start');
    }
    const server0 = serverCpuMs();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < N) await ours.iteration(next++ % 2 === 0);
      }),
    );
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const server = serverCpuMs() - server0;
    if (PROFILE) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      fs.writeFileSync(PROFILE, JSON.stringify(profile));
    }
    const per = (us: number) => (us / 1000 / N).toFixed(2);
    process.stdout.write(
      `${N} instances in ${ms.toFixed(0)} ms (${((N / ms) * 1000).toFixed(0)}/s): Node CPU ${per(cpu.user + cpu.system)} ms per instance (user ${per(cpu.user)}, system ${per(cpu.system)}), MariaDB ${(server / N).toFixed(2)} ms\n`,
    );
  } finally {
    session.disconnect();
    await ours.close();
    // BENCH_KEEP=1 leaves the database for EXPLAIN and the like
    if (!process.env.BENCH_KEEP) await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
    await admin.end();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
