import sanitizeHtml from 'sanitize-html';
import type { CompiledEntity } from '@crm/metadata';

/**
 * Rich text is HTML a user typed in the record form, and every other user's browser renders it:
 * stored as anything but this allow-list it would be stored cross-site scripting. Tags outside the
 * list are dropped with their text kept (a `<div>` or `<span style>` from a paste loses only its
 * markup); script, style and the like lose their content too; no attribute survives but a link's
 * href, and only with http(s) or mailto (the web app opens them in a new tab without an opener).
 */
const RICH_TEXT: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'b',
    'strong',
    'i',
    'em',
    'u',
    'ul',
    'ol',
    'li',
    'a',
    'h1',
    'h2',
    'h3',
    'blockquote',
    'code',
    'pre',
  ],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // the default list minus textarea/option (harmless text a paste may carry) plus the rest that
  // is never text a reader should see
  nonTextTags: [
    'script',
    'style',
    'noscript',
    'template',
    'iframe',
    'object',
    'embed',
    'svg',
    'math',
  ],
};

/** The stored form of a rich text value: only the allow-listed tags and safe links. Idempotent. */
export function sanitizeRichText(html: string): string {
  return sanitizeHtml(html, RICH_TEXT);
}

/**
 * Cleans every rich text value of a record body in place. Called where a write's values are
 * prepared (create, patch, and so bulk, import and the engine's writes), so rules, history and
 * triggers see what is stored, and again where values become columns (codec.ts), which the demo
 * seeder and computed writes reach without preparing.
 */
export function sanitizeRichTextFields(e: CompiledEntity, data: Record<string, unknown>): void {
  for (const [name, f] of Object.entries(e.fields))
    if (f.type === 'richText' && typeof data[name] === 'string')
      data[name] = sanitizeRichText(data[name]);
}
