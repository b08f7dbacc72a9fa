import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import { type EntitySchema, type FieldInfo, fieldsOf } from '../entities/model';
import type { I18nText } from '../i18n/i18n';

/** A section of a `form` document (metadata/README.md, "Forms and views"). */
export interface FormDocSection {
  title?: I18nText;
  columns?: number;
  fields: string[];
}

/** The parts of a `form` document the record page reads (as GET /api/meta/entities sends it). */
export interface FormDoc {
  sections?: FormDocSection[];
  tabs?: Array<{ title: I18nText; sections: FormDocSection[] }>;
  readOnly?: string[];
  hidden?: string[];
  widgets?: Record<string, string>;
}

/** A form document resolved for one user and one page: titles in their language, only the fields shown. */
export interface FormLayout {
  tabs: Array<{
    key: string;
    title?: string;
    sections: Array<{ key: string; title?: string; columns: number; fields: string[] }>;
  }>;
}

/** Where fields the form document does not place go (an overlay's new field, say): last, never lost. */
export const OTHER_FIELDS: I18nText = { 'zh-CN': '其他信息', en: 'Other fields' };

/**
 * The sections and tabs of a form document for the fields this page shows: a section keeps the
 * fields the user may see in the document's order, an empty one disappears, and every shown field
 * the document does not place lands in a last section.
 */
export function layoutOf(
  doc: FormDoc,
  shown: string[],
  label: (t: I18nText) => string,
): FormLayout {
  const show = new Set(shown);
  const placed = new Set<string>();
  const tabs = (doc.tabs ?? [{ title: undefined, sections: doc.sections ?? [] }]).map((t, i) => ({
    key: `tab-${i}`,
    title: t.title && label(t.title),
    sections: t.sections
      .map((sec, j) => {
        const fields: string[] = [];
        for (const f of sec.fields)
          if (show.has(f) && !placed.has(f)) {
            placed.add(f);
            fields.push(f);
          }
        return {
          key: `section-${i}-${j}`,
          title: sec.title && label(sec.title),
          columns: sec.columns ?? 2,
          fields,
        };
      })
      .filter((sec) => sec.fields.length > 0),
  }));
  const rest = shown.filter((f) => !placed.has(f));
  if (rest.length)
    tabs[tabs.length - 1].sections.push({
      key: 'section-other',
      title: label(OTHER_FIELDS),
      columns: 2,
      fields: rest,
    });
  return { tabs: tabs.filter((t) => t.sections.length > 0) };
}

/**
 * The form of an entity: with a `form` document, its sections / tabs / order, read-only and
 * hidden fields and widgets; without, every business field in document order. Labels in the
 * current language, a widget per field type. System fields are shown apart (record info);
 * auto-numbers are read-only and left out of a new record.
 */
export function formOf(
  schema: EntitySchema,
  label: (t: I18nText) => string,
  isNew: boolean,
  /** May the user write this field (create or update)? Fields they may not are left out. */
  writable: (field: string) => boolean,
  locale: string,
  /** The entity's form document; without one the form is laid out as the fields come. */
  doc?: FormDoc,
): { schema: RJSFSchema; uiSchema: UiSchema; fields: FieldInfo[] } {
  const hidden = new Set(doc?.hidden ?? []);
  const locked = new Set(doc?.readOnly ?? []);
  const fields = fieldsOf(schema)
    .filter(
      (f) =>
        !f.system &&
        f.type !== 'json' &&
        !hidden.has(f.name) &&
        !(isNew && f.type === 'autoNumber') &&
        (f.type === 'autoNumber' || f.readOnly || writable(f.name)),
    )
    // read-only in this form: shown, never sent (bodyOf skips read-only fields)
    .map((f) => (locked.has(f.name) ? { ...f, readOnly: true } : f));
  const properties: Record<string, RJSFSchema> = {};
  const layout = doc
    ? layoutOf(
        doc,
        fields.map((f) => f.name),
        label,
      )
    : undefined;
  const uiSchema: UiSchema = {
    'ui:order': layout
      ? layout.tabs.flatMap((t) => t.sections.flatMap((sec) => sec.fields))
      : fields.map((f) => f.name),
    'ui:submitButtonOptions': { norender: true },
    ...(layout && { 'ui:options': { layout } }),
  };
  for (const f of fields) {
    const src = schema.properties[f.name];
    let p: RJSFSchema = stripX({ ...src, title: label(f.label) });
    // descriptions are compiled in English only
    if (locale !== 'en') delete p.description;
    const ui: UiSchema = {};
    switch (f.type) {
      case 'select':
        ui['ui:enumNames'] = (src.enum as (string | null)[]).map((v) =>
          v === null
            ? '—'
            : label(f.options?.find((o) => o.value === v)?.label ?? { 'zh-CN': v, en: v }),
        );
        ui['ui:placeholder'] = '—';
        break;
      case 'multiSelect':
        p.items = {
          ...(p.items as RJSFSchema),
          oneOf: (f.options ?? []).map((o) => ({ const: o.value, title: label(o.label) })),
        };
        delete (p.items as RJSFSchema).enum;
        break;
      case 'relation':
        ui['ui:widget'] = 'relation';
        ui['ui:options'] = {
          target: f.relation!.target,
          multiple: f.relation!.kind === 'manyToMany',
        };
        break;
      case 'currency': {
        // edited as its amount (the code shows beside it); bodyOf puts the object back together
        const amount = (src.properties as Record<string, Record<string, unknown>>).amount;
        p = {
          type: f.required ? 'number' : ['number', 'null'],
          title: label(f.label),
          ...(typeof amount.minimum === 'number' && { minimum: amount.minimum }),
          ...(typeof amount.maximum === 'number' && { maximum: amount.maximum }),
        } as RJSFSchema;
        ui['ui:widget'] = 'currency';
        ui['ui:options'] = { currency: f.currency };
        break;
      }
      case 'file':
        ui['ui:widget'] = 'file';
        break;
      case 'longText':
        ui['ui:widget'] = 'textarea';
        ui['ui:options'] = { rows: 3 };
        break;
      case 'richText':
        ui['ui:widget'] = 'richText';
        break;
      case 'datetime':
        ui['ui:widget'] = 'datetime';
        break;
      case 'percent':
        ui['ui:options'] = { suffix: '%' };
        break;
      default:
        break;
    }
    const widget = doc?.widgets?.[f.name];
    if (widget) {
      // the form document's widget for this field (the server checked it fits the type)
      ui['ui:widget'] = widget;
      if (widget === 'textarea') ui['ui:options'] = { ...ui['ui:options'], rows: 3 };
    }
    if (f.readOnly || f.type === 'autoNumber') ui['ui:readonly'] = true;
    properties[f.name] = p;
    uiSchema[f.name] = ui;
  }
  const required = (schema.required ?? []).filter((r) => r in properties);
  return { schema: { type: 'object', properties, required }, uiSchema, fields };
}

