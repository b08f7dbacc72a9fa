import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mysql from 'mysql2/promise';
import { dropDatabase, freshDatabaseUrl } from './support/harness';
import { type ServerProcess, spawnServer } from './support/processes';

/**
 * MySQL commits every DDL statement on its own. A server process killed with SIGKILL in the
 * middle of a metadata apply on a 50,000-row table leaves the table half-migrated; the next
 * process must know (journal), refuse the entity with a 503 that names it while its model no
 * longer matches the table (never a 500, never a half-successful write), say so in health, and
 * let an admin finish the work with a plan — with every row still there.
 */
const ROWS = 50_000;
const LEAD = `
kind: entity
name: lead
label: { zh-CN: 线索, en: Lead }
displayField: name
fields:
  name: { type: text, label: { zh-CN: 名称, en: Name } }
  city: { type: text, label: { zh-CN: 城市, en: City } }
  score: { type: integer, label: { zh-CN: 分数, en: Score } }
  note: { type: text, label: { zh-CN: 备注, en: Note } }
`;

describe('a server killed during a metadata apply (MySQL)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-meta-crash-'));
  const procs: ServerProcess[] = [];
  let databaseUrl = '';
  let env: Record<string, string> = {};
  let db: mysql.Connection;

  beforeAll(async () => {
    databaseUrl = await freshDatabaseUrl('mysql', dataDir);
    fs.mkdirSync(path.join(dataDir, 'metadata'));
    fs.mkdirSync(path.join(dataDir, 'workflows'));
    fs.writeFileSync(path.join(dataDir, 'metadata', 'lead.yaml'), LEAD);
    env = {
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      METADATA_DIR: path.join(dataDir, 'metadata'),
      WORKFLOWS_DIR: path.join(dataDir, 'workflows'),
      META_POLL_MS: '0',
    };
  });
  afterAll(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await db?.end();
    await dropDatabase(databaseUrl);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses the half-migrated entity with a 503 naming it, then a plan finishes it with 0 rows lost', async () => {
    const first = await spawnServer({ env });
    procs.push(first);
    db = await mysql.createConnection(databaseUrl);
    for (let i = 0; i < ROWS; i += 5000) {
      const values = Array.from({ length: 5000 }, (_, k) => {
        const n = i + k;
        return [
          `lead ${n}`,
          `city ${n % 97}`,
          n % 1000,
          `note ${n}`,
          'admin',
          new Date(),
          new Date(),
        ];
      });
      await db.query(
        'INSERT INTO e_lead (name, city, score, note, owner, created_at, updated_at) VALUES ?',
        [values],
      );
    }

    // the draft renames city (a statement that breaks the old model) and adds indexes (slow)
    const lead = (await first.api('GET', '/api/meta/documents/entity/lead')).body;
    lead.fields.town = { ...lead.fields.city, renamedFrom: 'city' };
    delete lead.fields.city;
    // every pair of columns, both ways: a dozen index builds over 50,000 rows
    const cols = ['name', 'town', 'score', 'note'];
    lead.indexes = cols.flatMap((a) =>
      cols.filter((b) => b !== a).map((b) => ({ fields: [a, b] })),
    );
    expect((await first.api('PUT', '/api/meta/documents/entity/lead', lead)).status).toBe(200);
    const plan = await first.api('POST', '/api/meta/plan');
    expect(plan.body.changes[0].id).toBe('renameColumn:e_lead.city');

    const applying = first
      .api('POST', '/api/meta/apply', { planHash: plan.body.hash })
      .catch(() => 'lost' as const);
    // kill once the rename ran and the index builds are under way
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [rows] = (await db.query(
        `SELECT done FROM crm_meta_apply WHERE state = 'running'`,
      )) as unknown as [Array<{ done: number }>];
      if (rows.length === 1 && rows[0].done >= 1) break;
      if (Date.now() > deadline) throw new Error('the apply never got under way');
    }
    expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
    expect(await applying).toBe('lost');
    const [[journal]] = (await db.query(
      'SELECT state, done, statements FROM crm_meta_apply ORDER BY id DESC LIMIT 1',
    )) as unknown as [Array<{ state: string; done: number; statements: string }>];
    expect(journal.state).toBe('running');
    expect(journal.done).toBeLessThan(JSON.parse(journal.statements).length);

    const second = await spawnServer({ env });
    procs.push(second);
    const health = await second.api('GET', '/api/health');
    expect(health.body).toMatchObject({
      status: 'degraded',
      metadata: { unavailableEntities: ['lead'], unfinishedApplies: [{ entities: ['lead'] }] },
    });
    const list = await second.api('GET', '/api/records/lead?limit=1');
    expect(list.status).toBe(503);
    expect(list.body).toMatchObject({ code: 'ENTITY_UNAVAILABLE', errors: [{ path: 'entity' }] });
    expect(list.body.message).toContain('entity lead is unavailable');
    const create = await second.api('POST', '/api/records/lead', { name: 'during', city: 'x' });
    expect(create.status).toBe(503);
    const [[{ n }]] = (await db.query('SELECT COUNT(*) AS n FROM e_lead')) as unknown as [
      Array<{ n: number }>,
    ];
    expect(Number(n)).toBe(ROWS); // the refused create wrote nothing

    // the draft survived the kill: a plan is the rest of the work, and applying it finishes
    const rest = await second.api('POST', '/api/meta/plan');
    expect(rest.status).toBe(200);
    expect(rest.body.changes.map((c: { id: string }) => c.id)).not.toContain(
      'renameColumn:e_lead.city',
    );
    expect(rest.body.documentChanges.map((c: { id: string }) => c.id)).toEqual([
      'changeDocument:entity/lead',
    ]);
    const done = await second.api('POST', '/api/meta/apply', { planHash: rest.body.hash });
    expect(done.status).toBe(200);
    expect((await second.api('POST', '/api/meta/plan')).body.changes).toEqual([]);

    const after = await second.api('GET', '/api/records/lead?count=true&limit=1&sort=id');
    expect(after.status).toBe(200);
    expect(after.body.count).toBe(ROWS);
    expect(after.body.data[0]).toMatchObject({ name: 'lead 0', town: 'city 0', score: 0 });
    expect((await second.api('GET', '/api/health')).body).toMatchObject({
      status: 'ok',
      metadata: { unavailableEntities: [], unfinishedApplies: [] },
    });
  }, 240_000);
});
