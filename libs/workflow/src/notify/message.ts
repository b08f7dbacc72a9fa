import {
  type MetadataDocument,
  RECORD_PLACEHOLDER,
  type TemplateDocument,
  type TemplateLocale,
  escapeHtml,
  renderTemplate,
  scanTemplate,
} from '@crm/metadata';

/**
 * Pure parts of a notification: the recipient's language, the context a template sees, and the
 * rendered subject and bodies. Everything the database knows arrives as arguments (notifier.ts
 * reads it), so each rule here is testable on its own.
 */

/** zh-CN unless the user chose otherwise; languages without templates read English. */
export function pickLocale(userLocale: string | null | undefined): TemplateLocale {
  if (!userLocale) return 'zh-CN';
  if (userLocale === 'zh-CN' || userLocale === 'en') return userLocale;
  return /^zh\b/i.test(userLocale) ? 'zh-CN' : 'en';
}

const OUTCOMES: Record<string, Record<TemplateLocale, string>> = {
  approved: { 'zh-CN': '已通过', en: 'approved' },
  rejected: { 'zh-CN': '已驳回', en: 'rejected' },
  withdrawn: { 'zh-CN': '已撤回', en: 'withdrawn' },
  cancelled: { 'zh-CN': '已取消', en: 'cancelled' },
};

/** An instant as the company reads it: `2026-03-17 18:00 (Asia/Shanghai)`. */
export function formatInZone(iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} (${timeZone})`;
}

/** Where the message's subject opens in the web app: the task, else the record, else the inbox. */
export function messageLink(
  publicUrl: string | null,
  taskId: number | null | undefined,
  record: { entity: string; id: number } | null,
): string {
  const path = taskId
    ? `/inbox/${taskId}`
    : record
      ? `/records/${encodeURIComponent(record.entity)}/${record.id}`
      : '/inbox';
  return `${publicUrl ?? ''}${path}`;
}

/** Whether a template shows anything of the record (then the notifier reads it, if not given). */
export function usesRecord(t: TemplateDocument): boolean {
  return [t.subject, t.body].some((texts) =>
    Object.values(texts).some((text) =>
      scanTemplate(text).placeholders.some(
        (p) => p.path === 'recordTitle' || RECORD_PLACEHOLDER.test(p.path),
      ),
    ),
  );
}

/** The record's entity document (label, display field), from the live documents. */
export function entityOf(
  documents: readonly MetadataDocument[],
  entity: string | null,
): { label?: Record<string, string>; displayField?: string } | null {
  if (!entity) return null;
  const doc = documents.find((d) => d.kind === 'entity' && d.name === entity);
  return (doc as { label?: Record<string, string>; displayField?: string } | undefined) ?? null;
}

export interface ContextInput {
  locale: TemplateLocale;
  recipient: { login: string; displayName: string | null };
  actor: { login: string; displayName: string | null } | null;
  comment: string | null;
  instanceId: number;
  taskId: number | null;
  taskName: string | null;
  processName: string | null;
  outcome: string | null;
  /** ISO instant, or null. */
  dueAt: string | null;
  timeZone: string;
  link: string;
  record: Record<string, unknown> | null;
  entity: { label?: Record<string, string>; displayField?: string } | null;
}

/** The values a template's placeholders read (template-text.ts lists and documents them). */
export function messageContext(c: ContextInput): Record<string, unknown> {
  const record = c.record ?? {};
  const title = c.entity?.displayField ? record[c.entity.displayField] : undefined;
  return {
    recipient: {
      login: c.recipient.login,
      displayName: c.recipient.displayName || c.recipient.login,
    },
    actor: c.actor ? c.actor.displayName || c.actor.login : '',
    comment: c.comment ?? '',
    taskName: c.taskName ?? '',
    processName: c.processName ?? '',
    instanceId: c.instanceId,
    taskId: c.taskId ?? '',
    link: c.link,
    recordTitle: title ?? (c.record ? record.id : ''),
    recordType: c.entity?.label?.[c.locale] ?? '',
    outcome: c.outcome ? (OUTCOMES[c.outcome]?.[c.locale] ?? c.outcome) : '',
    dueAt: c.dueAt ? formatInZone(c.dueAt, c.timeZone) : '',
    record,
  };
}

export interface RenderedMessage {
  /** One line, for the mail header and the in-app notification. */
  subject: string;
  /** The mail body as HTML (a text template is escaped and keeps its line breaks). */
  html: string;
  /** The same body as plain text (the alternative part of the mail). */
  text: string;
}

/** Renders a template in one language over a context. */
export function renderMessage(
  t: TemplateDocument,
  locale: TemplateLocale,
  ctx: Record<string, unknown>,
): RenderedMessage {
  // a value with a line break must not start a second header line
  const subject = renderTemplate(t.subject[locale], ctx, { html: false })
    .replace(/[\r\n]+/g, ' ')
    .trim()
    .slice(0, 500);
  if (t.format === 'html') {
    const html = renderTemplate(t.body[locale], ctx, { html: true });
    return { subject, html, text: htmlToText(html) };
  }
  const text = renderTemplate(t.body[locale], ctx, { html: false });
  return { subject, html: escapeHtml(text).replace(/\r?\n/g, '<br>\n'), text };
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  nbsp: ' ',
};

/** A readable plain-text version of an HTML body: line breaks kept, tags dropped. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>\n?/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr)>\n?/gi, '\n')
    .replace(
      /<a\b[^>]*\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi,
      (_m, href: string, label: string) => (label.trim() === href ? href : `${label} (${href})`),
    )
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, e: string) => ENTITIES[e])
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
