import { compileValidators, schemaErrors } from '../../records/src/record-validator';
import { compileEntitySchema, junctionTableName, tableName } from './compile-schema';
import { buildModel } from './model';
import { type EntityDocument, FIELD_TYPES, type FieldDef } from './types';

const l = (en: string): { 'zh-CN': string; en: string } => ({ 'zh-CN': `${en}（中）`, en });

/** One field of every type, a mix of required / optional. */
const DEAL: EntityDocument = {
  kind: 'entity',
  name: 'deal',
  label: l('Deal'),
  description: l('Every field type'),
  displayField: 'title',
  fields: {
    title: { type: 'text', label: l('Title'), required: true, length: 120, pattern: '^[^<>]*$' },
    notes: { type: 'longText', label: l('Notes'), minLength: 2 },
    body: { type: 'richText', label: l('Body'), description: l('HTML body') },
    quantity: { type: 'integer', label: l('Quantity'), min: 0, max: 1000, default: 1 },
    weight: { type: 'decimal', label: l('Weight'), precision: 8, scale: 3 },
    amount: { type: 'currency', label: l('Amount'), currency: 'USD', min: 0, default: 10 },
    probability: { type: 'percent', label: l('Probability'), min: 0, max: 100 },
    won: { type: 'boolean', label: l('Won'), default: false },
    closeDate: { type: 'date', label: l('Close'), min: '2000-01-01', max: '2099-12-31' },
    lastContact: { type: 'datetime', label: l('Last contact') },
    email: { type: 'email', label: l('Email'), unique: true },
    phone: { type: 'phone', label: l('Phone') },
    website: { type: 'url', label: l('Website') },
    stage: {
      type: 'select',
      label: l('Stage'),
      required: true,
      default: 'open',
      options: [
        { value: 'open', label: l('Open'), color: '#1677ff' },
        { value: 'won', label: l('Won') },
        { value: 'lost', label: l('Lost') },
      ],
    },
    channels: {
      type: 'multiSelect',
      label: l('Channels'),
      options: [
        { value: 'web', label: l('Web') },
        { value: 'fair', label: l('Fair') },
      ],
    },
    account: {
      type: 'relation',
      relation: 'manyToOne',
      target: 'account',
      label: l('Account'),
      required: true,
      inverse: { name: 'deals', label: l('Deals') },
    },
    tags: { type: 'relation', relation: 'manyToMany', target: 'tag', label: l('Tags') },
    number: {
      type: 'autoNumber',
      label: l('Number'),
      required: true,
      codeRule: 'SJ-{YY}{MM}{DD}-{seq:3}',
    },
    contract: { type: 'file', label: l('Contract'), accept: ['application/pdf'] },
    extra: { type: 'json', label: l('Extra'), readOnly: true },
  },
  rules: [
    { name: 'positive', expression: 'quantity >= 0', message: l('Quantity must be positive') },
  ],
};

const ACCOUNT: EntityDocument = {
  kind: 'entity',
  name: 'account',
  label: l('Account'),
  displayField: 'name',
  fields: { name: { type: 'text', label: l('Name'), required: true } },
};
const TAG: EntityDocument = {
  kind: 'entity',
  name: 'tag',
  label: l('Tag'),
  displayField: 'label',
  fields: { label: { type: 'text', label: l('Label'), required: true } },
};

type Props = Record<string, Record<string, unknown>>;
/** JSON Schema `type` as a list: a required field may compile to "string" or ["string"]. */
const types = (s: Record<string, unknown>): unknown[] => ([] as unknown[]).concat(s.type);
const schema = compileEntitySchema(DEAL);
const props = schema.properties as Props;

