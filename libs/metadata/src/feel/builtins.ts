import { randomUUID } from 'node:crypto';
import { evaluate } from 'feelin';
import { systemClock, type Clock } from '@crm/common';
import { RANGE_BUILTINS } from './builtin-ranges';
import { STATIC_TEMPORAL_BUILTINS, temporalBuiltins, temporalToJson } from './builtin-temporal';
import {
  type FeelFunction,
  fn,
  isContext,
  isDuration,
  isList,
  isNil,
  isNum,
  isRange,
  isStr,
  listArg,
} from './fn';

/**
 * Camunda 8's FEEL built-ins that feelin 8 lacks or gets wrong, as JS functions evaluateFeel puts
 * in the FEEL context. Checked one by one against Camunda's documentation (the examples are the
 * tables of builtins.spec.ts). Together with feelin's own, every function Camunda documents is
 * callable, by position or by name, exactly as Camunda users write it (`is defined(x)`).
 */

/** Thrown by assert(): the one built-in that fails an evaluation on purpose. */
export class FeelAssertionError extends Error {}

/** Zeebe's regular expressions are Java's; JS's `u` flag is the nearest common ground. */
function regex(pattern: string, flags = ''): RegExp | null {
  try {
    return new RegExp(pattern, `u${flags}`);
  } catch {
    return null;
  }
}

