import { decimalFits } from './record-validator';

describe('decimalFits', () => {
  const money = { precision: 18, scale: 2 };
  it.each([
    [1234.5, true],
    [-0.01, true],
    [123456789.12, true],
    [0.001, false], // three decimals
    [1e16, false], // 17 integer digits
    [1e21, false], // written as "1e+21" by toFixed: must not slip through
    [1e308, false],
    [Number.POSITIVE_INFINITY, false],
  ])('%p fits decimal(18,2): %p', (value, fits) => {
    expect(decimalFits(value, money)).toBe(fits);
  });
});