describe('compileEntitySchema', () => {
  it('the fixture covers every field type', () => {
    const used = new Set(Object.values(DEAL.fields).map((f: FieldDef) => f.type));
    expect([...used].sort()).toEqual([...FIELD_TYPES].sort());
  });

  it('describes the entity at the top level', () => {
    expect(schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'crm:entity:deal',
      title: 'Deal',
      description: 'Every field type',
      type: 'object',
      additionalProperties: false,
      'x-entity': 'deal',
      'x-table': 'e_deal',
      'x-label': DEAL.label,
      'x-display-field': 'title',
      'x-rules': [
        { name: 'positive', expression: 'quantity >= 0', message: l('Quantity must be positive') },
      ],
    });
    expect(tableName('deal')).toBe('e_deal');
    expect(junctionTableName('deal', 'tags')).toBe('j_deal_tags');
  });

  it('omits description and x-rules when the document has none', () => {
    const s = compileEntitySchema(ACCOUNT);
    expect(s).not.toHaveProperty('description');
    expect(s).not.toHaveProperty('x-rules');
    expect(compileEntitySchema({ ...ACCOUNT, rules: [] })).not.toHaveProperty('x-rules');
  });

  it('lists required fields in field order, never autoNumber', () => {
    expect(schema.required).toEqual(['title', 'stage', 'account']);
  });

  it('lists fields then system properties, id first', () => {
    expect(Object.keys(props)).toEqual([
      'id',
      ...Object.keys(DEAL.fields),
      'owner',
      'createdAt',
      'createdBy',
      'updatedAt',
      'updatedBy',
      'version',
      'deletedAt',
    ]);
    expect(props.id).toEqual({ type: 'integer', readOnly: true, 'x-system': true });
    expect(props.version).toEqual({ type: 'integer', readOnly: true, 'x-system': true });
    expect(props.owner).toEqual({ type: ['string', 'null'], maxLength: 64, 'x-system': true });
    expect(props.deletedAt).toEqual({
      type: ['string', 'null'],
      format: 'date-time',
      readOnly: true,
      'x-system': true,
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ['title', { maxLength: 120, pattern: '^[^<>]*$', title: 'Title', 'x-field-type': 'text' }],
    ['notes', { type: ['string', 'null'], maxLength: 65535, minLength: 2 }],
    [
      'body',
      {
        type: ['string', 'null'],
        maxLength: 1_000_000,
        contentMediaType: 'text/html',
        description: 'HTML body',
      },
    ],
    ['quantity', { type: ['integer', 'null'], minimum: 0, maximum: 1000, default: 1 }],
    ['weight', { type: ['number', 'null'], 'x-decimal': { precision: 8, scale: 3 } }],
    [
      'probability',
      {
        type: ['number', 'null'],
        minimum: 0,
        maximum: 100,
        'x-decimal': { precision: 9, scale: 4 },
      },
    ],
    ['won', { type: ['boolean', 'null'], default: false }],
    [
      'closeDate',
      {
        type: ['string', 'null'],
        format: 'date',
        formatMinimum: '2000-01-01',
        formatMaximum: '2099-12-31',
      },
    ],
    ['lastContact', { type: ['string', 'null'], format: 'date-time' }],
    ['email', { type: ['string', 'null'], format: 'email', maxLength: 254, 'x-unique': true }],
    ['phone', { type: ['string', 'null'], pattern: '^\\+?[0-9][0-9 ()-]{2,31}$', maxLength: 32 }],
    ['website', { type: ['string', 'null'], format: 'uri', maxLength: 2048 }],
    [
      'contract',
      { type: ['string', 'null'], format: 'uuid', 'x-file': { accept: ['application/pdf'] } },
    ],
  ])('compiles %s', (name, expected) => {
    expect(props[name]).toMatchObject(expected);
    if (!('type' in expected)) expect(types(props[name])).toEqual(['string']); // required text
    expect(props[name]['x-label']).toEqual(DEAL.fields[name].label);
    expect(props[name]['x-field-type']).toBe(DEAL.fields[name].type);
  });

  it('compiles integer bounds to the safe-integer range when min/max are absent', () => {
    const s = compileEntitySchema({
      ...ACCOUNT,
      fields: { ...ACCOUNT.fields, n: { type: 'integer', label: l('N') } },
    });
    expect((s.properties as Props).n).toMatchObject({
      minimum: -Number.MAX_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
    });
  });

  it('defaults decimal precision/scale to 18,2', () => {
    const s = compileEntitySchema({
      ...ACCOUNT,
      fields: { ...ACCOUNT.fields, d: { type: 'decimal', label: l('D') } },
    });
    expect((s.properties as Props).d['x-decimal']).toEqual({ precision: 18, scale: 2 });
  });

  it('compiles a required select to a non-nullable enum with its options', () => {
    expect(types(props.stage)).toEqual(['string']);
    expect(props.stage).toMatchObject({
      enum: ['open', 'won', 'lost'],
      default: 'open',
      'x-options': [
        { value: 'open', label: l('Open'), color: '#1677ff' },
        { value: 'won', label: l('Won') },
        { value: 'lost', label: l('Lost') },
      ],
    });
    expect((props.stage['x-options'] as object[])[1]).not.toHaveProperty('color');
  });

  it('compiles multiSelect to a non-nullable unique array of enum values', () => {
    expect(props.channels).toMatchObject({
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', enum: ['web', 'fair'] },
    });
  });

  it('compiles currency to a nullable {amount, currency} object with an object default', () => {
    expect(props.amount).toMatchObject({
      type: ['object', 'null'],
      required: ['amount'],
      additionalProperties: false,
      properties: {
        amount: { type: 'number', minimum: 0, 'x-decimal': { precision: 18, scale: 2 } },
        currency: { type: 'string', pattern: '^[A-Z]{3}$', default: 'USD' },
      },
      default: { amount: 10, currency: 'USD' },
    });
  });

  it('compiles a required manyToOne relation to a non-nullable id with x-relation', () => {
    expect(types(props.account)).toEqual(['integer']);
    expect(props.account).toMatchObject({
      minimum: 1,
      'x-relation': { kind: 'manyToOne', target: 'account', inverse: 'deals' },
    });
    expect(props.account['x-relation']).not.toHaveProperty('junctionTable');
  });

  it('compiles manyToMany to an id array with the junction table', () => {
    expect(props.tags).toMatchObject({
      type: 'array',
      uniqueItems: true,
      maxItems: 1000,
      items: { type: 'integer', minimum: 1 },
      'x-relation': { kind: 'manyToMany', target: 'tag', junctionTable: 'j_deal_tags' },
    });
    expect(props.tags['x-relation']).not.toHaveProperty('inverse');
  });

  it('compiles autoNumber to a read-only string carrying its code rule', () => {
    expect(props.number).toMatchObject({
      type: ['string', 'null'],
      maxLength: 64,
      readOnly: true,
      'x-code-rule': 'SJ-{YY}{MM}{DD}-{seq:3}',
    });
  });

  it('marks readOnly fields and leaves json untyped', () => {
    expect(props.extra).toEqual({
      title: 'Extra',
      readOnly: true,
      'x-field-type': 'json',
      'x-label': DEAL.fields.extra.label,
    });
    expect(props.title).not.toHaveProperty('readOnly');
  });

  it('is deterministic and does not mutate its input', () => {
    const before = structuredClone(DEAL);
    const a = compileEntitySchema(DEAL);
    const b = compileEntitySchema(structuredClone(DEAL));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(DEAL).toEqual(before);
  });
});

describe('compiled schema under ajv (compileValidators)', () => {
  const model = buildModel([ACCOUNT, TAG, DEAL], 1);
  const deal = model.entities.get('deal')!;
  const { create, patch } = compileValidators(deal);

  const good = {
    title: 'Big deal',
    notes: 'some notes',
    body: '<p>hi</p>',
    quantity: 3,
    weight: 12345.678,
    amount: { amount: 99.5, currency: 'EUR' },
    probability: 55.5,
    won: true,
    closeDate: '2024-05-01',
    lastContact: '2024-05-01T10:00:00Z',
    email: 'a@example.com',
    phone: '+86 10 1234-5678',
    website: 'https://example.com/x',
    stage: 'won',
    channels: ['web', 'fair'],
    account: 7,
    tags: [1, 2],
    contract: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    extra: { anything: [1, 'two'] },
    owner: 'li',
  };

  it('builds the model with the compiled schema and the inverse on the target', () => {
    expect(deal.schema).toEqual(compileEntitySchema(DEAL));
    expect(deal.table).toBe('e_deal');
    expect(model.entities.get('account')!.inverses).toEqual([
      { name: 'deals', sourceEntity: 'deal', sourceField: 'account' },
    ]);
  });

  it('accepts a complete good record', () => {
    expect(schemaErrors(create, good)).toEqual([]);
  });

  it('accepts the minimal record and nulls in optional scalar fields', () => {
    expect(schemaErrors(create, { title: 'x', stage: 'open', account: 1 })).toEqual([]);
    expect(
      schemaErrors(create, {
        title: 'x',
        stage: 'open',
        account: 1,
        notes: null,
        quantity: null,
        weight: null,
        amount: null,
        won: null,
        closeDate: null,
        lastContact: null,
        contract: null,
        extra: null,
      }),
    ).toEqual([]);
  });

  it('accepts a currency object without its code', () => {
    expect(schemaErrors(patch, { amount: { amount: 1 } })).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['title too long', { title: 'x'.repeat(121) }, '/title'],
    ['title breaks its pattern', { title: '<b>' }, '/title'],
    ['required title is null', { title: null }, '/title'],
    ['quantity not an integer', { quantity: 1.5 }, '/quantity'],
    ['quantity above max', { quantity: 1001 }, '/quantity'],
    ['weight with too many decimals', { weight: 1.2345 }, '/weight'],
    ['weight with too many integer digits', { weight: 123456 }, '/weight'],
    ['amount not an object', { amount: 5 }, '/amount'],
    ['amount below min', { amount: { amount: -1 } }, '/amount/amount'],
    ['currency code lower case', { amount: { amount: 1, currency: 'usd' } }, '/amount/currency'],
    ['currency extra key', { amount: { amount: 1, rate: 2 } }, '/amount/rate'],
    ['won a string', { won: 'yes' }, '/won'],
    ['closeDate not a date', { closeDate: '2024-13-01' }, '/closeDate'],
    ['closeDate before formatMinimum', { closeDate: '1999-12-31' }, '/closeDate'],
    ['lastContact not a date-time', { lastContact: 'yesterday' }, '/lastContact'],
    ['email malformed', { email: 'not-an-email' }, '/email'],
    ['phone malformed', { phone: 'abc' }, '/phone'],
    ['website malformed', { website: 'not a url' }, '/website'],
    ['stage not an option', { stage: 'maybe' }, '/stage'],
    ['channels not an option', { channels: ['tv'] }, '/channels/0'],
    ['channels duplicated', { channels: ['web', 'web'] }, '/channels'],
    ['channels null', { channels: null }, '/channels'],
    ['account zero', { account: 0 }, '/account'],
    ['account a string', { account: '7' }, '/account'],
    ['tags with a non-id', { tags: [1, 'x'] }, '/tags/1'],
    ['contract not a uuid', { contract: 'file.pdf' }, '/contract'],
    ['unknown property', { colour: 'red' }, '/colour'],
  ])('rejects %s', (_case, change, path) => {
    const errors = schemaErrors(create, { ...good, ...change });
    expect(errors.map((e) => e.path)).toContain(path);
    expect(schemaErrors(patch, change).map((e) => e.path)).toContain(path);
  });

  it('reports every missing required field on create but none on patch', () => {
    const errors = schemaErrors(create, {});
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/title', message: 'is required' }),
        expect.objectContaining({ path: '/stage', message: 'is required' }),
        expect.objectContaining({ path: '/account', message: 'is required' }),
      ]),
    );
    expect(errors.map((e) => e.path)).not.toContain('/number');
    expect(schemaErrors(patch, {})).toEqual([]);
  });

  it('reports an unknown select value as an enum error only', () => {
    const errors = schemaErrors(patch, { stage: 'maybe' });
    expect(errors).toEqual([
      expect.objectContaining({ path: '/stage', message: 'must be one of: open, won, lost' }),
    ]);
  });

  // Regression: an optional select compiles to type ['string','null'] but its enum lacks null, so
  // clearing an optional select (value null) is refused although every other optional scalar
  // accepts null.
  it('accepts null for an optional select field', () => {
    const optionalSelect = buildModel(
      [
        {
          ...ACCOUNT,
          fields: {
            ...ACCOUNT.fields,
            tier: {
              type: 'select',
              label: l('Tier'),
              options: [{ value: 'a', label: l('A') }],
            },
          },
        },
      ],
      1,
    ).entities.get('account')!;
    const v = compileValidators(optionalSelect);
    expect((optionalSelect.schema.properties as Props).tier.type).toEqual(['string', 'null']);
    expect(schemaErrors(v.patch, { tier: null })).toEqual([]);
  });
});
