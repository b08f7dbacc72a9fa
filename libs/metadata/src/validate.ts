import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { unsafePatternReason } from './safe-regex';
import type { ErrorDetail } from '@crm/common';
import { CodeRuleError, parseCodeRule } from './code-rule';
import { checkComputedField, checkRecordExpression, computedCycles } from './computed';
import { EXTRA_KINDS } from './kinds';
import { entityMetaSchema } from './meta-schemas/entity.meta-schema';
import { roleMetaSchema } from './meta-schemas/role.meta-schema';
import { checkDefault } from './validate-default';
import { checkRoleSemantics } from './validate-role';
import {
  FIELD_TYPES,
  type EntityDocument,
  type FieldDef,
  type FieldType,
  type RoleDocument,
  type SourcedDocument,
  DOCUMENT_KINDS,
  docKey,
} from './types';

/** System columns every entity table has; fields may not take these names. */
export const RESERVED_FIELD_NAMES = [
  'id',
  'owner',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
  'version',
  'deletedAt',
];

let metaValidator: ValidateFunction | undefined;
function entityValidator(): ValidateFunction {
  if (!metaValidator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    metaValidator = ajv.compile(entityMetaSchema);
  }
  return metaValidator;
}

let roleMetaValidator: ValidateFunction | undefined;
function roleValidator(): ValidateFunction {
  roleMetaValidator ??= new Ajv({ allErrors: true, strict: false }).compile(roleMetaSchema);
  return roleMetaValidator;
}

/** Meta-schema errors of one entity document ([] when its shape is valid). */
export function entityShapeErrors(doc: unknown): ErrorDetail[] {
  const v = entityValidator();
  return v(doc) ? [] : ajvErrorsToDetails(v.errors);
}

const kindValidators = new Map<string, ValidateFunction>();
function extraKindValidator(kind: unknown): ValidateFunction | null {
  const spec = EXTRA_KINDS.find((k) => k.kind === kind);
  if (!spec) return null;
  let v = kindValidators.get(spec.kind);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    v = ajv.compile(spec.schema);
    kindValidators.set(spec.kind, v);
  }
  return v;
}

/** Meta-schema errors of one document of any kind. */
export function documentShapeErrors(doc: unknown): ErrorDetail[] {
  const kind = (doc as { kind?: unknown })?.kind;
  const extra = extraKindValidator(kind);
  if (extra) return extra(doc) ? [] : ajvErrorsToDetails(extra.errors);
  if (kind !== 'role') return entityShapeErrors(doc);
  const v = roleValidator();
  return v(doc) ? [] : ajvErrorsToDetails(v.errors);
}

