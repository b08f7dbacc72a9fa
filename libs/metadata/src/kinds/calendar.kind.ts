import { type DocumentKindSpec, docNameSchema, i18nSchema } from './registry';

/** `calendar` documents. (Shape to be completed by the issue that introduces the kind.) */
export const calendarKind: DocumentKindSpec = {
  kind: 'calendar',
  schema: {
    type: 'object',
    required: ['kind', 'name'],
    properties: { kind: { const: 'calendar' }, name: docNameSchema, label: i18nSchema },
  },
};
