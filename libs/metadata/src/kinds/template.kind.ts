import type { ErrorDetail } from '@crm/common';
import { type DocumentKindSpec, docNameSchema, i18nSchema } from './registry';
import { RECORD_PLACEHOLDER, placeholderProblem, scanTemplate } from './template-text';

/** The approval events the engine notifies about; templates may also name other events. */
export const NOTIFICATION_EVENTS = [
  'assignment',
  'reminder',
  'escalation',
  'return',
  'outcome',
  'cc',
] as const;

export const TEMPLATE_CHANNELS = ['email'] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];
export type TemplateLocale = 'zh-CN' | 'en';

/**
 * A message template: for one event and channel, a subject and a body in zh-CN and en with
 * `{{ path }}` placeholders (template-text.ts). The notifier picks the template of the event it
 * sends and the recipient's language.
 */
export interface TemplateDocument {
  kind: 'template';
  name: string;
  label: Record<TemplateLocale, string>;
  /** assignment | reminder | escalation | return | outcome | cc, or another event name. */
  event: string;
  channel: TemplateChannel;
  /** `html`: the body is HTML and values are escaped into it; `text` (default): plain text. */
  format?: 'text' | 'html';
  subject: Record<TemplateLocale, string>;
  body: Record<TemplateLocale, string>;
}

/** System columns every record has, beside its entity's fields. */
const SYSTEM_FIELDS = new Set([
  'id',
  'owner',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
  'version',
  'deletedAt',
]);

const subjectSchema = {
  ...i18nSchema,
  properties: {
    'zh-CN': { type: 'string', minLength: 1, maxLength: 500, pattern: '^[^\\r\\n]*$' },
    en: { type: 'string', minLength: 1, maxLength: 500, pattern: '^[^\\r\\n]*$' },
  },
};

export const templateKind: DocumentKindSpec = {
  kind: 'template',
  schema: {
    type: 'object',
    required: ['kind', 'name', 'label', 'event', 'channel', 'subject', 'body'],
    properties: {
      kind: { const: 'template' },
      name: docNameSchema,
      label: i18nSchema,
      event: { type: 'string', pattern: '^[a-z][A-Za-z0-9_.-]{0,47}$' },
      channel: { enum: [...TEMPLATE_CHANNELS] },
      format: { enum: ['text', 'html'] },
      subject: subjectSchema,
      body: i18nSchema,
    },
    additionalProperties: false,
  },
  check(doc, ctx) {
    const t = doc as unknown as TemplateDocument;
    const errors: ErrorDetail[] = [];
    // record.<field>: templates serve every entity, so a field is known when some entity (or the
    // system columns) has it; a typo then fails here instead of rendering as nothing
    const fields = new Set(SYSTEM_FIELDS);
    for (const e of ctx.entities.values()) for (const f of Object.keys(e.fields)) fields.add(f);
    for (const part of ['subject', 'body'] as const) {
      for (const locale of ['zh-CN', 'en'] as const) {
        const path = `/${part}/${locale}`;
        const { placeholders, stray } = scanTemplate(t[part][locale]);
        for (const at of stray)
          errors.push({
            path,
            message: `unmatched braces at character ${at}: a placeholder is written {{ path }}`,
            reason: 'placeholder',
          });
        for (const p of placeholders) {
          const problem = placeholderProblem(p.path);
          const field = RECORD_PLACEHOLDER.exec(p.path)?.[1];
          if (problem)
            errors.push({ path, message: `${p.raw}: ${problem}`, reason: 'placeholder' });
          else if (field !== undefined && !fields.has(field))
            errors.push({
              path,
              message: `${p.raw}: no entity has a field "${field}"`,
              reason: 'placeholder',
            });
        }
      }
    }
    // one template per event and channel, so which one is sent never depends on file order
    const rival = ctx.documents.find(
      (d) =>
        d.kind === 'template' &&
        d.name < t.name &&
        (d as unknown as TemplateDocument).event === t.event &&
        (d as unknown as TemplateDocument).channel === t.channel,
    );
    if (rival)
      errors.push({
        path: '/event',
        message: `template "${rival.name}" already handles event "${t.event}" on ${t.channel}; one template per event and channel`,
        reason: 'unique',
      });
    return errors;
  },
};

/** The template that handles `event` on `channel` among the documents, if any. */
export function findTemplate(
  documents: readonly { kind: string; name: string }[],
  event: string,
  channel: TemplateChannel,
): TemplateDocument | null {
  let found: TemplateDocument | null = null;
  for (const d of documents) {
    if (d.kind !== 'template') continue;
    const t = d as unknown as TemplateDocument;
    // the first by name, as the uniqueness check keeps that one
    if (t.event === event && t.channel === channel && (!found || t.name < found.name)) found = t;
  }
  return found;
}
