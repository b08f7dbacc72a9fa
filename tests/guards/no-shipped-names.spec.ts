import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/**
 * The engine is generic: the CRM that ships is metadata/ and workflows/ only. This guard fails
 * when code under apps/ or libs/ names a shipped entity, field or workflow — as a whole string
 * literal ('quote', "quote_approval", 'amountDue') or as an identifier when the name cannot be an
 * ordinary word (snake_case entities, camelCase fields, process keys). Comments may name them.
 */

const root = path.resolve(__dirname, '../..');

/**
 * Engine vocabulary that a shipped document happens to reuse: each is a concept of the engine
 * itself (a notification message, FEEL's product(), a task's due / reminder / sent / resolved
 * time, Camunda's user task `dueDate` correction, the short name of a generated index), not a
 * reference to the shipped document.
 */
const ENGINE_VOCABULARY = new Set([
  'message',
  'product',
  'activity',
  'dueAt',
  'dueDate',
  'remindAt',
  'sentAt',
  'resolvedAt',
  'shortName',
]);

function files(dir: string, keep: (p: string) => boolean, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) files(p, keep, out);
    else if (keep(p)) out.push(p);
  }
  return out;
}

interface ShippedNames {
  /** Forbidden as a whole string literal. */
  literal: Set<string>;
  /** Forbidden as an identifier too (names no ordinary code would use). */
  identifier: Set<string>;
}

function shippedNames(): ShippedNames {
  const entities = new Set<string>();
  const fields = new Set<string>();
  for (const f of files(path.join(root, 'metadata'), (p) => p.endsWith('.yaml'))) {
    const doc = parse(fs.readFileSync(f, 'utf8')) as {
      kind?: string;
      name?: string;
      fields?: Record<string, unknown>;
    } | null;
    if (doc?.kind !== 'entity' || !doc.name) continue;
    entities.add(doc.name);
    for (const k of Object.keys(doc.fields ?? {})) fields.add(k);
  }
  const processes = files(path.join(root, 'workflows'), (p) => p.endsWith('.bpmn')).flatMap((f) =>
    [...fs.readFileSync(f, 'utf8').matchAll(/<bpmn:process\b[^>]*\bid="([^"]+)"/g)].map(
      (m) => m[1],
    ),
  );
  const compound = [...fields].filter((f) => /[A-Z]/.test(f));
  const keep = (names: string[]) => new Set(names.filter((n) => !ENGINE_VOCABULARY.has(n)));
  return {
    literal: keep([...entities, ...processes, ...compound]),
    identifier: keep([...[...entities].filter((e) => e.includes('_')), ...processes, ...compound]),
  };
}

/** Where a source text names a shipped document: `line: name`. */
export function shippedNamesIn(source: string, names: ShippedNames): string[] {
  // drop comments (keeping line breaks so line numbers hold), then look at literals and code
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:\\])\/\/.*$/gm, '$1');
  const lineOf = (i: number) => code.slice(0, i).split('\n').length;
  const hits: string[] = [];
  for (const m of code.matchAll(/(['"`])([A-Za-z0-9_]+)\1/g))
    if (names.literal.has(m[2])) hits.push(`${lineOf(m.index)}: '${m[2]}'`);
  const withoutStrings = code.replace(/(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g, (s) =>
    s.replace(/[^\n]/g, ' '),
  );
  for (const m of withoutStrings.matchAll(/[A-Za-z_$][A-Za-z0-9_$]*/g))
    if (names.identifier.has(m[0])) hits.push(`${lineOf(m.index)}: ${m[0]}`);
  return hits;
}

describe('no shipped names in engine code', () => {
  const names = shippedNames();

  it('knows the shipped documents (else it would pass on nothing)', () => {
    expect(names.literal.size).toBeGreaterThan(20);
    expect(names.identifier.size).toBeGreaterThan(5);
  });

  it.each([
    ["const e = 'NAME';", true],
    ['x.NAME = 1;', true],
    ['// a comment may say NAME', false],
    ['/* NAME */ const y = 2;', false],
    ["const s = 'a sentence about NAME';", false],
  ])('the scanner on %s finds a name: %s', (template, found) => {
    const name = [...names.identifier][0];
    expect(shippedNamesIn(template.replace('NAME', name), names).length > 0).toBe(found);
  });

  it('apps/ and libs/ name no shipped entity, field or workflow', () => {
    const sources = ['apps', 'libs'].flatMap((d) =>
      files(path.join(root, d), (p) => /\.tsx?$/.test(p) && !/\.spec\.tsx?$/.test(p)),
    );
    const hits = sources.flatMap((f) =>
      shippedNamesIn(fs.readFileSync(f, 'utf8'), names).map(
        (h) => `${path.relative(root, f)}:${h}`,
      ),
    );
    expect(hits).toEqual([]);
  });
});
