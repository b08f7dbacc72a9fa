import type { ErrorDetail } from '@crm/common';
import {
  ENTITY_ACTIONS,
  ROLE_PLACEHOLDERS,
  SYSTEM_SUBJECTS,
  WORKFLOW_ACTIONS,
  type EntityDocument,
  type FieldDef,
  type RoleDocument,
} from './types';

/** System fields a rule may name (API names); the login-holding ones take user placeholders. */
const SYSTEM_FIELD_KINDS: Record<string, 'login' | 'other'> = {
  id: 'other',
  owner: 'login',
  createdBy: 'login',
  updatedBy: 'login',
  createdAt: 'other',
  updatedAt: 'other',
  version: 'other',
};

/** Field types whose column is text and can hold a login. */
const LOGIN_TYPES = new Set(['text', 'email', 'phone', 'url', 'select']);

const isScalar = (v: unknown): boolean =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v);

const esc = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

function fieldOf(e: EntityDocument, name: string): FieldDef | 'system' | undefined {
  if (Object.hasOwn(SYSTEM_FIELD_KINDS, name)) return 'system';
  return Object.hasOwn(e.fields, name) ? e.fields[name] : undefined;
}

function takesLogin(e: EntityDocument, name: string): boolean {
  const f = fieldOf(e, name);
  if (f === 'system') return SYSTEM_FIELD_KINDS[name] === 'login';
  return !!f && LOGIN_TYPES.has(f.type);
}

/**
 * Semantic checks of a role (after its meta-schema passed): every subject is an entity or a
 * system subject, every field exists on every entity the rule names, conditions only use known
 * fields, operators and placeholders, and placeholders only where a login is stored.
 */
export function checkRoleSemantics(
  role: RoleDocument,
  entities: Map<string, EntityDocument>,
): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  role.rules.forEach((rule, i) => {
    const at = `/rules/${i}`;
    const subjects = Array.isArray(rule.subject) ? rule.subject : [rule.subject];
    const ents: EntityDocument[] = [];
    subjects.forEach((s, j) => {
      const p = Array.isArray(rule.subject) ? `${at}/subject/${j}` : `${at}/subject`;
      const e = entities.get(s);
      if (e) ents.push(e);
      else if (!(SYSTEM_SUBJECTS as readonly string[]).includes(s))
        errors.push({ path: p, message: `unknown entity "${s}"`, reason: 'subject' });
    });
    const onlyEntities = ents.length === subjects.length;
    errors.push(...checkActions(rule, subjects, ents, at));
    if (rule.fields) {
      if (!onlyEntities)
        errors.push({ path: `${at}/fields`, message: 'field lists apply to entities only' });
      rule.fields.forEach((f, j) => {
        for (const e of ents)
          if (!fieldOf(e, f))
            errors.push({
              path: `${at}/fields/${j}`,
              message: `unknown field "${f}" on ${e.name}`,
              reason: 'field',
            });
      });
    }
    if (!rule.conditions) return;
    const { processKey, actionName, ...conditions } = rule.conditions;
    if (processKey !== undefined)
      errors.push(...checkProcessKey(rule, subjects, processKey, `${at}/conditions/processKey`));
    if (actionName !== undefined)
      errors.push(...checkActionName(rule, ents, actionName, `${at}/conditions/actionName`));
    if (!Object.keys(conditions).length) return;
    if (!onlyEntities) {
      errors.push({ path: `${at}/conditions`, message: 'conditions apply to entities only' });
      return;
    }
    for (const [key, value] of Object.entries(conditions)) {
      const p = `${at}/conditions/${esc(key)}`;
      if (key === '$sharedWithMe') {
        if (value !== true) errors.push({ path: p, message: 'must be true' });
        continue;
      }
      for (const e of ents) {
        if (!fieldOf(e, key)) {
          errors.push({ path: p, message: `unknown field "${key}" on ${e.name}`, reason: 'field' });
          continue;
        }
        errors.push(...checkValue(e, key, value, p));
      }
    }
  });
  return errors;
}

const isKey = (v: unknown): boolean => typeof v === 'string' && v.length > 0;

/**
 * `processKey` in a start rule's conditions names the processes the rule lets the user start (on
 * Workflow, or on the records the other conditions reach): a key, or `{ $in | $nin: [keys] }`,
 * `{ $ne: key }`. It narrows `start` only, so the rule must be about `start` alone.
 */
function checkProcessKey(
  rule: RoleDocument['rules'][number],
  subjects: string[],
  value: unknown,
  p: string,
): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const actions = Array.isArray(rule.action) ? rule.action : [rule.action];
  if (actions.some((a) => a !== 'start'))
    out.push({
      path: p,
      message: `processKey narrows start only; give start a rule of its own (this rule also names ${actions.filter((a) => a !== 'start').join(', ')})`,
      reason: 'processKey',
    });
  const other = subjects.filter(
    (s) => s === 'all' || s === 'User' || s === 'Metadata' || s === 'Audit',
  );
  if (other.length)
    out.push({
      path: p,
      message: `processKey applies to Workflow and entities, not ${other.join(', ')}`,
      reason: 'processKey',
    });
  if (isKey(value)) return out;
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return [...out, { path: p, message: 'must be a process key or { $in | $nin | $ne }' }];
  for (const [op, v] of Object.entries(value as Record<string, unknown>)) {
    const at = `${p}/${esc(op)}`;
    if (op === '$ne' || op === '$eq') {
      if (!isKey(v)) out.push({ path: at, message: `${op} takes one process key` });
    } else if (op === '$in' || op === '$nin') {
      if (!Array.isArray(v) || v.length === 0 || !v.every(isKey))
        out.push({ path: at, message: `${op} takes a non-empty list of process keys` });
    } else out.push({ path: at, message: `unknown operator "${op}" (use $in, $nin, $ne)` });
  }
  return out;
}

