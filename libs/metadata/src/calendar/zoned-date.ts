import { Temporal } from 'temporal-polyfill';

/**
 * Business dates in the company's time zone (CRM_TIMEZONE). An instant has one date per zone: at
 * 07:00 in Beijing (23:00 UTC the day before) a customer code, a report period or a deadline must
 * carry Beijing's date, never the UTC one.
 */

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** Whether an IANA zone name (or `UTC`) is known to this runtime. */
export function isTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || !tz) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The calendar date of an instant in a zone. */
export function localDate(at: Date, timeZone: string): LocalDate {
  const d = Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(timeZone);
  return { year: d.year, month: d.month, day: d.day };
}

/** `YYYY-MM-DD` of an instant in a zone. */
export function localDateString(at: Date, timeZone: string): string {
  const d = localDate(at, timeZone);
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written `YYYY-MM-DD` (2026-02-30 is not). */
export function isIsoDate(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}
