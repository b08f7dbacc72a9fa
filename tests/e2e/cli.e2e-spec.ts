import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DIALECTS, dropDatabase, freshDatabaseUrl, writeMetadata } from './support/harness';
import { BASE_FILES, TAG } from './support/fixtures';

const CLI = path.resolve(__dirname, '../../dist/apps/cli/src/main.js');

function crm(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  // npm test builds first (pretest); a bare jest run needs `npm run build`.
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
});

describe('crm validate', () => {
  it('passes good metadata and fails bad metadata with every error, file and pointer', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-cli-'));
    writeMetadata(dir, BASE_FILES);
    const ok = crm(['validate', '--dir', dir], {});
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toContain('OK: 3 document(s)');
    writeMetadata(dir, {
      'tag.yaml': TAG.replace('type: text', 'type: txt').replace(
        'displayField: label',
        'displayField: nothing',
      ),
    });
    const bad = crm(['validate', '--dir', dir], {});
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('METADATA_INVALID: metadata has 2 errors');
    expect(bad.err).toMatch(/tag\.yaml entity\/tag \/displayField: "nothing" is not a field/);
    expect(bad.err).toMatch(/tag\.yaml entity\/tag \/fields\/label\/type: must be one of/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe.each(DIALECTS)('crm plan / apply / export / typegen on %s', (dialect) => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-cli-'));
    writeMetadata(path.join(dir, 'metadata'), BASE_FILES);
    env = {
      DATABASE_URL: await freshDatabaseUrl(dialect, dir),
      METADATA_DIR: path.join(dir, 'metadata'),
      DATA_DIR: dir,
    };
  });
  afterAll(async () => {
    await dropDatabase(env.DATABASE_URL);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('plans, applies with progress, and then has nothing left to do', () => {
    const plan = crm(['plan'], env);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain('+ createTable:e_deal');
    expect(plan.out).toContain('+ createTable:j_deal_tags');
    const apply = crm(['apply', '--actor', 'implementer'], env);
    expect(apply.code).toBe(0);
    expect(apply.out).toMatch(/\[1\/\d+\] CREATE TABLE/);
    expect(apply.out).toMatch(/Applied revision 1 in/);
    expect(crm(['plan'], env).out).toContain('No changes');
    expect(crm(['revisions'], env).out).toMatch(/1 .* files\s+implementer/);
  });

  it('refuses a destructive change until it is confirmed', () => {
    writeMetadata(path.join(dir, 'metadata'), {
      'tag.yaml': TAG.replace('required: true', 'required: true, length: 20'),
    });
    const refused = crm(['apply'], env);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('DESTRUCTIVE_CHANGE_UNCONFIRMED');
    expect(refused.err).toContain('alterColumn:e_tag.label');
    const confirmed = crm(['apply', '--confirm', 'alterColumn:e_tag.label'], env);
    expect(confirmed.code).toBe(0);
  });

  it('exports the live documents back to files that validate again', () => {
    const out = path.join(dir, 'exported');
    expect(crm(['export', '--out', out], env).code).toBe(0);
    expect(fs.readdirSync(path.join(out, 'entities')).sort()).toEqual([
      'account.yaml',
      'deal.yaml',
      'tag.yaml',
    ]);
    expect(crm(['validate', '--dir', out], env)).toMatchObject({ code: 0 });
    expect(fs.readFileSync(path.join(out, 'entities', 'tag.yaml'), 'utf8')).toContain('length: 20');
  });

  it('generates TypeScript types from the compiled schemas', () => {
    const out = path.join(dir, 'types');
    expect(crm(['typegen', '--out', out], env).code).toBe(0);
    const deal = fs.readFileSync(path.join(out, 'deal.ts'), 'utf8');
    expect(deal).toContain('export interface Deal');
    expect(deal).toMatch(/stage\?: "open" \| "won" \| "lost" \| null/);
    expect(deal).toMatch(/title: string/);
  });
});
