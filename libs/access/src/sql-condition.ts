import { rulesToCondition } from '@casl/ability/extra';
import { type SqlParam, q } from '@crm/common';
import type { CompiledEntity } from '@crm/metadata';
import { type SqlFragment, resolveField } from '@crm/records';
import type { AppAbility, UserContext } from './ability';

const TRUE: SqlFragment = { sql: '1=1', params: [] };
const FALSE: SqlFragment = { sql: '1=0', params: [] };

const and = (parts: SqlFragment[]): SqlFragment =>
  parts.length === 0
    ? TRUE
    : {
        sql: parts.map((p) => `(${p.sql})`).join(' AND '),
        params: parts.flatMap((p) => p.params),
      };
const or = (parts: SqlFragment[]): SqlFragment =>
  parts.length === 0
    ? FALSE
    : {
        sql: parts.map((p) => `(${p.sql})`).join(' OR '),
        params: parts.flatMap((p) => p.params),
      };
/** NULL-safe negation: a denial of `stage = 'lost'` must not also hide rows whose stage is NULL. */
const not = (p: SqlFragment): SqlFragment => ({ sql: `(${p.sql}) IS NOT TRUE`, params: p.params });
const list = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** `col` holds a login in the set a placeholder names. */
function placeholderSql(col: string, ph: string, ctx: UserContext): SqlFragment {
  switch (ph) {
    case '$me':
      return { sql: `${col} = ?`, params: [ctx.login] };
    case '$myDepartment':
      return ctx.departmentId === null
        ? FALSE
        : {
            sql: `${col} IN (SELECT u.login FROM crm_user u WHERE u.department_id = ?)`,
            params: [ctx.departmentId],
          };
    case '$myDepartmentTree':
      if (ctx.departmentTreeMembers)
        return ctx.departmentTreeMembers.length === 0
          ? FALSE
          : {
              sql: `${col} IN (${list(ctx.departmentTreeMembers.length)})`,
              params: ctx.departmentTreeMembers,
            };
      return ctx.departmentTree.length === 0
        ? FALSE
        : {
            sql: `${col} IN (SELECT u.login FROM crm_user u WHERE u.department_id IN (${list(ctx.departmentTree.length)}))`,
            params: ctx.departmentTree,
          };
    case '$mySubordinates':
      return ctx.subordinates.length === 0
        ? FALSE
        : { sql: `${col} IN (${list(ctx.subordinates.length)})`, params: ctx.subordinates };
    default:
      // validation refuses unknown placeholders; an unvalidated one must never widen access
      return FALSE;
  }
}

const isPlaceholder = (v: unknown): v is string => typeof v === 'string' && v.startsWith('$');

function valueParam(v: unknown): SqlParam {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as SqlParam;
}

/** `col` equals any of the values (literals and placeholders mixed). */
function anyOf(col: string, values: unknown[], ctx: UserContext): SqlFragment {
  const parts: SqlFragment[] = [];
  const literals = values.filter((v) => !isPlaceholder(v) && v !== null);
  if (literals.length)
    parts.push({ sql: `${col} IN (${list(literals.length)})`, params: literals.map(valueParam) });
  if (values.includes(null)) parts.push({ sql: `${col} IS NULL`, params: [] });
  for (const v of values.filter(isPlaceholder)) parts.push(placeholderSql(col, v, ctx));
  return or(parts);
}

/**
 * One rule's conditions as SQL over `alias`. Keys were checked against the model when the role was
 * validated; they are resolved again here, and an unknown one denies rather than widens.
 */
export function conditionsSql(
  entity: CompiledEntity,
  conditions: Record<string, unknown> | undefined,
  ctx: UserContext,
  alias = 't',
): SqlFragment {
  if (!conditions) return TRUE;
  const parts: SqlFragment[] = [];
  for (const [key, value] of Object.entries(conditions)) {
    if (key === '$sharedWithMe') {
      parts.push({
        sql: `${alias}.${q('id')} IN (SELECT s.record_id FROM crm_record_share s WHERE s.entity = ? AND s.login = ?)`,
        params: [entity.name, ctx.login],
      });
      continue;
    }
    const rf = resolveField(entity, key);
    if (!rf) return FALSE;
    const col = `${alias}.${q(rf.column)}`;
    if (value === null || typeof value !== 'object') {
      parts.push(anyOf(col, [value], ctx));
      continue;
    }
    for (const [op, v] of Object.entries(value as Record<string, unknown>)) {
      if (op === '$in' && Array.isArray(v)) parts.push(anyOf(col, v, ctx));
      else if (op === '$nin' && Array.isArray(v)) parts.push(not(anyOf(col, v, ctx)));
      else if (op === '$ne') parts.push(not(anyOf(col, [v], ctx)));
      else return FALSE;
    }
  }
  return and(parts);
}

/**
 * The rows of `entity` the ability lets the user `action`, as one WHERE fragment: each allowing
 * rule AND NOT every inverted rule of higher priority, ORed (CASL's own rulesToCondition decides
 * which rules count and in what order, as ability.can does). null when no rule allows the action.
 */
export function accessSql(
  ability: AppAbility,
  action: string,
  entity: CompiledEntity,
  ctx: UserContext,
  alias = 't',
): SqlFragment | null {
  const where = rulesToCondition(
    ability.rulesFor(action, entity.name),
    (rule) => {
      const frag = conditionsSql(entity, rule.conditions as Record<string, unknown>, ctx, alias);
      return rule.inverted ? not(frag) : frag;
    },
    { and, or, empty: () => TRUE },
  );
  // callers append it with AND: a bare `a OR b` there would bind to their last condition only
  return where && { sql: `(${where.sql})`, params: where.params };
}
