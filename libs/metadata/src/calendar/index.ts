import type { CalendarDocument } from '../kinds/calendar.kind';
import { type WorkingCalendar, compileCalendar } from './working-time';

export * from './days';
export * from './hours';
export * from './working-time';
export * from './zoned-date';

const compiled = new WeakMap<CalendarDocument, WorkingCalendar>();

/**
 * The calendar a deadline runs on: the one named, else the one marked `default: true`, else null
 * (plain hours). `undefined` when a name was given and no calendar has it. Compiled once per
 * document object (a metadata apply brings new objects).
 */
export function resolveCalendar(
  documents: readonly { kind: string }[],
  name?: string | null,
): WorkingCalendar | null | undefined {
  const calendars = documents.filter((d): d is CalendarDocument => d.kind === 'calendar');
  const doc = name ? calendars.find((c) => c.name === name) : calendars.find((c) => c.default);
  if (!doc) return name ? undefined : null;
  let cal = compiled.get(doc);
  if (!cal) {
    cal = compileCalendar(doc);
    compiled.set(doc, cal);
  }
  return cal;
}
