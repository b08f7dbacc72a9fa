import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DB, type Db } from '@crm/common';
import { JobExecutorService } from '@crm/workflow';
import { type TestServer, eventually, startServer } from './support/harness';
import { WEBHOOK } from './support/workflow-fixtures';

/**
 * Jobs run once even when they are slow: two nodes on one MySQL database, webhooks that hang
 * until the test lets them answer, and clocks moved past the lock of the jobs still waiting in
 * the first node's batch. The second node takes those; the first must not run them as well.
 */
describe('slow jobs on two nodes of one MySQL database', () => {
  const JOBS = 6;
  let a: TestServer;
  let b: TestServer;
  let hook: http.Server;
  let hookUrl = '';
  const calls = new Map<string, number>();
  const pending: http.ServerResponse[] = [];
  let answerAtOnce = false;
  const answer = (res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true }));
  };

  beforeAll(async () => {
    hook = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const instance = String(req.headers['x-crm-instance']);
        calls.set(instance, (calls.get(instance) ?? 0) + 1);
        if (answerAtOnce) answer(res);
        else pending.push(res);
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/erp`;
    const env = { JOB_LOCK_MS: '3000', JOB_CONCURRENCY: '2' };
    a = await startServer('mysql', {}, env);
    b = await startServer('mysql', {}, env, a);
  });
  afterAll(async () => {
    answerAtOnce = true;
    pending.splice(0).forEach(answer);
    await b?.close();
    await a?.close();
    await new Promise((r) => hook.close(r));
  });

  it('a job whose lock ran out while it waited in a batch runs on the node that took it, only there', async () => {
    const dep = await fetch(`${a.url}/api/workflow/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: WEBHOOK(hookUrl),
    });
    expect(dep.status).toBe(201);
    const ids: number[] = [];
    for (let i = 0; i < JOBS; i++) {
      const r = await a.api('POST', '/api/workflow/instances', {
        processKey: 'push_erp',
        variables: { orderId: `O-${i}` },
      });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const db = a.app.get<Db>(DB);
    const lockedPast = async (at: Date) =>
      Number(
        (
          await db.query<{ n: number }>(
            'SELECT COUNT(*) AS n FROM crm_wf_job WHERE lock_expires_at > ?',
            [at.toISOString().replace('T', ' ').replace('Z', '')],
          )
        )[0].n,
      );
    const t0 = a.clock.now();
    // node A takes the whole batch and starts two jobs; their webhooks hang
    const roundA = a.app.get(JobExecutorService).runDue(20);
    await eventually(async () => expect(pending).toHaveLength(2));
    // time passes: A keeps renewing the locks of the jobs it runs, not of those still waiting
    a.clock.advance(2000);
    b.clock.advance(2000);
    await eventually(async () => expect(await lockedPast(new Date(t0.getTime() + 3000))).toBe(2));
    a.clock.advance(2000);
    b.clock.advance(2000);
    // node B takes the four whose locks ran out
    const roundB = b.app.get(JobExecutorService).runDue(20);
    await eventually(async () => expect(pending).toHaveLength(4));
    answerAtOnce = true;
    pending.splice(0).forEach(answer);
    const [tookA, tookB] = await Promise.all([roundA, roundB]);
    expect([tookA, tookB]).toEqual([JOBS, JOBS - 2]);

    // every webhook was called exactly once, and every instance went on
    expect([...calls.values()]).toEqual(Array(JOBS).fill(1));
    expect(calls.size).toBe(JOBS);
    for (const id of ids)
      expect((await a.api('GET', `/api/workflow/instances/${id}`)).body.state).toBe('completed');
    const executed = [a, b].map((n) => n.app.get(JobExecutorService).executed);
    expect(executed).toEqual([2, JOBS - 2]);
  });
});
