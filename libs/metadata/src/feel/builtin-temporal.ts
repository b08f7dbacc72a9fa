import { date, dateAndTime, duration, evaluate, type FeelDateTime } from 'feelin';
import { Temporal } from 'temporal-polyfill';
import type { Clock } from '@crm/common';
import { type FeelFunction, fn, isDate, isDateTime, isNil, isStr, isTime } from './fn';

/**
 * Temporal built-ins that depend on the company's time zone or that feelin lacks. `now()` and
 * `today()` read the injected clock (tests move it; every node agrees on it) and answer in the
 * company's time zone (CRM_TIMEZONE), as Zeebe answers in its cluster's zone.
 */

/** The instant a FEEL date and time denotes; a zone-less one is read in `timeZone`. */
function instantOf(dt: FeelDateTime, timeZone: string): Temporal.Instant {
  const zone = dt.timezone ?? timeZone;
  return Temporal.PlainDateTime.from(dt.unwrap().toString())
    .toZonedDateTime(zone === 'Z' ? 'UTC' : zone)
    .toInstant();
}

function zoned(instant: Temporal.Instant, zone: string): FeelDateTime | null {
  const wall = instant.toZonedDateTimeISO(zone === 'Z' ? 'UTC' : zone).toPlainDateTime();
  // "Z" and offsets are written as such; a region id with feelin's `@zone` notation
  const suffix = zone === 'Z' || zone === 'UTC' ? 'Z' : /^[+-]\d/.test(zone) ? zone : `@${zone}`;
  return dateAndTime(`${wall.toString({ smallestUnit: 'millisecond' })}${suffix}`);
}

const validZone = (tz: string): boolean => {
  if (tz === 'Z') return true;
  try {
    Temporal.Now.instant().toZonedDateTimeISO(tz);
    return true;
  } catch {
    return false;
  }
};

export interface TemporalOptions {
  clock: Clock;
  timeZone: string;
}

export function temporalBuiltins(o: TemporalOptions): Array<[string, FeelFunction]> {
  const instantNow = () => Temporal.Instant.fromEpochMilliseconds(o.clock.now().getTime());
  return [
    ['now', fn([], () => zoned(instantNow(), o.timeZone))],
    [
      'today',
      fn([], () => date(instantNow().toZonedDateTimeISO(o.timeZone).toPlainDate().toString())),
    ],
    [
      // Camunda's extension date and time(date, timezone); the other forms are feelin's own
      'date and time',
      fn(['date', 'time', 'from'], (d, second, from) => {
        if (isDateTime(d) && isStr(second)) {
          if (!validZone(second)) return null;
          return zoned(instantOf(d, o.timeZone), second);
        }
        const args = isNil(from) ? [d, second] : [from];
        const { value } = evaluate(
          args.length === 1 || isNil(second) ? 'date and time(a)' : 'date and time(a, b)',
          isNil(from) ? { a: d, b: second } : { a: from },
        );
        return value ?? null;
      }),
    ],
  ];
}

export const STATIC_TEMPORAL_BUILTINS: Array<[string, FeelFunction]> = [
  [
    'last day of month',
    fn(['date'], (d) => {
      if (!isDate(d) && !isDateTime(d)) return null;
      const day = Temporal.PlainDate.from({ year: d.year, month: d.month, day: 1 });
      return date(day.with({ day: day.daysInMonth }).toString());
    }),
  ],
  [
    // feelin counts the leftover days too (P1Y8M2D); Camunda answers whole years and months
    'years and months duration',
    fn(['from', 'to'], (from, to) => {
      if (!(isDate(from) || isDateTime(from)) || !(isDate(to) || isDateTime(to))) return null;
      const a = Temporal.PlainDate.from({ year: from.year, month: from.month, day: from.day });
      const b = Temporal.PlainDate.from({ year: to.year, month: to.month, day: to.day });
      const d = a.until(b, { largestUnit: 'years', smallestUnit: 'months', roundingMode: 'trunc' });
      const sign = d.sign < 0 ? '-' : '';
      const y = Math.abs(d.years);
      const m = Math.abs(d.months);
      return duration(`${sign}P${y ? `${y}Y` : ''}${m || !y ? `${m}M` : ''}`);
    }),
  ],
];

/** Java's ISO form for JSON: zoned date-times as `2025-11-24T10:00:00+01:00[Europe/Berlin]`. */
export function temporalToJson(v: unknown): string | undefined {
  if (isDateTime(v)) {
    const zone = v.timezone;
    if (!zone || zone === 'UTC' || /^[+-]\d/.test(zone)) return String(v);
    const zdt = Temporal.PlainDateTime.from(v.unwrap().toString()).toZonedDateTime(zone);
    return `${zdt.toPlainDateTime().toString()}${zdt.offset}[${zone}]`;
  }
  if (isDate(v) || isTime(v)) return String(v);
  return undefined;
}

/**
 * A FEEL result as a record field takes it: a date and time becomes the ISO instant it denotes
 * (`2026-11-30T10:33:46.310@Asia/Shanghai` → `2026-11-30T02:33:46.310Z`; a zone-less one is read in
 * `timeZone`), a date its `YYYY-MM-DD`; anything else is returned unchanged. Without it a process
 * writing `=now()` into a datetime field sent feelin's object, which no datetime column accepts.
 */
export function feelToFieldValue(value: unknown, timeZone: string): unknown {
  if (isDateTime(value))
    return instantOf(value, timeZone).toString({ smallestUnit: 'millisecond' });
  if (isDate(value)) return value.unwrap().toString();
  return value;
}
