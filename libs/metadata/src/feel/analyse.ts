import { evaluate, parseExpression, parseUnaryTests } from 'feelin';
import { OWN_BUILTIN_NAMES } from './builtins';

// feelin is an ES module: its tree's node type is the ESM build of @lezer/common, which under
// Node's resolution is a different declaration from the CommonJS one a direct import would name.
type SyntaxNode = ReturnType<typeof parseExpression>['topNode'];

/**
 * One parse of an expression, kept per expression text: its syntax error, the names it reads, the
 * functions it calls, and the text evaluateFeel runs.
 *
 * Why a rewrite: Camunda resolves a function call among the functions only — a variable named
 * `count` does not hide `count(list)` — while feelin looks a called name up in the variables first.
 * And feelin binds `date and time(...)` and `years and months duration(...)` to its own built-ins
 * at parse time, where a context entry cannot replace them. So every call of a built-in is
 * rewritten to an alias no variable can be named (`__feel_fn_3`) that evaluateFeel binds to the
 * right function.
 */

/** feelin 8's own built-ins (its builtins table); feel.spec.ts checks each still resolves. */
/**
 * The grammar Camunda's FEEL engine accepts (lezer-feel's `camunda` dialect): strings may span
 * lines, as Camunda Modeler 8.8 writes them (camunda/feel-scala#715). The default grammar refused
 * such a diagram at deploy, where Zeebe deploys it. Every parse and evaluation uses it.
 */
export const FEEL_DIALECT = 'camunda';

export const FEELIN_BUILTIN_NAMES: ReadonlySet<string> = new Set([
  'number',
  'string',
  'date',
  'date and time',
  'time',
  'duration',
  'years and months duration',
  'now',
  'today',
  'not',
  'substring',
  'string length',
  'upper case',
  'lower case',
  'substring before',
  'substring after',
  'replace',
  'contains',
  'matches',
  'starts with',
  'ends with',
  'split',
  'string join',
  'list contains',
  'list replace',
  'count',
  'min',
  'max',
  'sum',
  'mean',
  'all',
  'any',
  'sublist',
  'append',
  'concatenate',
  'insert before',
  'remove',
  'reverse',
  'index of',
  'union',
  'distinct values',
  'flatten',
  'product',
  'median',
  'stddev',
  'mode',
  'decimal',
  'floor',
  'ceiling',
  'abs',
  'round up',
  'round down',
  'round half up',
  'round half down',
  'modulo',
  'sqrt',
  'log',
  'exp',
  'odd',
  'even',
  'is',
  'before',
  'after',
  'meets',
  'met by',
  'overlaps',
  'overlaps before',
  'overlaps after',
  'finishes',
  'finished by',
  'includes',
  'during',
  'starts',
  'started by',
  'coincides',
  'day of year',
  'day of week',
  'month of year',
  'week of year',
  'sort',
  'get value',
  'get entries',
  'context',
  'context merge',
  'context put',
]);

/** Every function name a FEEL expression here may call without defining it. */
export const BUILTIN_NAMES: ReadonlySet<string> = new Set([
  ...FEELIN_BUILTIN_NAMES,
  ...OWN_BUILTIN_NAMES,
]);

/** The parser must know names that contain a keyword (`get or else`) to read them as one name. */
const PARSE_CONTEXT: Record<string, unknown> = Object.fromEntries(
  [...BUILTIN_NAMES].map((n) => [n, true]),
);

export type FeelMode = 'expression' | 'unaryTests';

export interface FeelCall {
  name: string;
  /** The callee's text span, where the rewrite puts the alias. */
  from: number;
  to: number;
}

export interface FeelAnalysis {
  /** Set when the text does not parse: the message and position. */
  syntaxError?: string;
  /** Top-level names read from the context (not path tails, keys, locals or called names). */
  variables: string[];
  /** Names called as functions (`a.b(x)` calls a context value and is not listed). */
  calls: FeelCall[];
  /** Names the expression binds itself: context keys, function parameters, loop variables. */
  locals: Set<string>;
  /** The text evaluateFeel runs: every built-in call replaced by its alias. */
  rewritten: string;
  /** Alias → the built-in name it stands for. */
  aliases: Map<string, string>;
}

const ALIAS_PREFIX = '__feel_fn_';
const aliasIds = new Map<string, number>();
export const aliasOf = (name: string): string => {
  let id = aliasIds.get(name);
  if (id === undefined) aliasIds.set(name, (id = aliasIds.size));
  return `${ALIAS_PREFIX}${id}`;
};

const normalise = (text: string) => text.trim().replace(/\s+/g, ' ');

function positionalCount(call: SyntaxNode): number {
  const params = call.getChild('PositionalParameters');
  if (!params) return 0;
  let n = 0;
  for (let c = params.firstChild; c; c = c.nextSibling) if (c.name !== ',') n++;
  return n;
}

