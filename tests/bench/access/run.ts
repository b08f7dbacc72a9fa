/**
 * Access benchmark (a script, not a test): the same list over BENCH_ROWS rows on MySQL, once as a
 * user whose role limits it to records owned in their department subtree (the condition becomes
 * SQL) and once as the admin (no condition), requests alternated so noise hits both. Goal: the
 * conditioned list takes at most 1.3× the time of the unconditioned one.
 *
 *   npm run bench:access        (BENCH_ROWS=1000000 BENCH_REQUESTS=300)
 *
 * The tree: 1 root, 10 divisions, 10 teams each (111 departments), BENCH_USERS users spread over
 * them evenly; the measured manager heads one division, so the subtree holds ~10% of the owners.
 */
import * as path from 'node:path';
import mysql from 'mysql2/promise';
import { MYSQL, ROOT, benchServer, pct, sideBySide } from '../support';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const USERS = Number(process.env.BENCH_USERS ?? 1000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const DB = 'crm_bench_access';
const PORT = '3911';
const ADMIN_PASSWORD = 'bench-admin-password-1';
const MANAGER_PASSWORD = 'bench-manager-password-1';

async function main() {
  const { api, login, admin, stop } = await benchServer({
    db: DB,
    port: PORT,
    metadataDir: path.join(ROOT, 'tests/bench/access/metadata'),
    adminPassword: ADMIN_PASSWORD,
  });
  try {
    const dep = async (name: string, parentId: number | null) =>
      (await api<{ id: number }>('POST', '/api/admin/departments', admin, { name, parentId })).id;
    const root = await dep('company', null);
    const teams: number[] = [];
    let managed = 0;
    for (let d = 0; d < 10; d++) {
      const division = await dep(`division ${d}`, root);
      if (d === 0) managed = division;
      teams.push(division);
      for (let t = 0; t < 10; t++) teams.push(await dep(`team ${d}.${t}`, division));
    }
    await api('POST', '/api/admin/users', admin, {
      login: 'manager',
      password: MANAGER_PASSWORD,
      departmentId: managed,
      roles: ['subtree_reader'],
    });
    const manager = await login('manager', MANAGER_PASSWORD);
    // the other users own records only; they never log in, so they are inserted directly
    const db = await mysql.createConnection(`${MYSQL}/${DB}`);
    const now = '2026-01-01 00:00:00.000';
    const users = Array.from({ length: USERS }, (_, i) => [
      `u${i}`,
      teams[i % teams.length],
      '[]',
      1,
      now,
      now,
    ]);
    await db.query(
      'INSERT INTO crm_user (login, department_id, roles, active, created_at, updated_at) VALUES ?',
      [users],
    );
    const t0 = Date.now();
    const batch = 5000;
    for (let done = 0; done < ROWS; done += batch) {
      const values: unknown[] = [];
      for (let i = done; i < Math.min(ROWS, done + batch); i++)
        values.push([
          `u${(i * 7919) % USERS}`,
          'bench',
          now,
          'bench',
          now,
          1,
          `row ${i}`,
          i % 2 ? 'open' : 'won',
          (i % 100000) / 100,
        ]);
      await db.query(
        'INSERT INTO e_bench_deal (owner, created_by, created_at, updated_by, updated_at, version, title, status, amount) VALUES ?',
        [values],
      );
      if ((done / batch) % 40 === 0)
        process.stdout.write(`loaded ${done.toLocaleString('en-US')} rows\n`);
    }
    const loadSeconds = (Date.now() - t0) / 1000;
    await db.query('ANALYZE TABLE e_bench_deal, crm_user');
    const cases = [
      { name: 'list, limit 50', q: 'limit=50' },
      {
        name: 'list {"status":"open"}, limit 50',
        q: `limit=50&filter=${encodeURIComponent('{"status":"open"}')}`,
      },
      { name: 'list, 5th page by cursor', q: 'limit=50', pages: 5 },
    ];
    const lines = [
      `| over ${ROWS.toLocaleString('en-US')} rows, ${REQUESTS} requests each | no condition p50 / p95 ms | department subtree p50 / p95 ms | ratio (p50) |`,
      '|---|---:|---:|---:|',
    ];
    let worst = 0;
    for (const c of cases) {
      const run = (who: 'admin' | 'manager') => async () => {
        const token = who === 'admin' ? admin : manager;
        let cursor: string | null = null;
        for (let p = 0; p < (c.pages ?? 1); p++) {
          const r: { data: unknown[]; nextCursor: string | null } = await api(
            'GET',
            `/api/records/bench_deal?${c.q}${cursor ? `&cursor=${cursor}` : ''}`,
            token,
          );
          if (r.data.length !== 50) throw new Error(`${who} got ${r.data.length} rows`);
          cursor = r.nextCursor;
        }
      };
      const { a: adminMs, b: managerMs } = await sideBySide(run('admin'), run('manager'), REQUESTS);
      const ms = { admin: adminMs, manager: managerMs };
      const ratio = pct(ms.manager, 50) / pct(ms.admin, 50);
      worst = Math.max(worst, ratio);
      lines.push(
        `| ${c.name} | ${pct(ms.admin, 50).toFixed(1)} / ${pct(ms.admin, 95).toFixed(1)} | ${pct(ms.manager, 50).toFixed(1)} / ${pct(ms.manager, 95).toFixed(1)} | ${ratio.toFixed(2)}× |`,
      );
    }
    const [[{ n }]] = (await db.query(
      `SELECT COUNT(*) AS n FROM e_bench_deal t WHERE t.owner IN (SELECT u.login FROM crm_user u WHERE u.department_id IN (${teams.slice(0, 11).join(',')}))`,
    )) as unknown as [[{ n: number }]];
    await db.end();
    lines.push(
      '',
      `${ROWS.toLocaleString('en-US')} rows loaded in ${loadSeconds.toFixed(0)} s; the manager's subtree (11 of 111 departments) owns ${Number(n).toLocaleString('en-US')} of them. Worst ratio ${worst.toFixed(2)}× (goal ≤ 1.3×).`,
    );
    process.stdout.write(`\n${lines.join('\n')}\n`);
  } finally {
    await stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
