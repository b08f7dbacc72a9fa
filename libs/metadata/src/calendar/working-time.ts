import { Temporal } from 'temporal-polyfill';
import type { BusinessUnit } from '@crm/common';
import type { CalendarDocument } from '../kinds/calendar.kind';
import { entryDates } from './days';
import { type WorkingPeriod, parsePeriods } from './hours';
import { localDateString } from './zoned-date';

/**
 * Working-time arithmetic on a business calendar, pure (no clock, no database): deadlines and
 * reminders of approval tasks, SLAs.
 *
 * Units:
 * - `hours`: elapsed time; the calendar does not matter (a night and a Sunday count).
 * - `workingHours`: time inside the working periods of working days, in the calendar's zone.
 * - `workingDays`: n × the working time of one working day (8 h for 09:00-12:00 + 13:00-18:00),
 *   counted like working hours. So the working clock moves on by whole days: 2 working days from
 *   Friday 15:00 is Tuesday 15:00; from Friday 19:00 (after hours) it is Tuesday 18:00, the end of
 *   the second working day. When the amount is used up exactly at the end of a period the result is
 *   that end (18:00), not the start of the next period (09:00 the day after): a deadline reads
 *   "by end of Monday", not "by Tuesday morning". Going back (reminders before a due time) mirrors
 *   this and stops at the start of a period.
 *
 * Without a calendar (none named and none marked default) working hours are hours and a working
 * day is 24 hours. Amounts are parsed by parseBusinessDuration (@crm/common).
 */
/** A calendar document compiled for arithmetic. */
export interface WorkingCalendar {
  name: string;
  timeZone: string;
  week: ReadonlySet<number>;
  periods: readonly WorkingPeriod[];
  holidays: ReadonlySet<string>;
  workingDays: ReadonlySet<string>;
  /** Working minutes of one working day. */
  dayMinutes: number;
}

export function compileCalendar(doc: CalendarDocument): WorkingCalendar {
  const periods = parsePeriods(doc.workingHours).periods;
  return {
    name: doc.name,
    timeZone: doc.timeZone,
    week: new Set(doc.workingWeek),
    periods,
    holidays: new Set((doc.holidays ?? []).flatMap(entryDates)),
    workingDays: new Set((doc.workingDays ?? []).flatMap(entryDates)),
    dayMinutes: periods.reduce((sum, p) => sum + p.end - p.start, 0),
  };
}

/** Whether a date (`YYYY-MM-DD`, or the calendar-zone date of an instant) is worked. */
export function isWorkingDay(cal: WorkingCalendar, date: Date | string): boolean {
  const day = typeof date === 'string' ? date : localDateString(date, cal.timeZone);
  if (cal.workingDays.has(day)) return true;
  if (cal.holidays.has(day)) return false;
  return cal.week.has(Temporal.PlainDate.from(day).dayOfWeek);
}

/** Whether an instant lies inside a working period of a working day. */
export function isWorkingTime(cal: WorkingCalendar, at: Date): boolean {
  const z = Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(cal.timeZone);
  if (!isWorkingDay(cal, z.toPlainDate().toString())) return false;
  const t = at.getTime();
  return cal.periods.some(
    (p) => t >= edge(cal, z.toPlainDate(), p.start) && t < edge(cal, z.toPlainDate(), p.end),
  );
}

const HOUR = 3_600_000;

export function addBusinessTime(
  cal: WorkingCalendar | null,
  start: Date,
  amount: number,
  unit: BusinessUnit,
): Date {
  return move(cal, start, amount, unit, 1);
}

/** The instant `amount` of business time before `end` (a reminder before a due time). */
export function subtractBusinessTime(
  cal: WorkingCalendar | null,
  end: Date,
  amount: number,
  unit: BusinessUnit,
): Date {
  return move(cal, end, amount, unit, -1);
}

function move(
  cal: WorkingCalendar | null,
  from: Date,
  amount: number,
  unit: BusinessUnit,
  dir: 1 | -1,
): Date {
  if (!Number.isFinite(amount) || amount < 0)
    throw new RangeError(`a business duration must be a finite amount >= 0, got ${amount}`);
  if (amount === 0) return new Date(from.getTime());
  if (unit === 'hours' || !cal) {
    const ms = unit === 'workingDays' ? amount * 24 * HOUR : amount * HOUR;
    return new Date(from.getTime() + dir * ms);
  }
  const ms = unit === 'workingDays' ? amount * cal.dayMinutes * 60_000 : amount * HOUR;
  return new Date(dir === 1 ? forward(cal, from, ms) : backward(cal, from, ms));
}

/** A year with no working period means the calendar cannot satisfy any amount. */
const MAX_IDLE_DAYS = 366;

/** The instant of a minute of a local day (1440 = midnight ending it) in the calendar's zone. */
function edge(cal: WorkingCalendar, day: Temporal.PlainDate, minute: number): number {
  const d = minute >= 1440 ? day.add({ days: 1 }) : day;
  const m = minute % 1440;
  return d
    .toZonedDateTime({
      timeZone: cal.timeZone,
      plainTime: new Temporal.PlainTime(Math.floor(m / 60), m % 60),
    })
    .toInstant().epochMilliseconds;
}

function localDay(cal: WorkingCalendar, t: number): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(cal.timeZone).toPlainDate();
}

function forward(cal: WorkingCalendar, from: Date, ms: number): number {
  const t0 = from.getTime();
  let remaining = ms;
  let idle = 0;
  for (let day = localDay(cal, t0); idle <= MAX_IDLE_DAYS; day = day.add({ days: 1 })) {
    idle++;
    if (!isWorkingDay(cal, day.toString())) continue;
    for (const p of cal.periods) {
      const start = Math.max(edge(cal, day, p.start), t0);
      const end = edge(cal, day, p.end);
      if (start >= end) continue;
      idle = 0;
      if (remaining <= end - start) return start + remaining;
      remaining -= end - start;
    }
  }
  throw new RangeError(`calendar ${cal.name} has no working time within a year of a date`);
}

function backward(cal: WorkingCalendar, from: Date, ms: number): number {
  const t0 = from.getTime();
  let remaining = ms;
  let idle = 0;
  for (let day = localDay(cal, t0); idle <= MAX_IDLE_DAYS; day = day.subtract({ days: 1 })) {
    idle++;
    if (!isWorkingDay(cal, day.toString())) continue;
    for (const p of [...cal.periods].reverse()) {
      const start = edge(cal, day, p.start);
      const end = Math.min(edge(cal, day, p.end), t0);
      if (start >= end) continue;
      idle = 0;
      if (remaining <= end - start) return end - remaining;
      remaining -= end - start;
    }
  }
  throw new RangeError(`calendar ${cal.name} has no working time within a year of a date`);
}
