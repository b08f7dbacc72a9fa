import { createHmac } from 'node:crypto';
import {
  ADMIN_PASSWORD,
  DIALECTS,
  type TestServer,
  eventually,
  q,
  startServer,
} from './support/harness';

/**
 * Permissions end to end: a matrix of (user, action, record, field) → outcome over HTTP, and a
 * table of attacks that must not leak data. Departments: sales ⊃ east ⊃ shanghai; north apart.
 * Reporting line: lead → rep1 → rep2.
 */
const ACCOUNT = `
kind: entity
name: account
label: { zh-CN: 客户, en: Account }
displayField: name
fields:
  name: { type: text, label: { zh-CN: 名称, en: Name }, required: true }
`;
const DEAL = `
kind: entity
name: deal
label: { zh-CN: 商机, en: Deal }
displayField: title
fields:
  title: { type: text, label: { zh-CN: 标题, en: Title }, required: true }
  stage: { type: text, label: { zh-CN: 阶段, en: Stage } }
  margin: { type: integer, label: { zh-CN: 毛利, en: Margin } }
  approved: { type: boolean, label: { zh-CN: 已批准, en: Approved } }
  account: { type: relation, relation: manyToOne, target: account, label: { zh-CN: 客户, en: Account }, inverse: { name: deals, label: { zh-CN: 商机, en: Deals } } }
  partners: { type: relation, relation: manyToMany, target: account, label: { zh-CN: 伙伴, en: Partners } }
  contract: { type: file, label: { zh-CN: 合同, en: Contract } }
`;
const label = (n: string) => `{ zh-CN: ${n}, en: ${n} }`;
const ROLES = {
  'roles/rep.yaml': `
kind: role
name: rep
label: ${label('Rep')}
rules:
  - { action: [read, create, update], subject: deal, conditions: { owner: $me } }
  - { action: read, subject: deal, conditions: { $sharedWithMe: true } }
  - { action: read, subject: account, conditions: { owner: $me } }
  - { action: [read, update, create], subject: deal, fields: [margin], inverted: true }
  - { action: [update, create], subject: deal, fields: [approved], inverted: true }
  - { action: read, subject: deal, conditions: { stage: secret }, inverted: true, reason: secret deals }
`,
  'roles/manager.yaml': `
kind: role
name: manager
label: ${label('Manager')}
rules:
  - { action: [read, update], subject: deal, conditions: { owner: $myDepartmentTree } }
  - { action: read, subject: account }
`,
  'roles/lead.yaml': `
kind: role
name: lead
label: ${label('Lead')}
rules:
  - { action: read, subject: deal, conditions: { owner: $mySubordinates } }
`,
  'roles/writer.yaml': `
kind: role
name: writer
label: ${label('Writer')}
rules:
  - { action: update, subject: deal, conditions: { owner: rep3 } }
`,
  'roles/dept.yaml': `
kind: role
name: dept
label: ${label('Department')}
rules:
  - { action: read, subject: deal, conditions: { owner: $myDepartment } }
`,
};
const PASSWORD = 'matrix-password-1';

