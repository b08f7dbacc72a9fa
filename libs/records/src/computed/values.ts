import { CrmError, ErrorCode } from '@crm/common';
import type { CompiledEntity, FieldDef } from '@crm/metadata';
import { decimalFits } from '../record-validator';

/**
 * Values between records and FEEL, for formulas, rollup filters and cross-relation rules: FEEL
 * sees a currency as its amount and instants in one (UTC) notation, as rules always have; a
 * formula's result goes back to the field's type (rounded to its scale, a currency in its code).
 */

export function toFeelValue(f: FieldDef | undefined, v: unknown): unknown {
  if (v === undefined) return null;
  if (f?.type === 'currency' && v !== null && typeof v === 'object')
    return (v as { amount: unknown }).amount;
  if (f?.type === 'datetime' && typeof v === 'string' && !Number.isNaN(Date.parse(v)))
    return new Date(v).toISOString();
  return v;
}

/** The FEEL context of a record: its fields (and system fields) as FEEL sees them. */
export function feelRecord(
  e: CompiledEntity,
  record: Record<string, unknown>,
): Record<string, unknown> {
  const ctx: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (k === '_related') continue;
    ctx[k] = toFeelValue(Object.hasOwn(e.fields, k) ? e.fields[k] : undefined, v);
  }
  return ctx;
}

/** The number a field value adds to a sum (a currency's amount), null when there is none. */
export function numberOf(f: FieldDef, v: unknown): number | null {
  const x = toFeelValue(f, v);
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

const scaleOf = (f: FieldDef): number =>
  f.scale ?? (f.type === 'percent' ? 4 : f.type === 'integer' ? 0 : 2);
const precisionOf = (f: FieldDef): number => f.precision ?? (f.type === 'percent' ? 9 : 18);

export const roundTo = (x: number, scale: number): number => {
  const p = 10 ** scale;
  return Math.round((x + Number.EPSILON * Math.sign(x)) * p) / p;
};

interface Temporal {
  toISODate?: () => string;
  toISO?: () => string;
}

function outOfRange(e: CompiledEntity, name: string, v: unknown): CrmError {
  return new CrmError(
    ErrorCode.RecordInvalid,
    `${e.name}.${name}: the computed value ${String(v)} does not fit the field`,
    [
      {
        path: `/${name}`,
        message: `computed value ${String(v)} does not fit this field`,
        reason: 'computed',
      },
    ],
  );
}

/**
 * A FEEL result as the API value of a computed field; null for what the field cannot hold as a
 * value of its type (FEEL's own "missing"). Throws a 400 naming the field when a number is too
 * large for its column.
 */
export function fromFeelValue(e: CompiledEntity, name: string, v: unknown): unknown {
  const f = e.fields[name];
  if (v === null || v === undefined) return null;
  switch (f.type) {
    case 'integer':
    case 'decimal':
    case 'percent':
    case 'currency': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return null;
      const x = roundTo(v, scaleOf(f));
      if (f.type === 'integer') {
        if (!Number.isSafeInteger(x)) throw outOfRange(e, name, v);
        return x;
      }
      if (!decimalFits(x, { precision: precisionOf(f), scale: scaleOf(f) }))
        throw outOfRange(e, name, v);
      return f.type === 'currency' ? { amount: x, currency: f.currency ?? 'CNY' } : x;
    }
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'date': {
      if (typeof v === 'string') return /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null;
      if (v instanceof Date) return v.toISOString().slice(0, 10);
      const t = v as Temporal;
      return typeof t.toISODate === 'function' ? t.toISODate() : null;
    }
    case 'datetime': {
      const iso =
        typeof v === 'string'
          ? v
          : v instanceof Date
            ? v.toISOString()
            : typeof (v as Temporal).toISO === 'function'
              ? (v as Temporal).toISO!()
              : null;
      if (!iso || Number.isNaN(Date.parse(iso))) return null;
      return new Date(iso).toISOString();
    }
    case 'select': {
      if (typeof v !== 'string') return null;
      if (!(f.options ?? []).some((o) => o.value === v))
        throw outOfRange(e, name, `"${v.slice(0, 20)}" (not one of its options)`);
      return v;
    }
    case 'text':
    case 'longText': {
      const s =
        typeof v === 'string'
          ? v
          : typeof v === 'number' || typeof v === 'boolean'
            ? String(v)
            : null;
      if (s !== null && s.length > (f.length ?? (f.type === 'text' ? 255 : 65535)))
        throw outOfRange(e, name, `"${s.slice(0, 20)}…"`);
      return s;
    }
    default:
      return null;
  }
}

/** The stored value a rollup of nothing has: 0 for sum and count, else null. */
export function emptyRollup(e: CompiledEntity, name: string): unknown {
  const r = e.fields[name].rollup!;
  return r.function === 'sum' || r.function === 'count' ? fromFeelValue(e, name, 0) : null;
}

/** Values equal as stored (a currency by amount and code). */
export const sameValue = (a: unknown, b: unknown): boolean =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
