import type { ReactNode } from 'react';
import { Tag } from 'antd';
import dayjs from 'dayjs';
import type { FieldInfo } from '../entities/model';
import type { I18nText } from '../i18n/i18n';

/**
 * Amounts with two decimals in the browser's number format. One formatter for every cell:
 * toLocaleString with options builds a new Intl.NumberFormat on each call, which was half of a
 * 50-row list's cell rendering (~25 ms of a list load in a CPU profile).
 */
const amountFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 });

/** A field value as the lists, summaries and kanban cards show it (dates in the browser's time zone). */
export function formatValue(f: FieldInfo, v: unknown, label: (t: I18nText) => string): ReactNode {
  if (v === null || v === undefined || v === '') return '';
  switch (f.type) {
    case 'select': {
      const o = f.options?.find((x) => x.value === v);
      return o ? <Tag color={o.color}>{label(o.label)}</Tag> : String(v);
    }
    case 'multiSelect':
      return (v as string[]).map((x) => {
        const o = f.options?.find((y) => y.value === x);
        return (
          <Tag key={x} color={o?.color}>
            {o ? label(o.label) : x}
          </Tag>
        );
      });
    case 'currency': {
      const c = v as { amount: number; currency?: string };
      return `${c.currency ?? f.currency ?? ''} ${amountFormat.format(Number(c.amount))}`.trim();
    }
    case 'percent':
      return `${String(v)}%`;
    case 'boolean':
      return v ? '✓' : '✗';
    case 'datetime':
      return dayjs(v as string).format('YYYY-MM-DD HH:mm');
    case 'system':
      return /At$/.test(f.name) ? dayjs(v as string).format('YYYY-MM-DD HH:mm') : String(v);
    case 'relation':
      if (typeof v === 'object' && !Array.isArray(v))
        return `#${String((v as { id: unknown }).id)}`;
      return Array.isArray(v) ? v.map((x) => `#${String(x)}`).join(', ') : `#${String(v)}`;
    case 'json':
      return JSON.stringify(v);
    case 'richText':
      // a summary shows the words; the record page renders the (cleaned) HTML itself
      return String(v)
        .replace(/<[^>]*>/g, ' ')
        .replace(/&nbsp;/g, ' ')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&')
        .replace(/\s+/g, ' ')
        .trim();
    default:
      return String(v);
  }
}

/**
 * A many-to-one value as the related record's display text, when the record was read with
 * `include` (the server puts related records under `_related`); else its id.
 */
export function relatedText(
  f: FieldInfo,
  record: Record<string, unknown> | undefined,
  displayFieldOf: (entity: string) => string | undefined,
): string | null {
  if (f.relation?.kind !== 'manyToOne' || !record) return null;
  const rel = (record._related as Record<string, Record<string, unknown> | null> | undefined)?.[
    f.name
  ];
  const df = displayFieldOf(f.relation.target);
  if (rel && df && rel[df] !== null && rel[df] !== undefined) return String(rel[df]);
  return null;
}
