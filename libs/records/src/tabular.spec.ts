import type { CrmError } from '@crm/common';
import { type EntityDocument, buildModel } from '@crm/metadata';
import {
  cellValue,
  csvColumns,
  exportFields,
  importHeader,
  jsonItemToInput,
  rowToInput,
  toCsvCells,
} from './tabular';

const l = { 'zh-CN': 'x', en: 'x' };
const DOC: EntityDocument = {
  kind: 'entity',
  name: 'deal',
  label: l,
  displayField: 'title',
  fields: {
    code: { type: 'autoNumber', label: l, codeRule: 'SJ-{YYYY}-{seq:4}' },
    title: { type: 'text', label: l },
    qty: { type: 'integer', label: l },
    amount: { type: 'currency', label: l, currency: 'CNY' },
    won: { type: 'boolean', label: l },
    close: { type: 'date', label: l },
    channels: { type: 'multiSelect', label: l, options: [] },
    account: { type: 'relation', relation: 'manyToOne', target: 'deal', label: l },
    partners: { type: 'relation', relation: 'manyToMany', target: 'deal', label: l },
    extra: { type: 'json', label: l },
    secret: { type: 'text', label: l },
  },
};
const e = buildModel([DOC], 1).entities.get('deal')!;

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as CrmError).code;
  }
  return 'no error';
};

describe('exportFields', () => {
  const readable = (f: string) => f !== 'secret' && f !== 'createdBy';

  it('lists id, the readable fields, then the readable system fields', () => {
    expect(exportFields(e, undefined, readable)).toEqual([
      'id',
      'code',
      'title',
      'qty',
      'amount',
      'won',
      'close',
      'channels',
      'account',
      'partners',
      'extra',
      'owner',
      'createdAt',
      'updatedAt',
      'updatedBy',
    ]);
  });

  it('takes requested fields (entity or system) after id', () => {
    expect(exportFields(e, ['title', 'owner', 'id'], readable)).toEqual(['id', 'title', 'owner']);
  });

  it.each([['secret'], ['createdBy'], ['nope'], ['__proto__']])(
    'refuses %s like an unknown field',
    (f) => {
      expect(codeOf(() => exportFields(e, ['title', f], readable))).toBe('FIELD_UNKNOWN');
    },
  );
});

describe('toCsvCells', () => {
  it('writes each type in its spreadsheet form', () => {
    const fields = [
      'id',
      'qty',
      'amount',
      'won',
      'close',
      'channels',
      'account',
      'partners',
      'extra',
      'title',
    ];
    const cols = csvColumns(e, fields);
    expect(cols.map((c) => c.header)).toEqual([
      'id',
      'qty',
      'amount',
      'amount.currency',
      'won',
      'close',
      'channels',
      'account',
      'partners',
      'extra',
      'title',
    ]);
    const cells = toCsvCells(e, cols, {
      id: 7,
      qty: -3,
      amount: { amount: 12.5, currency: 'USD' },
      won: false,
      close: '2026-03-15',
      channels: ['web', 'fair'],
      account: 3,
      partners: [1, 2],
      extra: { a: [1] },
      title: null,
    });
    expect(cells).toEqual([
      7,
      -3,
      12.5,
      'USD',
      'false',
      '2026-03-15',
      'web;fair',
      3,
      '1;2',
      '{"a":[1]}',
      null,
    ]);
  });
});

describe('importHeader', () => {
  it('maps fields, skips generated columns and joins the currency part to its field', () => {
    const h = importHeader(e, [
      'id',
      'code',
      'title',
      'amount',
      'amount.currency',
      'owner',
      'createdAt',
    ]);
    expect(h.fields).toEqual(['title', 'amount', 'owner']);
    expect(h.ignored).toEqual(['id', 'code', 'createdAt']);
    expect(h.columns.map((c) => c && `${c.field}${c.part ? `:${c.part}` : ''}`)).toEqual([
      null,
      null,
      'title',
      'amount',
      'amount:currency',
      'owner',
      null,
    ]);
  });

  it('reports every bad column at once with its position', () => {
    let err: CrmError | undefined;
    try {
      importHeader(e, ['title', 'nope', '', 'title', 'qty.currency', 'constructor']);
    } catch (x) {
      err = x as CrmError;
    }
    expect(err?.code).toBe('FIELD_UNKNOWN');
    expect(err?.errors.map((d) => d.path)).toEqual([
      '/header/2',
      '/header/3',
      '/header/4',
      '/header/5',
      '/header/6',
    ]);
  });
});

describe('cellValue', () => {
  it.each([
    ['qty', '42', 42],
    ['qty', ' -1.5e2 ', -150],
    ['qty', 'many', 'many'], // left for validation to name the type
    ['won', 'TRUE', true],
    ['won', '否', false],
    ['won', 'maybe', 'maybe'],
    ['close', '2026/3/5', '2026-03-05'],
    ['close', '2026-03-05', '2026-03-05'],
    ['close', 'someday', 'someday'],
    ['channels', 'web; fair;', ['web', 'fair']],
    ['account', '12', 12],
    ['partners', '1;2', [1, 2]],
    ['extra', '{"a":1}', { a: 1 }],
    ['title', ' keep spaces ', ' keep spaces '],
  ])('%s %j → %j', (field, cell, value) => {
    expect(cellValue(e.fields[field], cell)).toEqual({ value });
  });

  it('reports JSON that does not parse', () => {
    expect(cellValue(e.fields.extra, '{oops')).toEqual({ error: 'is not valid JSON' });
  });
});

describe('rowToInput', () => {
  const header = importHeader(e, ['id', 'title', 'amount', 'amount.currency', 'extra', 'qty']);

  it('builds a create body, leaving empty cells out and restoring guarded text', () => {
    expect(rowToInput(e, header, ['9', "'=1+1", '5', 'USD', '', ''])).toEqual({
      data: { title: '=1+1', amount: { amount: 5, currency: 'USD' } },
      errors: [],
    });
    expect(rowToInput(e, header, ['', 'x', '5'])).toEqual({
      data: { title: 'x', amount: { amount: 5 } },
      errors: [],
    });
  });

  it('points at cells it cannot convert and at rows wider than the header', () => {
    expect(rowToInput(e, header, ['', 'x', '', '', '{', '']).errors).toEqual([
      { path: '/extra', message: 'is not valid JSON' },
    ]);
    expect(rowToInput(e, header, ['1', '2', '3', '4', '5', '6', '7']).errors[0].path).toBe('');
  });
});

describe('jsonItemToInput', () => {
  it('drops what an export carries but a create cannot take', () => {
    expect(
      jsonItemToInput(e, {
        id: 1,
        code: 'SJ-1',
        title: 't',
        owner: 'ann',
        createdAt: 'x',
        version: 2,
        _related: {},
      }),
    ).toEqual({ title: 't', owner: 'ann' });
    expect(jsonItemToInput(e, 'not an object')).toBe('not an object');
  });
});
