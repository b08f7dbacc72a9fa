import ExcelJS from 'exceljs';
import { XlsxError, assertZipExpandsWithin, cellText, parseXlsx } from './xlsx';

const workbook = async (rows: unknown[][]): Promise<Buffer> => {
  const book = new ExcelJS.Workbook();
  book.addWorksheet('s').addRows(rows);
  return Buffer.from(await book.xlsx.writeBuffer());
};

describe('xlsx cells as CSV text', () => {
  it.each<[string, ExcelJS.CellValue, string]>([
    ['empty', null, ''],
    ['text', '上海', '上海'],
    ['a number', 12.5, '12.5'],
    ['a boolean', true, 'true'],
    ['a whole-day date', new Date(Date.UTC(2026, 2, 5)), '2026-03-05'],
    ['a date with a time', new Date(Date.UTC(2026, 2, 5, 8, 30)), '2026-03-05T08:30:00.000Z'],
    ['rich text', { richText: [{ text: 'a' }, { text: 'b' }] }, 'ab'],
    ['a formula: its cached result', { formula: 'A1*2', result: 42 }, '42'],
    ['a hyperlink: its text', { text: '官网', hyperlink: 'https://example.com' }, '官网'],
    ['an error', { error: '#DIV/0!' } as ExcelJS.CellErrorValue, '#DIV/0!'],
  ])('%s', (_name, value, text) => {
    expect(cellText(value)).toBe(text);
  });
});

describe('reading a workbook', () => {
  it('gives the first sheet as rows of text, trailing empty rows and cells dropped', async () => {
    const rows = await parseXlsx(
      await workbook([['title', 'n'], ['a', 1], [], ['c', null, null]]),
      10_000_000,
    );
    expect(rows).toEqual([['title', 'n'], ['a', '1'], [], ['c']]);
  });

  it('refuses a workbook that would inflate past the limit, before inflating it', async () => {
    const bytes = await workbook([['x'.repeat(5000)], ['y'.repeat(5000)]]);
    expect(() => assertZipExpandsWithin(bytes, 1000)).toThrow(/expands to more than/);
    expect(() => assertZipExpandsWithin(bytes, 10_000_000)).not.toThrow();
  });

  it.each([
    ['not a zip at all', Buffer.from('title\nx\n')],
    ['a zip cut short', Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)])],
  ])('%s is an XlsxError, not a crash', async (_name, bytes) => {
    await expect(parseXlsx(bytes, 10_000_000)).rejects.toBeInstanceOf(XlsxError);
  });
});
