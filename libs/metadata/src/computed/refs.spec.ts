import { feelRefs } from './refs';

describe('feelRefs', () => {
  it.each([
    { input: 'quantity * unitPrice', bare: ['quantity', 'unitPrice'], paths: [] as string[] },
    { input: 'quote.discount * 2 + x', bare: ['x'], paths: ['quote.discount'] },
    {
      input: 'quote = null or quote.status = "approved"',
      bare: ['quote'],
      paths: ['quote.status'],
    },
    { input: 'customer = receivable.customer', bare: ['customer'], paths: ['receivable.customer'] },
    { input: 'a.b.c', bare: [], paths: ['a.b>'] },
    { input: 'for i in items return i.x', bare: ['items'], paths: [] },
    { input: 'string length(name) > 2', bare: ['name'], paths: [] },
  ])('$input', ({ input, bare, paths }) => {
    const r = feelRefs(input)!;
    expect(r.bare.sort()).toEqual([...bare].sort());
    expect(r.paths.map((p) => `${p.head}.${p.field}${p.deeper ? '>' : ''}`).sort()).toEqual(
      [...paths].sort(),
    );
  });

  it('is null for an expression that does not parse', () => {
    expect(feelRefs('a +* b')).toBeNull();
  });
});