describe.each(DIALECTS)('access on %s', (dialect) => {
  let s: TestServer;
  const token = new Map<string, string>();
  const deal: Record<string, number> = {};
  const account: Record<string, number> = {};
  const as = (login: string) => ({ authorization: `Bearer ${token.get(login)}` });
  const admin = () => ({ authorization: `Bearer ${token.get('admin')}` });
  const login = async (name: string, password = PASSWORD) =>
    s.api('POST', '/api/auth/login', { login: name, password }, { 'x-no-auth': '1' });

  beforeAll(async () => {
    s = await startServer(dialect, {
      'account.yaml': ACCOUNT,
      'deal.yaml': DEAL,
      ...ROLES,
    });
    token.set('admin', (await login('admin', ADMIN_PASSWORD)).body.accessToken);
    const dep = async (name: string, parentId: number | null) =>
      (await s.api('POST', '/api/admin/departments', { name, parentId }, admin())).body
        .id as number;
    const sales = await dep('sales', null);
    const east = await dep('east', sales);
    const shanghai = await dep('shanghai', east);
    const north = await dep('north', null);
    const users: Array<[string, number, string | null, string[]]> = [
      ['mgr', sales, null, ['manager']],
      ['lead', east, null, ['lead']],
      ['rep1', east, 'lead', ['rep']],
      ['rep2', shanghai, 'rep1', ['rep']],
      ['rep3', north, null, ['rep']],
      ['deptuser', east, null, ['dept']],
      ['writer', north, null, ['writer']], // may update rep3's deals but read none
    ];
    const ids = new Map<string, number>();
    for (const [name, departmentId, sup, roles] of users) {
      const r = await s.api(
        'POST',
        '/api/admin/users',
        {
          login: name,
          password: PASSWORD,
          departmentId,
          supervisorId: sup ? ids.get(sup) : null,
          roles,
          locale: 'en',
        },
        admin(),
      );
      expect(r.status).toBe(201);
      ids.set(name, r.body.id);
      token.set(name, (await login(name)).body.accessToken);
    }
    for (const [key, owner] of [
      ['a1', 'rep1'],
      ['a2', 'admin'],
    ])
      account[key] = (
        await s.api('POST', '/api/records/account', { name: key, owner }, admin())
      ).body.id;
    const deals: Array<[string, string, string, number | null]> = [
      ['d1', 'rep1', 'open', account.a2],
      ['d2', 'rep2', 'open', null],
      ['d3', 'rep3', 'open', null],
      ['d4', 'rep1', 'secret', null],
      ['d5', 'rep3', 'open', null],
    ];
    for (const [key, owner, stage, acc] of deals) {
      const r = await s.api(
        'POST',
        '/api/records/deal',
        { title: key, owner, stage, margin: 4711, approved: false, account: acc },
        admin(),
      );
      expect(r.status).toBe(201);
      deal[key] = r.body.id;
    }
    // rep3 shares d5 with rep1
    expect(
      (await s.api('POST', `/api/records/deal/${deal.d5}/shares`, { login: 'rep1' }, as('rep3')))
        .status,
    ).toBe(204);
  });
  afterAll(async () => {
    await s?.close();
  });

  const titles = async (user: string) => {
    const r = await s.api('GET', '/api/records/deal?count=true&sort=title', undefined, as(user));
    expect(r.status).toBe(200);
    return { titles: r.body.data.map((d: { title: string }) => d.title), count: r.body.count };
  };

  it.each([
    ['rep1', ['d1', 'd5'], 'own + shared, minus the inverted "secret" rule'],
    ['rep2', ['d2'], 'own only'],
    ['rep3', ['d3', 'd5'], 'own only'],
    ['mgr', ['d1', 'd2', 'd4'], 'department subtree sales ⊃ east ⊃ shanghai'],
    ['lead', ['d1', 'd2', 'd4'], 'direct and indirect subordinates'],
    ['deptuser', ['d1', 'd4'], 'own department only, not the one below'],
    ['admin', ['d1', 'd2', 'd3', 'd4', 'd5'], 'everything'],
  ])('%s lists %j (%s), and the count agrees', async (user, expected) => {
    const got = await titles(user as string);
    expect(got.titles).toEqual(expected);
    expect(got.count).toBe((expected as string[]).length);
  });

  it('cursors page through the allowed rows only', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { body: { data: Array<{ title: string }>; nextCursor: string | null } } =
        await s.api(
          'GET',
          `/api/records/deal?limit=1&sort=title${cursor ? `&cursor=${cursor}` : ''}`,
          undefined,
          as('mgr'),
        );
      seen.push(...r.body.data.map((d) => d.title));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['d1', 'd2', 'd4']);
  });

  // (user, action, record, body or field) → expected status [, field named in the 403]
  it.each([
    ['rep1', 'read', 'd1', null, 200, null],
    ['rep1', 'read', 'd5', null, 200, null], // shared
    ['rep1', 'read', 'd2', null, 404, null],
    ['rep1', 'read', 'd4', null, 404, null], // inverted rule
    ['rep2', 'read', 'd1', null, 404, null],
    ['mgr', 'read', 'd2', null, 200, null],
    ['mgr', 'read', 'd3', null, 404, null],
    ['lead', 'read', 'd2', null, 200, null],
    ['lead', 'read', 'd3', null, 404, null],
    ['deptuser', 'read', 'd2', null, 404, null],
    ['rep1', 'update', 'd1', { title: 'd1' }, 200, null],
    ['rep1', 'update', 'd5', { title: 'd5' }, 403, null], // shared for reading only
    ['rep1', 'update', 'd2', { title: 'x' }, 404, null],
    ['rep1', 'update', 'd1', { margin: 1 }, 403, 'margin'],
    ['rep1', 'update', 'd1', { approved: true }, 403, 'approved'],
    ['mgr', 'update', 'd2', { margin: 41 }, 200, null],
    ['mgr', 'update', 'd3', { title: 'x' }, 404, null],
    ['lead', 'update', 'd1', { title: 'x' }, 403, null],
    ['rep1', 'delete', 'd1', null, 403, null],
    ['mgr', 'delete', 'd1', null, 403, null],
  ])('%s %s %s %j → %i', async (user, action, key, body, status, field) => {
    const id = deal[key as string];
    let r;
    if (action === 'read')
      r = await s.api('GET', `/api/records/deal/${id}`, undefined, as(user as string));
    else if (action === 'delete')
      r = await s.api('DELETE', `/api/records/deal/${id}`, undefined, as(user as string));
    else {
      const current = await s.api('GET', `/api/records/deal/${id}`, undefined, admin());
      r = await s.api(
        'PATCH',
        `/api/records/deal/${id}`,
        { ...(body as object), version: current.body.version },
        as(user as string),
      );
    }
    expect(r.status).toBe(status);
    if (status === 403) expect(r.body.code).toBe('FORBIDDEN');
    if (status === 404) expect(r.body.code).toBe('RECORD_NOT_FOUND');
    if (field)
      expect(r.body.errors).toEqual([expect.objectContaining({ path: `/${field}`, field })]);
  });

  it('masks fields the user may not read, in reads, lists and history', async () => {
    const rep = await s.api('GET', `/api/records/deal/${deal.d1}`, undefined, as('rep1'));
    expect(rep.body).not.toHaveProperty('margin');
    expect(rep.body).toHaveProperty('approved'); // readable, just not writable
    const list = await s.api('GET', '/api/records/deal', undefined, as('rep1'));
    for (const d of list.body.data) expect(d).not.toHaveProperty('margin');
    const mgr = await s.api('GET', `/api/records/deal/${deal.d1}`, undefined, as('mgr'));
    expect(mgr.body.margin).toBe(4711);
    const h = await s.api('GET', `/api/records/deal/${deal.d1}/history`, undefined, as('rep1'));
    expect(h.status).toBe(200);
    expect(h.body.data.map((e: { field: string }) => e.field)).not.toContain('margin');
  });

  it('lets a rep create only records they own, and never with forbidden fields', async () => {
    const own = await s.api('POST', '/api/records/deal', { title: 'mine' }, as('rep2'));
    expect(own.status).toBe(201);
    expect(own.body.owner).toBe('rep2');
    const other = await s.api(
      'POST',
      '/api/records/deal',
      { title: 'for rep3', owner: 'rep3' },
      as('rep2'),
    );
    expect(other.status).toBe(403);
    const margin = await s.api('POST', '/api/records/deal', { title: 'm', margin: 5 }, as('rep2'));
    expect(margin.status).toBe(403);
    expect(margin.body.errors[0]).toMatchObject({ path: '/margin', field: 'margin' });
    const count = await s.api(
      'GET',
      `/api/records/deal?count=true&filter=${q({ title: 'for rep3' })}`,
      undefined,
      admin(),
    );
    expect(count.body.count).toBe(0); // the refused create left nothing behind
  });

  it('GET /api/auth/me returns the user, roles and packed CASL rules with their context', async () => {
    const me = await s.api('GET', '/api/auth/me', undefined, as('rep1'));
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ login: 'rep1' });
    expect(me.body.roles).toEqual(['rep']);
    expect(me.body.rules.length).toBeGreaterThan(0);
    expect(JSON.stringify(me.body.rules)).toContain('$sharedWithMe');
    const mgr = await s.api('GET', '/api/auth/me', undefined, as('mgr'));
    expect(mgr.body.context.departmentTree).toHaveLength(3);
    const lead = await s.api('GET', '/api/auth/me', undefined, as('lead'));
    expect(lead.body.context.subordinates.sort()).toEqual(['rep1', 'rep2']);
  });

  describe('attacks', () => {
    it.each([
      ['filter on a hidden field', `filter=${q({ margin: { gt: 10 } })}`, 'FILTER_INVALID'],
      [
        'filter on a hidden field inside or',
        `filter=${q({ or: [{ title: 'd1' }, { margin: 4711 }] })}`,
        'FILTER_INVALID',
      ],
      ['sort on a hidden field', 'sort=-margin', 'QUERY_INVALID'],
      ['select a hidden field', 'fields=title,margin', 'FIELD_UNKNOWN'],
      ['SQL in a field name', `filter=${q({ 'title` OR 1=1 --': 'x' })}`, 'FILTER_INVALID'],
      ['SQL in a sort', 'sort=title;DROP TABLE e_deal', 'QUERY_INVALID'],
    ])('%s is refused and returns no rows', async (_name, query, code) => {
      const r = await s.api('GET', `/api/records/deal?${query}`, undefined, as('rep1'));
      expect(r.status).toBe(400);
      expect(r.body.code).toBe(code);
      expect(r.body.data).toBeUndefined();
      expect(JSON.stringify(r.body)).not.toContain('4711');
    });

    it('SQL text in a filter value is only a value', async () => {
      const r = await s.api(
        'GET',
        `/api/records/deal?filter=${q({ title: "x' OR '1'='1" })}`,
        undefined,
        as('rep1'),
      );
      expect(r.status).toBe(200);
      expect(r.body.data).toEqual([]);
      const still = await titles('rep1');
      expect(still.titles).toEqual(['d1', 'd5']);
    });

    it('a filter through a relation cannot probe a related record the user may not read', async () => {
      const probe = await s.api(
        'GET',
        `/api/records/deal?filter=${q({ 'account.name': 'a2' })}`,
        undefined,
        as('rep1'),
      );
      expect(probe.status).toBe(200);
      expect(probe.body.data).toEqual([]); // d1 points at a2, but a2 is not rep1's to read
      const own = await s.api(
        'GET',
        `/api/records/deal?filter=${q({ 'account.name': 'a2' })}`,
        undefined,
        as('mgr'),
      );
      expect(own.body.data.map((d: { title: string }) => d.title)).toEqual(['d1']);
    });

    it('an include never shows a related record outside the conditions', async () => {
      const r = await s.api(
        'GET',
        `/api/records/deal/${deal.d1}?include=account`,
        undefined,
        as('rep1'),
      );
      expect(r.status).toBe(200);
      expect(r.body.account).toBe(account.a2); // the reference itself is a readable field
      expect(r.body._related.account).toBeNull(); // but the admin's account is not readable
      const inv = await s.api(
        'GET',
        `/api/records/account/${account.a1}?include=deals`,
        undefined,
        as('rep1'),
      );
      for (const d of inv.body._related.deals) expect(d).not.toHaveProperty('margin');
      expect(inv.body._related.deals.map((d: { title: string }) => d.title)).toEqual([]);
    });

    it('many-to-many values list only the linked records the user may read', async () => {
      const d = (
        await s.api(
          'POST',
          '/api/records/deal',
          { title: 'linked', owner: 'rep1', partners: [account.a1, account.a2] },
          admin(),
        )
      ).body;
      // rep1 reads accounts they own (a1), not a2: a2's id must not show through the link
      const seen = await s.api('GET', `/api/records/deal/${d.id}`, undefined, as('rep1'));
      expect(seen.body.partners).toEqual([account.a1]);
      const all = await s.api('GET', `/api/records/deal/${d.id}`, undefined, admin());
      expect(all.body.partners.sort()).toEqual([account.a1, account.a2].sort());
      await s.api('DELETE', `/api/records/deal/${d.id}?version=${d.version}`, undefined, admin());
    });

    it('a stored file is readable only through a record the user may read', async () => {
      const form = new FormData();
      form.append('file', new Blob(['%PDF-1.4 secret'], { type: 'application/pdf' }), 'c.pdf');
      const up = await fetch(`${s.url}/api/files`, {
        method: 'POST',
        body: form,
        headers: admin(),
      });
      const file = (await up.json()) as { id: string };
      const d = (
        await s.api(
          'POST',
          '/api/records/deal',
          { title: 'with contract', owner: 'rep3', contract: file.id },
          admin(),
        )
      ).body;
      const get = (who: string, suffix = '') =>
        fetch(`${s.url}/api/files/${file.id}${suffix}`, { headers: as(who) });
      expect((await get('rep3')).status).toBe(200);
      expect(await (await get('rep3')).text()).toBe('%PDF-1.4 secret');
      // rep1 may not read rep3's deal: the file answers like a missing one, also its metadata
      for (const suffix of ['', '/meta']) {
        const r = await get('rep1', suffix);
        expect(r.status).toBe(404);
        expect(((await r.json()) as { code: string }).code).toBe('FILE_NOT_FOUND');
      }
      await s.api('DELETE', `/api/records/deal/${d.id}?version=${d.version}`, undefined, admin());
    });

    it('owner change to escape "own records" is refused and changes nothing', async () => {
      const before = await s.api('GET', `/api/records/deal/${deal.d1}`, undefined, as('rep1'));
      const r = await s.api(
        'PATCH',
        `/api/records/deal/${deal.d1}`,
        { owner: 'rep3', version: before.body.version },
        as('rep1'),
      );
      expect(r.status).toBe(403);
      const after = await s.api('GET', `/api/records/deal/${deal.d1}`, undefined, admin());
      expect(after.body.owner).toBe('rep1');
      expect(after.body.version).toBe(before.body.version);
    });

    it('ids outside the conditions answer exactly like missing ids', async () => {
      const hidden = await s.api('GET', `/api/records/deal/${deal.d3}`, undefined, as('rep1'));
      const missing = await s.api('GET', '/api/records/deal/999999', undefined, as('rep1'));
      expect(hidden.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(hidden.body.code).toBe(missing.body.code);
      expect(JSON.stringify(hidden.body)).not.toContain('rep3');
      const patch = await s.api(
        'PATCH',
        `/api/records/deal/${deal.d3}`,
        { title: 'x', version: 1 },
        as('rep1'),
      );
      expect(patch.status).toBe(404);
    });

    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    it.each([
      ['no token', undefined],
      ['garbage', 'Bearer abc'],
      [
        'alg none',
        `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'admin', uid: 1, iat: 0, exp: 9e9, jti: 'x' })}.`,
      ],
      [
        'forged signature',
        `Bearer ${(() => {
          const h = b64({ alg: 'HS256', typ: 'JWT' });
          const p = b64({ sub: 'admin', uid: 1, iat: 0, exp: 9e9, jti: 'x' });
          const sig = createHmac('sha256', 'not the server secret, 32 bytes long')
            .update(`${h}.${p}`)
            .digest('base64url');
          return `${h}.${p}.${sig}`;
        })()}`,
      ],
      ['unknown API token', 'Bearer crmapi_nope'],
    ])('%s → 401', async (_n, auth) => {
      const r = await s.api(
        'GET',
        '/api/records/deal',
        undefined,
        auth ? { authorization: auth } : { 'x-no-auth': '1' },
      );
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('UNAUTHENTICATED');
      expect(r.body.data).toBeUndefined();
    });

    it('health and docs stay public', async () => {
      expect((await s.api('GET', '/api/health', undefined, { 'x-no-auth': '1' })).status).toBe(200);
      expect((await s.api('GET', '/api/docs-json', undefined, { 'x-no-auth': '1' })).status).toBe(
        200,
      );
    });

    it('an expired access token is refused; refresh rotates; a revoked refresh token is refused', async () => {
      const l = await login('rep2');
      expect(l.status).toBe(200);
      s.clock.advance(901 * 1000);
      const expired = await s.api('GET', '/api/auth/me', undefined, {
        authorization: `Bearer ${l.body.accessToken}`,
      });
      expect(expired.status).toBe(401);
      expect(expired.body.message).toContain('expired');
      const r1 = await s.api(
        'POST',
        '/api/auth/refresh',
        { refreshToken: l.body.refreshToken },
        { 'x-no-auth': '1' },
      );
      expect(r1.status).toBe(200);
      const ok = await s.api('GET', '/api/auth/me', undefined, {
        authorization: `Bearer ${r1.body.accessToken}`,
      });
      expect(ok.status).toBe(200);
      // the old refresh token was revoked by the rotation; replaying it ends every session
      const replay = await s.api(
        'POST',
        '/api/auth/refresh',
        { refreshToken: l.body.refreshToken },
        { 'x-no-auth': '1' },
      );
      expect(replay.status).toBe(401);
      const after = await s.api(
        'POST',
        '/api/auth/refresh',
        { refreshToken: r1.body.refreshToken },
        { 'x-no-auth': '1' },
      );
      expect(after.status).toBe(401);
      // logout revokes
      const l2 = await login('rep2');
      const other = await login('rep2');
      await s.api(
        'POST',
        '/api/auth/logout',
        { refreshToken: l2.body.refreshToken },
        {
          authorization: `Bearer ${l2.body.accessToken}`,
        },
      );
      // its access token goes with it, while another session of the same user lives on
      const me = (t: { body: { accessToken: string } }) =>
        s.api('GET', '/api/auth/me', undefined, { authorization: `Bearer ${t.body.accessToken}` });
      expect((await me(l2)).status).toBe(401);
      expect((await me(other)).status).toBe(200);
      // presenting the revoked refresh token again reads as theft: every session ends
      const gone = await s.api(
        'POST',
        '/api/auth/refresh',
        { refreshToken: l2.body.refreshToken },
        { 'x-no-auth': '1' },
      );
      expect(gone.status).toBe(401);
      expect((await me(other)).status).toBe(401);
      // logout everywhere (no refresh token named) also voids the access tokens already issued
      const a = await login('rep2');
      const b = await login('rep2');
      const bearer = (t: { body: { accessToken: string } }) => ({
        authorization: `Bearer ${t.body.accessToken}`,
      });
      expect((await s.api('GET', '/api/auth/me', undefined, bearer(b))).status).toBe(200);
      expect((await s.api('POST', '/api/auth/logout', {}, bearer(a))).status).toBe(204);
      for (const t of [a, b])
        expect((await s.api('GET', '/api/auth/me', undefined, bearer(t))).status).toBe(401);
      expect((await login('rep2')).status).toBe(200);
      for (const u of token.keys())
        token.set(u, (await login(u, u === 'admin' ? ADMIN_PASSWORD : PASSWORD)).body.accessToken);
    });

    it('brute-force login is rate-limited per user, then allowed again after the window', async () => {
      for (let i = 0; i < 5; i++)
        expect((await login('deptuser', `wrong-${i}-password`)).status).toBe(401);
      const limited = await login('deptuser');
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('RATE_LIMITED');
      s.clock.advance(901 * 1000);
      expect((await login('deptuser')).status).toBe(200);
      for (const u of token.keys())
        token.set(u, (await login(u, u === 'admin' ? ADMIN_PASSWORD : PASSWORD)).body.accessToken);
    });

    it('a password change needs the current password, refuses weak ones and ends sessions', async () => {
      const l = await login('rep3');
      const auth = { authorization: `Bearer ${l.body.accessToken}` };
      const wrong = await s.api(
        'POST',
        '/api/auth/password',
        { currentPassword: 'not-it-123456', newPassword: 'another-password-2' },
        auth,
      );
      expect(wrong.status).toBe(403);
      const weak = await s.api(
        'POST',
        '/api/auth/password',
        { currentPassword: PASSWORD, newPassword: 'short' },
        auth,
      );
      expect(weak.status).toBe(400);
      expect(weak.body.errors[0].path).toBe('/newPassword');
      const ok = await s.api(
        'POST',
        '/api/auth/password',
        { currentPassword: PASSWORD, newPassword: 'another-password-2' },
        auth,
      );
      expect(ok.status).toBe(204);
      const refresh = await s.api(
        'POST',
        '/api/auth/refresh',
        { refreshToken: l.body.refreshToken },
        { 'x-no-auth': '1' },
      );
      expect(refresh.status).toBe(401);
      // the access token of the old password dies with it, not at its expiry
      const stale = await s.api('GET', '/api/auth/me', undefined, auth);
      expect(stale.status).toBe(401);
      expect(stale.body.message).toContain('password change');
      expect((await login('rep3')).status).toBe(401);
      const fresh = await login('rep3', 'another-password-2');
      expect(fresh.status).toBe(200);
      await s.api(
        'POST',
        '/api/auth/password',
        { currentPassword: 'another-password-2', newPassword: PASSWORD },
        { authorization: `Bearer ${fresh.body.accessToken}` },
      );
      token.set('rep3', (await login('rep3')).body.accessToken);
    });

    it('brute force spread over many logins is rate-limited per address', async () => {
      s.clock.advance(901 * 1000); // start from an empty window: earlier tests failed logins too
      for (let i = 0; i < 20; i++)
        expect((await login(`nobody${i}`, 'wrong-password-1')).status).toBe(401);
      const limited = await login('mgr');
      expect(limited.status).toBe(429);
      expect(limited.body.errors[0].path).toBe('address');
      s.clock.advance(901 * 1000);
      expect((await login('mgr')).status).toBe(200);
      for (const u of token.keys())
        token.set(u, (await login(u, u === 'admin' ? ADMIN_PASSWORD : PASSWORD)).body.accessToken);
    });

    it('API tokens act as their user and stop working when revoked', async () => {
      const user = (await s.api('GET', '/api/admin/users', undefined, admin())).body.data.find(
        (u: { login: string }) => u.login === 'rep2',
      );
      const t = await s.api(
        'POST',
        `/api/admin/users/${user.id}/api-tokens`,
        { name: 'erp' },
        admin(),
      );
      expect(t.status).toBe(201);
      const list = await s.api('GET', '/api/records/deal', undefined, {
        authorization: `Bearer ${t.body.token}`,
      });
      expect(list.body.data.map((d: { title: string }) => d.title)).toContain('d2');
      expect(list.body.data.map((d: { title: string }) => d.title)).not.toContain('d1');
      await s.api(
        'DELETE',
        `/api/admin/users/${user.id}/api-tokens/${t.body.id}`,
        undefined,
        admin(),
      );
      const after = await s.api('GET', '/api/records/deal', undefined, {
        authorization: `Bearer ${t.body.token}`,
      });
      expect(after.status).toBe(401);
    });

    it('non-admins cannot use the admin API or change metadata', async () => {
      const users = await s.api('GET', '/api/admin/users', undefined, as('mgr'));
      expect(users.status).toBe(403);
      const put = await s.api(
        'PUT',
        '/api/meta/documents/role/rep',
        { label: { 'zh-CN': 'x', en: 'x' }, rules: [] },
        as('rep1'),
      );
      expect(put.status).toBe(403);
    });

    it('every denial is in the audit trail with user, action, subject and reason', async () => {
      await s.api('GET', '/api/admin/users', undefined, as('rep3'));
      const audit = await s.api(
        'GET',
        '/api/admin/audit?outcome=denied&limit=500',
        undefined,
        admin(),
      );
      expect(audit.status).toBe(200);
      const rep1 = audit.body.data.filter((e: { actor: string }) => e.actor === 'rep1');
      expect(rep1).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'update',
            subject: 'deal',
            detail: expect.objectContaining({ fields: ['margin'] }),
          }),
        ]),
      );
      expect(
        audit.body.data.some(
          (e: { actor: string; subject: string }) => e.actor === 'rep3' && e.subject === 'User',
        ),
      ).toBe(true);
    });
  });

  describe('probing', () => {
    it('a hidden record answers 404 like a missing one, and the probe is audited', async () => {
      expect(
        (await s.api('GET', `/api/records/deal/${deal.d2}`, undefined, as('rep1'))).status,
      ).toBe(404);
      expect((await s.api('GET', '/api/records/deal/99999999', undefined, as('rep1'))).status).toBe(
        404,
      );
      const denied = await eventually(async () => {
        const rows = (
          await s.api('GET', '/api/admin/audit?outcome=denied&limit=500', undefined, admin())
        ).body.data as Array<{ actor: string; subject: string; detail: { reason: string } }>;
        const hit = rows.filter((r) => r.actor === 'rep1' && r.subject.startsWith('deal/'));
        if (!hit.some((r) => r.subject === `deal/${deal.d2}`)) throw new Error('not yet');
        return hit;
      });
      expect(denied.find((r) => r.subject === `deal/${deal.d2}`)!.detail.reason).toContain(
        'answered as not found',
      );
      // a record that does not exist is not a denial
      expect(denied.some((r) => r.subject === 'deal/99999999')).toBe(false);
    });
  });

  describe('sessions', () => {
    it('a refresh racing "log out everywhere" never leaves a live session behind', async () => {
      for (let round = 0; round < 40; round++) {
        const victim = await login('lead');
        const [refreshed] = await Promise.all([
          s.api(
            'POST',
            '/api/auth/refresh',
            { refreshToken: victim.body.refreshToken },
            { 'x-no-auth': '1' },
          ),
          s.api(
            'POST',
            '/api/auth/logout',
            {},
            { authorization: `Bearer ${victim.body.accessToken}` },
          ),
        ]);
        if (refreshed.status !== 200) continue; // the logout went first: nothing to steal
        const me = await s.api('GET', '/api/auth/me', undefined, {
          authorization: `Bearer ${refreshed.body.accessToken}`,
        });
        expect(me.status).toBe(401);
        const again = await s.api(
          'POST',
          '/api/auth/refresh',
          { refreshToken: refreshed.body.refreshToken },
          { 'x-no-auth': '1' },
        );
        expect(again.status).toBe(401);
      }
      token.set('lead', (await login('lead')).body.accessToken);
    });
  });

  describe('role changes', () => {
    it('are refused to non-admins and audited with the roles they change', async () => {
      const doc = (await s.api('GET', '/api/meta/documents/role/dept', undefined, admin())).body;
      const changed = { ...doc, description: { 'zh-CN': '部门', en: 'Own department' } };
      const sneaky = await s.api('PUT', '/api/meta/documents/role/dept', changed, as('rep3'));
      expect(sneaky.status).toBe(403);
      expect((await s.api('PUT', '/api/meta/documents/role/dept', changed, admin())).status).toBe(
        200,
      );
      const applied = await s.api('POST', '/api/meta/apply', {}, admin());
      expect(applied.status).toBe(200);
      const ok = (await s.api('GET', '/api/admin/audit?outcome=ok&limit=50', undefined, admin()))
        .body.data as Array<{ actor: string; action: string; subject: string; detail: unknown }>;
      expect(ok).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ actor: 'admin', action: 'metadata.put', subject: 'role/dept' }),
          expect.objectContaining({
            actor: 'admin',
            action: 'metadata.apply',
            subject: `revision/${applied.body.revision}`,
            detail: expect.objectContaining({ roles: ['dept'] }),
          }),
        ]),
      );
    });
  });

  describe('red-team findings', () => {
    /** A deal of rep1 made by the admin, with a hidden margin and links rep1 partly cannot read. */
    const hiddenDeal = async (title: string) => {
      const r = await s.api(
        'POST',
        '/api/records/deal',
        {
          title,
          owner: 'rep1',
          margin: 4711,
          account: account.a2,
          partners: [account.a1, account.a2],
        },
        admin(),
      );
      expect(r.status).toBe(201);
      return r.body as { id: number; version: number };
    };
    /** Soft-deletes a deal, so later tests that list deals do not see it. */
    const drop = async (id: number) => {
      const cur = await s.api('GET', `/api/records/deal/${id}`, undefined, admin());
      const del = `/api/records/deal/${id}?version=${cur.body.version}`;
      expect((await s.api('DELETE', del, undefined, admin())).status).toBe(204);
    };
    const upload = async (who: string, text: string) => {
      const form = new FormData();
      form.append('file', new Blob([text], { type: 'application/pdf' }), 'x.pdf');
      const up = await fetch(`${s.url}/api/files`, {
        method: 'POST',
        body: form,
        headers: as(who),
      });
      expect(up.status).toBe(201);
      return ((await up.json()) as { id: string }).id;
    };
    /** The error body with one id replaced, to compare a hidden id with a missing one. */
    // the same answer but for the id the caller sent (in the message and in params.id)
    const shape = (
      body: { errors: Array<{ message: string; params?: Record<string, unknown> }> },
      id: string | number,
    ) =>
      body.errors.map((e) => ({
        ...e,
        message: e.message.replace(String(id), '<id>'),
        ...(e.params && {
          params: { ...e.params, ...(e.params.id === id && { id: '<id>' }) },
        }),
      }));

    it('a version conflict shows the record only as GET does (PATCH and bulk)', async () => {
      const d = await hiddenDeal('conflict');
      const seen = await s.api('GET', `/api/records/deal/${d.id}`, undefined, as('rep1'));
      expect(seen.body).not.toHaveProperty('margin');
      expect(seen.body.partners).toEqual([account.a1]);
      const patch = await s.api(
        'PATCH',
        `/api/records/deal/${d.id}`,
        { title: 'x', version: d.version + 7 },
        as('rep1'),
      );
      const bulk = await s.api(
        'POST',
        '/api/records/deal/bulk',
        { records: [{ id: d.id, version: d.version + 7, title: 'x' }] },
        as('rep1'),
      );
      for (const r of [patch, bulk]) {
        expect(r.status).toBe(409);
        expect(r.body.code).toBe('VERSION_CONFLICT');
        expect(r.body.current).toEqual(seen.body);
        expect(JSON.stringify(r.body)).not.toContain('4711');
      }
      // the admin still gets the whole record
      const full = await s.api(
        'PATCH',
        `/api/records/deal/${d.id}`,
        { title: 'x', version: d.version + 7 },
        admin(),
      );
      expect(full.body.current).toMatchObject({ margin: 4711 });
      await drop(d.id);
    });

    it('a version conflict of a user who may update but not read carries no record', async () => {
      const cur = await s.api('GET', `/api/records/deal/${deal.d3}`, undefined, admin());
      const stale = await s.api(
        'PATCH',
        `/api/records/deal/${deal.d3}`,
        { title: 'd3', version: cur.body.version + 7 },
        as('writer'),
      );
      expect(stale.status).toBe(409);
      expect(stale.body.code).toBe('VERSION_CONFLICT');
      expect(stale.body).not.toHaveProperty('current');
      expect(JSON.stringify(stale.body)).not.toContain('4711');
    });

    it('a user who may update but not read gets the write done and only the id back', async () => {
      const cur = await s.api('GET', `/api/records/deal/${deal.d3}`, undefined, admin());
      const r = await s.api(
        'PATCH',
        `/api/records/deal/${deal.d3}`,
        { title: 'd3 written blind', version: cur.body.version },
        as('writer'),
      );
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ id: deal.d3 });
      const now = await s.api('GET', `/api/records/deal/${deal.d3}`, undefined, admin());
      expect(now.body.title).toBe('d3 written blind');
      await s.api(
        'PATCH',
        `/api/records/deal/${deal.d3}`,
        { title: 'd3', version: now.body.version },
        admin(),
      );
    });

    it('a file field accepts only files the writer may read, and answers others like unknown ones', async () => {
      const secret = await upload('rep3', '%PDF secret of rep3');
      const missing = '00000000-0000-4000-8000-000000000000';
      const attach = (contract: string) =>
        s.api('POST', '/api/records/deal', { title: 'steal', contract }, as('rep1'));
      const hidden = await attach(secret);
      const unknown = await attach(missing);
      expect(hidden.status).toBe(400);
      expect(hidden.body.code).toBe('RECORD_INVALID');
      expect(hidden.body.code).toBe(unknown.body.code);
      expect(shape(hidden.body, secret)).toEqual(shape(unknown.body, missing));
      expect(hidden.body.errors[0].path).toBe('/contract');
      // nor through an update of an own record
      const own = (await s.api('POST', '/api/records/deal', { title: 'own' }, as('rep1'))).body;
      const patch = await s.api(
        'PATCH',
        `/api/records/deal/${own.id}`,
        { contract: secret, version: own.version },
        as('rep1'),
      );
      expect(patch.status).toBe(400);
      expect((await fetch(`${s.url}/api/files/${secret}`, { headers: as('rep1') })).status).toBe(
        404,
      );
      // an own upload is fine, and so is sending back the value the record holds
      const mine = await upload('rep1', '%PDF mine');
      const set = await s.api(
        'PATCH',
        `/api/records/deal/${own.id}`,
        { contract: mine, version: own.version },
        as('rep1'),
      );
      expect(set.status).toBe(200);
      const again = await s.api(
        'PATCH',
        `/api/records/deal/${own.id}`,
        { contract: mine, title: 'own 2', version: set.body.version },
        as('rep1'),
      );
      expect(again.status).toBe(200);
      await drop(own.id);
    });

    it('relation ids the writer may not read answer exactly like missing ids', async () => {
      for (const [field, hidden, missing] of [
        ['account', account.a2, 999999],
        ['partners', [account.a2], [999999]],
      ] as const) {
        const write = (v: unknown) =>
          s.api('POST', '/api/records/deal', { title: 'probe', [field]: v }, as('rep1'));
        const a = await write(hidden);
        const b = await write(missing);
        expect(a.status).toBe(400);
        expect(a.body.code).toBe(b.body.code);
        expect(shape(a.body, account.a2)).toEqual(shape(b.body, 999999));
        expect(a.body.errors[0].path).toBe(`/${field}`);
      }
      const ok = await s.api(
        'POST',
        '/api/records/deal',
        { title: 'readable', account: account.a1, partners: [account.a1] },
        as('rep1'),
      );
      expect(ok.status).toBe(201);
      // a value the record already holds may be sent back unchanged (forms send whole records)
      const d = await hiddenDeal('keep account');
      const back = await s.api(
        'PATCH',
        `/api/records/deal/${d.id}`,
        { account: account.a2, title: 'kept', version: d.version },
        as('rep1'),
      );
      expect(back.status).toBe(200);
      await drop(ok.body.id);
      await drop(d.id);
    });

    it('replacing many-to-many links keeps the links the writer cannot see', async () => {
      const d = await hiddenDeal('keep links');
      const r = await s.api(
        'PATCH',
        `/api/records/deal/${d.id}`,
        { partners: [], version: d.version },
        as('rep1'),
      );
      expect(r.status).toBe(200);
      expect(r.body.partners).toEqual([]);
      const all = await s.api('GET', `/api/records/deal/${d.id}`, undefined, admin());
      expect(all.body.partners).toEqual([account.a2]);
      await drop(d.id);
    });

    it('history does not show links to records the user may not read', async () => {
      const d = await hiddenDeal('linked history');
      const upd = await s.api(
        'PATCH',
        `/api/records/deal/${d.id}`,
        { partners: [], version: d.version },
        as('rep1'),
      );
      expect(upd.status).toBe(200);
      const h = await s.api('GET', `/api/records/deal/${d.id}/history`, undefined, as('rep1'));
      const rel = h.body.data.filter((e: { field: string }) =>
        ['partners', 'account'].includes(e.field),
      );
      expect(rel).toEqual([
        expect.objectContaining({ field: 'account', old: null, new: null }),
        expect.objectContaining({ field: 'partners', old: null, new: [account.a1] }),
        expect.objectContaining({ field: 'partners', old: [account.a1], new: [] }),
      ]);
      const adminH = await s.api('GET', `/api/records/deal/${d.id}/history`, undefined, admin());
      expect(JSON.stringify(adminH.body)).toContain(`"new":[${account.a2}]`);
      await drop(d.id);
    });

    it('a many-to-many filter matches only through records the user may read', async () => {
      const d = await hiddenDeal('linked filter');
      await s.api(
        'PATCH',
        `/api/records/deal/${d.id}`,
        { partners: [], version: d.version },
        as('rep1'),
      );
      const probe = async (filter: unknown, who = 'rep1') =>
        (
          await s.api('GET', `/api/records/deal?filter=${q(filter)}`, undefined, as(who))
        ).body.data.map((x: { id: number }) => x.id);
      expect(await probe({ partners: { contains: account.a2 } })).toEqual([]);
      expect(await probe({ partners: { in: [account.a2] } })).toEqual([]);
      expect(await probe({ title: 'linked filter', partners: { isNull: false } })).toEqual([]);
      expect(await probe({ title: 'linked filter', partners: { isNull: true } })).toEqual([d.id]);
      const admin2 = await s.api(
        'GET',
        `/api/records/deal?filter=${q({ partners: { contains: account.a2 } })}`,
        undefined,
        admin(),
      );
      expect(admin2.body.data.map((x: { id: number }) => x.id)).toEqual([d.id]);
      await drop(d.id);
    });

    it('restoring a deleted record needs delete, not update', async () => {
      const d = await hiddenDeal('restore me');
      await drop(d.id);
      const rep = await s.api('POST', `/api/records/deal/${d.id}/restore`, undefined, as('rep1'));
      expect(rep.status).toBe(403);
      expect(rep.body.code).toBe('FORBIDDEN');
      const gone = await s.api('GET', `/api/records/deal/${d.id}`, undefined, admin());
      expect(gone.status).toBe(404);
      const ok = await s.api('POST', `/api/records/deal/${d.id}/restore`, undefined, admin());
      expect(ok.status).toBe(200);
      await drop(d.id);
    });

    it('a huge many-to-many list is a 400 naming the field, not a 500', async () => {
      const huge = Array.from({ length: 40000 }, (_, i) => i + 1);
      const one = await s.api(
        'POST',
        '/api/records/deal',
        { title: 'huge', partners: huge },
        as('rep1'),
      );
      const bulk = await s.api(
        'POST',
        '/api/records/deal/bulk',
        { records: [{ title: 'huge', partners: huge }] },
        as('rep1'),
      );
      for (const [r, path] of [
        [one, '/partners'],
        [bulk, '/records/0/partners'],
      ] as const) {
        expect(r.status).toBe(400);
        expect(r.body.code).toBe('RECORD_INVALID');
        expect(r.body.errors).toEqual([expect.objectContaining({ path })]);
      }
    });
  });

  it.each([
    ['unknown entity', { action: 'read', subject: 'nosuch' }, '/rules/0/subject'],
    ['unknown field', { action: 'read', subject: 'deal', fields: ['nosuch'] }, '/rules/0/fields/0'],
    [
      'unknown placeholder',
      { action: 'read', subject: 'deal', conditions: { owner: '$boss' } },
      '/rules/0/conditions/owner',
    ],
    [
      'placeholder on a number',
      { action: 'read', subject: 'deal', conditions: { margin: '$me' } },
      '/rules/0/conditions/margin',
    ],
    ['unknown action', { action: 'approve', subject: 'deal' }, '/rules/0/action'],
  ])('a role with an %s is refused with its pointer', async (_n, rule, pointer) => {
    const put = await s.api(
      'PUT',
      '/api/meta/documents/role/broken',
      { label: { 'zh-CN': 'x', en: 'x' }, rules: [rule] },
      admin(),
    );
    const r = put.status === 200 ? await s.api('POST', '/api/meta/plan', {}, admin()) : put;
    await s.api('DELETE', '/api/meta/draft', undefined, admin());
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('METADATA_INVALID');
    expect(r.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: pointer })]),
    );
  });

  it('a role edited through draft → plan → apply takes effect', async () => {
    const put = await s.api(
      'PUT',
      '/api/meta/documents/role/dept',
      {
        label: { 'zh-CN': 'd', en: 'd' },
        rules: [{ action: 'read', subject: 'deal', conditions: { owner: '$myDepartmentTree' } }],
      },
      admin(),
    );
    expect(put.status).toBe(200);
    expect((await s.api('POST', '/api/meta/apply', {}, admin())).status).toBe(200);
    expect((await titles('deptuser')).titles).toEqual(['d1', 'd2', 'd4', 'mine']);
  });
  it('moving a user to another department changes what their manager sees at once', async () => {
    const users = (await s.api('GET', '/api/admin/users', undefined, admin())).body.data;
    const rep3 = users.find((u: { login: string }) => u.login === 'rep3');
    const rep1 = users.find((u: { login: string }) => u.login === 'rep1');
    expect((await titles('mgr')).titles).not.toContain('d3');
    const moved = await s.api(
      'PATCH',
      `/api/admin/users/${rep3.id}`,
      { departmentId: rep1.departmentId },
      admin(),
    );
    expect(moved.status).toBe(200);
    expect((await titles('mgr')).titles).toEqual(expect.arrayContaining(['d3', 'd5']));
    await s.api(
      'PATCH',
      `/api/admin/users/${rep3.id}`,
      { departmentId: rep3.departmentId },
      admin(),
    );
    expect((await titles('mgr')).titles).not.toContain('d3');
  });
});