/** FEEL value → JSON, temporal values in their ISO form (Camunda's `to json`). */
function toJsonValue(v: unknown): unknown {
  if (isNil(v)) return null;
  const temporal = temporalToJson(v);
  if (temporal !== undefined) return temporal;
  if (isDuration(v)) return String(v);
  if (isList(v)) return v.map(toJsonValue);
  if (isContext(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  if (typeof v === 'function' || isRange(v)) return null;
  return v;
}

/** x·10^k through the decimal string, not x * 10 ** k, so 1.005 stays 1.005 (not 1.00499...). */
const shift = (x: number, k: number): number =>
  /e/i.test(String(x)) ? x * 10 ** k : Number(`${x}e${k}`);

/** BigDecimal-style rounding at `scale` digits, by one of Java's RoundingMode names. */
function roundAt(n: number, scale: number, mode: string): number | null {
  const shifted = shift(n, scale);
  const abs = Math.abs(shifted);
  const floor = Math.floor(abs);
  const frac = Number((abs - floor).toPrecision(12));
  const sign = shifted < 0 ? -1 : 1;
  let whole: number;
  switch (mode) {
    case 'UP':
      whole = frac > 0 ? floor + 1 : floor;
      break;
    case 'DOWN':
      whole = floor;
      break;
    case 'CEILING':
      return shift(Math.ceil(shifted), -scale);
    case 'FLOOR':
      return shift(Math.floor(shifted), -scale);
    case 'HALF_UP':
      whole = frac >= 0.5 ? floor + 1 : floor;
      break;
    case 'HALF_DOWN':
      whole = frac > 0.5 ? floor + 1 : floor;
      break;
    case 'HALF_EVEN':
      whole = frac > 0.5 || (frac === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
      break;
    case 'UNNECESSARY':
      if (frac !== 0) return null;
      whole = floor;
      break;
    default:
      return null;
  }
  return shift(sign * whole, -scale);
}

const rounding = (mode: string) =>
  fn(['n', 'scale'], (n, scale = 0) =>
    isNum(n) && isNum(scale) && Number.isInteger(scale) ? roundAt(n, scale, mode) : null,
  );

/** Nested entry `keys` of a context, or null (Camunda's get value with a list of keys). */
function getPath(ctx: unknown, keys: unknown[]): unknown {
  let cur: unknown = ctx;
  for (const k of keys) {
    if (!isStr(k) || !isContext(cur) || !(k in cur)) return null;
    cur = cur[k];
  }
  return cur ?? null;
}

function putPath(ctx: Record<string, unknown>, keys: string[], value: unknown): unknown {
  const [k, ...rest] = keys;
  if (!rest.length) return { ...ctx, [k]: value };
  const inner = isContext(ctx[k]) ? (ctx[k] as Record<string, unknown>) : {};
  return { ...ctx, [k]: putPath(inner, rest, value) };
}

const contextPut = fn(['context', 'key', 'value', 'keys'], (ctx, key, value, keys) => {
  const path = isList(keys) ? keys : isList(key) ? key : isStr(key) ? [key] : null;
  if (!isContext(ctx) || !path || !path.length || !path.every(isStr)) return null;
  return putPath(ctx, path as string[], value);
});

const STATIC_BUILTINS: Array<[string, FeelFunction]> = [
  // boolean
  ['is defined', fn(['value'], (v) => !isNil(v))],
  ['get or else', fn(['value', 'default'], (v, d) => (isNil(v) ? (d ?? null) : v))],
  [
    'assert',
    fn(['value', 'condition', 'cause'], (v, cond, cause) => {
      if (cond === true) return v;
      throw new FeelAssertionError(
        isStr(cause) ? cause : `The condition is not fulfilled (value: ${JSON.stringify(v)})`,
      );
    }),
  ],
  // string
  [
    'extract',
    fn(['string', 'pattern'], (s, p) => {
      const re = isStr(s) && isStr(p) ? regex(p, 'g') : null;
      return re && isStr(s) ? [...s.matchAll(re)].map((m) => m[0]) : null;
    }),
  ],
  ['trim', fn(['string'], (s) => (isStr(s) ? s.trim() : null))],
  ['uuid', fn([], () => randomUUID())],
  [
    'to base64',
    fn(['value'], (s) => (isStr(s) ? Buffer.from(s, 'utf8').toString('base64') : null)),
  ],
  [
    'from base64',
    fn(['value'], (s) => {
      if (!isStr(s) || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return null;
      return Buffer.from(s, 'base64').toString('utf8');
    }),
  ],
  ['is blank', fn(['string'], (s) => (isStr(s) ? s.trim() === '' : null))],
  [
    // feelin has no prefix/suffix form
    'string join',
    fn(['list', 'delimiter', 'prefix', 'suffix'], (list, delim = '', prefix = '', suffix = '') => {
      if (!isList(list) || ![delim, prefix, suffix].every((x) => isStr(x) || isNil(x))) return null;
      if (!list.every((x) => isNil(x) || isStr(x))) return null;
      const body = list.filter((x) => !isNil(x)).join((delim as string | null) ?? '');
      return `${(prefix as string | null) ?? ''}${body}${(suffix as string | null) ?? ''}`;
    }),
  ],
  // list
  [
    'duplicate values',
    fn(['list'], (list) => {
      if (!isList(list)) return null;
      // each repeated value once, in the order of its first occurrence
      const same = (a: unknown, b: unknown) => evaluate('a = b', { a, b }).value === true;
      const dups: unknown[] = [];
      list.forEach((x, i) => {
        if (dups.some((d) => same(d, x))) return;
        if (list.some((y, j) => j > i && same(x, y))) dups.push(x);
      });
      return dups;
    }),
  ],
  ['is empty', fn(['list'], (list) => (isList(list) ? list.length === 0 : null))],
  [
    'partition',
    fn(['list', 'size'], (list, size) => {
      if (!isList(list) || !isNum(size) || !Number.isInteger(size) || size <= 0) return null;
      const out: unknown[][] = [];
      for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
      return out;
    }),
  ],
  // numeric: feelin's rounding functions need the scale and decimal() has no rounding mode
  [
    'decimal',
    fn(['n', 'scale', 'mode'], (n, scale, mode = 'HALF_EVEN') =>
      isNum(n) && isNum(scale) && Number.isInteger(scale) && isStr(mode)
        ? roundAt(n, scale, mode.toUpperCase())
        : null,
    ),
  ],
  ['round up', rounding('UP')],
  ['round down', rounding('DOWN')],
  ['round half up', rounding('HALF_UP')],
  ['round half down', rounding('HALF_DOWN')],
  ['random number', fn([], () => Math.random())],
  // context: get value / context put also take a list of keys (a nested path)
  [
    'get value',
    fn(['context', 'key', 'keys'], (ctx, key, keys) => {
      const path = isList(keys) ? keys : isList(key) ? key : isStr(key) ? [key] : null;
      if (!isContext(ctx) || !path || !path.length) return null;
      return getPath(ctx, path);
    }),
  ],
  ['context put', contextPut],
  // deprecated by Camunda (context put / context merge) but still in real diagrams
  ['put', contextPut],
  [
    'put all',
    fn(['...contexts'], (...args) => {
      const list = listArg(args);
      return list && list.every(isContext) ? Object.assign({}, ...list) : null;
    }),
  ],
  // conversion
  [
    'from json',
    fn(['value'], (s) => {
      if (!isStr(s)) return null;
      try {
        return JSON.parse(s) as unknown;
      } catch {
        return null;
      }
    }),
  ],
  ['to json', fn(['value'], (v) => JSON.stringify(toJsonValue(v)))],
  // miscellaneous: fromAi only tags a value for an AI agent connector
  ['fromAi', fn(['value', 'description', 'type', 'schema', 'options'], (v) => v ?? null)],
  ...STATIC_TEMPORAL_BUILTINS,
  ...RANGE_BUILTINS,
];

export interface BuiltinOptions {
  /** Where now() and today() read the time; the system clock when absent. */
  clock?: Clock;
  /** IANA zone of now() and today() and of zone-less date-times (CRM_TIMEZONE); UTC when absent. */
  timeZone?: string;
}

const STATIC = new Map(STATIC_BUILTINS);
const CLOCK_BOUND = new Set(
  temporalBuiltins({ clock: systemClock, timeZone: 'UTC' }).map(([n]) => n),
);

/** One of our built-ins by FEEL name (clock-bound ones made for `options`), or undefined. */
export function builtinFunction(
  name: string,
  options: BuiltinOptions = {},
): FeelFunction | undefined {
  if (!CLOCK_BOUND.has(name)) return STATIC.get(name);
  return camundaBuiltins(options).get(name);
}

/** Our built-ins by FEEL name, with now() and today() bound to the clock and time zone given. */
export function camundaBuiltins(options: BuiltinOptions = {}): Map<string, FeelFunction> {
  const out = new Map(STATIC);
  const temporal = temporalBuiltins({
    clock: options.clock ?? systemClock,
    timeZone: options.timeZone ?? 'UTC',
  });
  for (const [name, f] of temporal) out.set(name, f);
  return out;
}

/** Names of the functions we add or replace (the clock-bound ones included). */
export const OWN_BUILTIN_NAMES: ReadonlySet<string> = new Set([...STATIC.keys(), ...CLOCK_BOUND]);
