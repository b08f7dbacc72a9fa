import type { EntityDocument, FieldDef, SourcedDocument } from '../types';
import { validateDocuments } from '../validate';
import { buildComputedPlan, computedCycles } from './plan';

const l = (en: string) => ({ 'zh-CN': en, en });
const f = (type: FieldDef['type'], extra: Partial<FieldDef> = {}): FieldDef =>
  ({ type, label: l(type), ...extra }) as FieldDef;

/** A header with lines: the shape every computed-field case varies. */
function docs(
  header: Record<string, FieldDef> = {},
  line: Record<string, FieldDef> = {},
  rules: { header?: EntityDocument['rules']; line?: EntityDocument['rules'] } = {},
): EntityDocument[] {
  return [
    {
      kind: 'entity',
      name: 'hdr',
      label: l('Header'),
      displayField: 'title',
      fields: {
        title: f('text'),
        discount: f('percent'),
        status: f('select', { options: [{ value: 'open', label: l('Open') }] }),
        due: f('currency'),
        ...header,
      },
      ...(rules.header && { rules: rules.header }),
    },
    {
      kind: 'entity',
      name: 'ln',
      label: l('Line'),
      displayField: 'name',
      fields: {
        name: f('text'),
        hdr: f('relation', {
          target: 'hdr',
          relation: 'manyToOne',
          inverse: { name: 'lines', label: l('Lines') },
        }),
        tags: f('relation', { target: 'hdr', relation: 'manyToMany' }),
        quantity: f('integer'),
        price: f('currency'),
        state: f('text'),
        shipped: f('date'),
        ...line,
      },
      ...(rules.line && { rules: rules.line }),
    },
  ];
}

const validate = (d: EntityDocument[]) =>
  validateDocuments(d.map((doc): SourcedDocument => ({ doc, files: [`${doc.name}.yaml`] })));

