import type { ErrorDetail } from '@crm/common';
import { fieldColumnType } from './storage/entity-tables';
import type { FieldDef } from './types';

/**
 * A field's `default` becomes a literal in DDL (`DEFAULT ...`) and the value of every row a plan
 * backfills, so it is checked against the column it will live in before any DDL is built: the
 * right JSON type, a finite number that fits the column's precision and scale, a real calendar
 * date MySQL can store, text that fits the column and holds no control characters, and the field's
 * own min / max / length limits. Every problem carries the default's JSON pointer.
 */
export function checkDefault(f: FieldDef, at: string): ErrorDetail[] {
  if (f.default === undefined || f.default === null) return [];
  const d = f.default;
  const bad = (why: string): ErrorDetail[] => [{ path: `${at}/default`, message: why }];
  switch (f.type) {
    case 'integer':
      if (!Number.isSafeInteger(d)) return bad('must be an integer between -(2^53-1) and 2^53-1');
      return checkRange(f, d as number, bad);
    case 'decimal':
    case 'percent':
    case 'currency': {
      if (typeof d !== 'number' || !Number.isFinite(d))
        return bad(f.type === 'currency' ? 'must be a number (the amount)' : 'must be a number');
      return checkDecimal(f, d, bad) ?? checkRange(f, d, bad);
    }
    case 'boolean':
      return typeof d === 'boolean' ? [] : bad('must be true or false');
    case 'select':
      return typeof d === 'string' && (f.options ?? []).some((o) => o.value === d)
        ? []
        : bad('must be one of the option values');
    case 'multiSelect':
      return Array.isArray(d) && d.every((v) => (f.options ?? []).some((o) => o.value === v))
        ? []
        : bad('must be a list of option values');
    case 'date':
      if (typeof d !== 'string' || !isCalendarDate(d))
        return bad('must be a real date YYYY-MM-DD between 1000-01-01 and 9999-12-31');
      if ((f.min !== undefined && d < String(f.min)) || (f.max !== undefined && d > String(f.max)))
        return bad(`must lie within the field's min and max`);
      return [];
    case 'json':
      return [];
    case 'relation':
    case 'autoNumber':
    case 'file':
    case 'datetime':
      return bad(`a ${f.type} field cannot have a default`);
    case 'text':
    case 'longText':
    case 'richText':
    case 'email':
    case 'phone':
    case 'url':
      return typeof d === 'string' ? checkText(f, d, bad) : bad('must be a string');
  }
}

type Bad = (why: string) => ErrorDetail[];

function checkRange(f: FieldDef, d: number, bad: Bad): ErrorDetail[] {
  if (typeof f.min === 'number' && d < f.min) return bad(`must be at least ${f.min} (min)`);
  if (typeof f.max === 'number' && d > f.max) return bad(`must be at most ${f.max} (max)`);
  return [];
}

/** A DECIMAL(p,s) column holds at most p-s integer digits and s decimals. */
function checkDecimal(f: FieldDef, d: number, bad: Bad): ErrorDetail[] | undefined {
  const type = fieldColumnType(f);
  const precision = type.precision ?? 18;
  const scale = type.scale ?? 2;
  const [intPart, fraction = ''] = Math.abs(d)
    .toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 })
    .split('.');
  if (intPart !== '0' && intPart.length > precision - scale)
    return bad(`does not fit the column: at most ${precision - scale} digits before the point`);
  if (fraction.length > scale) return bad(`has more than ${scale} decimals (the field's scale)`);
  return undefined;
}

function checkText(f: FieldDef, d: string, bad: Bad): ErrorDetail[] {
  // Tabs and line breaks are text; other control characters (NUL above all) are not, and some
  // databases cut a DDL statement at a NUL.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(d))
    return bad('must not contain control characters');
  const chars = [...d].length;
  const type = fieldColumnType(f);
  const width = type.base === 'varchar' ? (type.length ?? 255) : undefined;
  if (width !== undefined && chars > width)
    return bad(`is ${chars} characters long; the field holds at most ${width}`);
  if (f.length !== undefined && chars > f.length)
    return bad(`is ${chars} characters long; the field's length is ${f.length}`);
  if (f.minLength !== undefined && chars < f.minLength)
    return bad(`is shorter than the field's minLength ${f.minLength}`);
  // TEXT columns cannot carry a DEFAULT on MySQL; the record layer fills those in instead, but a
  // megabyte of default in every backfilled row is still a mistake.
  if (chars > 65535) return bad('is longer than 65,535 characters');
  return [];
}

function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, da] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1000) return false;
  const t = new Date(Date.UTC(y, mo - 1, da));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === da;
}
