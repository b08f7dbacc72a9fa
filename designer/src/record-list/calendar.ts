import dayjs, { type Dayjs } from 'dayjs';

/** The calendar's three scales. */
export type CalendarMode = 'month' | 'week' | 'day';

/** A half-open range [from, to) of local time. */
export interface DateRange {
  from: Dayjs;
  to: Dayjs;
}

/**
 * What a calendar shows around a day, in local time. The month is antd's grid: six weeks from
 * the start of the week holding the 1st (the week start follows the dayjs locale, as antd's
 * does: Monday in zh-CN, Sunday in en), so days of the neighbouring months are read too.
 */
export function visibleRange(mode: CalendarMode, anchor: Dayjs): DateRange {
  if (mode === 'day') {
    const from = anchor.startOf('day');
    return { from, to: from.add(1, 'day') };
  }
  if (mode === 'week') {
    const from = anchor.startOf('week');
    return { from, to: from.add(7, 'day') };
  }
  const from = anchor.startOf('month').startOf('week');
  return { from, to: from.add(42, 'day') };
}

/** The anchor one step back (-1) or forward (+1) at the mode's scale. */
export function shiftAnchor(mode: CalendarMode, anchor: Dayjs, step: -1 | 1): Dayjs {
  return anchor.add(step, mode);
}

/** The days of a range (local), one per calendar column or cell. */
export function daysOf(range: DateRange): Dayjs[] {
  const days: Dayjs[] = [];
  for (let d = range.from; d.isBefore(range.to); d = d.add(1, 'day')) days.push(d);
  return days;
}

/**
 * The records API filter for a range on the start field: a date field compares calendar days
 * (YYYY-MM-DD), a datetime field instants (ISO in UTC, so the user's local midnight is exact).
 */
export function rangeFilter(
  field: string,
  type: string,
  range: DateRange,
): Record<string, { gte: string; lt: string }> {
  const at = (d: Dayjs) => (type === 'date' ? d.format('YYYY-MM-DD') : d.toISOString());
  return { [field]: { gte: at(range.from), lt: at(range.to) } };
}

/** A record placed on the calendar: where it starts and ends (local), its title. */
export interface CalendarEntry<R> {
  record: R;
  start: Dayjs;
  end: Dayjs;
  /** It has a time of day (a datetime start): shown by its time, else as an all-day entry. */
  timed: boolean;
}

/**
 * Entries from records: the start (a record without one is left out), the end when it is after
 * the start, else the start itself. Ordered by start so each day lists them by time.
 */
export function toEntries<R extends Record<string, unknown>>(
  records: readonly R[],
  start: string,
  end: string | undefined,
  startType: string,
): CalendarEntry<R>[] {
  const out: CalendarEntry<R>[] = [];
  for (const record of records) {
    const s = record[start];
    if (typeof s !== 'string' || !s) continue;
    const from = dayjs(s);
    if (!from.isValid()) continue;
    const e = end ? record[end] : undefined;
    const to = typeof e === 'string' && dayjs(e).isValid() ? dayjs(e) : from;
    out.push({
      record,
      start: from,
      end: to.isBefore(from) ? from : to,
      timed: startType !== 'date',
    });
  }
  return out.sort((a, b) => a.start.valueOf() - b.start.valueOf());
}

/** The key of a local day (YYYY-MM-DD). */
export const dayKey = (d: Dayjs): string => d.format('YYYY-MM-DD');

/**
 * The entries of each day of a range: an entry shows on every day from its start to its end
 * (a meeting over midnight shows on both days), clipped to the range.
 */
export function entriesByDay<R>(
  entries: readonly CalendarEntry<R>[],
  range: DateRange,
): Map<string, CalendarEntry<R>[]> {
  const byDay = new Map<string, CalendarEntry<R>[]>();
  for (const e of entries) {
    let d = e.start.isBefore(range.from) ? range.from : e.start.startOf('day');
    // an end at exactly midnight closes the day before (10:00–00:00 is one day)
    const last =
      e.end.isAfter(e.start) && e.end.isSame(e.end.startOf('day'))
        ? e.end.subtract(1, 'ms')
        : e.end;
    for (; !d.isAfter(last) && d.isBefore(range.to); d = d.add(1, 'day')) {
      const k = dayKey(d);
      const list = byDay.get(k) ?? [];
      list.push(e);
      byDay.set(k, list);
    }
  }
  return byDay;
}

/**
 * The value a "new" on a day prefills in the start field: the day for a date field, 09:00 local
 * on that day for a datetime (as an ISO instant, what the form's date-time widget reads).
 */
export function startValueFor(day: Dayjs, type: string): string {
  return type === 'date' ? day.format('YYYY-MM-DD') : day.startOf('day').hour(9).toISOString();
}
