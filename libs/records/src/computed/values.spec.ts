import { type CompiledEntity, type FieldDef, buildModel } from '@crm/metadata';
import { emptyRollup, fromFeelValue, toFeelValue } from './values';

const l = { 'zh-CN': 'x', en: 'x' };
const entity = (fields: Record<string, Partial<FieldDef>>): CompiledEntity =>
  buildModel(
    [
      {
        kind: 'entity',
        name: 'v',
        label: l,
        displayField: 't',
        fields: Object.fromEntries(
          Object.entries({ t: { type: 'text' }, ...fields }).map(([k, f]) => [
            k,
            { label: l, ...f },
          ]),
        ) as Record<string, FieldDef>,
      },
    ],
    1,
  ).entities.get('v')!;

describe('computed values', () => {
  const e = entity({
    i: { type: 'integer' },
    d: { type: 'decimal', precision: 6, scale: 2 },
    p: { type: 'percent' },
    c: { type: 'currency', currency: 'USD' },
    b: { type: 'boolean' },
    day: { type: 'date' },
    at: { type: 'datetime' },
    s: { type: 'text', length: 5 },
    st: {
      type: 'select',
      options: [
        { value: 'open', label: l },
        { value: 'settled', label: l },
      ],
    },
    n: { type: 'integer', rollup: { relation: 'x', function: 'count' } },
    m: { type: 'integer', rollup: { relation: 'x', function: 'max', field: 'i' } },
  });

  it('a select formula yields one of its options, and refuses any other value with the field named', () => {
    expect(fromFeelValue(e, 'st', 'settled')).toBe('settled');
    expect(fromFeelValue(e, 'st', 3)).toBeNull();
    expect(() => fromFeelValue(e, 'st', 'paid')).toThrow(/st: the computed value "paid"/);
  });

  it.each([
    { field: 'i', input: 2.6, out: 3 },
    { field: 'd', input: 1 / 3, out: 0.33 },
    { field: 'd', input: 1.005, out: 1.01 },
    { field: 'p', input: 12.345678, out: 12.3457 },
    { field: 'c', input: 0.1 + 0.2, out: { amount: 0.3, currency: 'USD' } },
    { field: 'c', input: null, out: null },
    { field: 'i', input: 'text', out: null },
    { field: 'i', input: Number.NaN, out: null },
    { field: 'b', input: true, out: true },
    { field: 'b', input: 1, out: null },
    { field: 'day', input: '2026-03-15', out: '2026-03-15' },
    { field: 'day', input: 'soon', out: null },
    { field: 'at', input: '2026-03-15T08:00:00+08:00', out: '2026-03-15T00:00:00.000Z' },
    { field: 's', input: 42, out: '42' },
  ])('$field ← $input', ({ field, input, out }) => {
    expect(fromFeelValue(e, field, input)).toEqual(out);
  });

  it.each([
    { field: 'd', input: 123456, why: 'more integer digits than the column' },
    { field: 's', input: 'too long', why: 'longer than the text field' },
  ])('refuses a value the column cannot hold: $why', ({ field, input }) => {
    expect(() => fromFeelValue(e, field, input)).toThrow(
      expect.objectContaining({ code: 'RECORD_INVALID' }),
    );
  });

  it('a currency is its amount to FEEL; a rollup of nothing is 0 for count, null for max', () => {
    expect(toFeelValue(e.fields.c, { amount: 5, currency: 'USD' })).toBe(5);
    expect(emptyRollup(e, 'n')).toBe(0);
    expect(emptyRollup(e, 'm')).toBeNull();
  });
});
