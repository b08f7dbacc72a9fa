import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import { type EntitySchema, type FieldInfo, fieldsOf } from '../entities/model';
import type { I18nText } from '../i18n/i18n';

/**
 * The default form of an entity (no `form` document yet): every business field in document
 * order, labels in the current language, a widget per field type. System fields are shown apart
 * (record info); auto-numbers are read-only and left out of a new record.
 */
export function formOf(
  schema: EntitySchema,
  label: (t: I18nText) => string,
  isNew: boolean,
  /** May the user write this field (create or update)? Fields they may not are left out. */
  writable: (field: string) => boolean,
  locale: string,
): { schema: RJSFSchema; uiSchema: UiSchema; fields: FieldInfo[] } {
  const fields = fieldsOf(schema).filter(
    (f) =>
      !f.system &&
      f.type !== 'json' &&
      !(isNew && f.type === 'autoNumber') &&
      (f.type === 'autoNumber' || f.readOnly || writable(f.name)),
  );
  const properties: Record<string, RJSFSchema> = {};
  const uiSchema: UiSchema = {
    'ui:order': fields.map((f) => f.name),
    'ui:submitButtonOptions': { norender: true },
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
      case 'richText':
        ui['ui:widget'] = 'textarea';
        ui['ui:options'] = { rows: 3 };
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

/** Server errors ({ path: "/total/amount" }) as rjsf's error schema on those fields. */
export function errorSchemaOf(
  errors: { path?: string; message?: string }[],
  fieldNames: Set<string>,
): { schema: Record<string, unknown>; rest: string[] } {
  const schema: Record<string, unknown> = {};
  const rest: string[] = [];
  for (const e of errors) {
    const parts = (e.path ?? '').replace(/^\//, '').split('/').filter(Boolean);
    if (!parts.length || !fieldNames.has(parts[0])) {
      rest.push(`${e.path ? `${e.path}: ` : ''}${e.message ?? ''}`);
      continue;
    }
    let node = schema as Record<string, unknown>;
    for (const p of parts.slice(0, 1)) node = (node[p] ??= {}) as Record<string, unknown>;
    ((node.__errors ??= []) as string[]).push(e.message ?? '');
  }
  return { schema, rest };
}