describe('computed fields: validation', () => {
  it('accepts formulas, one-hop paths, rollups and a formula over a rollup', () => {
    expect(
      validate(
        docs(
          {
            total: f('currency', {
              rollup: { relation: 'lines', function: 'sum', field: 'amount' },
            }),
            n: f('integer', {
              rollup: { relation: 'lines', function: 'count', filter: 'state != "x"' },
            }),
            last: f('date', { rollup: { relation: 'lines', function: 'max', field: 'shipped' } }),
            avgQty: f('decimal', {
              precision: 10,
              scale: 2,
              rollup: { relation: 'lines', function: 'avg', field: 'quantity' },
            }),
            open: f('currency', { formula: 'due - total' }),
          },
          {
            amount: f('currency', { formula: 'quantity * price * (1 - hdr.discount / 100)' }),
            hdrDiscount: f('percent', { formula: 'hdr.discount' }),
          },
          {
            line: [
              { name: 'ok', expression: 'hdr = null or hdr.status = "open"', message: l('m') },
            ],
          },
        ),
      ),
    ).toEqual([]);
  });

  it.each([
    {
      title: 'unknown name in a formula',
      line: { a: f('integer', { formula: 'quantity * nope' }) },
      path: '/fields/a/formula',
      message: 'refers to unknown field "nope"',
    },
    {
      title: 'unknown FEEL function',
      line: { a: f('integer', { formula: 'frobnicate(quantity)' }) },
      path: '/fields/a/formula',
      message: 'unknown FEEL function frobnicate',
    },
    {
      title: 'a formula that does not parse',
      line: { a: f('integer', { formula: 'quantity +* 2' }) },
      path: '/fields/a/formula',
      message: 'invalid FEEL',
    },
    {
      title: 'two hops',
      line: { a: f('text', { formula: 'hdr.title.more' }) },
      path: '/fields/a/formula',
      message: 'only one hop',
    },
    {
      title: 'a path to a field the target lacks',
      line: { a: f('text', { formula: 'hdr.nope' }) },
      path: '/fields/a/formula',
      message: 'hdr has no field "nope"',
    },
    {
      title: 'a path over a manyToMany',
      line: { a: f('text', { formula: 'tags.title' }) },
      path: '/fields/a/formula',
      message: 'only a manyToOne relation can be followed',
    },
    {
      title: 'a path over a plain field',
      line: { a: f('text', { formula: 'name.length' }) },
      path: '/fields/a/formula',
      message: 'not a relation to follow',
    },
    {
      title: 'formula with required',
      line: { a: f('integer', { formula: 'quantity', required: true }) },
      path: '/fields/a/required',
      message: 'cannot be required',
    },
    {
      title: 'formula with default',
      line: { a: f('integer', { formula: 'quantity', default: 1 }) },
      path: '/fields/a/default',
      message: 'cannot be given a default',
    },
    {
      title: 'formula with unique',
      line: { a: f('integer', { formula: 'quantity', unique: true }) },
      path: '/fields/a/unique',
      message: 'cannot be unique',
    },
    {
      title: 'formula on an autoNumber',
      line: { a: f('autoNumber', { formula: 'name', codeRule: 'A-{seq:3}' }) },
      path: '/fields/a/type',
      message: 'cannot compute a autoNumber field',
    },
    {
      title: 'a formula reading itself',
      line: { a: f('integer', { formula: 'a + 1' }) },
      path: '/fields/a/formula',
      message: 'reads itself',
    },
    {
      title: 'formula and rollup together',
      header: {
        t: f('integer', { formula: '1', rollup: { relation: 'lines', function: 'count' } }),
      },
      path: '/fields/t/rollup',
      message: 'not both',
    },
    {
      title: 'unknown rollup relation',
      header: { t: f('integer', { rollup: { relation: 'nope', function: 'count' } }) },
      path: '/fields/t/rollup/relation',
      message: 'unknown relation "nope"',
    },
    {
      title: 'rollup over a field that is not an inverse',
      header: { t: f('integer', { rollup: { relation: 'title', function: 'count' } }) },
      path: '/fields/t/rollup/relation',
      message: 'not an inverse relation',
    },
    {
      title: 'unknown rollup function',
      header: { t: f('integer', { rollup: { relation: 'lines', function: 'median' as 'sum' } }) },
      path: '/fields/t/rollup/function',
      message: 'must be one of',
    },
    {
      title: 'sum of text',
      header: {
        t: f('decimal', {
          precision: 9,
          scale: 2,
          rollup: { relation: 'lines', function: 'sum', field: 'name' },
        }),
      },
      path: '/fields/t/rollup/field',
      message: 'cannot sum a text field',
    },
    {
      title: 'unknown child field',
      header: {
        t: f('decimal', {
          precision: 9,
          scale: 2,
          rollup: { relation: 'lines', function: 'sum', field: 'nope' },
        }),
      },
      path: '/fields/t/rollup/field',
      message: 'ln has no field "nope"',
    },
    {
      title: 'sum without a field',
      header: { t: f('integer', { rollup: { relation: 'lines', function: 'sum' } }) },
      path: '/fields/t/rollup/field',
      message: 'sum needs the child',
    },
    {
      title: 'count with a field',
      header: {
        t: f('integer', { rollup: { relation: 'lines', function: 'count', field: 'quantity' } }),
      },
      path: '/fields/t/rollup/field',
      message: 'count takes no field',
    },
    {
      title: 'sum into a text field',
      header: {
        t: f('text', { rollup: { relation: 'lines', function: 'sum', field: 'quantity' } }),
      },
      path: '/fields/t/type',
      message: 'is a number field',
    },
    {
      title: 'avg into an integer',
      header: {
        t: f('integer', { rollup: { relation: 'lines', function: 'avg', field: 'quantity' } }),
      },
      path: '/fields/t/type',
      message: 'not always an integer',
    },
    {
      title: 'a filter over an unknown child field',
      header: {
        t: f('integer', { rollup: { relation: 'lines', function: 'count', filter: 'nope > 1' } }),
      },
      path: '/fields/t/rollup/filter',
      message: 'refers to unknown field "nope"',
    },
    {
      title: 'rollup with required',
      header: {
        t: f('integer', { required: true, rollup: { relation: 'lines', function: 'count' } }),
      },
      path: '/fields/t/required',
      message: 'cannot be required',
    },
    {
      title: 'a rule following two hops',
      rules: { line: [{ name: 'r', expression: 'hdr.title.x = 1', message: l('m') }] },
      path: '/rules/0/expression',
      message: 'only one hop',
    },
    {
      title: 'a rule reading an unknown field across a relation',
      rules: { line: [{ name: 'r', expression: 'hdr.nope = 1', message: l('m') }] },
      path: '/rules/0/expression',
      message: 'hdr has no field "nope"',
    },
  ])(
    '$title',
    ({
      header,
      line,
      rules,
      path,
      message,
    }: {
      header?: Record<string, FieldDef>;
      line?: Record<string, FieldDef>;
      rules?: { header?: EntityDocument['rules']; line?: EntityDocument['rules'] };
      path: string;
      message: string;
    }) => {
      const errors = validate(docs(header, line, rules));
      expect(errors).toContainEqual(
        expect.objectContaining({ path, message: expect.stringContaining(message) }),
      );
    },
  );

  it('names a cycle among formulas and rollups', () => {
    const errors = validate(
      docs(
        {
          total: f('decimal', {
            precision: 12,
            scale: 2,
            rollup: { relation: 'lines', function: 'sum', field: 'amount' },
          }),
        },
        { amount: f('decimal', { precision: 12, scale: 2, formula: 'quantity * hdr.total' }) },
      ),
    );
    const cycle = errors.find((e) => e.message.includes('cycle'));
    expect(cycle?.message).toMatch(
      /hdr\.total → ln\.amount → hdr\.total|ln\.amount → hdr\.total → ln\.amount/,
    );
    expect(cycle?.document).toMatch(/^entity\//);
  });

  it('names a cycle among formulas of one record', () => {
    const errors = validate(
      docs({}, { a: f('integer', { formula: 'b + 1' }), b: f('integer', { formula: 'a + 1' }) }),
    );
    expect(errors.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/cycle: ln\.(a|b) → ln\.(a|b) → ln\.(a|b)/),
    );
  });
});

