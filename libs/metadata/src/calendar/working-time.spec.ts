import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { CalendarDocument } from '../kinds/calendar.kind';
import {
  type WorkingCalendar,
  addBusinessTime,
  compileCalendar,
  isWorkingDay,
  isWorkingTime,
  subtractBusinessTime,
} from './working-time';

/** The shipped mainland China calendar: the 2026 holidays are data, and tested as data. */
const cn = compileCalendar(
  parse(
    fs.readFileSync(path.resolve(__dirname, '../../../../metadata/calendars/cn.yaml'), 'utf8'),
  ) as CalendarDocument,
);
/** Beijing wall-clock time (UTC+8, no DST) as an instant. */
const bj = (local: string): Date => new Date(`${local}+08:00`);
const inBj = (d: Date): string =>
  new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('isWorkingDay on the shipped cn calendar (2026)', () => {
  it.each([
    ['2026-03-16', true, 'a Monday'],
    ['2026-03-14', false, 'a Saturday'],
    ['2026-03-15', false, 'a Sunday'],
    ['2026-01-01', false, "New Year's Day (Thursday)"],
    ['2026-01-04', true, 'the New Year make-up Sunday'],
    ['2026-02-14', true, 'the Spring Festival make-up Saturday before'],
    ['2026-02-16', false, 'Spring Festival (Monday)'],
    ['2026-02-23', false, 'the last Spring Festival day (Monday)'],
    ['2026-02-24', true, 'the Tuesday after Spring Festival'],
    ['2026-02-28', true, 'the Spring Festival make-up Saturday after'],
    ['2026-04-06', false, 'Qingming Monday'],
    ['2026-05-05', false, 'Labour Day Tuesday'],
    ['2026-05-09', true, 'the Labour Day make-up Saturday'],
    ['2026-06-19', false, 'Dragon Boat Friday'],
    ['2026-09-20', true, 'the National Day make-up Sunday'],
    ['2026-09-25', false, 'Mid-Autumn Friday'],
    ['2026-10-07', false, 'the last National Day day (Wednesday)'],
    ['2026-10-08', true, 'the Thursday after National Day'],
    ['2026-10-10', true, 'the National Day make-up Saturday'],
  ])('%s is worked: %s (%s)', (date, worked) => {
    expect(isWorkingDay(cn, date)).toBe(worked);
  });

  it("takes an instant's date in the calendar's zone, not UTC", () => {
    // Sunday 23:30 UTC is Monday 07:30 in Beijing
    expect(isWorkingDay(cn, new Date('2026-03-15T23:30:00Z'))).toBe(true);
    // Friday 17:00 UTC is Saturday 01:00 in Beijing
    expect(isWorkingDay(cn, new Date('2026-03-13T17:00:00Z'))).toBe(false);
  });

  it('knows the working periods of a day (not the lunch break, not the evening)', () => {
    expect(isWorkingTime(cn, bj('2026-03-16T09:00'))).toBe(true);
    expect(isWorkingTime(cn, bj('2026-03-16T12:30'))).toBe(false);
    expect(isWorkingTime(cn, bj('2026-03-16T17:59'))).toBe(true);
    expect(isWorkingTime(cn, bj('2026-03-16T18:00'))).toBe(false);
    expect(isWorkingTime(cn, bj('2026-03-14T10:00'))).toBe(false);
  });
});

describe('addBusinessTime on the cn calendar', () => {
  it.each([
    // whole working days keep the working clock
    ['2026-03-13T15:00', 2, 'workingDays', '2026-03-17 15:00', 'across a weekend'],
    ['2026-03-16T10:00', 1, 'workingDays', '2026-03-17 10:00', 'to the next day'],
    ['2026-04-02T10:00', 2, 'workingDays', '2026-04-07 10:00', 'across Qingming (Sat-Mon)'],
    ['2026-02-27T10:00', 1, 'workingDays', '2026-02-28 10:00', 'onto a make-up Saturday'],
    ['2026-02-13T15:00', 1, 'workingDays', '2026-02-14 15:00', 'onto the make-up Saturday'],
    ['2026-02-13T15:00', 2, 'workingDays', '2026-02-24 15:00', 'across Spring Festival'],
    ['2026-09-30T10:00', 1, 'workingDays', '2026-10-08 10:00', 'across National Day'],
    ['2026-09-30T10:00', 3, 'workingDays', '2026-10-10 10:00', 'onto the make-up Saturday'],
    ['2026-09-30T10:00', 4, 'workingDays', '2026-10-12 10:00', 'past it to Monday'],
    // outside working hours: the clock starts at the next working moment
    ['2026-03-13T19:00', 1, 'workingDays', '2026-03-16 18:00', 'from Friday evening'],
    ['2026-03-13T19:00', 2, 'workingDays', '2026-03-17 18:00', 'two from Friday evening'],
    ['2026-03-14T11:00', 1, 'workingDays', '2026-03-16 18:00', 'from a Saturday'],
    ['2026-03-16T07:00', 1, 'workingHours', '2026-03-16 10:00', 'from before 09:00'],
    // working hours skip the lunch break and the night
    ['2026-03-16T11:00', 2, 'workingHours', '2026-03-16 14:00', 'over the lunch break'],
    ['2026-03-16T12:30', 1, 'workingHours', '2026-03-16 14:00', 'from within the lunch break'],
    ['2026-03-16T11:00', 1, 'workingHours', '2026-03-16 12:00', 'ending at lunch, not after it'],
    ['2026-03-16T17:00', 2, 'workingHours', '2026-03-17 10:00', 'over the night'],
    ['2026-03-16T17:00', 1, 'workingHours', '2026-03-16 18:00', 'ending at 18:00, not next day'],
    ['2026-03-13T17:00', 4, 'workingHours', '2026-03-16 12:00', 'over a weekend'],
    ['2026-03-16T10:30', 0.5, 'workingHours', '2026-03-16 11:00', 'half an hour'],
    // hours are elapsed time
    ['2026-03-13T15:00', 48, 'hours', '2026-03-15 15:00', 'plain hours run over a weekend'],
  ] as const)('%s + %d %s = %s (%s)', (start, n, unit, expected, _why) => {
    expect(inBj(addBusinessTime(cn, bj(start), n, unit))).toBe(expected);
  });

  it('returns the start for an amount of 0', () => {
    expect(addBusinessTime(cn, bj('2026-03-14T11:00'), 0, 'workingDays')).toEqual(
      bj('2026-03-14T11:00'),
    );
  });

  it('refuses a negative amount', () => {
    expect(() => addBusinessTime(cn, bj('2026-03-16T10:00'), -1, 'workingHours')).toThrow(
      RangeError,
    );
  });
});

