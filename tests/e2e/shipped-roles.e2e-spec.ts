import * as path from 'node:path';
import {
  type ApiResponse,
  DIALECTS,
  type TestServer,
  USER_PASSWORD,
  startServer,
} from './support/harness';
import { shippedFiles } from './support/shipped-org';

/** The shipped metadata/ as a user gets it from `npm start` (no client overlay). */

type Body = Record<string, unknown>;

/**
 * The demo organisation of /work/notes/org.md, one user per shipped role, each doing their part
 * of the chain over HTTP with nothing but their role — and refused what is not theirs.
 */
describe.each(DIALECTS)('the shipped roles on %s', (dialect) => {
  let s: TestServer;
  const token = new Map<string, string>();
  /** A call as `login`; `admin` is the harness's own (admin) caller. */
  const as = (login: string, method: string, url: string, body?: unknown): Promise<ApiResponse> =>
    login === 'admin'
      ? s.api(method, url, body)
      : s.api(method, url, body, { authorization: `Bearer ${token.get(login)}` });
  /** Creates as `login` and insists on 201. */
  const make = async (login: string, entity: string, body: Body): Promise<Body> => {
    const res = await as(login, 'POST', `/api/records/${entity}`, body);
    expect({
      login,
      entity,
      status: res.status,
      body: res.status === 201 ? 'ok' : res.body,
    }).toEqual({ login, entity, status: 201, body: 'ok' });
    return res.body as Body;
  };
  /** PATCHes as `login` with the record's current version (read as admin). */
  const patch = async (login: string, entity: string, id: unknown, body: Body) => {
    const now = (await s.api('GET', `/api/records/${entity}/${id}`)).body as Body;
    return as(login, 'PATCH', `/api/records/${entity}/${id}`, { ...body, version: now.version });
  };
  const ok = async (p: Promise<ApiResponse>, status = 200): Promise<Body> => {
    const res = await p;
    expect({ status: res.status, body: res.status === status ? 'ok' : res.body }).toEqual({
      status,
      body: 'ok',
    });
    return res.body as Body;
  };
  /** A 403 naming the field (when given) or the action. */
  const denied = async (p: Promise<ApiResponse>, field?: string): Promise<void> => {
    const res = await p;
    expect({ status: res.status, code: res.body?.code }).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    if (field) expect(res.body.errors.map((e: { field?: string }) => e.field)).toContain(field);
    else expect(res.body.errors[0].action).toBeDefined();
  };

  // records the admin sets up (the master data no role here owns)
  let product: Body;
  let part: Body;
  let warehouse: Body;

  beforeAll(async () => {
    s = await startServer(dialect, shippedFiles(), {
      WORKFLOWS_DIR: path.resolve(__dirname, '../../workflows'),
    });
    const dep = async (name: string, parentId: number | null) =>
      (await ok(s.api('POST', '/api/admin/departments', { name, parentId }), 201)).id as number;
    const hq = await dep('总公司', null);
    const sales = await dep('销售部', hq);
    const east = await dep('华东销售组', sales);
    const north = await dep('华北销售组', sales);
    const marketing = await dep('市场部', hq);
    const service = await dep('服务部', hq);
    const field = await dep('现场工程组', service);
    const finance = await dep('财务部', hq);
    const legal = await dep('法务部', hq);
    const ids = new Map<string, number>();
    const users: Array<[string, string, number, string | null]> = [
      ['director', 'sales_director', hq, null],
      ['manager', 'sales_manager', sales, 'director'],
      ['rep', 'sales_rep', east, 'manager'],
      ['rep2', 'sales_rep', north, 'manager'],
      ['marketer', 'marketing', marketing, 'director'],
      ['svcmanager', 'service_manager', service, 'director'],
      ['agent', 'service_agent', service, 'svcmanager'],
      ['engineer', 'field_engineer', field, 'svcmanager'],
      ['finance', 'finance', finance, 'director'],
      ['legal', 'legal', legal, 'director'],
    ];
    for (const [login, role, departmentId, sup] of users) {
      const made = await ok(
        s.api('POST', '/api/admin/users', {
          login,
          password: USER_PASSWORD,
          departmentId,
          supervisorId: sup ? ids.get(sup) : null,
          roles: [role],
          locale: 'en',
        }),
        201,
      );
      ids.set(login, made.id as number);
      const r = await s.api(
        'POST',
        '/api/auth/login',
        { login, password: USER_PASSWORD },
        { 'x-no-auth': '1' },
      );
      token.set(login, r.body.accessToken);
    }
    product = await ok(
      s.api('POST', '/api/records/product', {
        code: 'P-100',
        name: '数控机床',
        listPrice: { amount: 120000 },
      }),
      201,
    );
    part = await ok(
      s.api('POST', '/api/records/product', { code: 'PJ-7', name: '主轴轴承', category: 'part' }),
      201,
    );
    warehouse = await ok(
      s.api('POST', '/api/records/warehouse', { code: 'WH-SH', name: '上海成品库' }),
      201,
    );
    const prices = await ok(
      s.api('POST', '/api/records/price_list', { name: '2026 标准价', validFrom: '2026-01-01' }),
      201,
    );
    await ok(
      s.api('POST', '/api/records/price_list_line', {
        priceList: prices.id,
        product: product.id,
        unitPrice: { amount: 118000 },
      }),
      201,
    );
    await ok(s.api('POST', '/api/records/competitor', { name: '竞品机床厂', threat: 'high' }), 201);
  });
  afterAll(async () => {
    await s?.close();
  });

  // the sales chain, carried from test to test like the documents themselves
  const chain: Record<string, Body> = {};

  it('a sales rep runs their own chain: customer to order, with lines', async () => {
    // reference data reps read to sell
    const list = await ok(as('rep', 'GET', '/api/records/price_list?include=lines'));
    expect((list.data as Body[])[0]._related).toMatchObject({ lines: [expect.any(Object)] });
    expect((await ok(as('rep', 'GET', '/api/records/competitor'))).data).toHaveLength(1);

    const customer = await make('rep', 'customer', { name: '华东机械有限公司' });
    const contact = await make('rep', 'contact', { name: '王经理', customer: customer.id });
    const lead = await make('rep', 'lead', { company: '华东机械有限公司', source: 'fair' });
    const opp = await make('rep', 'opportunity', {
      name: '机床采购',
      customer: customer.id,
      lead: lead.id,
      stage: 'proposal',
    });
    await make('rep', 'activity', {
      subject: '拜访',
      customer: customer.id,
      contact: contact.id,
      opportunity: opp.id,
      startAt: '2026-03-16T02:00:00.000Z',
    });
    // the conversion is recorded on the lead
    await ok(
      patch('rep', 'lead', lead.id, {
        status: 'converted',
        customer: customer.id,
        contact: contact.id,
        opportunity: opp.id,
        convertedAt: '2026-03-16T03:00:00.000Z',
      }),
    );

    const quote = await make('rep', 'quote', {
      name: '机床报价',
      customer: customer.id,
      opportunity: opp.id,
      quoteDate: '2026-03-16',
    });
    expect(quote.status).toBe('draft');
    const line = await make('rep', 'quote_line', {
      quote: quote.id,
      product: product.id,
      quantity: 2,
      unitPrice: { amount: 118000 },
    });
    await make('rep', 'quote_line', {
      quote: quote.id,
      product: part.id,
      quantity: 4,
      unitPrice: { amount: 800 },
    });
    await ok(patch('rep', 'quote_line', line.id, { discount: 5 }));
    await ok(patch('rep', 'quote', quote.id, { discount: 2 }));
    const read = await ok(as('rep', 'GET', `/api/records/quote/${quote.id}?include=lines`));
    expect((read._related as Body).lines).toHaveLength(2);
    // no self-approval: a new quote is a draft, a draft cannot be sent
    await denied(
      as('rep', 'POST', '/api/records/quote', {
        name: '自批',
        customer: customer.id,
        status: 'approved',
      }),
      'status',
    );
    await denied(patch('rep', 'quote', quote.id, { status: 'approved' }));
    await denied(patch('rep', 'quote', quote.id, { status: 'sent' }));
    await denied(
      patch('rep', 'quote', quote.id, { approvedAt: '2026-03-16T05:00:00.000Z' }),
      'approvedAt',
    );
    chain.customer = customer;
    chain.contact = contact;
    chain.opportunity = opp;
    chain.quote = quote;
  });

  it('a rep sends an approved quote and records the answer, but never takes it back to draft', async () => {
    const { quote } = chain;
    // what the quote approval writes when it approves (workflows/quote_approval.bpmn)
    await ok(
      patch('admin', 'quote', quote.id, {
        status: 'approved',
        approvedAt: '2026-03-16T06:00:00.000Z',
      }),
    );
    await ok(
      patch('rep', 'quote', quote.id, { status: 'sent', sentAt: '2026-03-16T07:00:00.000Z' }),
    );
    await denied(patch('rep', 'quote', quote.id, { status: 'draft' }));
    await denied(patch('rep', 'quote', quote.id, { status: 'inApproval' }));
    await ok(patch('rep', 'quote', quote.id, { status: 'accepted' }));
    expect((await s.api('GET', `/api/records/quote/${quote.id}`)).body.status).toBe('accepted');
  });

  it('a rep turns the quote into a contract and an order, lines included', async () => {
    const { customer, quote, opportunity } = chain;
    const contract = await make('rep', 'contract', {
      title: '机床销售合同',
      customer: customer.id,
      quote: quote.id,
      opportunity: opportunity.id,
      signDate: '2026-03-20',
    });
    expect(contract.status).toBe('drafting');
    const cl = await make('rep', 'contract_line', {
      contract: contract.id,
      product: product.id,
      quantity: 2,
      unitPrice: { amount: 113700 },
    });
    await ok(patch('rep', 'contract_line', cl.id, { remark: '含安装' }));
    await ok(patch('rep', 'contract', contract.id, { paymentTerms: '预付 30%' }));
    await denied(patch('rep', 'contract', contract.id, { status: 'signed' }), 'status');
    // what the countersign writes (workflows/contract_approval.bpmn): an order needs it
    await ok(patch('admin', 'contract', contract.id, { status: 'signed' }));
    const order = await make('rep', 'sales_order', {
      orderDate: '2026-03-21',
      customer: customer.id,
      contract: contract.id,
      quote: quote.id,
      deliveryMethod: 'logistics',
      settlementMethod: 'transfer',
      exchangeRate: 1,
    });
    expect(order.status).toBe('draft');
    await make('rep', 'order_line', {
      order: order.id,
      product: product.id,
      quantity: 2,
      unitPrice: { amount: 113700 },
    });
    // the amount is the lines' sum; the tax is checked against it (taxNotAboveAmount)
    await ok(patch('rep', 'sales_order', order.id, { tax: { amount: 26160 } }));
    const read = await ok(as('rep', 'GET', `/api/records/sales_order/${order.id}?include=lines`));
    expect((read._related as Body).lines).toHaveLength(1);
    await denied(patch('rep', 'sales_order', order.id, { status: 'confirmed' }), 'status');
    await denied(
      patch('rep', 'sales_order', order.id, { confirmedAt: '2026-03-21T01:00:00.000Z' }),
      'confirmedAt',
    );
    // the contract signed (by the countersign, before it): out of the rep's hands
    await denied(patch('rep', 'contract', contract.id, { paymentTerms: '全款' }));
    // an expense of their own
    const expense = await make('rep', 'expense', {
      spentOn: '2026-03-16',
      kind: 'travel',
      amount: { amount: 860 },
      customer: customer.id,
    });
    await denied(patch('rep', 'expense', expense.id, { status: 'approved' }), 'status');
    chain.contract = contract;
    chain.order = order;
    chain.expense = expense;
  });

  it('a rep cannot reach beyond their own records or into finance', async () => {
    const { customer, quote, contract } = chain;
    // another rep's documents are invisible, and no line can be hung on them
    expect((await as('rep2', 'GET', `/api/records/quote/${quote.id}`)).status).toBe(404);
    const foreign = await as('rep2', 'POST', '/api/records/quote_line', {
      quote: quote.id,
      product: product.id,
      quantity: 1,
      unitPrice: { amount: 1 },
    });
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    expect(foreign.status).toBeLessThan(500);
    expect(
      (
        await as('rep2', 'POST', '/api/records/contract_line', {
          contract: contract.id,
          product: product.id,
          quantity: 1,
          unitPrice: { amount: 1 },
        })
      ).status,
    ).not.toBe(201);
    await denied(
      patch('rep', 'customer', customer.id, { creditLimit: { amount: 1 } }),
      'creditLimit',
    );
    expect(
      (await ok(as('rep', 'GET', `/api/records/customer/${customer.id}`))).creditLimit,
    ).toBeUndefined();
    await denied(as('rep', 'DELETE', `/api/records/customer/${customer.id}`));
    await denied(as('rep', 'GET', '/api/records/receivable'));
    await denied(
      as('rep', 'POST', '/api/records/receivable', {
        billDate: '2026-03-21',
        customer: customer.id,
        amountDue: { amount: 1 },
      }),
    );
  });

  it("a sales manager reads and changes the team's records, lines included", async () => {
    const { quote, opportunity, customer } = chain;
    const q = await ok(as('manager', 'GET', `/api/records/quote/${quote.id}?include=lines`));
    expect((q._related as Body).lines).toHaveLength(2);
    await ok(patch('manager', 'opportunity', opportunity.id, { probability: 80 }));
    // lines change only on a draft quote (quote_line rule draftQuote): the accepted one is closed
    const draft = await make('rep', 'quote', { name: '二次报价', customer: customer.id });
    const extra = await make('rep', 'quote_line', {
      quote: draft.id,
      product: part.id,
      quantity: 1,
      unitPrice: { amount: 800 },
    });
    await ok(as('manager', 'DELETE', `/api/records/quote_line/${extra.id}`), 204);
    await ok(as('manager', 'DELETE', `/api/records/quote/${draft.id}`), 204);
    await denied(
      patch('manager', 'customer', customer.id, { creditLimit: { amount: 9 } }),
      'creditLimit',
    );
    await denied(patch('manager', 'quote', quote.id, { approvedAt: null }), 'approvedAt');
    await denied(as('manager', 'DELETE', `/api/records/quote/${quote.id}`));
  });

  it('the sales director reads every sales record but changes none', async () => {
    const { quote, order } = chain;
    expect((await ok(as('director', 'GET', `/api/records/quote/${quote.id}`))).status).toBe(
      'accepted',
    );
    const lines = await ok(
      as('director', 'GET', `/api/records/sales_order/${order.id}?include=lines`),
    );
    expect((lines._related as Body).lines).toHaveLength(1);
    await denied(patch('director', 'quote', quote.id, { name: '改' }));
    await denied(as('director', 'POST', '/api/records/lead', { company: 'X', source: 'web' }));
  });

  it('finance books the receivable and the payment, and sets the credit limit', async () => {
    const { customer, order, contract } = chain;
    const contractLines = await ok(
      as('finance', 'GET', `/api/records/contract/${contract.id}?include=lines`),
    );
    expect((contractLines._related as Body).lines).toHaveLength(1);
    const receivable = await make('finance', 'receivable', {
      billDate: '2026-03-25',
      customer: customer.id,
      order: order.id,
      contract: contract.id,
      amountDue: { amount: 227400 },
      invoiceNumber: 'FP-0001',
      invoiceDate: '2026-03-25',
    });
    await make('finance', 'payment', {
      paidOn: '2026-03-28',
      customer: customer.id,
      receivable: receivable.id,
      order: order.id,
      contract: contract.id,
      amount: { amount: 227400 },
    });
    // the payment settles the receivable: received, outstanding and status are computed
    expect(
      await ok(as('finance', 'GET', `/api/records/receivable/${receivable.id}`)),
    ).toMatchObject({
      amountReceived: { amount: 227400 },
      amountOutstanding: { amount: 0 },
      status: 'settled',
    });
    await ok(patch('finance', 'receivable', receivable.id, { invoiceNumber: 'FP-0002' }));
    await ok(patch('finance', 'customer', customer.id, { creditLimit: { amount: 500000 } }));
    await denied(patch('finance', 'customer', customer.id, { name: '改名' }), 'name');
    await denied(patch('finance', 'contract', contract.id, { title: '改' }));
    await denied(as('finance', 'POST', '/api/records/quote', { name: 'x', customer: customer.id }));
    // the rep's approved expense: finance marks it reimbursed, and nothing else
    await ok(patch('admin', 'expense', chain.expense.id, { status: 'approved' }));
    await ok(patch('finance', 'expense', chain.expense.id, { status: 'reimbursed' }));
    await denied(
      patch('finance', 'expense', chain.expense.id, { amount: { amount: 1 } }),
      'amount',
    );
    chain.receivable = receivable;
  });

  it('legal reads contracts and their lines, nothing else', async () => {
    const { contract, quote } = chain;
    const read = await ok(as('legal', 'GET', `/api/records/contract/${contract.id}?include=lines`));
    expect((read._related as Body).lines).toHaveLength(1);
    await denied(patch('legal', 'contract', contract.id, { title: '改' }));
    await denied(as('legal', 'GET', `/api/records/quote/${quote.id}`));
    await denied(as('legal', 'GET', '/api/records/receivable'));
  });

  it('marketing plans a campaign with its materials and enters its leads', async () => {
    const plan = await make('marketer', 'marketing_plan', { name: '2026 春季推广', year: 2026 });
    const segment = await make('marketer', 'customer_segment', { name: '华东制造业' });
    const campaign = await make('marketer', 'campaign', {
      name: '春季展会',
      kind: 'fair',
      plan: plan.id,
      segments: [segment.id],
      startDate: '2026-03-01',
      endDate: '2026-03-03',
    });
    await make('marketer', 'marketing_material', {
      title: '机床宣传册',
      campaign: campaign.id,
      products: [product.id],
    });
    await make('marketer', 'message', {
      subject: '展会邀请',
      body: '诚邀莅临',
      channel: 'email',
      campaign: campaign.id,
      contact: chain.contact.id,
    });
    const lead = await make('marketer', 'lead', {
      company: '华北重工',
      source: 'campaign',
      campaign: campaign.id,
    });
    // a rep's lead from the campaign shows up for marketing; one without a campaign does not
    const repLead = await make('rep', 'lead', {
      company: '展会来客',
      source: 'campaign',
      campaign: campaign.id,
    });
    const coldLead = await make('rep', 'lead', { company: '陌生拜访', source: 'referral' });
    expect((await as('marketer', 'GET', `/api/records/lead/${repLead.id}`)).status).toBe(200);
    expect((await as('marketer', 'GET', `/api/records/lead/${coldLead.id}`)).status).toBe(404);
    const withLeads = await ok(
      as('marketer', 'GET', `/api/records/campaign/${campaign.id}?include=leads,materials`),
    );
    expect((withLeads._related as Body).leads).toHaveLength(2);
    expect((withLeads._related as Body).materials).toHaveLength(1);
    await denied(patch('marketer', 'lead', lead.id, { rating: 'hot' }));
    await denied(
      as('marketer', 'POST', '/api/records/quote', { name: 'x', customer: chain.customer.id }),
    );
    const customer = await ok(as('marketer', 'GET', `/api/records/customer/${chain.customer.id}`));
    expect(customer.creditLimit).toBeUndefined();
  });

  it('the service chain: agent takes a request, the manager dispatches, the engineer repairs', async () => {
    const { customer, order } = chain;
    // delivered: the service manager registers the packing list and the unit sold
    const packing = await make('svcmanager', 'packing_list', {
      order: order.id,
      customer: customer.id,
      warehouse: warehouse.id,
      shippedOn: '2026-03-30',
    });
    await make('svcmanager', 'packing_list_line', {
      packingList: packing.id,
      product: product.id,
      quantity: 2,
      serialNumbers: 'SN-001\nSN-002',
    });
    const unit = await make('svcmanager', 'installed_product', {
      serialNumber: 'SN-001',
      product: product.id,
      customer: customer.id,
      order: order.id,
      packingList: packing.id,
      soldOn: '2026-03-30',
    });
    // the agent takes the call
    const article = await make('agent', 'knowledge_article', {
      title: '主轴异响排查',
      solution: '<p>检查轴承</p>',
    });
    expect(
      (await ok(as('agent', 'GET', `/api/records/installed_product/${unit.id}`))).serialNumber,
    ).toBe('SN-001');
    const request = await make('agent', 'service_request', {
      subject: '主轴异响',
      customer: customer.id,
      installedProduct: unit.id,
      kind: 'repair',
      reportedAt: '2026-04-02T01:00:00.000Z',
      article: article.id,
    });
    await ok(patch('agent', 'service_request', request.id, { status: 'inProgress', onSite: true }));
    await denied(
      as('agent', 'POST', '/api/records/repair_order', {
        customer: customer.id,
        product: product.id,
      }),
    );
    await denied(patch('agent', 'customer', customer.id, { phone: '021-1' }));
    // the service manager dispatches the engineer
    const repair = await make('svcmanager', 'repair_order', {
      request: request.id,
      customer: customer.id,
      product: product.id,
      installedProduct: unit.id,
      serialNumber: 'SN-001',
      technician: 'engineer',
      status: 'dispatched',
      receivedOn: '2026-04-02',
    });
    const other = await make('svcmanager', 'repair_order', {
      customer: customer.id,
      product: product.id,
      technician: 'someone-else',
    });
    // the engineer: their repair order, its items and parts
    expect((await as('engineer', 'GET', `/api/records/repair_order/${other.id}`)).status).toBe(404);
    await ok(patch('engineer', 'repair_order', repair.id, { status: 'repairing', onSite: true }));
    const item = await make('engineer', 'repair_item', {
      repair: repair.id,
      description: '更换主轴轴承',
      kind: 'part',
      part: part.id,
    });
    await make('engineer', 'replacement_part', {
      repair: repair.id,
      item: item.id,
      part: part.id,
      quantity: 1,
      oldSerialNumber: 'B-OLD',
      newSerialNumber: 'B-NEW',
    });
    expect(
      (
        await as('engineer', 'POST', '/api/records/replacement_part', {
          repair: other.id,
          part: part.id,
          quantity: 1,
        })
      ).status,
    ).not.toBe(201);
    const defectsRead = await as('engineer', 'GET', '/api/records/product_defect');
    expect(defectsRead.status).toBe(200);
    await denied(
      patch('engineer', 'repair_order', repair.id, { charge: { amount: 500 } }),
      'charge',
    );
    await denied(
      patch('engineer', 'repair_order', repair.id, { technician: 'engineer2' }),
      'technician',
    );
    await denied(
      as('engineer', 'POST', '/api/records/product_defect', {
        title: 'x',
        product: product.id,
        symptom: 'x',
        foundOn: '2026-04-02',
      }),
    );
    await ok(
      patch('engineer', 'repair_order', repair.id, { status: 'done', finishedOn: '2026-04-03' }),
    );
    // the manager checks the repair and files the defect
    const checked = await ok(
      as('svcmanager', 'GET', `/api/records/repair_order/${repair.id}?include=items,parts`),
    );
    expect((checked._related as Body).items).toHaveLength(1);
    expect((checked._related as Body).parts).toHaveLength(1);
    await ok(patch('svcmanager', 'repair_order', repair.id, { status: 'checked' }));
    await make('svcmanager', 'product_defect', {
      title: '主轴轴承早期磨损',
      product: product.id,
      installedProduct: unit.id,
      repair: repair.id,
      request: request.id,
      symptom: '异响',
      foundOn: '2026-04-03',
    });
    await denied(as('svcmanager', 'GET', `/api/records/quote/${chain.quote.id}`));
  });
});
