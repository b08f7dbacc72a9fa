import { evaluate, type FeelRange } from 'feelin';
import { type FeelFunction, fn, isNil, isRange } from './fn';

/**
 * The DMN 1.4 range relations feelin 8 leaves unimplemented (calling them throws in feelin), written
 * from the spec's definitions (DMN 1.4 §10.3.4.7). Each takes points (numbers, dates, times,
 * durations, strings) or ranges; anything else — or an open range bound — is null, as Camunda.
 */

type Point = unknown;
// Points are compared with FEEL's own `<` and `=` so dates, times and durations order exactly as
// everywhere else in FEEL; null means "not comparable".
const lt = (a: Point, b: Point): boolean | null =>
  evaluate('a < b', { a, b }).value as boolean | null;
const eq = (a: Point, b: Point): boolean | null =>
  evaluate('a = b', { a, b }).value as boolean | null;

interface R {
  s: Point;
  e: Point;
  si: boolean;
  ei: boolean;
}
const r = (x: FeelRange): R | null =>
  isNil(x.start) || isNil(x.end)
    ? null
    : { s: x.start, e: x.end, si: x['start included'], ei: x['end included'] };

/** Runs `body` on the argument shapes it is defined for; null for any other combination. */
function relation(
  name: string,
  params: [string, string],
  cases: {
    pp?: (a: Point, b: Point) => boolean | null;
    pr?: (a: Point, b: R) => boolean | null;
    rp?: (a: R, b: Point) => boolean | null;
    rr?: (a: R, b: R) => boolean | null;
  },
): [string, FeelFunction] {
  return [
    name,
    fn(params, (a, b) => {
      if (isNil(a) || isNil(b)) return null;
      const ra = isRange(a) ? r(a) : undefined;
      const rb = isRange(b) ? r(b) : undefined;
      if (ra === null || rb === null) return null;
      try {
        if (ra && rb) return cases.rr ? cases.rr(ra, rb) : null;
        if (ra) return cases.rp ? cases.rp(ra, b) : null;
        if (rb) return cases.pr ? cases.pr(a, rb) : null;
        return cases.pp ? cases.pp(a, b) : null;
      } catch {
        return null;
      }
    }),
  ];
}

// Three-valued helpers: a comparison of incomparable values makes the whole relation null.
const and = (...xs: Array<boolean | null>): boolean | null =>
  xs.includes(false) ? false : xs.includes(null) ? null : true;
const or = (...xs: Array<boolean | null>): boolean | null =>
  xs.includes(true) ? true : xs.includes(null) ? null : false;

const includesPoint = (x: R, p: Point) =>
  or(and(lt(x.s, p), lt(p, x.e)), and(eq(x.s, p), x.si), and(eq(x.e, p), x.ei));
const includesRange = (a: R, b: R) =>
  and(
    or(lt(a.s, b.s), and(eq(a.s, b.s), a.si || !b.si)),
    or(lt(b.e, a.e), and(eq(a.e, b.e), a.ei || !b.ei)),
  );

export const RANGE_BUILTINS: Array<[string, FeelFunction]> = [
  relation('overlaps before', ['range1', 'range2'], {
    rr: (a, b) =>
      and(
        or(lt(a.s, b.s), and(eq(a.s, b.s), a.si && !b.si)),
        or(lt(b.s, a.e), and(eq(a.e, b.s), a.ei && b.si)),
        or(lt(a.e, b.e), and(eq(a.e, b.e), !a.ei || b.ei)),
      ),
  }),
  relation('overlaps after', ['range1', 'range2'], {
    rr: (a, b) =>
      and(
        or(lt(b.s, a.s), and(eq(b.s, a.s), b.si && !a.si)),
        or(lt(a.s, b.e), and(eq(b.e, a.s), b.ei && a.si)),
        or(lt(b.e, a.e), and(eq(b.e, a.e), !b.ei || a.ei)),
      ),
  }),
  relation('finishes', ['range1', 'range2'], {
    pr: (p, x) => and(x.ei, eq(x.e, p)),
    rr: (a, b) =>
      and(a.ei === b.ei, eq(a.e, b.e), or(lt(b.s, a.s), and(eq(a.s, b.s), !a.si || b.si))),
  }),
  relation('finished by', ['range1', 'range2'], {
    rp: (x, p) => and(x.ei, eq(x.e, p)),
    rr: (a, b) =>
      and(a.ei === b.ei, eq(a.e, b.e), or(lt(a.s, b.s), and(eq(a.s, b.s), a.si || !b.si))),
  }),
  relation('during', ['range1', 'range2'], {
    pr: (p, x) => includesPoint(x, p),
    rr: (a, b) => includesRange(b, a),
  }),
  relation('starts', ['range1', 'range2'], {
    pr: (p, x) => and(eq(x.s, p), x.si),
    rr: (a, b) =>
      and(eq(a.s, b.s), a.si === b.si, or(lt(a.e, b.e), and(eq(a.e, b.e), !a.ei || b.ei))),
  }),
  relation('started by', ['range1', 'range2'], {
    rp: (x, p) => and(eq(x.s, p), x.si),
    rr: (a, b) =>
      and(eq(a.s, b.s), a.si === b.si, or(lt(b.e, a.e), and(eq(b.e, a.e), !b.ei || a.ei))),
  }),
  relation('coincides', ['range1', 'range2'], {
    pp: (a, b) => eq(a, b),
    rr: (a, b) => and(eq(a.s, b.s), a.si === b.si, eq(a.e, b.e), a.ei === b.ei),
  }),
];
