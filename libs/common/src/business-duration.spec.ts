import { parseBusinessDuration } from './business-duration';

describe('parseBusinessDuration', () => {
  it.each([
    ['2 workingDays', { amount: 2, unit: 'workingDays' }],
    ['1 workingDay', { amount: 1, unit: 'workingDays' }],
    ['4 workingHours', { amount: 4, unit: 'workingHours' }],
    ['1.5 hours', { amount: 1.5, unit: 'hours' }],
    [' 1 hour ', { amount: 1, unit: 'hours' }],
    ['24hours', { amount: 24, unit: 'hours' }],
  ])('reads "%s"', (raw, expected) => {
    expect(parseBusinessDuration(raw)).toEqual(expected);
  });

  it.each([
    ['2 days', 'is not <n> hours | <n> workingHours | <n> workingDays'],
    ['PT2H', 'is not <n> hours'],
    ['two workingDays', 'is not <n> hours'],
    ['-1 hours', 'is not <n> hours'],
    ['0 workingDays', 'the amount must be above 0'],
    ['10001 hours', 'at most 10000'],
    ['', 'is not <n> hours'],
  ])('refuses "%s"', (raw, message) => {
    const r = parseBusinessDuration(raw);
    expect('message' in r && r.message).toContain(message);
  });
});
