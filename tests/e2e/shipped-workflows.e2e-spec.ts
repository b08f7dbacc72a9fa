import * as path from 'node:path';
import { JobExecutorService } from '@crm/workflow';
import { DIALECTS, type TestServer, q, startServer } from './support/harness';
import { createOrg, shippedFiles } from './support/shipped-org';

/**
 * The shipped processes (workflows/*.bpmn, metadata/triggers/) run by the people of the shared
 * demo organisation (notes: org.md): each deploys from WORKFLOWS_DIR at start-up and its main path
 * runs to its end with the right role deciding. One server per dialect; the tests run in order
 * because the last ones move the injected clock (SLA escalation, reminders, greetings by date).
 */

interface Task {
  id: number;
  elementId: string;
  instanceId: number;
  dueAt: string | null;
}

describe.each(DIALECTS)('the shipped workflows on %s', (dialect) => {
  let s: TestServer;
  const ids = new Map<string, number>();

  /** A request as `login` (the harness logs them in with their own roles, again after a clock move). */
  const as = (login: string, method: string, url: string, body?: unknown) =>
    s.api(method, url, body, { 'x-user': login });
  const created = async (login: string, entity: string, body: Record<string, unknown>) => {
    const res = await as(login, 'POST', `/api/records/${entity}`, body);
    expect({ entity, status: res.status, body: res.status === 201 ? 'ok' : res.body }).toEqual({
      entity,
      status: 201,
      body: 'ok',
    });
    return res.body as { id: number; code?: string; version: number };
  };
  /** Header totals are rollups of their lines: one line of quantity 1 carries the amount. */
  const line = (login: string, entity: string, link: string, id: number, unitPrice: number) =>
    created(login, entity, {
      [link]: id,
      lineNo: 1,
      product: ids.get('product'),
      quantity: 1,
      unitPrice: { amount: unitPrice },
    });
  const press = async (login: string, entity: string, id: number, trigger: string) => {
    const res = await as(login, 'POST', `/api/records/${entity}/${id}/buttons/${trigger}`);
    expect({ trigger, status: res.status, body: res.status === 201 ? 'ok' : res.body }).toEqual({
      trigger,
      status: 201,
      body: 'ok',
    });
    return res.body as { id: number; state: string; activeElementIds: string[] };
  };
  const inbox = async (login: string, instanceId?: number): Promise<Task[]> =>
    ((await as(login, 'GET', '/api/tasks?state=created&mine=true')).body.data as Task[]).filter(
      (t) => instanceId === undefined || t.instanceId === instanceId,
    );
  /** The one open task of the instance at `elementId` in `login`'s inbox (fails when absent). */
  const taskOf = async (login: string, instanceId: number, elementId: string): Promise<Task> => {
    const mine = (await inbox(login, instanceId)).filter((t) => t.elementId === elementId);
    expect({ login, elementId, tasks: mine.length }).toEqual({ login, elementId, tasks: 1 });
    return mine[0];
  };
  const act = async (login: string, task: Task, action: string, comment?: string) => {
    const res = await as(login, 'POST', `/api/tasks/${task.id}/actions`, { action, comment });
    expect({
      login,
      action,
      status: res.status,
      body: res.status === 200 ? 'ok' : res.body,
    }).toEqual({ login, action, status: 200, body: 'ok' });
    return res.body;
  };
  const complete = async (login: string, task: Task, variables: Record<string, unknown>) => {
    const res = await as(login, 'POST', `/api/tasks/${task.id}/complete`, { variables });
    expect({ login, status: res.status, body: res.status === 200 ? 'ok' : res.body }).toEqual({
      login,
      status: 200,
      body: 'ok',
    });
    return res.body;
  };
  const instance = async (id: number) =>
    (await s.api('GET', `/api/workflow/instances/${id}`)).body as {
      state: string;
      completedElements: Record<string, number>;
      activeElementIds?: string[];
    };
  const record = async (entity: string, id: number) =>
    (await s.api('GET', `/api/records/${entity}/${id}`)).body;
  /** Runs due jobs (timers, built-in async tasks, deadlines) until none is left. */
  const runJobs = async () => {
    const executor = s.app.get(JobExecutorService);
    for (let i = 0; i < 20 && (await executor.runDue(100)) > 0; i++);
  };
  const notifications = async (login: string) =>
    (await as(login, 'GET', '/api/notifications')).body.data as Array<{
      subject: string;
      kind?: string;
      instanceId?: number;
    }>;

  beforeAll(async () => {
    s = await startServer(dialect, shippedFiles(), {
      WORKFLOWS_DIR: path.resolve(__dirname, '../../workflows'),
      CRM_TIMEZONE: 'Asia/Shanghai',
    });
    for (const [login, id] of await createOrg(s)) ids.set(login, id);
    ids.set('customer', (await created('rep', 'customer', { name: '华东机械有限公司' })).id);
    // the catalogue is the administrator's
    ids.set('product', (await created('tester', 'product', { code: 'P-LINE', name: '机床' })).id);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('deploys every shipped process and the quote routing decision at start-up', async () => {
    const defs = (await s.api('GET', '/api/workflow/definitions')).body.data as Array<{
      key: string;
    }>;
    expect(defs.map((d) => d.key).sort()).toEqual(
      expect.arrayContaining([
        'birthday_greetings',
        'campaign_approval',
        'commission_approval',
        'contract_approval',
        'expense_approval',
        'lead_qualification',
        'order_confirmation',
        'quote_approval',
        'repair_order',
        'service_request',
      ]),
    );
    // every diagram is laid out: the designer and Camunda Modeler draw what they open
    for (const d of defs) {
      const xml = await (await fetch(`${s.url}/api/workflow/definitions/${d.key}/xml`)).text();
      expect({ key: d.key, laidOut: xml.includes('<bpmndi:BPMNShape') }).toEqual({
        key: d.key,
        laidOut: true,
      });
    }
  });

  it('lead qualification: the rep submits, the manager qualifies or disqualifies', async () => {
    const good = await created('rep', 'lead', { company: '华东机械', source: 'fair' });
    const bad = await created('rep', 'lead', { company: '皮包公司', source: 'web' });
    const runGood = await press('rep', 'lead', good.id, 'lead_qualify');
    const runBad = await press('rep', 'lead', bad.id, 'lead_qualify');
    // the rep does not decide their own lead
    expect(await inbox('rep', runGood.id)).toEqual([]);
    await act('manager', await taskOf('manager', runGood.id, 'manager_review'), 'approve');
    await act('manager', await taskOf('manager', runBad.id, 'manager_review'), 'reject', '无预算');
    expect((await instance(runGood.id)).completedElements).toMatchObject({ qualified_end: 1 });
    expect((await instance(runBad.id)).completedElements).toMatchObject({ disqualified_end: 1 });
    expect((await record('lead', good.id)).status).toBe('qualified');
    expect(await record('lead', bad.id)).toMatchObject({
      status: 'disqualified',
      result: '无预算',
    });
    // a decided lead offers no second qualification
    const again = await as('rep', 'POST', `/api/records/lead/${good.id}/buttons/lead_qualify`);
    // refused by the role's start rule (draft states only) or by the trigger's condition
    expect([403, 409]).toContain(again.status);
  });

  let pendingQuote = 0;
  it('quote approval: the decision table routes by discount and total', async () => {
    // the total is the lines' sum less the header discount: 20,000 at 5 % is 19,000
    const quote = async (linesTotal: number, body: Record<string, unknown> = {}) => {
      const made = await created('rep', 'quote', {
        name: '报价',
        customer: ids.get('customer'),
        ...body,
      });
      await line('rep', 'quote_line', 'quote', made.id, linesTotal);
      return made;
    };
    // a small quote: the manager, within one working day (from Sunday 16:00 in Beijing: Monday 18:00)
    const small = await quote(20000, { discount: 5 });
    const runSmall = await press('rep', 'quote', small.id, 'quote_submit');
    const smallTask = await taskOf('manager', runSmall.id, 'manager_approval');
    expect(smallTask.dueAt).toBe('2026-03-16T10:00:00.000Z');
    await act('manager', smallTask, 'approve');
    // approved and stamped at the instant of the approval (Sunday 16:00 in Beijing)
    expect(await record('quote', small.id)).toMatchObject({
      status: 'approved',
      approvedAt: '2026-03-15T08:00:00.000Z',
    });
    // 120,000: a manager quote, two working days; left pending for the reminder test below
    const mid = await quote(120000);
    const runMid = await press('rep', 'quote', mid.id, 'quote_submit');
    expect((await taskOf('manager', runMid.id, 'manager_approval')).dueAt).toBe(
      '2026-03-17T10:00:00.000Z',
    );
    pendingQuote = runMid.id;
    // 600,000 at 5 % (570,000): the manager, then the director
    const big = await quote(600000, { discount: 5 });
    expect((await record('quote', big.id)).total).toEqual({ amount: 570000, currency: 'CNY' });
    const runBig = await press('rep', 'quote', big.id, 'quote_submit');
    await act('manager', await taskOf('manager', runBig.id, 'manager_approval'), 'approve');
    expect(await inbox('manager', runBig.id)).toEqual([]);
    await act('director', await taskOf('director', runBig.id, 'director_approval'), 'approve');
    expect((await instance(runBig.id)).completedElements).toMatchObject({ approved_end: 1 });
    expect((await record('quote', big.id)).status).toBe('approved');
    const told = await notifications('rep');
    expect(told.map((n) => n.subject)).toContain(`Quote ${big.code} is approved`);
  });

  it.each([
    { values: { total: { amount: 20000 } }, route: ['manager_approval'] },
    {
      values: { total: { amount: 20000 }, discount: 25 },
      route: ['manager_approval', 'director_approval'],
    },
    { values: { total: { amount: 500000 } }, route: ['manager_approval', 'director_approval'] },
  ])('the quote preview follows the decision table: $route', async ({ values, route }) => {
    const p = await s.api('POST', '/api/workflow/preview', {
      processKey: 'quote_approval',
      values: { name: '预览', customer: ids.get('customer'), ...values },
    });
    expect(p.status).toBe(200);
    const actual = (p.body.nodes as Array<{ elementId: string }>).map((n) => n.elementId);
    expect(actual).toEqual(route);
  });

  it('contract approval: legal and finance countersign, then the director above 500,000', async () => {
    const contract = await created('rep', 'contract', {
      title: '机床采购合同',
      customer: ids.get('customer'),
    });
    await line('rep', 'contract_line', 'contract', contract.id, 800000);
    const run = await press('rep', 'contract', contract.id, 'contract_submit');
    expect((await record('contract', contract.id)).status).toBe('inApproval');
    // one countersign task per role: legal sees only theirs, finance only theirs
    const legalTask = await taskOf('legal', run.id, 'countersign');
    const financeTask = await taskOf('finance', run.id, 'countersign');
    expect(legalTask.id).not.toBe(financeTask.id);
    expect(await inbox('director', run.id)).toEqual([]);
    await act('legal', legalTask, 'approve');
    // all must sign: one signature is not enough
    expect(await inbox('director', run.id)).toEqual([]);
    await act('finance', financeTask, 'approve');
    await act('director', await taskOf('director', run.id, 'director_approval'), 'approve');
    expect((await instance(run.id)).completedElements).toMatchObject({ approved_end: 1 });
    expect((await record('contract', contract.id)).status).toBe('signed');

    // a countersigner's rejection sends it back to drafting, the director never sees it
    const other = await created('rep', 'contract', {
      title: '小合同',
      customer: ids.get('customer'),
    });
    await line('rep', 'contract_line', 'contract', other.id, 50000);
    const back = await press('rep', 'contract', other.id, 'contract_submit');
    await act('legal', await taskOf('legal', back.id, 'countersign'), 'reject', '条款不全');
    expect((await instance(back.id)).completedElements).toMatchObject({ rejected_end: 1 });
    expect((await record('contract', other.id)).status).toBe('drafting');
    expect(await inbox('finance', back.id)).toEqual([]);
  });

  it('order confirmation creates the receivable once: amount due, bill date today, due in 30 days', async () => {
    const order = await created('rep', 'sales_order', {
      orderDate: '2026-03-15',
      customer: ids.get('customer'),
    });
    await line('rep', 'order_line', 'order', order.id, 240000);
    // the rep confirms their own draft order (their role's start rule)
    const run = await press('rep', 'sales_order', order.id, 'order_confirm');
    await runJobs(); // the look for an existing receivable runs on the job executor
    expect((await instance(run.id)).completedElements).toMatchObject({ billed_end: 1 });
    const bills = (await s.api('GET', `/api/records/receivable?filter=${q({ order: order.id })}`))
      .body.data;
    expect(bills).toHaveLength(1);
    expect(bills[0]).toMatchObject({
      customer: ids.get('customer'),
      order: order.id,
      amountDue: { amount: 240000 },
      // 2026-03-15 16:00 in Beijing: the business date, and 30 days on
      billDate: '2026-03-15',
      dueDate: '2026-04-14',
    });
    expect(await record('sales_order', order.id)).toMatchObject({
      status: 'confirmed',
      confirmedAt: '2026-03-15T08:00:00.000Z',
    });
    // a confirmed order offers no second confirmation
    const twice = await as(
      'rep',
      'POST',
      `/api/records/sales_order/${order.id}/buttons/order_confirm`,
    );
    expect([403, 409]).toContain(twice.status);
    // and a start that gets past the button anyway bills nothing twice
    const again = await s.api('POST', '/api/workflow/instances', {
      processKey: 'order_confirmation',
      record: { entity: 'sales_order', id: order.id },
    });
    expect(again.status).toBe(201);
    await runJobs();
    expect((await instance(again.body.id)).completedElements).toMatchObject({
      already_billed_end: 1,
    });
    expect(
      (await s.api('GET', `/api/records/receivable?filter=${q({ order: order.id })}`)).body.data,
    ).toHaveLength(1);
  });

  it('commission: drafting → in approval → executing (director) → closed (finance pays out)', async () => {
    const contract = await created('rep', 'contract', {
      title: '佣金合同',
      customer: ids.get('customer'),
    });
    await line('rep', 'contract_line', 'contract', contract.id, 100000);
    // the sales amount follows the contract, the accrued amount is base × rate
    const commission = await created('rep', 'commission', {
      name: '一季度佣金',
      contract: contract.id,
      baseAmount: { amount: 100000 },
      rate: 3,
    });
    expect(await record('commission', commission.id)).toMatchObject({
      salesAmount: { amount: 100000 },
      amount: { amount: 3000 },
    });
    const run = await press('rep', 'commission', commission.id, 'commission_submit');
    expect((await record('commission', commission.id)).status).toBe('inApproval');
    await act('director', await taskOf('director', run.id, 'director_approval'), 'approve');
    expect((await record('commission', commission.id)).status).toBe('executing');
    await complete('finance', await taskOf('finance', run.id, 'payout'), {});
    expect((await instance(run.id)).completedElements).toMatchObject({ closed_end: 1 });
    expect((await record('commission', commission.id)).status).toBe('closed');
  });

  it('expense: the supervisor approves, finance too from 5,000', async () => {
    const small = await created('rep', 'expense', {
      spentOn: '2026-03-14',
      kind: 'travel',
      amount: { amount: 800 },
    });
    const big = await created('rep', 'expense', {
      spentOn: '2026-03-14',
      kind: 'entertainment',
      amount: { amount: 8000 },
    });
    const runSmall = await press('rep', 'expense', small.id, 'expense_submit');
    const runBig = await press('rep', 'expense', big.id, 'expense_submit');
    // the rep's supervisor is the manager (not the director, not finance)
    expect(await inbox('director', runSmall.id)).toEqual([]);
    await act('manager', await taskOf('manager', runSmall.id, 'supervisor_approval'), 'approve');
    expect((await record('expense', small.id)).status).toBe('approved');
    await act('manager', await taskOf('manager', runBig.id, 'supervisor_approval'), 'approve');
    expect((await record('expense', big.id)).status).toBe('submitted');
    await act('finance', await taskOf('finance', runBig.id, 'finance_approval'), 'reject', '超标');
    expect((await record('expense', big.id)).status).toBe('rejected');
    expect((await notifications('rep')).map((n) => n.subject)).toContain(
      `费用 ${big.code} 被驳回：超标 / Expense ${big.code} was rejected: 超标`,
    );
  });

  it('campaign: marketing submits, the director approves', async () => {
    const campaign = await created('marketer', 'campaign', { name: '秋季促销', kind: 'promotion' });
    const run = await press('marketer', 'campaign', campaign.id, 'campaign_submit');
    expect(await inbox('marketer', run.id)).toEqual([]);
    await act('director', await taskOf('director', run.id, 'director_approval'), 'approve');
    expect((await record('campaign', campaign.id)).status).toBe('approved');
  });

  it('repair order: dispatched to the engineer, repaired, checked by the service manager', async () => {
    const product = await created('tester', 'product', { code: 'P-1', name: '数控机床' });
    // the service manager logs it (service agents do not create repair orders)
    const order = await created('svcmanager', 'repair_order', {
      customer: ids.get('customer'),
      product: product.id,
      defect: '主轴异响',
    });
    const [run] = (
      await s.api(
        'GET',
        `/api/workflow/instances?processKey=repair_order&record=repair_order:${order.id}`,
      )
    ).body.data as Array<{ id: number }>;
    const dispatch = await taskOf('svcmanager', run.id, 'dispatch');
    // the dispatcher must name the engineer
    const missing = await as('svcmanager', 'POST', `/api/tasks/${dispatch.id}/complete`, {
      variables: {},
    });
    expect(missing.status).toBe(400);
    await complete('svcmanager', dispatch, { engineer: 'engineer' });
    expect(await record('repair_order', order.id)).toMatchObject({
      status: 'dispatched',
      technician: 'engineer',
    });
    await complete('engineer', await taskOf('engineer', run.id, 'repair'), {});
    expect((await record('repair_order', order.id)).status).toBe('done');
    // not good enough: back to the engineer
    await act(
      'svcmanager',
      await taskOf('svcmanager', run.id, 'manager_check'),
      'reject',
      '仍有异响',
    );
    expect((await record('repair_order', order.id)).status).toBe('repairing');
    await complete('engineer', await taskOf('engineer', run.id, 'repair'), {});
    await act('svcmanager', await taskOf('svcmanager', run.id, 'manager_check'), 'approve');
    expect((await instance(run.id)).completedElements).toMatchObject({ closed_end: 1 });
    expect((await record('repair_order', order.id)).status).toBe('closed');
  });

  it('service request SLA: due in working hours, reminded, escalated to the service manager when breached', async () => {
    const request = await created('agent', 'service_request', {
      subject: '设备无法启动',
      customer: ids.get('customer'),
      priority: 'urgent',
      reportedAt: '2026-03-15T08:00:00.000Z',
    });
    expect((await record('service_request', request.id)).status).toBe('assigned');
    const [run] = (
      await s.api(
        'GET',
        `/api/workflow/instances?processKey=service_request&record=service_request:${request.id}`,
      )
    ).body.data as Array<{ id: number }>;
    // urgent: 4 working hours from Sunday 16:00 = Monday 09:00-12:00 + 13:00-14:00 (Beijing)
    const task = await taskOf('agent', run.id, 'handle_request');
    expect(task.dueAt).toBe('2026-03-16T06:00:00.000Z');
    expect(await inbox('svcmanager', run.id)).toEqual([]);
    // 2 working hours before: Monday 11:00 in Beijing, the agents are reminded
    s.clock.set(new Date('2026-03-16T03:00:00.000Z'));
    await runJobs();
    expect(
      (await notifications('agent')).some((n) => n.kind === 'reminder' && n.instanceId === run.id),
    ).toBe(true);
    expect(await inbox('svcmanager', run.id)).toEqual([]);
    // breached: the task is the service managers' now
    s.clock.set(new Date('2026-03-16T06:00:01.000Z'));
    await runJobs();
    const escalated = await taskOf('svcmanager', run.id, 'handle_request');
    expect(escalated.id).toBe(task.id);
    expect(await inbox('agent', run.id)).toEqual([]);
    expect(
      (await notifications('svcmanager')).some(
        (n) => n.kind === 'escalation' && n.instanceId === run.id,
      ),
    ).toBe(true);
    await complete('svcmanager', escalated, { resolution: '更换电源模块' });
    expect(await record('service_request', request.id)).toMatchObject({
      status: 'resolved',
      resolution: '更换电源模块',
    });
  });

  it('reminds the approvers of a pending quote, not the rep who submitted it', async () => {
    // due Tuesday 18:00, reminded 4 working hours before: Tuesday 14:00 in Beijing
    s.clock.set(new Date('2026-03-17T06:00:01.000Z'));
    await runJobs();
    const reminded = (login: string) =>
      notifications(login).then((list) =>
        list.some((n) => n.kind === 'reminder' && n.instanceId === pendingQuote),
      );
    expect(await reminded('manager')).toBe(true);
    expect(await reminded('rep')).toBe(false);
  });

  it('greets the contacts born today at 9:00 on working days, not on a holiday', async () => {
    // marketing keeps the message templates (metadata/roles/marketing.yaml)
    await created('marketer', 'message_template', {
      code: 'birthday_greeting',
      name: '生日祝福',
      channel: 'sms',
      body: '{{ record.name }}，祝您生日快乐！',
    });
    const contact = (name: string, birthday: string, mobile?: string) =>
      created('rep', 'contact', { name, customer: ids.get('customer'), birthday, mobile });
    const national = await contact('国庆', '1985-10-01', '13800000001');
    const friday = await contact('王芳', '1990-10-09', '13800000002');
    const noPhone = await contact('无手机', '1992-10-09');
    const makeUp = await contact('周六', '1988-10-10', '13800000003');
    await contact('别的日子', '1990-05-20', '13800000004');
    const logs = async () =>
      (await s.api('GET', `/api/records/message_log?sort=id&limit=100`)).body.data as Array<
        Record<string, unknown>
      >;
    const greetingsAt = async (at: string) => {
      s.clock.set(new Date(at));
      await runJobs();
    };
    const before = (await logs()).length;
    // 2026-10-01 09:00 in Beijing: National Day, a holiday — nobody is greeted
    await greetingsAt('2026-10-01T01:00:00.000Z');
    expect((await logs()).length).toBe(before);
    const days = (
      await s.api('GET', '/api/workflow/instances?processKey=birthday_greetings&limit=100')
    ).body.data as Array<{ id: number }>;
    const last = await instance(days[0].id);
    expect(last.completedElements).toMatchObject({ day_off_end: 1 });
    // Friday 2026-10-09, a working day: the two born on 10-09, one of them without a mobile
    await greetingsAt('2026-10-09T01:00:00.000Z');
    const friday9 = (await logs()).slice(before);
    expect(
      friday9.map((l) => ({
        contact: l.contact,
        status: l.status,
        recipient: l.recipient ?? null,
        body: l.body,
        channel: l.channel,
      })),
    ).toEqual(
      expect.arrayContaining([
        {
          contact: friday.id,
          status: 'logged',
          recipient: '13800000002',
          body: '王芳，祝您生日快乐！',
          channel: 'sms',
        },
        {
          contact: noPhone.id,
          status: 'failed',
          recipient: null,
          body: '无手机，祝您生日快乐！',
          channel: 'sms',
        },
      ]),
    );
    expect(friday9).toHaveLength(2);
    // the diagram maps the related record onto the log (log.<field> headers)
    expect(friday9[0]).toMatchObject({ relatedEntity: 'contact' });
    expect(friday9.map((l) => l.relatedId).sort()).toEqual([friday.id, noPhone.id].sort());
    expect(friday9[0].sentAt).toBe('2026-10-09T01:00:00.000Z');
    // Saturday 2026-10-10 is a make-up working day (调休): greeted
    await greetingsAt('2026-10-10T01:00:00.000Z');
    const saturday = (await logs()).slice(before + 2);
    expect(saturday.map((l) => l.contact)).toEqual([makeUp.id]);
    // Sunday 2026-10-11: a day off again
    await greetingsAt('2026-10-11T01:00:00.000Z');
    expect((await logs()).length).toBe(before + 3);
    expect((await logs()).some((l) => l.contact === national.id)).toBe(false);
  });
});
