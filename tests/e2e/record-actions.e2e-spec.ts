import { DIALECTS, type TestServer, USER_PASSWORD, bpmn, startServer } from './support/harness';

/**
 * Record actions (issue 11): an `action` document is a button on a record that creates linked
 * records (a lead conversion), copies a header's lines (a contract from a quote), writes back onto
 * the record and starts a process — as the user, through the records service, all or nothing.
 * Test-only entities: a prospect converts into a firm, a person and a deal; a bid becomes an
 * agreement with its lines.
 */
const label = (n: string) => `{ zh-CN: ${n}, en: ${n} }`;
const rel = (target: string, inverse?: string) =>
  `{ type: relation, relation: manyToOne, target: ${target}, label: ${label(target)}${inverse ? `, inverse: { name: ${inverse}, label: ${label(inverse)} }` : ''} }`;
const entity = (name: string, fields: string) =>
  `kind: entity\nname: ${name}\nlabel: ${label(name)}\ndisplayField: name\nfields:\n${fields}`;

const FILES: Record<string, string> = {
  'prospect.yaml': entity(
    'prospect',
    `  name: { type: text, label: ${label('Name')}, required: true }
  company: { type: text, label: ${label('Company')} }
  phone: { type: text, label: ${label('Phone')} }
  status:
    type: select
    label: ${label('Status')}
    default: new
    options:
      - { value: new, label: ${label('New')} }
      - { value: qualified, label: ${label('Qualified')} }
      - { value: converted, label: ${label('Converted')} }
  firm: ${rel('firm')}
`,
  ),
  'firm.yaml': entity(
    'firm',
    `  name: { type: text, label: ${label('Name')}, required: true }\n  phone: { type: text, label: ${label('Phone')} }\n`,
  ),
  'person.yaml': entity(
    'person',
    `  name: { type: text, label: ${label('Name')}, required: true }\n  firm: ${rel('firm', 'people')}\n`,
  ),
  'deal.yaml': entity(
    'deal',
    `  name: { type: text, label: ${label('Name')}, required: true }\n  firm: ${rel('firm', 'deals')}\n  prospect: ${rel('prospect', 'deals')}\n  ownerNote: { type: text, label: ${label('Note')} }\n`,
  ),
  'bid.yaml': entity('bid', `  name: { type: text, label: ${label('Name')}, required: true }\n`),
  'bid_line.yaml': entity(
    'bid_line',
    `  name: { type: text, label: ${label('Name')} }\n  bid: ${rel('bid', 'lines')}\n  product: { type: text, label: ${label('Product')}, required: true }\n  qty: { type: integer, label: ${label('Qty')}, min: 1 }\n`,
  ),
  'agreement.yaml': entity(
    'agreement',
    `  name: { type: text, label: ${label('Name')}, required: true }\n  bid: ${rel('bid', 'agreements')}\n`,
  ),
  'agreement_line.yaml': entity(
    'agreement_line',
    `  name: { type: text, label: ${label('Name')} }\n  agreement: ${rel('agreement', 'lines')}\n  product: { type: text, label: ${label('Product')}, required: true }\n  qty: { type: integer, label: ${label('Qty')}, required: true }\n`,
  ),
  'actions/convert.yaml': `kind: action
name: convert
entity: prospect
label: { zh-CN: 转化, en: Convert }
confirm: { zh-CN: 确定转化？, en: Convert this prospect? }
when: 'record.status = "qualified"'
create:
  - as: account
    entity: firm
    values: { name: record.company, phone: record.phone }
  - as: contact
    entity: person
    values: { name: record.name, firm: account.id }
  - as: opportunity
    entity: deal
    values: { name: 'record.company + " - " + record.name', firm: account.id, prospect: record.id, ownerNote: 'actor' }
update: { status: '"converted"', firm: account.id }
open: opportunity
`,
  // the last step misses its required name: nothing of the first may stay
  'actions/half.yaml': `kind: action
name: half
entity: prospect
label: ${label('Half')}
create:
  - as: account
    entity: firm
    values: { name: record.company }
  - as: opportunity
    entity: deal
    values: { firm: account.id, ownerNote: record.phone }
`,
  'actions/to_agreement.yaml': `kind: action
name: to_agreement
entity: bid
label: { zh-CN: 生成合同, en: Create agreement }
create:
  - as: agreement
    entity: agreement
    values: { name: '"Agreement for " + record.name', bid: record.id }
    lines:
      from: lines
      entity: agreement_line
      link: agreement
      values: { product: line.product, qty: 'if line.qty = null then 1 else line.qty', name: agreement.name }
process: { key: agreement_review, on: agreement }
`,
  // its process is not deployed: the firm it created must go with the refusal
  'actions/ghost.yaml': `kind: action
name: ghost
entity: prospect
label: ${label('Ghost')}
create:
  - as: account
    entity: firm
    values: { name: record.company }
process: { key: not_deployed, on: account }
`,
  'roles/rep.yaml': `kind: role
name: rep
label: ${label('Rep')}
rules:
  - { action: [read, create, update], subject: prospect, conditions: { owner: $me } }
  - { action: run, subject: prospect, conditions: { owner: $me, actionName: { $in: [convert, half] } } }
  - { action: [read, create], subject: [firm, person, deal] }
  - { action: read, subject: [bid, bid_line, agreement, agreement_line] }
  - { action: run, subject: bid, conditions: { actionName: to_agreement } }
`,
  'roles/viewer.yaml': `kind: role
name: viewer
label: ${label('Viewer')}
rules:
  - { action: read, subject: all }
`,
};

