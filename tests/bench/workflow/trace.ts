/**
 * The SQL of one instance of the bench diagram on our engine (a script, not a test): boots the app
 * as the bench does, warms it up, then prints every statement mysql2 sends for one start → find →
 * complete, with its phase, so a change to the engine's persistence shows in statement counts.
 *
 *   npm run build && swc tests/bench -d dist --copy-files --quiet && node dist/tests/bench/workflow/trace.js
 */
import * as path from 'node:path';
import mysql from 'mysql2/promise';
import { oursOnMysql } from './ours';

const MYSQL = (process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const DB = 'crm_bench_wf_trace';

async function main() {
  const admin = await mysql.createConnection(MYSQL);
  await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  // the statements every mysql2 connection sends, whoever sends them (TypeORM's pool included)
  const base = require(
    path.join(path.dirname(require.resolve('mysql2')), 'lib/base/connection.js'),
  ) as {
    prototype: Record<string, (...a: unknown[]) => unknown>;
  };
  let log: string[] | null = null;
  for (const m of ['query', 'execute'] as const) {
    const original = base.prototype[m];
    base.prototype[m] = function (this: unknown, sql: unknown, ...rest: unknown[]) {
      const text = typeof sql === 'string' ? sql : (sql as { sql?: string })?.sql;
      if (log) log.push(`${m === 'execute' ? 'E' : 'Q'} ${String(text).replace(/\s+/g, ' ')}`);
      return original.call(this, sql, ...rest);
    };
  }
  const ours = await oursOnMysql(`${MYSQL}/${DB}`, 2);
  try {
    for (let i = 0; i < 20; i++) await ours.iteration(i % 2 === 0);
    for (const approved of [true, false]) {
      log = [];
      await ours.iteration(approved);
      process.stdout.write(`--- one instance (approved = ${approved}): ${log.length} statements\n`);
      for (const l of log) process.stdout.write(`${l.slice(0, 400)}\n`);
      log = null;
    }
  } finally {
    await ours.close();
    await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
    await admin.end();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
