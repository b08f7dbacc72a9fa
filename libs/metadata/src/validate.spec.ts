import type { ErrorDetail } from '@crm/common';
import type { EntityDocument, FieldDef, SourcedDocument } from './types';
import { validateDocuments } from './validate';

const l = (en: string): { 'zh-CN': string; en: string } => ({ 'zh-CN': `${en}-zh`, en });

const account = (): EntityDocument => ({
  kind: 'entity',
  name: 'account',
  label: l('Account'),
  displayField: 'name',
  fields: { name: { type: 'text', label: l('Name'), required: true } },
});

/** A valid document using most features; each bad case changes one thing. */
const deal = (): EntityDocument => ({
  kind: 'entity',
  name: 'deal',
  label: l('Deal'),
  displayField: 'title',
  fields: {
    title: { type: 'text', label: l('Title'), required: true, length: 120 },
    amount: { type: 'decimal', label: l('Amount'), precision: 12, scale: 2, min: 0 },
    price: { type: 'currency', label: l('Price'), currency: 'EUR', default: 0 },
    startDate: { type: 'date', label: l('Start') },
    closeDate: { type: 'date', label: l('Close'), default: '2024-01-01' },
    stage: {
      type: 'select',
      label: l('Stage'),
      default: 'open',
      options: [
        { value: 'open', label: l('Open') },
        { value: 'won', label: l('Won') },
      ],
    },
    account: {
      type: 'relation',
      relation: 'manyToOne',
      target: 'account',
      label: l('Account'),
      inverse: { name: 'deals', label: l('Deals') },
    },
    code: { type: 'autoNumber', label: l('Code'), codeRule: 'D-{YYYY}-{seq:4}' },
  },
  indexes: [
    { fields: ['stage', 'closeDate'] },
    { name: 'bytitle', fields: ['title'], unique: true },
  ],
  rules: [
    {
      name: 'closeAfterStart',
      expression: 'closeDate >= startDate',
      message: l('Close date must not be before start date'),
    },
  ],
});

const src = (doc: unknown, file = `${(doc as { name: string }).name}.yaml`): SourcedDocument => ({
  doc: doc as EntityDocument,
  files: [file],
});

const validate = (...docs: unknown[]): ErrorDetail[] =>
  validateDocuments([src(account()), ...docs.map((d) => src(d))]);

function withField(name: string, f: Partial<FieldDef> | undefined): EntityDocument {
  const d = deal();
  if (f === undefined) delete d.fields[name];
  else d.fields[name] = { ...(d.fields[name] ?? {}), ...f } as FieldDef;
  return d;
}

