import { DIALECTS, type TestServer, q, startServer } from './support/harness';
import { BASE_FILES } from './support/fixtures';

describe.each(DIALECTS)('records API on %s', (dialect) => {
  let s: TestServer;
  let acme: any;
  let globex: any;
  let tags: any[];

  beforeAll(async () => {
    // A small pool makes a connection leak or a pool deadlock (a transaction waiting for a second
    // connection) show up at once in the parallel tests below instead of only on slow machines.
    s = await startServer(dialect, BASE_FILES, { DB_POOL_SIZE: '3' });
    acme = (
      await s.api('POST', '/api/records/account', { name: 'Acme', city: 'Shanghai', rating: 5 })
    ).body;
    globex = (
      await s.api('POST', '/api/records/account', { name: 'Globex', city: 'Beijing', rating: 3 })
    ).body;
    tags = [];
    for (const label of ['vip', 'new', 'cold'])
      tags.push((await s.api('POST', '/api/records/tag', { label })).body);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('applies the metadata/ files at start-up and reports health', async () => {
    const res = await s.api('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      database: dialect,
      metadataRevision: 1,
      entities: 3,
    });
  });

  it('round-trips every field type', async () => {
    const file = new FormData();
    file.append('file', new Blob(['%PDF-1.4 test'], { type: 'application/pdf' }), '合同.pdf');
    const upload = await fetch(`${s.url}/api/files`, {
      method: 'POST',
      body: file,
      headers: { 'x-user': 'tester' },
    });
    expect(upload.status).toBe(201);
    const stored = (await upload.json()) as { id: string; size: number; name: string };
    expect(stored).toMatchObject({ size: 13, name: '合同.pdf' });

    const input = {
      title: 'Big deal',
      notes: 'long '.repeat(100),
      body: '<p>hello</p>',
      quantity: 7,
      weight: 12.345,
      amount: { amount: 99999.99, currency: 'USD' },
      probability: 62.5,
      won: true,
      startDate: '2026-01-10',
      closeDate: '2026-02-10',
      lastContact: '2026-03-01T10:20:30.456+08:00',
      email: 'li@example.com',
      phone: '+86 21 1234-5678',
      website: 'https://example.com/x',
      stage: 'won',
      channels: ['web', 'fair'],
      account: acme.id,
      tags: [tags[0].id, tags[2].id],
      contract: stored.id,
      extra: { nested: [1, 'two', { three: true }] },
    };
    const created = await s.api('POST', '/api/records/deal', input);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      ...input,
      lastContact: '2026-03-01T02:20:30.456Z',
      version: 1,
      createdBy: 'tester',
      owner: 'tester',
      deletedAt: null,
    });
    expect(created.body.number).toBe('SJ-260315-001');
    const read = await s.api('GET', `/api/records/deal/${created.body.id}`);
    expect(read.body).toEqual(created.body);
    const download = await fetch(`${s.url}/api/files/${stored.id}`);
    expect(await download.text()).toBe('%PDF-1.4 test');
  });

  it('applies defaults and the auto-number rule, and never duplicates numbers under concurrency, even with more requests than connections', async () => {
    const res = await s.api('POST', '/api/records/deal', { title: 'Defaults' });
    expect(res.body).toMatchObject({
      quantity: 1,
      won: false,
      stage: 'open',
      channels: [],
      tags: [],
      amount: null,
    });
    const many = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        s.api('POST', '/api/records/account', { name: `Parallel ${i}` }),
      ),
    );
    expect(many.map((r) => r.status)).toEqual(Array(30).fill(201));
    const codes = many.map((r) => r.body.code as string);
    expect(new Set(codes).size).toBe(30);
    for (const c of codes) expect(c).toMatch(/^KH-202603-\d{5}$/);
  });

  it('resets the auto-number counter when the period changes', async () => {
    s.clock.set(new Date('2026-04-01T00:00:01Z'));
    const res = await s.api('POST', '/api/records/account', { name: 'April first' });
    expect(res.body.code).toBe('KH-202604-00001');
    s.clock.set(new Date('2026-03-15T08:00:00.000Z'));
  });

  it('rejects a bad record listing every failing field', async () => {
    const res = await s.api('POST', '/api/records/deal', {
      title: 'bad <script>',
      quantity: -1,
      weight: 123456.1,
      amount: { amount: 'lots' },
      stage: 'maybe',
      channels: ['web', 'web'],
      email: 'not-an-email',
      startDate: '2026-13-01',
      account: 'x',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('RECORD_INVALID');
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        '/title',
        '/quantity',
        '/weight',
        '/amount/amount',
        '/stage',
        '/channels',
        '/email',
        '/startDate',
        '/account',
      ]),
    );
    const missing = await s.api('POST', '/api/records/deal', {});
    expect(missing.body.errors).toEqual([
      expect.objectContaining({ path: '/title', message: 'is required' }),
    ]);
  });

  it('checks the FEEL validation rule, in the caller locale', async () => {
    const bad = { title: 'Backwards', startDate: '2026-05-01', closeDate: '2026-04-01' };
    const en = await s.api('POST', '/api/records/deal', bad);
    expect(en.status).toBe(400);
    expect(en.body.errors).toEqual([
      expect.objectContaining({
        message: 'Close date must not be before start date',
        reason: 'rule:closeAfterStart',
      }),
    ]);
    const zh = await s.api('POST', '/api/records/deal', bad, {
      'accept-language': 'zh-CN,zh;q=0.9',
    });
    expect(zh.body.errors[0].message).toBe('结束日期不能早于开始日期');
    expect(
      (await s.api('POST', '/api/records/deal', { ...bad, closeDate: '2026-05-01' })).status,
    ).toBe(201);
  });

  it('refuses unknown entities, unknown fields, read-only fields, dangling relations and wrong file types', async () => {
    const unknownEntity = await s.api('GET', '/api/records/nope');
    expect(unknownEntity).toMatchObject({ status: 404, body: { code: 'ENTITY_NOT_FOUND' } });
    const unknownField = await s.api('POST', '/api/records/deal', { title: 'x', colour: 'red' });
    expect(unknownField).toMatchObject({
      status: 400,
      body: { code: 'FIELD_UNKNOWN', errors: [{ path: '/colour' }] },
    });
    const readOnly = await s.api('POST', '/api/records/deal', {
      title: 'x',
      number: 'SJ-1',
      createdAt: '2020-01-01T00:00:00Z',
    });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/createdAt',
      '/number',
    ]);
    const dangling = await s.api('POST', '/api/records/deal', {
      title: 'x',
      account: 999999,
      tags: [tags[0].id, 888888],
    });
    expect(dangling.status).toBe(400);
    expect(dangling.body.errors).toEqual([
      {
        path: '/account',
        message: 'account 999999 does not exist',
        reason: 'reference',
        params: { id: 999999 },
      },
      {
        path: '/tags',
        message: 'tag 888888 does not exist',
        reason: 'reference',
        params: { id: 888888 },
      },
    ]);
    const form = new FormData();
    form.append(
      'file',
      new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }),
      'x.png',
    );
    const png = (await (
      await fetch(`${s.url}/api/files`, { method: 'POST', body: form })
    ).json()) as { id: string };
    const wrongType = await s.api('POST', '/api/records/deal', { title: 'x', contract: png.id });
    expect(wrongType.body.errors[0].message).toContain('image/png is not accepted');
    const badJson = await s.api('POST', '/api/records/deal', '{"title": ');
    expect(badJson).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    const badId = await s.api('GET', '/api/records/deal/abc');
    expect(badId).toMatchObject({ status: 400, body: { code: 'QUERY_INVALID' } });
    const noRoute = await s.api('GET', '/api/nothing-here');
    expect(noRoute).toMatchObject({ status: 404, body: { code: 'ROUTE_NOT_FOUND' } });
  });

  it('answers 409 on a duplicate unique value, naming the field', async () => {
    const res = await s.api('POST', '/api/records/account', { name: 'Acme' });
    expect(res).toMatchObject({
      status: 409,
      body: { code: 'UNIQUE_VIOLATION', errors: [{ path: '/name' }] },
    });
  });

  it('updates with optimistic locking: a stale version gets 409 with the current record', async () => {
    const deal = (await s.api('POST', '/api/records/deal', { title: 'Lock me', quantity: 2 })).body;
    const first = await s.api('PATCH', `/api/records/deal/${deal.id}`, { version: 1, quantity: 3 });
    expect(first).toMatchObject({ status: 200, body: { quantity: 3, version: 2 } });
    const stale = await s.api('PATCH', `/api/records/deal/${deal.id}`, { version: 1, quantity: 4 });
    expect(stale).toMatchObject({
      status: 409,
      body: { code: 'VERSION_CONFLICT', current: { quantity: 3, version: 2 } },
    });
    const noVersion = await s.api('PATCH', `/api/records/deal/${deal.id}`, { quantity: 4 });
    expect(noVersion).toMatchObject({ status: 400, body: { errors: [{ path: '/version' }] } });
    // Two writers racing on the same version: exactly one wins.
    const race = await Promise.all(
      [2, 2, 2, 2].map((v, i) =>
        s.api('PATCH', `/api/records/deal/${deal.id}`, { version: v, quantity: 10 + i }),
      ),
    );
    expect(race.filter((r) => r.status === 200)).toHaveLength(1);
    expect(race.filter((r) => r.status === 409)).toHaveLength(3);
    // Rules are checked against the merged record.
    const rule = await s.api('PATCH', `/api/records/deal/${deal.id}`, {
      version: 3,
      startDate: '2026-06-01',
      closeDate: '2026-01-01',
    });
    expect(rule.status).toBe(400);
  });

  it('records history of every change: who, when, field, old, new', async () => {
    const deal = (await s.api('POST', '/api/records/deal', { title: 'History', stage: 'open' }))
      .body;
    await s.api(
      'PATCH',
      `/api/records/deal/${deal.id}`,
      { version: 1, stage: 'won', title: 'History 2' },
      { 'x-user': 'wang' },
    );
    await s.api('DELETE', `/api/records/deal/${deal.id}`, undefined, { 'x-user': 'zhao' });
    await s.api('POST', `/api/records/deal/${deal.id}/restore`);
    const h = await s.api('GET', `/api/records/deal/${deal.id}/history`);
    const updates = h.body.data.filter((e: { action: string }) => e.action === 'update');
    expect(updates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'wang', field: 'stage', old: 'open', new: 'won' }),
        expect.objectContaining({
          actor: 'wang',
          field: 'title',
          old: 'History',
          new: 'History 2',
        }),
      ]),
    );
    expect(h.body.data.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['create', 'update', 'delete', 'restore']),
    );
    expect(h.body.data.find((e: { action: string }) => e.action === 'delete').actor).toBe('zhao');
    expect(h.body.data[0].at).toBe('2026-03-15T08:00:00.000Z');
  });

  it('soft-deletes and restores', async () => {
    const deal = (await s.api('POST', '/api/records/deal', { title: 'Trash me' })).body;
    expect((await s.api('DELETE', `/api/records/deal/${deal.id}`)).status).toBe(204);
    expect((await s.api('GET', `/api/records/deal/${deal.id}`)).status).toBe(404);
    const trash = await s.api(
      'GET',
      `/api/records/deal?deleted=only&filter=${q({ title: 'Trash me' })}`,
    );
    expect(trash.body.data).toHaveLength(1);
    const restored = await s.api('POST', `/api/records/deal/${deal.id}/restore`);
    expect(restored).toMatchObject({ status: 200, body: { deletedAt: null, version: 3 } });
    expect((await s.api('GET', `/api/records/deal/${deal.id}`)).status).toBe(200);
  });

  describe('lists', () => {
    beforeAll(async () => {
      const rows = [
        {
          title: 'L-a',
          amount: { amount: 100 },
          stage: 'open',
          account: acme.id,
          channels: ['web'],
          tags: [tags[0].id],
          startDate: '2026-01-01',
          won: false,
        },
        {
          title: 'L-b',
          amount: { amount: 250.5 },
          stage: 'won',
          account: globex.id,
          channels: ['phone', 'web'],
          tags: [tags[1].id],
          startDate: '2026-02-01',
          won: true,
        },
        {
          title: 'L-c',
          amount: { amount: 250.5 },
          stage: 'lost',
          account: acme.id,
          channels: [],
          tags: [],
          won: false,
        },
        {
          title: 'L-d',
          stage: 'open',
          channels: ['fair'],
          tags: [tags[0].id, tags[1].id],
          startDate: '2026-03-01',
          won: true,
        },
        { title: 'L-e_%', amount: { amount: 5 }, stage: 'open', account: globex.id, won: false },
      ];
      const res = await s.api('POST', '/api/records/deal/bulk', { records: rows });
      expect(res.status).toBe(200);
    });
    const titles = async (filter: unknown, extra = ''): Promise<string[]> => {
      const res = await s.api(
        'GET',
        `/api/records/deal?filter=${q({ and: [{ title: { startsWith: 'L-' } }, filter] })}&sort=title&limit=100${extra}`,
      );
      expect(res.status).toBe(200);
      return res.body.data.map((r: { title: string }) => r.title);
    };

    it.each([
      ['eq', { stage: 'open' }, ['L-a', 'L-d', 'L-e_%']],
      ['ne', { stage: { ne: 'open' } }, ['L-b', 'L-c']],
      ['gt on currency', { amount: { gt: 100 } }, ['L-b', 'L-c']],
      ['gte + lte', { amount: { gte: 100, lte: 250.5 } }, ['L-a', 'L-b', 'L-c']],
      ['lt', { amount: { lt: 100 } }, ['L-e_%']],
      ['in', { stage: { in: ['won', 'lost'] } }, ['L-b', 'L-c']],
      ['nin keeps nulls', { startDate: { nin: ['2026-01-01'] } }, ['L-b', 'L-c', 'L-d', 'L-e_%']],
      ['contains (LIKE wildcards are literal)', { title: { contains: '_%' } }, ['L-e_%']],
      ['startsWith', { title: { startsWith: 'L-a' } }, ['L-a']],
      ['isNull', { account: { isNull: true } }, ['L-d']],
      ['boolean', { won: true }, ['L-b', 'L-d']],
      ['date range', { startDate: { gte: '2026-02-01' } }, ['L-b', 'L-d']],
      ['multiSelect contains', { channels: { contains: 'web' } }, ['L-a', 'L-b']],
      ['manyToMany contains', () => ({ tags: { contains: tags[1].id } }), ['L-b', 'L-d']],
      ['relation one hop', { 'account.name': 'Acme' }, ['L-a', 'L-c']],
      [
        'relation one hop with operator',
        { 'account.city': { startsWith: 'Bei' } },
        ['L-b', 'L-e_%'],
      ],
      ['or', { or: [{ stage: 'lost' }, { amount: { lt: 10 } }] }, ['L-c', 'L-e_%']],
      [
        'nested and/or',
        {
          or: [
            { and: [{ stage: 'open' }, { won: true }] },
            { 'account.name': 'Globex', stage: 'won' },
          ],
        },
        ['L-b', 'L-d'],
      ],
      ['currency code', { 'amount.currency': 'CNY', amount: { gte: 250 } }, ['L-b', 'L-c']],
    ])('filters with %s', async (_name, filter, expected) => {
      expect(await titles(typeof filter === 'function' ? filter() : filter)).toEqual(expected);
    });

    it('sorts on several fields and pages with a cursor through every row exactly once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: any = await s.api(
          'GET',
          `/api/records/deal?filter=${q({ title: { startsWith: 'L-' } })}&sort=-amount,title&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        seen.push(...res.body.data.map((r: { title: string }) => r.title));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      // NULL amounts sort last descending (as MySQL and SQLite both do)
      expect(seen).toEqual(['L-b', 'L-c', 'L-a', 'L-e_%', 'L-d']);
    });

    it('selects fields, counts and includes related records', async () => {
      const res = await s.api(
        'GET',
        `/api/records/deal?filter=${q({ title: 'L-b' })}&fields=title,account,tags&include=account,tags&count=true`,
      );
      expect(res.body.count).toBe(1);
      const [row] = res.body.data;
      expect(Object.keys(row)).not.toContain('amount');
      expect(row._related.account).toMatchObject({ id: globex.id, name: 'Globex' });
      expect(row._related.tags.map((t: { label: string }) => t.label)).toEqual(['new']);
      const inverse = await s.api('GET', `/api/records/account/${acme.id}?include=deals`);
      expect(inverse.body._related.deals.map((d: { title: string }) => d.title)).toEqual(
        expect.arrayContaining(['L-a', 'L-c']),
      );
    });

    it.each([
      ['unknown field', { colour: 'red' }, '/filter/colour'],
      ['unknown operator', { title: { like: 'x' } }, '/filter/title/like'],
      ['wrong value type', { amount: { gt: 'ten' } }, '/filter/amount/gt'],
      ['operator not for type', { won: { gt: true } }, '/filter/won/gt'],
      ['two hops', { 'account.owner.name': 'x' }, '/filter/account.owner.name'],
      [
        'SQL in a field name',
        { 'title; DROP TABLE e_deal; --': 'x' },
        '/filter/title; DROP TABLE e_deal; --',
      ],
    ])('refuses a filter with %s', async (_name, filter, pointer) => {
      const res = await s.api('GET', `/api/records/deal?filter=${q(filter)}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('FILTER_INVALID');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(pointer);
    });

    it('treats SQL in filter values as data', async () => {
      expect(await titles({ title: "L-a' OR '1'='1" })).toEqual([]);
      expect((await s.api('GET', '/api/records/deal?limit=1')).status).toBe(200);
    });

    it('caps the page size and rejects bad sorts and cursors', async () => {
      expect((await s.api('GET', '/api/records/deal?limit=501')).body.code).toBe('QUERY_INVALID');
      expect((await s.api('GET', '/api/records/deal?sort=extra')).body.errors[0]).toMatchObject({
        path: 'sort',
      });
      expect((await s.api('GET', '/api/records/deal?cursor=garbage')).body.errors[0]).toMatchObject(
        { path: 'cursor' },
      );
    });
  });

  it('bulk writes are all-or-nothing', async () => {
    const before = (await s.api('GET', '/api/records/tag?count=true')).body.count;
    const bad = await s.api('POST', '/api/records/tag/bulk', {
      records: [{ label: 'ok-1' }, { label: 5 }, { label: 'ok-2' }, {}],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual([
      '/records/1/label',
      '/records/3/label',
    ]);
    // a failure discovered while writing (stale version) rolls back the creates before it
    const stale = await s.api('POST', '/api/records/tag/bulk', {
      records: [{ label: 'ok-3' }, { id: tags[0].id, version: 99, label: 'x' }],
    });
    expect(stale).toMatchObject({ status: 409, body: { code: 'VERSION_CONFLICT' } });
    // each names the record it is about, as validation errors do
    expect(stale.body.errors).toEqual([
      { path: '/records/1/version', message: expect.stringContaining('version') },
    ]);
    const gone = await s.api('POST', '/api/records/tag/bulk', {
      records: [{ label: 'ok-3' }, { id: 987654, version: 1, label: 'x' }],
    });
    expect(gone).toMatchObject({ status: 404, body: { code: 'RECORD_NOT_FOUND' } });
    expect(gone.body.errors).toEqual([{ path: '/records/1/id', message: expect.any(String) }]);
    expect((await s.api('GET', '/api/records/tag?count=true')).body.count).toBe(before);
    const good = await s.api('POST', '/api/records/tag/bulk', {
      records: [{ label: 'ok-4' }, { id: tags[2].id, version: tags[2].version, label: 'frozen' }],
    });
    expect(good.status).toBe(200);
    expect(good.body.data.map((r: { label: string }) => r.label)).toEqual(['ok-4', 'frozen']);
  });

  it('serves the compiled JSON Schema and the OpenAPI document', async () => {
    const schema = await s.api('GET', '/api/meta/entities/deal/schema');
    expect(schema.body.properties.amount['x-field-type']).toBe('currency');
    expect(schema.body.required).toEqual(['title']);
    const doc = await s.api('GET', '/api/docs-json');
    expect(doc.body.openapi).toBe('3.1.0');
    // an optional select can be cleared, so null is one of its values
    expect(doc.body.components.schemas.Deal.properties.stage.enum).toEqual([
      'open',
      'won',
      'lost',
      null,
    ]);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/records/deal',
        '/api/records/deal/{id}',
        '/api/records/deal/bulk',
        '/api/records/deal/export',
        '/api/records/deal/import',
        '/api/auth/login',
        '/api/auth/refresh',
        '/api/auth/logout',
        '/api/auth/password',
        '/api/auth/me',
        '/api/admin/users/{id}/api-tokens',
        '/api/workflow/deployments',
        '/api/workflow/external-jobs/{id}/complete',
        '/api/tasks/{id}/complete',
        '/api/notifications',
        '/api/admin/users',
        '/api/meta/apply',
        '/api/files/{id}',
      ]),
    );
    // every operation says who may call it
    const ops = Object.values(doc.body.paths).flatMap((m) => Object.values(m as object));
    expect(new Set(ops.map((o: { operationId: string }) => o.operationId)).size).toBe(ops.length);
    expect(doc.body.paths['/api/tasks/{id}/complete'].post.description).toContain('Permission');
    // bearer (JWT or API token) by default; only login, refresh, health and docs opt out
    expect(doc.body.security).toEqual([{ bearer: [] }]);
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(doc.body.paths['/api/auth/login'].post.security).toEqual([]);
    expect(doc.body.paths['/api/health'].get.security).toEqual([]);
    expect(doc.body.paths['/api/docs-json'].get.security).toEqual([]);
    expect(doc.body.paths['/api/auth/me'].get.security).toBeUndefined();
    expect(Object.keys(doc.body.paths['/api/records/deal/export'].get.responses)).toEqual(
      expect.arrayContaining(['200', '401', '403']),
    );
    // the document answers what the server does: a public route works without a token
    const anonymous = await s.api('GET', '/api/health', undefined, { 'x-no-auth': '1' });
    expect(anonymous.status).toBe(200);
    const ui = await fetch(`${s.url}/api/docs`);
    expect(await ui.text()).toContain('SwaggerUIBundle');
    expect((await fetch(`${s.url}/api/docs-assets/swagger-ui-bundle.js`)).status).toBe(200);
  });
});
