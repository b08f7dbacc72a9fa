import { FIELD_TYPES, ROLLUP_FUNCTIONS } from '../types';

const i18n = {
  type: 'object',
  required: ['zh-CN', 'en'],
  properties: {
    'zh-CN': { type: 'string', minLength: 1 },
    en: { type: 'string', minLength: 1 },
  },
  additionalProperties: false,
};

const fieldName = { type: 'string', pattern: '^[a-z][a-zA-Z0-9]{0,47}$' };

/** Keys a field type requires; keys that do not apply to a type are caught by the semantic pass. */
const requiredByType: Array<[string, string[]]> = [
  ['select', ['options']],
  ['multiSelect', ['options']],
  ['relation', ['target', 'relation']],
  ['autoNumber', ['codeRule']],
  ['decimal', ['precision', 'scale']],
];

export const entityMetaSchema = {
  $id: 'crm:meta:entity',
  type: 'object',
  required: ['kind', 'name', 'label', 'displayField', 'fields'],
  additionalProperties: false,
  properties: {
    kind: { const: 'entity' },
    name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,47}$' },
    label: i18n,
    description: i18n,
    displayField: fieldName,
    fields: {
      type: 'object',
      minProperties: 1,
      propertyNames: fieldName,
      additionalProperties: {
        type: 'object',
        required: ['type', 'label'],
        additionalProperties: false,
        properties: {
          type: { enum: [...FIELD_TYPES] },
          label: i18n,
          description: i18n,
          required: { type: 'boolean' },
          unique: { type: 'boolean' },
          default: {},
          min: { type: ['number', 'string'] },
          max: { type: ['number', 'string'] },
          length: { type: 'integer', minimum: 1, maximum: 16383 },
          minLength: { type: 'integer', minimum: 0 },
          pattern: { type: 'string', format: 'regex' },
          readOnly: { type: 'boolean' },
          renamedFrom: fieldName,
          precision: { type: 'integer', minimum: 1, maximum: 38 },
          scale: { type: 'integer', minimum: 0, maximum: 30 },
          currency: { type: 'string', pattern: '^[A-Z]{3}$' },
          options: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['value', 'label'],
              additionalProperties: false,
              properties: {
                value: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
                label: i18n,
                color: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' },
              },
            },
          },
          target: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,47}$' },
          relation: { enum: ['manyToOne', 'manyToMany'] },
          inverse: {
            type: 'object',
            required: ['name', 'label'],
            additionalProperties: false,
            properties: { name: fieldName, label: i18n },
          },
          codeRule: { type: 'string', minLength: 1, maxLength: 64 },
          accept: { type: 'array', items: { type: 'string', minLength: 1 } },
          formula: { type: 'string', minLength: 1, maxLength: 4000 },
          rollup: {
            type: 'object',
            required: ['relation', 'function'],
            additionalProperties: false,
            properties: {
              relation: fieldName,
              function: { enum: [...ROLLUP_FUNCTIONS] },
              field: fieldName,
              filter: { type: 'string', minLength: 1, maxLength: 4000 },
            },
          },
        },
        allOf: requiredByType.map(([type, keys]) => ({
          if: { properties: { type: { const: type } }, required: ['type'] },
          then: { required: keys },
        })),
      },
    },
    indexes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['fields'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,47}$' },
          fields: { type: 'array', minItems: 1, maxItems: 8, items: fieldName },
          unique: { type: 'boolean' },
        },
      },
    },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'expression', 'message'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,63}$' },
          expression: { type: 'string', minLength: 1 },
          message: i18n,
        },
      },
    },
  },
} as const;
