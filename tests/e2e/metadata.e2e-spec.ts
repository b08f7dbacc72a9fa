import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIALECTS, type TestServer, startServer, writeMetadata } from './support/harness';
import { ACCOUNT, BASE_FILES, TAG } from './support/fixtures';

const withoutLines = (text: string, ...needles: string[]): string =>
  text
    .split('\n')
    .filter((l) => !needles.some((n) => l.includes(n)))
    .join('\n');

describe.each(DIALECTS)('metadata draft → plan → apply on %s', (dialect) => {
  let s: TestServer;
  let account: any;

  beforeAll(async () => {
    s = await startServer(dialect, BASE_FILES);
    for (const name of ['Alpha', 'Beta', 'Gamma'])
      await s.api('POST', '/api/records/account', { name, city: 'Hangzhou' });
    account = (await s.api('GET', '/api/meta/documents/entity/account')).body;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lists documents with their draft status', async () => {
    const res = await s.api('GET', '/api/meta/documents?kind=entity');
    expect(
      res.body.data.map((d: { name: string; status: string }) => `${d.name}:${d.status}`).sort(),
    ).toEqual(['account:live', 'deal:live', 'tag:live']);
  });

  it('plans an added field with its data effect, applies it and backfills', async () => {
    const doc = structuredClone(account);
    doc.fields.score = { type: 'integer', label: { 'zh-CN': '分数', en: 'Score' }, default: 0 };
    expect((await s.api('PUT', '/api/meta/documents/entity/account', doc)).status).toBe(200);
    const plan = await s.api('POST', '/api/meta/plan');
    expect(plan.status).toBe(200);
    expect(plan.body.changes).toEqual([
      expect.objectContaining({
        id: 'addColumn:e_account.score',
        destructive: false,
        effect: 'adds column score to account; backfills 3 rows with 0',
      }),
    ]);
    expect(plan.body.changes[0].ddl[0]).toContain(
      dialect === 'mysql' ? 'ALGORITHM=INSTANT' : 'ADD COLUMN `score`',
    );
    const applied = await s.api('POST', '/api/meta/apply', {
      planHash: plan.body.hash,
      message: 'add score',
    });
    expect(applied.status).toBe(200);
    const list = await s.api('GET', '/api/records/account?sort=name');
    expect(list.body.data.map((r: { score: number }) => r.score)).toEqual([0, 0, 0]);
    const revisions = await s.api('GET', '/api/meta/revisions');
    expect(revisions.body.data[0]).toMatchObject({
      id: applied.body.revision,
      actor: 'tester',
      source: 'api',
      message: 'add score',
    });
    expect(revisions.body.data[0].changes[0].ddl.length).toBeGreaterThan(0);
    account = (await s.api('GET', '/api/meta/documents/entity/account')).body;
    expect((await s.api('POST', '/api/meta/plan')).body.changes).toEqual([]);
  });

  it('refuses a plan hash that no longer matches', async () => {
    const doc = structuredClone(account);
    doc.fields.region = { type: 'text', label: { 'zh-CN': '区域', en: 'Region' } };
    await s.api('PUT', '/api/meta/documents/entity/account', doc);
    const res = await s.api('POST', '/api/meta/apply', { planHash: 'stale' });
    expect(res).toMatchObject({
      status: 409,
      body: { code: 'PLAN_STALE', errors: [{ path: 'planHash' }] },
    });
    await s.api('DELETE', '/api/meta/draft');
  });

  it('refuses to drop a field until the drop is confirmed', async () => {
    await s.api('PATCH', '/api/records/account/1', { version: 1, score: 42 });
    const doc = structuredClone(account);
    delete doc.fields.score;
    await s.api('PUT', '/api/meta/documents/entity/account', doc);
    const refused = await s.api('POST', '/api/meta/apply', {});
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('DESTRUCTIVE_CHANGE_UNCONFIRMED');
    expect(refused.body.errors).toEqual([
      {
        path: 'dropColumn:e_account.score',
        message: 'drops column score from account; deletes its values in 3 rows',
      },
    ]);
    // nothing happened: the column and its data are still there
    expect((await s.api('GET', '/api/records/account/1')).body.score).toBe(42);
    const confirmed = await s.api('POST', '/api/meta/apply', {
      confirm: ['dropColumn:e_account.score'],
    });
    expect(confirmed.status).toBe(200);
    expect((await s.api('GET', '/api/records/account/1')).body).not.toHaveProperty('score');
    account = (await s.api('GET', '/api/meta/documents/entity/account')).body;
  });

  it('renames a field with renamedFrom and keeps its values', async () => {
    const doc = structuredClone(account);
    doc.fields.town = { ...doc.fields.city, renamedFrom: 'city' };
    delete doc.fields.city;
    doc.indexes = [{ fields: ['town', 'rating'] }];
    await s.api('PUT', '/api/meta/documents/entity/account', doc);
    const plan = await s.api('POST', '/api/meta/plan');
    expect(plan.body.changes.map((c: { id: string }) => c.id)).toEqual(
      expect.arrayContaining([
        'renameColumn:e_account.city',
        'dropIndex:e_account.ix_e_account_city_rating',
        'addIndex:e_account.ix_e_account_town_rating',
      ]),
    );
    expect(plan.body.destructive).toEqual([]);
    expect((await s.api('POST', '/api/meta/apply', {})).status).toBe(200);
    const rows = (await s.api('GET', '/api/records/account?sort=name')).body.data;
    expect(rows.map((r: { town: string }) => r.town)).toEqual(['Hangzhou', 'Hangzhou', 'Hangzhou']);
    const filtered = await s.api(
      'GET',
      `/api/records/account?filter=${encodeURIComponent('{"town":"Hangzhou"}')}&count=true`,
    );
    expect(filtered.body.count).toBe(3);
    account = (await s.api('GET', '/api/meta/documents/entity/account')).body;
  });

  it('widens freely but asks before narrowing', async () => {
    const wide = structuredClone(account);
    wide.fields.name.length = 200;
    await s.api('PUT', '/api/meta/documents/entity/account', wide);
    const plan = await s.api('POST', '/api/meta/plan');
    expect(plan.body.changes).toEqual([
      expect.objectContaining({ kind: 'widenColumn', destructive: false }),
    ]);
    expect((await s.api('POST', '/api/meta/apply', {})).status).toBe(200);
    const long = 'x'.repeat(150);
    expect((await s.api('POST', '/api/records/account', { name: long })).status).toBe(201);
    const narrow = structuredClone(wide);
    narrow.fields.name.length = 50;
    await s.api('PUT', '/api/meta/documents/entity/account', narrow);
    const refused = await s.api('POST', '/api/meta/apply', {});
    expect(refused).toMatchObject({
      status: 409,
      body: {
        code: 'DESTRUCTIVE_CHANGE_UNCONFIRMED',
        errors: [{ path: 'alterColumn:e_account.name' }],
      },
    });
    await s.api('DELETE', '/api/meta/draft');
    account = wide;
  });

  it('blocks a unique index over duplicate values before running anything', async () => {
    const doc = structuredClone(account);
    doc.fields.town.unique = true;
    await s.api('PUT', '/api/meta/documents/entity/account', doc);
    const plan = await s.api('POST', '/api/meta/plan');
    expect(plan.body.blocked).toEqual([
      {
        id: 'addIndex:e_account.ux_e_account_town',
        reason: '1 value(s) occur more than once in town',
      },
    ]);
    const res = await s.api('POST', '/api/meta/apply', {});
    expect(res).toMatchObject({ status: 409, body: { code: 'PLAN_BLOCKED' } });
    await s.api('DELETE', '/api/meta/draft');
  });

  it('adds a new entity with a manyToMany relation and removes it only when confirmed', async () => {
    const doc = {
      label: { 'zh-CN': '活动', en: 'Event' },
      displayField: 'title',
      fields: {
        title: { type: 'text', label: { 'zh-CN': '标题', en: 'Title' }, required: true },
        guests: {
          type: 'relation',
          relation: 'manyToMany',
          target: 'account',
          label: { 'zh-CN': '来宾', en: 'Guests' },
        },
      },
    };
    expect((await s.api('PUT', '/api/meta/documents/entity/event', doc)).status).toBe(200);
    const plan = await s.api('POST', '/api/meta/plan');
    expect(plan.body.changes.map((c: { id: string }) => c.id)).toEqual([
      'createTable:e_event',
      'createTable:j_event_guests',
    ]);
    await s.api('POST', '/api/meta/apply', {});
    const ev = await s.api('POST', '/api/records/event', { title: 'Launch', guests: [1, 2] });
    expect(ev.body.guests).toEqual([1, 2]);
    await s.api('DELETE', '/api/meta/documents/entity/event');
    const drop = await s.api('POST', '/api/meta/apply', {});
    expect(drop.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'dropTable:e_event',
      'dropTable:j_event_guests',
    ]);
    expect(
      (
        await s.api('POST', '/api/meta/apply', {
          confirm: ['dropTable:e_event', 'dropTable:j_event_guests'],
        })
      ).status,
    ).toBe(200);
    expect((await s.api('GET', '/api/records/event')).status).toBe(404);
  });

  it('rolls back to an earlier revision without losing data', async () => {
    const revisions = (await s.api('GET', '/api/meta/revisions')).body.data;
    const first = revisions[revisions.length - 1];
    expect(first.source).toBe('files');
    const res = await s.api('POST', `/api/meta/revisions/${first.id}/rollback`);
    expect(res.status).toBe(200);
    // town (a later rename) is not in revision 1: its column stays, unused; city comes back empty
    const schema = (await s.api('GET', '/api/meta/entities/account/schema')).body;
    expect(Object.keys(schema.properties)).toContain('city');
    expect(Object.keys(schema.properties)).not.toContain('town');
    expect(res.body.changes.every((c: { destructive: boolean }) => !c.destructive)).toBe(true);
    const latest = (await s.api('GET', '/api/meta/revisions')).body.data[0];
    expect(latest).toMatchObject({ source: 'rollback', rollbackOf: first.id });
    // rolling forward again brings the renamed values back: nothing was lost
    const before = revisions[0];
    await s.api('POST', `/api/meta/revisions/${before.id}/rollback`);
    const rows = (await s.api('GET', '/api/records/account?sort=name&limit=3')).body.data;
    expect(rows.map((r: { town: string }) => r.town)).toEqual(['Hangzhou', 'Hangzhou', 'Hangzhou']);
  });

  it.each([
    [
      'unknown field type',
      { fields: { x: { type: 'colour', label: { 'zh-CN': 'x', en: 'x' } } } },
      '/fields/x/type',
      'must be one of',
    ],
    [
      'missing label language',
      { fields: { x: { type: 'text', label: { en: 'x' } } } },
      '/fields/x/label/zh-CN',
      'is required',
    ],
    [
      'bad field name',
      { fields: { 'Bad Name': { type: 'text', label: { 'zh-CN': 'x', en: 'x' } } } },
      '/fields/Bad Name',
      'camelCase',
    ],
    [
      'select without options',
      { fields: { x: { type: 'select', label: { 'zh-CN': 'x', en: 'x' } } } },
      '/fields/x/options',
      'is required',
    ],
    ['unknown top-level key', { colour: 'red' }, '/colour', 'not an allowed property'],
  ])(
    'PUT refuses a document with %s, naming the pointer',
    async (_name, patch, pointer, message) => {
      const doc = {
        ...structuredClone(account),
        ...patch,
        fields: { ...account.fields, ...(patch as { fields?: object }).fields },
      };
      const res = await s.api('PUT', '/api/meta/documents/entity/account', doc);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('METADATA_INVALID');
      const err = res.body.errors.find((e: { path: string }) => e.path === pointer);
      expect(err).toBeDefined();
      expect(err.message).toContain(message);
      expect(err.document).toBe('entity/account');
    },
  );

  it.each([
    [
      'relation to a missing entity',
      {
        fields: {
          x: {
            type: 'relation',
            relation: 'manyToOne',
            target: 'ghost',
            label: { 'zh-CN': 'x', en: 'x' },
          },
        },
      },
      '/fields/x/target',
      'unknown entity "ghost"',
    ],
    [
      'invalid FEEL',
      { rules: [{ name: 'r', expression: 'rating >= ', message: { 'zh-CN': 'x', en: 'x' } }] },
      '/rules/0/expression',
      'invalid FEEL',
    ],
    [
      'bad code rule',
      {
        fields: {
          n: { type: 'autoNumber', codeRule: 'KH-{seq}', label: { 'zh-CN': 'x', en: 'x' } },
        },
      },
      '/fields/n/codeRule',
      'unknown token {seq}',
    ],
    [
      'display field that does not exist',
      { displayField: 'ghost' },
      '/displayField',
      'is not a field',
    ],
  ])(
    'a PUT refuses a document with %s, with every error at once, before it reaches the draft',
    async (_name, patch, pointer, message) => {
      const doc = {
        ...structuredClone(account),
        ...patch,
        fields: { ...account.fields, ...(patch as { fields?: object }).fields },
      };
      const res = await s.api('PUT', '/api/meta/documents/entity/account', doc);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('METADATA_INVALID');
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            path: pointer,
            document: 'entity/account',
            message: expect.stringContaining(message),
          }),
        ]),
      );
      const plan = await s.api('POST', '/api/meta/plan');
      expect(plan.status).toBe(200);
      expect(plan.body.documentChanges).toEqual([]);
    },
  );

  it('answers 404 for unknown kinds, documents and revisions', async () => {
    expect((await s.api('GET', '/api/meta/documents/entity/ghost')).body.code).toBe(
      'DOCUMENT_NOT_FOUND',
    );
    expect((await s.api('PUT', '/api/meta/documents/widget/x', {})).body.code).toBe(
      'DOCUMENT_NOT_FOUND',
    );
    expect((await s.api('POST', '/api/meta/revisions/9999/rollback')).body.code).toBe(
      'REVISION_NOT_FOUND',
    );
    expect((await s.api('GET', '/api/meta/entities/ghost/schema')).status).toBe(404);
  });
});

