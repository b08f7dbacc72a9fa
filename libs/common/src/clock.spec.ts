import { fromDbTimestamp, toDbTimestamp } from './clock';

describe('toDbTimestamp', () => {
  it('writes each instant, also when instants alternate (it keeps the last one)', () => {
    const a = new Date('2026-01-02T03:04:05.006Z');
    const b = new Date('2026-12-31T23:59:59.999Z');
    for (let i = 0; i < 3; i++) {
      expect(toDbTimestamp(a)).toBe('2026-01-02 03:04:05.006');
      expect(toDbTimestamp(new Date(a.getTime()))).toBe('2026-01-02 03:04:05.006');
      expect(toDbTimestamp(b)).toBe('2026-12-31 23:59:59.999');
    }
    expect(fromDbTimestamp(toDbTimestamp(b))).toBe(b.toISOString());
  });

  it('refuses an invalid date, every time', () => {
    for (let i = 0; i < 2; i++) expect(() => toDbTimestamp(new Date('nope'))).toThrow(RangeError);
  });
});
