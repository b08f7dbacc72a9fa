import { CrmError, type ErrorDetail, ErrorCode, isUniqueViolation } from '@crm/common';
import { type CompiledEntity, type FeelOptions, entityTables } from '@crm/metadata';
import { type RecordData } from './codec';
import {
  type EntityValidators,
  checkWritableKeys,
  ruleErrors,
  schemaErrors,
} from './record-validator';
import { type Actor } from './record-types';
import { sanitizeRichTextFields } from './rich-text';

/**
 * A request body turned into the values a write stores, or a 400 naming every bad field: pure
 * checks on the body and the entity's compiled model, before any SQL runs.
 */

/** What a create's checks need beside the body: compiled validators and the FEEL rule setup. */
export interface CreateChecks {
  validators: EntityValidators;
  feelOptions: FeelOptions;
  /** Formula fields a rule may read, computed on the body alone (computed/). */
  shallowRule: Parameters<typeof ruleErrors>[4];
}

export function invalidRecord(e: CompiledEntity, errors: ErrorDetail[]): CrmError {
  return new CrmError(
    ErrorCode.RecordInvalid,
    `${e.name} record is invalid: ${errors.length} error(s)`,
    errors,
  );
}

function assertObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new CrmError(ErrorCode.RecordInvalid, 'the body must be a JSON object of field values', [
      { path: '', message: 'must be an object' },
    ]);
  }
  return body as Record<string, unknown>;
}

function assertKeys(e: CompiledEntity, input: Record<string, unknown>): void {
  const { unknown, readOnly, computed } = checkWritableKeys(e, input, false);
  if (unknown.length)
    throw new CrmError(ErrorCode.FieldUnknown, `unknown field(s) on ${e.name}`, unknown);
  if (computed.length)
    throw new CrmError(
      ErrorCode.FieldComputed,
      `computed field(s) cannot be written: ${computed.map((d) => d.field).join(', ')}`,
      computed,
    );
  if (readOnly.length)
    throw new CrmError(ErrorCode.RecordInvalid, 'read-only fields cannot be written', readOnly);
}

/** A create's values: the body's fields, defaults for the others, rich text cleaned, all checked. */
export function prepareCreate(
  e: CompiledEntity,
  body: unknown,
  actor: Actor,
  checks: CreateChecks,
): RecordData {
  const input = assertObject(body);
  assertKeys(e, input);
  const data: RecordData = {};
  for (const [name, f] of Object.entries(e.fields)) {
    if (name in input) data[name] = input[name];
    else if (f.default !== undefined && f.type !== 'autoNumber') {
      data[name] =
        f.type === 'currency'
          ? { amount: f.default, currency: f.currency ?? 'CNY' }
          : structuredClone(f.default);
    }
  }
  if ('owner' in input) data.owner = input.owner;
  sanitizeRichTextFields(e, data);
  const errors = [
    ...schemaErrors(checks.validators.create, data),
    ...ruleErrors(e, data, actor.locale, checks.feelOptions, checks.shallowRule),
  ];
  if (errors.length) throw invalidRecord(e, errors);
  return data;
}

/**
 * A patch's values and the version it was read at; rules are checked later, on the merged record.
 */
export function preparePatch(
  e: CompiledEntity,
  body: unknown,
  validators: EntityValidators,
): RecordData & { version: number } {
  const input = assertObject(body);
  if (!Number.isInteger(input.version)) {
    throw new CrmError(ErrorCode.RecordInvalid, 'version is required to update a record', [
      { path: '/version', message: 'is required: send the version you read' },
    ]);
  }
  assertKeys(e, input);
  const { version, ...patch } = input;
  sanitizeRichTextFields(e, patch);
  const errors = schemaErrors(validators.patch, patch);
  if (errors.length) throw invalidRecord(e, errors);
  return { ...patch, version: version as number };
}

/** A unique-index violation as a 409 naming the fields of the index; anything else unchanged. */
export function uniqueViolationError(e: CompiledEntity, err: unknown): unknown {
  if (!isUniqueViolation(err)) return err;
  const text = String((err as Error).message);
  const tables = entityTables(e.doc);
  let fields: string[] = [];
  for (const ix of tables[0].indexes.filter((i) => i.unique)) {
    if (text.includes(ix.name) || text.includes(`${e.table}.${ix.columns.join(`, ${e.table}.`)}`))
      fields = ix.columns;
  }
  return new CrmError(
    ErrorCode.UniqueViolation,
    fields.length
      ? `another ${e.name} already has this ${fields.join(' + ')}`
      : `another ${e.name} already has one of these unique values`,
    (fields.length ? fields : ['']).map((f) => ({
      path: f ? `/${f}` : '',
      message: 'must be unique',
      reason: 'unique',
    })),
  );
}