/**
 * `actionName` in a `run` rule's conditions names the record actions (`action` documents) the rule
 * lets the user run: a name, or `{ $in | $nin: [names] }`, `{ $ne: name }`. It narrows `run` only,
 * on entities only.
 */
function checkActionName(
  rule: RoleDocument['rules'][number],
  ents: EntityDocument[],
  value: unknown,
  p: string,
): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const actions = Array.isArray(rule.action) ? rule.action : [rule.action];
  if (actions.some((a) => a !== 'run'))
    out.push({
      path: p,
      message: `actionName narrows run only; give run a rule of its own (this rule also names ${actions.filter((a) => a !== 'run').join(', ')})`,
      reason: 'actionName',
    });
  if (!ents.length)
    out.push({ path: p, message: 'actionName applies to entities only', reason: 'actionName' });
  if (isKey(value)) return out;
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return [...out, { path: p, message: 'must be an action name or { $in | $nin | $ne }' }];
  for (const [op, v] of Object.entries(value as Record<string, unknown>)) {
    const at = `${p}/${esc(op)}`;
    if (op === '$ne' || op === '$eq') {
      if (!isKey(v)) out.push({ path: at, message: `${op} takes one action name` });
    } else if (op === '$in' || op === '$nin') {
      if (!Array.isArray(v) || v.length === 0 || !v.every(isKey))
        out.push({ path: at, message: `${op} takes a non-empty list of action names` });
    } else out.push({ path: at, message: `unknown operator "${op}" (use $in, $nin, $ne)` });
  }
  return out;
}

/**
 * An action must mean something on every subject the rule names: `deploy` on a quote or `export`
 * on Workflow would be a silent no-op, which is worse than an error.
 */
function checkActions(
  rule: RoleDocument['rules'][number],
  subjects: string[],
  ents: EntityDocument[],
  at: string,
): ErrorDetail[] {
  const actions = Array.isArray(rule.action) ? rule.action : [rule.action];
  const entityNames = new Set(ents.map((e) => e.name));
  const out: ErrorDetail[] = [];
  actions.forEach((a, k) => {
    const p = Array.isArray(rule.action) ? `${at}/action/${k}` : `${at}/action`;
    for (const s of subjects) {
      const allowed: readonly string[] | null = entityNames.has(s)
        ? ENTITY_ACTIONS
        : s === 'Workflow'
          ? WORKFLOW_ACTIONS
          : null; // all, User, Metadata, Audit: any action
      if (allowed && !allowed.includes(a)) {
        out.push({
          path: p,
          message: `${a} does not apply to ${s} (${s === 'Workflow' ? 'workflow' : 'entity'} actions: ${allowed.join(', ')})`,
          reason: 'action',
        });
        break;
      }
    }
  });
  return out;
}

function checkValue(e: EntityDocument, key: string, value: unknown, p: string): ErrorDetail[] {
  const placeholder = (v: unknown, at: string): ErrorDetail[] => {
    if (typeof v !== 'string' || !v.startsWith('$')) return [];
    if (!(ROLE_PLACEHOLDERS as readonly string[]).includes(v))
      return [
        {
          path: at,
          message: `unknown placeholder "${v}" (known: ${ROLE_PLACEHOLDERS.join(', ')})`,
          reason: 'placeholder',
        },
      ];
    if (!takesLogin(e, key))
      return [
        { path: at, message: `${v} needs a field holding a login; ${key} on ${e.name} does not` },
      ];
    return [];
  };
  if (isScalar(value)) return placeholder(value, p);
  if (typeof value !== 'object' || Array.isArray(value))
    return [{ path: p, message: 'must be a value, a placeholder or { $in | $nin | $ne }' }];
  const out: ErrorDetail[] = [];
  for (const [op, v] of Object.entries(value as Record<string, unknown>)) {
    const at = `${p}/${esc(op)}`;
    if (op === '$ne') {
      if (!isScalar(v)) out.push({ path: at, message: '$ne takes one value' });
      else out.push(...placeholder(v, at));
    } else if (op === '$in' || op === '$nin') {
      if (!Array.isArray(v) || v.length === 0 || !v.every(isScalar))
        out.push({ path: at, message: `${op} takes a non-empty list of values` });
      else v.forEach((x, k) => out.push(...placeholder(x, `${at}/${k}`)));
    } else out.push({ path: at, message: `unknown operator "${op}" (use $in, $nin, $ne)` });
  }
  return out;
}
