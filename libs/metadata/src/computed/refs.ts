import { parseExpression } from 'feelin';
import { FEEL_DIALECT, analyseFeel } from '../feel/analyse';

/** A `head.field` path an expression reads (one hop when `head` is a relation). */
export interface FeelPath {
  head: string;
  field: string;
  /** `head.field.more`: a path of two or more steps. */
  deeper: boolean;
}

export interface FeelRefs {
  /** Top-level names read on their own, not as the head of a path. */
  bare: string[];
  /** `head.field` paths, each once. */
  paths: FeelPath[];
}

const cache = new Map<string, FeelRefs | null>();

/**
 * The names and `head.field` paths a FEEL expression reads; null when it does not parse. Why a
 * second walk beside analyseFeel: its variable list names `quote` for `quote.discount`, and a
 * computed field must know which field of the related record it reads to recompute on its change.
 */
export function feelRefs(expression: string): FeelRefs | null {
  const hit = cache.get(expression);
  if (hit !== undefined) return hit;
  const a = analyseFeel(expression);
  let out: FeelRefs | null = null;
  if (!a.syntaxError) {
    const tree = parseExpression(expression, {}, FEEL_DIALECT);
    const paths = new Map<string, FeelPath>();
    tree.iterate({
      enter(ref) {
        if (ref.name !== 'VariableName') return;
        const node = ref.node;
        const parent = node.parent;
        if (parent?.name !== 'PathExpression' || parent.firstChild?.from !== ref.from) return;
        const head = expression.slice(ref.from, ref.to).trim();
        const tail = parent.getChild('PathName');
        if (!tail) return;
        const field = expression.slice(tail.from, tail.to).trim();
        const deeper =
          parent.parent?.name === 'PathExpression' &&
          parent.parent.firstChild?.from === parent.from;
        const key = `${head}.${field}`;
        const prev = paths.get(key);
        paths.set(key, { head, field, deeper: deeper || (prev?.deeper ?? false) });
      },
    });
    // a name may be read both bare (`quote = null`) and as a head (`quote.status`)
    const bareNames = new Set<string>();
    tree.iterate({
      enter(ref) {
        if (ref.name !== 'VariableName') return;
        const parent = ref.node.parent;
        const isHead = parent?.name === 'PathExpression' && parent.firstChild?.from === ref.from;
        const isTail = parent?.name === 'PathExpression' && !isHead;
        const isCallee =
          parent?.name === 'FunctionInvocation' && parent.firstChild?.from === ref.from;
        if (!isHead && !isTail && !isCallee)
          bareNames.add(expression.slice(ref.from, ref.to).trim());
      },
    });
    const variables = new Set(a.variables);
    out = {
      bare: [...bareNames].filter((n) => variables.has(n)),
      paths: [...paths.values()].filter((p) => !a.locals.has(p.head)),
    };
  }
  if (cache.size > 5000) cache.clear();
  cache.set(expression, out);
  return out;
}
