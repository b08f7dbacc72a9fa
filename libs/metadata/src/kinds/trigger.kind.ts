import { type DocumentKindSpec, docNameSchema, i18nSchema } from './registry';

/** `trigger` documents. (Shape to be completed by the issue that introduces the kind.) */
export const triggerKind: DocumentKindSpec = {
  kind: 'trigger',
  schema: {
    type: 'object',
    required: ['kind', 'name'],
    properties: { kind: { const: 'trigger' }, name: docNameSchema, label: i18nSchema },
  },
};