/** x- keywords and formats the browser cannot check are left to the server. */
function stripX(s: Record<string, unknown>): RJSFSchema {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-') || k === 'formatMinimum' || k === 'formatMaximum') continue;
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) ? stripX(v as Record<string, unknown>) : v;
  }
  return out as RJSFSchema;
}

/** A record as the form edits it: a currency as its amount. */
export function formValuesOf(
  record: Record<string, unknown>,
  fields: FieldInfo[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = record[f.name];
    if (v === null || v === undefined) continue;
    out[f.name] = f.type === 'currency' ? (v as { amount?: number }).amount : v;
  }
  return out;
}

/** The body of a create or update: only the form's fields, empty values as null on update. */
export function bodyOf(
  formData: Record<string, unknown>,
  fields: FieldInfo[],
  isNew: boolean,
  /** a currency keeps the code the record has (else the field's) */
  stored: Record<string, unknown> = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.readOnly || f.type === 'autoNumber') continue;
    let v = formData[f.name];
    if (f.type === 'currency' && typeof v === 'number') {
      const code = (stored[f.name] as { currency?: string } | null | undefined)?.currency;
      v = { amount: v, currency: code ?? f.currency ?? 'CNY' };
    }
    if (v === undefined || v === '' || v === null) {
      if (!isNew)
        body[f.name] = f.type === 'multiSelect' || f.relation?.kind === 'manyToMany' ? [] : null;
      continue;
    }
    body[f.name] = v;
  }
  return body;
}

/**
 * Server errors ({ path: "/total/amount" }) as rjsf's error schema on those fields. `word` says an
 * error in the user's language (errorMessages.ts); by default the server's message stands.
 */
export function errorSchemaOf<E extends { path?: string; message?: string }>(
  errors: E[],
  fieldNames: Set<string>,
  word: (e: E, field: string | undefined) => string = (e) => e.message ?? '',
): { schema: Record<string, unknown>; rest: string[] } {
  const schema: Record<string, unknown> = {};
  const rest: string[] = [];
  for (const e of errors) {
    const parts = (e.path ?? '').replace(/^\//, '').split('/').filter(Boolean);
    if (!parts.length || !fieldNames.has(parts[0])) {
      rest.push(`${e.path ? `${e.path}: ` : ''}${word(e, undefined)}`);
      continue;
    }
    let node = schema as Record<string, unknown>;
    for (const p of parts.slice(0, 1)) node = (node[p] ??= {}) as Record<string, unknown>;
    ((node.__errors ??= []) as string[]).push(word(e, parts[0]));
  }
  return { schema, rest };
}

/** Does this part of an rjsf error schema hold a message, at any depth? */
export function hasErrors(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  return Object.entries(node).some(([k, v]) =>
    k === '__errors' ? Array.isArray(v) && v.length > 0 : hasErrors(v),
  );
}
