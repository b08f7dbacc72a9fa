import type { ErrorDetail } from '@crm/common';
import { checkFeel } from '../feel';
import type { EntityDocument, FieldDef, FieldType } from '../types';
import { inverseSource } from './plan';
import { feelRefs } from './refs';

/**
 * Checks of formula and rollup fields, and of the `rel.field` paths rules and formulas read, as
 * pure functions over the documents. Every problem carries the JSON pointer of what is wrong.
 */

const SYSTEM = [
  'id',
  'owner',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
  'version',
  'deletedAt',
];
const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Types a formula may produce: plain values a column holds and FEEL computes. */
export const FORMULA_TYPES: readonly FieldType[] = [
  'text',
  'longText',
  // a state that follows from the numbers (settled once received covers due): the result must be
  // one of the options, checked when it is computed
  'select',
  'integer',
  'decimal',
  'currency',
  'percent',
  'boolean',
  'date',
  'datetime',
];
const NUMERIC: readonly FieldType[] = ['integer', 'decimal', 'currency', 'percent'];
const TEMPORAL: readonly FieldType[] = ['date', 'datetime'];

const has = (e: EntityDocument, name: string): boolean => Object.hasOwn(e.fields, name);

/**
 * Names and paths of a FEEL expression over `entity`'s record: every bare name is a field (or a
 * system field); `rel.field` follows a manyToOne relation one hop to a field of its target.
 */
export function checkRecordExpression(
  entity: EntityDocument,
  expression: string,
  entities: Map<string, EntityDocument>,
  at: string,
): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const check = checkFeel(expression);
  for (const f of check.unknownFunctions)
    errors.push({ path: at, message: `unknown FEEL function ${f}` });
  if (!check.ok && !check.unknownFunctions.length)
    errors.push({ path: at, message: `invalid FEEL: ${check.message}` });
  const refs = feelRefs(expression);
  if (!refs || errors.length) return errors;
  for (const v of check.variables)
    if (!has(entity, v) && !SYSTEM.includes(v))
      errors.push({ path: at, message: `refers to unknown field "${v}"` });
  for (const p of refs.paths) {
    if (!has(entity, p.head)) continue; // reported above as an unknown field
    const f = entity.fields[p.head];
    if (f.type !== 'relation') {
      if (f.type !== 'json')
        errors.push({
          path: at,
          message: `"${p.head}.${p.field}": ${p.head} is a ${f.type} field, not a relation to follow`,
        });
      continue;
    }
    if (f.relation !== 'manyToOne') {
      errors.push({
        path: at,
        message: `"${p.head}.${p.field}": only a manyToOne relation can be followed`,
      });
      continue;
    }
    if (p.deeper) {
      errors.push({
        path: at,
        message: `"${p.head}.${p.field}...": follows two relations; only one hop is allowed`,
      });
      continue;
    }
    const target = entities.get(f.target!);
    // a target that failed its own meta-schema stands in with no fields: not a second error
    const known = target?.fields && Object.keys(target.fields).length > 0;
    if (known && !has(target!, p.field) && !SYSTEM.includes(p.field))
      errors.push({
        path: at,
        message: `"${p.head}.${p.field}": ${f.target} has no field "${p.field}"`,
      });
  }
  return errors;
}