describe('computed fields: dependency graph', () => {
  const plans = buildComputedPlan(
    docs(
      {
        total: f('currency', { rollup: { relation: 'lines', function: 'sum', field: 'amount' } }),
        open: f('currency', { formula: 'due - total' }),
        half: f('currency', { formula: 'open / 2' }),
      },
      {
        amount: f('currency', { formula: 'gross * (1 - hdr.discount / 100)' }),
        gross: f('currency', { formula: 'quantity * price' }),
      },
      {
        header: [{ name: 'paid', expression: 'total <= due', message: l('m') }],
        line: [
          { name: 'plain', expression: 'quantity > 0', message: l('m') },
          { name: 'cross', expression: 'hdr.status = "open"', message: l('m') },
        ],
      },
    ),
  );

  it('orders formulas after the formulas they read', () => {
    expect(plans.get('ln')!.formulas.map((x) => x.field)).toEqual(['gross', 'amount']);
    expect(plans.get('hdr')!.formulas.map((x) => x.field)).toEqual(['open', 'half']);
  });

  it('knows which rollups a child feeds and which child formulas read the parent', () => {
    expect(plans.get('ln')!.feeds).toEqual([
      expect.objectContaining({ entity: 'hdr', field: 'total', via: 'hdr', source: 'amount' }),
    ]);
    expect(plans.get('hdr')!.dependents).toEqual([
      { entity: 'ln', via: 'hdr', fields: ['discount'] },
    ]);
    expect(plans.get('hdr')!.rollups.map((r) => r.field)).toEqual(['total']);
  });

  it('marks rules that need the stored record (computed fields, relation paths)', () => {
    expect([...plans.get('hdr')!.deepRules]).toEqual(['paid']);
    expect([...plans.get('ln')!.deepRules]).toEqual(['cross']);
    expect(plans.get('ln')!.followed).toEqual(new Map([['hdr', 'hdr']]));
  });

  it('finds no cycle in an acyclic set', () => {
    expect(computedCycles(docs())).toEqual([]);
  });
});
