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
