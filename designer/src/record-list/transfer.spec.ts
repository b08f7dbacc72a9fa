import type { FieldInfo } from '../entities/model';
import {
  bulkEditableFields,
  bulkReport,
  bulkValue,
  csvLine,
  exportFileName,
  failedIds,
  importReport,
  reportCsv,
  templateCsv,
  templateFields,
} from './transfer';

const field = (name: string, over: Partial<FieldInfo> = {}): FieldInfo => ({
  name,
  type: 'text',
  label: { 'zh-CN': name, en: name },
  required: false,
  readOnly: false,
  system: false,
  ...over,
});
const LABELS: Record<string, string> = { name: '客户名称', status: '客户状态' };
const labelOf = (f: string) => LABELS[f];

describe('exportFileName', () => {
  it.each([
    { label: '客户', ext: 'xlsx', want: '客户-20260305.xlsx' },
    { label: 'Price list / lines', ext: 'csv', want: 'Price_list_lines-20260305.csv' },
    { label: ' :*? ', ext: 'csv', want: 'export-20260305.csv' },
  ])('$label → $want', ({ label, ext, want }) => {
    expect(exportFileName(label, ext, new Date(2026, 2, 5, 23, 59))).toBe(want);
  });
});

describe('importReport', () => {
  it('reads row pointers as spreadsheet rows (the header is row 1) and fields as labels', () => {
    expect(
      importReport(
        [
          { path: '/rows/1/name', message: 'is required' },
          { path: '/rows/3/status', message: 'must be one of prospect, active' },
          { path: '/rows/4/amount/currency', message: 'bad code' },
          { path: '/rows/5', message: 'has 9 cells but the header has 3 columns' },
          { path: '/header/2', message: 'unknown field "x" on customer' },
          { path: '/file', message: 'not an Excel workbook' },
          { path: 'customer/new', message: 'may not create', field: 'status' },
        ],
        labelOf,
      ),
    ).toEqual([
      { at: 2, field: '客户名称', message: 'is required' },
      { at: 4, field: '客户状态', message: 'must be one of prospect, active' },
      { at: 5, field: 'amount/currency', message: 'bad code' },
      { at: 6, field: '', message: 'has 9 cells but the header has 3 columns' },
      { at: 1, field: '', message: 'unknown field "x" on customer' },
      { at: null, field: '', message: 'not an Excel workbook' },
      { at: null, field: '客户状态', message: 'may not create' },
    ]);
  });

  it('words each error through wordOf, told the field it is about', () => {
    const seen: Array<[string | undefined, string | undefined]> = [];
    const report = importReport(
      [
        { path: '/rows/2/status', message: 'must be one of', reason: 'enum' },
        { path: '/file', message: 'not an Excel workbook' },
      ],
      labelOf,
      (e, f) => {
        seen.push([e.reason, f]);
        return e.reason === 'enum' ? '必须是以下之一: 潜在客户、成交客户' : (e.message ?? '');
      },
    );
    expect(report.map((r) => r.message)).toEqual([
      '必须是以下之一: 潜在客户、成交客户',
      'not an Excel workbook',
    ]);
    expect(seen).toEqual([
      ['enum', 'status'],
      [undefined, undefined],
    ]);
  });
});

describe('bulkReport', () => {
  it('names the record by the index of what was sent, a field or none for a denial', () => {
    const report = bulkReport(
      [
        { path: '/records/1/version', message: 'version 3 is stale' },
        { path: '/records/0/status', message: 'must be one of …' },
        { path: '/records/2/customer/9', message: 'no rule allows update' },
        { path: '/records', message: 'must be a list' },
        { path: '/records/0/id', message: 'not found' },
      ],
      [7, 8, 9],
      labelOf,
    );
    expect(report).toEqual([
      { at: 8, field: '', message: 'version 3 is stale' },
      { at: 7, field: '客户状态', message: 'must be one of …' },
      { at: 9, field: '', message: 'no rule allows update' },
      { at: null, field: '', message: 'must be a list' },
      { at: 7, field: '', message: 'not found' },
    ]);
    expect(failedIds(report)).toEqual([8, 7, 9]);
  });
});

describe('CSV files written in the browser', () => {
  it('quotes like RFC 4180 and defuses formulas', () => {
    expect(csvLine(['a,b', 'say "hi"', '=1+1', 3, null])).toBe('"a,b","say ""hi""",\'=1+1,3,\r\n');
  });

  it('an error report has a BOM, the header and a line per error', () => {
    expect(
      reportCsv(
        [
          { at: 3, field: '客户状态', message: 'bad, really' },
          { at: null, field: '', message: 'x' },
        ],
        ['行', '字段', '原因'],
      ),
    ).toBe('\uFEFF行,字段,原因\r\n3,客户状态,"bad, really"\r\n,,x\r\n');
  });

  it('a template is the header row only', () => {
    expect(templateCsv(['客户名称', '客户状态'])).toBe('\uFEFF客户名称,客户状态\r\n');
  });
});

describe('which fields', () => {
  const fields = [
    field('name'),
    field('code', { type: 'autoNumber', readOnly: true }),
    field('points', { type: 'integer', readOnly: true }),
    field('owner', { type: 'system', system: true }),
    field('creditLimit', { type: 'currency' }),
    field('groups', { type: 'relation', relation: { kind: 'manyToMany', target: 'g' } }),
    field('parent', { type: 'relation', relation: { kind: 'manyToOne', target: 'customer' } }),
    field('logo', { type: 'file' }),
  ];
  const names = (fs: FieldInfo[]) => fs.map((f) => f.name);

  it('a template offers what the user may create with, nothing generated', () => {
    expect(names(templateFields(fields, (f) => f !== 'creditLimit'))).toEqual([
      'name',
      'groups',
      'parent',
      'logo',
    ]);
  });

  it('bulk edit offers single-value fields the user may update', () => {
    expect(names(bulkEditableFields(fields, (f) => f !== 'name'))).toEqual([
      'creditLimit',
      'parent',
    ]);
  });

  it('an empty value clears the field; a currency amount gets its code', () => {
    expect(bulkValue(fields[0], '')).toBeNull();
    expect(bulkValue(fields[0], [])).toBeNull();
    expect(bulkValue(field('a', { type: 'currency', currency: 'USD' }), 5)).toEqual({
      amount: 5,
      currency: 'USD',
    });
    expect(bulkValue(field('a', { type: 'currency' }), 5)).toEqual({ amount: 5, currency: 'CNY' });
    expect(bulkValue(fields[0], 'x')).toBe('x');
  });
});
