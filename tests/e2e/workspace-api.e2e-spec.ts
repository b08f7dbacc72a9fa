import { DIALECTS, type TestServer, USER_PASSWORD, startServer } from './support/harness';

const ROLES = {
  'roles/seller.yaml': `kind: role
name: seller
label: { zh-CN: 销售, en: Seller }
rules:
  - { action: [read, create], subject: deal, conditions: { owner: $me } }
  - { action: read, subject: account, fields: [secret], inverted: true }
  - { action: read, subject: account }
`,
  'account.yaml': `kind: entity
name: account
label: { zh-CN: 客户, en: Account }
displayField: name
fields:
  name: { type: text, label: { zh-CN: 名称, en: Name }, required: true }
  secret: { type: text, label: { zh-CN: 机密, en: Secret } }
`,
  'deal.yaml': `kind: entity
name: deal
label: { zh-CN: 商机, en: Deal }
displayField: title
fields:
  title: { type: text, label: { zh-CN: 标题, en: Title }, required: true }
  account:
    type: relation
    relation: manyToOne
    target: account
    label: { zh-CN: 客户, en: Account }
    inverse: { name: deals, label: { zh-CN: 商机, en: Deals } }
`,
  'contract.yaml': `kind: entity
name: contract
label: { zh-CN: 合同, en: Contract }
displayField: no
fields:
  no: { type: text, label: { zh-CN: 编号, en: Number } }
  account:
    type: relation
    relation: manyToOne
    target: account
    label: { zh-CN: 客户, en: Account }
    inverse: { name: contracts, label: { zh-CN: 合同, en: Contracts } }
`,
};

/** GET /api/meta/entities: the web app's navigation lists only what the user may read. */
describe.each(DIALECTS)('the readable entities on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, ROLES);
    const made = await s.api('POST', '/api/admin/users', {
      login: 'seller1',
      password: USER_PASSWORD,
      roles: ['seller'],
    });
    expect(made.status).toBe(201);
    await s.api('POST', '/api/admin/users', { login: 'nobody', password: USER_PASSWORD });
  });
  afterAll(async () => {
    await s?.close();
  });
  const as = async (login: string) => {
    const token = (
      await s.api(
        'POST',
        '/api/auth/login',
        { login, password: USER_PASSWORD },
        { 'x-no-auth': '1' },
      )
    ).body.accessToken;
    return s.api('GET', '/api/meta/entities', undefined, { authorization: `Bearer ${token}` });
  };

  it('lists every entity, with labels, display field and inverses, to the admin', async () => {
    const res = await s.api('GET', '/api/meta/entities');
    expect(res.status).toBe(200);
    expect(res.body.data.map((e: { name: string }) => e.name)).toEqual([
      'account',
      'contract',
      'deal',
    ]);
    expect(res.body.data[0]).toEqual({
      name: 'account',
      label: { 'zh-CN': '客户', en: 'Account' },
      displayField: 'name',
      inverses: [
        {
          name: 'contracts',
          entity: 'contract',
          field: 'account',
          label: { 'zh-CN': '合同', en: 'Contracts' },
        },
        {
          name: 'deals',
          entity: 'deal',
          field: 'account',
          label: { 'zh-CN': '商机', en: 'Deals' },
        },
      ],
      // the record page's buttons (trigger documents): none here (approval-records.e2e-spec.ts)
      buttons: [],
      // its record actions (action documents): none here (record-actions.e2e-spec.ts)
      actions: [],
      // no form or view documents here: derived ones (forms-views.e2e-spec.ts)
      form: expect.objectContaining({ kind: 'form', name: 'account' }),
      view: expect.objectContaining({ kind: 'view', name: 'account' }),
    });
  });

  it('leaves out what a role cannot read, also as an inverse', async () => {
    const res = await as('seller1');
    expect(res.status).toBe(200);
    expect(res.body.data.map((e: { name: string }) => e.name)).toEqual(['account', 'deal']);
    expect(res.body.data[0].inverses.map((i: { entity: string }) => i.entity)).toEqual(['deal']);
  });

  it('lists nothing to a user without roles, and needs a token', async () => {
    expect((await as('nobody')).body).toEqual({ data: [] });
    const anon = await s.api('GET', '/api/meta/entities', undefined, { 'x-no-auth': '1' });
    expect(anon.status).toBe(401);
  });
});

