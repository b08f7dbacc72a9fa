import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JobExecutorService } from '@crm/workflow';
import { BASE_FILES } from './support/fixtures';
import { DIALECTS, type TestServer, eventually, startServer } from './support/harness';
import * as F from './support/workflow-fixtures';

const HOUR = 3_600_000;

describe.each(DIALECTS)('workflow elements on %s', (dialect) => {
  let s: TestServer;
  let hook: http.Server;
  let hookUrl = '';
  /** Answers of the fake ERP endpoint, consumed in order; 200 {ok} when empty. */
  const answers: number[] = [];
  const received: unknown[] = [];

  const deploy = async (xml: string) => {
    const r = await s.api('POST', '/api/workflow/deployments', xml, {
      'content-type': 'application/xml',
    });
    expect(r.status).toBe(201);
    return r.body.data;
  };
  const start = async (processKey: string, variables: Record<string, unknown> = {}, extra = {}) => {
    const r = await s.api('POST', '/api/workflow/instances', { processKey, variables, ...extra });
    expect(r.status).toBe(201);
    return r.body;
  };
  const get = async (id: number) => (await s.api('GET', `/api/workflow/instances/${id}`)).body;
  const tasksOf = async (id: number) =>
    (await s.api('GET', `/api/tasks?instanceId=${id}&state=created`)).body.data;
  const complete = async (
    taskId: number,
    variables: Record<string, unknown> = {},
    user = 'tester',
  ) => {
    const r = await s.api(
      'POST',
      `/api/tasks/${taskId}/complete`,
      { variables },
      { 'x-user': user },
    );
    expect(r.status).toBe(200);
    return r.body;
  };
  const history = async (id: number) =>
    (await s.api('GET', `/api/workflow/instances/${id}/history`)).body.data as Array<{
      elementId: string | null;
      event: string;
    }>;
  /** Moves the clock and runs one round of this node's job executor. */
  const advance = async (ms: number) => {
    s.clock.advance(ms);
    return s.app.get(JobExecutorService).runDue(100);
  };

  beforeAll(async () => {
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body || 'null'));
        const status = answers.shift() ?? 200;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status === 200 ? { ok: true, erpId: 'E-1' } : { error: 'down' }));
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/erp`;
    s = await startServer(dialect, BASE_FILES, { JOB_BACKOFF_MS: '1000' });
    for (const xml of [
      F.TIMER_CATCH,
      F.DEADLINE,
      F.MESSAGES,
      F.RACE,
      F.RECORD_TASKS,
      F.WEBHOOK(hookUrl),
      F.EXTERNAL,
      F.SUBPROCESS,
      F.INCLUSIVE,
      F.MULTI,
      F.CHILD('v1'),
      F.PARENT,
      F.CLAIMABLE,
      F.CLOCKED,
      F.PROPAGATE,
    ])
      await deploy(xml);
  });
  afterAll(async () => {
    await s?.close();
    await new Promise((r) => hook?.close(r));
  });

  it('waits on an intermediate timer until the clock reaches it, then moves on once', async () => {
    const inst = await start('wait_an_hour');
    expect(inst.activeElementIds).toEqual(['wait']);
    await advance(HOUR / 2);
    expect((await get(inst.id)).activeElementIds).toEqual(['wait']);
    expect(await advance(HOUR / 2 + 1)).toBeGreaterThanOrEqual(1);
    expect((await get(inst.id)).activeElementIds).toEqual(['after']);
    await advance(HOUR);
    expect((await history(inst.id)).filter((h) => h.event === 'timer')).toHaveLength(1);
  });

  it("evaluates FEEL now() on the engine's clock, also for a timer date", async () => {
    const inst = await start('clocked');
    expect(inst.variables.at).toBe(s.clock.now().toISOString().replace('.000Z', 'Z'));
    await advance(HOUR);
    expect((await get(inst.id)).state).toBe('active');
    await advance(HOUR + 1);
    expect((await get(inst.id)).state).toBe('completed');
  });

  it('reminds twice on a non-interrupting cycle, then escalates on the interrupting deadline', async () => {
    const inst = await start('deadline', { approver: 'dora' });
    const [task] = await tasksOf(inst.id);
    expect(task).toMatchObject({ elementId: 'approve', assignee: 'dora' });
    const inbox = async () =>
      (await s.api('GET', '/api/notifications', undefined, { 'x-user': 'dora' })).body.data;
    const before = (await inbox()).length;
    await advance(HOUR + 1);
    expect((await inbox()).length).toBe(before + 1);
    expect((await tasksOf(inst.id)).map((t: any) => t.id)).toEqual([task.id]); // still open
    await advance(HOUR);
    expect((await inbox()).length).toBe(before + 2);
    await advance(HOUR / 4); // 2h15m: R2 is spent, no third reminder; deadline not yet
    expect((await inbox()).length).toBe(before + 2);
    await advance(HOUR / 4); // 2h30m: deadline
    const open = await tasksOf(inst.id);
    expect(open).toMatchObject([{ elementId: 'escalate', assignee: 'boss' }]);
    const h = await history(inst.id);
    expect(h.filter((e) => e.elementId === 'approve' && e.event === 'cancel')).toHaveLength(1);
    expect((await s.api('GET', `/api/tasks/${task.id}`)).status).toBe(404);
  });

  it('starts a process every working day at 9:00 from a cron timer start event', async () => {
    await deploy(F.DAILY);
    const count = async () =>
      (await s.api('GET', '/api/workflow/instances?processKey=daily_report')).body.data.length;
    const base = s.clock.now(); // Sunday 2026-03-15 08:00Z
    expect(base.getUTCDay()).toBe(0);
    await advance(HOUR * 2); // Sunday 10:00: nothing
    expect(await count()).toBe(0);
    s.clock.set(new Date('2026-03-16T09:00:00.500Z')); // Monday 9:00
    await advance(0);
    expect(await count()).toBe(1);
    await advance(HOUR); // Monday 10:00: not again
    expect(await count()).toBe(1);
    s.clock.set(new Date('2026-03-17T09:00:01Z'));
    await advance(0);
    expect(await count()).toBe(2);
    // redeploying a changed version moves the start timer to it: still one timer, not two
    await deploy(
      F.DAILY.replace('<bpmn:endEvent id="end"/>', '<bpmn:endEvent id="end" name="v2"/>'),
    );
    s.clock.set(new Date('2026-03-18T09:00:01Z'));
    await advance(0);
    expect(await count()).toBe(3);
    s.clock.set(new Date('2026-03-15T08:00:00.000Z'));
  });

  it('correlates messages by name and key, starts by message, and interrupts on a message boundary', async () => {
    const a = await start('order', { orderId: 'A-1' });
    const b = await start('order', { orderId: 'B-2' });
    const wrong = await s.api('POST', '/api/workflow/messages', {
      name: 'payment-received',
      correlationKey: 'Z-9',
    });
    expect(wrong).toMatchObject({ status: 404, body: { code: 'MESSAGE_NOT_CORRELATED' } });
    const paid = await s.api('POST', '/api/workflow/messages', {
      name: 'payment-received',
      correlationKey: 'B-2',
      variables: { paidAmount: 99 },
    });
    expect(paid.body).toMatchObject({ instanceId: b.id, started: false, messageKey: null });
    expect(await get(b.id)).toMatchObject({
      activeElementIds: ['ship'],
      variables: { paidAmount: 99 },
    });
    expect((await get(a.id)).activeElementIds).toEqual(['pay']);
    const changes = (
      await s.api('GET', `/api/workflow/instances/${b.id}/history`)
    ).body.data.filter((h: { event: string }) => h.event === 'variables');
    expect(changes.at(-1)).toMatchObject({ detail: { paidAmount: 99 }, actor: 'tester' });
    // the same message again finds nobody waiting
    const again = await s.api('POST', '/api/workflow/messages', {
      name: 'payment-received',
      correlationKey: 'B-2',
    });
    expect(again.status).toBe(404);
    const cancel = await s.api('POST', '/api/workflow/messages', {
      name: 'order-cancelled',
      correlationKey: 'B-2',
    });
    expect(cancel.status).toBe(200);
    expect((await tasksOf(b.id)).map((t: any) => t.elementId)).toEqual(['refund']);
    const lead = await s.api('POST', '/api/workflow/messages', {
      name: 'lead-created',
      correlationKey: 'L-7',
      variables: { company: 'Acme' },
    });
    expect(lead.body.started).toBe(true);
    expect(await get(lead.body.instanceId)).toMatchObject({
      processKey: 'lead_intake',
      businessKey: 'L-7',
      activeElementIds: ['qualify'],
      variables: { company: 'Acme' },
    });
  });

  it('lets the first event after an event-based gateway win and drops the other', async () => {
    const answered = await start('race', { ticket: 'T-1' });
    const timedOut = await start('race', { ticket: 'T-2' });
    await s.api('POST', '/api/workflow/messages', {
      name: 'customer-answer',
      correlationKey: 'T-1',
    });
    expect((await get(answered.id)).state).toBe('completed');
    await advance(3 * 24 * HOUR + 1);
    const t = await get(timedOut.id);
    expect(t).toMatchObject({ state: 'completed', completedElements: { closed: 1 } });
    expect(t.completedElements.answered).toBeUndefined();
    const late = await s.api('POST', '/api/workflow/messages', {
      name: 'customer-answer',
      correlationKey: 'T-2',
    });
    expect(late.status).toBe(404);
    expect((await get(answered.id)).completedElements).toMatchObject({ answered: 1 });
  });

  it('runs built-in record tasks in the step transaction, and turns a refused write into an incident', async () => {
    const deal = (await s.api('POST', '/api/records/deal', { title: 'Big one' })).body;
    const inst = await start(
      'close_deal',
      { targetStage: 'won' },
      { record: { entity: 'deal', id: deal.id } },
    );
    expect(inst).toMatchObject({ state: 'completed', record: { entity: 'deal', id: deal.id } });
    const after = (await s.api('GET', `/api/records/deal/${deal.id}`)).body;
    expect(after).toMatchObject({ stage: 'won', won: true, version: 2, updatedBy: 'tester' });
    const account = (await s.api('GET', `/api/records/account/${inst.variables.accountId}`)).body;
    expect(account.name).toBe('Customer of Big one');
    const bob = (await s.api('GET', '/api/notifications', undefined, { 'x-user': 'bob' })).body
      .data;
    expect(bob[0]).toMatchObject({ subject: 'Deal Big one is won', instanceId: inst.id });
    const list = await s.api('GET', `/api/workflow/instances?record=deal:${deal.id}`);
    expect(list.body.data.map((i: any) => i.id)).toEqual([inst.id]);

    const other = (await s.api('POST', '/api/records/deal', { title: 'Refused' })).body;
    const bad = await start(
      'close_deal',
      { targetStage: 'bogus' },
      { record: { entity: 'deal', id: other.id } },
    );
    expect(bad).toMatchObject({ state: 'active', activeElementIds: ['mark'], incidents: 1 });
    expect((await s.api('GET', `/api/records/deal/${other.id}`)).body).toMatchObject({
      stage: 'open',
      version: 1,
    });
    const [inc] = (await s.api('GET', `/api/workflow/incidents?instanceId=${bad.id}`)).body.data;
    expect(inc).toMatchObject({ kind: 'task-failed', elementId: 'mark' });
    expect(inc.message).toContain('RECORD_INVALID');
    await s.api('POST', `/api/workflow/incidents/${inc.id}/retry`, {
      variables: { targetStage: 'lost' },
    });
    expect((await get(bad.id)).state).toBe('completed');
    expect((await s.api('GET', `/api/records/deal/${other.id}`)).body.stage).toBe('lost');
    const missing = await s.api('POST', '/api/workflow/instances', {
      processKey: 'close_deal',
      record: { entity: 'deal', id: 999999 },
    });
    expect(missing.body.code).toBe('RECORD_NOT_FOUND');
  });

  it('retries a failing webhook with backoff, then raises an incident an admin can retry', async () => {
    answers.push(500);
    const inst = await start('push_erp', { orderId: 'O-1' });
    expect(inst.activeElementIds).toEqual(['call']);
    await advance(0); // attempt 1 fails
    expect((await get(inst.id)).state).toBe('active');
    await advance(500); // backoff 1s not over
    await advance(600); // attempt 2 succeeds
    const done = await get(inst.id);
    expect(done).toMatchObject({
      state: 'completed',
      variables: { erp: { ok: true, erpId: 'E-1' } },
    });
    expect(received.at(-1)).toEqual({ order: 'O-1' });

    answers.push(503, 503, 503);
    const failing = await start('push_erp', { orderId: 'O-2' });
    await advance(0);
    await advance(1_001);
    await advance(2_001); // third failure: retries spent
    const [inc] = (await s.api('GET', `/api/workflow/incidents?instanceId=${failing.id}`)).body
      .data;
    expect(inc).toMatchObject({ kind: 'job-failed', elementId: 'call' });
    expect(inc.message).toContain('503');
    await advance(60_000); // an incident is not retried by itself
    expect((await get(failing.id)).state).toBe('active');
    await s.api('POST', `/api/workflow/incidents/${inc.id}/retry`, {});
    await advance(0);
    expect((await get(failing.id)).state).toBe('completed');
  });

  it('hands other task types to external workers: lock, complete, fail, retry, BPMN error', async () => {
    const inst = await start('erp_sync', { orderId: 'X-1' });
    const fetch = (workerId: string) =>
      s.api('POST', '/api/workflow/external-jobs/fetch-and-lock', {
        workerId,
        types: ['erp-sync'],
        maxJobs: 5,
        lockMs: 60_000,
      });
    const [job] = (await fetch('w1')).body.data;
    expect(job).toMatchObject({
      instanceId: inst.id,
      elementId: 'sync',
      type: 'erp-sync',
      variables: { orderId: 'X-1' },
      headers: { system: 'SAP' },
      retries: 2,
    });
    expect((await fetch('w2')).body.data).toEqual([]); // locked to w1
    const stolen = await s.api('POST', `/api/workflow/external-jobs/${job.id}/complete`, {
      workerId: 'w2',
    });
    expect(stolen).toMatchObject({ status: 409, body: { code: 'JOB_LOCK_LOST' } });
    const failed = await s.api('POST', `/api/workflow/external-jobs/${job.id}/fail`, {
      workerId: 'w1',
      retries: 1,
      errorMessage: 'SAP timeout',
      retryBackoffMs: 0,
    });
    expect(failed.status).toBe(204);
    const [again] = (await fetch('w2')).body.data;
    expect(again).toMatchObject({ id: job.id, retries: 1 });
    await s.api('POST', `/api/workflow/external-jobs/${job.id}/fail`, {
      workerId: 'w2',
      retries: 0,
      errorMessage: 'SAP down',
    });
    const [inc] = (await s.api('GET', `/api/workflow/incidents?instanceId=${inst.id}`)).body.data;
    expect(inc).toMatchObject({ kind: 'job-failed', message: 'SAP down', jobId: job.id });
    expect((await fetch('w1')).body.data).toEqual([]);
    await s.api('POST', `/api/workflow/incidents/${inc.id}/retry`, { retries: 1 });
    const [third] = (await fetch('w1')).body.data;
    const ok = await s.api('POST', `/api/workflow/external-jobs/${third.id}/complete`, {
      workerId: 'w1',
      variables: { sapId: 'S-42' },
    });
    expect(ok.status).toBe(204);
    expect(await get(inst.id)).toMatchObject({ state: 'completed', variables: { sapId: 'S-42' } });

    const credit = await start('erp_sync', { orderId: 'X-2' });
    const [j2] = (await fetch('w1')).body.data;
    await s.api('POST', `/api/workflow/external-jobs/${j2.id}/bpmn-error`, {
      workerId: 'w1',
      errorCode: 'CREDIT',
      variables: { reason: 'limit' },
    });
    expect(await get(credit.id)).toMatchObject({
      activeElementIds: ['review'],
      variables: { reason: 'limit' },
    });
    const uncaught = await start('erp_sync', { orderId: 'X-3' });
    const [j3] = (await fetch('w1')).body.data;
    await s.api('POST', `/api/workflow/external-jobs/${j3.id}/bpmn-error`, {
      workerId: 'w1',
      errorCode: 'OTHER',
    });
    expect(await get(uncaught.id)).toMatchObject({ state: 'active', incidents: 1 });
    const gone = await s.api('POST', `/api/workflow/external-jobs/${j3.id}/complete`, {
      workerId: 'w1',
    });
    expect(gone.body.code).toBe('JOB_NOT_FOUND');
    const badFetch = await s.api('POST', '/api/workflow/external-jobs/fetch-and-lock', {
      workerId: 'w1',
    });
    expect(badFetch).toMatchObject({ status: 400, body: { errors: [{ path: '/types' }] } });
  });

  it('runs an embedded subprocess with local variables and catches its error end event', async () => {
    const ok = await start('sub', { amount: 10 });
    expect(ok.activeElementIds).toEqual(['check', 's_task']);
    expect(ok.variables.limit).toBeUndefined(); // local to the subprocess
    const [t] = await tasksOf(ok.id);
    await complete(t.id);
    expect(await get(ok.id)).toMatchObject({ state: 'completed', variables: { checkedLimit: 20 } });
    const bad = await start('sub', { amount: -5 });
    expect(bad.activeElementIds).toEqual(['fix']);
    expect(bad.completedElements.s_error).toBe(1);
  });

  it('joins an inclusive gateway on exactly the branches that were taken', async () => {
    const inst = await start('reviews', { amount: 5000, nonStandard: true, custom: false });
    const open = await tasksOf(inst.id);
    expect(open.map((t: any) => t.elementId).sort()).toEqual(['finance', 'legal']);
    await complete(open[0].id);
    expect((await get(inst.id)).state).toBe('active');
    await complete(open[1].id);
    expect(await get(inst.id)).toMatchObject({
      state: 'completed',
      completedElements: { join: 1, end: 1 },
    });
    const none = await start('reviews', { amount: 1, nonStandard: false, custom: false });
    expect(none).toMatchObject({ incidents: 1, activeElementIds: ['fork'] });
  });

  it('runs parallel multi-instance with a completion condition and sequential multi-instance', async () => {
    const inst = await start('countersign_mi', { approvers: ['ann', 'ben', 'cat'] });
    const open = await tasksOf(inst.id);
    expect(open.map((t: any) => t.assignee).sort()).toEqual(['ann', 'ben', 'cat']);
    await complete(open.find((t: any) => t.assignee === 'ben').id, { decision: 'yes' }, 'ben');
    await complete(open.find((t: any) => t.assignee === 'ann').id, { decision: 'no' }, 'ann');
    const done = await get(inst.id);
    expect(done).toMatchObject({
      state: 'completed',
      variables: { decisions: ['no', 'yes', null] },
    });
    const h = await history(inst.id);
    expect(h.filter((e) => e.elementId === 'sign' && e.event === 'cancel')).toHaveLength(1);

    const seq = await start('sequential_mi', { approvers: ['x', 'y'] });
    let open2 = await tasksOf(seq.id);
    expect(open2.map((t: any) => t.assignee)).toEqual(['x']);
    await complete(open2[0].id);
    open2 = await tasksOf(seq.id);
    expect(open2.map((t: any) => t.assignee)).toEqual(['y']);
    await complete(open2[0].id);
    expect((await get(seq.id)).state).toBe('completed');
    const empty = await start('sequential_mi', { approvers: [] });
    expect(empty.state).toBe('completed');
    const notList = await start('sequential_mi', { approvers: 'x' });
    expect(notList.incidents).toBe(1);
  });

  it('calls a child process (latest or pinned version) and maps variables in and out', async () => {
    await deploy(F.CHILD('v2'));
    const parent = await start('onboard', { customer: 'Acme' });
    expect(parent.activeElementIds).toEqual(['call']);
    const [child] = (
      await s.api('GET', '/api/workflow/instances?processKey=credit_check&state=active')
    ).body.data.filter((i: any) => i.parentInstanceId === parent.id);
    expect(child).toMatchObject({
      definitionVersion: 2,
      variables: { customer: 'Acme', childVersion: 'v2' },
    });
    const [t] = await tasksOf(child.id);
    await complete(t.id, { score: 700 });
    expect(await get(parent.id)).toMatchObject({
      activeElementIds: ['after'],
      variables: { customer: 'Acme', score: 700, childVersion: 'v2' },
    });
    const pinned = await start('onboard_pinned', { customer: 'Globex', secret: 1 });
    const [pc] = (
      await s.api('GET', '/api/workflow/instances?processKey=credit_check&state=active')
    ).body.data.filter((i: any) => i.parentInstanceId === pinned.id);
    expect(pc.definitionVersion).toBe(1);
    expect(pc.variables).toEqual({ who: 'Globex', childVersion: 'v1' });
    await complete((await tasksOf(pc.id))[0].id, { score: 1 });
    const p = await get(pinned.id);
    expect(p).toMatchObject({ state: 'completed', variables: { usedVersion: 'v1' } });
    expect(p.variables.score).toBeUndefined();
  });

  it("catches a child's BPMN error on the call activity, and keeps a non-interrupting message boundary listening", async () => {
    const inst = await start('fulfil', { orderId: 'F-1', notes: 0 });
    expect(inst.activeElementIds).toEqual(['backorder']);
    const child = (await s.api('GET', '/api/workflow/instances?processKey=reserve')).body.data.find(
      (i: any) => i.parentInstanceId === inst.id,
    );
    expect(child.state).toBe('terminated');
    for (let i = 0; i < 2; i++)
      expect(
        (await s.api('POST', '/api/workflow/messages', { name: 'add-note', correlationKey: 'F-1' }))
          .status,
      ).toBe(200);
    const after = await get(inst.id);
    expect(after).toMatchObject({ activeElementIds: ['backorder'], variables: { notes: 2 } });
    await complete((await tasksOf(inst.id))[0].id);
    expect((await get(inst.id)).state).toBe('completed');
    const late = await s.api('POST', '/api/workflow/messages', {
      name: 'add-note',
      correlationKey: 'F-1',
    });
    expect(late.status).toBe(404);
  });

  it('cancels an instance with everything under it', async () => {
    const parent = await start('onboard', { customer: 'Initech' });
    const res = await s.api('POST', `/api/workflow/instances/${parent.id}/cancel`);
    expect(res.body).toMatchObject({ state: 'cancelled', activeElementIds: [] });
    const children = (
      await s.api('GET', '/api/workflow/instances?processKey=credit_check')
    ).body.data.filter((i: any) => i.parentInstanceId === parent.id);
    expect(children.map((c: any) => c.state)).toEqual(['cancelled']);
    expect(await tasksOf(children[0].id)).toEqual([]);
    const again = await s.api('POST', `/api/workflow/instances/${parent.id}/cancel`);
    expect(again).toMatchObject({ status: 409, body: { code: 'INSTANCE_NOT_ACTIVE' } });
    const timer = await start('wait_an_hour');
    await s.api('POST', `/api/workflow/instances/${timer.id}/cancel`);
    await advance(2 * HOUR);
    expect((await history(timer.id)).filter((h) => h.event === 'timer')).toEqual([]);
  });

  it('lets one candidate claim a task and refuses the next', async () => {
    const inst = await start('claimable');
    const [t] = await tasksOf(inst.id);
    expect(t).toMatchObject({
      assignee: null,
      candidateGroups: ['sales', 'sales_managers'],
      candidateUsers: ['carol'],
    });
    const byGroup = (await s.api('GET', '/api/tasks?candidateGroup=sales_managers&state=created'))
      .body.data;
    expect(byGroup.map((x: any) => x.id)).toContain(t.id);
    const byUser = (await s.api('GET', '/api/tasks?candidateUser=carol&state=created')).body.data;
    expect(byUser.map((x: any) => x.id)).toContain(t.id);
    const claimed = await s.api('POST', `/api/tasks/${t.id}/claim`, {}, { 'x-user': 'carol' });
    expect(claimed.body).toMatchObject({ assignee: 'carol', version: 2 });
    const second = await s.api('POST', `/api/tasks/${t.id}/claim`, {}, { 'x-user': 'dave' });
    expect(second).toMatchObject({ status: 409, body: { code: 'TASK_CONFLICT' } });
    const h = await history(inst.id);
    expect(h.filter((e) => e.event === 'claim')).toHaveLength(1);
  });

  it('lists instances by state and process, and refuses bad filters', async () => {
    const active = (await s.api('GET', '/api/workflow/instances?state=active&processKey=order'))
      .body.data;
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((i: any) => i.state === 'active' && i.processKey === 'order')).toBe(true);
    expect((await s.api('GET', '/api/workflow/instances?state=weird')).status).toBe(400);
    expect((await s.api('GET', '/api/workflow/instances?record=deal')).status).toBe(400);
  });

  it('fires due timers from the background executor when polling is on', async () => {
    await s.restart({ JOB_POLL_MS: '20' });
    const inst = await start('wait_an_hour');
    s.clock.advance(HOUR + 1);
    await eventually(async () => expect((await get(inst.id)).activeElementIds).toEqual(['after']));
    await s.restart({ JOB_POLL_MS: '0' });
  });
});
