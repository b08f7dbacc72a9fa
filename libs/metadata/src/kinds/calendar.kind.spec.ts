import type { ErrorDetail } from '@crm/common';
import type { MetadataDocument, SourcedDocument } from '../types';
import { validateDocuments } from '../validate';
import type { CalendarDocument } from './calendar.kind';

const cal = (over: Partial<CalendarDocument> & Record<string, unknown> = {}): CalendarDocument => ({
  kind: 'calendar',
  name: 'cn',
  label: { 'zh-CN': '中国', en: 'China' },
  default: true,
  timeZone: 'Asia/Shanghai',
  workingWeek: [1, 2, 3, 4, 5],
  workingHours: ['09:00-12:00', '13:00-18:00'],
  holidays: ['2026-01-01', { from: '2026-02-15', to: '2026-02-23', name: '春节' }],
  workingDays: [{ date: '2026-02-14', name: { 'zh-CN': '调休', en: 'Make-up day' } }],
  ...over,
});

const sourced = (...docs: unknown[]): SourcedDocument[] =>
  docs.map((doc, i) => ({ doc: doc as MetadataDocument, files: [`calendars/${i}.yaml`] }));
const errorsOf = (...docs: unknown[]): Array<Pick<ErrorDetail, 'path' | 'message'>> =>
  validateDocuments(sourced(...docs)).map(({ path, message }) => ({ path, message }));

describe('calendar documents', () => {
  it('accepts a full calendar: dates, ranges, names as text or zh-CN/en', () => {
    expect(errorsOf(cal())).toEqual([]);
  });

  it('accepts a minimal one (no holidays, not default)', () => {
    const { holidays: _h, workingDays: _w, default: _d, ...minimal } = cal();
    expect(errorsOf(minimal)).toEqual([]);
  });

  it.each([
    { title: 'no time zone', over: { timeZone: undefined }, path: '/timeZone', msg: 'required' },
    { title: 'unknown zone', over: { timeZone: 'Asia/Beijing' }, path: '/timeZone', msg: 'IANA' },
    { title: 'no label', over: { label: undefined }, path: '/label', msg: 'required' },
    { title: 'weekday 0', over: { workingWeek: [0, 1] }, path: '/workingWeek/0', msg: '>= 1' },
    { title: 'weekday 8', over: { workingWeek: [1, 8] }, path: '/workingWeek/1', msg: '<= 7' },
    { title: 'repeated weekday', over: { workingWeek: [1, 1] }, path: '/workingWeek', msg: 'dup' },
    { title: 'empty week', over: { workingWeek: [] }, path: '/workingWeek', msg: 'fewer than 1' },
    { title: 'no hours', over: { workingHours: [] }, path: '/workingHours', msg: 'fewer' },
    {
      title: 'a period without minutes',
      over: { workingHours: ['9-12'] },
      path: '/workingHours/0',
      msg: 'HH:mm-HH:mm',
    },
    {
      title: 'hour 25',
      over: { workingHours: ['09:00-25:00'] },
      path: '/workingHours/0',
      msg: 'not a time of day',
    },
    {
      title: 'a period ending before it starts',
      over: { workingHours: ['13:00-12:00'] },
      path: '/workingHours/0',
      msg: 'ends before it starts',
    },
    {
      title: 'overlapping periods',
      over: { workingHours: ['09:00-12:30', '12:00-18:00'] },
      path: '/workingHours/1',
      msg: 'overlaps "09:00-12:30"',
    },
    {
      title: 'periods out of order',
      over: { workingHours: ['13:00-18:00', '09:00-12:00'] },
      path: '/workingHours/1',
      msg: 'not in order',
    },
    {
      title: 'not a real date',
      over: { holidays: ['2026-02-30'] },
      path: '/holidays/0',
      msg: 'not a real date',
    },
    {
      title: 'a date in another notation',
      over: { holidays: ['2026/05/01'] },
      path: '/holidays/0',
      msg: 'must match pattern',
    },
    {
      title: 'a range ending before it starts',
      over: { holidays: [{ from: '2026-05-05', to: '2026-05-01' }] },
      path: '/holidays/0/to',
      msg: 'is before from',
    },
    {
      title: 'a range of two years',
      over: { holidays: [{ from: '2026-01-01', to: '2027-12-31' }] },
      path: '/holidays/0/to',
      msg: 'at most 366',
    },
    {
      title: 'date and a range at once',
      over: { holidays: [{ date: '2026-05-01', from: '2026-05-01', to: '2026-05-02' }] },
      path: '/holidays/0',
      msg: 'either date, or from and to',
    },
    {
      title: 'a range without its end',
      over: { holidays: [{ from: '2026-05-01' }] },
      path: '/holidays/0/to',
      msg: 'required with a range',
    },
    {
      title: 'an unknown key in an entry',
      over: { workingDays: [{ day: '2026-02-14' }] },
      path: '/workingDays/0/day',
      msg: 'not an allowed property',
    },
    {
      title: 'a make-up day that is also a holiday',
      over: { workingDays: ['2026-02-16'] },
      path: '/workingDays/0',
      msg: '2026-02-16 is also a holiday (/holidays/1)',
    },
    {
      title: 'a make-up day on a weekday already worked',
      over: { workingDays: ['2026-03-16'] },
      path: '/workingDays/0',
      msg: 'is a working day of workingWeek already',
    },
    {
      title: 'a name that is neither text nor zh-CN/en',
      over: { holidays: [{ date: '2026-05-01', name: 5 }] },
      path: '/holidays/0/name',
      msg: 'must be string,object',
    },
    {
      title: 'an unknown key',
      over: { weekends: [6, 7] },
      path: '/weekends',
      msg: 'not an allowed property',
    },
  ])('refuses $title at $path', ({ over, path, msg }) => {
    const doc = { ...cal(), ...over } as Record<string, unknown>;
    for (const [k, v] of Object.entries(over)) if (v === undefined) delete doc[k];
    const errors = errorsOf(doc);
    expect(errors).toContainEqual({ path, message: expect.stringContaining(msg) });
  });

  it('allows at most one default calendar across the set, pointing at /default of each', () => {
    const errors = validateDocuments(
      sourced(
        cal(),
        cal({ name: 'hk', timeZone: 'Asia/Hong_Kong' }),
        cal({ name: 'us', default: false }),
      ),
    );
    expect(errors.map((e) => [e.document, e.path, e.message])).toEqual([
      ['calendar/cn', '/default', 'only one calendar may be the default; also marked default: hk'],
      ['calendar/hk', '/default', 'only one calendar may be the default; also marked default: cn'],
    ]);
  });

  it('names the document and file of every error', () => {
    const [e] = validateDocuments(sourced(cal({ timeZone: 'Mars/Olympus' })));
    expect(e).toMatchObject({
      document: 'calendar/cn',
      file: 'calendars/0.yaml',
      path: '/timeZone',
    });
  });
});
