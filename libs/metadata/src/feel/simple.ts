/**
 * The two shapes most of a process's expressions take — a variable (`=manager`) and a variable
 * compared with a literal (`=decision = "approve"`, `=amount >= 5000`) — answered without the
 * interpreter. feelin builds its evaluation closures afresh on every call and, for every name it
 * meets, scans its ~150 built-ins with a regular expression each; for these shapes that was about
 * a third of a workflow step's JavaScript time.
 *
 * Only cases whose FEEL value is beyond doubt are answered: the variable is present with a string,
 * boolean or safe number, and a comparison's literal is of the same type (strings and booleans
 * compare with = and != only). Everything else — a missing or null variable, mixed types, any
 * other syntax — returns undefined, and the caller asks feelin. simple.spec.ts checks every answer
 * against feelin's over a grid of values, literals and operators.
 */

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const LITERAL = '"[^"\\\\]*"|true|false|-?\\d{1,15}(?:\\.\\d{1,15})?';
const VARIABLE = new RegExp(`^\\s*(${NAME})\\s*$`);
const COMPARISON = new RegExp(`^\\s*(${NAME})\\s*(=|!=|<=|>=|<|>)\\s*(${LITERAL})\\s*$`);

/** Words FEEL reads as something other than a variable. */
const KEYWORDS = new Set([
  'true',
  'false',
  'null',
  'and',
  'or',
  'not',
  'for',
  'return',
  'if',
  'then',
  'else',
  'some',
  'every',
  'satisfies',
  'in',
  'instance',
  'of',
  'between',
  'function',
  'external',
]);

/** A variable's value when it is one the fast path may answer with. */
function plainValue(variables: Record<string, unknown>, name: string): unknown {
  if (KEYWORDS.has(name) || !Object.hasOwn(variables, name)) return undefined;
  const v = variables[name];
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number' && Math.abs(v) <= Number.MAX_SAFE_INTEGER) return v;
  return undefined;
}

function literalValue(text: string): string | number | boolean {
  if (text.startsWith('"')) return text.slice(1, -1);
  if (text === 'true' || text === 'false') return text === 'true';
  return Number(text);
}

/** The expression's value as feelin would give it, or undefined to ask feelin. */
export function simpleFeel(
  expression: string,
  variables: Record<string, unknown>,
): { value: unknown } | undefined {
  const name = VARIABLE.exec(expression);
  if (name) {
    const v = plainValue(variables, name[1]);
    return v === undefined ? undefined : { value: v };
  }
  const cmp = COMPARISON.exec(expression);
  if (!cmp) return undefined;
  const v = plainValue(variables, cmp[1]);
  const lit = literalValue(cmp[3]);
  if (v === undefined || typeof v !== typeof lit) return undefined;
  switch (cmp[2]) {
    case '=':
      return { value: v === lit };
    case '!=':
      return { value: v !== lit };
  }
  if (typeof v !== 'number') return undefined;
  const n = lit as number;
  switch (cmp[2]) {
    case '<':
      return { value: v < n };
    case '<=':
      return { value: v <= n };
    case '>':
      return { value: v > n };
    default:
      return { value: v >= n };
  }
}
