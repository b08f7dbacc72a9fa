import { type EntityDocument, buildModel } from '@crm/metadata';
import { summarize, summaryFieldsOf } from './record-summary';

const l = { 'zh-CN': 'x', en: 'x' };
const QUOTE: EntityDocument = {
  kind: 'entity',
  name: 'quote',
  label: l,
  displayField: 'subject',
  fields: {
    notes: { type: 'longText', label: l },
    customer: { type: 'relation', relation: 'manyToOne', target: 'quote', label: l },
    subject: { type: 'text', label: l },
    total: { type: 'currency', label: l, currency: 'CNY' },
    discount: { type: 'percent', label: l },
    extra: { type: 'json', label: l },
    valid: { type: 'boolean', label: l },
    status: { type: 'select', label: l, options: [{ value: 'draft', label: l }] },
  },
};
const quote = buildModel([QUOTE], 1).entities.get('quote')!;
const row = {
  id: 4,
  subject: 'Q-4 for Acme',
  total: '1200.50',
  total_currency: 'USD',
  discount: '12.5',
  valid: 1,
};

describe('record summaries', () => {
  it('show the display field and the first three fields a line can show', () => {
    // long text, relations and JSON belong on the record page
    expect(summaryFieldsOf(quote)).toEqual({
      display: 'subject',
      fields: ['total', 'discount', 'valid'],
    });
  });

  it('convert values as the records API does', () => {
    expect(summarize(quote, 4, row, () => true)).toEqual({
      entity: 'quote',
      id: 4,
      display: 'Q-4 for Acme',
      fields: { total: { amount: 1200.5, currency: 'USD' }, discount: 12.5, valid: true },
    });
  });

  it('leave out what the caller may not read, the display field included', () => {
    const hidden = new Set(['subject', 'total']);
    expect(summarize(quote, 4, row, (_e, f) => !hidden.has(f))).toEqual({
      entity: 'quote',
      id: 4,
      display: null,
      fields: { discount: 12.5, valid: true },
    });
  });

  it('show only the reference of a record that is gone', () => {
    expect(summarize(quote, 5, undefined, () => true)).toEqual({
      entity: 'quote',
      id: 5,
      display: null,
      fields: {},
    });
  });
});
