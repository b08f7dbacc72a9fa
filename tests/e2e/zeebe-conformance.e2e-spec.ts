import * as fs from 'node:fs';
import * as path from 'node:path';
import { JobExecutorService } from '@crm/workflow';
import { BASE_FILES } from './support/fixtures';
import { DIALECTS, type TestServer, startServer } from './support/harness';
import * as D from './conformance/zeebe-diagrams';

/**
 * Each Camunda 8 rule, run on both databases: given the diagram beside it, when it runs, then the
 * variables, the end state and the jobs are what Zeebe documents.
 */
describe.each(DIALECTS)('Zeebe conformance on %s', (dialect) => {
  let s: TestServer;

  const start = async (processKey: string, variables: Record<string, unknown> = {}) => {
    const r = await s.api('POST', '/api/workflow/instances', { processKey, variables });
    expect(r.status).toBe(201);
    return r.body;
  };
  const get = async (id: number) => (await s.api('GET', `/api/workflow/instances/${id}`)).body;
  const childOf = async (processKey: string, parentId: number) =>
    (await s.api('GET', `/api/workflow/instances?processKey=${processKey}`)).body.data.find(
      (i: { parentInstanceId: number }) => i.parentInstanceId === parentId,
    );

  beforeAll(async () => {
    s = await startServer(dialect, BASE_FILES);
    for (const [name, xml] of Object.entries(D)) {
      const r = await s.api('POST', '/api/workflow/deployments', xml, {
        'content-type': 'application/xml',
      });
      if (r.status !== 201) throw new Error(`${name}: ${JSON.stringify(r.body)}`);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('takes input sources without = as static text and builds nested targets', async () => {
    const i = await start('c_mappings', { authentication: { realm: 'crm' } });
    expect(i.state).toBe('completed');
    expect(i.variables).toEqual({
      authentication: { realm: 'crm', type: 'basic', user: 'u1' },
      seenToken: '{{secrets.ERP_TOKEN}}',
      seenUrl: 'https://erp.example.com/api?x=1',
      seenCfg: { retries: 2, mode: 'fast' },
    });
  });

  it("applies a start event's output mappings (a loop counter that ends its loop)", async () => {
    const i = await start('c_loop');
    expect(i).toMatchObject({ state: 'completed', variables: { counter: 3 } });
  });

  it('keeps a message payload local to catch and boundary events with output mappings', async () => {
    const i = await start('c_events', { orderId: 'O-1' });
    const paid = await s.api('POST', '/api/workflow/messages', {
      name: 'paid',
      correlationKey: 'O-1',
      variables: { amount: 21 },
    });
    expect(paid.status).toBe(200);
    expect(await get(i.id)).toMatchObject({ activeElementIds: ['review'] });
    const stop = await s.api('POST', '/api/workflow/messages', {
      name: 'stop',
      correlationKey: 'O-1',
      variables: { reason: 'customer left' },
    });
    expect(stop.status).toBe(200);
    const done = await get(i.id);
    expect(done.state).toBe('completed');
    expect(done.variables).toEqual({ orderId: 'O-1', doubled: 42, stopReason: 'customer left' });
  });

  it("collects each inner instance's output-mapped result in outputCollection", async () => {
    const i = await start('c_mi');
    expect(i.state).toBe('completed');
    expect(i.variables.results).toEqual([10, 20, 30]);
    expect(i.variables.r).toBeUndefined();
  });

  it('passes every parent variable to a called process, input mappings on top', async () => {
    const all = await start('c_call_all', { a: 1, b: 2 });
    expect(all).toMatchObject({ state: 'completed', variables: { a: 1, b: 2, sum: 102 } });
    const mapped = await start('c_call_mapped', { a: 1, b: 2 });
    // only b = 101 reaches the child, where a + b is null (FEEL: null + number); the child's
    // b comes back into the call activity's local b (its input mapping) and ends with it
    expect(mapped).toMatchObject({ state: 'completed', variables: { a: 1, b: 2, sum: null } });
  });

  it('ends a terminated instance completed, and a terminated child completes its call', async () => {
    const parent = await start('c_term_parent');
    expect(parent).toMatchObject({ state: 'completed', variables: { continued: true } });
    const child = await childOf('c_term_child', parent.id);
    expect(child.state).toBe('completed');
    const tasks = await s.api('GET', `/api/tasks?instanceId=${child.id}&state=created`);
    expect(tasks.body.data).toEqual([]);
  });

  it('jumps over link events and applies a none throw event’s output mappings', async () => {
    const i = await start('c_links');
    expect(i).toMatchObject({ state: 'completed', variables: { counter: 2, marker: 'passed' } });
  });

  it('catches escalations interrupting and non-interrupting, and lets an uncaught one pass', async () => {
    const a = await start('c_esc_interrupt');
    expect(a.state).toBe('completed');
    expect(a.variables).toEqual({ handled: true });
    const b = await start('c_esc_non_interrupt');
    expect(b).toMatchObject({
      state: 'completed',
      variables: { notified: true, innerContinued: true, after: true },
    });
    const c = await start('c_esc_uncaught');
    expect(c).toMatchObject({ state: 'completed', variables: { after: true }, incidents: 0 });
  });

  it('runs message throw and end events as jobs', async () => {
    const i = await start('c_msg_throw', { to: 'a@example.com' });
    expect(i.activeElementIds).toEqual(['send']);
    for (const [element, sent] of [
      ['send', 1],
      ['e', 2],
    ] as const) {
      const fetched = await s.api('POST', '/api/workflow/external-jobs/fetch-and-lock', {
        workerId: 'w',
        types: ['c-mailer'],
        maxJobs: 5,
      });
      expect(fetched.body.data.map((j: { elementId: string }) => j.elementId)).toEqual([element]);
      const done = await s.api(
        'POST',
        `/api/workflow/external-jobs/${fetched.body.data[0].id}/complete`,
        { workerId: 'w', variables: { sent } },
      );
      expect(done.status).toBe(204);
    }
    expect(await get(i.id)).toMatchObject({ state: 'completed', variables: { sent: 2 } });
  });

  it('buffers a message for its time to live, once per process, idempotent by messageId', async () => {
    const publish = (body: Record<string, unknown>) =>
      s.api('POST', '/api/workflow/messages', { name: 'goods-ready', ...body });
    const early = await publish({
      correlationKey: 'B-1',
      variables: { dock: 7 },
      timeToLive: 60_000,
      messageId: 'ready-B-1',
    });
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({ instanceId: null, correlations: [] });
    expect(early.body.messageKey).toEqual(expect.any(Number));
    const again = await publish({
      correlationKey: 'B-1',
      timeToLive: 60_000,
      messageId: 'ready-B-1',
    });
    expect(again).toMatchObject({ status: 409, body: { code: 'MESSAGE_ALREADY_PUBLISHED' } });
    // two instances reach the catch event: the buffered message goes to one of them only
    const a = await start('c_buffered', { orderId: 'B-1' });
    const b = await start('c_buffered', { orderId: 'B-1' });
    const task = async (id: number) =>
      (await s.api('GET', `/api/tasks?instanceId=${id}&state=created`)).body.data[0].id;
    for (const i of [a, b])
      expect(
        (await s.api('POST', `/api/tasks/${await task(i.id)}/complete`, { variables: {} })).status,
      ).toBe(200);
    expect(await get(a.id)).toMatchObject({ state: 'completed', variables: { dock: 7 } });
    expect(await get(b.id)).toMatchObject({ state: 'active', activeElementIds: ['ready'] });
    // without a time to live and nobody waiting for it: not correlated
    expect((await publish({ correlationKey: 'nobody' })).status).toBe(404);
    expect((await publish({ correlationKey: 'B-1', timeToLive: -1 })).status).toBe(400);
    // an expired message is gone: b still waits after a later one expires unseen
    await publish({ correlationKey: 'B-2', timeToLive: 1_000, messageId: 'x' });
    s.clock.advance(2_000);
    const c = await start('c_buffered', { orderId: 'B-2' });
    await s.api('POST', `/api/tasks/${await task(c.id)}/complete`, { variables: {} });
    expect(await get(c.id)).toMatchObject({ state: 'active', activeElementIds: ['ready'] });
    expect(
      (await publish({ correlationKey: 'B-2', timeToLive: 1_000, messageId: 'x' })).status,
    ).toBe(200);
    expect((await get(c.id)).state).toBe('completed');
  });

  it('runs event subprocesses: interrupting timer, non-interrupting message, error, escalation', async () => {
    const taskOf = async (id: number) =>
      (await s.api('GET', `/api/tasks?instanceId=${id}&state=created`)).body.data;
    // a timer start interrupts the scope: the open task goes, the instance completes
    const timed = await start('c_esp_timer');
    expect(timed.activeElementIds).toEqual(['work']);
    s.clock.advance(3_600_001);
    await s.app.get(JobExecutorService).runDue(100);
    expect(await get(timed.id)).toMatchObject({
      state: 'completed',
      variables: { timedOut: true },
    });
    expect(await taskOf(timed.id)).toEqual([]);
    // a non-interrupting message start runs beside the task, each time the message comes
    const noted = await start('c_esp_message', { caseId: 'K-1' });
    for (let i = 0; i < 2; i++)
      expect(
        (await s.api('POST', '/api/workflow/messages', { name: 'note', correlationKey: 'K-1' }))
          .status,
      ).toBe(200);
    expect(await get(noted.id)).toMatchObject({
      state: 'active',
      activeElementIds: ['work'],
      variables: { notes: 2 },
    });
    const [t] = await taskOf(noted.id);
    await s.api('POST', `/api/tasks/${t.id}/complete`, { variables: {} });
    expect((await get(noted.id)).state).toBe('completed');
    // the listener closed with its scope: the message finds nobody now
    expect(
      (await s.api('POST', '/api/workflow/messages', { name: 'note', correlationKey: 'K-1' }))
        .status,
    ).toBe(404);
    // an error end event caught by the error event subprocess of its own scope
    const err = await start('c_esp_error');
    expect(err).toMatchObject({
      state: 'completed',
      variables: { recovered: true, after: true },
      incidents: 0,
    });
    // an escalation from a subprocess caught by the process's non-interrupting event subprocess
    const esc = await start('c_esp_escalation');
    expect(esc).toMatchObject({
      state: 'active',
      activeElementIds: ['sub', 'finish'],
      variables: { escalated: true },
    });
  });

  it('evaluates a deployed DMN decision in a business rule task; a missing one is an incident', async () => {
    const dmn = fs.readFileSync(
      path.resolve(__dirname, '../../libs/workflow/src/dmn/fixtures/discount-approval.dmn'),
      'utf8',
    );
    const deployed = await s.api('POST', '/api/workflow/deployments', dmn, {
      'content-type': 'application/xml',
    });
    expect(deployed.status).toBe(201);
    const i = await start('c_decide', { discount: 20, kind: 'x' });
    expect(i).toMatchObject({ activeElementIds: ['missing'], incidents: 1 });
    expect(i.variables.approver).toEqual(expect.any(String));
    const incidents = await s.api('GET', `/api/workflow/incidents?instanceId=${i.id}`);
    expect(incidents.body.data[0]).toMatchObject({
      elementId: 'missing',
      message: expect.stringContaining('nope_x'),
    });
  });

  it('broadcasts signals to every waiting catch and signal start, from the API and from a throw', async () => {
    const a = await start('c_sig_wait');
    const b = await start('c_sig_wait');
    const sent = await s.api('POST', '/api/workflow/signals', {
      signalName: 'alarm',
      variables: { level: 'low' },
    });
    expect(sent.status).toBe(200);
    expect(sent.body.triggered.sort()).toEqual([a.id, b.id].sort());
    expect(sent.body.started).toHaveLength(1);
    expect(await get(sent.body.started[0])).toMatchObject({
      processKey: 'c_sig_start',
      activeElementIds: ['handle'],
      variables: { level: 'low' },
    });
    // the boundary does not interrupt: the task waits, and it keeps listening
    expect(await get(a.id)).toMatchObject({ activeElementIds: ['work'], variables: { alarms: 1 } });
    const thrower = await start('c_sig_throw');
    expect(thrower.state).toBe('completed');
    expect(await get(b.id)).toMatchObject({ variables: { alarms: 2, level: 'high' } });
    expect((await s.api('POST', '/api/workflow/signals', { signalName: '' })).status).toBe(400);
    // reaching nobody is fine
    const none = await s.api('POST', '/api/workflow/signals', { signalName: 'nobody-listens' });
    expect(none.body).toEqual({ triggered: [], started: [] });
  });

  // ---- listeners ----------------------------------------------------------------------------

  /** Locks the one open job of `type` (a listener's job type). */
  const lockJob = async (type: string) => {
    const r = await s.api('POST', '/api/workflow/external-jobs/fetch-and-lock', {
      workerId: 'w',
      types: [type],
      maxJobs: 5,
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(1);
    return r.body.data[0] as {
      id: number;
      elementId: string;
      variables: Record<string, unknown>;
      headers: Record<string, string>;
    };
  };
  const completeJob = (id: number, variables: Record<string, unknown> = {}) =>
    s.api('POST', `/api/workflow/external-jobs/${id}/complete`, { workerId: 'w', variables });

  it('runs start and end execution listeners as jobs, with Zeebe’s variable scopes', async () => {
    const i = await start('c_el');
    // the task waits on its first start listener; the input mapping is already there
    expect(i).toMatchObject({ state: 'active', activeElementIds: ['t'] });
    const first = await lockJob('el-start');
    expect(first).toMatchObject({ elementId: 't', variables: { base: 1 } });
    expect(first.headers['io.camunda.zeebe:listenerEventType']).toBe('start');
    expect((await completeJob(first.id, { fromStart: 10 })).status).toBe(204);
    // the second start listener sees what the first set (a local of the task)
    const second = await lockJob('el-start-2');
    expect(second.variables).toMatchObject({ base: 1, fromStart: 10 });
    expect((await get(i.id)).variables).toEqual({});
    await completeJob(second.id);
    // the end listener runs after the output mappings: it sees `out` and the task's locals
    const end = await lockJob('el-end');
    expect(end.variables).toMatchObject({ out: 11, base: 1, fromStart: 10 });
    await completeJob(end.id, { audited: true });
    // the gateway's start listener sets the route as the gateway's local variable
    const route = await lockJob('el-route');
    expect(route.elementId).toBe('g');
    await completeJob(route.id, { route: 'a' });
    expect(await get(i.id)).toMatchObject({ state: 'active', activeElementIds: ['a'] });
    await completeJob((await lockJob('el-bye')).id);
    const done = await get(i.id);
    expect(done.state).toBe('completed');
    // locals of the task and of the gateway are gone with them; the end listener's reached the process
    expect(done.variables).toEqual({ out: 11, audited: true });
    const history = (await s.api('GET', `/api/workflow/instances/${i.id}/history`)).body
      .data as Array<{
      elementId: string;
      event: string;
      detail: { type?: string } | null;
    }>;
    expect(
      history.filter((h) => h.event === 'listener').map((h) => `${h.elementId}:${h.detail?.type}`),
    ).toEqual(['t:el-start', 't:el-start-2', 't:el-end', 'g:el-route', 'a:el-bye']);
  });

  it('subscribes a message catch event with the key its start listener computed', async () => {
    const i = await start('c_el_key');
    expect(i.activeElementIds).toEqual(['wait']);
    // no subscription before the listener is done: the message finds nobody
    const early = await s.api('POST', '/api/workflow/messages', {
      name: 'el-go',
      correlationKey: 'K-1',
    });
    expect(early.status).toBe(404);
    await completeJob((await lockJob('el-key')).id, { key: 'K-1' });
    const go = await s.api('POST', '/api/workflow/messages', {
      name: 'el-go',
      correlationKey: 'K-1',
    });
    expect(go.status).toBe(200);
    expect(await get(i.id)).toMatchObject({ state: 'completed', variables: {} });
  });

  it('raises an incident for a listener job out of retries; a retry runs that listener only', async () => {
    const i = await start('c_el_fail');
    await completeJob((await lockJob('el-ok')).id);
    const flaky = await lockJob('el-flaky');
    // a listener cannot throw a BPMN error (Camunda 8): refused, the job stays
    const thrown = await s.api('POST', `/api/workflow/external-jobs/${flaky.id}/bpmn-error`, {
      workerId: 'w',
      errorCode: 'X',
    });
    expect(thrown).toMatchObject({ status: 422, body: { code: 'ACTION_NOT_ALLOWED' } });
    const failed = await s.api('POST', `/api/workflow/external-jobs/${flaky.id}/fail`, {
      workerId: 'w',
      retries: 0,
      errorMessage: 'audit service down',
    });
    expect(failed.status).toBe(204);
    expect(await get(i.id)).toMatchObject({ state: 'active', incidents: 1 });
    const incidents = (await s.api('GET', `/api/workflow/incidents?instanceId=${i.id}`)).body.data;
    expect(incidents).toEqual([
      expect.objectContaining({
        elementId: 't',
        kind: 'job-failed',
        message: 'audit service down',
      }),
    ]);
    const retried = await s.api('POST', `/api/workflow/incidents/${incidents[0].id}/retry`, {});
    expect(retried.status).toBe(200);
    // el-ok is not run again; el-flaky is
    const none = await s.api('POST', '/api/workflow/external-jobs/fetch-and-lock', {
      workerId: 'w',
      types: ['el-ok'],
    });
    expect(none.body.data).toEqual([]);
    await completeJob((await lockJob('el-flaky')).id);
    expect(await get(i.id)).toMatchObject({ state: 'completed', incidents: 0 });
  });

  it('retries a failed end listener expression without running the element again', async () => {
    const i = await start('c_el_retry', { runs: 0 });
    expect(i).toMatchObject({ state: 'active', incidents: 1, variables: { runs: 1 } });
    const [incident] = (await s.api('GET', `/api/workflow/incidents?instanceId=${i.id}`)).body.data;
    expect(incident).toMatchObject({ elementId: 'count', kind: 'listener' });
    const retried = await s.api('POST', `/api/workflow/incidents/${incident.id}/retry`, {
      variables: { listenerType: 'el-late' },
    });
    expect(retried.status).toBe(200);
    await completeJob((await lockJob('el-late')).id);
    // the script ran once: the retry resumed at its end listeners
    expect(await get(i.id)).toMatchObject({ state: 'completed', variables: { runs: 1 } });
  });

  it('retries an element that failed after its start listeners without running them again', async () => {
    const i = await start('c_sl_retry');
    expect((await completeJob((await lockJob('el-gate')).id)).status).toBe(204);
    const [incident] = (await s.api('GET', `/api/workflow/incidents?instanceId=${i.id}`)).body.data;
    expect(incident).toMatchObject({ elementId: 'g', kind: 'no-matching-flow' });
    const retried = await s.api('POST', `/api/workflow/incidents/${incident.id}/retry`, {
      variables: { route: 'a' },
    });
    expect(retried.status).toBe(200);
    // no second listener job: the gateway went on where it failed
    expect(await get(i.id)).toMatchObject({ state: 'completed', incidents: 0 });
    const history = (await s.api('GET', `/api/workflow/instances/${i.id}/history`)).body
      .data as Array<{ elementId: string; event: string }>;
    expect(history.filter((h) => h.elementId === 'g').map((h) => h.event)).toEqual([
      'start',
      'listener',
      'job-complete',
      'incident',
      'retry',
      'end',
    ]);
  });

  it('runs creating and completing user task listeners before the task exists and completes', async () => {
    const i = await start('c_tl');
    const tasks = async () =>
      (await s.api('GET', `/api/tasks?instanceId=${i.id}&state=created`)).body.data as Array<{
        id: number;
      }>;
    expect(await tasks()).toEqual([]);
    const creating = await lockJob('tl-create');
    // a task listener job completes without variables
    const withVars = await completeJob(creating.id, { x: 1 });
    expect(withVars).toMatchObject({ status: 400, body: { code: 'VARIABLES_INVALID' } });
    expect((await completeJob(creating.id)).status).toBe(204);
    const [t] = await tasks();
    expect(t).toBeDefined();
    const done = await s.api('POST', `/api/tasks/${t.id}/complete`, {
      variables: { approved: true },
    });
    expect(done.status).toBe(200);
    // the completion waits on its listener: its variables are not applied yet
    expect(done.body).toMatchObject({ state: 'active', activeElementIds: ['u'], variables: {} });
    await completeJob((await lockJob('tl-complete')).id);
    expect(await get(i.id)).toMatchObject({ state: 'completed', variables: { approved: true } });
  });

  const completeWith = (id: number, result: unknown) =>
    s.api('POST', `/api/workflow/external-jobs/${id}/complete`, { workerId: 'w', result });

  it('gives task listener jobs the task headers, refuses bad results with pointers', async () => {
    const i = await start('c_tl_res');
    const creating = await lockJob('tl2-create');
    // the task as it will be created: no key yet (the row is made after the creating listeners)
    expect(creating.headers).toEqual({
      'io.camunda.zeebe:listenerEventType': 'creating',
      'io.camunda.zeebe:assignee': 'ann',
      'io.camunda.zeebe:candidateGroups': '["sales"]',
      'io.camunda.zeebe:priority': '50',
    });
    const cases: Array<[unknown, string]> = [
      ['deny', '/result'],
      [{ type: 'job' }, '/result/type'],
      [{ extra: 1 }, '/result/extra'],
      [{ denied: 'yes' }, '/result/denied'],
      // a creating listener cannot deny: only completing ones do
      [{ denied: true }, '/result/denied'],
      [{ corrections: [] }, '/result/corrections'],
      [{ corrections: { priority: 101 } }, '/result/corrections/priority'],
      [{ corrections: { priority: 2.5 } }, '/result/corrections/priority'],
      [
        { corrections: { followUpDate: '2030-01-01T00:00:00Z' } },
        '/result/corrections/followUpDate',
      ],
      [{ corrections: { name: 'x' } }, '/result/corrections/name'],
      [{ corrections: { assignee: 5 } }, '/result/corrections/assignee'],
      [{ corrections: { dueDate: 'next week' } }, '/result/corrections/dueDate'],
      [{ corrections: { candidateUsers: 'carl' } }, '/result/corrections/candidateUsers'],
      [{ corrections: { candidateUsers: ['a,b'] } }, '/result/corrections/candidateUsers/0'],
      [{ corrections: { candidateGroups: [''] } }, '/result/corrections/candidateGroups/0'],
    ];
    for (const [result, pointer] of cases) {
      const r = await completeWith(creating.id, result);
      expect({
        result,
        status: r.status,
        code: r.body.code,
        path: r.body.errors?.[0]?.path,
      }).toEqual({ result, status: 400, code: 'BAD_REQUEST', path: pointer });
    }
    // nothing moved: the job is still there and completes
    expect((await completeWith(creating.id, null)).status).toBe(204);
    const [t] = (await s.api('GET', `/api/tasks?instanceId=${i.id}&state=created`)).body.data;
    expect(t).toMatchObject({ assignee: 'ann', candidateGroups: ['sales'] });
  });

  it('applies creating corrections, keeps a denied completion open, then completes', async () => {
    const i = await start('c_tl_res');
    const creating = await lockJob('tl2-create');
    const due = '2030-01-02T03:04:05.000Z';
    const corrected = await completeWith(creating.id, {
      type: 'userTask',
      corrections: {
        assignee: 'bob',
        candidateUsers: ['carl'],
        dueDate: due,
        candidateGroups: null,
        priority: 77,
      },
    });
    expect(corrected.status).toBe(204);
    const open = async () =>
      (await s.api('GET', `/api/tasks?instanceId=${i.id}&state=created`)).body.data as Array<{
        id: number;
        assignee: string | null;
        candidateUsers: string[];
        candidateGroups: string[];
        dueAt: string | null;
        version: number;
        priority: number;
      }>;
    const [t] = await open();
    // null keeps the evaluated candidate groups; the others are the listener's
    expect(t).toMatchObject({
      assignee: 'bob',
      candidateUsers: ['carl'],
      candidateGroups: ['sales'],
      dueAt: due,
      priority: 77,
    });

    // the first completion is denied: variables unapplied, the task open as it was
    const first = await s.api('POST', `/api/tasks/${t.id}/complete`, {
      variables: { approved: false },
    });
    expect(first.status).toBe(200);
    const check = await lockJob('tl2-check');
    expect(check.headers).toMatchObject({
      'io.camunda.zeebe:listenerEventType': 'completing',
      'io.camunda.zeebe:userTaskKey': String(t.id),
      'io.camunda.zeebe:assignee': 'bob',
      'io.camunda.zeebe:candidateUsers': '["carl"]',
      'io.camunda.zeebe:candidateGroups': '["sales"]',
      'io.camunda.zeebe:dueDate': due,
      'io.camunda.zeebe:priority': '77',
    });
    // a completing listener takes no variables even when it denies
    expect(
      (
        await s.api('POST', `/api/workflow/external-jobs/${check.id}/complete`, {
          workerId: 'w',
          variables: { approved: true },
          result: { denied: true },
        })
      ).status,
    ).toBe(400);
    const denied = await completeWith(check.id, {
      denied: true,
      deniedReason: 'attach the signed quote',
      corrections: { assignee: 'zed' },
    });
    expect(denied.status).toBe(204);
    expect(await get(i.id)).toMatchObject({
      state: 'active',
      activeElementIds: ['u'],
      variables: {},
    });
    const [again] = await open();
    // the same task, open, as it was: a denial drops the denying job's corrections too
    expect(again).toMatchObject({ id: t.id, assignee: 'bob', candidateUsers: ['carl'] });
    // the second completing listener never ran for the denied completion
    const none = await s.api('POST', '/api/workflow/external-jobs/fetch-and-lock', {
      workerId: 'w',
      types: ['tl2-after'],
    });
    expect(none.body.data).toEqual([]);
    const history = (await s.api('GET', `/api/workflow/instances/${i.id}/history`)).body
      .data as Array<{ event: string; detail: Record<string, unknown> | null }>;
    expect(history.find((h) => h.event === 'task-denied')?.detail).toEqual({
      type: 'tl2-check',
      reason: 'attach the signed quote',
      taskId: t.id,
    });

    // completed again: the first listener corrects, the second denies — the task stays as it was
    const complete = async (version: number) => {
      const r = await s.api('POST', `/api/tasks/${t.id}/complete`, {
        variables: { approved: true },
        version,
      });
      expect(r.status).toBe(200);
    };
    await complete(again.version);
    const check2 = await lockJob('tl2-check');
    expect((await completeWith(check2.id, { corrections: { assignee: 'eve' } })).status).toBe(204);
    const after2 = await lockJob('tl2-after');
    // a later listener sees the correction before it reaches the task
    expect(after2.headers['io.camunda.zeebe:assignee']).toBe('eve');
    expect((await completeWith(after2.id, { denied: true })).status).toBe(204);
    const [third] = await open();
    expect(third).toMatchObject({ id: t.id, assignee: 'bob', candidateUsers: ['carl'] });
    expect(await get(i.id)).toMatchObject({ activeElementIds: ['u'], variables: {} });

    // and once more: the corrections reach the task, then the completion takes effect
    await complete(third.version);
    const check3 = await lockJob('tl2-check');
    expect(
      (await completeWith(check3.id, { corrections: { assignee: 'dora', candidateUsers: [] } }))
        .status,
    ).toBe(204);
    const after = await lockJob('tl2-after');
    expect(after.headers['io.camunda.zeebe:assignee']).toBe('dora');
    expect(after.headers['io.camunda.zeebe:candidateUsers']).toBeUndefined();
    expect((await completeJob(after.id)).status).toBe(204);
    const done = (await s.api('GET', `/api/tasks/${t.id}`)).body;
    expect(done).toMatchObject({ state: 'completed', assignee: 'dora', candidateUsers: [] });
    expect(await get(i.id)).toMatchObject({
      activeElementIds: ['p'],
      variables: { approved: true },
    });

    // a result belongs to user task listener jobs only
    const plain = await lockJob('tl2-plain');
    const r = await completeWith(plain.id, { denied: true });
    expect(r).toMatchObject({ status: 400, body: { errors: [{ path: '/result' }] } });
    expect((await completeJob(plain.id)).status).toBe(204);
    expect(await get(i.id)).toMatchObject({ state: 'completed', variables: { approved: true } });
  });

  it('previews a route up to the listener whose worker decides what follows', async () => {
    const preview = async (processKey: string) => {
      const r = await s.api('POST', '/api/workflow/preview', { processKey });
      expect(r.status).toBe(200);
      return r.body as { nodes: Array<{ elementId: string }>; stops: unknown[] };
    };
    expect((await preview('c_sl_retry')).stops).toEqual([
      {
        elementId: 'g',
        name: null,
        reason: 'stops here: its start listener (el-gate) may set variables',
      },
    ]);
    const tl = await preview('c_tl_res');
    expect(tl.stops).toEqual([
      {
        elementId: 'u',
        name: 'Check',
        reason: 'stops here: its creating listener (tl2-create) may change who is asked',
      },
    ]);
    expect(tl.nodes).toEqual([]);
  });

  // ---- compensation -------------------------------------------------------------------------

  it('compensates every completed activity of the scope, inside a completed subprocess too', async () => {
    const i = await start('c_comp', { undo: [] });
    expect(i.state).toBe('completed');
    // Zeebe invokes the handlers all at once, in no given order
    expect([...i.variables.undo].sort()).toEqual(['car', 'flight', 'hotel']);
    // the throw event went on only after every handler completed
    expect([...i.variables.seenAfter].sort()).toEqual(['car', 'flight', 'hotel']);
  });

  it('compensates an activity once per completion; a compensation end event ends its token', async () => {
    const i = await start('c_comp_loop', { counter: 0, undone: 0 });
    expect(i).toMatchObject({ state: 'completed', variables: { counter: 2, undone: 2 } });
  });

  it('compensates the enclosing scope from an error event subprocess', async () => {
    const i = await start('c_comp_esp');
    expect(i).toMatchObject({ state: 'completed', variables: { paid: false }, incidents: 0 });
  });

  it('compensates only the activityRef activity, and waits for its handler', async () => {
    const i = await start('c_comp_ref');
    expect(i.state).toBe('active');
    expect(i.activeElementIds).toContain('refund');
    expect(i.variables).toEqual({ shipState: 'shipped' });
    const [t] = (await s.api('GET', `/api/tasks?instanceId=${i.id}&state=created`)).body.data;
    expect(t.elementId).toBe('refund');
    const done = await s.api('POST', `/api/tasks/${t.id}/complete`, { variables: {} });
    expect(done.status).toBe(200);
    // the end event compensated what was left (ship), not charge again
    expect(done.body).toMatchObject({ state: 'completed', variables: { shipState: 'unshipped' } });
    const history = (await s.api('GET', `/api/workflow/instances/${i.id}/history`)).body
      .data as Array<{
      elementId: string;
      event: string;
      detail: { activities?: string[] } | null;
    }>;
    expect(
      history
        .filter((h) => h.event === 'compensate')
        .map((h) => [h.elementId, h.detail?.activities]),
    ).toEqual([
      ['undoCharge', ['charge']],
      ['e', ['ship']],
    ]);
  });

  // ---- ad-hoc subprocesses ------------------------------------------------------------------

  const openTasks = async (id: number) =>
    (await s.api('GET', `/api/tasks?instanceId=${id}&state=created`)).body.data as Array<{
      id: number;
      elementId: string;
    }>;

  it('activates the inner elements its collection names and completes after the last one', async () => {
    const ab = await start('c_adhoc', { toActivate: ['ah_a', 'ah_b'] });
    expect(ab).toMatchObject({ state: 'completed', variables: { a: 'a', b: 'b', after: true } });
    expect(ab.variables.done).toBeUndefined(); // not activated, not run
    // a flow inside runs on: activating ah_done also runs what follows it
    const flowOn = await start('c_adhoc', { toActivate: ['ah_done'] });
    expect(flowOn).toMatchObject({ state: 'completed', variables: { done: true, followed: true } });
    const c = await start('c_adhoc', { toActivate: ['ah_c', 'ah_a'] });
    expect(c).toMatchObject({ state: 'active', variables: { a: 'a' } });
    const [t] = await openTasks(c.id);
    expect(t.elementId).toBe('ah_c');
    await s.api('POST', `/api/tasks/${t.id}/complete`, { variables: {} });
    expect(await get(c.id)).toMatchObject({ state: 'completed', variables: { after: true } });
    // nothing to activate: it stays active
    const none = await start('c_adhoc', { toActivate: [] });
    expect(none).toMatchObject({ state: 'active', activeElementIds: ['ah'] });
    // an id that is not an inner element: an incident on the subprocess
    const bad = await start('c_adhoc', { toActivate: ['after'] });
    expect(bad).toMatchObject({ state: 'active', incidents: 1 });
    const incidents = (await s.api('GET', `/api/workflow/incidents?instanceId=${bad.id}`)).body
      .data;
    expect(incidents[0]).toMatchObject({ elementId: 'ah', kind: 'ad-hoc' });
  });

  it('completes on its completion condition, cancelling the rest or waiting for them', async () => {
    const cancel = await start('c_adhoc_cond', { toActivate: ['ac_done', 'ac_c'] });
    expect(cancel).toMatchObject({ state: 'completed', variables: { done: true } });
    expect(await openTasks(cancel.id)).toEqual([]);
    // the condition is false after ac_a: the subprocess stays active with nothing running
    const stays = await start('c_adhoc_cond', { toActivate: ['ac_a'], done: false });
    expect(stays).toMatchObject({ state: 'active', activeElementIds: ['ac'] });
    const wait = await start('c_adhoc_wait', { toActivate: ['aw_done', 'aw_c'] });
    expect(wait).toMatchObject({ state: 'active', variables: { done: true } });
    const [t] = await openTasks(wait.id);
    expect(t.elementId).toBe('aw_c');
    await s.api('POST', `/api/tasks/${t.id}/complete`, { variables: {} });
    expect(await get(wait.id)).toMatchObject({ state: 'completed' });
  });

  // ---- multi-instance ad-hoc subprocesses (the Camunda 8.8 AI agent's tools) ----------------

  const calls = [
    { id: 'c1', name: 'double', x: 1 },
    { id: 'c2', name: 'ask' },
    { id: 'c3', name: 'negate', x: 3 },
  ];

  it('runs one ad-hoc instance per item in parallel, each activating what its item names', async () => {
    const i = await start('c_mi_adhoc', { toolCalls: calls, stopAfter: 99 });
    // the two scripts ran; the user task of the second call holds the body open
    expect(i).toMatchObject({ state: 'active' });
    expect(i.variables.toolCallResults).toBeUndefined();
    const tasks = await openTasks(i.id);
    expect(tasks.map((t) => t.elementId)).toEqual(['ask']);
    await s.api('POST', `/api/tasks/${tasks[0].id}/complete`, {
      variables: { toolCallResult: 'yes' },
    });
    const done = await get(i.id);
    expect(done.state).toBe('completed');
    expect(done.variables).toMatchObject({
      toolCallResults: [
        { id: 'c1', content: 2 },
        { id: 'c2', content: 'yes' },
        { id: 'c3', content: -3 },
      ],
      collected: 3,
    });
    // the inner instances' locals stay in them
    expect(done.variables.toolCall).toBeUndefined();
    expect(done.variables.loopCounter).toBeUndefined();
  });

  it('completes the body on its completion condition, cancelling an unfinished ad-hoc instance', async () => {
    const i = await start('c_mi_adhoc', { toolCalls: calls, stopAfter: 2 });
    expect(i.state).toBe('completed');
    expect(i.variables.toolCallResults).toEqual([
      { id: 'c1', content: 2 },
      null,
      { id: 'c3', content: -3 },
    ]);
    expect(await openTasks(i.id)).toEqual([]);
  });

  it('runs the ad-hoc instances one after another when sequential', async () => {
    const i = await start('c_mi_adhoc_seq', {
      toolCalls: [calls[1], { id: 'c4', name: 'double', x: 5 }],
      stopAfter: 99,
    });
    // the second call's script waits for the first call's task
    expect(i).toMatchObject({ state: 'active' });
    expect(i.variables.toolCallResult).toBeUndefined();
    const [t] = await openTasks(i.id);
    expect(t.elementId).toBe('ask');
    await s.api('POST', `/api/tasks/${t.id}/complete`, { variables: { toolCallResult: 'ok' } });
    const done = await get(i.id);
    expect(done).toMatchObject({ state: 'completed', variables: { collected: 2 } });
    expect(done.variables.toolCallResults).toEqual([
      { id: 'c2', content: 'ok' },
      { id: 'c4', content: 10 },
    ]);
  });

  it('raises an incident on the ad-hoc instance whose item names no inner element', async () => {
    const i = await start('c_mi_adhoc', {
      toolCalls: [calls[0], { id: 'c5', name: 'after' }],
      stopAfter: 99,
    });
    expect(i).toMatchObject({ state: 'active', incidents: 1 });
    const incidents = (await s.api('GET', `/api/workflow/incidents?instanceId=${i.id}`)).body.data;
    expect(incidents[0]).toMatchObject({ elementId: 'tools', kind: 'ad-hoc' });
    expect(incidents[0].message).toContain('"after"');
  });
});

describe.each(DIALECTS)('FEEL dates in the company time zone on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, BASE_FILES, { CRM_TIMEZONE: 'Asia/Shanghai' });
    const r = await s.api('POST', '/api/workflow/deployments', D.TODAY, {
      'content-type': 'application/xml',
    });
    expect(r.status).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("gives today() the company's date: 23:30 UTC is already tomorrow in Beijing", async () => {
    s.clock.set(new Date('2026-03-15T23:30:00.000Z'));
    const r = await s.api('POST', '/api/workflow/instances', { processKey: 'c_today' });
    expect(r.body).toMatchObject({ state: 'completed' });
    expect(r.body.variables.day).toBe('2026-03-16');
    expect(r.body.variables.at).toContain('2026-03-16T07:30');
  });
});
