import type { CrmError } from '@crm/common';
import { type EntityDocument, buildModel } from '@crm/metadata';
import { columnLabel, headerAliases, labelledColumns, optionValue } from './header-labels';
import { cellValue, csvColumns, importHeader, toCsvCells } from './tabular';

const DOC: EntityDocument = {
  kind: 'entity',
  name: 'deal',
  label: { 'zh-CN': '商机', en: 'Deal' },
  displayField: 'title',
  fields: {
    code: { type: 'autoNumber', label: { 'zh-CN': '编号', en: 'Code' }, codeRule: 'SJ-{seq:4}' },
    title: { type: 'text', label: { 'zh-CN': '标题', en: 'Title' } },
    amount: { type: 'currency', label: { 'zh-CN': '金额', en: 'Amount' }, currency: 'CNY' },
    // two fields share a label: neither may be named by it
    note: { type: 'text', label: { 'zh-CN': '备注', en: 'Note' } },
    memo: { type: 'text', label: { 'zh-CN': '备注', en: 'Memo' } },
    // a label that is another field's name
    extra: { type: 'text', label: { 'zh-CN': '附加', en: 'title' } },
    stage: {
      type: 'select',
      label: { 'zh-CN': '阶段', en: 'Stage' },
      options: [
        { value: 'open', label: { 'zh-CN': '进行中', en: 'Open' } },
        { value: 'won', label: { 'zh-CN': '赢单', en: 'Won' } },
        // two options share a label: it names neither
        { value: 'lost', label: { 'zh-CN': '关闭', en: 'Lost' } },
        { value: 'dropped', label: { 'zh-CN': '关闭', en: 'Dropped' } },
      ],
    },
    tags: {
      type: 'multiSelect',
      label: { 'zh-CN': '标签', en: 'Tags' },
      options: [
        { value: 'vip', label: { 'zh-CN': '重要', en: 'VIP' } },
        { value: 'new', label: { 'zh-CN': '新客', en: 'New' } },
      ],
    },
  },
};
const e = buildModel([DOC], 1).entities.get('deal')!;

describe('column headers as labels', () => {
  it('names each column by its label in the locale, system columns included', () => {
    const cols = csvColumns(e, ['id', 'title', 'amount', 'owner', 'createdAt']);
    expect(labelledColumns(e, cols, 'zh-CN').map((c) => c.header)).toEqual([
      'ID',
      '标题',
      '金额',
      '金额（币种）',
      '负责人',
      '创建时间',
    ]);
    expect(labelledColumns(e, cols, 'en').map((c) => c.header)).toEqual([
      'ID',
      'Title',
      'Amount',
      'Amount (currency)',
      'Owner',
      'Created',
    ]);
  });

  it('keeps the field and part of a column, only its header changes', () => {
    const [amount, code] = csvColumns(e, ['amount']);
    expect(labelledColumns(e, [code], 'en')[0]).toEqual({
      header: 'Amount (currency)',
      field: 'amount',
      part: 'currency',
      labels: 'en',
    });
    expect(columnLabel(e, amount, 'zh-CN')).toBe('金额');
  });

  it('maps labels of both languages to field names, leaving out shared labels and names', () => {
    const a = headerAliases(e);
    expect(a.get('标题')).toBe('title');
    expect(a.get('Title')).toBe('title');
    expect(a.get('金额（币种）')).toBe('amount.currency');
    expect(a.get('Amount (currency)')).toBe('amount.currency');
    expect(a.get('负责人')).toBe('owner');
    expect(a.get('Note')).toBe('note');
    expect(a.has('备注')).toBe(false);
    // "title" is a field name: it never means `extra`
    expect(a.has('title')).toBe(false);
  });
});

describe('importHeader with labels', () => {
  it('reads a labelled header like a named one; generated columns are skipped by their label', () => {
    const h = importHeader(e, ['ID', '编号', '标题', 'Amount', '金额（币种）', 'memo', '负责人']);
    expect(h.columns.map((c) => c && `${c.field}${c.part ? `.${c.part}` : ''}`)).toEqual([
      null,
      null,
      'title',
      'amount',
      'amount.currency',
      'memo',
      'owner',
    ]);
    expect(h.ignored).toEqual(['ID', '编号']);
    expect(h.fields.sort()).toEqual(['amount', 'memo', 'owner', 'title']);
  });

  it.each([
    {
      title: 'a label and its field name are the same column',
      header: ['title', '标题'],
      message: 'column "标题" (field "title") appears twice',
    },
    {
      title: 'a shared label is unknown (the file must say which field)',
      header: ['备注'],
      message: 'unknown field "备注" on deal',
    },
  ])('$title', ({ header, message }) => {
    let err: CrmError | undefined;
    try {
      importHeader(e, header);
    } catch (x) {
      err = x as CrmError;
    }
    expect(err?.code).toBe('FIELD_UNKNOWN');
    expect(err?.errors).toEqual([{ path: `/header/${header.length}`, message }]);
  });
});

describe('select options for people', () => {
  const rec = { id: 1, stage: 'won', tags: ['vip', 'new'] };
  it('writes options as labels in a labelled file, as values otherwise', () => {
    const cols = csvColumns(e, ['stage', 'tags']);
    expect(toCsvCells(e, labelledColumns(e, cols, 'zh-CN'), rec)).toEqual(['赢单', '重要;新客']);
    expect(toCsvCells(e, labelledColumns(e, cols, 'en'), rec)).toEqual(['Won', 'VIP;New']);
    expect(toCsvCells(e, cols, rec)).toEqual(['won', 'vip;new']);
  });

  it('reads an option by its value or by its label in either language', () => {
    const stage = e.fields.stage;
    expect(cellValue(stage, '赢单')).toEqual({ value: 'won' });
    expect(cellValue(stage, ' Won ')).toEqual({ value: 'won' });
    expect(cellValue(stage, 'won')).toEqual({ value: 'won' });
    expect(cellValue(e.fields.tags, '重要; New')).toEqual({ value: ['vip', 'new'] });
  });

  it('leaves a shared or unknown label as typed, for validation to name the allowed values', () => {
    expect(optionValue(e.fields.stage, '关闭')).toBe('关闭');
    expect(optionValue(e.fields.stage, 'maybe')).toBe('maybe');
  });
});
