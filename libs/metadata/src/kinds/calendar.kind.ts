import type { ErrorDetail } from '@crm/common';
import { type CalendarDayEntry, entryDates, entryRange, isoWeekday } from '../calendar/days';
import { parsePeriods } from '../calendar/hours';
import { isTimeZone } from '../calendar/zoned-date';
import type { I18nText } from '../types';
import { type DocumentKindSpec, docNameSchema, i18nSchema } from './registry';

/**
 * A business calendar: which days are worked and when, in one time zone. Deadlines of approval
 * tasks (`deadline: 2 workingDays`) and SLAs are computed on it (calendar/working-time.ts).
 *
 * A date is a working day when it is listed in `workingDays` (a make-up day, 调休), else when it
 * is not in `holidays` and its ISO weekday is in `workingWeek`.
 */
export interface CalendarDocument {
  kind: 'calendar';
  name: string;
  label: I18nText;
  description?: I18nText;
  /** The calendar deadlines use when a node names none; at most one per document set. */
  default?: boolean;
  /** IANA zone the working hours and dates are read in, e.g. Asia/Shanghai. */
  timeZone: string;
  /** ISO weekdays worked: 1 = Monday ... 7 = Sunday. */
  workingWeek: number[];
  /** Periods of a working day, `HH:mm-HH:mm`, in order and not overlapping. */
  workingHours: string[];
  /** Days off on days the working week would work: public holidays. */
  holidays?: CalendarDayEntry[];
  /** Days worked although the working week would not (make-up days, 调休). */
  workingDays?: CalendarDayEntry[];
}

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
/** Plain text, or zh-CN and en (one schema with a type list: one error, not one per branch). */
const dayName = { ...i18nSchema, type: ['string', 'object'], minLength: 1, maxLength: 100 };
/**
 * A bare date, or an object with date or from/to: one schema with a `type` list rather than a
 * oneOf, so a wrong entry gets one precise error instead of one per alternative. Which keys an
 * object carries is checked with a pointer in `check`.
 */
const dayEntry = {
  type: ['string', 'object'],
  pattern: DATE,
  properties: {
    date: { type: 'string', pattern: DATE },
    from: { type: 'string', pattern: DATE },
    to: { type: 'string', pattern: DATE },
    name: dayName,
  },
  additionalProperties: false,
};

export const calendarKind: DocumentKindSpec = {
  kind: 'calendar',
  schema: {
    type: 'object',
    required: ['kind', 'name', 'label', 'timeZone', 'workingWeek', 'workingHours'],
    properties: {
      kind: { const: 'calendar' },
      name: docNameSchema,
      label: i18nSchema,
      description: i18nSchema,
      default: { type: 'boolean' },
      timeZone: { type: 'string', minLength: 1, maxLength: 64 },
      workingWeek: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { type: 'integer', minimum: 1, maximum: 7 },
      },
      workingHours: {
        type: 'array',
        minItems: 1,
        maxItems: 12,
        items: { type: 'string' },
      },
      holidays: { type: 'array', maxItems: 1000, items: dayEntry },
      workingDays: { type: 'array', maxItems: 1000, items: dayEntry },
    },
    additionalProperties: false,
  },
  check: (doc, ctx) => checkCalendar(doc as unknown as CalendarDocument, ctx.documents),
};

/** Checks one calendar (that passed the schema) and its place among the other documents. */
export function checkCalendar(cal: CalendarDocument, documents: unknown[]): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  if (!isTimeZone(cal.timeZone))
    errors.push({
      path: '/timeZone',
      message: `"${cal.timeZone}" is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)`,
    });
  for (const e of parsePeriods(cal.workingHours).errors)
    errors.push({ path: `/workingHours/${e.index}`, message: e.message });

  const holidayAt = new Map<string, number>();
  for (const key of ['holidays', 'workingDays'] as const)
    (cal[key] ?? []).forEach((entry, i) => {
      const r = entryRange(entry);
      if ('path' in r) errors.push({ path: `/${key}/${i}${r.path}`, message: r.message });
      else if (key === 'holidays') for (const d of entryDates(entry)) holidayAt.set(d, i);
    });
  const week = new Set(cal.workingWeek);
  (cal.workingDays ?? []).forEach((entry, i) => {
    for (const d of entryDates(entry)) {
      const h = holidayAt.get(d);
      if (h !== undefined) {
        errors.push({
          path: `/workingDays/${i}`,
          message: `${d} is also a holiday (/holidays/${h}); a date is either worked or not`,
        });
        break;
      }
      if (week.has(isoWeekday(d))) {
        errors.push({
          path: `/workingDays/${i}`,
          message: `${d} is a working day of workingWeek already; workingDays lists make-up days that would be off`,
        });
        break;
      }
    }
  });

  if (cal.default === true) {
    const others = documents
      .filter(
        (d): d is CalendarDocument =>
          !!d &&
          (d as CalendarDocument).kind === 'calendar' &&
          (d as CalendarDocument).default === true &&
          (d as CalendarDocument).name !== cal.name,
      )
      .map((d) => d.name)
      .sort();
    if (others.length)
      errors.push({
        path: '/default',
        message: `only one calendar may be the default; also marked default: ${others.join(', ')}`,
      });
  }
  return errors;
}
