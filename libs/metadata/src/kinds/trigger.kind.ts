import type { ErrorDetail } from '@crm/common';
import { checkFeel } from '../feel/check';
import type { EntityDocument, I18nText } from '../types';
import {
  type DocumentKindSpec,
  type KindCheckContext,
  docNameSchema,
  i18nSchema,
} from './registry';

/** The record event a trigger answers, or a button users press on a record. */
export const TRIGGER_EVENTS = ['created', 'updated', 'deleted', 'button'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

/**
 * `trigger` documents bind a process to a record event or a button: when a record of `entity` is
 * created / updated / deleted (and `condition` holds), or when a user presses the button, the
 * process `process` starts bound to the record, with `variables` computed from it — in the
 * transaction of the write that fired it.
 */
export interface TriggerDocument {
  kind: 'trigger';
  name: string;
  label?: I18nText;
  description?: I18nText;
  entity: string;
  on: TriggerEvent;
  /** FEEL over `old` and `new` (see TRIGGER_NAMES); null or false: the trigger does not fire. */
  condition?: string;
  /** on: button — what the button says. */
  button?: { label: I18nText };
  /** Key of the BPMN process started. */
  process: string;
  /** Process variables: name → FEEL over the record. */
  variables?: Record<string, string>;
  /** on: button — roles that may press it; without, the process's start rules decide. */
  roles?: string[];
}

/**
 * The names a trigger's condition and variables may read, per event: `new` the record as written,
 * `old` as it was, `record` the one that exists (new, or old for a deletion), `actor` the login of
 * who wrote it (or pressed the button).
 */
export const TRIGGER_NAMES: Record<TriggerEvent, readonly string[]> = {
  created: ['new', 'record', 'actor'],
  updated: ['old', 'new', 'record', 'actor'],
  deleted: ['old', 'record', 'actor'],
  button: ['record', 'actor'],
};

/** Names the workflow engine gives every expression (its RESERVED_VARIABLES): no trigger sets them. */
const ENGINE_VARIABLES = [
  'initiator',
  'record',
  'processInstanceKey',
  'businessKey',
  'now',
  'today',
];

/** A FEEL name a process variable can take. */
const VARIABLE_NAME = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';

export const triggerKind: DocumentKindSpec = {
  kind: 'trigger',
  schema: {
    type: 'object',
    required: ['kind', 'name', 'entity', 'on', 'process'],
    properties: {
      kind: { const: 'trigger' },
      name: docNameSchema,
      label: i18nSchema,
      description: i18nSchema,
      entity: docNameSchema,
      on: { enum: [...TRIGGER_EVENTS] },
      condition: { type: 'string', minLength: 1, maxLength: 2000 },
      button: {
        type: 'object',
        required: ['label'],
        properties: { label: i18nSchema },
        additionalProperties: false,
      },
      // a BPMN process id (an XML NCName), as stored in crm_wf_definition.process_key
      process: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,190}$' },
      variables: {
        type: 'object',
        propertyNames: { pattern: VARIABLE_NAME },
        additionalProperties: { type: 'string', minLength: 1, maxLength: 2000 },
        maxProperties: 50,
      },
      roles: { type: 'array', items: docNameSchema, minItems: 1, uniqueItems: true },
    },
    additionalProperties: false,
    // a button needs its label (the other events' stray button or roles: checkTrigger, with a pointer)
    if: { properties: { on: { const: 'button' } } },
    then: { required: ['button'] },
  },
  check: checkTrigger,
};

const esc = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
/** System fields every record has besides its entity's fields. */
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

/**
 * Problems of one FEEL expression of a trigger at `path`: it must parse, call only FEEL's
 * functions, read only the names its event offers, and name only fields the entity has (`new.x`,
 * `old.x`, `record.x`; string literals are skipped so a text mentioning "new.x" is no error).
 */
function expressionErrors(
  expression: string,
  path: string,
  on: TriggerEvent,
  entity: EntityDocument | undefined,
): ErrorDetail[] {
  const check = checkFeel(feelText(expression));
  if (!check.ok) return [{ path, message: `invalid FEEL: ${check.message}` }];
  const errors: ErrorDetail[] = [];
  const allowed = TRIGGER_NAMES[on];
  for (const v of check.variables)
    if (!allowed.includes(v))
      errors.push({
        path,
        message: `reads "${v}"; a ${on} trigger offers ${allowed.join(', ')}`,
      });
  if (entity) {
    const code = feelText(expression).replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const m of code.matchAll(/\b(old|new|record)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const field = m[2];
      if (!Object.hasOwn(entity.fields, field) && !SYSTEM_FIELDS.includes(field))
        errors.push({ path, message: `${m[1]}.${field}: ${entity.name} has no field "${field}"` });
    }
  }
  return errors;
}

/** Trigger expressions may be written with Camunda's leading `=`. */
export const feelText = (s: string): string => s.trim().replace(/^=/, '').trim();

function checkTrigger(raw: Record<string, unknown>, ctx: KindCheckContext): ErrorDetail[] {
  const doc = raw as unknown as TriggerDocument;
  const errors: ErrorDetail[] = [];
  const entity = ctx.entities.get(doc.entity);
  if (!entity) errors.push({ path: '/entity', message: `unknown entity "${doc.entity}"` });
  if (doc.on !== 'button') {
    // nobody presses a record event: a label or roles there would only mislead the reader
    if (doc.button) errors.push({ path: '/button', message: `a ${doc.on} trigger has no button` });
    if (doc.roles)
      errors.push({
        path: '/roles',
        message: `only a button trigger has roles (a ${doc.on} trigger fires on every write)`,
      });
  }
  if (doc.condition !== undefined)
    errors.push(...expressionErrors(doc.condition, '/condition', doc.on, entity));
  for (const [name, expression] of Object.entries(doc.variables ?? {})) {
    if (ENGINE_VARIABLES.includes(name))
      errors.push({
        path: `/variables/${esc(name)}`,
        message: `"${name}" is set by the workflow engine, not by a trigger`,
      });
    errors.push(...expressionErrors(expression, `/variables/${esc(name)}`, doc.on, entity));
  }
  const roles = new Set(
    ctx.documents.filter((d) => d.kind === 'role').map((d) => (d as { name: string }).name),
  );
  (doc.roles ?? []).forEach((r, i) => {
    if (!roles.has(r)) errors.push({ path: `/roles/${i}`, message: `unknown role "${r}"` });
  });
  return errors;
}

/** The trigger documents of a document set. */
export function triggerDocuments(documents: readonly { kind: string }[]): TriggerDocument[] {
  return documents.filter((d): d is TriggerDocument => d.kind === 'trigger');
}

/** The button triggers of an entity, by name (what the record page offers). */
export function buttonTriggers(
  documents: readonly { kind: string }[],
  entity: string,
): TriggerDocument[] {
  return triggerDocuments(documents)
    .filter((t) => t.entity === entity && t.on === 'button')
    .sort((a, b) => a.name.localeCompare(b.name));
}
