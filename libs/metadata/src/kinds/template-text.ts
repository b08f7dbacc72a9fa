/**
 * The text of `template` documents: `{{ path }}` placeholders over a fixed, documented context.
 * Pure functions, shared by validation (unknown placeholders are errors with a pointer) and by the
 * notifier that renders messages; nothing here evaluates expressions, so a template can show data
 * but never compute or call anything.
 */

/** The context every template may read (values are filled by the notifier). */
export const TEMPLATE_PLACEHOLDERS: Readonly<Record<string, string>> = {
  'recipient.displayName': 'the recipient’s display name (else their login)',
  'recipient.login': 'the recipient’s login',
  actor: 'who caused the message: display name, else login',
  comment: 'the comment given with the action (empty when none)',
  taskName: 'the user task’s name (else its element id)',
  processName: 'the process definition’s name (else its key)',
  instanceId: 'the process instance id',
  taskId: 'the task id (empty for instance-level messages)',
  link: 'where to open it in the web app (PUBLIC_URL + /inbox/<task> or /records/<entity>/<id>)',
  recordTitle: 'the display field of the record the instance is about',
  recordType: 'the label of that record’s entity, in the recipient’s language',
  outcome: 'how the approval ended (approved, rejected, withdrawn, cancelled), translated',
  dueAt: 'the task’s due date and time in the company time zone (CRM_TIMEZONE)',
};

/** `record.<field>`: any field of the record (system fields included). */
export const RECORD_PLACEHOLDER = /^record\.([A-Za-z_][A-Za-z0-9_]*)$/;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export interface ScannedPlaceholder {
  /** The path between the braces, trimmed. */
  path: string;
  /** The placeholder as written, e.g. `{{ taskName }}`. */
  raw: string;
  /** Offset of its `{{` in the text. */
  at: number;
}

export interface ScannedTemplate {
  placeholders: ScannedPlaceholder[];
  /** Offsets of `{{` or `}}` that belong to no well-formed placeholder. */
  stray: number[];
}

/** Finds the placeholders of a template text, and the braces that form none. */
export function scanTemplate(text: string): ScannedTemplate {
  const placeholders: ScannedPlaceholder[] = [];
  const covered: Array<[number, number]> = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    placeholders.push({ path: m[1], raw: m[0], at: m.index });
    covered.push([m.index, m.index + m[0].length]);
  }
  const stray: number[] = [];
  for (const m of text.matchAll(/\{\{|\}\}/g)) {
    if (!covered.some(([a, b]) => m.index >= a && m.index < b)) stray.push(m.index);
  }
  return { placeholders, stray };
}

/** Why a placeholder path cannot be rendered, or null when it is part of the context. */
export function placeholderProblem(path: string): string | null {
  if (!PATH.test(path)) return `"${path}" is not a path (letters, digits, _ and dots)`;
  if (path in TEMPLATE_PLACEHOLDERS || RECORD_PLACEHOLDER.test(path)) return null;
  return `unknown placeholder "${path}"; known: ${Object.keys(TEMPLATE_PLACEHOLDERS).join(', ')}, record.<field>`;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * One context value as text: lists joined, money as "amount CODE", a related record by its
 * display value; null and undefined as nothing (a template never shows "null").
 */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(formatValue).filter(Boolean).join(', ');
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('amount' in o && 'currency' in o)
      return `${formatValue(o.amount)} ${formatValue(o.currency)}`;
    for (const k of ['display', 'name', 'label', 'title'])
      if (typeof o[k] === 'string') return o[k];
    if ('id' in o) return formatValue(o.id);
    return JSON.stringify(v);
  }
  return String(v);
}

/** Reads a dotted path from the context (own properties only: `constructor` finds nothing). */
export function lookupPath(ctx: Record<string, unknown>, path: string): unknown {
  let node: unknown = ctx;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * Fills the placeholders of `text` from `ctx`. In HTML every value is escaped, so a comment such
 * as `<script>` arrives as text; in plain text values go in as they are. Placeholders the
 * validation would refuse render as nothing (a document applied before a rule tightened).
 */
export function renderTemplate(
  text: string,
  ctx: Record<string, unknown>,
  opts: { html: boolean },
): string {
  return text.replace(PLACEHOLDER, (_raw, path: string) => {
    if (placeholderProblem(path)) return '';
    const s = formatValue(lookupPath(ctx, path));
    return opts.html ? escapeHtml(s) : s;
  });
}
