import type { FieldInfo } from '../entities/model';

/** One row of the filter builder. `value2` is the upper end of a range ("between"). */
export interface Condition {
  field: string;
  op: FilterOp;
  value?: unknown;
  value2?: unknown;
}

export type FilterOp =
  | 'eq'
  | 'ne'
  | 'contains'
  | 'startsWith'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'between'
  | 'in'
  | 'isNull'
  | 'notNull'
  | 'relContains';

/** The operators a field type takes (what the records API accepts for it). */
export function operatorsFor(f: FieldInfo): FilterOp[] {
  switch (f.type) {
    case 'text':
    case 'longText':
    case 'richText':
    case 'email':
    case 'phone':
    case 'url':
    case 'autoNumber':
      return ['contains', 'eq', 'startsWith', 'isNull', 'notNull'];
    case 'integer':
    case 'decimal':
    case 'percent':
    case 'currency':
      return ['eq', 'gte', 'lte', 'between', 'isNull', 'notNull'];
    case 'date':
    case 'datetime':
      return ['between', 'gte', 'lte', 'isNull', 'notNull'];
    case 'select':
      return ['in', 'eq', 'ne', 'isNull', 'notNull'];
    case 'multiSelect':
      return ['contains'];
    case 'boolean':
      return ['eq'];
    case 'relation':
      return f.relation?.kind === 'manyToMany'
        ? ['contains']
        : ['relContains', 'eq', 'isNull', 'notNull'];
    case 'system':
      return /At$/.test(f.name) ? ['between', 'gte', 'lte'] : ['eq', 'contains'];
    case 'file':
    case 'json':
      return ['isNull', 'notNull'];
  }
}

const empty = (v: unknown) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * The records API filter of the builder's rows (ANDed). A relation's "contains" searches the
 * related record's display field one hop away (`customer.name`). Incomplete rows are left out.
 */
export function buildFilter(
  conditions: Condition[],
  fields: Map<string, FieldInfo>,
  displayFieldOf: (entity: string) => string | undefined,
): Record<string, unknown> {
  const parts: Record<string, unknown>[] = [];
  for (const c of conditions) {
    const f = fields.get(c.field);
    if (!f) continue;
    switch (c.op) {
      case 'isNull':
        parts.push({ [c.field]: { isNull: true } });
        break;
      case 'notNull':
        parts.push({ [c.field]: { isNull: false } });
        break;
      case 'between': {
        const range: Record<string, unknown> = {};
        if (!empty(c.value)) range.gte = c.value;
        if (!empty(c.value2)) range.lte = c.value2;
        if (Object.keys(range).length) parts.push({ [c.field]: range });
        break;
      }
      case 'relContains': {
        const target = f.relation && displayFieldOf(f.relation.target);
        if (target && !empty(c.value))
          parts.push({ [`${c.field}.${target}`]: { contains: c.value } });
        break;
      }
      case 'in':
        if (!empty(c.value)) parts.push({ [c.field]: { in: c.value } });
        break;
      default:
        if (!empty(c.value)) parts.push({ [c.field]: { [c.op]: c.value } });
    }
  }
  if (parts.length === 0) return {};
  return parts.length === 1 ? parts[0] : { and: parts };
}
