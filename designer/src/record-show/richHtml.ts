/**
 * The server stores rich text only as allow-listed HTML (libs/records/src/rich-text.ts). The
 * browser cleans it once more before showing it, with the same list: a value stored before the
 * server cleaned (or written around it) must still never run. The HTML is parsed into an inert
 * document (DOMParser runs no script and loads no image), walked, and rebuilt from what is allowed.
 */
const ALLOWED = new Set([
  'P',
  'BR',
  'B',
  'STRONG',
  'I',
  'EM',
  'U',
  'UL',
  'OL',
  'LI',
  'A',
  'H1',
  'H2',
  'H3',
  'BLOCKQUOTE',
  'CODE',
  'PRE',
]);
/** Dropped with everything inside; other unknown tags are unwrapped (their text stays). */
const DROPPED = new Set([
  'SCRIPT',
  'STYLE',
  'NOSCRIPT',
  'TEMPLATE',
  'IFRAME',
  'OBJECT',
  'EMBED',
  'SVG',
  'MATH',
  'HEAD',
  'TITLE',
]);

/** Is this href a link we may keep (http, https, mailto)? A bare host gets https:// in front. */
export function safeHref(href: string): string | null {
  const v = href.trim();
  if (!v) return null;
  if (/^(https?:\/\/|mailto:)/i.test(v)) return v;
  // no scheme at all ("example.com/x"): a web address
  if (!/^[a-z][a-z0-9+.-]*:/i.test(v) && !v.startsWith('//')) return `https://${v}`;
  return null;
}

function copyInto(from: Node, to: Node, doc: Document): void {
  for (const child of Array.from(from.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      to.appendChild(doc.createTextNode(child.textContent ?? ''));
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) continue; // comments, processing instructions
    const el = child as Element;
    const tag = el.tagName.toUpperCase();
    if (DROPPED.has(tag)) continue;
    if (!ALLOWED.has(tag)) {
      copyInto(el, to, doc);
      continue;
    }
    const out = doc.createElement(tag.toLowerCase());
    if (tag === 'A') {
      // only absolute http(s) and mailto links: no script, no data, no relative guesswork
      const href = el.getAttribute('href')?.trim() ?? '';
      if (/^(https?:\/\/|mailto:)/i.test(href)) {
        out.setAttribute('href', href);
        out.setAttribute('target', '_blank');
        out.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    }
    copyInto(el, out, doc);
    to.appendChild(out);
  }
}

/** Allow-listed HTML for showing or editing; links open in a new tab without an opener. */
export function cleanHtml(html: string): string {
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  const out = document.implementation.createHTMLDocument('');
  const root = out.createElement('div');
  copyInto(parsed.body, root, out);
  return root.innerHTML;
}

/** Does this HTML show any text (an editor emptied by the user leaves `<p><br></p>`)? */
export function isBlankHtml(html: string): boolean {
  return !new DOMParser().parseFromString(html, 'text/html').body.textContent?.trim();
}
