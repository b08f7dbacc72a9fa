import type { EntitySchema } from '../entities/model';
import {
  type FormDoc,
  bodyOf,
  errorSchemaOf,
  formOf,
  formValuesOf,
  hasErrors,
  layoutOf,
} from './formSchema';

const l = (en: string) => ({ 'zh-CN': `${en}-zh`, en });
const schema: EntitySchema = {
  'x-entity': 'quote',
  'x-label': l('Quote'),
  'x-display-field': 'code',
  required: ['name', 'customer'],
  properties: {
    id: { type: 'integer', readOnly: true, 'x-system': true },
    code: { type: 'string', readOnly: true, 'x-field-type': 'autoNumber', 'x-label': l('Code') },
    name: {
      type: 'string',
      maxLength: 200,
      'x-field-type': 'text',
      'x-label': l('Name'),
      description: 'The name',
    },
    customer: {
      type: 'integer',
      'x-field-type': 'relation',
      'x-label': l('Customer'),
      'x-relation': { kind: 'manyToOne', target: 'customer' },
    },
    total: {
      type: ['object', 'null'],
      'x-field-type': 'currency',
      'x-label': l('Total'),
      properties: {
        amount: { type: 'number', minimum: 0 },
        currency: { type: 'string', default: 'CNY' },
      },
    },
    status: {
      type: ['string', 'null'],
      enum: ['draft', 'approved', null],
      'x-field-type': 'select',
      'x-label': l('Status'),
      'x-options': [
        { value: 'draft', label: l('Draft') },
        { value: 'approved', label: l('Approved') },
      ],
    },
    secret: { type: ['string', 'null'], 'x-field-type': 'text', 'x-label': l('Secret') },
    owner: { type: ['string', 'null'], 'x-system': true },
  },
};
const zh = (t: { 'zh-CN': string }) => t['zh-CN'];

describe('formOf', () => {
  const f = formOf(schema, zh, false, (name) => name !== 'secret', 'zh-CN');

  it('leaves out system fields and what the user may not write; labels in the language', () => {
    expect(f.uiSchema['ui:order']).toEqual(['code', 'name', 'customer', 'total', 'status']);
    expect(f.schema.properties?.name).toEqual({ type: 'string', maxLength: 200, title: 'Name-zh' });
    expect(f.schema.required).toEqual(['name', 'customer']);
  });

  it('picks a widget per type', () => {
    expect(f.uiSchema.code['ui:readonly']).toBe(true);
    expect(f.uiSchema.customer['ui:widget']).toBe('relation');
    expect(f.uiSchema.customer['ui:options']).toEqual({ target: 'customer', multiple: false });
    expect(f.uiSchema.total['ui:widget']).toBe('currency');
    expect(f.schema.properties?.total).toEqual({
      type: ['number', 'null'],
      title: 'Total-zh',
      minimum: 0,
    });
    expect(f.uiSchema.status['ui:enumNames']).toEqual(['Draft-zh', 'Approved-zh', '—']);
  });

  it('leaves auto-numbers out of a new record', () => {
    expect(formOf(schema, zh, true, () => true, 'en').uiSchema['ui:order']).not.toContain('code');
  });
});

describe('form values and bodies', () => {
  const fields = formOf(schema, zh, false, () => true, 'en').fields;

  it('edits a currency as its amount and sends it back with the stored code', () => {
    const record = {
      id: 1,
      code: 'BJ-1',
      name: 'A',
      total: { amount: 5, currency: 'USD' },
      customer: 3,
    };
    const values = formValuesOf(record, fields);
    expect(values).toEqual({ code: 'BJ-1', name: 'A', total: 5, customer: 3 });
    expect(bodyOf({ ...values, total: 7 }, fields, false, record)).toEqual({
      name: 'A',
      customer: 3,
      total: { amount: 7, currency: 'USD' },
      status: null,
      secret: null,
    });
  });

  it('sends only filled fields on create', () => {
    expect(bodyOf({ name: 'B', total: 1, status: undefined }, fields, true)).toEqual({
      name: 'B',
      total: { amount: 1, currency: 'CNY' },
    });
  });

  it("puts the server's errors on their fields, the rest apart", () => {
    expect(
      errorSchemaOf(
        [
          { path: '/name', message: 'must be unique' },
          { path: '/total/amount', message: 'must be >= 0' },
          { path: '/nope', message: 'x' },
          { message: 'rule failed' },
        ],
        new Set(['name', 'total']),
      ),
    ).toEqual({
      schema: { name: { __errors: ['must be unique'] }, total: { __errors: ['must be >= 0'] } },
      rest: ['/nope: x', 'rule failed'],
    });
  });

  it('words each error through the given function, told the field it sits on', () => {
    const seen: Array<string | undefined> = [];
    const out = errorSchemaOf(
      [
        { path: '/name', message: 'is required', reason: 'required' },
        { path: '', message: 'rule', reason: 'rule:x' },
      ],
      new Set(['name']),
      (e, field) => {
        seen.push(field);
        return `${e.reason}!`;
      },
    );
    expect(out).toEqual({ schema: { name: { __errors: ['required!'] } }, rest: ['rule:x!'] });
    expect(seen).toEqual(['name', undefined]);
  });

  it('edits rich text with the rich text widget', () => {
    const withBody: EntitySchema = {
      ...schema,
      properties: {
        ...schema.properties,
        body: {
          type: ['string', 'null'],
          contentMediaType: 'text/html',
          'x-field-type': 'richText',
          'x-label': l('Body'),
        },
      },
    };
    const f = formOf(withBody, zh, false, () => true, 'zh-CN');
    expect(f.uiSchema.body).toEqual({ 'ui:widget': 'richText' });
  });
});

