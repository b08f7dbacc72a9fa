import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { type FieldDef, buildModel, loadMetadataDir } from '@crm/metadata';
import { type Dataset, assertDataset, datasetModelErrors, datasetShapeErrors } from './dataset';
import { DemoPlanner, type PlanInput, type PlannedRecord } from './plan';
import { compileValidators, ruleErrors, schemaErrors } from '../record-validator';
import { shallowRules, withDefaults } from './write';

const root = path.resolve(__dirname, '../../../..');
const loaded = loadMetadataDir(path.join(root, 'metadata'), null);
const model = buildModel(
  loaded.documents.map((d) => d.doc),
  1,
);
const shipped = parse(fs.readFileSync(path.join(root, 'demo/dataset.yaml'), 'utf8')) as Dataset;

const fieldsOf = (ds: Dataset) =>
  new Map(ds.entities.map((e) => [e.entity, model.entities.get(e.entity)!.fields]));
const input = (size: number, over: Partial<PlanInput> = {}): PlanInput => ({
  dataset: shipped,
  size,
  now: new Date('2026-06-15T08:00:00Z'),
  fields: fieldsOf(shipped),
  users: ['admin', 'rep', 'rep2', 'manager', 'agent', 'svcmanager'],
  fallbackOwner: 'admin',
  ...over,
});
function planAll(p: DemoPlanner, chunk = 7): PlannedRecord[] {
  const out = p.fixed();
  for (let c = p.nextChunk(chunk); c; c = p.nextChunk(chunk)) out.push(...c);
  return out;
}
const count = (rs: PlannedRecord[], e: string) => rs.filter((r) => r.entity === e).length;