describe.each(DIALECTS)('metadata files, start-up and client overlays on %s', (dialect) => {
  it('applies changed files on restart, soft: a removed field keeps its column', async () => {
    const s = await startServer(dialect, BASE_FILES);
    try {
      await s.api('POST', '/api/records/tag', { label: 'keep me' });
      // restart with the same files: no new revision
      await s.restart();
      expect((await s.api('GET', '/api/meta/revisions')).body.data).toHaveLength(1);
      writeMetadata(s.metadataDir, {
        'tag.yaml': TAG.replace(
          'fields:',
          'fields:\n  colour: { type: text, label: { zh-CN: 颜色, en: Colour }, default: red }',
        ),
      });
      await s.restart();
      expect((await s.api('GET', '/api/records/tag')).body.data[0]).toMatchObject({
        label: 'keep me',
        colour: 'red',
      });
      writeMetadata(s.metadataDir, { 'tag.yaml': TAG });
      await s.restart();
      const revs = (await s.api('GET', '/api/meta/revisions')).body.data;
      expect(revs).toHaveLength(3);
      expect(revs[0].changes).toEqual([]); // the dropped field's column was left in place
      expect((await s.api('GET', '/api/records/tag')).body.data[0]).not.toHaveProperty('colour');
    } finally {
      await s.close();
    }
  });

  it('switching CRM_CLIENT (or editing other files) keeps role edits made through the API', async () => {
    const rep = `
kind: role
name: rep
label: { zh-CN: 销售, en: Rep }
rules:
  - { action: read, subject: account, conditions: { owner: $me } }
`;
    const overlay = `
kind: entity
name: account
fields:
  vatNumber: { type: text, label: { zh-CN: 税号, en: VAT number }, length: 32 }
`;
    const s = await startServer(dialect, {
      ...BASE_FILES,
      'roles/rep.yaml': rep,
      'clients/acme/account.yaml': overlay,
    });
    try {
      const doc = (await s.api('GET', '/api/meta/documents/role/rep')).body;
      doc.rules.push({ action: 'read', subject: 'tag' });
      await s.api('PUT', '/api/meta/documents/role/rep', doc);
      const plan = await s.api('POST', '/api/meta/plan');
      expect((await s.api('POST', '/api/meta/apply', { planHash: plan.body.hash })).status).toBe(
        200,
      );

      await s.restart({ CRM_CLIENT: 'acme' });
      const schema = (await s.api('GET', '/api/meta/entities/account/schema')).body;
      expect(schema.properties.vatNumber).toBeDefined(); // the overlay went live...
      const live = (await s.api('GET', '/api/meta/documents/role/rep')).body;
      expect(live.rules).toEqual(doc.rules); // ...and the role edit stayed

      // the files change the same role too: the live edit is kept (and logged at every start
      // until "crm apply" applies the files on purpose)
      const revisions = (await s.api('GET', '/api/meta/revisions')).body.data.length;
      writeMetadata(s.metadataDir, { 'roles/rep.yaml': rep.replace('Rep }', 'Sales rep }') });
      await s.restart({ CRM_CLIENT: 'acme' });
      expect((await s.api('GET', '/api/meta/documents/role/rep')).body.rules).toEqual(doc.rules);
      expect((await s.api('GET', '/api/meta/revisions')).body.data).toHaveLength(revisions);
    } finally {
      await s.close();
    }
  });

  it('layers a client overlay: adds fields, relabels options; a type change is refused', async () => {
    const overlay = `
kind: entity
name: account
label: { zh-CN: 客户（ACME）, en: Client }
fields:
  vatNumber: { type: text, label: { zh-CN: 税号, en: VAT number }, length: 32 }
  rating: { label: { zh-CN: 星级, en: Stars } }
`;
    const s = await startServer(
      dialect,
      { ...BASE_FILES, 'clients/acme/account.yaml': overlay },
      { CRM_CLIENT: 'acme' },
    );
    try {
      const schema = (await s.api('GET', '/api/meta/entities/account/schema')).body;
      expect(schema.title).toBe('Client');
      expect(schema.properties.vatNumber).toMatchObject({ maxLength: 32 });
      expect(schema.properties.rating['x-label']).toEqual({ 'zh-CN': '星级', en: 'Stars' });
      expect(
        (await s.api('POST', '/api/records/account', { name: 'A', vatNumber: 'CN123' })).status,
      ).toBe(201);
      // without the client, the base model has no vatNumber
      fs.writeFileSync(
        path.join(s.metadataDir, 'clients/acme/account.yaml'),
        overlay.replace('rating: { label', 'rating: { type: text, label'),
      );
      await expect(s.restart()).rejects.toMatchObject({
        code: 'METADATA_INVALID',
        errors: [
          expect.objectContaining({
            path: '/fields/rating/type',
            file: expect.stringContaining(path.join('clients', 'acme', 'account.yaml')),
            message: expect.stringContaining('cannot change the type'),
          }),
        ],
      });
    } finally {
      await s.close().catch(() => undefined);
    }
  });

  it('refuses to start on bad files, listing every error with file and pointer', async () => {
    const bad = withoutLines(ACCOUNT, 'displayField').replace('type: integer', 'type: number');
    await expect(
      startServer(dialect, {
        'account.yaml': bad,
        'tag.yaml': TAG,
        'dup.yaml': TAG,
        'broken.yaml': 'kind: entity\nname: [oops',
      }),
    ).rejects.toMatchObject({
      code: 'METADATA_INVALID',
      errors: expect.arrayContaining([
        expect.objectContaining({
          file: expect.stringContaining('account.yaml'),
          path: '/displayField',
          message: 'is required',
        }),
        expect.objectContaining({
          file: expect.stringContaining('account.yaml'),
          path: '/fields/rating/type',
        }),
        expect.objectContaining({
          file: expect.stringContaining('tag.yaml'),
          message: expect.stringContaining('duplicate document name'),
        }),
        expect.objectContaining({
          file: expect.stringContaining('broken.yaml'),
          message: expect.stringContaining('YAML'),
        }),
      ]),
    });
  });
});

