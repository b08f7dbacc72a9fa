import { evaluate, parseExpression } from 'feelin';

/**
 * FEEL is the one expression language of the product: record validation rules here, gateway
 * conditions in the workflow engine. feelin's parser is error-tolerant, so syntax errors are found
 * by walking the tree for error nodes; evaluation throws on what it cannot run.
 */
export interface FeelCheck {
  ok: boolean;
  message?: string;
  /** Names the expression reads from its context (top-level variables). */
  variables: string[];
}

export function checkFeel(expression: string): FeelCheck {
  let tree;
  try {
    tree = parseExpression(expression, {}, undefined);
  } catch (e) {
    return { ok: false, message: (e as Error).message, variables: [] };
  }
  const variables = new Set<string>();
  let error: string | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError && !error) {
        error = `syntax error at position ${node.from}`;
      }
      if (node.name === 'VariableName') {
        const parent = node.node.parent;
        // `a.b` is a PathExpression: only its first segment is a context variable.
        const isPathTail =
          parent?.name === 'PathExpression' &&
          parent.firstChild &&
          parent.firstChild.from !== node.from;
        const inFunctionName =
          parent?.name === 'FunctionInvocation' && parent.firstChild?.from === node.from;
        const inContextKey = parent?.name === 'Name' || parent?.name === 'Key';
        if (!isPathTail && !inFunctionName && !inContextKey) {
          variables.add(expression.slice(node.from, node.to));
        }
      }
    },
  });
  if (error) return { ok: false, message: error, variables: [...variables] };
  try {
    evaluate(expression, {});
  } catch (e) {
    return { ok: false, message: (e as Error).message, variables: [...variables] };
  }
  return { ok: true, variables: [...variables] };
}

/** Evaluates a rule; null (a missing value) counts as satisfied, like an SQL CHECK. */
export function ruleHolds(expression: string, context: Record<string, unknown>): boolean {
  const { value } = evaluate(expression, context);
  return value !== false;
}