/** Turns ajv's errors into one readable message per pointer, dropping the if/then noise. */
export function ajvErrorsToDetails(
  errors: ErrorObject[] | null | undefined,
  /** Also hand on each keyword's parameters (record validation: clients translate them). */
  opts: { params?: boolean } = {},
): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    if (e.keyword === 'if') continue;
    let path = e.instancePath;
    let message = e.message ?? 'is invalid';
    switch (e.keyword) {
      case 'required':
        path = `${path}/${(e.params as { missingProperty: string }).missingProperty}`;
        message = 'is required';
        break;
      case 'additionalProperties':
        path = `${path}/${(e.params as { additionalProperty: string }).additionalProperty}`;
        message = 'is not an allowed property';
        break;
      case 'enum':
        message = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
        break;
      case 'const':
        message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
        break;
      case 'propertyNames':
        continue; // reported through the nested pattern error below
      case 'pattern':
        if ((e.params as { pattern: string }).pattern.startsWith('^[a-z][a-zA-Z0-9]')) {
          message = 'must be a camelCase name (letters and digits, starting with a-z)';
        }
        break;
      default:
        break;
    }
    if (e.propertyName !== undefined) {
      path = `${path}/${e.propertyName}`;
      message = `name "${e.propertyName}" ${message}`;
    }
    const key = `${path} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      path,
      message,
      reason: e.keyword,
      ...(opts.params && { params: e.params as Record<string, unknown> }),
    });
  }
  return out;
}

const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Keys that only make sense on some field types. */
const KEY_TYPES: Partial<Record<keyof FieldDef, FieldType[]>> = {
  precision: ['decimal', 'currency', 'percent'],
  scale: ['decimal', 'currency', 'percent'],
  currency: ['currency'],
  options: ['select', 'multiSelect'],
  target: ['relation'],
  relation: ['relation'],
  inverse: ['relation'],
  codeRule: ['autoNumber'],
  accept: ['file'],
  length: ['text', 'longText', 'richText', 'email', 'phone', 'url'],
  minLength: ['text', 'longText', 'richText', 'email', 'phone', 'url'],
  pattern: ['text', 'phone'],
  min: ['integer', 'decimal', 'currency', 'percent', 'date', 'datetime'],
  max: ['integer', 'decimal', 'currency', 'percent', 'date', 'datetime'],
};

const NUMERIC: FieldType[] = ['integer', 'decimal', 'percent', 'currency'];

function checkField(
  entity: EntityDocument,
  name: string,
  f: FieldDef,
  entities: Map<string, EntityDocument>,
): ErrorDetail[] {
  const at = `/fields/${escapePointer(name)}`;
  const errors: ErrorDetail[] = [];
  if (RESERVED_FIELD_NAMES.includes(name)) {
    errors.push({ path: at, message: `"${name}" is a system field name and cannot be redefined` });
  }
  // an unknown type was reported by the meta-schema; type-specific checks would only add noise
  if (!(FIELD_TYPES as readonly string[]).includes(f.type)) return errors;
  for (const [key, types] of Object.entries(KEY_TYPES)) {
    if ((f as unknown as Record<string, unknown>)[key] !== undefined && !types!.includes(f.type)) {
      errors.push({ path: `${at}/${key}`, message: `does not apply to a ${f.type} field` });
    }
  }
  if (f.precision !== undefined && f.scale !== undefined && f.scale > f.precision) {
    errors.push({
      path: `${at}/scale`,
      message: `scale ${f.scale} exceeds precision ${f.precision}`,
    });
  }
  if (f.minLength !== undefined && f.length !== undefined && f.minLength > f.length) {
    errors.push({ path: `${at}/minLength`, message: 'exceeds length' });
  }
  if (NUMERIC.includes(f.type)) {
    for (const k of ['min', 'max'] as const) {
      if (f[k] !== undefined && typeof f[k] !== 'number') {
        errors.push({ path: `${at}/${k}`, message: 'must be a number' });
      }
    }
  }
  if (f.options) {
    const seen = new Set<string>();
    f.options.forEach((o, i) => {
      if (seen.has(o.value)) {
        errors.push({
          path: `${at}/options/${i}/value`,
          message: `duplicate option value "${o.value}"`,
        });
      }
      seen.add(o.value);
    });
  }
  if (f.type === 'autoNumber' && f.codeRule !== undefined) {
    try {
      parseCodeRule(f.codeRule);
    } catch (e) {
      if (!(e instanceof CodeRuleError)) throw e;
      errors.push({ path: `${at}/codeRule`, message: e.message });
    }
  }
  if (f.type === 'relation' && f.target !== undefined) {
    const target = entities.get(f.target);
    if (!target) {
      errors.push({ path: `${at}/target`, message: `relation to unknown entity "${f.target}"` });
    } else if (f.inverse) {
      if (f.relation !== 'manyToOne') {
        errors.push({ path: `${at}/inverse`, message: 'only a manyToOne relation has an inverse' });
      } else if (
        Object.hasOwn(target.fields, f.inverse.name) ||
        RESERVED_FIELD_NAMES.includes(f.inverse.name)
      ) {
        errors.push({
          path: `${at}/inverse/name`,
          message: `"${f.inverse.name}" already names a field of ${f.target}`,
        });
      }
    }
    if (f.unique && f.relation === 'manyToMany') {
      errors.push({ path: `${at}/unique`, message: 'a manyToMany relation cannot be unique' });
    }
  }
  if (
    f.renamedFrom !== undefined &&
    Object.hasOwn(entity.fields, f.renamedFrom) &&
    f.renamedFrom !== name
  ) {
    errors.push({
      path: `${at}/renamedFrom`,
      message: `"${f.renamedFrom}" is still a field of ${entity.name}`,
    });
  }
  if (f.pattern !== undefined) {
    // record writes match patterns with RE2 (linear time): refuse what it cannot run, here
    const reason = unsafePatternReason(f.pattern);
    if (reason)
      errors.push({
        path: `${at}/pattern`,
        message: `is not a regular expression RE2 can run (no backreferences or lookaround): ${reason}`,
      });
  }
  errors.push(...checkDefault(f, at));
  errors.push(...checkComputedField(entity, name, f, entities));
  return errors;
}

/** Checks one entity against the others; assumes it passed the meta-schema. */
export function checkEntitySemantics(
  entity: EntityDocument,
  entities: Map<string, EntityDocument>,
): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  // null prototype: names such as "constructor" must not resolve to Object.prototype members
  const fields: Record<string, FieldDef> = Object.assign(Object.create(null), entity.fields);
  const byLower = new Map<string, string>();
  for (const [name, f] of Object.entries(fields)) {
    errors.push(...checkField(entity, name, f, entities));
    // column names are case-insensitive in MySQL and SQLite
    const other = byLower.get(name.toLowerCase());
    if (other) {
      errors.push({
        path: `/fields/${escapePointer(name)}`,
        message: `"${name}" differs from field "${other}" only in case`,
      });
    }
    byLower.set(name.toLowerCase(), name);
    if (
      f.type === 'relation' &&
      f.relation === 'manyToMany' &&
      `j_${entity.name}_${name}`.length > 64
    ) {
      errors.push({
        path: `/fields/${escapePointer(name)}`,
        message: `entity and field names are too long together for the junction table (j_${entity.name}_${name} > 64 characters)`,
      });
    }
  }
  const display = fields[entity.displayField];
  if (!display) {
    errors.push({ path: '/displayField', message: `"${entity.displayField}" is not a field` });
  } else if (display.type === 'relation' && display.relation === 'manyToMany') {
    errors.push({ path: '/displayField', message: 'cannot be a manyToMany relation' });
  }
  const indexNames = new Set<string>();
  (entity.indexes ?? []).forEach((ix, i) => {
    if (ix.name) {
      if (indexNames.has(ix.name)) {
        errors.push({ path: `/indexes/${i}/name`, message: `duplicate index name "${ix.name}"` });
      }
      indexNames.add(ix.name);
    }
    ix.fields.forEach((fn, j) => {
      const f = fields[fn];
      if (!f) errors.push({ path: `/indexes/${i}/fields/${j}`, message: `"${fn}" is not a field` });
      else if (f.type === 'relation' && f.relation === 'manyToMany') {
        errors.push({
          path: `/indexes/${i}/fields/${j}`,
          message: 'cannot index a manyToMany relation',
        });
      } else if (['longText', 'richText', 'json', 'multiSelect'].includes(f.type)) {
        errors.push({
          path: `/indexes/${i}/fields/${j}`,
          message: `cannot index a ${f.type} field`,
        });
      }
    });
    if (new Set(ix.fields).size !== ix.fields.length) {
      errors.push({ path: `/indexes/${i}/fields`, message: 'lists a field twice' });
    }
  });
  const ruleNames = new Set<string>();
  (entity.rules ?? []).forEach((r, i) => {
    if (ruleNames.has(r.name)) {
      errors.push({ path: `/rules/${i}/name`, message: `duplicate rule name "${r.name}"` });
    }
    ruleNames.add(r.name);
    // names, functions, and one-hop `rel.field` paths (cross-relation rules)
    errors.push(...checkRecordExpression(entity, r.expression, entities, `/rules/${i}/expression`));
  });
  return errors;
}

/**
 * Validates a whole document set: meta-schema per document, then cross-document semantics.
 * Returns every problem at once, each naming its document, file and JSON pointer.
 */
export function validateDocuments(docs: SourcedDocument[]): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const valid: Array<SourcedDocument<EntityDocument>> = [];
  const invalid: Array<{ s: SourcedDocument; reported: string[] }> = [];
  const roles: SourcedDocument[] = [];
  const extras: SourcedDocument[] = [];
  const fileFor = (s: SourcedDocument, path: string): string | undefined => {
    const m = /^\/fields\/([^/]+)/.exec(path);
    return (m && s.fieldFiles?.[m[1]]) || s.files[s.files.length - 1] || s.files[0];
  };
  const seen = new Map<string, SourcedDocument>();
  for (const s of docs) {
    const raw = s.doc as unknown as Record<string, unknown>;
    const key = docKey({ kind: String(raw?.kind), name: String(raw?.name) });
    const prev = seen.get(key);
    if (prev) {
      errors.push({
        path: '/name',
        message: `duplicate document name: ${key} is also defined in ${prev.files.join(', ')}`,
        document: key,
        file: s.files[0],
      });
      continue;
    }
    seen.set(key, s);
    if (raw?.kind === 'role') {
      const rv = roleValidator();
      if (!rv(raw)) {
        for (const d of ajvErrorsToDetails(rv.errors))
          errors.push({ ...d, document: key, file: s.files[0] });
      } else roles.push(s);
      continue;
    }
    const extra = extraKindValidator(raw?.kind);
    if (extra) {
      if (!extra(raw)) {
        for (const d of ajvErrorsToDetails(extra.errors))
          errors.push({ ...d, document: key, file: s.files[0] });
      } else extras.push(s);
      continue;
    }
    if (raw?.kind !== 'entity') {
      errors.push({
        path: '/kind',
        message: `unknown document kind ${JSON.stringify(raw?.kind)} (known: ${DOCUMENT_KINDS.join(', ')})`,
        document: key,
        file: s.files[0],
      });
      continue;
    }
    const v = entityValidator();
    if (!v(raw)) {
      const schemaErrors = ajvErrorsToDetails(v.errors);
      for (const d of schemaErrors) {
        errors.push({ ...d, document: key, file: fileFor(s, d.path) });
      }
      invalid.push({ s, reported: schemaErrors.map((d) => d.path) });
      continue;
    }
    valid.push(s as SourcedDocument<EntityDocument>);
  }
  const invalidNames = new Set(invalid.map((i) => String((i.s.doc as { name?: unknown }).name)));
  const entities = new Map(
    valid.map((s) => [
      s.doc.name,
      {
        ...s.doc,
        fields: Object.assign(Object.create(null), s.doc.fields) as Record<string, FieldDef>,
      },
    ]),
  );
  // Inverse names must not collide across relations pointing at the same target.
  const inverses = new Map<string, string>();
  // Documents that failed the meta-schema still get the semantic checks that can run on them,
  // so one pass reports every problem; anything under an already-reported pointer is skipped.
  for (const { s, reported } of invalid) {
    const doc = s.doc as EntityDocument;
    if (!doc || typeof doc !== 'object' || !doc.fields || typeof doc.fields !== 'object') continue;
    const known = new Map(entities);
    for (const name of invalidNames)
      if (!known.has(name)) known.set(name, { fields: {} } as EntityDocument);
    let extra: ErrorDetail[];
    try {
      extra = checkEntitySemantics(
        { ...doc, fields: Object.assign(Object.create(null), doc.fields) },
        known,
      );
    } catch {
      continue; // too malformed to say more than the meta-schema did
    }
    for (const d of extra) {
      if (
        reported.some(
          (p) => d.path === p || d.path.startsWith(`${p}/`) || p.startsWith(`${d.path}/`),
        )
      )
        continue;
      errors.push({ ...d, document: docKey(doc), file: fileFor(s, d.path) });
    }
  }
  // a relation to a document that is itself invalid is not a second error
  const withStubs = new Map(entities);
  for (const name of invalidNames)
    if (!withStubs.has(name)) withStubs.set(name, { fields: {} } as EntityDocument);
  for (const s of valid) {
    for (const d of checkEntitySemantics(entities.get(s.doc.name)!, withStubs)) {
      errors.push({ ...d, document: docKey(s.doc), file: fileFor(s, d.path) });
    }
    for (const [fname, f] of Object.entries(s.doc.fields)) {
      if (f.type !== 'relation' || !f.inverse) continue;
      const k = `${f.target}.${f.inverse.name}`;
      const other = inverses.get(k);
      if (other) {
        errors.push({
          path: `/fields/${fname}/inverse/name`,
          message: `inverse "${f.inverse.name}" on ${f.target} is already defined by ${other}`,
          document: docKey(s.doc),
          file: fileFor(s, `/fields/${fname}`),
        });
      }
      inverses.set(k, `${s.doc.name}.${fname}`);
    }
  }
  // formulas and rollups that read each other in a circle could never be computed
  for (const cycle of computedCycles(valid.map((s) => s.doc))) {
    const [entityName, field] = cycle[0].split('.');
    const s = valid.find((v) => v.doc.name === entityName)!;
    const f = s.doc.fields[field];
    errors.push({
      path: `/fields/${escapePointer(field)}/${f.formula !== undefined ? 'formula' : 'rollup'}`,
      message: `computed fields depend on each other in a cycle: ${cycle.join(' → ')}`,
      document: docKey(s.doc),
      file: fileFor(s, `/fields/${field}`),
    });
  }
  for (const s of roles) {
    for (const d of checkRoleSemantics(s.doc as RoleDocument, withStubs))
      errors.push({ ...d, document: docKey(s.doc), file: s.files[0] });
  }
  const documents = docs.map((s) => s.doc);
  for (const s of extras) {
    const spec = EXTRA_KINDS.find((k) => k.kind === s.doc.kind)!;
    for (const d of spec.check?.(s.doc as unknown as Record<string, unknown>, {
      entities,
      documents,
    }) ?? [])
      errors.push({ ...d, document: docKey(s.doc), file: s.files[0] });
  }
  return errors;
}
