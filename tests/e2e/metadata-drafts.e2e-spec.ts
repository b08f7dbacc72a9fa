import mysql from 'mysql2/promise';
import {
  DIALECTS,
  type TestServer,
  USER_PASSWORD,
  eventually,
  startServer,
} from './support/harness';
import { BASE_FILES } from './support/fixtures';

/**
 * The metadata draft is shared by every admin: edits carry the version they were made on, a plan
 * hash covers every document it applies (roles too), and an apply makes live exactly what was
 * reviewed — never a colleague's later edit, and never at the cost of one.
 */
const REP = `
kind: role
name: rep
label: { zh-CN: 销售, en: Rep }
rules:
  - { action: [read, create, update], subject: account, conditions: { owner: $me } }
`;

const FILES = { ...BASE_FILES, 'roles/rep.yaml': REP };

async function addUser(s: TestServer, login: string, roles: string[]): Promise<void> {
  const r = await s.api(
    'POST',
    '/api/admin/users',
    { login, password: USER_PASSWORD, roles, locale: 'en' },
    { 'x-user': 'admin' },
  );
  expect(r.status).toBe(201);
}

const as = (login: string, extra: Record<string, string> = {}) => ({ 'x-user': login, ...extra });
const tag = (etag: string | null): string => etag ?? '';

