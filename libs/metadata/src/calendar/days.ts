import { Temporal } from 'temporal-polyfill';
import { isIsoDate } from './zoned-date';

/**
 * The day lists of a calendar (holidays, make-up working days) as authored: a bare date
 * `2026-05-01`, `{ date, name }`, or a range `{ from, to, name }` (both ends included).
 */
export type CalendarDayName = string | { 'zh-CN': string; en: string };
export type CalendarDayEntry =
  | string
  | { date: string; name?: CalendarDayName }
  | { from: string; to: string; name?: CalendarDayName };

/** A range longer than this is a typo (a year in `to`), not a holiday. */
export const MAX_RANGE_DAYS = 366;

/** The first and last date of an entry, or why it is not one (pointer relative to the entry). */
export function entryRange(
  entry: unknown,
): { from: string; to: string } | { path: string; message: string } {
  if (typeof entry === 'string')
    return isIsoDate(entry)
      ? { from: entry, to: entry }
      : { path: '', message: `"${entry}" is not a real date YYYY-MM-DD` };
  const e = (entry ?? {}) as { date?: unknown; from?: unknown; to?: unknown };
  const hasDate = e.date !== undefined;
  const hasRange = e.from !== undefined || e.to !== undefined;
  if (hasDate === hasRange)
    return { path: '', message: 'needs either date, or from and to (not both)' };
  if (hasDate)
    return isIsoDate(e.date)
      ? { from: e.date, to: e.date }
      : { path: '/date', message: `"${String(e.date)}" is not a real date YYYY-MM-DD` };
  for (const k of ['from', 'to'] as const)
    if (!isIsoDate(e[k]))
      return {
        path: `/${k}`,
        message:
          e[k] === undefined ? 'is required with a range' : `"${String(e[k])}" is not a real date`,
      };
  const from = String(e.from);
  const to = String(e.to);
  if (to < from) return { path: '/to', message: `is before from (${from})` };
  const days = Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to)).days + 1;
  if (days > MAX_RANGE_DAYS)
    return { path: '/to', message: `the range spans ${days} days; at most ${MAX_RANGE_DAYS}` };
  return { from, to };
}

/** Every date `YYYY-MM-DD` of an entry (none when it is invalid). */
export function entryDates(entry: unknown): string[] {
  const r = entryRange(entry);
  if ('path' in r) return [];
  const out: string[] = [];
  const last = Temporal.PlainDate.from(r.to);
  for (let d = Temporal.PlainDate.from(r.from); Temporal.PlainDate.compare(d, last) <= 0;) {
    out.push(d.toString());
    d = d.add({ days: 1 });
  }
  return out;
}

/** ISO weekday (1 = Monday ... 7 = Sunday) of a date `YYYY-MM-DD`. */
export const isoWeekday = (date: string): number => Temporal.PlainDate.from(date).dayOfWeek;
