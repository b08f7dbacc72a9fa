/**
 * Workflow visibility benchmark (a script, not a test): the task inbox and the instance list over
 * BENCH_INSTANCES instances (two tasks each) on MySQL, once as an approver who sees only what is
 * offered to their role, assigned to them or about records they may read (the visibility becomes
 * SQL), and once as the admin who sees everything, requests alternated so noise hits both.
 *
 *   npm run bench:inbox        (BENCH_INSTANCES=200000 BENCH_REQUESTS=200; BENCH_KEEP=1 keeps the
 *                               database crm_bench_inbox afterwards, to EXPLAIN its queries)
 *
 * One open task in 50 is offered to the approver's role, one in 1,000 to them by login, one in
 * 1,000 is assigned to them; a quarter of the instances are about a deal, of which the approver's
 * role reads those owned in their department.
 */
import * as path from 'node:path';
import mysql from 'mysql2/promise';
import { MYSQL, ROOT, benchServer, pct, sideBySide } from '../support';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 200_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const DB = 'crm_bench_inbox';
const PORT = '3912';
const ADMIN_PASSWORD = 'bench-admin-password-1';
const APPROVER_PASSWORD = 'bench-approver-password-1';
const BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="crm">
  <bpmn:process id="bench_inbox" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check"/>
    <bpmn:userTask id="check"/><bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="approve"/>
    <bpmn:userTask id="approve"/><bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>`;

async function main() {
  const { api, login, admin, stop } = await benchServer({
    db: DB,
    port: PORT,
    metadataDir: path.join(ROOT, 'tests/bench/access/metadata'),
    adminPassword: ADMIN_PASSWORD,
  });
  try {
    const team = (await api<{ id: number }>('POST', '/api/admin/departments', admin, { name: 't' }))
      .id;
    await api('POST', '/api/admin/users', admin, {
      login: 'approver',
      password: APPROVER_PASSWORD,
      departmentId: team,
      roles: ['subtree_reader'],
    });
    const approver = await login('approver', APPROVER_PASSWORD);
    await api('POST', '/api/workflow/deployments', admin, BPMN, 'application/xml');
    const db = await mysql.createConnection(`${MYSQL}/${DB}`);
    const [[{ id: definitionId }]] = (await db.query(
      "SELECT id FROM crm_wf_definition WHERE process_key = 'bench_inbox'",
    )) as unknown as [[{ id: number }]];
    const now = '2026-01-01 00:00:00.000';
    // deals: every 4th instance is about one; the approver's department owns one deal in 10
    const deals = Math.ceil(INSTANCES / 4);
    for (let done = 0; done < deals; done += 5000) {
      const values: unknown[] = [];
      for (let i = done; i < Math.min(deals, done + 5000); i++)
        values.push([i % 10 ? `u${i % 1000}` : 'approver', 'b', now, 'b', now, 1, `d${i}`, 'open']);
      await db.query(
        'INSERT INTO e_bench_deal (owner, created_by, created_at, updated_by, updated_at, version, title, status) VALUES ?',
        [values],
      );
    }
    const t0 = Date.now();
    const batch = 5000;
    for (let done = 0; done < INSTANCES; done += batch) {
      const instances: unknown[] = [];
      const tasks: unknown[][] = [];
      // as the engine writes them: candidate rows for the open tasks only
      const candidates: unknown[] = [];
      for (let i = done; i < Math.min(INSTANCES, done + batch); i++) {
        const id = i + 1;
        const about = i % 4 === 0;
        instances.push([
          id,
          definitionId,
          'bench_inbox',
          1,
          'active',
          '{}',
          `u${i % 1000}`,
          now,
          1,
          about ? 'bench_deal' : null,
          about ? i / 4 + 1 : null,
        ]);
        const starter = `u${i % 1000}`;
        // the first task is done; the second is open
        tasks.push([2 * id - 1, id, 2 * id - 1, 'check', null, 'reviewers', null]);
        tasks[tasks.length - 1].push('completed', now, starter, 2);
        const group = i % 50 === 0 ? 'subtree_reader' : `g${i % 50}`;
        const users = i % 1000 === 7 ? 'approver' : `u${(i * 7) % 1000}`;
        const assignee = i % 1000 === 11 ? 'approver' : i % 3 === 0 ? `u${i % 997}` : null;
        tasks.push([
          2 * id,
          id,
          2 * id,
          'approve',
          assignee,
          group,
          users,
          'created',
          now,
          null,
          1,
        ]);
        candidates.push([2 * id, 'group', group], [2 * id, 'user', users]);
      }
      await db.query(
        'INSERT INTO crm_wf_instance (id, definition_id, process_key, definition_version, state, variables, started_by, started_at, version, record_entity, record_id) VALUES ?',
        [instances],
      );
      await db.query(
        'INSERT INTO crm_wf_task (id, instance_id, execution_id, element_id, assignee, candidate_groups, candidate_users, state, created_at, completed_by, version) VALUES ?',
        [tasks],
      );
      await db.query('INSERT INTO crm_wf_task_candidate (task_id, kind, name) VALUES ?', [
        candidates,
      ]);
    }
    const loadSeconds = (Date.now() - t0) / 1000;
    await db.query(
      'ANALYZE TABLE crm_wf_instance, crm_wf_task, crm_wf_task_candidate, e_bench_deal',
    );
    await db.end();

    const cases: Array<{ name: string; path: string; min: number }> = [
      {
        name: 'task inbox `state=created` (500 per page)',
        path: '/api/tasks?state=created',
        min: Math.min(500, INSTANCES / 100),
      },
      {
        name: 'instance list, newest 50',
        path: '/api/workflow/instances?limit=50',
        min: Math.min(50, INSTANCES / 1000),
      },
      {
        name: 'instance list `state=active`, newest 50',
        path: '/api/workflow/instances?state=active&limit=50',
        min: Math.min(50, INSTANCES / 1000),
      },
    ];
    const lines = [
      `| over ${INSTANCES.toLocaleString('en-US')} instances, ${REQUESTS} requests each | admin (sees all) p50 / p95 ms | approver (visibility SQL) p50 / p95 ms | ratio (p50) |`,
      '|---|---:|---:|---:|',
    ];
    for (const c of cases) {
      const run = (token: string, who: string) => async () => {
        const r = await api<{ data: unknown[] }>('GET', c.path, token);
        if (r.data.length < c.min) throw new Error(`${who} got ${r.data.length} rows`);
      };
      const ms = await sideBySide(run(admin, 'admin'), run(approver, 'approver'), REQUESTS);
      const ratio = pct(ms.b, 50) / pct(ms.a, 50);
      lines.push(
        `| ${c.name} | ${pct(ms.a, 50).toFixed(1)} / ${pct(ms.a, 95).toFixed(1)} | ${pct(ms.b, 50).toFixed(1)} / ${pct(ms.b, 95).toFixed(1)} | ${ratio.toFixed(2)}× |`,
      );
    }
    lines.push(
      '',
      `${INSTANCES.toLocaleString('en-US')} instances and ${(2 * INSTANCES).toLocaleString('en-US')} tasks loaded in ${loadSeconds.toFixed(0)} s.`,
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