describe.each(DIALECTS)('shared metadata drafts on %s', (dialect) => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startServer(dialect, FILES);
    await addUser(s, 'rep1', ['rep']);
    await addUser(s, 'nobody', []);
    // alice and bob are admins (the harness gives unknown logins the admin role)
    await s.api('POST', '/api/records/account', { name: 'Admin Co' }, as('alice'));
  });
  afterAll(async () => {
    await s?.close();
  });
  afterEach(async () => {
    await s.api('DELETE', '/api/meta/draft', undefined, as('alice'));
  });

  it('a save on a version someone else replaced is a 409 with the current document, never a silent overwrite', async () => {
    const read = await s.api('GET', '/api/meta/documents/role/rep', undefined, as('alice'));
    const bobRead = await s.api('GET', '/api/meta/documents/role/rep', undefined, as('bob'));
    expect(read.headers.get('etag')).toBeTruthy();
    const bobDoc = structuredClone(bobRead.body);
    bobDoc.description = { 'zh-CN': '鲍勃', en: 'by Bob' };
    const bobSaved = await s.api(
      'PUT',
      '/api/meta/documents/role/rep',
      bobDoc,
      as('bob', { 'if-match': tag(bobRead.headers.get('etag')) }),
    );
    expect(bobSaved.status).toBe(200);
    expect(bobSaved.headers.get('etag')).not.toBe(read.headers.get('etag'));

    const aliceDoc = structuredClone(read.body);
    aliceDoc.label = { 'zh-CN': '销售代表', en: 'Sales rep' };
    const stale = await s.api(
      'PUT',
      '/api/meta/documents/role/rep',
      aliceDoc,
      as('alice', { 'if-match': tag(read.headers.get('etag')) }),
    );
    expect(stale).toMatchObject({
      status: 409,
      body: {
        code: 'DRAFT_CONFLICT',
        errors: [{ path: 'If-Match', document: 'role/rep' }],
        current: { version: JSON.parse(tag(bobSaved.headers.get('etag'))), document: bobDoc },
      },
    });
    // a save without If-Match does not overwrite a colleague's pending edit either
    const blind = await s.api('PUT', '/api/meta/documents/role/rep', aliceDoc, as('alice'));
    expect(blind.status).toBe(409);
    expect(blind.body.message).toContain('has a pending edit by bob');
    // Bob's edit is still there; Alice merges onto the version she was given and saves
    const merged = { ...stale.body.current.document, label: aliceDoc.label };
    const saved = await s.api(
      'PUT',
      '/api/meta/documents/role/rep',
      merged,
      as('alice', { 'if-match': `"${stale.body.current.version}"` }),
    );
    expect(saved.status).toBe(200);
    const now = await s.api('GET', '/api/meta/documents/role/rep', undefined, as('alice'));
    expect(now.body).toMatchObject({ description: bobDoc.description, label: aliceDoc.label });
    // deleting with a stale version is refused too
    const del = await s.api(
      'DELETE',
      '/api/meta/documents/role/rep',
      undefined,
      as('bob', { 'if-match': tag(bobSaved.headers.get('etag')) }),
    );
    expect(del.status).toBe(409);
    expect(del.body.code).toBe('DRAFT_CONFLICT');
  });

  it('a role change to manage all is a change in the plan and changes its hash', async () => {
    const before = await s.api('POST', '/api/meta/plan', undefined, as('alice'));
    expect(before.body.documentChanges).toEqual([]);
    const rep = (await s.api('GET', '/api/meta/documents/role/rep', undefined, as('bob'))).body;
    rep.rules.push({ action: 'manage', subject: 'all' });
    expect((await s.api('PUT', '/api/meta/documents/role/rep', rep, as('bob'))).status).toBe(200);

    const plan = await s.api('POST', '/api/meta/plan', undefined, as('alice'));
    expect(plan.body.changes).toEqual([]); // no DDL...
    expect(plan.body.documentChanges).toEqual([
      expect.objectContaining({
        id: 'changeDocument:role/rep',
        properties: ['rules'],
        effect: 'changes role rep: rules',
      }),
    ]);
    expect(plan.body.hash).not.toBe(before.body.hash); // ...but not the same plan

    // the hash reviewed before Bob's edit does not apply it
    const refused = await s.api(
      'POST',
      '/api/meta/apply',
      { planHash: before.body.hash },
      as('alice'),
    );
    expect(refused).toMatchObject({
      status: 409,
      body: { code: 'PLAN_STALE', errors: [{ path: 'planHash' }] },
    });
    expect(refused.body.plan.hash).toBe(plan.body.hash);
    // the rep still reads only their own accounts
    const list = await s.api('GET', '/api/records/account', undefined, as('rep1'));
    expect(list.body.data).toEqual([]);
  });

  it('an edit saved after a review is refused, not applied under the reviewer’s name', async () => {
    const account = (
      await s.api('GET', '/api/meta/documents/entity/account', undefined, as('alice'))
    ).body;
    account.label = { 'zh-CN': '客户', en: 'Customer' };
    await s.api('PUT', '/api/meta/documents/entity/account', account, as('alice'));
    const reviewed = await s.api('POST', '/api/meta/plan', undefined, as('alice'));
    expect(reviewed.body.documentChanges.map((c: { id: string }) => c.id)).toEqual([
      'changeDocument:entity/account',
    ]);
    const rep = (await s.api('GET', '/api/meta/documents/role/rep', undefined, as('bob'))).body;
    rep.rules.push({ action: 'read', subject: 'account' });
    await s.api('PUT', '/api/meta/documents/role/rep', rep, as('bob'));

    const revisionsBefore = (await s.api('GET', '/api/meta/revisions', undefined, as('alice'))).body
      .data.length;
    const applied = await s.api(
      'POST',
      '/api/meta/apply',
      { planHash: reviewed.body.hash },
      as('alice'),
    );
    expect(applied.status).toBe(409);
    expect(applied.body.code).toBe('PLAN_STALE');
    const revisions = (await s.api('GET', '/api/meta/revisions', undefined, as('alice'))).body.data;
    expect(revisions).toHaveLength(revisionsBefore);

    // a fresh review shows both edits, and applying it makes exactly those live
    const again = await s.api('POST', '/api/meta/plan', undefined, as('alice'));
    expect(again.body.documentChanges.map((c: { id: string }) => c.id)).toEqual([
      'changeDocument:entity/account',
      'changeDocument:role/rep',
    ]);
    const ok = await s.api('POST', '/api/meta/apply', { planHash: again.body.hash }, as('alice'));
    expect(ok.status).toBe(200);
    expect(ok.body.hash).toBe(again.body.hash);
    const listed = await s.api('GET', '/api/meta/documents', undefined, as('alice'));
    expect(listed.body.data.filter((d: { status: string }) => d.status !== 'live')).toEqual([]);
  });

  it('an edit saved while an apply runs stays in the draft (neither applied nor discarded)', async () => {
    const account = (
      await s.api('GET', '/api/meta/documents/entity/account', undefined, as('alice'))
    ).body;
    account.fields.during = { type: 'text', label: { 'zh-CN': '期间', en: 'During' } };
    await s.api('PUT', '/api/meta/documents/entity/account', account, as('alice'));
    const plan = await s.api('POST', '/api/meta/plan', undefined, as('alice'));
    const rep = (await s.api('GET', '/api/meta/documents/role/rep', undefined, as('bob'))).body;
    rep.description = { 'zh-CN': '期间编辑', en: 'edited during the apply' };

    let hold: mysql.Connection | undefined;
    if (dialect === 'mysql') {
      // hold a metadata lock on the table, so the apply's ALTER waits while Bob saves
      hold = await mysql.createConnection(s.config.databaseUrl);
      await hold.query('BEGIN');
      await hold.query('SELECT * FROM e_account LIMIT 1');
    }
    const applying = s.api('POST', '/api/meta/apply', { planHash: plan.body.hash }, as('alice'));
    if (hold) {
      await eventually(async () => {
        const [rows] = await hold!.query(
          `SELECT id FROM information_schema.processlist WHERE state LIKE 'Waiting for table metadata lock' AND info LIKE 'ALTER TABLE%e_account%'`,
        );
        expect(rows).toHaveLength(1);
      });
    }
    const saved = await s.api('PUT', '/api/meta/documents/role/rep', rep, as('bob'));
    expect(saved.status).toBe(200);
    if (hold) {
      await hold.query('COMMIT');
      await hold.end();
    }
    const applied = await applying;
    expect(applied.status).toBe(200);
    // what was reviewed went live — Bob's edit is not part of it (unless it was saved first)...
    const revision = await s.api(
      'GET',
      `/api/meta/revisions/${applied.body.revision}`,
      undefined,
      as('alice'),
    );
    const liveRep = revision.body.documents.find((d: { name: string }) => d.name === 'rep');
    const liveAccount = revision.body.documents.find((d: { name: string }) => d.name === 'account');
    expect(liveAccount.fields.during).toBeDefined();
    if (dialect === 'mysql') expect(liveRep.description).toBeUndefined();
    // ...and it was not thrown away: it is live or still pending, so it is never lost
    const draftRep = await s.api('GET', '/api/meta/documents/role/rep', undefined, as('alice'));
    expect(draftRep.body.description).toEqual(rep.description);
    const listed = await s.api('GET', '/api/meta/documents?kind=role', undefined, as('alice'));
    expect(listed.body.data.find((d: { name: string }) => d.name === 'rep').status).toBe(
      liveRep.description ? 'live' : 'changed',
    );
  });
});

