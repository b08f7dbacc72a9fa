import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIALECTS, type TestServer, USER_PASSWORD, bpmn, startServer } from './support/harness';

/** The shipped metadata/ (and the acme overlay) as a user gets it from `npm start`. */
function shippedFiles(): Record<string, string> {
  const root = path.resolve(__dirname, '../../metadata');
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.yaml'))
        out[path.relative(root, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(root);
  return out;
}

describe.each(DIALECTS)('the shipped CRM on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, shippedFiles(), {
      CRM_CLIENT: 'acme',
      WORKFLOWS_DIR: path.resolve(__dirname, '../../workflows'),
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('serves every shipped entity, with the client overlay', async () => {
    const docs = (await s.api('GET', '/api/meta/documents?kind=entity')).body.data.map(
      (d: { name: string }) => d.name,
    );
    expect(docs).toEqual(
      expect.arrayContaining([
        'customer',
        'contact',
        'lead',
        'opportunity',
        'quote',
        'contract',
        'sales_order',
        'receivable',
        'payment',
        'campaign',
        'service_request',
        'sla_policy',
        'point_rule',
        'point_ledger',
        'price_list',
        'price_list_line',
        'competitor',
        'purchase',
        'purchase_line',
        'warehouse',
        'stock_movement',
        'installed_product',
        'packing_list',
        'packing_list_line',
        'product_defect',
        'replacement_part',
        'marketing_material',
      ]),
    );
    const schema = (await s.api('GET', '/api/meta/entities/customer/schema')).body;
    expect(schema.properties.erpCode).toBeDefined();
    expect(schema.properties.territory['x-field-type']).toBe('select');
    expect(schema.properties.level['x-options'][0].label.en).toBe('Strategic account');
  });

  it('keeps stock, points, purchases and the service records linked and consistent', async () => {
    const post = async (entity: string, body: unknown) => {
      const res = await s.api('POST', `/api/records/${entity}`, body);
      expect({ entity, status: res.status, body: res.status === 201 ? 'ok' : res.body }).toEqual({
        entity,
        status: 201,
        body: 'ok',
      });
      return res.body;
    };
    const customer = await post('customer', { name: '库存测试客户' });
    const product = await post('product', { code: 'P-STK', name: '测试产品' });
    const wh = await post('warehouse', { code: 'WH-1', name: '一号库' });
    const purchase = await post('purchase', {
      supplier: '供应商甲',
      purchaseDate: '2026-03-02',
      warehouse: wh.id,
    });
    await post('purchase_line', {
      purchase: purchase.id,
      product: product.id,
      quantity: 10,
      unitPrice: { amount: 50 },
    });
    // the purchase's amount is the sum of its lines (quantity × unit price)
    expect((await s.api('GET', `/api/records/purchase/${purchase.id}`)).body.amount).toEqual({
      amount: 500,
      currency: 'CNY',
    });
    for (const [kind, quantity, reason] of [
      ['in', 10, null],
      ['out', 3, null],
      ['adjust', -1, '盘亏'],
    ] as const)
      await post('stock_movement', {
        kind,
        warehouse: wh.id,
        product: product.id,
        purchase: kind === 'in' ? purchase.id : null,
        quantity,
        reason,
        movedAt: '2026-03-03T02:00:00.000Z',
      });
    const moves = await s.api('GET', `/api/records/warehouse/${wh.id}?include=movements`);
    const onHand = (moves.body._related.movements as Array<{ signedQuantity: number }>).reduce(
      (n, m) => n + Number(m.signedQuantity),
      0,
    );
    expect(onHand).toBe(6);
    // stock on hand is a rollup of the signed movements, per product and per warehouse
    expect(Number((await s.api('GET', `/api/records/product/${product.id}`)).body.stock)).toBe(6);
    expect(Number(moves.body.stockUnits)).toBe(6);
    const rule = await post('point_rule', { name: '消费积分', amountPerPoint: { amount: 100 } });
    await post('point_ledger', {
      customer: customer.id,
      rule: rule.id,
      points: 120,
      occurredOn: '2026-03-05',
    });
    await post('point_ledger', {
      customer: customer.id,
      kind: 'redeem',
      points: -20,
      occurredOn: '2026-03-06',
    });
    const withPoints = await s.api(
      'GET',
      `/api/records/customer/${customer.id}?include=pointEntries`,
    );
    expect(withPoints.body._related.pointEntries).toHaveLength(2);
    expect(withPoints.body.points).toBe(100);

    // each new entity's rules refuse what the business forbids, naming the rule
    const cases: Array<{
      title: string;
      entity: string;
      body: Record<string, unknown>;
      rule: string;
    }> = [
      {
        title: 'a receipt of zero',
        entity: 'stock_movement',
        body: {
          kind: 'in',
          warehouse: wh.id,
          product: product.id,
          quantity: 0,
          movedAt: '2026-03-03T02:00:00.000Z',
        },
        rule: 'receiptsAndIssuesPositive',
      },
      {
        title: 'an adjustment without a reason',
        entity: 'stock_movement',
        body: {
          kind: 'adjust',
          warehouse: wh.id,
          product: product.id,
          quantity: 2,
          movedAt: '2026-03-03T02:00:00.000Z',
        },
        rule: 'adjustmentHasReason',
      },
      {
        title: 'points redeemed as a positive number',
        entity: 'point_ledger',
        body: { customer: customer.id, kind: 'redeem', points: 5, occurredOn: '2026-03-06' },
        rule: 'signFollowsKind',
      },
      {
        title: 'a point rule giving nothing',
        entity: 'point_rule',
        body: { name: '空规则' },
        rule: 'amountOrFixed',
      },
      {
        title: 'a price list expiring before it starts',
        entity: 'price_list',
        body: { name: '倒挂价格表', validFrom: '2026-05-01', validTo: '2026-04-01' },
        rule: 'validityOrder',
      },
      {
        title: 'a purchase line received beyond its quantity',
        entity: 'purchase_line',
        body: {
          purchase: purchase.id,
          product: product.id,
          quantity: 2,
          received: 3,
          unitPrice: { amount: 1 },
        },
        rule: 'receivedNotAboveOrdered',
      },
      {
        title: 'a part replaced under warranty and charged',
        entity: 'replacement_part',
        body: { repair: null, part: product.id, quantity: 1, charge: { amount: 10 } },
        rule: 'warrantyIsFree',
      },
      {
        title: 'a unit installed before it was sold',
        entity: 'installed_product',
        body: {
          serialNumber: 'SN-X',
          product: product.id,
          customer: customer.id,
          soldOn: '2026-03-10',
          installedOn: '2026-03-01',
        },
        rule: 'installedAfterSold',
      },
    ];
    for (const c of cases) {
      const res = await s.api('POST', `/api/records/${c.entity}`, c.body);
      expect({
        title: c.title,
        status: res.status,
        reasons: (res.body.errors ?? []).map((e: { reason?: string }) => e.reason),
      }).toEqual({
        title: c.title,
        status: 400,
        reasons: expect.arrayContaining([`rule:${c.rule}`]),
      });
    }
  });

  it('ships the mainland China working calendar as the default calendar', async () => {
    const cn = await s.api('GET', '/api/meta/documents/calendar/cn');
    expect(cn.status).toBe(200);
    expect(cn.body).toMatchObject({
      default: true,
      timeZone: 'Asia/Shanghai',
      workingWeek: [1, 2, 3, 4, 5],
      workingHours: ['09:00-12:00', '13:00-18:00'],
    });
    expect(cn.body.holidays).toHaveLength(7);
    expect(cn.body.workingDays).toHaveLength(6);
  });

  it('walks the sales flow: lead → opportunity → quote → contract → order → receivable → payment', async () => {
    const post = async (entity: string, body: unknown) => {
      const res = await s.api('POST', `/api/records/${entity}`, body);
      expect({ entity, status: res.status, body: res.status === 201 ? 'ok' : res.body }).toEqual({
        entity,
        status: 201,
        body: 'ok',
      });
      return res.body;
    };
    const campaign = await post('campaign', {
      name: '春季展会',
      kind: 'fair',
      channels: ['offline'],
      startDate: '2026-03-01',
      endDate: '2026-03-03',
    });
    const lead = await post('lead', {
      company: '华东机械有限公司',
      contactName: '王经理',
      source: 'fair',
      campaign: campaign.id,
    });
    const customer = await post('customer', {
      name: '华东机械有限公司',
      level: 'key',
      erpCode: 'K3-0001',
      creditLimit: { amount: 500000 },
    });
    expect(customer.code).toMatch(/^KH-202603-\d{5}$/);
    await s.api('PATCH', `/api/records/lead/${lead.id}`, {
      version: lead.version,
      status: 'converted',
      customer: customer.id,
    });
    const product = await post('product', {
      code: 'P-100',
      name: '数控机床',
      listPrice: { amount: 120000 },
    });
    const opp = await post('opportunity', {
      name: '机床采购',
      customer: customer.id,
      lead: lead.id,
      stage: 'proposal',
      probability: 60,
      products: [product.id],
      expectedRevenue: { amount: 240000 },
    });
    const quote = await post('quote', {
      name: '机床报价',
      opportunity: opp.id,
      customer: customer.id,
      quoteDate: '2026-03-15',
      validUntil: '2026-04-15',
    });
    await post('quote_line', {
      quote: quote.id,
      product: product.id,
      quantity: 2,
      unitPrice: { amount: 120000 },
    });
    // the line's amount and the quote's total are computed
    expect((await s.api('GET', `/api/records/quote/${quote.id}`)).body.total).toEqual({
      amount: 240000,
      currency: 'CNY',
    });
    // the quote's Submit for approval button (metadata/triggers/quote_submit.yaml) starts the
    // shipped quote approval (workflows/quote_approval.bpmn), which drives the quote's status
    const approval = await s.api('POST', `/api/records/quote/${quote.id}/buttons/quote_submit`);
    expect(approval.status).toBe(201);
    expect(approval.body).toMatchObject({
      state: 'active',
      activeElementIds: ['manager_approval'],
    });
    expect((await s.api('GET', `/api/records/quote/${quote.id}`)).body.status).toBe('inApproval');
    // nobody holds sales_manager in this database: the node's empty-list rule (onEmpty: admin,
    // the default) routes it to the admins
    const [managerTask] = (
      await s.api('GET', `/api/tasks?instanceId=${approval.body.id}&state=created`)
    ).body.data;
    expect(managerTask).toMatchObject({ elementId: 'manager_approval' });
    // the node's deadline header (2 working days) on the shipped default calendar, from Sunday
    // 2026-03-15 16:00 in Beijing: Tuesday 18:00 (the end of the second working day)
    expect(managerTask).toMatchObject({
      dueAt: '2026-03-17T10:00:00.000Z',
      dueState: 'ok',
    });
    // the manager approves with the task action (approvals: libs/workflow/README.md)
    const decided = await s.api('POST', `/api/tasks/${managerTask.id}/actions`, {
      action: 'approve',
    });
    expect(decided.status).toBe(200);
    expect(decided.body.instance).toMatchObject({
      state: 'completed',
      completedElements: { approved_end: 1 },
    });
    expect((await s.api('GET', `/api/records/quote/${quote.id}`)).body.status).toBe('approved');
    const told = (await s.api('GET', '/api/notifications')).body.data;
    expect(told[0].subject).toBe(`Quote ${quote.code} is approved`);
    const contract = await post('contract', {
      title: '机床采购合同',
      customer: customer.id,
      quote: quote.id,
      opportunity: opp.id,
      startDate: '2026-03-20',
      endDate: '2027-03-19',
    });
    expect(contract.code).toMatch(/^HT-2026-\d{5}$/);
    await post('contract_line', {
      contract: contract.id,
      product: product.id,
      quantity: 2,
      unitPrice: { amount: 120000 },
    });
    // an order may reference a signed contract only (the countersign writes signed)
    const signed = await s.api('PATCH', `/api/records/contract/${contract.id}`, {
      status: 'signed',
      version: (await s.api('GET', `/api/records/contract/${contract.id}`)).body.version,
    });
    expect(signed.status).toBe(200);
    const order = await post('sales_order', {
      orderDate: '2026-03-21',
      customer: customer.id,
      contract: contract.id,
    });
    await post('order_line', {
      order: order.id,
      product: product.id,
      quantity: 2,
      unitPrice: { amount: 120000 },
    });
    const receivable = await post('receivable', {
      billDate: '2026-03-25',
      customer: customer.id,
      order: order.id,
      amountDue: { amount: 240000 },
    });
    await post('payment', {
      paidOn: '2026-04-01',
      customer: customer.id,
      receivable: receivable.id,
      amount: { amount: 100000 },
    });

    // the shipped rules hold: receivable cannot be over-received, payment must be positive
    const over = await s.api('POST', '/api/records/payment', {
      paidOn: '2026-04-02',
      customer: customer.id,
      receivable: receivable.id,
      amount: { amount: 200000 },
    });
    expect(over.status).toBe(400);
    expect(over.body.errors[0].reason).toBe('rule:receivedNotAboveDue');
    const zero = await s.api('POST', '/api/records/payment', {
      paidOn: '2026-04-01',
      customer: customer.id,
      amount: { amount: 0 },
    });
    expect(zero.body.errors[0].reason).toBe('rule:positiveAmount');

    // and the flow is navigable from the customer
    const view = await s.api(
      'GET',
      `/api/records/customer/${customer.id}?include=opportunities,quotes,contracts,orders,receivables,payments,leads`,
    );
    const related = view.body._related;
    for (const k of [
      'opportunities',
      'quotes',
      'contracts',
      'orders',
      'receivables',
      'payments',
      'leads',
    ])
      expect(related[k]).toHaveLength(1);
    const open = await s.api(
      'GET',
      `/api/records/receivable?filter=${encodeURIComponent(JSON.stringify({ status: 'open', 'customer.level': 'key' }))}&count=true`,
    );
    expect(open.body.count).toBe(1);
  });

  it('sends a big discount on to the director and returns a rejected quote to draft', async () => {
    const customer = (await s.api('POST', '/api/records/customer', { name: '折扣客户' })).body;
    const quote = (
      await s.api('POST', '/api/records/quote', {
        name: '大折扣报价',
        customer: customer.id,
        discount: 35,
      })
    ).body;
    const run = await s.api('POST', `/api/records/quote/${quote.id}/buttons/quote_submit`);
    // no sales managers or directors here: each node routes to the admins (onEmpty: admin)
    const task = async (elementId: string) =>
      (await s.api('GET', `/api/tasks?instanceId=${run.body.id}&state=created`)).body.data.find(
        (t: { elementId: string }) => t.elementId === elementId,
      );
    await s.api('POST', `/api/tasks/${(await task('manager_approval')).id}/actions`, {
      action: 'approve',
    });
    const director = await task('director_approval');
    expect(director.elementId).toBe('director_approval');
    // a rejection takes the node's `rejected` error boundary: back to draft with the comment
    const done = await s.api('POST', `/api/tasks/${director.id}/actions`, {
      action: 'reject',
      comment: '折扣过高',
    });
    expect(done.body.instance.completedElements).toMatchObject({ rejected_end: 1 });
    expect((await s.api('GET', `/api/records/quote/${quote.id}`)).body.status).toBe('draft');
    const told = (await s.api('GET', '/api/notifications')).body.data;
    expect(told[0].subject).toBe(`Quote ${quote.code} was returned: 折扣过高`);
  });

  it('runs a quote approval with the shipped roles: rep submits, manager and director decide', async () => {
    const dep = async (name: string) =>
      (await s.api('POST', '/api/admin/departments', { name, parentId: null })).body.id as number;
    const east = await dep('华东销售部');
    const north = await dep('华北销售部');
    const token = new Map<string, string>();
    for (const [login, departmentId, roles] of [
      ['li', east, ['sales_rep']],
      ['wang', east, ['sales_manager']],
      ['zhao', north, ['sales_rep']],
      ['zhou', north, ['sales_manager']],
      ['chen', null, ['sales_director']],
    ] as const) {
      const made = await s.api('POST', '/api/admin/users', {
        login,
        password: USER_PASSWORD,
        departmentId,
        roles,
      });
      expect(made.status).toBe(201);
      const r = await s.api(
        'POST',
        '/api/auth/login',
        { login, password: USER_PASSWORD },
        { 'x-no-auth': '1' },
      );
      token.set(login, r.body.accessToken);
    }
    const as = (login: string, method: string, url: string, body?: unknown) =>
      s.api(method, url, body, { authorization: `Bearer ${token.get(login)}` });
    const inbox = async (login: string) =>
      (await as(login, 'GET', '/api/tasks?state=created')).body.data as Array<{
        id: number;
        elementId: string;
      }>;

    const customer = await as('li', 'POST', '/api/records/customer', { name: '李的客户' });
    expect(customer.status).toBe(201);
    // nobody approves their own price: the status is the process's
    const selfApproved = await as('li', 'POST', '/api/records/quote', {
      name: '自批报价',
      customer: customer.body.id,
      status: 'approved',
    });
    expect(selfApproved.status).toBe(403);
    expect(selfApproved.body.errors[0].field).toBe('status');
    const quote = (
      await as('li', 'POST', '/api/records/quote', {
        name: '李的报价',
        customer: customer.body.id,
        discount: 30,
      })
    ).body;
    const submit = (login: string) =>
      as(login, 'POST', `/api/records/quote/${quote.id}/buttons/quote_submit`);
    const buttons = (
      (await as('li', 'GET', '/api/meta/entities')).body.data as Array<{
        name: string;
        buttons: Array<{ name: string; label: { en: string } }>;
      }>
    ).find((e) => e.name === 'quote')!.buttons;
    expect(buttons).toEqual([
      {
        name: 'quote_submit',
        label: { 'zh-CN': '提交审批', en: 'Submit for approval' },
        process: 'quote_approval',
      },
    ]);
    expect((await submit('zhao')).status).toBe(404); // not zhao's quote: invisible to him
    // an admin-only process on the same quote: li's start rule names quote_approval alone
    const fastTrack = await s.api(
      'POST',
      '/api/workflow/deployments',
      bpmn(`<bpmn:process id="quote_fast_track" isExecutable="true">
  <bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" /><bpmn:endEvent id="e" />
</bpmn:process>`),
      { 'content-type': 'application/xml' },
    );
    expect(fastTrack.status).toBe(201);
    const fast = await as('li', 'POST', '/api/workflow/instances', {
      processKey: 'quote_fast_track',
      record: { entity: 'quote', id: quote.id },
    });
    expect(fast.status).toBe(403);
    expect(fast.body.message).toContain('allows starting quote_fast_track on quote');
    const run = await submit('li');
    expect(run.status).toBe(201);
    // once in approval it cannot be submitted again (two approvals would race each other)
    expect((await submit('li')).status).toBe(403);
    expect((await as('zhao', 'GET', `/api/workflow/instances/${run.body.id}`)).status).toBe(404);

    // locked by the engine while in approval: for the rep, and for the manager who may otherwise
    // change and delete the team's quotes
    const patch = async (body: Record<string, unknown>) => {
      const now = (await as('li', 'GET', `/api/records/quote/${quote.id}`)).body;
      return as('li', 'PATCH', `/api/records/quote/${quote.id}`, { ...body, version: now.version });
    };
    // (the rep's roles reach only drafts, so the rep hears 403 first)
    const frozen = await patch({ discount: 50 });
    expect(frozen.status).toBe(403);
    const removed = await as('wang', 'DELETE', `/api/records/quote/${quote.id}`);
    expect(removed.status).toBe(409);
    expect(removed.body.code).toBe('RECORD_LOCKED');
    expect(removed.body.message).toContain(`quote_approval (instance ${run.body.id})`);
    // the manager of li's department gets the task, a manager elsewhere does not; li cannot
    // approve their own quote
    const managerTask = (await inbox('wang')).find((t) => t.elementId === 'manager_approval');
    expect(managerTask).toBeDefined();
    expect(await inbox('zhou')).toEqual([]);
    expect((await as('zhou', 'POST', `/api/tasks/${managerTask!.id}/claim`)).status).toBe(404);
    expect(await inbox('li')).toEqual([]);
    expect(
      (await as('li', 'POST', `/api/tasks/${managerTask!.id}/complete`, { variables: {} })).status,
    ).toBe(403);
    expect(
      (
        await as('wang', 'POST', `/api/tasks/${managerTask!.id}/actions`, {
          action: 'approve',
        })
      ).status,
    ).toBe(200);

    // 30 % discount: on to the director, whom the manager cannot stand in for
    const directorTask = (await inbox('chen')).find((t) => t.elementId === 'director_approval');
    expect(directorTask).toBeDefined();
    expect(
      (
        await as('wang', 'POST', `/api/tasks/${directorTask!.id}/actions`, {
          action: 'approve',
        })
      ).status,
    ).toBe(403);
    const done = await as('chen', 'POST', `/api/tasks/${directorTask!.id}/actions`, {
      action: 'approve',
    });
    expect(done.body.instance.state).toBe('completed');
    expect((await as('li', 'GET', `/api/records/quote/${quote.id}`)).body.status).toBe('approved');
    const told = (await as('li', 'GET', '/api/notifications')).body.data as Array<{
      subject: string;
    }>;
    expect(told.map((n) => n.subject).join(' | ')).toContain(quote.code);
    // approved, it never goes back to draft (the engine's lock ended with the approval): the
    // rep may only move it on to sent / accepted / rejected
    const approved = await patch({ status: 'draft' });
    expect(approved.status).toBe(403);
    expect((await as('li', 'GET', `/api/records/quote/${quote.id}`)).body.status).toBe('approved');
  });

  it('puts a cancelled approval back: the quote is a draft again, editable and submittable', async () => {
    const customer = (await s.api('POST', '/api/records/customer', { name: '撤销客户' })).body;
    const quote = (
      await s.api('POST', '/api/records/quote', { name: '撤销报价', customer: customer.id })
    ).body;
    const run = await s.api('POST', `/api/records/quote/${quote.id}/buttons/quote_submit`);
    expect((await s.api('GET', `/api/records/quote/${quote.id}`)).body.status).toBe('inApproval');
    const cancelled = await s.api('POST', `/api/workflow/instances/${run.body.id}/cancel`);
    expect(cancelled.body.state).toBe('cancelled');
    const now = (await s.api('GET', `/api/records/quote/${quote.id}`)).body;
    expect(now.status).toBe('draft');
    const edited = await s.api('PATCH', `/api/records/quote/${quote.id}`, {
      version: now.version,
      discount: 5,
    });
    expect(edited.status).toBe(200);
    expect(
      (await s.api('POST', `/api/records/quote/${quote.id}/buttons/quote_submit`)).status,
    ).toBe(201);
  });

  it('never lets a manager approve the quote they submitted themselves', async () => {
    const dep = (await s.api('POST', '/api/admin/departments', { name: '华南销售部' })).body.id;
    const made = await s.api('POST', '/api/admin/users', {
      login: 'huang',
      password: USER_PASSWORD,
      departmentId: dep,
      roles: ['sales_manager'],
    });
    expect(made.status).toBe(201);
    const auth = {
      authorization: `Bearer ${
        (
          await s.api(
            'POST',
            '/api/auth/login',
            { login: 'huang', password: USER_PASSWORD },
            { 'x-no-auth': '1' },
          )
        ).body.accessToken
      }`,
    };
    const customer = (await s.api('POST', '/api/records/customer', { name: '黄的客户' }, auth))
      .body;
    const quote = (
      await s.api('POST', '/api/records/quote', { name: '黄的报价', customer: customer.id }, auth)
    ).body;
    const run = await s.api(
      'POST',
      `/api/records/quote/${quote.id}/buttons/quote_submit`,
      undefined,
      auth,
    );
    expect(run.status).toBe(201);
    const task = (
      await s.api('GET', `/api/tasks?instanceId=${run.body.id}&state=created`)
    ).body.data.find((t: { elementId: string }) => t.elementId === 'manager_approval');
    const mine = (await s.api('GET', '/api/tasks?state=created', undefined, auth)).body.data;
    expect(mine.map((t: { id: number }) => t.id)).not.toContain(task.id);
    const claim = await s.api('POST', `/api/tasks/${task.id}/claim`, undefined, auth);
    expect(claim.status).toBe(403);
    expect(claim.body.message).toContain('you started this process');
    const decide = await s.api(
      'POST',
      `/api/tasks/${task.id}/actions`,
      { action: 'approve' },
      auth,
    );
    expect(decide.status).toBe(403);
  });

  it('ignores an approval decision the submitter slipped into the start variables', async () => {
    const customer = (await s.api('POST', '/api/records/customer', { name: '预设客户' })).body;
    const quote = (
      await s.api('POST', '/api/records/quote', { name: '预设报价', customer: customer.id })
    ).body;
    const run = await s.api('POST', '/api/workflow/instances', {
      processKey: 'quote_approval',
      record: { entity: 'quote', id: quote.id },
      variables: { decision: 'approve' },
    });
    const task = (
      await s.api('GET', `/api/tasks?instanceId=${run.body.id}&state=created`)
    ).body.data.find((t: { elementId: string }) => t.elementId === 'manager_approval');
    // the manager submits no decision: the quote goes back, it is not approved
    const done = await s.api('POST', `/api/tasks/${task.id}/complete`, { variables: {} });
    expect(done.body.completedElements).toMatchObject({ rejected_end: 1 });
    expect((await s.api('GET', `/api/records/quote/${quote.id}`)).body.status).toBe('draft');
  });
});
