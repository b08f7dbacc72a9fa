import { evaluate } from 'feelin';
import { FEEL_DIALECT } from './analyse';
import { evaluateFeel } from './evaluate';
import { simpleFeel } from './simple';

const VALUES: unknown[] = [
  'a',
  '',
  'A',
  'approve',
  'true',
  '1',
  0,
  -0,
  1,
  -1,
  1.5,
  0.1 + 0.2,
  1e15,
  2 ** 53 + 2,
  true,
  false,
  null,
  { a: 1 },
  [1],
];
const LITERALS = [
  '"a"',
  '""',
  '"approve"',
  '"true"',
  '"1"',
  'true',
  'false',
  '0',
  '1',
  '-1',
  '1.5',
  '0.3',
  '1.50',
  '1000000000000000',
];
const OPS = ['=', '!=', '<', '<=', '>', '>='];

describe('simpleFeel (variables and comparisons without the interpreter)', () => {
  it('answers exactly as feelin wherever it answers, over every value, literal and operator', () => {
    let answered = 0;
    let checked = 0;
    for (const value of [...VALUES, undefined]) {
      const vars: Record<string, unknown> = value === undefined ? {} : { x: value };
      const exprs = ['x', ' x ', ...OPS.flatMap((op) => LITERALS.map((l) => `x ${op} ${l}`))];
      exprs.push('x="a"', 'x>=1', 'x = -1');
      for (const e of exprs) {
        checked++;
        const fast = simpleFeel(e, vars);
        if (!fast) continue;
        answered++;
        expect({ e, value, got: fast.value }).toEqual({
          e,
          value,
          got: evaluate(e, vars, FEEL_DIALECT).value,
        });
      }
    }
    // the grid must exercise the fast path, not only the fallback
    expect(answered).toBeGreaterThan(checked / 6);
  });

  it('takes the commonest shapes of the shipped processes', () => {
    expect(simpleFeel('decision = "approve"', { decision: 'approve' })).toEqual({ value: true });
    expect(simpleFeel('decision = "approve"', { decision: 'reject' })).toEqual({ value: false });
    expect(simpleFeel('engineer', { engineer: 'li.lei' })).toEqual({ value: 'li.lei' });
    expect(simpleFeel('approved = true', { approved: false })).toEqual({ value: false });
    expect(simpleFeel('amount >= 5000', { amount: 5000 })).toEqual({ value: true });
  });

  it('leaves to feelin what is not beyond doubt', () => {
    for (const [e, vars] of [
      ['x', {}], // missing: feelin's null and its warning
      ['x', { x: null }],
      ['x', { x: { a: 1 } }], // contexts and lists: feelin's own values
      ['x = true', { x: 'true' }], // mixed types: null in FEEL
      ['x < "b"', { x: 'a' }], // string order
      ['true', { true: 1 }], // keywords are not variables
      ['x = "a\\"b"', { x: 'a"b' }], // escapes
      ['x.y = 1', { x: { y: 1 } }], // paths
      ['x = 1 and y', { x: 1, y: true }],
      ['x = 12345678901234567', { x: 1 }], // more digits than a double keeps
    ] as Array<[string, Record<string, unknown>]>)
      expect({ e, fast: simpleFeel(e, vars) }).toEqual({ e, fast: undefined });
  });

  it('is what evaluateFeel answers, and evaluateFeel still answers the rest', () => {
    expect(evaluateFeel('decision = "approve"', { decision: 'approve' })).toBe(true);
    expect(evaluateFeel('x = true', { x: 'true' })).toBeNull();
    expect(evaluateFeel('x', {})).toBeNull();
    expect(evaluateFeel('count(x) > 0', { x: [1] })).toBe(true);
  });
});