function checkRollup(
  entity: EntityDocument,
  f: FieldDef,
  entities: Map<string, EntityDocument>,
  at: string,
): ErrorDetail[] {
  const r = f.rollup!;
  const errors: ErrorDetail[] = [];
  const src = inverseSource(entities, entity.name, r.relation);
  if (!src) {
    errors.push({
      path: `${at}/rollup/relation`,
      message: has(entity, r.relation)
        ? `"${r.relation}" is a field of ${entity.name}, not an inverse relation (the inverse.name of a manyToOne pointing at ${entity.name})`
        : `unknown relation "${r.relation}": no manyToOne field pointing at ${entity.name} has this inverse name`,
    });
    return errors;
  }
  const child = entities.get(src.entity)!;
  if (r.function === 'count') {
    if (r.field !== undefined)
      errors.push({ path: `${at}/rollup/field`, message: 'count takes no field' });
    if (!['integer', 'decimal'].includes(f.type))
      errors.push({ path: `${at}/type`, message: 'a count is an integer or decimal field' });
  } else if (r.field === undefined) {
    errors.push({ path: `${at}/rollup/field`, message: `${r.function} needs the child's field` });
  } else if (!has(child, r.field)) {
    errors.push({
      path: `${at}/rollup/field`,
      message: `${src.entity} has no field "${r.field}"`,
    });
  } else {
    const t = child.fields[r.field].type;
    const numeric = NUMERIC.includes(t);
    const orderable = numeric || TEMPORAL.includes(t);
    if ((r.function === 'sum' || r.function === 'avg') && !numeric)
      errors.push({
        path: `${at}/rollup/field`,
        message: `cannot ${r.function} a ${t} field (${src.entity}.${r.field}): only numbers`,
      });
    else if (!orderable)
      errors.push({
        path: `${at}/rollup/field`,
        message: `cannot take the ${r.function} of a ${t} field (${src.entity}.${r.field})`,
      });
    else if (numeric && !NUMERIC.includes(f.type))
      errors.push({
        path: `${at}/type`,
        message: `the ${r.function} of a number is a number field, not ${f.type}`,
      });
    else if (!numeric && f.type !== t)
      errors.push({ path: `${at}/type`, message: `the ${r.function} of a ${t} is a ${t} field` });
    else if (f.type === 'integer' && (r.function === 'avg' || t !== 'integer'))
      errors.push({
        path: `${at}/type`,
        message: `the ${r.function} of ${src.entity}.${r.field} is not always an integer: use decimal`,
      });
  }
  if (r.filter !== undefined) {
    const errs = checkRecordExpression(child, r.filter, entities, `${at}/rollup/filter`);
    const refs = feelRefs(r.filter);
    if (
      !errs.length &&
      refs?.paths.some((p) => has(child, p.head) && child.fields[p.head].type === 'relation')
    )
      errs.push({
        path: `${at}/rollup/filter`,
        message: `a rollup filter reads the ${src.entity} record's own fields only`,
      });
    errors.push(...errs);
  }
  return errors;
}

/** The checks of one computed field (none for a plain field). */
export function checkComputedField(
  entity: EntityDocument,
  name: string,
  f: FieldDef,
  entities: Map<string, EntityDocument>,
): ErrorDetail[] {
  if (f.formula === undefined && f.rollup === undefined) return [];
  const at = `/fields/${escapePointer(name)}`;
  const errors: ErrorDetail[] = [];
  if (f.formula !== undefined && f.rollup !== undefined)
    errors.push({ path: `${at}/rollup`, message: 'a field is a formula or a rollup, not both' });
  for (const key of ['required', 'default', 'unique'] as const)
    if (f[key] !== undefined && f[key] !== false)
      errors.push({
        path: `${at}/${key}`,
        message: `a computed field cannot be ${key === 'default' ? 'given a default' : key}`,
      });
  if (f.formula !== undefined) {
    if (!FORMULA_TYPES.includes(f.type))
      errors.push({
        path: `${at}/type`,
        message: `a formula cannot compute a ${f.type} field (allowed: ${FORMULA_TYPES.join(', ')})`,
      });
    errors.push(...checkRecordExpression(entity, f.formula, entities, `${at}/formula`));
    if (
      feelRefs(f.formula)?.bare.includes(name) ||
      feelRefs(f.formula)?.paths.some((p) => p.head === name)
    )
      errors.push({ path: `${at}/formula`, message: `reads itself (${name})` });
  }
  if (f.rollup !== undefined && f.formula === undefined)
    errors.push(...checkRollup(entity, f, entities, at));
  return errors;
}
