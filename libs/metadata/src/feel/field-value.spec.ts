import { feelToFieldValue } from './builtin-temporal';
import { evaluateFeel } from './evaluate';

/** What a process task writes into a record field from a FEEL header (`approvedAt: =now()`). */
describe('feelToFieldValue', () => {
  const clock = { now: () => new Date('2026-03-15T08:00:00.000Z') };
  const value = (expression: string) =>
    feelToFieldValue(
      evaluateFeel(expression, {}, { clock, timeZone: 'Asia/Shanghai' }),
      'Asia/Shanghai',
    );

  it.each([
    ['now() in the company zone', 'now()', '2026-03-15T08:00:00.000Z'],
    [
      'a date-time with a region zone',
      'date and time("2026-03-15T16:30:00@Asia/Shanghai")',
      '2026-03-15T08:30:00.000Z',
    ],
    [
      'a date-time with an offset',
      'date and time("2026-03-15T16:30:00+02:00")',
      '2026-03-15T14:30:00.000Z',
    ],
    [
      'a zone-less date-time, read in the company zone',
      'date and time("2026-03-15T16:30:00")',
      '2026-03-15T08:30:00.000Z',
    ],
    ['a date', 'today()', '2026-03-15'],
    ['a number, unchanged', '1 + 1', 2],
    ['a string, unchanged', '"approved"', 'approved'],
    ['null, unchanged', 'null', null],
  ])('%s', (_title, expression, expected) => {
    expect(value(expression)).toEqual(expected);
  });
});
