import type { FieldInfo } from '../entities/model';
import { buildFilter, operatorsFor } from './filter';

const label = { 'zh-CN': 'x', en: 'x' };
const field = (
  name: string,
  type: FieldInfo['type'],
  extra: Partial<FieldInfo> = {},
): FieldInfo => ({
  name,
  type,
  label,
  required: false,
  readOnly: false,
  system: type === 'system',
  ...extra,
});
const fields = new Map(
  [
    field('name', 'text'),
    field('total', 'currency'),
    field('quoteDate', 'date'),
    field('status', 'select'),
    field('channels', 'multiSelect'),
    field('customer', 'relation', { relation: { kind: 'manyToOne', target: 'customer' } }),
    field('tags', 'relation', { relation: { kind: 'manyToMany', target: 'tag' } }),
  ].map((f) => [f.name, f]),
);
const display = (e: string) => (e === 'customer' ? 'name' : undefined);

describe('buildFilter', () => {
  it.each([
    {
      title: 'text contains',
      rows: [{ field: 'name', op: 'contains', value: 'Acme' }],
      out: { name: { contains: 'Acme' } },
    },
    {
      title: 'a currency range',
      rows: [{ field: 'total', op: 'between', value: 100, value2: 500 }],
      out: { total: { gte: 100, lte: 500 } },
    },
    {
      title: 'an open-ended date range',
      rows: [{ field: 'quoteDate', op: 'between', value: undefined, value2: '2026-03-31' }],
      out: { quoteDate: { lte: '2026-03-31' } },
    },
    {
      title: 'select any of',
      rows: [{ field: 'status', op: 'in', value: ['draft', 'sent'] }],
      out: { status: { in: ['draft', 'sent'] } },
    },
    {
      title: 'multi-select contains',
      rows: [{ field: 'channels', op: 'contains', value: 'web' }],
      out: { channels: { contains: 'web' } },
    },
    {
      title: "a relation's display field one hop away",
      rows: [{ field: 'customer', op: 'relContains', value: '华东' }],
      out: { 'customer.name': { contains: '华东' } },
    },
    {
      title: 'not empty',
      rows: [{ field: 'customer', op: 'notNull' }],
      out: { customer: { isNull: false } },
    },
    {
      title: 'two rows, ANDed',
      rows: [
        { field: 'name', op: 'startsWith', value: 'A' },
        { field: 'status', op: 'eq', value: 'draft' },
      ],
      out: { and: [{ name: { startsWith: 'A' } }, { status: { eq: 'draft' } }] },
    },
    {
      title: 'incomplete rows and unknown fields left out',
      rows: [
        { field: 'name', op: 'contains', value: '' },
        { field: 'status', op: 'in', value: [] },
        { field: 'gone', op: 'eq', value: 1 },
      ],
      out: {},
    },
  ] as const)('$title', ({ rows, out }) => {
    expect(buildFilter(rows as never, fields, display)).toEqual(out);
  });

  it('offers the operators the records API takes for each type', () => {
    expect(operatorsFor(fields.get('channels')!)).toEqual(['contains']);
    expect(operatorsFor(fields.get('tags')!)).toEqual(['contains']);
    expect(operatorsFor(fields.get('total')!)).toContain('between');
    expect(operatorsFor(fields.get('customer')!)[0]).toBe('relContains');
  });
});
