import type { ErrorDetail } from '@crm/common';
import { checkFeel } from '../feel/check';
import type { EntityDocument, I18nText } from '../types';
import {
  type DocumentKindSpec,
  type KindCheckContext,
  docNameSchema,
  i18nSchema,
} from './registry';
import { feelText } from './trigger.kind';

/** Copies the source record's children (an inverse relation) under the record a step created. */
export interface ActionLines {
  /** A one-to-many inverse of the source entity (a manyToOne of `entity`... pointing at it). */
  from: string;
  /** The entity of the new children. */
  entity: string;
  /** The new child's manyToOne to the record the step created. */
  link: string;
  /** Child field → FEEL over `line`, `record`, `actor` and the steps so far. */
  values: Record<string, string>;
}

export interface ActionStep {
  /** The name later expressions read the created record by (`account.id`). */
  as: string;
  entity: string;
  /** Target field → FEEL over `record`, `actor` and the earlier steps. */
  values: Record<string, string>;
  lines?: ActionLines;
}

/**
 * `action` documents define a button on a record that creates new linked records (in order, each
 * step seeing the earlier ones), may write back onto the record and may start a process — all in
 * one transaction, as the user who runs it. Roles allow it with `run` on the entity, narrowed by
 * the condition key `actionName`.
 */
export interface ActionDocument {
  kind: 'action';
  name: string;
  entity: string;
  label: I18nText;
  description?: I18nText;
  /** FEEL over `record` and `actor`; anything but true refuses the action (and disables the button). */
  when?: string;
  /** Text the web app asks the user to confirm before it runs the action. */
  confirm?: I18nText;
  create?: ActionStep[];
  /** Source field → FEEL over `record`, `actor` and every step. */
  update?: Record<string, string>;
  /** A process started about `record` or a created record (`on`: a step's `as`). */
  process?: { key: string; on?: string };
  /** Which record the web app opens afterwards: `record` or a step's `as` (default: the first step). */
  open?: string;
}

/** Names every action expression may read besides the steps' `as` names. */
export const ACTION_BASE_NAMES = ['record', 'actor'] as const;
/** What a `lines.values` expression reads besides those and the steps. */
export const ACTION_LINE_NAME = 'line';
const RESERVED_AS = [...ACTION_BASE_NAMES, ACTION_LINE_NAME];

/** System fields every record has besides its entity's fields (readable in expressions). */
const SYSTEM_FIELDS = [
  'id',
  'owner',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
  'version',
  'deletedAt',
];
/** System fields an action may set on a record it writes (the others are the engine's). */
const WRITABLE_SYSTEM_FIELDS = ['owner'];

const MAX_STEPS = 20;
const valuesSchema = {
  type: 'object',
  minProperties: 1,
  maxProperties: 200,
  propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
  additionalProperties: { type: 'string', minLength: 1, maxLength: 2000 },
};

export const actionKind: DocumentKindSpec = {
  kind: 'action',
  schema: {
    type: 'object',
    required: ['kind', 'name', 'entity', 'label'],
    properties: {
      kind: { const: 'action' },
      name: docNameSchema,
      entity: docNameSchema,
      label: i18nSchema,
      description: i18nSchema,
      when: { type: 'string', minLength: 1, maxLength: 2000 },
      confirm: i18nSchema,
      create: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_STEPS,
        items: {
          type: 'object',
          required: ['as', 'entity', 'values'],
          properties: {
            as: docNameSchema,
            entity: docNameSchema,
            values: valuesSchema,
            lines: {
              type: 'object',
              required: ['from', 'entity', 'link', 'values'],
              properties: {
                from: docNameSchema,
                entity: docNameSchema,
                link: docNameSchema,
                values: valuesSchema,
              },
              additionalProperties: false,
            },
          },
          additionalProperties: false,
        },
      },
      update: valuesSchema,
      process: {
        type: 'object',
        required: ['key'],
        properties: {
          // a BPMN process id (an XML NCName), as stored in crm_wf_definition.process_key
          key: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,190}$' },
          on: docNameSchema,
        },
        additionalProperties: false,
      },
      open: docNameSchema,
    },
    additionalProperties: false,
    // an action that does nothing is a mistake, not a button
    anyOf: [{ required: ['create'] }, { required: ['update'] }, { required: ['process'] }],
  },
  check: checkAction,
};

const esc = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** What an expression at one place may read: name → the entity its fields come from. */
type Scope = Map<string, EntityDocument | undefined>;

/**
 * Problems of one FEEL expression at `path`: it must parse, call only FEEL's functions, read only
 * the names in scope (a step named later answers "before it is created"), and name only fields
 * the entity behind each name has (string literals skipped).
 */
function expressionErrors(
  expression: string,
  path: string,
  scope: Scope,
  laterSteps: ReadonlySet<string>,
): ErrorDetail[] {
  const text = feelText(expression);
  const check = checkFeel(text);
  if (!check.ok) return [{ path, message: `invalid FEEL: ${check.message}` }];
  const errors: ErrorDetail[] = [];
  for (const v of check.variables) {
    if (scope.has(v)) continue;
    errors.push({
      path,
      message: laterSteps.has(v)
        ? `reads "${v}" before the step that creates it (steps run in order)`
        : `reads "${v}"; here an action offers ${[...scope.keys()].join(', ')}`,
    });
  }
  const code = text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const m of code.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const [, name, field] = m;
    const entity = scope.get(name);
    if (!entity) continue;
    if (!Object.hasOwn(entity.fields, field) && !SYSTEM_FIELDS.includes(field))
      errors.push({ path, message: `${name}.${field}: ${entity.name} has no field "${field}"` });
  }
  return errors;
}

