import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { ErrorDetail } from '@crm/common';
import {
  type CompiledEntity,
  type JsonSchema,
  RESERVED_FIELD_NAMES,
  ajvErrorsToDetails,
  type FeelOptions,
  ajvRegExp,
  ruleHolds,
} from '@crm/metadata';

export type Locale = 'zh-CN' | 'en';

export function decimalFits(value: number, spec: { precision: number; scale: number }): boolean {
  if (!Number.isFinite(value)) return false;
  // toFixed writes 1e21 and above in exponent form, whose "digits" would slip through below
  if (Math.abs(value) >= 10 ** (spec.precision - spec.scale)) return false;
  const [int, frac = ''] = Math.abs(value)
    .toFixed(spec.scale + 6)
    .replace(/0+$/, '')
    .split('.');
  const intDigits = int === '0' ? 0 : int.length;
  return intDigits <= spec.precision - spec.scale && frac.replace(/0+$/, '').length <= spec.scale;
}

function makeAjv(): Ajv {
  // metadata patterns match in linear time (RE2), never with the backtracking RegExp engine
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    useDefaults: false,
    code: { regExp: ajvRegExp },
  });
  addFormats(ajv, { keywords: true });
  ajv.addKeyword({
    keyword: 'x-decimal',
    type: 'number',
    errors: true,
    validate: function check(spec: { precision: number; scale: number }, data: number) {
      const ok = decimalFits(data, spec);
      if (!ok) {
        (check as unknown as { errors: unknown[] }).errors = [
          {
            keyword: 'x-decimal',
            message: `must have at most ${spec.precision - spec.scale} integer digits and ${spec.scale} decimals`,
            params: spec,
          },
        ];
      }
      return ok;
    },
  });
  ajv.addKeyword({
    keyword: 'x-maxBytes',
    type: 'string',
    errors: true,
    validate: function check(max: number, data: string) {
      const bytes = Buffer.byteLength(data, 'utf8');
      if (bytes <= max) return true;
      (check as unknown as { errors: unknown[] }).errors = [
        {
          keyword: 'x-maxBytes',
          message: `must be at most ${max} bytes of UTF-8 (this text is ${bytes}: a Chinese character takes 3)`,
          params: { limit: max },
        },
      ];
      return false;
    },
  });
  return ajv;
}

export interface EntityValidators {
  create: ValidateFunction;
  patch: ValidateFunction;
}

/** Compiles, per entity, the create and patch validators from the entity's one JSON Schema. */
export function compileValidators(entity: CompiledEntity): EntityValidators {
  const ajv = makeAjv();
  const schema = structuredClone(entity.schema) as JsonSchema & {
    properties: Record<string, JsonSchema>;
  };
  delete schema.$schema;
  const create = ajv.compile({ ...schema, $id: `${String(schema.$id)}:create` });
  const patch = ajv.compile({ ...schema, $id: `${String(schema.$id)}:patch`, required: [] });
  return { create, patch };
}

const WRITABLE_SYSTEM = new Set(['owner']);

/** Body keys that are not writable fields: unknown names and read-only ones. */
export function checkWritableKeys(
  entity: CompiledEntity,
  body: Record<string, unknown>,
  allowReadOnly = false,
): { unknown: ErrorDetail[]; readOnly: ErrorDetail[]; computed: ErrorDetail[] } {
  const unknown: ErrorDetail[] = [];
  const readOnly: ErrorDetail[] = [];
  const computed: ErrorDetail[] = [];
  for (const key of Object.keys(body)) {
    if (key === 'version') continue;
    const f = entity.fields[key];
    if (!f) {
      if (RESERVED_FIELD_NAMES.includes(key) && !WRITABLE_SYSTEM.has(key))
        readOnly.push({ path: `/${key}`, message: 'is a system field and cannot be written' });
      else if (!WRITABLE_SYSTEM.has(key))
        unknown.push({ path: `/${key}`, message: `unknown field "${key}" on ${entity.name}` });
      continue;
    }
    if (f.formula !== undefined || f.rollup !== undefined) {
      computed.push({
        path: `/${key}`,
        message: `${key} is computed by the server (${f.formula !== undefined ? 'formula' : 'rollup'}) and cannot be written`,
        field: key,
      });
      continue;
    }
    if (!allowReadOnly && (f.readOnly || f.type === 'autoNumber')) {
      readOnly.push({ path: `/${key}`, message: `${key} is read-only` });
    }
  }
  return { unknown, readOnly, computed };
}

export function schemaErrors(v: ValidateFunction, data: unknown): ErrorDetail[] {
  if (v(data)) return [];
  return ajvErrorsToDetails(v.errors, { params: true }).filter(
    (e) =>
      e.reason !== 'type' ||
      !v.errors?.some((x) => x.instancePath === e.path && x.keyword === 'enum'),
  );
}

/**
 * Cross-field FEEL rules over the record as it will be stored. `feel` carries the clock and the
 * company's time zone: `closeDate >= today()` compares with today in CRM_TIMEZONE (at 07:00 in
 * Beijing, not yesterday's UTC date).
 */
export function ruleErrors(
  entity: CompiledEntity,
  record: Record<string, unknown>,
  locale: Locale,
  feel: FeelOptions,
  /** Which rules to check here (rules over computed fields or relations run in the write's tx). */
  include: (rule: string) => boolean = () => true,
): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const ctx: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    const type = Object.hasOwn(entity.fields, k) ? entity.fields[k].type : undefined;
    // rules compare plain values: a currency by its amount, instants in one (UTC) notation
    if (type === 'currency' && v !== null && typeof v === 'object')
      ctx[k] = (v as { amount: unknown }).amount;
    else if (type === 'datetime' && typeof v === 'string' && !Number.isNaN(Date.parse(v)))
      ctx[k] = new Date(v).toISOString();
    else ctx[k] = v;
  }
  for (const rule of entity.doc.rules ?? []) {
    if (!include(rule.name)) continue;
    let holds: boolean;
    try {
      holds = ruleHolds(rule.expression, ctx, feel);
    } catch {
      holds = false;
    }
    if (!holds)
      out.push({
        path: '',
        message: rule.message[locale] ?? rule.message.en,
        reason: `rule:${rule.name}`,
      });
  }
  return out;
}
