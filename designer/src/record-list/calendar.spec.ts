import dayjs from 'dayjs';
import {
  daysOf,
  entriesByDay,
  rangeFilter,
  shiftAnchor,
  startValueFor,
  toEntries,
  visibleRange,
} from './calendar';

// these specs read local time; the runner's zone may be anything, so compare local formats
const fmt = (d: dayjs.Dayjs) => d.format('YYYY-MM-DD HH:mm');

describe('calendar ranges', () => {
  const anchor = dayjs('2026-03-18T15:30:00'); // a Wednesday

  it.each([
    ['day', '2026-03-18 00:00', '2026-03-19 00:00', 1],
    // dayjs's default (en) week starts on Sunday
    ['week', '2026-03-15 00:00', '2026-03-22 00:00', 7],
    // March 1st 2026 is a Sunday: the grid starts on it and holds six weeks
    ['month', '2026-03-01 00:00', '2026-04-12 00:00', 42],
  ] as const)('a %s shows [%s, %s), %i days', (mode, from, to, n) => {
    const r = visibleRange(mode, anchor);
    expect([fmt(r.from), fmt(r.to), daysOf(r).length]).toEqual([from, to, n]);
  });

  it('starts the month grid in the previous month when the 1st is mid-week', () => {
    const r = visibleRange('month', dayjs('2026-04-10T08:00:00')); // April 1st is a Wednesday
    expect(fmt(r.from)).toBe('2026-03-29 00:00');
    expect(daysOf(r).some((d) => d.format('YYYY-MM-DD') === '2026-04-30')).toBe(true);
  });

  it.each([
    ['day', -1, '2026-03-17'],
    ['week', 1, '2026-03-25'],
    ['month', 1, '2026-04-18'],
    ['month', -1, '2026-02-18'],
  ] as const)('moves a %s by %i to %s', (mode, step, day) => {
    expect(shiftAnchor(mode, anchor, step).format('YYYY-MM-DD')).toBe(day);
  });

  it('filters a datetime start by instants and a date start by days', () => {
    const r = visibleRange('day', anchor);
    expect(rangeFilter('startAt', 'datetime', r)).toEqual({
      startAt: { gte: r.from.toISOString(), lt: r.to.toISOString() },
    });
    expect(rangeFilter('due', 'date', r)).toEqual({
      due: { gte: '2026-03-18', lt: '2026-03-19' },
    });
  });
});

describe('calendar entries', () => {
  const local = (s: string) => dayjs(s).toISOString();
  const records = [
    { id: 1, s: local('2026-03-18T14:00:00'), e: local('2026-03-18T15:00:00') },
    { id: 2, s: local('2026-03-18T09:00:00'), e: null },
    { id: 3, s: local('2026-03-19T23:00:00'), e: local('2026-03-20T01:00:00') },
    { id: 4, s: null, e: null },
    { id: 5, s: local('2026-03-21T10:00:00'), e: local('2026-03-21T09:00:00') },
    { id: 6, s: local('2026-03-16T10:00:00'), e: local('2026-03-17T00:00:00') },
  ];
  const entries = toEntries(records, 's', 'e', 'datetime');

  it('orders entries by start, leaves out records without one, never ends before the start', () => {
    expect(entries.map((x) => x.record.id)).toEqual([6, 2, 1, 3, 5]);
    const five = entries.find((x) => x.record.id === 5)!;
    expect(five.end.valueOf()).toBe(five.start.valueOf());
    expect(entries.every((x) => x.timed)).toBe(true);
  });

  it('puts an entry on each day it spans, clipped to the range; midnight ends the day before', () => {
    const byDay = entriesByDay(entries, visibleRange('week', dayjs('2026-03-18T00:00:00')));
    const ids = (k: string) => (byDay.get(k) ?? []).map((x) => x.record.id);
    expect(ids('2026-03-16')).toEqual([6]);
    expect(ids('2026-03-17')).toEqual([]);
    expect(ids('2026-03-18')).toEqual([2, 1]);
    expect(ids('2026-03-19')).toEqual([3]);
    expect(ids('2026-03-20')).toEqual([3]);
    expect(ids('2026-03-21')).toEqual([5]);
    const day = entriesByDay(entries, visibleRange('day', dayjs('2026-03-20T12:00:00')));
    expect([...day.keys()]).toEqual(['2026-03-20']);
  });

  it('reads date starts as all-day entries', () => {
    const [e] = toEntries([{ due: '2026-03-18' }], 'due', undefined, 'date');
    expect([e.timed, e.start.format('YYYY-MM-DD')]).toEqual([false, '2026-03-18']);
  });

  it('prefills a new record: the day for a date, 09:00 local for a datetime', () => {
    const d = dayjs('2026-03-18T15:00:00');
    expect(startValueFor(d, 'date')).toBe('2026-03-18');
    expect(fmt(dayjs(startValueFor(d, 'datetime')))).toBe('2026-03-18 09:00');
  });
});