function analyseUncached(text: string, mode: FeelMode, extra: string[]): FeelAnalysis {
  const parse = mode === 'expression' ? parseExpression : parseUnaryTests;
  const context = extra.length
    ? { ...PARSE_CONTEXT, ...Object.fromEntries(extra.map((n) => [n, true])) }
    : PARSE_CONTEXT;
  let tree;
  try {
    tree = parse(text, context, FEEL_DIALECT);
  } catch (e) {
    return empty(text, (e as Error).message);
  }
  let syntaxError: string | undefined;
  const variables = new Set<string>();
  const calls: FeelCall[] = [];
  const locals = new Set<string>();
  const rewrites: Array<FeelCall & { alias: string }> = [];
  tree.iterate({
    enter(ref) {
      if (ref.type.isError && !syntaxError) syntaxError = `syntax error at position ${ref.from}`;
      const node = ref.node;
      const parent = node.parent;
      switch (ref.name) {
        case 'FunctionInvocation': {
          const callee = node.firstChild;
          if (!callee || !['VariableName', 'SpecialFunctionName'].includes(callee.name)) break;
          const name = normalise(text.slice(callee.from, callee.to));
          calls.push({ name, from: callee.from, to: callee.to });
          break;
        }
        case 'DateTimeLiteral': {
          // `date and time(dt, "Europe/Berlin")` is Camunda's time zone conversion
          const ctor = node.getChild('DateTimeConstructor');
          if (ctor && normalise(text.slice(ctor.from, ctor.to)) === 'date and time') {
            if (positionalCount(node) === 2)
              rewrites.push({
                name: 'date and time',
                from: ctor.from,
                to: ctor.to,
                alias: aliasOf('date and time'),
              });
          }
          break;
        }
        case 'Name': {
          // a context entry's key, a function's parameter or an iteration variable
          if (parent && ['Key', 'ParameterName', 'InExpression'].includes(parent.name)) {
            if (parent.name !== 'ParameterName' || parent.parent?.name === 'FormalParameter')
              locals.add(normalise(text.slice(ref.from, ref.to)));
          }
          break;
        }
        case 'VariableName': {
          const isPathTail =
            parent?.name === 'PathExpression' && parent.firstChild?.from !== ref.from;
          const isCallee =
            parent?.name === 'FunctionInvocation' && parent.firstChild?.from === ref.from;
          if (!isPathTail && !isCallee) variables.add(normalise(text.slice(ref.from, ref.to)));
          break;
        }
      }
    },
  });
  if (syntaxError) return empty(text, syntaxError);
  for (const call of calls) {
    // `not(...)` is also the negation of unary tests (`not("US")`): feelin keeps its meaning
    if (locals.has(call.name) || call.name === 'not') continue;
    if (!OWN_BUILTIN_NAMES.has(call.name) && !feelinBuiltins().has(call.name)) continue;
    rewrites.push({ ...call, alias: aliasOf(call.name) });
  }
  rewrites.sort((a, b) => b.from - a.from);
  let rewritten = text;
  const aliases = new Map<string, string>();
  for (const r of rewrites) {
    rewritten = rewritten.slice(0, r.from) + r.alias + rewritten.slice(r.to);
    aliases.set(r.alias, r.name);
  }
  return {
    variables: [...variables].filter((v) => !locals.has(v)),
    calls,
    locals,
    rewritten,
    aliases,
  };
}

function empty(text: string, syntaxError: string): FeelAnalysis {
  return {
    syntaxError,
    variables: [],
    calls: [],
    locals: new Set(),
    rewritten: text,
    aliases: new Map(),
  };
}

// Diagrams and rules reuse a bounded set of expressions; parse each once per process.
const CACHE_MAX = 5000;
const cache = new Map<string, FeelAnalysis>();

/**
 * The analysis of `text`. `names` are the caller's function and variable names: the parser needs
 * those with a space (`users in role`) to read them as one name.
 */
export function analyseFeel(
  text: string,
  mode: FeelMode = 'expression',
  names: readonly string[] = [],
): FeelAnalysis {
  const extra = names.filter((n) => /\s/.test(n) && text.includes(n.split(/\s/)[0]));
  const key = `${mode === 'expression' ? 'e' : 'u'}:${text}${extra.length ? `\u0000${extra.join('\u0000')}` : ''}`;
  let a = cache.get(key);
  if (!a) {
    if (cache.size >= CACHE_MAX) cache.clear();
    a = analyseUncached(text, mode, extra);
    cache.set(key, a);
  }
  return a;
}

/** Called names that are neither built-ins, nor bound in the expression, nor in `known`. */
export function unknownCalls(a: FeelAnalysis, known: (name: string) => boolean): string[] {
  return [
    ...new Set(
      a.calls
        .map((c) => c.name)
        .filter((n) => !BUILTIN_NAMES.has(n) && !a.locals.has(n) && !known(n)),
    ),
  ];
}

let feelinFns: Map<string, unknown> | undefined;

/**
 * feelin's built-in functions by name, as a bare name resolves them when no variable hides it.
 * Names that do not resolve that way (`not`, the date constructors) are left for feelin to bind.
 */
export function feelinBuiltins(): Map<string, unknown> {
  if (!feelinFns) {
    feelinFns = new Map();
    for (const name of FEELIN_BUILTIN_NAMES) {
      try {
        const { value } = evaluate(name, {});
        if (typeof value === 'function') feelinFns.set(name, value);
      } catch {
        // a keyword or constructor: not resolvable as a bare name
      }
    }
  }
  return feelinFns;
}
