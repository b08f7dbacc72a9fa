import { DIALECTS, type TestServer, USER_PASSWORD, startServer } from './support/harness';

/**
 * GET /api/users: the pickers of approval actions (delegate, transfer, add signer, CC) find
 * colleagues by login or display name — any signed-in user, login and display name only.
 */
describe.each(DIALECTS)('the user picker lookup on %s', (dialect) => {
  let s: TestServer;
  let plain: Record<string, string>;
  beforeAll(async () => {
    s = await startServer(dialect, {});
    const users: Array<[string, string | null, boolean]> = [
      ['wang.wei', '王伟', true],
      ['wang.fang', '王芳', true],
      ['li.na', 'Li Na', true],
      ['gone', '王离职', false],
      ['under_score', null, true],
      ['underXscore', null, true],
    ];
    for (const [login, displayName, active] of users) {
      const r = await s.api('POST', '/api/admin/users', {
        login,
        password: USER_PASSWORD,
        ...(displayName && { displayName }),
        email: `${login}@example.com`,
        active,
      });
      expect(r.status).toBe(201);
    }
    // a user without any role: still a colleague who must be able to hand work to others
    const login = await s.api(
      'POST',
      '/api/auth/login',
      { login: 'li.na', password: USER_PASSWORD },
      { 'x-no-auth': '1' },
    );
    plain = { authorization: `Bearer ${login.body.accessToken}` };
  });
  afterAll(async () => {
    await s?.close();
  });

  it('finds active users by display name or login, for a user without roles, with nothing else', async () => {
    const byName = await s.api(
      'GET',
      `/api/users?search=${encodeURIComponent('王')}`,
      undefined,
      plain,
    );
    expect(byName.status).toBe(200);
    // the inactive 王离职 is not offered; no email, roles or ids leak
    expect(byName.body).toEqual({
      data: [
        { login: 'wang.fang', displayName: '王芳' },
        { login: 'wang.wei', displayName: '王伟' },
      ],
    });
    const byLogin = await s.api('GET', '/api/users?search=WANG.W', undefined, plain);
    expect(byLogin.body.data).toEqual([{ login: 'wang.wei', displayName: '王伟' }]);
  });

  it('takes the search text literally (LIKE wildcards match only themselves)', async () => {
    const r = await s.api('GET', '/api/users?search=under_', undefined, plain);
    expect(r.body.data).toEqual([{ login: 'under_score', displayName: null }]);
    const pct = await s.api('GET', '/api/users?search=%25', undefined, plain);
    expect(pct.body.data).toEqual([]);
  });

  it('lists the first users by login without a search, up to the limit', async () => {
    const r = await s.api('GET', '/api/users?limit=2', undefined, plain);
    expect(r.status).toBe(200);
    expect(r.body.data.map((u: { login: string }) => u.login)).toEqual(['admin', 'li.na']);
  });

  it.each([
    { title: 'a limit of 0', query: 'limit=0', path: 'limit' },
    { title: 'a limit over 50', query: 'limit=51', path: 'limit' },
    { title: 'a limit that is no integer', query: 'limit=ten', path: 'limit' },
    { title: 'a search over 64 characters', query: `search=${'x'.repeat(65)}`, path: 'search' },
    { title: 'an unknown parameter', query: 'q=wang', path: 'q' },
    {
      title: 'a search given twice',
      query: 'search=a&search=b',
      path: 'query.search',
      code: 'BAD_REQUEST',
    },
  ])('refuses $title with 400 naming the parameter', async ({ query, path, code }) => {
    const r = await s.api('GET', `/api/users?${query}`, undefined, plain);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(code ?? 'QUERY_INVALID');
    expect(r.body.errors).toEqual([expect.objectContaining({ path })]);
  });

  it('answers 401 without a token', async () => {
    const r = await s.api('GET', '/api/users', undefined, { 'x-no-auth': '1' });
    expect(r.status).toBe(401);
  });
});