describe.each(DIALECTS)('who may read metadata on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, FILES);
    await addUser(s, 'rep1', ['rep']);
    await addUser(s, 'nobody', []);
    const rep = (await s.api('GET', '/api/meta/documents/role/rep')).body;
    rep.description = { 'zh-CN': '待定', en: 'pending edit' };
    await s.api('PUT', '/api/meta/documents/role/rep', rep);
  });
  afterAll(async () => {
    await s?.close();
  });

  it.each([
    ['GET', '/api/meta/documents'],
    ['GET', '/api/meta/documents/role/rep'],
    ['GET', '/api/meta/revisions'],
    ['GET', '/api/meta/revisions/1'],
    ['POST', '/api/meta/plan'],
  ])('%s %s needs read Metadata: 403 for a rep and for a user with no role', async (m, p) => {
    for (const login of ['rep1', 'nobody']) {
      const res = await s.api(m, p, undefined, as(login));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
      expect(JSON.stringify(res.body)).not.toContain('pending edit');
    }
    expect((await s.api(m, p, undefined, as('admin'))).status).toBe(200);
  });

  it('the compiled schema a form needs is readable by whoever may read the entity, 404 to others', async () => {
    const rep = await s.api('GET', '/api/meta/entities/account/schema', undefined, as('rep1'));
    expect(rep.status).toBe(200);
    expect(rep.body.properties).toHaveProperty('name');
    const none = await s.api('GET', '/api/meta/entities/account/schema', undefined, as('nobody'));
    expect(none.status).toBe(404);
    expect(none.body.code).toBe('ENTITY_NOT_FOUND');
    // the rep has no rule on deal: it does not exist for them
    expect(
      (await s.api('GET', '/api/meta/entities/deal/schema', undefined, as('rep1'))).status,
    ).toBe(404);
  });
});
