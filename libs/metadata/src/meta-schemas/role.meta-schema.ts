import { ROLE_ACTIONS } from '../types';

const i18n = {
  type: 'object',
  required: ['zh-CN', 'en'],
  properties: {
    'zh-CN': { type: 'string', minLength: 1 },
    en: { type: 'string', minLength: 1 },
  },
  additionalProperties: false,
};

const action = { enum: [...ROLE_ACTIONS] };
const name = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' };
const oneOrMany = (s: object) => ({
  anyOf: [s, { type: 'array', minItems: 1, items: s }],
});

/** Shape of a role document; names of entities, fields and placeholders are checked semantically. */
export const roleMetaSchema = {
  $id: 'crm:meta:role',
  type: 'object',
  required: ['kind', 'name', 'label', 'rules'],
  additionalProperties: false,
  properties: {
    kind: { const: 'role' },
    name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,47}$' },
    label: i18n,
    description: i18n,
    rules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['action', 'subject'],
        additionalProperties: false,
        properties: {
          action: oneOrMany(action),
          subject: oneOrMany(name),
          fields: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          conditions: { type: 'object', minProperties: 1 },
          inverted: { type: 'boolean' },
          reason: { type: 'string', maxLength: 500 },
        },
      },
    },
  },
} as const;
