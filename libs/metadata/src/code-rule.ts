import { localDate } from './calendar/zoned-date';

/**
 * Auto-number code rules such as `KH-{YYYY}{MM}-{seq:5}`: literal text, date tokens and exactly one
 * sequence token. The counter resets whenever the date part of the code changes (per year for
 * `{YYYY}`, per month with `{MM}`, per day with `{DD}`; never without date tokens).
 *
 * Date parts are the business date in the company's time zone (CRM_TIMEZONE), which every caller
 * passes: a customer created at 07:00 in Beijing (23:00 UTC the day before) carries today's date,
 * and a month's counter restarts at midnight Beijing time, not at 08:00.
 */
export type CodeToken =
  | { kind: 'literal'; text: string }
  | { kind: 'date'; part: 'YYYY' | 'YY' | 'MM' | 'DD' }
  | { kind: 'seq'; width: number };

export interface CodeRule {
  tokens: CodeToken[];
}

export class CodeRuleError extends Error {}

const TOKEN = /\{([^{}]*)\}/g;

export function parseCodeRule(rule: string): CodeRule {
  const tokens: CodeToken[] = [];
  let last = 0;
  let seqCount = 0;
  for (const m of rule.matchAll(TOKEN)) {
    if (m.index > last) tokens.push({ kind: 'literal', text: rule.slice(last, m.index) });
    const body = m[1];
    const seq = /^seq:(\d{1,2})$/.exec(body);
    if (seq) {
      const width = Number(seq[1]);
      if (width < 1 || width > 12) throw new CodeRuleError(`{seq:${width}}: width must be 1..12`);
      tokens.push({ kind: 'seq', width });
      seqCount++;
    } else if (body === 'YYYY' || body === 'YY' || body === 'MM' || body === 'DD') {
      tokens.push({ kind: 'date', part: body });
    } else {
      throw new CodeRuleError(`unknown token {${body}} (use {YYYY}, {YY}, {MM}, {DD}, {seq:N})`);
    }
    last = m.index + m[0].length;
  }
  if (last < rule.length) tokens.push({ kind: 'literal', text: rule.slice(last) });
  for (const t of tokens) {
    if (t.kind === 'literal' && /[{}]/.test(t.text)) {
      throw new CodeRuleError(`unbalanced brace in "${t.text}"`);
    }
  }
  if (seqCount !== 1) {
    throw new CodeRuleError(`a code rule needs exactly one {seq:N} token, found ${seqCount}`);
  }
  return { tokens };
}

function datePart(part: 'YYYY' | 'YY' | 'MM' | 'DD', at: Date, timeZone: string): string {
  const d = localDate(at, timeZone);
  switch (part) {
    case 'YYYY':
      return String(d.year);
    case 'YY':
      return String(d.year % 100).padStart(2, '0');
    case 'MM':
      return String(d.month).padStart(2, '0');
    case 'DD':
      return String(d.day).padStart(2, '0');
  }
}

/** The counter's period key: the concatenated date parts ('' = one counter forever). */
export function codePeriod(rule: CodeRule, at: Date, timeZone: string): string {
  return rule.tokens.map((t) => (t.kind === 'date' ? datePart(t.part, at, timeZone) : '')).join('');
}

export function formatCode(rule: CodeRule, at: Date, seq: number, timeZone: string): string {
  return rule.tokens
    .map((t) => {
      switch (t.kind) {
        case 'literal':
          return t.text;
        case 'date':
          return datePart(t.part, at, timeZone);
        case 'seq':
          return String(seq).padStart(t.width, '0');
      }
    })
    .join('');
}
