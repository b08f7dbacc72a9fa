import type { EntityDocument } from '../types';
import { columnClashErrors, inlineBytes, rowBytes, tableLimitErrors } from './limits';

const l = { 'zh-CN': 'x', en: 'x' };
const entity = (fields: Record<string, unknown>): EntityDocument =>
  ({ kind: 'entity', name: 'e', label: l, displayField: 'a', fields }) as EntityDocument;
const texts = (count: number, length: number) =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`t${i}`, { type: 'text', length, label: l }]),
  );

describe('dialect limits', () => {
  it('counts bytes as MySQL does for utf8mb4 (4 a character, 1–2 length bytes)', () => {
    expect(rowBytes({ base: 'varchar', length: 63 })).toBe(253);
    expect(rowBytes({ base: 'varchar', length: 255 })).toBe(1022);
    expect(rowBytes({ base: 'decimal', precision: 18, scale: 2 })).toBe(9);
    expect(rowBytes({ base: 'longtext' })).toBe(12);
    // longer than 255 bytes may move off the page: a 20-byte pointer and its length stay
    expect(inlineBytes({ base: 'varchar', length: 64 })).toBe(22);
    expect(inlineBytes({ base: 'varchar', length: 63 })).toBe(253);
  });

  it.each([
    ['iD', 'id'],
    ['oWner', 'owner'],
    ['CREATED_AT', 'created_at'],
  ])('refuses a field %s: the system column %s', (name, column) => {
    expect(
      columnClashErrors(
        entity({ a: { type: 'text', label: l }, [name]: { type: 'text', label: l } }),
      ),
    ).toEqual([
      expect.objectContaining({
        path: `/fields/${name}`,
        message: expect.stringContaining(`the system column "${column}"`),
      }),
    ]);
  });

  it('refuses two fields one column apart only in case, and a currency code column clash', () => {
    const errors = columnClashErrors(
      entity({
        a: { type: 'text', label: l },
        A: { type: 'text', label: l },
        price: { type: 'currency', label: l },
        price_Currency: { type: 'text', label: l },
      }),
    );
    expect(errors.map((e) => e.path)).toEqual(['/fields/A', '/fields/price_Currency']);
  });

  it.each([
    // measured on MariaDB 10.11: what it accepts passes, what it refuses is refused
    // (an entity's table also has its system columns: about 800 bytes)
    ['63 × text(255)', 63, 255, 'mysql', []],
    ['70 × text(255)', 70, 255, 'mysql', ['rowSize']],
    ['150 × text(10)', 150, 10, 'mysql', []],
    ['200 × text(10)', 200, 10, 'mysql', ['rowSize']],
    ['200 × text(100)', 200, 100, 'mysql', ['rowSize']],
    ['200 × text(100) on SQLite', 200, 100, 'sqlite', []],
    ['2,000 × text on SQLite', 2000, 10, 'sqlite', ['columnCount']],
    ['1,010 × text on MySQL', 1010, 10, 'mysql', ['columnCount']],
  ])('%s', (_name, count, length, dialect, reasons) => {
    const e = entity(texts(count as number, length as number));
    expect(tableLimitErrors(e, dialect as 'mysql').map((x) => x.reason)).toEqual(reasons);
  });
});