describe('a form document', () => {
  const doc: FormDoc = {
    sections: [
      { title: l('General'), columns: 3, fields: ['name', 'customer', 'status'] },
      { title: l('Amounts'), fields: ['total'] },
    ],
    readOnly: ['status'],
    hidden: ['secret'],
    widgets: { name: 'textarea', status: 'radio' },
  };
  const f = formOf(schema, zh, false, () => true, 'zh-CN', doc);

  it('orders the fields by its sections; fields it does not place come last, in their own section', () => {
    expect(f.uiSchema['ui:order']).toEqual(['name', 'customer', 'status', 'total', 'code']);
    expect(f.uiSchema['ui:options']).toEqual({
      layout: {
        tabs: [
          {
            key: 'tab-0',
            title: undefined,
            sections: [
              {
                key: 'section-0-0',
                title: 'General-zh',
                columns: 3,
                fields: ['name', 'customer', 'status'],
              },
              { key: 'section-0-1', title: 'Amounts-zh', columns: 2, fields: ['total'] },
              { key: 'section-other', title: '其他信息', columns: 2, fields: ['code'] },
            ],
          },
        ],
      },
    });
  });

  it('hides its hidden fields (never sent), locks its read-only ones (shown, never sent)', () => {
    expect(f.schema.properties).not.toHaveProperty('secret');
    expect(f.uiSchema.status['ui:readonly']).toBe(true);
    const body = bodyOf({ name: 'A', status: 'approved', secret: 'x' }, f.fields, false);
    expect(body).not.toHaveProperty('status');
    expect(body).not.toHaveProperty('secret');
    expect(body).toMatchObject({ name: 'A' });
  });

  it('applies its widgets over the type default', () => {
    expect(f.uiSchema.name).toEqual({ 'ui:widget': 'textarea', 'ui:options': { rows: 3 } });
    expect(f.uiSchema.status['ui:widget']).toBe('radio');
    // the select keeps its option labels under the radio
    expect(f.uiSchema.status['ui:enumNames']).toEqual(['Draft-zh', 'Approved-zh', '—']);
  });

  it('drops sections left empty for this user, and a field placed twice shows once', () => {
    const layout = layoutOf(
      {
        tabs: [
          { title: l('One'), sections: [{ fields: ['secret'] }, { fields: ['name', 'name'] }] },
          { title: l('Two'), sections: [{ fields: ['secret'] }] },
        ],
      },
      ['name'],
      zh,
    );
    expect(layout).toEqual({
      tabs: [
        {
          key: 'tab-0',
          title: 'One-zh',
          sections: [{ key: 'section-0-1', title: undefined, columns: 2, fields: ['name'] }],
        },
      ],
    });
  });

  it('without a document the form is laid out as today (no layout, fields in order)', () => {
    const plain = formOf(schema, zh, false, () => true, 'zh-CN');
    expect(plain.uiSchema['ui:options']).toBeUndefined();
    expect(plain.uiSchema['ui:order']).toEqual([
      'code',
      'name',
      'customer',
      'total',
      'status',
      'secret',
    ]);
  });
});

describe('hasErrors (which tab to mark)', () => {
  it.each([
    [{}, false],
    [{ __errors: [] }, false],
    [{ amount: {} }, false],
    [{ __errors: ['must be unique'] }, true],
    [{ amount: { __errors: ['must be >= 0'] } }, true],
    [undefined, false],
  ])('%j → %s', (node, out) => {
    expect(hasErrors(node)).toBe(out);
  });
});