describe('validateDocuments', () => {
  it('returns [] for good documents', () => {
    expect(validate(deal())).toEqual([]);
  });

  interface BadCase {
    name: string;
    doc: () => unknown;
    path: string;
    message: string;
    document?: string;
  }

  const BAD: BadCase[] = [
    {
      name: 'a pattern with a backreference (RE2 cannot run it in linear time)',
      doc: () => withField('title', { pattern: '^(a)\\1$' }),
      path: '/fields/title/pattern',
      message: 'is not a regular expression RE2 can run',
    },
    {
      name: 'a pattern with a lookahead',
      doc: () => withField('title', { pattern: '^(?=.*[0-9]).+$' }),
      path: '/fields/title/pattern',
      message: 'is not a regular expression RE2 can run',
    },
    {
      name: 'unknown field type',
      doc: () => withField('title', { type: 'string' as never }),
      path: '/fields/title/type',
      message: 'must be one of: text, longText',
    },
    {
      name: 'relation to a missing entity',
      doc: () => withField('account', { target: 'company' }),
      path: '/fields/account/target',
      message: 'relation to unknown entity "company"',
    },
    {
      name: 'invalid FEEL in a rule',
      doc: () => ({ ...deal(), rules: [{ ...deal().rules![0], expression: 'closeDate >= (' }] }),
      path: '/rules/0/expression',
      message: 'invalid FEEL',
    },
    {
      name: 'a rule calling an unknown FEEL function',
      doc: () => ({ ...deal(), rules: [{ ...deal().rules![0], expression: 'isValid(amount)' }] }),
      path: '/rules/0/expression',
      message: 'unknown FEEL function isValid',
    },
    {
      name: 'a rule referencing an unknown field',
      doc: () => ({ ...deal(), rules: [{ ...deal().rules![0], expression: 'discount > 0' }] }),
      path: '/rules/0/expression',
      message: 'refers to unknown field "discount"',
    },
    {
      name: 'bad code rule (no seq)',
      doc: () => withField('code', { codeRule: 'D-{YYYY}' }),
      path: '/fields/code/codeRule',
      message: 'exactly one {seq:N}',
    },
    {
      name: 'bad code rule (unknown token)',
      doc: () => withField('code', { codeRule: 'D-{Q}-{seq:4}' }),
      path: '/fields/code/codeRule',
      message: 'unknown token {Q}',
    },
    {
      name: 'displayField not a field',
      doc: () => ({ ...deal(), displayField: 'subject' }),
      path: '/displayField',
      message: '"subject" is not a field',
    },
    {
      name: 'system field name used as a field (version)',
      doc: () => withField('version', { type: 'integer', label: l('Version') }),
      path: '/fields/version',
      message: '"version" is a system field name',
    },
    {
      name: 'system field name used as a field (createdAt)',
      doc: () => withField('createdAt', { type: 'datetime', label: l('Created') }),
      path: '/fields/createdAt',
      message: 'system field name',
    },
    {
      name: 'option with a duplicate value',
      doc: () =>
        withField('stage', {
          options: [
            { value: 'open', label: l('Open') },
            { value: 'won', label: l('Won') },
            { value: 'open', label: l('Open again') },
          ],
        }),
      path: '/fields/stage/options/2/value',
      message: 'duplicate option value "open"',
    },
    {
      name: 'decimal scale > precision',
      doc: () => withField('amount', { precision: 4, scale: 6 }),
      path: '/fields/amount/scale',
      message: 'scale 6 exceeds precision 4',
    },
    {
      name: 'precision on a text field',
      doc: () => withField('title', { precision: 5 }),
      path: '/fields/title/precision',
      message: 'does not apply to a text field',
    },
    {
      name: 'options on a text field',
      doc: () => withField('title', { options: [{ value: 'a', label: l('A') }] }),
      path: '/fields/title/options',
      message: 'does not apply to a text field',
    },
    {
      name: 'index on an unknown field',
      doc: () => ({ ...deal(), indexes: [{ fields: ['stage', 'region'] }] }),
      path: '/indexes/0/fields/1',
      message: '"region" is not a field',
    },
    {
      name: 'select default not in its options',
      doc: () => withField('stage', { default: 'lost' }),
      path: '/fields/stage/default',
      message: 'must be one of the option values',
    },
    {
      name: 'date default not YYYY-MM-DD',
      doc: () => withField('closeDate', { default: '01/02/2024' }),
      path: '/fields/closeDate/default',
      message: 'must be a real date YYYY-MM-DD between 1000-01-01 and 9999-12-31',
    },
    {
      name: 'missing zh-CN label on a field',
      doc: () => withField('title', { label: { en: 'Title' } as never }),
      path: '/fields/title/label/zh-CN',
      message: 'is required',
    },
    {
      name: 'missing zh-CN label on the entity',
      doc: () => ({ ...deal(), label: { en: 'Deal' } }),
      path: '/label/zh-CN',
      message: 'is required',
    },
    {
      name: 'decimal without precision',
      doc: () => withField('amount', { precision: undefined }),
      path: '/fields/amount/precision',
      message: 'is required',
    },
    {
      name: 'field name not camelCase',
      doc: () => withField('Close_date', { type: 'date', label: l('Close') }),
      path: '/fields/Close_date',
      message: 'must be a camelCase name',
    },
    {
      name: 'unknown document kind',
      doc: () => ({ ...deal(), kind: 'widget' }),
      path: '/kind',
      message: 'unknown document kind "widget"',
      document: 'widget/deal',
    },
  ];

  it.each(BAD)('$name -> $path', (c) => {
    const errors = validate(c.doc());
    expect(errors).toContainEqual(
      expect.objectContaining({
        path: c.path,
        document: c.document ?? 'entity/deal',
        file: 'deal.yaml',
        message: expect.stringContaining(c.message),
      }),
    );
  });

  it('reports a duplicate document name against the second file', () => {
    const errors = validateDocuments([
      src(account(), 'account.yaml'),
      src(deal(), 'deals/a.yaml'),
      src(deal(), 'deals/b.yaml'),
    ]);
    expect(errors).toEqual([
      {
        path: '/name',
        document: 'entity/deal',
        file: 'deals/b.yaml',
        message: 'duplicate document name: entity/deal is also defined in deals/a.yaml',
      },
    ]);
  });

  it('returns every semantic error of a document at once', () => {
    const d = deal();
    d.displayField = 'subject';
    d.fields.version = { type: 'integer', label: l('Version') };
    d.fields.amount.scale = 20;
    d.fields.account.target = 'company';
    d.fields.stage.default = 'lost';
    d.indexes = [{ fields: ['region'] }];
    d.rules = [{ name: 'r', expression: 'discount > 0', message: l('m') }];
    const errors = validate(d);
    expect(errors.map((e) => e.path).sort()).toEqual(
      [
        '/displayField',
        '/fields/version',
        '/fields/amount/scale',
        '/fields/account/target',
        '/fields/stage/default',
        '/indexes/0/fields/0',
        '/rules/0/expression',
      ].sort(),
    );
    expect(errors.every((e) => e.document === 'entity/deal' && e.file === 'deal.yaml')).toBe(true);
  });

  it('returns every meta-schema error of a document at once', () => {
    const d = deal() as unknown as Record<string, unknown>;
    d.label = { en: 'Deal' };
    d.colour = 'red';
    (d.fields as Record<string, FieldDef>).title.type = 'string' as never;
    const errors = validate(d);
    expect(errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['/label/zh-CN', '/colour', '/fields/title/type']),
    );
    expect(errors.find((e) => e.path === '/colour')?.message).toBe('is not an allowed property');
  });

  it('returns the errors of every document, not only the first bad one', () => {
    const other: EntityDocument = {
      ...account(),
      name: 'lead',
      displayField: 'nope',
    };
    const errors = validate({ ...deal(), label: { en: 'Deal' } }, other);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ document: 'entity/deal', path: '/label/zh-CN' }),
        expect.objectContaining({
          document: 'entity/lead',
          path: '/displayField',
          file: 'lead.yaml',
        }),
      ]),
    );
  });

  it('refuses two relations declaring the same inverse on one target', () => {
    const d = deal();
    d.fields.partner = { ...d.fields.account, label: l('Partner') };
    expect(validate(d)).toEqual([
      expect.objectContaining({
        path: '/fields/partner/inverse/name',
        message: 'inverse "deals" on account is already defined by deal.account',
      }),
    ]);
  });

  it('names the file that introduced a field (overlay) in its errors', () => {
    const d = deal();
    d.fields.region = { type: 'text', label: l('Region'), scale: 2 };
    const errors = validateDocuments([
      src(account()),
      {
        doc: d,
        files: ['deal.yaml', 'clients/acme/deal.yaml'],
        fieldFiles: { region: 'clients/acme/deal.yaml' },
      },
    ]);
    expect(errors).toEqual([
      expect.objectContaining({ path: '/fields/region/scale', file: 'clients/acme/deal.yaml' }),
    ]);
  });

  // Regression: MySQL and SQLite column names are case-insensitive, so `closeDate` and `closedate` map
  // to the same column and CREATE TABLE fails ("Duplicate column name"); validation lets it through.
  it('refuses two fields whose names differ only in case', () => {
    const d = deal();
    d.fields.closedate = { type: 'date', label: l('Closed') };
    expect(validate(d)).not.toEqual([]);
  });
});