describe('demo data planner', () => {
  it('the shipped dataset fits the shipped metadata', () => {
    expect(datasetShapeErrors(shipped)).toEqual([]);
    expect(datasetModelErrors(shipped, model.entities)).toEqual([]);
  });

  it('makes records that their entity schema and rules accept', () => {
    const now = new Date('2026-06-15T08:00:00Z');
    const rs = planAll(new DemoPlanner(input(40)));
    const problems: unknown[] = [];
    const validators = new Map<string, ReturnType<typeof compileValidators>>();
    const shallow = shallowRules((n) => model.entities.get(n)!);
    for (const r of rs) {
      const e = model.entities.get(r.entity)!;
      if (!validators.has(e.name)) validators.set(e.name, compileValidators(e));
      // relations resolved to some id, as the writer does
      const data = withDefaults(e, {
        ...r.data,
        ...Object.fromEntries(Object.keys(r.refs).map((k) => [k, 1])),
      });
      const errors = [
        ...schemaErrors(validators.get(e.name)!.create, data),
        ...ruleErrors(
          e,
          data,
          'en',
          { clock: { now: () => now } as never, timeZone: 'UTC' },
          shallow(e),
        ),
      ];
      if (errors.length) problems.push({ entity: r.entity, data, errors });
    }
    expect(problems.slice(0, 3)).toEqual([]);
  });

  it('is deterministic for a seed, whatever the chunk size', () => {
    const a = planAll(new DemoPlanner(input(20)), 3);
    const b = planAll(new DemoPlanner(input(20)), 3);
    expect(b).toEqual(a);
    const c = planAll(new DemoPlanner(input(20, { dataset: { ...shipped, seed: 7 } })), 3);
    expect(c.map((r) => r.data)).not.toEqual(a.map((r) => r.data));
  });

  it('makes size roots and children in proportion to their parents', () => {
    const rs = planAll(new DemoPlanner(input(400)), 50);
    expect(count(rs, 'customer')).toBe(400);
    expect(count(rs, 'product')).toBe(12);
    expect(count(rs, 'opportunity')).toBe(400); // per: 1
    expect(count(rs, 'quote')).toBe(400);
    const contacts = count(rs, 'contact'); // per: [1, 3]
    expect(contacts).toBeGreaterThanOrEqual(400 * 1.8);
    expect(contacts).toBeLessThanOrEqual(400 * 2.2);
    const orders = count(rs, 'sales_order'); // per: 0.5
    expect(orders).toBeGreaterThan(400 * 0.4);
    expect(orders).toBeLessThan(400 * 0.6);
    expect(count(rs, 'receivable')).toBe(orders);
    const expected = new DemoPlanner(input(400)).expectedCounts();
    expect(expected.get('contact')).toBe(800);
    expect(expected.get('quote_line')).toBe(800);
  });

  it('points every relation at a planned record of the right entity, parents first', () => {
    const rs = planAll(new DemoPlanner(input(30)));
    const byKey = new Map<number, PlannedRecord>();
    for (const r of rs) {
      const fields = model.entities.get(r.entity)!.fields;
      for (const [field, key] of Object.entries(r.refs)) {
        const target = byKey.get(key);
        expect(target).toBeDefined(); // written before
        expect(target!.entity).toBe(fields[field].target);
      }
      byKey.set(r.key, r);
    }
    // a quote's customer is its opportunity's customer
    for (const quote of rs.filter((r) => r.entity === 'quote'))
      expect(quote.refs.customer).toBe(byKey.get(quote.refs.opportunity)!.refs.customer);
  });

  it('gives values the fields accept: unique names, currencies, dates after their start', () => {
    const rs = planAll(new DemoPlanner(input(300, { taken: new Map() })));
    const names = rs.filter((r) => r.entity === 'customer').map((r) => r.data.name);
    expect(new Set(names).size).toBe(names.length);
    const opp = rs.find((r) => r.entity === 'opportunity')!;
    expect(opp.data.expectedRevenue).toEqual({ amount: expect.any(Number), currency: 'CNY' });
    for (const o of rs.filter((r) => r.entity === 'opportunity'))
      expect(String(o.data.expectedCloseDate) >= String(o.data.startDate)).toBe(true);
    // payments never exceed what the receivable is due (received and outstanding are rollups)
    const due = new Map(
      rs
        .filter((r) => r.entity === 'receivable')
        .map((r) => [r.key, (r.data.amountDue as { amount: number }).amount]),
    );
    const paid = new Map<unknown, number>();
    for (const p of rs.filter((r) => r.entity === 'payment'))
      paid.set(
        p.refs.receivable,
        (paid.get(p.refs.receivable) ?? 0) + (p.data.amount as { amount: number }).amount,
      );
    expect(paid.size).toBeGreaterThan(0);
    for (const [rec, sum] of paid) expect(sum).toBeLessThanOrEqual(due.get(rec as number)!);
    // quotes in approval: about the share the dataset asks for
    const quotes = rs.filter((r) => r.entity === 'quote');
    const share = quotes.filter((q) => q.start === 'quote_submit').length / quotes.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });

  it('avoids unique values already stored, and skips owners that do not exist', () => {
    const first = planAll(new DemoPlanner(input(5)));
    const name = first.find((r) => r.entity === 'customer')!.data.name as string;
    const again = planAll(
      new DemoPlanner(input(5, { taken: new Map([['customer.name', [name]]]), users: ['rep'] })),
    );
    const customers = again.filter((r) => r.entity === 'customer');
    expect(customers.map((c) => c.data.name)).not.toContain(name);
    expect(customers.map((c) => c.data.name)).toContain(`${name}-2`);
    expect(new Set(customers.map((c) => c.owner))).toEqual(new Set(['rep']));
    // service requests fall back to their customer's owner when agent and svcmanager are missing
    for (const s of again.filter((r) => r.entity === 'service_request'))
      expect(s.owner).toBe('rep');
  });

  it('refuses a faker method that does not exist, naming where', () => {
    const bad: Dataset = {
      seed: 1,
      entities: [{ entity: 'customer', root: true, fields: { name: { faker: 'company.nope' } } }],
    };
    expect(() => new DemoPlanner(input(1, { dataset: bad, fields: fieldsOf(bad) }))).toThrow(
      expect.objectContaining({
        code: 'METADATA_INVALID',
        errors: [expect.objectContaining({ path: '/entities/0/fields/name/faker' })],
      }),
    );
  });
});

