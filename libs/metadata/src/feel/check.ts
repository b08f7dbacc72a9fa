import { evaluate } from 'feelin';
import { FEEL_DIALECT, analyseFeel, unknownCalls } from './analyse';
import { type FeelOptions, evaluateFeel } from './evaluate';

/**
 * FEEL is the one expression language of the product: record validation rules here, gateway
 * conditions, mappings and DMN tables in the workflow engine. feelin's parser is error-tolerant, so
 * syntax errors are found by walking the tree for error nodes; a function nobody defines is found
 * by name, so it is refused where the expression is written (deploy, metadata validation) instead
 * of being a silent null when it runs.
 */
export interface FeelCheck {
  ok: boolean;
  message?: string;
  /** Names the expression reads from its context (top-level variables). */
  variables: string[];
  /** Called functions that are neither FEEL built-ins nor defined in the expression. */
  unknownFunctions: string[];
}

export function checkFeel(expression: string, knownFunctions: readonly string[] = []): FeelCheck {
  const a = analyseFeel(expression, 'expression', knownFunctions);
  if (a.syntaxError)
    return { ok: false, message: a.syntaxError, variables: [], unknownFunctions: [] };
  const unknownFunctions = unknownCalls(a, (n) => knownFunctions.includes(n));
  if (unknownFunctions.length)
    return {
      ok: false,
      message: unknownFunctions.map((n) => `unknown FEEL function ${n}`).join('; '),
      variables: a.variables,
      unknownFunctions,
    };
  try {
    // feelin throws on constructs it does not implement; the built-in aliases stay unbound here
    evaluate(a.rewritten, {}, FEEL_DIALECT);
  } catch (e) {
    return {
      ok: false,
      message: (e as Error).message,
      variables: a.variables,
      unknownFunctions: [],
    };
  }
  return { ok: true, variables: a.variables, unknownFunctions: [] };
}

/** checkFeel for unary tests (a DMN input entry or output values: `< 10`, `"a","b"`, `-`). */
export function checkFeelUnaryTests(
  tests: string,
  knownFunctions: readonly string[] = [],
): FeelCheck {
  const a = analyseFeel(tests, 'unaryTests', knownFunctions);
  if (a.syntaxError)
    return { ok: false, message: a.syntaxError, variables: [], unknownFunctions: [] };
  const unknown = unknownCalls(a, (n) => knownFunctions.includes(n));
  return unknown.length
    ? {
        ok: false,
        message: unknown.map((n) => `unknown FEEL function ${n}`).join('; '),
        variables: a.variables,
        unknownFunctions: unknown,
      }
    : { ok: true, variables: a.variables, unknownFunctions: [] };
}

/** Every function `expression` calls that nobody defines (empty when it does not parse). */
export function unknownFunctions(
  expression: string,
  knownFunctions: readonly string[] = [],
): string[] {
  const a = analyseFeel(expression, 'expression', knownFunctions);
  return a.syntaxError ? [] : unknownCalls(a, (n) => knownFunctions.includes(n));
}

/** Evaluates a rule; null (a missing value) counts as satisfied, like an SQL CHECK. */
export function ruleHolds(
  expression: string,
  context: Record<string, unknown>,
  options: FeelOptions = {},
): boolean {
  return evaluateFeel(expression, context, options) !== false;
}
