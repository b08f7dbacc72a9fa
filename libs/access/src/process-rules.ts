import type { AppRule } from './ability';

/**
 * In a `start` rule, the condition key `processKey` says which processes the rule lets the user
 * start — as Camunda grants CREATE_INSTANCE per process definition. The other conditions still
 * say on which records. A start rule without it allows every process.
 */
export const PROCESS_KEY_CONDITION = 'processKey';

/** Does a `processKey` / `actionName` condition (a name, or `{ $in | $nin | $ne | $eq }`) admit `key`? */
export function processKeyMatches(condition: unknown, key: string): boolean {
  if (typeof condition === 'string') return condition === key;
  if (!condition || typeof condition !== 'object' || Array.isArray(condition)) return false;
  // every operator must hold; an unknown operator never widens access
  return Object.entries(condition as Record<string, unknown>).every(([op, v]) => {
    switch (op) {
      case '$eq':
        return v === key;
      case '$ne':
        return v !== key;
      case '$in':
        return Array.isArray(v) && v.includes(key);
      case '$nin':
        return Array.isArray(v) && !v.includes(key);
      default:
        return false;
    }
  });
}

/**
 * The rules that apply to starting process `key`: rules naming other processes are left out, and
 * the `processKey` condition is taken off the rest, so what remains is a record condition the SQL
 * check understands. Each rule is kept or dropped whole: a rule allowing process A on all quotes
 * and another allowing any process on one's own quotes never combine into "A on anyone's quote"
 * for process B. Inverted rules with a processKey deny only those processes.
 */
export function rulesForProcess(rules: AppRule[], key: string): AppRule[] {
  return rulesForName(rules, PROCESS_KEY_CONDITION, key);
}

/**
 * In a `run` rule, the condition key `actionName` says which record actions (`action` documents)
 * the rule lets the user run; the other conditions say on which records. Without it: every action.
 */
export const ACTION_NAME_CONDITION = 'actionName';

/** The rules that apply to running record action `name` (as rulesForProcess does for a process). */
export function rulesForAction(rules: AppRule[], name: string): AppRule[] {
  return rulesForName(rules, ACTION_NAME_CONDITION, name);
}

function rulesForName(rules: AppRule[], conditionKey: string, name: string): AppRule[] {
  const out: AppRule[] = [];
  for (const r of rules) {
    const conditions = r.conditions as Record<string, unknown> | undefined;
    if (!conditions || !(conditionKey in conditions)) {
      out.push(r);
      continue;
    }
    if (!processKeyMatches(conditions[conditionKey], name)) continue;
    const { [conditionKey]: _key, ...rest } = conditions;
    const { conditions: _c, ...rule } = r;
    out.push(Object.keys(rest).length ? { ...rule, conditions: rest } : rule);
  }
  return out;
}
