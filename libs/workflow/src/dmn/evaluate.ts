import { type FeelOptions, FeelError, evaluateFeel, evaluateUnaryTests } from '@crm/metadata';
import type { Decision, DecisionTable, DmnModel } from './parse';

/**
 * Evaluates a decision of a parsed DMN model as Camunda 8 does (docs: "DMN" → decision tables,
 * hit policies): required decisions first, each result available by its variable name (or id);
 * a table's input expressions once, its input entries as unary tests on them, its output entries
 * of the matching rules. Result shape: one output → the value; several → a context by output name;
 * COLLECT / RULE ORDER / OUTPUT ORDER → a list; COLLECT with an aggregator → a number.
 */

/** A decision that cannot give a result; the engine turns it into an incident at the task. */
export class DmnEvaluationError extends Error {
  constructor(
    readonly decisionId: string,
    /** The DMN element at fault (rule, input...), when one is. */
    readonly elementId: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'DmnEvaluationError';
  }
}

export function evaluateDecision(
  model: DmnModel,
  decisionId: string,
  variables: Record<string, unknown>,
  options: FeelOptions = {},
): unknown {
  const byId = new Map(model.decisions.map((d) => [d.id, d]));
  const results = new Map<string, unknown>();
  const run = (id: string): unknown => {
    if (results.has(id)) return results.get(id);
    const d = byId.get(id);
    if (!d) throw new DmnEvaluationError(decisionId, null, `no decision "${id}" in ${model.id}`);
    // required decisions are evaluated before, in dependency order (parse refused cycles)
    const context: Record<string, unknown> = { ...variables };
    for (const r of d.requires) context[byId.get(r)!.resultName] = run(r);
    const value = decide(d, context, options);
    results.set(id, value);
    return value;
  };
  return run(decisionId);
}

function feel(d: Decision, elementId: string, what: string, run: () => unknown): unknown {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof FeelError)) throw e;
    throw new DmnEvaluationError(
      d.id,
      elementId,
      `decision "${d.id}": ${what} ${JSON.stringify(e.expression)} failed: ${e.message}`,
    );
  }
}

function decide(d: Decision, context: Record<string, unknown>, options: FeelOptions): unknown {
  if (d.logic.kind === 'literal') {
    const { id, text } = d.logic;
    return feel(d, id, 'literal expression', () => evaluateFeel(text, context, options));
  }
  return decideTable(d, d.logic, context, options);
}

type Row = DecisionTable['rules'][number];

function decideTable(
  d: Decision,
  t: DecisionTable,
  context: Record<string, unknown>,
  options: FeelOptions,
): unknown {
  const inputs = t.inputs.map((i) =>
    feel(d, i.id, 'input expression', () => evaluateFeel(i.expression, context, options)),
  );
  const matched = t.rules.filter((rule) =>
    rule.inputEntries.every(
      (tests, k) =>
        tests === '-' ||
        feel(
          d,
          rule.id,
          'input entry',
          () => evaluateUnaryTests(tests, inputs[k], context, options) === true,
        ) === true,
    ),
  );
  const outputOf = (rule: Row) => {
    const values = t.outputs.map((o, k) => {
      const expr = rule.outputEntries[k];
      return expr
        ? feel(d, rule.id, 'output entry', () => evaluateFeel(expr, context, options))
        : null;
    });
    return shape(t, values);
  };
  const single = (rule: Row | undefined) =>
    rule ? outputOf(rule) : defaults(d, t, context, options);

  switch (t.hitPolicy) {
    case 'UNIQUE':
      if (matched.length > 1)
        throw new DmnEvaluationError(
          d.id,
          t.id,
          `decision "${d.id}": hit policy UNIQUE, but rules ${matched.map((r) => r.id).join(', ')} all match`,
        );
      return single(matched[0]);
    case 'FIRST':
      return single(matched[0]);
    case 'ANY': {
      const outs = matched.map(outputOf);
      if (outs.some((o) => !same(o, outs[0])))
        throw new DmnEvaluationError(
          d.id,
          t.id,
          `decision "${d.id}": hit policy ANY, but the matching rules ${matched.map((r) => r.id).join(', ')} give different outputs`,
        );
      return outs.length ? outs[0] : defaults(d, t, context, options);
    }
    case 'PRIORITY':
      return single(byPriority(t, matched, context, options)[0]);
    case 'OUTPUT ORDER':
      return byPriority(t, matched, context, options).map(outputOf);
    case 'RULE ORDER':
      return matched.map(outputOf);
    case 'COLLECT': {
      if (t.aggregation === 'COUNT') return matched.length;
      const outs = matched.map(outputOf);
      if (!t.aggregation) return outs;
      const nums = outs.filter((o): o is number => typeof o === 'number');
      if (nums.length !== outs.length)
        throw new DmnEvaluationError(
          d.id,
          t.id,
          `decision "${d.id}": COLLECT ${t.aggregation} needs numbers, got ${JSON.stringify(outs)}`,
        );
      if (!nums.length) return null;
      if (t.aggregation === 'SUM') return nums.reduce((a, b) => a + b, 0);
      return t.aggregation === 'MIN' ? Math.min(...nums) : Math.max(...nums);
    }
  }
}

/** One output: its value; several: a context keyed by output name. */
function shape(t: DecisionTable, values: unknown[]): unknown {
  if (t.outputs.length === 1) return values[0];
  return Object.fromEntries(t.outputs.map((o, k) => [o.name ?? o.id, values[k]]));
}

/** When no rule matches: the outputs' default entries, or null as in Camunda. */
function defaults(
  d: Decision,
  t: DecisionTable,
  context: Record<string, unknown>,
  options: FeelOptions,
): unknown {
  if (!t.outputs.some((o) => o.defaultEntry)) return null;
  return shape(
    t,
    t.outputs.map((o) =>
      o.defaultEntry
        ? feel(d, o.id, 'default output entry', () =>
            evaluateFeel(o.defaultEntry!, context, options),
          )
        : null,
    ),
  );
}

/** Matching rules by the rank of their outputs in the outputs' value lists (DMN PRIORITY). */
function byPriority(
  t: DecisionTable,
  rules: Row[],
  context: Record<string, unknown>,
  options: FeelOptions,
): Row[] {
  const lists = t.outputs.map((o) =>
    o.values ? ((evaluateFeel(`[${o.values}]`, {}, options) as unknown[]) ?? []) : [],
  );
  const rank = (rule: Row): number[] =>
    t.outputs.map((_, k) => {
      const v = rule.outputEntries[k]
        ? evaluateFeel(rule.outputEntries[k], context, options)
        : null;
      const i = lists[k].findIndex((x) => same(x, v));
      return i < 0 ? lists[k].length : i;
    });
  const ranked = rules.map((rule, order) => ({ rule, order, rank: rank(rule) }));
  ranked.sort((a, b) => {
    for (let k = 0; k < a.rank.length; k++)
      if (a.rank[k] !== b.rank[k]) return a.rank[k] - b.rank[k];
    return a.order - b.order;
  });
  return ranked.map((r) => r.rule);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