const one = (
  over: Record<string, unknown>,
  fields: Record<string, unknown> = { name: { value: 'x' } },
) => ({
  seed: 1,
  entities: [{ entity: 'customer', root: true, fields }, over],
});

describe('demo dataset checks', () => {
  it.each([
    { title: 'not a mapping', raw: [], path: '' },
    {
      title: 'no seed',
      raw: { entities: [{ entity: 'customer', root: true, fields: {} }] },
      path: '/seed',
    },
    {
      title: 'no root',
      raw: { seed: 1, entities: [{ entity: 'product', count: 1, fields: {} }] },
      path: '/entities',
    },
    {
      title: 'two modes',
      raw: one({ entity: 'contact', count: 1, root: true, fields: {} }),
      path: '/entities/1',
    },
    {
      title: 'bad per',
      raw: one({ entity: 'contact', parent: { field: 'customer', per: [3, 1] }, fields: {} }),
      path: '/entities/1/parent/per',
    },
    {
      title: 'two generators',
      raw: one({ entity: 'product', count: 1, fields: { name: { value: 1, int: [1, 2] } } }),
      path: '/entities/1/fields/name',
    },
    {
      title: 'bad range',
      raw: one({ entity: 'product', count: 1, fields: { stock: { int: [5] } } }),
      path: '/entities/1/fields/stock/int',
    },
    {
      title: 'bad faker name',
      raw: one({ entity: 'product', count: 1, fields: { name: { faker: 'x' } } }),
      path: '/entities/1/fields/name/faker',
    },
    {
      title: 'bad optional',
      raw: one({ entity: 'product', count: 1, fields: { name: { value: 1, optional: 2 } } }),
      path: '/entities/1/fields/name/optional',
    },
    {
      title: 'bad share',
      raw: one({
        entity: 'quote',
        parent: { field: 'customer', per: 1 },
        start: { trigger: 't', share: 3 },
        fields: {},
      }),
      path: '/entities/1/start/share',
    },
  ])('shape: $title', ({ raw, path: p }) => {
    expect(datasetShapeErrors(raw)).toContainEqual(expect.objectContaining({ path: p }));
  });

  it.each([
    {
      title: 'unknown entity',
      e: { entity: 'nope', count: 1, fields: {} },
      path: '/entities/1/entity',
    },
    {
      title: 'unknown field',
      e: {
        entity: 'contact',
        parent: { field: 'customer', per: 1 },
        fields: { name: { value: 'a' }, nope: { value: 1 } },
      },
      path: '/entities/1/fields/nope',
    },
    {
      title: 'parent not a relation',
      e: { entity: 'contact', parent: { field: 'name', per: 1 }, fields: {} },
      path: '/entities/1/parent/field',
    },
    {
      title: 'ref to a non-fixed entity',
      e: {
        entity: 'contact',
        parent: { field: 'customer', per: 1 },
        fields: { name: { value: 'a' }, customer: { ref: 'customer' } },
      },
      path: '/entities/1/fields/customer',
    },
    {
      title: 'autoNumber generated',
      e: {
        entity: 'opportunity',
        parent: { field: 'customer', per: 1 },
        fields: { name: { value: 'a' }, code: { value: 'x' } },
      },
      path: '/entities/1/fields/code',
    },
    {
      title: 'required field missing',
      e: { entity: 'contact', parent: { field: 'customer', per: 1 }, fields: {} },
      path: '/entities/1/fields',
    },
  ])('model: $title', ({ e, path: p }) => {
    const ds = one(e) as unknown as Dataset;
    expect(datasetShapeErrors(ds)).toEqual([]);
    expect(datasetModelErrors(ds, model.entities)).toContainEqual(
      expect.objectContaining({ path: p }),
    );
  });

  it('assertDataset names the file', () => {
    expect(() => assertDataset({ seed: 'x' }, 'demo/dataset.yaml')).toThrow(
      expect.objectContaining({
        code: 'METADATA_INVALID',
        errors: expect.arrayContaining([expect.objectContaining({ file: 'demo/dataset.yaml' })]),
      }),
    );
  });
});

// keep FieldDef referenced for readers of the planner's input type
export type { FieldDef };