describe('subtractBusinessTime on the cn calendar (reminders before a due time)', () => {
  it.each([
    ['2026-03-17T10:00', 4, 'workingHours', '2026-03-16 15:00', 'back over the night'],
    ['2026-03-16T18:00', 8, 'workingHours', '2026-03-16 09:00', 'a whole day ends at its start'],
    ['2026-03-16T09:00', 1, 'workingHours', '2026-03-13 17:00', 'back over a weekend'],
    ['2026-03-16T14:00', 2, 'workingHours', '2026-03-16 11:00', 'back over the lunch break'],
    ['2026-02-24T15:00', 1, 'workingDays', '2026-02-14 15:00', 'back over Spring Festival'],
    ['2026-03-17T15:00', 2, 'workingDays', '2026-03-13 15:00', 'mirrors addBusinessTime'],
    ['2026-03-16T20:00', 1, 'workingHours', '2026-03-16 17:00', 'from after hours'],
    ['2026-03-16T20:00', 3, 'hours', '2026-03-16 17:00', 'plain hours'],
  ] as const)('%s - %d %s = %s (%s)', (end, n, unit, expected, _why) => {
    expect(inBj(subtractBusinessTime(cn, bj(end), n, unit))).toBe(expected);
  });
});

describe('a calendar with daylight saving time (Europe/Berlin, DST from 2026-03-29)', () => {
  const berlin = compileCalendar({
    kind: 'calendar',
    name: 'de',
    label: { 'zh-CN': '德国', en: 'Germany' },
    timeZone: 'Europe/Berlin',
    workingWeek: [1, 2, 3, 4, 5],
    workingHours: ['09:00-17:00'],
  });
  const always = compileCalendar({
    kind: 'calendar',
    name: 'always',
    label: { 'zh-CN': '全天', en: 'Always' },
    timeZone: 'Europe/Berlin',
    workingWeek: [1, 2, 3, 4, 5, 6, 7],
    workingHours: ['00:00-24:00'],
  });

  it('keeps the wall-clock time of working days across the change (15:00 stays 15:00)', () => {
    // Friday 15:00 CET (UTC+1) + 2 working days = Tuesday 15:00 CEST (UTC+2)
    expect(addBusinessTime(berlin, new Date('2026-03-27T14:00:00Z'), 2, 'workingDays')).toEqual(
      new Date('2026-03-31T13:00:00Z'),
    );
  });

  it('counts elapsed hours as elapsed, so the wall clock shifts by the lost hour', () => {
    expect(addBusinessTime(berlin, new Date('2026-03-27T14:00:00Z'), 72, 'hours')).toEqual(
      new Date('2026-03-30T14:00:00Z'), // Monday 16:00 CEST
    );
  });

  it('counts working hours in real time on the short day', () => {
    // Saturday 12:00 CET + 24 working hours on a 24/7 calendar: Sunday has 23 hours
    expect(addBusinessTime(always, new Date('2026-03-28T11:00:00Z'), 24, 'workingHours')).toEqual(
      new Date('2026-03-29T11:00:00Z'), // Sunday 13:00 CEST
    );
  });

  it('goes back across the change too', () => {
    expect(
      subtractBusinessTime(berlin, new Date('2026-03-31T13:00:00Z'), 2, 'workingDays'),
    ).toEqual(new Date('2026-03-27T14:00:00Z'));
  });
});

describe('without a calendar', () => {
  it('reads working hours as hours and a working day as 24 hours', () => {
    const start = new Date('2026-03-13T07:00:00Z');
    expect(addBusinessTime(null, start, 3, 'workingDays')).toEqual(
      new Date('2026-03-16T07:00:00Z'),
    );
    expect(addBusinessTime(null, start, 5, 'workingHours')).toEqual(
      new Date('2026-03-13T12:00:00Z'),
    );
    expect(subtractBusinessTime(null, start, 1, 'workingDays')).toEqual(
      new Date('2026-03-12T07:00:00Z'),
    );
  });
});

describe('a calendar without working time', () => {
  it('fails instead of looping forever', () => {
    const never: WorkingCalendar = {
      ...cn,
      name: 'never',
      week: new Set(),
      workingDays: new Set(),
    };
    expect(() => addBusinessTime(never, bj('2026-03-16T10:00'), 1, 'workingHours')).toThrow(
      /no working time within a year/,
    );
    expect(() => subtractBusinessTime(never, bj('2026-03-16T10:00'), 1, 'workingDays')).toThrow(
      /no working time within a year/,
    );
  });
});
