import { evaluate, unaryTest } from 'feelin';
import { FEEL_DIALECT } from './analyse';
import { evaluateFeel, evaluateUnaryTests } from './evaluate';
import { parseCacheSize, parseKey, withParseCache } from './parse-cache';

type Ctx = Record<string, unknown>;

/** feelin's answer (value and warnings) uncached, then through the cache twice (miss, then hit). */
function compare(text: string, ctx: Ctx, top: 'Expression' | 'UnaryTests' = 'Expression') {
  const run = () =>
    top === 'Expression' ? evaluate(text, ctx, FEEL_DIALECT) : unaryTest(text, ctx, FEEL_DIALECT);
  const plain = run();
  const key = parseKey(text, top, FEEL_DIALECT, ctx);
  expect(key).not.toBeNull();
  const first = withParseCache(key, top, FEEL_DIALECT, run);
  const size = parseCacheSize();
  const second = withParseCache(key, top, FEEL_DIALECT, run);
  // the second run parsed nothing new: it was answered from the cache
  expect(parseCacheSize()).toBe(size);
  for (const r of [first, second]) {
    expect(r.value).toEqual(plain.value);
    expect(r.warnings).toEqual(plain.warnings);
  }
  return plain;
}

describe('FEEL parse cache', () => {
  it('gives the uncached values and warnings, on expressions and unary tests', () => {
    compare('a + b * 2', { a: 1, b: 3 });
    compare('if x > 10 then "big" else "small"', { x: 11 });
    compare('for i in items return i * 2', { items: [1, 2, 3] });
    compare('items[item > 1]', { items: [1, 2, 3] });
    compare('{r: order.lines[1].qty}.r', { order: { lines: [{ qty: 4 }] } });
    compare('< 10', { '?': 5 }, 'UnaryTests');
    compare('"a", "b"', { '?': 'c' }, 'UnaryTests');
  });

  it('gives the same warnings on every call, not a list that grows', () => {
    const r = compare('missing + 1', { other: 1 });
    expect(r.warnings.length).toBeGreaterThan(0);
  });

  it('reads names with spaces and symbols as the context defines them, at the top and nested', () => {
    expect(compare('order total + 1', { 'order total': 2 }).value).toBe(3);
    expect(compare('a-b * 2', { 'a-b': 4 }).value).toBe(8);
    expect(compare('x.total amount', { x: { 'total amount': 7 } }).value).toBe(7);
  });

  it('keys the parse on the names the text can read, so a context whose keys change parses again', () => {
    // the same text means a name with a space, or a subtraction, depending on the context's keys
    const spaced = compare('a-b', { 'a-b': 10, a: 1, b: 2 });
    const minus = compare('a-b', { a: 1, b: 2 });
    expect(spaced.value).toBe(10);
    expect(minus.value).toBe(-1);
    expect(parseKey('a-b', 'Expression', FEEL_DIALECT, { 'a-b': 10, a: 1, b: 2 })).not.toBe(
      parseKey('a-b', 'Expression', FEEL_DIALECT, { a: 1, b: 2 }),
    );
    // nested: `x.total amount` reads one name or none, after the same text
    expect(compare('x.total amount', { x: { total: 1, amount: 2 } }).value).toBeNull();
    expect(compare('x.total amount', { x: { 'total amount': 3 } }).value).toBe(3);
  });

  it('does not split the cache on names the text cannot read', () => {
    const key = (ctx: Ctx) => parseKey('approved = true', 'Expression', FEEL_DIALECT, ctx);
    expect(key({ approved: true, manager: 'ann', 'due date': 1, record: { name: 'x' } })).toBe(
      key({ approved: false, 'other thing': 2, list: [{ qty: 1 }] }),
    );
    expect(key({ approved: true })).not.toBe(key({ 'approved by': 'ann' }));
  });

  it('marks values feelin converts (dates), and gives up on contexts too large to walk', () => {
    const when = new Date('2026-01-02T03:04:05Z');
    expect(parseKey('d', 'Expression', FEEL_DIALECT, { d: when })).not.toBe(
      parseKey('d', 'Expression', FEEL_DIALECT, { d: 'x' }),
    );
    compare('d', { d: when });
    const big = { rows: Array.from({ length: 5000 }, (_, i) => ({ i })) };
    expect(parseKey('rows', 'Expression', FEEL_DIALECT, big)).toBeNull();
    // uncached, and still right
    expect(evaluateFeel('count(rows)', big)).toBe(5000);
  });

  it('answers evaluateFeel the same, call after call, with the caller’s functions and changing variables', () => {
    const functions = { 'users in role': (role: string) => (role === 'sales' ? ['ann'] : []) };
    for (let i = 0; i < 3; i++) {
      expect(evaluateFeel('users in role("sales")', {}, { functions })).toEqual(['ann']);
      expect(evaluateFeel('manager', { manager: `u${i}` })).toBe(`u${i}`);
      expect(evaluateFeel('approved = true', { approved: i % 2 === 0 })).toBe(i % 2 === 0);
      expect(evaluateFeel('is defined(x)', i % 2 ? { x: 1 } : {})).toBe(i % 2 === 1);
      expect(evaluateUnaryTests('[1..5]', i + 2)).toBe(i + 2 <= 5);
    }
    expect(evaluateFeel('order total + 1', { 'order total': 1 })).toBe(2);
    expect(evaluateFeel('order total + 1', { order: 1, total: 1 })).toBeNull();
  });
});
