import * as fs from 'node:fs';
import * as path from 'node:path';
import { type TestServer, startServer } from './support/harness';
import { EXPECTED, type Expected, type RefusalKind } from './camunda8-corpus/expected';

/**
 * Real Camunda 8 diagrams (tests/fixtures/camunda8-corpus, collected from npm packages): given
 * each file as its package ships it, when it is deployed over HTTP, then it deploys or is refused
 * exactly as the table in camunda8-corpus/expected.ts says — every refusal a 400 naming the
 * element, never a 500. The deploy rates in libs/workflow/README.md are checked against the table,
 * so they cannot go stale. SQLite is enough: deploy validation does not touch dialect-specific SQL.
 */
const DIR = path.resolve(__dirname, '../fixtures/camunda8-corpus');
const README = path.resolve(__dirname, '../../libs/workflow/README.md');

function corpusFiles(dir = DIR): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? corpusFiles(path.join(dir, e.name))
        : e.name.endsWith('.bpmn')
          ? [path.relative(DIR, path.join(dir, e.name)).split(path.sep).join('/')]
          : [],
    )
    .sort();
}

const files = corpusFiles();
const oneSpace = (text: string) => text.replace(/\s+/g, ' ');
const percent = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} %`;

/** Files whose problems are all of one of `kinds`. */
const refusedOnlyFor = (kinds: RefusalKind[]) =>
  Object.values(EXPECTED).filter(
    (e): e is Exclude<Expected, 'deploys'> =>
      e !== 'deploys' && e.every((p) => kinds.includes(p.kind)),
  ).length;

/** The summary rows the engine README states, computed from the table. */
function summaryRows(): string[] {
  const all = Object.values(EXPECTED);
  const deploys = all.filter((e) => e === 'deploys').length;
  const zeebeDeploys = all.length - refusedOnlyFor(['zeebe-refuses']);
  const documented = deploys + refusedOnlyFor(['unsupported']);
  const rows = [
    `| all diagrams | ${all.length} | ${deploys} | ${percent(deploys, all.length)} |`,
    `| the ones Zeebe deploys | ${zeebeDeploys} | ${deploys} | ${percent(deploys, zeebeDeploys)} |`,
    `| the ones Zeebe deploys: deployed, or refused only for documented unsupported constructs | ${zeebeDeploys} | ${documented} | ${percent(documented, zeebeDeploys)} |`,
  ];
  // per refused construct: how many diagrams it stops, and whose limit it is
  const byReason = new Map<string, Set<string>>();
  for (const [file, e] of Object.entries(EXPECTED))
    if (e !== 'deploys')
      for (const p of e) {
        const key = `| ${p.construct} | ${p.kind} |`;
        byReason.set(key, (byReason.get(key) ?? new Set()).add(file));
      }
  for (const [key, set] of [...byReason].sort((a, b) => b[1].size - a[1].size))
    rows.push(`${key} ${set.size} |`);
  return rows;
}

describe('real Camunda 8 diagrams on sqlite', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer('sqlite', {});
  });
  afterAll(async () => {
    await s?.close();
  });

  it('has an expected outcome for exactly the corpus files', () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(EXPECTED).sort()).toEqual(files);
  });

  it.each(files)('%s', async (file) => {
    const xml = fs.readFileSync(path.join(DIR, file), 'utf8');
    const res = await s.api('POST', '/api/workflow/deployments', xml, {
      'content-type': 'application/xml',
    });
    const expected = EXPECTED[file];
    if (expected === 'deploys') {
      expect({ status: res.status, errors: res.body.errors }).toEqual({
        status: 201,
        errors: undefined,
      });
      const ids = [...xml.matchAll(/<(?:\w+:)?process\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
      expect(res.body.data.map((d: { key: string }) => d.key).sort()).toEqual(ids.sort());
      return;
    }
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BPMN_INVALID');
    expect(res.body.errors).toEqual(
      expected.map((p) => ({
        path: p.elementId,
        elementId: p.elementId,
        elementType: expect.stringMatching(/^[A-Z]\w+$/),
        message: expect.stringContaining(p.says),
      })),
    );
    // a refusal names an element of the diagram
    for (const p of expected) expect(xml).toContain(`id="${p.elementId}"`);
  });

  it('refuses Zeebe-deployable constructs only where the engine README documents them', () => {
    const readme = oneSpace(fs.readFileSync(README, 'utf8'));
    const unsupported = Object.values(EXPECTED).flatMap((e) =>
      e === 'deploys' ? [] : e.filter((p) => p.kind === 'unsupported'),
    );
    expect(unsupported.length).toBeGreaterThan(0);
    for (const p of unsupported) expect(readme).toContain(oneSpace(p.why));
  });

  it('states the deploy rates and the refusals in the engine README', () => {
    const readme = fs.readFileSync(README, 'utf8');
    expect(summaryRows().filter((row) => !readme.includes(row))).toEqual([]);
  });
});
