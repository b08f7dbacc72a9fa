import { applyEntityOverlay } from './overlay';
import type { EntityDocument, SourcedDocument } from './types';
import { validateDocuments } from './validate';

const l = (en: string, zh = `${en}-zh`): { 'zh-CN': string; en: string } => ({ 'zh-CN': zh, en });

const base = (): SourcedDocument<EntityDocument> => ({
  doc: {
    kind: 'entity',
    name: 'customer',
    label: l('Customer'),
    displayField: 'name',
    fields: {
      name: { type: 'text', label: l('Name'), required: true },
      level: {
        type: 'select',
        label: l('Level'),
        options: [
          { value: 'a', label: l('A'), color: '#ff0000' },
          { value: 'b', label: l('B') },
        ],
      },
      account: { type: 'relation', relation: 'manyToOne', target: 'account', label: l('Account') },
    },
    indexes: [{ fields: ['name'] }],
  },
  files: ['metadata/customer.yaml'],
});

const OVERLAY = 'clients/acme/customer.yaml';

describe('applyEntityOverlay', () => {
  it('adds a field and records the overlay as its file', () => {
    const b = base();
    const { merged, errors } = applyEntityOverlay(
      b,
      { fields: { vip: { type: 'boolean', label: l('VIP') } } },
      OVERLAY,
    );
    expect(errors).toEqual([]);
    expect(Object.keys(merged.doc.fields)).toEqual(['name', 'level', 'account', 'vip']);
    expect(merged.doc.fields.vip).toEqual({ type: 'boolean', label: l('VIP') });
    expect(merged.files).toEqual(['metadata/customer.yaml', OVERLAY]);
    expect(merged.fieldFiles).toEqual({ vip: OVERLAY });
    // the base is untouched
    expect(b.doc.fields.vip).toBeUndefined();
    expect(b.files).toEqual(['metadata/customer.yaml']);
  });

  it('overrides an option label, keeps the other options and appends new ones', () => {
    const { merged, errors } = applyEntityOverlay(
      base(),
      {
        fields: {
          level: {
            options: [
              { value: 'a', label: l('Gold', '金牌') },
              { value: 'c', label: l('C') },
            ],
          },
        } as never,
      },
      OVERLAY,
    );
    expect(errors).toEqual([]);
    expect(merged.doc.fields.level.options).toEqual([
      { value: 'a', label: l('Gold', '金牌'), color: '#ff0000' },
      { value: 'b', label: l('B') },
      { value: 'c', label: l('C') },
    ]);
    expect(merged.doc.fields.level.type).toBe('select');
    expect(base().doc.fields.level.options![0].label.en).toBe('A');
  });

  it('overrides labels, defaults and entity-level display settings', () => {
    const { merged, errors } = applyEntityOverlay(
      base(),
      {
        label: l('Client'),
        displayField: 'account',
        fields: { name: { label: l('Company name'), default: 'n/a' } } as never,
      },
      OVERLAY,
    );
    expect(errors).toEqual([]);
    expect(merged.doc.label).toEqual(l('Client'));
    expect(merged.doc.displayField).toBe('account');
    expect(merged.doc.fields.name).toEqual({
      type: 'text',
      label: l('Company name'),
      required: true,
      default: 'n/a',
    });
  });

  it('appends indexes and rules', () => {
    const rule = { name: 'r', expression: 'name != null', message: l('m') };
    const { merged } = applyEntityOverlay(
      base(),
      { indexes: [{ fields: ['level'] }], rules: [rule] },
      OVERLAY,
    );
    expect(merged.doc.indexes).toEqual([{ fields: ['name'] }, { fields: ['level'] }]);
    expect(merged.doc.rules).toEqual([rule]);
  });

  it('accepts restating a base value unchanged', () => {
    const { errors } = applyEntityOverlay(
      base(),
      { fields: { name: { type: 'text', required: true } } as never },
      OVERLAY,
    );
    expect(errors).toEqual([]);
  });

  it('refuses to change a field type, naming the pointer, document and overlay file', () => {
    const { merged, errors } = applyEntityOverlay(
      base(),
      { fields: { name: { type: 'longText' } } as never },
      OVERLAY,
    );
    expect(errors).toEqual([
      {
        path: '/fields/name/type',
        message:
          'an overlay cannot change the type of customer.name (base: text, overlay: longText)',
        document: 'entity/customer',
        file: OVERLAY,
      },
    ]);
    expect(merged.doc.fields.name.type).toBe('text');
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'a relation target',
      { fields: { account: { target: 'company' } } },
      '/fields/account/target',
      'an overlay cannot change "target" of customer.account',
    ],
    [
      'required',
      { fields: { name: { required: false } } },
      '/fields/name/required',
      'an overlay cannot change "required" of customer.name',
    ],
    [
      'an entity key outside label/description/displayField',
      { colour: 'red' },
      '/colour',
      'an overlay cannot change "colour" of the base entity',
    ],
  ])('refuses to change %s', (_c, overlay, path, message) => {
    const { errors } = applyEntityOverlay(base(), overlay as Partial<EntityDocument>, OVERLAY);
    expect(errors).toEqual([{ path, message, document: 'entity/customer', file: OVERLAY }]);
  });

  it('collects every contradiction at once', () => {
    const { errors } = applyEntityOverlay(
      base(),
      { fields: { name: { type: 'email', required: false }, account: { target: 'x' } } } as never,
      OVERLAY,
    );
    expect(errors.map((e) => e.path)).toEqual([
      '/fields/name/type',
      '/fields/name/required',
      '/fields/account/target',
    ]);
  });

  it('lets validateDocuments blame the overlay for a bad field it added', () => {
    const account: EntityDocument = {
      kind: 'entity',
      name: 'account',
      label: l('Account'),
      displayField: 'name',
      fields: { name: { type: 'text', label: l('Name') } },
    };
    const { merged } = applyEntityOverlay(
      base(),
      { fields: { score: { type: 'text', label: l('Score'), precision: 3 } } },
      OVERLAY,
    );
    const errors = validateDocuments([{ doc: account, files: ['account.yaml'] }, merged]);
    expect(errors).toEqual([
      expect.objectContaining({
        path: '/fields/score/precision',
        document: 'entity/customer',
        file: OVERLAY,
      }),
    ]);
  });
});
