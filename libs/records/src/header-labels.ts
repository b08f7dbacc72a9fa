import type { CompiledEntity, FieldDef, I18nText } from '@crm/metadata';
import type { Locale } from './record-validator';
import type { Column } from './tabular';

/**
 * Column headers a person reads: a file for people (`headers=labels` on export, the web app's
 * downloads and templates) names its columns by the fields' labels in the user's language
 * ("客户名称", not "name"). Import accepts those labels in either language as well as field names,
 * so a labelled file imports back unchanged and field names keep working for scripts.
 */

/** Labels of the system columns (the web app shows the same ones). */
const SYSTEM_LABELS: Record<string, I18nText> = {
  id: { 'zh-CN': 'ID', en: 'ID' },
  owner: { 'zh-CN': '负责人', en: 'Owner' },
  createdAt: { 'zh-CN': '创建时间', en: 'Created' },
  createdBy: { 'zh-CN': '创建人', en: 'Created by' },
  updatedAt: { 'zh-CN': '修改时间', en: 'Updated' },
  updatedBy: { 'zh-CN': '修改人', en: 'Updated by' },
};

const LOCALES: Locale[] = ['zh-CN', 'en'];

/** The currency code column of a currency field: "年营业额（币种）" / "Annual revenue (currency)". */
const currencyLabel = (label: string, locale: Locale): string =>
  locale === 'zh-CN' ? `${label}（币种）` : `${label} (currency)`;

function fieldLabel(e: CompiledEntity, field: string): I18nText | undefined {
  return e.fields[field]?.label ?? SYSTEM_LABELS[field];
}

/** A column's header in the user's language (the field name when the field has no label). */
export function columnLabel(e: CompiledEntity, c: Column, locale: Locale): string {
  const label = fieldLabel(e, c.field)?.[locale]?.trim() || c.field;
  return c.part === 'currency' ? currencyLabel(label, locale) : label;
}

export function labelledColumns(e: CompiledEntity, columns: Column[], locale: Locale): Column[] {
  return columns.map((c) => ({ ...c, header: columnLabel(e, c, locale), labels: locale }));
}

/** A select option as people read it ("成交客户", not "active"); an unknown value stays as is. */
export function optionLabel(f: FieldDef, value: string, locale: Locale): string {
  const o = f.options?.find((x) => x.value === value);
  return o?.label[locale]?.trim() || value;
}

/**
 * A cell of a select column as the option's value: the value itself, or an option's label in
 * either language when exactly one option has it (a label two options share is left as typed, and
 * validation then names the allowed values).
 */
export function optionValue(f: FieldDef, cell: string): string {
  const text = cell.trim();
  const options = f.options ?? [];
  if (options.some((o) => o.value === text)) return text;
  const hits = options.filter((o) => LOCALES.some((l) => o.label[l]?.trim() === text));
  return hits.length === 1 ? hits[0].value : cell;
}

/**
 * Every label a file may use as a header, in either language, mapped to the header by field
 * name (`amount`, `amount.currency`). A label two columns share would be a guess, so it is left
 * out (the header then reads as unknown, and the file can say the field name instead); a label
 * that is another field's name is left out too, since names always win.
 */
export function headerAliases(e: CompiledEntity): Map<string, string> {
  const names = new Set([...Object.keys(e.fields), ...Object.keys(SYSTEM_LABELS)]);
  const found = new Map<string, Set<string>>();
  const add = (alias: string, header: string) => {
    if (!alias || names.has(alias)) return;
    const set = found.get(alias) ?? new Set<string>();
    found.set(alias, set.add(header));
  };
  for (const field of names) {
    const label = fieldLabel(e, field);
    if (!label) continue;
    for (const locale of LOCALES) {
      const text = label[locale]?.trim();
      if (!text) continue;
      add(text, field);
      if (e.fields[field]?.type === 'currency')
        add(currencyLabel(text, locale), `${field}.currency`);
    }
  }
  const aliases = new Map<string, string>();
  for (const [alias, headers] of found) if (headers.size === 1) aliases.set(alias, [...headers][0]);
  return aliases;
}
