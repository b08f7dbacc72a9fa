import type { I18nText } from '../i18n/i18n';

/**
 * What the pages need of an entity, read from its compiled JSON Schema
 * (GET /api/meta/entities/:name/schema): the x- keywords carry field types, labels, options and
 * relations. Pure functions, so list, form and filter builder agree on one reading.
 */
export type FieldType =
  | 'text'
  | 'longText'
  | 'richText'
  | 'integer'
  | 'decimal'
  | 'currency'
  | 'percent'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'email'
  | 'phone'
  | 'url'
  | 'select'
  | 'multiSelect'
  | 'relation'
  | 'autoNumber'
  | 'file'
  | 'json'
  | 'system';

export interface FieldOption {
  value: string;
  label: I18nText;
  color?: string;
}

export interface FieldInfo {
  name: string;
  type: FieldType;
  label: I18nText;
  required: boolean;
  readOnly: boolean;
  system: boolean;
  options?: FieldOption[];
  relation?: { kind: 'manyToOne' | 'oneToOne' | 'manyToMany'; target: string; inverse?: string };
  currency?: string;
}

export interface EntitySchema {
  'x-entity': string;
  'x-label': I18nText;
  'x-display-field': string;
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  [k: string]: unknown;
}

const SYSTEM_LABELS: Record<string, I18nText> = {
  id: { 'zh-CN': 'ID', en: 'ID' },
  owner: { 'zh-CN': '负责人', en: 'Owner' },
  createdAt: { 'zh-CN': '创建时间', en: 'Created' },
  createdBy: { 'zh-CN': '创建人', en: 'Created by' },
  updatedAt: { 'zh-CN': '修改时间', en: 'Updated' },
  updatedBy: { 'zh-CN': '修改人', en: 'Updated by' },
  version: { 'zh-CN': '版本', en: 'Version' },
  deletedAt: { 'zh-CN': '删除时间', en: 'Deleted' },
};

export function fieldsOf(schema: EntitySchema): FieldInfo[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, p]) => {
    const system = p['x-system'] === true;
    const rel = p['x-relation'] as FieldInfo['relation'] | undefined;
    const currencyProps = (p.properties as Record<string, { default?: string }> | undefined)
      ?.currency;
    return {
      name,
      type: (system ? 'system' : p['x-field-type']) as FieldType,
      label: (p['x-label'] as I18nText | undefined) ??
        SYSTEM_LABELS[name] ?? { 'zh-CN': name, en: name },
      required: required.has(name),
      readOnly: p.readOnly === true,
      system,
      options: p['x-options'] as FieldOption[] | undefined,
      relation: rel,
      currency: currencyProps?.default,
    };
  });
}

/** Fields a list shows by default: the display field first, then the first business fields. */
export function defaultColumns(schema: EntitySchema, max = 6): string[] {
  const display = schema['x-display-field'];
  const business = fieldsOf(schema)
    .filter(
      (f) =>
        !f.system &&
        f.type !== 'longText' &&
        f.type !== 'richText' &&
        f.type !== 'json' &&
        f.relation?.kind !== 'manyToMany' &&
        f.type !== 'file',
    )
    .map((f) => f.name)
    .filter((n) => n !== display);
  return [display, ...business].slice(0, max);
}

/** Fields a kanban can group by: a select, or a many-to-one relation (incl. the owner). */
export function groupableFields(schema: EntitySchema): FieldInfo[] {
  return fieldsOf(schema).filter(
    (f) =>
      f.type === 'select' ||
      (f.type === 'relation' && f.relation?.kind === 'manyToOne') ||
      f.name === 'owner',
  );
}

/** The readable text of a record: its display field (a related record's own display field when included). */
export function displayOf(
  record: Record<string, unknown> | null | undefined,
  displayField: string,
): string {
  if (!record) return '';
  const v = record[displayField];
  if (v === null || v === undefined || v === '') return `#${String(record.id)}`;
  if (typeof v === 'object') return `#${String((v as { id?: unknown }).id ?? '')}`;
  return String(v);
}
