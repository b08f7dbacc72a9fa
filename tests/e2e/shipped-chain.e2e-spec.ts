import { DIALECTS, type TestServer, q, startServer } from './support/harness';
import { WORKFLOWS_DIR, createOrg, orgActions, shippedFiles } from './support/shipped-org';

/**
 * The whole chain of the shipped CRM (metadata/ and workflows/ only), walked over HTTP by the
 * people of the demo organisation with their shipped roles — nobody acts as admin:
 *
 * lead qualified and converted → quote with lines at 25 % → manager and director approve → sent,
 * accepted → contract copied from the quote → countersigned by legal and finance, the director
 * above 500,000 → order copied from the contract → confirmed, a receivable appears → two partial
 * payments settle it (an overpayment and another customer's payment are refused) → commission
 * through its states → a service request breaches its SLA → birthday greetings on working days.
 *
 * One server per dialect; the steps run in order (each reads what the one before made) and the
 * clock stays at Sunday 2026-03-15 16:00 in Beijing until the SLA and greeting steps move it.
 */
describe.each(DIALECTS)('the shipped sales chain on %s', (dialect) => {
  let s: TestServer;
  const {
    as,
    created,
    patched,
    press,
    runAction,
    inbox,
    taskOf,
    act,
    complete,
    instance,
    record,
    runJobs,
    notifications,
  } = orgActions(() => s);
  const money = (amount: number) => ({ amount, currency: 'CNY' });
  /** What the chain made, step by step. */
  const made: Record<string, number> = {};

  beforeAll(async () => {
    s = await startServer(dialect, shippedFiles(), {
      WORKFLOWS_DIR,
      CRM_TIMEZONE: 'Asia/Shanghai',
    });
    await createOrg(s);
    // the product catalogue is the administrator's (the default user of the harness)
    for (const [code, name] of [
      ['CNC-8', '数控机床'],
      ['TOOL-1', '刀具套装'],
    ]) {
      const res = await s.api('POST', '/api/records/product', { code, name });
      expect(res.status).toBe(201);
      made[code] = res.body.id;
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a lead is qualified by the manager and converted by the rep into customer, contact and opportunity', async () => {
    const lead = await created('rep', 'lead', {
      company: '华东精密机械有限公司',
      industry: 'manufacturing',
      region: '江苏苏州',
      source: 'fair',
      contactName: '钱工',
      contactTitle: '采购经理',
      contactPhone: '13900000001',
      contactEmail: 'qian@example.cn',
      needs: '数控机床 8 台',
    });
    // not qualified yet: the conversion is refused, nothing is created
    const early = await as('rep', 'POST', `/api/records/lead/${lead.id}/actions/convert_lead`);
    expect(early.status).toBe(422);
    const run = await press('rep', 'lead', lead.id, 'lead_qualify');
    await act('manager', await taskOf('manager', run.id, 'manager_review'), 'approve');
    expect((await record('lead', lead.id)).status).toBe('qualified');

    const converted = (await runAction('rep', 'lead', lead.id, 'convert_lead')) as {
      created: Record<string, { entity: string; id: number }>;
      open: { entity: string; id: number };
    };
    const { account, person, deal } = converted.created;
    expect(converted.open).toEqual({ entity: 'opportunity', id: deal.id });
    expect(await record('customer', account.id)).toMatchObject({
      name: '华东精密机械有限公司',
      region: '江苏苏州',
      source: 'fair',
      status: 'prospect',
      owner: 'rep',
    });
    expect(await record('contact', person.id)).toMatchObject({
      name: '钱工',
      customer: account.id,
      isPrimary: true,
    });
    expect(await record('opportunity', deal.id)).toMatchObject({
      customer: account.id,
      contact: person.id,
      lead: lead.id,
      stage: 'discovery',
    });
    expect(await record('lead', lead.id)).toMatchObject({
      status: 'converted',
      customer: account.id,
      contact: person.id,
      opportunity: deal.id,
      convertedAt: '2026-03-15T08:00:00.000Z',
    });
    // a converted lead is not converted twice
    const twice = await as('rep', 'POST', `/api/records/lead/${lead.id}/actions/convert_lead`);
    expect(twice.status).toBe(422);
    Object.assign(made, { customer: account.id, contact: person.id, opportunity: deal.id });
  });

  it('the rep quotes at 25 % off: line amounts and the total are computed; the manager and the director approve', async () => {
    const quote = await created('rep', 'quote', {
      name: '数控机床报价',
      customer: made.customer,
      contact: made.contact,
      opportunity: made.opportunity,
      quoteDate: '2026-03-15',
      paymentTerms: '预付 30%，验收后付清',
    });
    const machine = await created('rep', 'quote_line', {
      quote: quote.id,
      lineNo: 1,
      product: made['CNC-8'],
      quantity: 8,
      unitPrice: { amount: 100000 },
      discount: 25,
      unit: '台',
    });
    const tooling = await created('rep', 'quote_line', {
      quote: quote.id,
      lineNo: 2,
      product: made['TOOL-1'],
      quantity: 10,
      unitPrice: { amount: 2000 },
      discount: 25,
      unit: '套',
    });
    // 8 × 100,000 × 75 % and 10 × 2,000 × 75 %
    expect((await record('quote_line', machine.id)).amount).toEqual(money(600000));
    expect((await record('quote_line', tooling.id)).amount).toEqual(money(15000));
    expect(await record('quote', quote.id)).toMatchObject({
      subtotal: money(615000),
      total: money(615000),
      approvedAt: null,
    });
    // the rep cannot write a total of their own
    const forged = await as('rep', 'PATCH', `/api/records/quote/${quote.id}`, {
      version: (await record('quote', quote.id)).version,
      total: { amount: 1 },
    });
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('FIELD_COMPUTED');

    const run = await press('rep', 'quote', quote.id, 'quote_submit');
    // 25 % off and above 500,000: the manager, then the director; never the rep
    expect(await inbox('rep', run.id)).toEqual([]);
    await act('manager', await taskOf('manager', run.id, 'manager_approval'), 'approve');
    await act('director', await taskOf('director', run.id, 'director_approval'), 'approve');
    expect((await instance(run.id)).completedElements).toMatchObject({ approved_end: 1 });
    const approved = await record('quote', quote.id);
    expect(approved).toMatchObject({
      status: 'approved',
      approvedAt: '2026-03-15T08:00:00.000Z',
      approvedTotal: { amount: 615000 },
    });
    // …and its price: a new header discount would change the approved total
    const cheaper = await as('rep', 'PATCH', `/api/records/quote/${quote.id}`, {
      discount: 30,
      version: approved.version,
    });
    expect(cheaper.status).toBe(400);
    expect(cheaper.body.errors.map((e: { reason: string }) => e.reason)).toContain(
      'rule:pricesFrozenOnceApproved',
    );
    expect(await record('quote', quote.id)).toMatchObject({
      discount: approved.discount,
      total: approved.total,
      version: approved.version,
    });
    // an approved quote's prices are closed: no line can be added
    const late = await as('rep', 'POST', '/api/records/quote_line', {
      quote: quote.id,
      product: made['TOOL-1'],
      quantity: 1,
      unitPrice: { amount: 1 },
    });
    expect(late.status).toBe(400);
    expect(late.body.errors.map((e: { reason: string }) => e.reason)).toContain('rule:draftQuote');

    // the rep sends it, the customer accepts
    await patched('rep', 'quote', quote.id, {
      status: 'sent',
      sentAt: '2026-03-15T08:30:00.000Z',
      version: (await record('quote', quote.id)).version,
    });
    await patched('rep', 'quote', quote.id, {
      status: 'accepted',
      version: (await record('quote', quote.id)).version,
    });
    made.quote = quote.id;
  });

  it('quote_to_contract copies header and lines; legal and finance countersign, the director signs above 500,000', async () => {
    const res = (await runAction('rep', 'quote', made.quote, 'quote_to_contract')) as {
      created: Record<string, { id: number }>;
    };
    const contractId = res.created.contract.id;
    const contract = await s.api('GET', `/api/records/contract/${contractId}?include=lines`);
    expect(contract.body).toMatchObject({
      title: '数控机床报价',
      customer: made.customer,
      contact: made.contact,
      quote: made.quote,
      opportunity: made.opportunity,
      paymentTerms: '预付 30%，验收后付清',
      status: 'drafting',
      amount: money(615000),
      owner: 'rep',
    });
    const lines = contract.body._related.lines as Array<Record<string, unknown>>;
    expect(
      lines
        .map((l) => ({ lineNo: l.lineNo, quantity: Number(l.quantity), amount: l.amount }))
        .sort((a, b) => Number(a.lineNo) - Number(b.lineNo)),
    ).toEqual([
      { lineNo: 1, quantity: 8, amount: money(600000) },
      { lineNo: 2, quantity: 10, amount: money(15000) },
    ]);

    const run = await press('rep', 'contract', contractId, 'contract_submit');
    expect((await record('contract', contractId)).status).toBe('inApproval');
    await act('legal', await taskOf('legal', run.id, 'countersign'), 'approve');
    expect(await inbox('director', run.id)).toEqual([]);
    await act('finance', await taskOf('finance', run.id, 'countersign'), 'approve');
    await act('director', await taskOf('director', run.id, 'director_approval'), 'approve');
    expect((await instance(run.id)).completedElements).toMatchObject({ approved_end: 1 });
    expect((await record('contract', contractId)).status).toBe('signed');
    made.contract = contractId;
  });

  it('contract_to_order copies the lines; the order confirms and a receivable of its total appears', async () => {
    const res = (await runAction('rep', 'contract', made.contract, 'contract_to_order')) as {
      created: Record<string, { id: number }>;
    };
    const orderId = res.created.order.id;
    const order = await s.api('GET', `/api/records/sales_order/${orderId}?include=lines`);
    expect(order.body).toMatchObject({
      customer: made.customer,
      contract: made.contract,
      quote: made.quote,
      source: 'contract',
      status: 'draft',
      amount: money(615000),
      orderDate: '2026-03-15',
    });
    expect(order.body._related.lines).toHaveLength(2);

    const run = await press('rep', 'sales_order', orderId, 'order_confirm');
    await runJobs();
    expect((await instance(run.id)).completedElements).toMatchObject({ billed_end: 1 });
    expect(await record('sales_order', orderId)).toMatchObject({
      status: 'confirmed',
      confirmedAt: '2026-03-15T08:00:00.000Z',
    });
    const bills = (
      await as('finance', 'GET', `/api/records/receivable?filter=${q({ order: orderId })}`)
    ).body.data;
    expect(bills).toHaveLength(1);
    expect(bills[0]).toMatchObject({
      customer: made.customer,
      contract: made.contract,
      amountDue: money(615000),
      amountReceived: money(0),
      amountOutstanding: money(615000),
      status: 'open',
    });
    made.order = orderId;
    made.receivable = bills[0].id;
  });

  it('finance records two partial payments that settle the receivable; an overpayment and another customer’s payment are refused', async () => {
    const pay = (amount: number, customer = made.customer) =>
      as('finance', 'POST', '/api/records/payment', {
        paidOn: '2026-03-15',
        customer,
        receivable: made.receivable,
        order: made.order,
        amount: { amount },
        method: 'transfer',
      });
    const receivable = () => record('receivable', made.receivable);
    const payments = async () =>
      (
        await as(
          'finance',
          'GET',
          `/api/records/payment?filter=${q({ receivable: made.receivable })}&count=true`,
        )
      ).body.count as number;

    expect((await pay(200000)).status).toBe(201);
    expect(await receivable()).toMatchObject({
      amountReceived: money(200000),
      amountOutstanding: money(415000),
      status: 'open',
    });

    // another customer's money cannot settle this bill
    const other = await created('rep2', 'customer', { name: '华北重工集团' });
    const before = await receivable();
    const foreign = await pay(1000, other.id);
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors.map((e: { reason: string }) => e.reason)).toContain(
      'rule:sameCustomerAsReceivable',
    );
    expect(await payments()).toBe(1);

    expect((await pay(415000)).status).toBe(201);
    const settled = await receivable();
    expect(settled).toMatchObject({
      amountReceived: money(615000),
      amountOutstanding: money(0),
      status: 'settled',
    });
    expect(settled.version).toBeGreaterThan(before.version);

    // one yuan more is an overpayment: the receivable's rule refuses it, naming the receivable
    const over = await pay(1);
    expect(over.status).toBe(400);
    expect(over.body.code).toBe('RECORD_INVALID');
    expect(over.body.errors[0]).toMatchObject({
      reason: 'rule:receivedNotAboveDue',
      path: `receivable/${made.receivable}`,
    });
    expect(await payments()).toBe(2);
    expect(await receivable()).toEqual(settled);
  });

  it('a commission on the contract moves drafting → in approval → executing → closed', async () => {
    const commission = await created('rep', 'commission', {
      name: '数控机床合同佣金',
      contract: made.contract,
      customer: made.customer,
      baseAmount: { amount: 615000 },
      rate: 2,
    });
    expect(await record('commission', commission.id)).toMatchObject({
      status: 'drafting',
      salesAmount: money(615000),
      amount: money(12300),
    });
    const run = await press('rep', 'commission', commission.id, 'commission_submit');
    expect((await record('commission', commission.id)).status).toBe('inApproval');
    await act('director', await taskOf('director', run.id, 'director_approval'), 'approve');
    expect((await record('commission', commission.id)).status).toBe('executing');
    await complete('finance', await taskOf('finance', run.id, 'payout'), {});
    expect((await instance(run.id)).completedElements).toMatchObject({ closed_end: 1 });
    expect((await record('commission', commission.id)).status).toBe('closed');
  });

  it('a service request breaches its SLA in working hours and escalates to the service manager', async () => {
    const request = await created('agent', 'service_request', {
      subject: '机床主轴异响',
      customer: made.customer,
      contact: made.contact,
      priority: 'urgent',
      reportedAt: '2026-03-15T08:00:00.000Z',
    });
    const [run] = (
      await s.api(
        'GET',
        `/api/workflow/instances?processKey=service_request&record=service_request:${request.id}`,
      )
    ).body.data as Array<{ id: number }>;
    // urgent: 4 working hours from Sunday 16:00 = Monday 09:00-12:00 + 13:00-14:00 in Beijing
    const task = await taskOf('agent', run.id, 'handle_request');
    expect(task.dueAt).toBe('2026-03-16T06:00:00.000Z');
    s.clock.set(new Date('2026-03-16T05:59:00.000Z'));
    await runJobs();
    expect(await inbox('svcmanager', run.id)).toEqual([]);
    s.clock.set(new Date('2026-03-16T06:00:01.000Z'));
    await runJobs();
    expect((await taskOf('svcmanager', run.id, 'handle_request')).id).toBe(task.id);
    expect(await inbox('agent', run.id)).toEqual([]);
    expect(
      (await notifications('svcmanager')).some(
        (n) => n.kind === 'escalation' && n.instanceId === run.id,
      ),
    ).toBe(true);
  });

  it.each([
    {
      title: 'a contract on a quote that never passed its approval',
      login: 'rep',
      entity: 'contract',
      body: () => ({ title: '越权合同', customer: made.customer, quote: made.draftQuote }),
      rule: 'approvedQuote',
    },
    {
      title: "a contract on another customer's quote",
      login: 'rep',
      entity: 'contract',
      body: () => ({ title: '张冠李戴', customer: made.otherCustomer, quote: made.quote }),
      rule: 'sameCustomerAsQuote',
    },
    {
      title: 'an order on a contract still being drafted',
      login: 'rep',
      entity: 'sales_order',
      body: () => ({
        orderDate: '2026-10-09',
        customer: made.customer,
        contract: made.draftContract,
      }),
      rule: 'signedContract',
    },
    {
      title: "a receivable for another customer's order",
      login: 'finance',
      entity: 'receivable',
      body: () => ({
        billDate: '2026-10-09',
        customer: made.otherCustomer,
        order: made.order,
        amountDue: { amount: 1 },
      }),
      rule: 'sameCustomerAsOrder',
    },
  ])('the cross-relation rules refuse $title', async ({ login, entity, body, rule }) => {
    if (!made.draftQuote) {
      made.draftQuote = (
        await created('rep', 'quote', { name: '草稿', customer: made.customer })
      ).id;
      made.draftContract = (
        await created('rep', 'contract', { title: '草稿合同', customer: made.customer })
      ).id;
      made.otherCustomer = (await created('rep', 'customer', { name: '另一家公司' })).id;
    }
    const count = async () =>
      (await s.api('GET', `/api/records/${entity}?count=true&limit=1`)).body.count as number;
    const before = await count();
    const res = await as(login, 'POST', `/api/records/${entity}`, body());
    expect({ status: res.status, code: res.body.code }).toEqual({
      status: 400,
      code: 'RECORD_INVALID',
    });
    expect(res.body.errors.map((e: { reason: string }) => e.reason)).toContain(`rule:${rule}`);
    expect(await count()).toBe(before);
  });

  it('a birthday greeting goes out at 9:00 on a working day, not on a holiday', async () => {
    // marketing keeps the message templates
    await created('marketer', 'message_template', {
      code: 'birthday_greeting',
      name: '生日祝福',
      channel: 'sms',
      body: '{{ record.name }}，祝您生日快乐！',
    });
    const holiday = await created('rep', 'contact', {
      name: '国庆',
      customer: made.customer,
      birthday: '1985-10-01',
      mobile: '13800000001',
    });
    const workday = await created('rep', 'contact', {
      name: '王芳',
      customer: made.customer,
      birthday: '1990-10-09',
      mobile: '13800000002',
    });
    const logs = async () =>
      (await as('marketer', 'GET', '/api/records/message_log?sort=id&limit=100')).body
        .data as Array<Record<string, unknown>>;
    // Thursday 2026-10-01 09:00 in Beijing: National Day
    s.clock.set(new Date('2026-10-01T01:00:00.000Z'));
    await runJobs();
    expect((await logs()).filter((l) => l.contact === holiday.id)).toEqual([]);
    // Friday 2026-10-09 09:00, a working day
    s.clock.set(new Date('2026-10-09T01:00:00.000Z'));
    await runJobs();
    const sent = (await logs()).filter((l) => l.contact === workday.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      channel: 'sms',
      recipient: '13800000002',
      body: '王芳，祝您生日快乐！',
      sentAt: '2026-10-09T01:00:00.000Z',
    });
    expect((await logs()).some((l) => l.contact === holiday.id)).toBe(false);
  });
});