const REVIEW = bpmn(`<bpmn:process id="agreement_review" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="look"/>
  <bpmn:userTask id="look"/><bpmn:sequenceFlow id="f2" sourceRef="look" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:process>`);

describe.each(DIALECTS)('record actions on %s', (dialect) => {
  let s: TestServer;
  const as = (login: string) => ({ 'x-user': login });
  const create = async (entityName: string, body: Record<string, unknown>, user = 'tester') => {
    const r = await s.api('POST', `/api/records/${entityName}`, body, as(user));
    expect(r.status).toBe(201);
    return r.body as { id: number; version: number };
  };
  const count = async (entityName: string) =>
    (await s.api('GET', `/api/records/${entityName}?count=true&limit=1`)).body.count as number;
  const run = (entityName: string, id: number, action: string, user = 'tester') =>
    s.api('POST', `/api/records/${entityName}/${id}/actions/${action}`, undefined, as(user));

  beforeAll(async () => {
    s = await startServer(dialect, FILES);
    for (const [login, roles] of [
      ['rep1', ['rep']],
      ['rep2', ['rep']],
      ['look', ['viewer']],
    ] as const) {
      const made = await s.api('POST', '/api/admin/users', {
        login,
        password: USER_PASSWORD,
        roles,
        locale: 'en',
      });
      expect(made.status).toBe(201);
    }
    const d = await s.api('POST', '/api/workflow/deployments', REVIEW, {
      'content-type': 'application/xml',
    });
    expect(d.status).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('converts a prospect into three linked records and writes back, as the rep', async () => {
    const p = await create(
      'prospect',
      { name: 'Li Lei', company: 'Acme', phone: '123', status: 'qualified' },
      'rep1',
    );
    const r = await run('prospect', p.id, 'convert', 'rep1');
    expect(r.status).toBe(201);
    const { account, contact, opportunity } = r.body.created;
    expect(account.entity).toBe('firm');
    expect(r.body.open).toEqual({ entity: 'deal', id: opportunity.id });
    expect(r.body.updated).toEqual({ entity: 'prospect', id: p.id, version: 2 });
    const firm = (await s.api('GET', `/api/records/firm/${account.id}`)).body;
    expect(firm).toMatchObject({ name: 'Acme', phone: '123', owner: 'rep1', createdBy: 'rep1' });
    const person = (await s.api('GET', `/api/records/person/${contact.id}`)).body;
    expect(person).toMatchObject({ name: 'Li Lei', firm: account.id });
    const deal = (await s.api('GET', `/api/records/deal/${opportunity.id}`)).body;
    expect(deal).toMatchObject({
      name: 'Acme - Li Lei',
      firm: account.id,
      prospect: p.id,
      ownerNote: 'rep1',
    });
    const after = (await s.api('GET', `/api/records/prospect/${p.id}`)).body;
    expect(after).toMatchObject({ status: 'converted', firm: account.id, version: 2 });
    // the write-back is in the record's history, as the rep
    const history = (await s.api('GET', `/api/records/prospect/${p.id}/history`)).body.data;
    expect(history).toContainEqual(
      expect.objectContaining({ actor: 'rep1', field: 'status', new: 'converted' }),
    );

    // `when` no longer holds: refused naming it, and the record page sees it disabled
    const again = await run('prospect', p.id, 'convert', 'rep1');
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('ACTION_NOT_ALLOWED');
    expect(again.body.errors[0]).toMatchObject({ path: '/when', document: 'action/convert' });
    const offers = await s.api(
      'GET',
      `/api/records/prospect/${p.id}/actions`,
      undefined,
      as('rep1'),
    );
    expect(offers.body.data).toEqual([
      expect.objectContaining({ name: 'convert', enabled: false, confirm: expect.any(Object) }),
      expect.objectContaining({ name: 'half', enabled: true }),
    ]);
  });

  it('lists the actions a role may run in the entity description', async () => {
    const list = async (user: string) =>
      (await s.api('GET', '/api/meta/entities', undefined, as(user))).body.data.find(
        (e: { name: string }) => e.name === 'prospect',
      ).actions as Array<{ name: string }>;
    expect((await list('rep1')).map((a) => a.name)).toEqual(['convert', 'half']);
    expect(await list('look')).toEqual([]);
  });

  it('copies a header with its lines and starts a process about the copy', async () => {
    const bid = await create('bid', { name: 'Big bid' });
    await create('bid_line', { bid: bid.id, product: 'Widget', qty: 3 });
    await create('bid_line', { bid: bid.id, product: 'Gadget' });
    const r = await run('bid', bid.id, 'to_agreement');
    expect(r.status).toBe(201);
    const { agreement } = r.body.created;
    expect(agreement.lines).toHaveLength(2);
    expect(r.body.open).toEqual({ entity: 'agreement', id: agreement.id });
    const lines = (
      await s.api(
        'GET',
        `/api/records/agreement_line?filter=${encodeURIComponent(JSON.stringify({ agreement: agreement.id }))}&sort=id`,
      )
    ).body.data;
    expect(lines).toEqual([
      expect.objectContaining({ product: 'Widget', qty: 3, name: 'Agreement for Big bid' }),
      expect.objectContaining({ product: 'Gadget', qty: 1 }),
    ]);
    expect(typeof r.body.instanceId).toBe('number');
    const instance = (await s.api('GET', `/api/workflow/instances/${r.body.instanceId}`)).body;
    expect(instance).toMatchObject({
      processKey: 'agreement_review',
      state: 'active',
      record: { entity: 'agreement', id: agreement.id },
    });
  });

  it('refuses a rep who may not create the target entity, writing nothing', async () => {
    const bid = await create('bid', { name: 'Rep bid' });
    await create('bid_line', { bid: bid.id, product: 'Widget', qty: 1 });
    const before = await count('agreement');
    const r = await run('bid', bid.id, 'to_agreement', 'rep1');
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('FORBIDDEN');
    expect(r.body.message).toContain('agreement');
    expect(await count('agreement')).toBe(before);
  });

  it('leaves nothing behind when the last step fails', async () => {
    const p = await create('prospect', { name: 'Han Meimei', company: 'Half Co' }, 'rep1');
    const firms = await count('firm');
    const deals = await count('deal');
    const r = await run('prospect', p.id, 'half', 'rep1');
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('RECORD_INVALID');
    expect(r.body.message).toContain('step opportunity (deal)');
    expect(r.body.errors).toContainEqual(
      expect.objectContaining({ path: '/create/1/values/name' }),
    );
    expect(await count('firm')).toBe(firms);
    expect(await count('deal')).toBe(deals);
  });

  it('rolls the created records back when its process cannot start', async () => {
    const p = await create('prospect', { name: 'Ghost', company: 'Ghost Co' });
    const firms = await count('firm');
    const r = await run('prospect', p.id, 'ghost');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('DEFINITION_NOT_FOUND');
    expect(r.body.message).toContain('process not_deployed');
    expect(r.body.errors[0].path).toMatch(/^\/process/);
    expect(await count('firm')).toBe(firms);
  });

  it.each([
    {
      title: 'a user without a run rule',
      user: 'look',
      path: (id: number) => `/api/records/prospect/${id}/actions/convert`,
      status: 403,
      code: 'FORBIDDEN',
    },
    {
      title: "another rep's prospect (outside the rule's conditions: not found)",
      user: 'rep2',
      path: (id: number) => `/api/records/prospect/${id}/actions/convert`,
      status: 404,
      code: 'RECORD_NOT_FOUND',
    },
    {
      title: 'an action the entity does not have',
      user: 'rep1',
      path: (id: number) => `/api/records/prospect/${id}/actions/explode`,
      status: 404,
      code: 'DOCUMENT_NOT_FOUND',
    },
    {
      title: 'an action of another entity',
      user: 'rep1',
      path: (id: number) => `/api/records/prospect/${id}/actions/to_agreement`,
      status: 404,
      code: 'DOCUMENT_NOT_FOUND',
    },
  ])('refuses $title', async ({ user, path, status, code }) => {
    const p = await create('prospect', { name: 'X', company: 'Y', status: 'qualified' }, 'rep1');
    const firms = await count('firm');
    const r = await s.api('POST', path(p.id), undefined, as(user));
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
    expect(await count('firm')).toBe(firms);
    expect((await s.api('GET', `/api/records/prospect/${p.id}`)).body.status).toBe('qualified');
  });
});
