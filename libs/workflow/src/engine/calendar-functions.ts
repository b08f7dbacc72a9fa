import type { FeelFunction } from '@crm/metadata';
import { isIsoDate, isWorkingDay, resolveCalendar } from '@crm/metadata';

const feelFn = (params: string[], impl: (...args: unknown[]) => unknown): FeelFunction =>
  Object.assign((...args: unknown[]) => impl(...args), { $args: params });

/**
 * FEEL functions over the business calendars (`calendar` documents, metadata/README.md
 * "Calendars"), callable from every engine expression — gateway conditions above all:
 *
 *   is working day(date)              on the default calendar (the shipped `cn`)
 *   is working day(date, "cn")        on the named calendar
 *
 * A date is a FEEL date, a date-time (its date part) or an ISO `YYYY-MM-DD` string. A calendar
 * that does not exist, or a value that is no date, gives null, as FEEL does for a function given
 * what it cannot use; a gateway condition that is null takes no flow (an incident, or the default
 * flow), so a typo never passes for "not a working day" silently.
 */
export function calendarFunctions(
  documents: () => readonly { kind: string }[],
): Record<string, FeelFunction> {
  return {
    'is working day': feelFn(['date', 'calendar'], (date, calendar) => {
      const day = isoDateOf(date);
      if (!day) return null;
      const name = typeof calendar === 'string' && calendar ? calendar : null;
      if (calendar !== null && calendar !== undefined && name === null) return null;
      const cal = resolveCalendar(documents(), name);
      // no calendar at all (none marked default): Monday to Friday
      if (cal === null) return new Date(`${day}T00:00:00Z`).getUTCDay() % 6 !== 0;
      if (cal === undefined) return null;
      return isWorkingDay(cal, day);
    }),
  };
}

/** The names deploy accepts as known FEEL functions (validate-bpmn.ts). */
export const CALENDAR_FUNCTION_NAMES: readonly string[] = Object.keys(calendarFunctions(() => []));

/** `YYYY-MM-DD` of a FEEL date / date-time (feelin's values print ISO) or of an ISO string. */
export function isoDateOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const text =
    typeof v === 'string'
      ? v
      : typeof (v as { toISODate?: unknown }).toISODate === 'function'
        ? String((v as { toISODate: () => string }).toISODate())
        : String(v);
  const day = text.slice(0, 10);
  return isIsoDate(day) ? day : null;
}
