import { type DocumentKindSpec, docNameSchema, i18nSchema } from './registry';

/** `template` documents. (Shape to be completed by the issue that introduces the kind.) */
export const templateKind: DocumentKindSpec = {
  kind: 'template',
  schema: {
    type: 'object',
    required: ['kind', 'name'],
    properties: { kind: { const: 'template' }, name: docNameSchema, label: i18nSchema },
  },
};
