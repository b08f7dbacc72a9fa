/**
 * bench:approvals (b): the approval inbox (GET /api/inbox) among BENCH_INSTANCES instances on
 * MySQL, as an approver whose role is narrowed by row rules and as the admin, requests alternated
 * so noise hits both (the built server over HTTP, as users call it).
 *
 * Both have a comparable share of the work, so the comparison is the cost of the approver's
 * visibility rules, not of a smaller inbox: one open task in 50 is offered to each one's role (the
 * approver's narrowed to deals owned in their department: a quarter of the instances are about a
 * deal, one deal in 10 is theirs), one in 1,000 to each by login and one in 1,000 assigned to each;
 * each decided the first task of one instance in 1,000, started one in 1,000, and is CC'd on one
 * in 500. Due dates spread from two days overdue to ten days ahead.
 */
import * as path from 'node:path';
import mysql from 'mysql2/promise';
import { MYSQL, ROOT, benchServer, pct, sideBySide } from '../support';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 200_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const DB = 'crm_bench_approvals_inbox';
const PORT = '3913';
const ADMIN_PASSWORD = 'bench-admin-password-1';
const APPROVER_PASSWORD = 'bench-approver-password-1';
const BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="crm">
  <bpmn:process id="bench_inbox" name="Bench approval" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check"/>
    <bpmn:userTask id="check" name="Check"/><bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="approve"/>
    <bpmn:userTask id="approve" name="Approve"/><bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>`;

/** The server's clock is the real one: due dates are spread around the time of loading. */
const stamp = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

/** Who does what in instance i (0-based): the two measured users take the same share each. */
function roles(i: number) {
  const m = i % 1000;
  const pick = (forApprover: number, forAdmin: number, other: string | null) =>
    m === forApprover ? 'approver' : m === forAdmin ? 'admin' : other;
  return {
    starter: pick(13, 14, `u${m}`)!,
    checker: pick(5, 6, `u${m}`)!,
    group: i % 50 === 0 ? 'subtree_reader' : i % 50 === 25 ? 'admin' : `g${i % 50}`,
    user: pick(7, 8, `u${(i * 7) % 1000}`)!,
    assignee: pick(11, 12, i % 3 === 0 ? `u${i % 997}` : null),
    cc: i % 500 === 3 ? 'approver' : i % 500 === 4 ? 'admin' : null,
  };
}

async function load(definitionId: number): Promise<number> {
  const db = await mysql.createConnection(`${MYSQL}/${DB}`);
  const now = new Date();
  const at = stamp(now);
  const deals = Math.ceil(INSTANCES / 4);
  for (let done = 0; done < deals; done += 5000) {
    const values: unknown[] = [];
    for (let i = done; i < Math.min(deals, done + 5000); i++)
      values.push([i % 10 ? `u${i % 1000}` : 'approver', 'b', at, 'b', at, 1, `d${i}`, 'open']);
    await db.query(
      'INSERT INTO e_bench_deal (owner, created_by, created_at, updated_by, updated_at, version, title, status) VALUES ?',
      [values],
    );
  }
  const t0 = Date.now();
  const batch = 5000;
  for (let done = 0; done < INSTANCES; done += batch) {
    const instances: unknown[] = [];
    const tasks: unknown[] = [];
    const candidates: unknown[] = [];
    const ccs: unknown[] = [];
    for (let i = done; i < Math.min(INSTANCES, done + batch); i++) {
      const id = i + 1;
      const about = i % 4 === 0;
      const r = roles(i);
      instances.push([
        id,
        definitionId,
        'bench_inbox',
        1,
        'active',
        '{}',
        r.starter,
        at,
        1,
        about ? 'bench_deal' : null,
        about ? i / 4 + 1 : null,
      ]);
      const dueIn = (((i * 37) % 288) - 48) * 3_600_000; // -2 days … +10 days
      const due = stamp(new Date(now.getTime() + dueIn));
      // the first task is decided; the second is open, with candidate rows as the engine writes
      tasks.push([2 * id - 1, id, 2 * id - 1, 'check', 'Check', null, 'reviewers', null]);
      (tasks[tasks.length - 1] as unknown[]).push('completed', at, at, r.checker, 2, due);
      tasks.push([2 * id, id, 2 * id, 'approve', 'Approve', r.assignee, r.group, r.user]);
      (tasks[tasks.length - 1] as unknown[]).push('created', at, null, null, 1, due);
      candidates.push([2 * id, 'group', r.group], [2 * id, 'user', r.user]);
      if (r.cc) ccs.push([id, r.cc, 'approve', r.starter, at]);
    }
    await db.query(
      'INSERT INTO crm_wf_instance (id, definition_id, process_key, definition_version, state, variables, started_by, started_at, version, record_entity, record_id) VALUES ?',
      [instances],
    );
    await db.query(
      'INSERT INTO crm_wf_task (id, instance_id, execution_id, element_id, name, assignee, candidate_groups, candidate_users, state, created_at, completed_at, completed_by, version, due_at) VALUES ?',
      [tasks],
    );
    await db.query('INSERT INTO crm_wf_task_candidate (task_id, kind, name) VALUES ?', [
      candidates,
    ]);
    if (ccs.length)
      await db.query(
        'INSERT INTO crm_wf_cc (instance_id, login, element_id, cc_by, created_at) VALUES ?',
        [ccs],
      );
  }
  const seconds = (Date.now() - t0) / 1000;
  await db.query(
    'ANALYZE TABLE crm_wf_instance, crm_wf_task, crm_wf_task_candidate, crm_wf_cc, e_bench_deal',
  );
  await db.end();
  return seconds;
}

interface Page {
  counts: Record<string, number>;
  items: unknown[];
  nextCursor: string | null;
}

/** Runs (b) and returns its table (markdown lines) and the pending inbox's p50 ratio. */
export async function benchInbox(): Promise<{ lines: string[]; ratio: number }> {
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
    await api('POST', '/api/workflow/deployments', admin, BPMN, 'application/xml');
    const conn = await mysql.createConnection(`${MYSQL}/${DB}`);
    const [[{ id: definitionId }]] = (await conn.query(
      "SELECT id FROM crm_wf_definition WHERE process_key = 'bench_inbox'",
    )) as unknown as [[{ id: number }]];
    await conn.end();
    const loadSeconds = await load(definitionId);
    // fresh tokens for each measurement: loading outlasts an access token
    const tokens = async () => ({
      admin: await login('admin', ADMIN_PASSWORD),
      approver: await login('approver', APPROVER_PASSWORD),
    });
    let t = await tokens();

    // a cursor five pages in, per user (the query a user paging down sends)
    const fifth = async (token: string) => {
      let cursor = '';
      for (let p = 0; p < 4; p++) {
        const page = await api<Page>('GET', `/api/inbox?box=pending${cursor}`, token);
        cursor = `&cursor=${encodeURIComponent(page.nextCursor!)}`;
      }
      return cursor;
    };
    const cursors = { admin: await fifth(t.admin), approver: await fifth(t.approver) };
    const cases: Array<{
      name: string;
      query: (who: 'admin' | 'approver') => string;
      min: number;
    }> = [
      {
        name: '**pending**, first page (20, soonest due first)',
        query: () => 'box=pending',
        min: 20,
      },
      {
        name: 'pending, 5th page (cursor)',
        query: (who) => `box=pending${cursors[who]}`,
        min: 20,
      },
      { name: 'pending `due=overdue`', query: () => 'box=pending&due=overdue', min: 20 },
      {
        name: 'pending `q=d12` (display field, task, process)',
        query: () => 'box=pending&q=d12',
        min: 1,
      },
      { name: 'done', query: () => 'box=done', min: 20 },
      { name: 'cc', query: () => 'box=cc', min: 20 },
      { name: 'initiated', query: () => 'box=initiated', min: 20 },
    ];
    const lines = [
      `| GET /api/inbox over ${INSTANCES.toLocaleString('en-US')} instances, ${REQUESTS} requests each | admin p50 / p95 ms | approver (row rules) p50 / p95 ms | ratio (p50) |`,
      '|---|---:|---:|---:|',
    ];
    let ratio = 0;
    const sizes: Record<string, Record<string, number>> = {};
    for (const c of cases) {
      const run = (token: string, who: 'admin' | 'approver') => async () => {
        const r = await api<Page>('GET', `/api/inbox?${c.query(who)}`, token);
        if (r.items.length < c.min)
          throw new Error(`${who} got ${r.items.length} items: ${c.name}`);
        sizes[who] = r.counts;
      };
      t = await tokens();
      const ms = await sideBySide(run(t.admin, 'admin'), run(t.approver, 'approver'), REQUESTS);
      const r = pct(ms.b, 50) / pct(ms.a, 50);
      if (c === cases[0]) ratio = r;
      lines.push(
        `| ${c.name} | ${pct(ms.a, 50).toFixed(1)} / ${pct(ms.a, 95).toFixed(1)} | ${pct(ms.b, 50).toFixed(1)} / ${pct(ms.b, 95).toFixed(1)} | ${r.toFixed(2)}× |`,
      );
      process.stdout.write(`${lines[lines.length - 1]}\n`);
    }
    const box = (who: string) =>
      ['pending', 'overdue', 'dueSoon', 'done', 'cc', 'initiated']
        .map((k) => `${k} ${sizes[who][k]}`)
        .join(', ');
    lines.push(
      '',
      `Box sizes (every answer carries all counts): admin ${box('admin')}; approver ${box('approver')}.`,
      `${INSTANCES.toLocaleString('en-US')} instances and ${(2 * INSTANCES).toLocaleString('en-US')} tasks loaded in ${loadSeconds.toFixed(0)} s.`,
      '',
      `Pending inbox, approver / admin (p50) = **${ratio.toFixed(2)}×** (goal ≤ 1.5: ${ratio <= 1.5 ? 'met' : 'NOT met'}).`,
    );
    return { lines, ratio };
  } finally {
    await stop();
  }
}
