import { type TestServer, USER_PASSWORD, startServer } from './support/harness';
import { BASE_FILES } from './support/fixtures';

/** Waits for a condition another node brings about (its metadata poll), without a fixed sleep. */
async function until<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('two server nodes on one MySQL database', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startServer(
      'mysql',
      {
        ...BASE_FILES,
        'roles/team_lead.yaml': `kind: role
name: team_lead
label: { zh-CN: 组长, en: Team lead }
rules:
  - { action: read, subject: account, conditions: { owner: $myDepartmentTree } }
`,
      },
      { META_POLL_MS: '50' },
    );
    b = await startServer('mysql', {}, { META_POLL_MS: '50' }, a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('the second node starts on the applied metadata without applying it again', async () => {
    expect((await b.api('GET', '/api/meta/revisions')).body.data).toHaveLength(1);
    const created = await a.api('POST', '/api/records/account', { name: 'Seen by both' });
    expect((await b.api('GET', `/api/records/account/${created.body.id}`)).body.name).toBe(
      'Seen by both',
    );
  });

  it('metadata applied on one node is served by the other', async () => {
    const doc = (await a.api('GET', '/api/meta/documents/entity/tag')).body;
    doc.fields.colour = { type: 'text', label: { 'zh-CN': '颜色', en: 'Colour' }, default: 'blue' };
    await a.api('PUT', '/api/meta/documents/entity/tag', doc);
    const applied = await a.api('POST', '/api/meta/apply', {});
    expect(applied.status).toBe(200);
    const health = await until(
      () => b.api('GET', '/api/health'),
      (r) => r.body.metadataRevision === applied.body.revision,
    );
    expect(health.body.metadataRevision).toBe(applied.body.revision);
    const created = await b.api('POST', '/api/records/tag', { label: 'via b' });
    expect(created.body.colour).toBe('blue');
  });

  it('concurrent applies on both nodes are serialised: the work is done once', async () => {
    const doc = (await a.api('GET', '/api/meta/documents/entity/tag')).body;
    doc.fields.size = { type: 'integer', label: { 'zh-CN': '大小', en: 'Size' } };
    await a.api('PUT', '/api/meta/documents/entity/tag', doc);
    const [ra, rb] = await Promise.all([
      a.api('POST', '/api/meta/apply', {}),
      b.api('POST', '/api/meta/apply', {}),
    ]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    const all = [ra.body.changes, rb.body.changes].map((c: Array<{ id: string }>) =>
      c.map((x) => x.id),
    );
    // one node added the column, the other found nothing left to do
    expect(all.flat()).toEqual(['addColumn:e_tag.size']);
    const row = await until(
      () => b.api('POST', '/api/records/tag', { label: 'sized', size: 3 }),
      (r) => r.status === 201,
    );
    expect(row.body.size).toBe(3);
  });

  it('a department change on one node changes what users see on the other within seconds', async () => {
    const dep = async (name: string) =>
      (await a.api('POST', '/api/admin/departments', { name, parentId: null })).body.id as number;
    const top = await dep('top');
    const sub = await dep('sub');
    for (const [login, departmentId] of [
      ['boss', top],
      ['worker', sub],
    ] as const)
      expect(
        (
          await a.api('POST', '/api/admin/users', {
            login,
            password: USER_PASSWORD,
            departmentId,
            roles: ['team_lead'],
          })
        ).status,
      ).toBe(201);
    await a.api('POST', '/api/records/account', { name: 'worker account', owner: 'worker' });
    const token = (
      await b.api(
        'POST',
        '/api/auth/login',
        { login: 'boss', password: USER_PASSWORD },
        { 'x-no-auth': '1' },
      )
    ).body.accessToken as string;
    const bossSees = async () =>
      (
        await b.api('GET', '/api/records/account?count=true', undefined, {
          authorization: `Bearer ${token}`,
        })
      ).body.count as number;
    // node b now holds boss's context: the subtree of top is top alone
    expect(await bossSees()).toBe(0);
    expect((await a.api('PATCH', `/api/admin/departments/${sub}`, { parentId: top })).status).toBe(
      200,
    );
    // b's test clock stands still, so no time-based expiry can explain this: b saw the change
    expect(await until(bossSees, (n) => n === 1)).toBe(1);
  });

  it('a user deactivated on one node is refused by the other within seconds', async () => {
    const made = await a.api('POST', '/api/admin/users', {
      login: 'leaver',
      password: USER_PASSWORD,
      roles: ['team_lead'],
    });
    expect(made.status).toBe(201);
    const token = (
      await b.api(
        'POST',
        '/api/auth/login',
        { login: 'leaver', password: USER_PASSWORD },
        { 'x-no-auth': '1' },
      )
    ).body.accessToken as string;
    const me = () => b.api('GET', '/api/auth/me', undefined, { authorization: `Bearer ${token}` });
    expect((await me()).status).toBe(200); // node b now holds the user
    expect(
      (await a.api('PATCH', `/api/admin/users/${made.body.id}`, { active: false })).status,
    ).toBe(200);
    expect((await until(me, (r) => r.status === 401)).status).toBe(401);
  });

  it('a logout on one node ends that session on the other within seconds', async () => {
    const pair = (
      await a.api(
        'POST',
        '/api/auth/login',
        { login: 'boss', password: USER_PASSWORD },
        { 'x-no-auth': '1' },
      )
    ).body as { accessToken: string; refreshToken: string };
    const auth = { authorization: `Bearer ${pair.accessToken}` };
    const me = () => b.api('GET', '/api/auth/me', undefined, auth);
    expect((await me()).status).toBe(200);
    expect(
      (await a.api('POST', '/api/auth/logout', { refreshToken: pair.refreshToken }, auth)).status,
    ).toBe(204);
    expect((await until(me, (r) => r.status === 401)).status).toBe(401);
  });
});