describe('an apply interrupted halfway on MySQL (DDL is not transactional there)', () => {
  it('is finished by planning and applying again: the plan is a diff against the live tables', async () => {
    const s = await startServer('mysql', BASE_FILES);
    try {
      const doc = (await s.api('GET', '/api/meta/documents/entity/tag')).body;
      doc.fields.colour = { type: 'text', label: { 'zh-CN': '颜色', en: 'Colour' } };
      doc.fields.weight = { type: 'integer', label: { 'zh-CN': '重量', en: 'Weight' }, default: 0 };
      await s.api('PUT', '/api/meta/documents/entity/tag', doc);
      const plan = (await s.api('POST', '/api/meta/plan')).body;
      expect(plan.changes.map((c: { id: string }) => c.id)).toEqual([
        'addColumn:e_tag.colour',
        'addColumn:e_tag.weight',
      ]);
      // a crash after the first statement: run it by hand, as the dead apply would have
      const mysql = await import('mysql2/promise');
      const conn = await mysql.createConnection(s.config.databaseUrl);
      await conn.query(plan.changes[0].ddl[0]);
      await conn.end();
      const again = (await s.api('POST', '/api/meta/plan')).body;
      expect(again.changes.map((c: { id: string }) => c.id)).toEqual(['addColumn:e_tag.weight']);
      expect((await s.api('POST', '/api/meta/apply', {})).status).toBe(200);
      const row = await s.api('POST', '/api/records/tag', { label: 'x', colour: 'red' });
      expect(row.body).toMatchObject({ colour: 'red', weight: 0 });
      expect((await s.api('POST', '/api/meta/plan')).body.changes).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
