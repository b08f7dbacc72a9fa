import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DB, type Db } from '@crm/common';
import { DIALECTS, type TestServer, startServer, writeMetadata } from './support/harness';

/**
 * `crm apply` backfills formula and rollup fields it adds to entities that have rows, and
 * `crm rebuild` recomputes stale ones with a progress bar on stderr. Needs `npm run build`.
 */
const CLI = path.resolve(__dirname, '../../dist/apps/cli/src/main.js');
const crm = (args: string[], env: Record<string, string>) => {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const label = '{ zh-CN: 名, en: Name }';
const HEADER = (extra = '') => `
kind: entity
name: chd
label: { zh-CN: 单, en: Header }
displayField: title
fields:
  title: { type: text, label: ${label} }
${extra}`;
const LINE = (extra = '') => `
kind: entity
name: cln
label: { zh-CN: 行, en: Line }
displayField: name
fields:
  name: { type: text, label: ${label} }
  chd:
    type: relation
    label: ${label}
    target: chd
    relation: manyToOne
    inverse: { name: lines, label: ${label} }
  quantity: { type: integer, label: ${label} }
${extra}`;

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
});

describe.each(DIALECTS)('crm apply / rebuild of computed fields on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, { 'chd.yaml': HEADER(), 'cln.yaml': LINE() });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('apply backfills new computed fields; rebuild recomputes stale values', async () => {
    const h = (await s.api('POST', '/api/records/chd', { title: 'H' })).body;
    for (const quantity of [2, 5])
      await s.api('POST', '/api/records/cln', { name: 'l', chd: h.id, quantity });
    writeMetadata(s.metadataDir, {
      'chd.yaml': HEADER(
        '  qty: { type: integer, label: { zh-CN: 数量, en: Quantity }, rollup: { relation: lines, function: sum, field: double } }',
      ),
      'cln.yaml': LINE(
        '  double: { type: integer, label: { zh-CN: 双倍, en: Double }, formula: "quantity * 2" }',
      ),
    });
    const env = { DATABASE_URL: s.config.databaseUrl, METADATA_DIR: s.metadataDir };
    const apply = crm(['apply'], env);
    expect(apply.err).toBe('');
    expect(apply).toMatchObject({ code: 0 });
    const db = s.app.get<Db>(DB);
    const total = async () =>
      Number(
        (await db.query<{ qty: number }>('SELECT qty FROM e_chd WHERE id = ?', [h.id]))[0].qty,
      );
    // lines first (passes): the header's sum reads their formula
    expect(await total()).toBe(14);
    await db.execute('UPDATE e_chd SET qty = 0 WHERE id = ?', [h.id]);
    const rebuild = crm(['rebuild', '--entity', 'chd'], env);
    expect(rebuild).toMatchObject({ code: 0 });
    expect(rebuild.out).toContain('Recomputed 1 record(s) of chd');
    expect(rebuild.err).toMatch(/chd\s+\[#{30}\] 1\/1/);
    expect(await total()).toBe(14);
    const unknown = crm(['rebuild', '--entity', 'nope'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toContain('ENTITY_NOT_FOUND');
  });
});
