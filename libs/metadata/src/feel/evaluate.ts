import { evaluate, unaryTest } from 'feelin';
import {
  type FeelAnalysis,
  type FeelMode,
  FEEL_DIALECT,
  analyseFeel,
  feelinBuiltins,
  unknownCalls,
} from './analyse';
import { type BuiltinOptions, FeelAssertionError, builtinFunction } from './builtins';
import type { FeelFunction } from './fn';
import { parseKey, withParseCache } from './parse-cache';
import { simpleFeel } from './simple';

export type FeelErrorKind = 'syntax' | 'unknown-function' | 'assertion' | 'evaluation';

/**
 * A FEEL expression that cannot give a value: it does not parse, calls a function nobody defines,
 * fails an assert(), or makes the interpreter throw. The engine turns it into an incident at the
 * element; a rule check into a validation error. Other failures are null, as in Camunda.
 */
export class FeelError extends Error {
  constructor(
    readonly kind: FeelErrorKind,
    readonly expression: string,
    message: string,
  ) {
    super(message);
    this.name = 'FeelError';
  }
}

export interface FeelOptions extends BuiltinOptions {
  /**
   * Functions the caller adds (CRM functions over the organisation...). They are called like
   * built-ins, and a variable of the same name does not hide them.
   */
  functions?: Record<string, FeelFunction | ((...args: never[]) => unknown)>;
}

function bind(
  a: FeelAnalysis,
  variables: Record<string, unknown>,
  options: FeelOptions,
  expression: string,
): Record<string, unknown> {
  const unknown = unknownCalls(
    a,
    (n) =>
      typeof variables[n] === 'function' ||
      (options.functions !== undefined && n in options.functions),
  );
  if (unknown.length)
    throw new FeelError(
      'unknown-function',
      expression,
      `unknown FEEL function ${unknown.map((n) => `"${n}"`).join(', ')}`,
    );
  // only the caller's functions the expression calls: a variable of the same name that it only
  // reads stays a variable (functions and variables are apart, as in Zeebe)
  const called = options.functions
    ? a.calls.filter((c) => !a.locals.has(c.name) && c.name in options.functions!)
    : [];
  if (!a.aliases.size && !called.length) return variables;
  const ctx: Record<string, unknown> = { ...variables };
  for (const c of called) ctx[c.name] = options.functions![c.name];
  for (const [alias, name] of a.aliases)
    ctx[alias] = builtinFunction(name, options) ?? feelinBuiltins().get(name);
  return ctx;
}

/**
 * The caller's function names with a space, per functions object: a step passes the same one to
 * each evaluation (callers build a functions object and do not change it afterwards).
 */
const spacedFunctions = new WeakMap<object, string[]>();

/** Names with a space the parser must know; plain names need no help, so most calls pass none. */
function spaced(variables: Record<string, unknown>, options: FeelOptions): string[] {
  const fns = options.functions;
  let named = fns ? spacedFunctions.get(fns) : undefined;
  if (fns && !named)
    spacedFunctions.set(fns, (named = Object.keys(fns).filter((k) => k.includes(' '))));
  const out = named ? [...named] : [];
  for (const k in variables) if (k.includes(' ')) out.push(k);
  return out;
}

function run<T>(
  mode: FeelMode,
  expression: string,
  variables: Record<string, unknown>,
  options: FeelOptions,
  go: (text: string, ctx: Record<string, unknown>) => T,
): T {
  const a = analyseFeel(expression, mode, spaced(variables, options));
  if (a.syntaxError) throw new FeelError('syntax', expression, a.syntaxError);
  const ctx = bind(a, variables, options, expression);
  try {
    return go(a.rewritten, ctx);
  } catch (e) {
    if (e instanceof FeelAssertionError) throw new FeelError('assertion', expression, e.message);
    throw new FeelError('evaluation', expression, (e as Error).message);
  }
}

/**
 * Evaluates a FEEL expression (without its leading `=`) the way Zeebe does: the variables, then
 * Camunda's built-ins (feelin's plus ours, now() and today() on `options.clock` in
 * `options.timeZone`). Returns the value, null for anything FEEL calls "missing"; throws FeelError
 * for a syntax error, an unknown function or a failed assert().
 */
export function evaluateFeel(
  expression: string,
  variables: Record<string, unknown> = {},
  options: FeelOptions = {},
): unknown {
  // a variable, or a variable compared with a literal, needs no interpreter (simple.ts)
  const simple = simpleFeel(expression, variables);
  if (simple) return simple.value;
  return run('expression', expression, variables, options, (text, ctx) => {
    const key = parseKey(text, 'Expression', FEEL_DIALECT, ctx);
    const { value } = withParseCache(key, 'Expression', FEEL_DIALECT, () =>
      evaluate(text, ctx, FEEL_DIALECT),
    );
    return value === undefined ? null : value;
  });
}

/**
 * Whether `input` passes FEEL unary tests (a DMN input entry: `< 10`, `"a","b"`, `[1..5]`, `-`,
 * `not("x")`, or an expression over `?`). Null when the tests cannot be decided.
 */
export function evaluateUnaryTests(
  tests: string,
  input: unknown,
  variables: Record<string, unknown> = {},
  options: FeelOptions = {},
): boolean | null {
  return run('unaryTests', tests, variables, options, (text, ctx) => {
    const full = { ...ctx, '?': input };
    const key = parseKey(text, 'UnaryTests', FEEL_DIALECT, full);
    const { value } = withParseCache(key, 'UnaryTests', FEEL_DIALECT, () =>
      unaryTest(text, full, FEEL_DIALECT),
    );
    return value ?? null;
  });
}