/** Target fields must exist on the entity written (and not be the engine's system columns). */
function valueErrors(
  values: Record<string, string>,
  path: string,
  entity: EntityDocument | undefined,
  scope: Scope,
  laterSteps: ReadonlySet<string>,
): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  for (const [field, expression] of Object.entries(values)) {
    const at = `${path}/${esc(field)}`;
    if (entity && !Object.hasOwn(entity.fields, field) && !WRITABLE_SYSTEM_FIELDS.includes(field))
      errors.push({ path: at, message: `${entity.name} has no field "${field}"` });
    else if (entity && entity.fields[field]?.type === 'autoNumber')
      errors.push({ path: at, message: `${field} is numbered by its code rule, not written` });
    errors.push(...expressionErrors(expression, at, scope, laterSteps));
  }
  return errors;
}

function checkAction(raw: Record<string, unknown>, ctx: KindCheckContext): ErrorDetail[] {
  const doc = raw as unknown as ActionDocument;
  const errors: ErrorDetail[] = [];
  const source = ctx.entities.get(doc.entity);
  if (!source) errors.push({ path: '/entity', message: `unknown entity "${doc.entity}"` });
  const scope: Scope = new Map([
    ['record', source],
    ['actor', undefined],
  ]);
  if (doc.when !== undefined) errors.push(...expressionErrors(doc.when, '/when', scope, new Set()));

  const steps = doc.create ?? [];
  const stepNames = new Set(steps.map((s) => s.as));
  const defined = new Set<string>();
  steps.forEach((step, i) => {
    const at = `/create/${i}`;
    const target = ctx.entities.get(step.entity);
    if (!target) errors.push({ path: `${at}/entity`, message: `unknown entity "${step.entity}"` });
    if (RESERVED_AS.includes(step.as))
      errors.push({
        path: `${at}/as`,
        message: `"${step.as}" is a name every action expression has; call the step otherwise`,
      });
    else if (defined.has(step.as))
      errors.push({ path: `${at}/as`, message: `another step is already called "${step.as}"` });
    const later = new Set([...stepNames].filter((n) => !defined.has(n)));
    errors.push(...valueErrors(step.values, `${at}/values`, target, scope, later));
    if (step.lines) errors.push(...lineErrors(step, at, source, target, ctx, scope, later));
    defined.add(step.as);
    scope.set(step.as, target);
  });

  if (doc.update) errors.push(...valueErrors(doc.update, '/update', source, scope, new Set()));
  const targets = new Set(['record', ...stepNames]);
  if (doc.process?.on !== undefined && !targets.has(doc.process.on))
    errors.push({
      path: '/process/on',
      message: `"${doc.process.on}" is neither record nor a step (${[...targets].join(', ')})`,
    });
  if (doc.open !== undefined && !targets.has(doc.open))
    errors.push({
      path: '/open',
      message: `"${doc.open}" is neither record nor a step (${[...targets].join(', ')})`,
    });
  return errors;
}

function lineErrors(
  step: ActionStep,
  at: string,
  source: EntityDocument | undefined,
  target: EntityDocument | undefined,
  ctx: KindCheckContext,
  scope: Scope,
  later: ReadonlySet<string>,
): ErrorDetail[] {
  const lines = step.lines!;
  const errors: ErrorDetail[] = [];
  const p = `${at}/lines`;
  // the source's children: a manyToOne of some entity to the source whose inverse is `from`
  let childOfSource: EntityDocument | undefined;
  if (source) {
    for (const e of ctx.entities.values())
      for (const f of Object.values(e.fields))
        if (
          f.type === 'relation' &&
          f.relation === 'manyToOne' &&
          f.target === source.name &&
          f.inverse?.name === lines.from
        )
          childOfSource = e;
    if (!childOfSource)
      errors.push({
        path: `${p}/from`,
        message: `${source.name} has no inverse relation "${lines.from}" (a manyToOne to ${source.name} with inverse.name ${lines.from})`,
      });
  }
  const child = ctx.entities.get(lines.entity);
  if (!child) errors.push({ path: `${p}/entity`, message: `unknown entity "${lines.entity}"` });
  else if (target) {
    const link = child.fields[lines.link];
    if (
      !Object.hasOwn(child.fields, lines.link) ||
      link.type !== 'relation' ||
      link.relation !== 'manyToOne' ||
      link.target !== target.name
    )
      errors.push({
        path: `${p}/link`,
        message: `${child.name}.${lines.link} is not a manyToOne relation to ${target.name}`,
      });
    else if (Object.hasOwn(lines.values, lines.link))
      errors.push({
        path: `${p}/values/${esc(lines.link)}`,
        message: `${lines.link} is set by link (to the record this step creates)`,
      });
  }
  // the lines are written after their header: they see it by its `as`
  const lineScope: Scope = new Map([
    ...scope,
    [step.as, target],
    [ACTION_LINE_NAME, childOfSource],
  ]);
  errors.push(...valueErrors(lines.values, `${p}/values`, child, lineScope, later));
  return errors;
}

/** The action documents of a document set. */
export function actionDocuments(documents: readonly { kind: string }[]): ActionDocument[] {
  return documents.filter((d): d is ActionDocument => d.kind === 'action');
}

/** The record actions of an entity, by name (what the record page offers). */
export function recordActions(
  documents: readonly { kind: string }[],
  entity: string,
): ActionDocument[] {
  return actionDocuments(documents)
    .filter((a) => a.entity === entity)
    .sort((a, b) => a.name.localeCompare(b.name));
}