/** /api/views/:entity: each user's own saved list views, kept server-side. */
describe.each(DIALECTS)('saved views on %s', (dialect) => {
  let s: TestServer;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    s = await startServer(dialect, ROLES);
    for (const login of ['seller1', 'seller2']) {
      await s.api('POST', '/api/admin/users', {
        login,
        password: USER_PASSWORD,
        roles: ['seller'],
      });
      tokens[login] = (
        await s.api(
          'POST',
          '/api/auth/login',
          { login, password: USER_PASSWORD },
          { 'x-no-auth': '1' },
        )
      ).body.accessToken;
    }
  });
  afterAll(async () => {
    await s?.close();
  });
  const as = (login: string, method: string, p: string, body?: unknown) =>
    s.api(method, p, body, { authorization: `Bearer ${tokens[login]}` });
  const definition = {
    conditions: [{ field: 'title', op: 'contains', value: 'big' }],
    mode: 'table',
  };

  it('saves, lists, renames and deletes a view, only for its owner', async () => {
    const made = await as('seller1', 'POST', '/api/views/deal', {
      name: ' Big deals ',
      definition,
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ entity: 'deal', name: 'Big deals', definition });
    const id = made.body.id;
    expect((await as('seller1', 'GET', '/api/views/deal')).body.data).toHaveLength(1);
    // another user sees none of it and cannot touch it
    expect((await as('seller2', 'GET', '/api/views/deal')).body).toEqual({ data: [] });
    const foreign = await as('seller2', 'PUT', `/api/views/deal/${id}`, { name: 'x', definition });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('SAVED_VIEW_NOT_FOUND');
    expect((await as('seller2', 'DELETE', `/api/views/deal/${id}`)).status).toBe(404);
    // the same name twice is a conflict; another user may use it
    const twice = await as('seller1', 'POST', '/api/views/deal', { name: 'Big deals', definition });
    expect(twice.status).toBe(409);
    expect(twice.body.errors).toEqual([{ path: '/name', message: 'already used for this entity' }]);
    expect(
      (await as('seller2', 'POST', '/api/views/deal', { name: 'Big deals', definition })).status,
    ).toBe(201);
    const renamed = await as('seller1', 'PUT', `/api/views/deal/${id}`, {
      name: 'Large deals',
      definition: { ...definition, mode: 'kanban' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Large deals', definition: { mode: 'kanban' } });
    expect((await as('seller1', 'DELETE', `/api/views/deal/${id}`)).status).toBe(204);
    expect((await as('seller1', 'GET', '/api/views/deal')).body).toEqual({ data: [] });
  });

  it.each([
    { title: 'no body', body: undefined, paths: ['/name', '/definition'] },
    { title: 'empty name', body: { name: '  ', definition: {} }, paths: ['/name'] },
    { title: 'long name', body: { name: 'x'.repeat(101), definition: {} }, paths: ['/name'] },
    {
      title: 'definition not an object',
      body: { name: 'a', definition: [1] },
      paths: ['/definition'],
    },
    {
      title: 'definition too large',
      body: { name: 'a', definition: { s: 'x'.repeat(70_000) } },
      paths: ['/definition'],
    },
  ])('refuses $title with its pointers', async ({ body, paths }) => {
    const res = await as('seller1', 'POST', '/api/views/deal', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BAD_REQUEST');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(paths);
  });

  it('answers unknown entities, unreadable entities and bad ids precisely', async () => {
    const unknown = await as('seller1', 'GET', '/api/views/nope');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'ENTITY_NOT_FOUND']);
    const unreadable = await as('seller1', 'GET', '/api/views/contract');
    expect([unreadable.status, unreadable.body.code]).toEqual([403, 'FORBIDDEN']);
    const badId = await as('seller1', 'PUT', '/api/views/deal/abc', { name: 'a', definition: {} });
    expect([badId.status, badId.body.code]).toEqual([400, 'QUERY_INVALID']);
    const missing = await as('seller1', 'DELETE', '/api/views/deal/999');
    expect([missing.status, missing.body.code]).toEqual([404, 'SAVED_VIEW_NOT_FOUND']);
  });
});
