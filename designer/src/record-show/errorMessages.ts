import type { FieldInfo } from '../entities/model';
import type { MessageKey } from '../i18n/messages';

/** One entry of a 400's `errors` as the server sends it (reason: the JSON Schema keyword...). */
export interface ServerErrorDetail {
  path?: string;
  message?: string;
  reason?: string;
  params?: Record<string, unknown>;
}

type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

const FORMATS: Record<string, MessageKey> = {
  email: 'validation.format.email',
  uri: 'validation.format.url',
  url: 'validation.format.url',
  date: 'validation.format.date',
  'date-time': 'validation.format.dateTime',
  time: 'validation.format.time',
};

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/**
 * A server validation error in the user's language. The server keeps one (English) message and
 * sends the keyword and its parameters; the words are the web app's, so both languages read
 * naturally ("不能超过 100 个字符"). Rule violations already carry the message their metadata
 * authored in the caller's language, and anything unknown keeps the server's text.
 * `optionLabel` turns an allowed select value into its label.
 */
export function localizeError(
  e: ServerErrorDetail,
  t: Translate,
  optionLabel: (value: string) => string = (v) => v,
): string {
  const p = e.params ?? {};
  switch (e.reason) {
    case 'required':
      return t('validation.required');
    case 'maxLength':
      return t('validation.maxLength', { limit: num(p.limit) });
    case 'minLength':
      return num(p.limit) === 1
        ? t('validation.required')
        : t('validation.minLength', { limit: num(p.limit) });
    case 'x-maxBytes':
      return t('validation.maxBytes', { limit: num(p.limit) });
    case 'minimum':
      return t('validation.minimum', { limit: num(p.limit) });
    case 'exclusiveMinimum':
      return t('validation.exclusiveMinimum', { limit: num(p.limit) });
    case 'maximum':
      return t('validation.maximum', { limit: num(p.limit) });
    case 'exclusiveMaximum':
      return t('validation.exclusiveMaximum', { limit: num(p.limit) });
    case 'x-decimal':
      return t('validation.decimal', {
        integer: num(p.precision) - num(p.scale),
        scale: num(p.scale),
      });
    case 'format': {
      const key = FORMATS[String(p.format)];
      return key ? t(key) : t('validation.format');
    }
    case 'formatMinimum':
      return t('validation.notBefore', { limit: String(p.limit) });
    case 'formatMaximum':
      return t('validation.notAfter', { limit: String(p.limit) });
    case 'pattern':
      return t('validation.pattern');
    case 'enum': {
      const allowed = ((p.allowedValues as unknown[] | undefined) ?? [])
        .filter((v) => v !== null)
        .map((v) => optionLabel(String(v)));
      return t('validation.enum', { values: allowed.join(t('validation.listSeparator')) });
    }
    case 'maxItems':
      return t('validation.maxItems', { limit: num(p.limit) });
    case 'minItems':
      return t('validation.minItems', { limit: num(p.limit) });
    case 'uniqueItems':
      return t('validation.uniqueItems');
    case 'type':
      return t('validation.type');
    case 'unique':
      return t('validation.unique');
    case 'reference':
      return t('validation.reference');
    case 'fileType':
      return t('validation.fileType', {
        accept: ((p.accept as string[] | undefined) ?? []).join(', '),
      });
    default:
      return e.message ?? '';
  }
}

/**
 * localizeError for an entity's fields: a select's allowed values read as its option labels. What
 * the record form, the import report and the bulk edit report show.
 */
export function fieldErrorWords(
  t: Translate,
  label: (text: FieldInfo['label'] | undefined, fallback: string) => string,
  fields: FieldInfo[],
): (e: ServerErrorDetail, field: string | undefined) => string {
  const byName = new Map(fields.map((f) => [f.name, f]));
  return (e, field) =>
    localizeError(e, t, (v) =>
      label(byName.get(field ?? '')?.options?.find((o) => o.value === v)?.label, v),
    );
}
