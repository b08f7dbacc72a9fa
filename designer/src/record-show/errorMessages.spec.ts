import { MESSAGES, type Locale, type MessageKey } from '../i18n/messages';
import { type ServerErrorDetail, localizeError } from './errorMessages';

/** The provider's t() over the real dictionaries (i18n.tsx does the same replacement). */
const translator =
  (locale: Locale) =>
  (key: MessageKey, vars?: Record<string, string | number>): string =>
    MESSAGES[locale][key].replace(/\{(\w+)\}/g, (_m, v: string) => String(vars?.[v] ?? `{${v}}`));

const zh = translator('zh-CN');
const en = translator('en');
const LEVELS: Record<string, string> = { low: '低', high: '高' };

describe('localizeError', () => {
  // the server's errors as record validation sends them (reason = ajv keyword, params = ajv's)
  it.each<[string, ServerErrorDetail, string, string]>([
    ['required', { reason: 'required', params: { missingProperty: 'name' } }, '必填', 'Required'],
    [
      'maxLength',
      { reason: 'maxLength', params: { limit: 100 } },
      '不能超过 100 个字符',
      'At most 100 characters',
    ],
    [
      'minLength',
      { reason: 'minLength', params: { limit: 3 } },
      '至少 3 个字符',
      'At least 3 characters',
    ],
    [
      'minLength 1 reads as required',
      { reason: 'minLength', params: { limit: 1 } },
      '必填',
      'Required',
    ],
    [
      'email',
      { reason: 'format', params: { format: 'email' } },
      '必须是有效的邮箱地址',
      'Must be a valid email address',
    ],
    [
      'url',
      { reason: 'format', params: { format: 'uri' } },
      '必须是有效的网址',
      'Must be a valid URL',
    ],
    [
      'date',
      { reason: 'format', params: { format: 'date' } },
      '必须是有效的日期（YYYY-MM-DD）',
      'Must be a valid date (YYYY-MM-DD)',
    ],
    [
      'date-time',
      { reason: 'format', params: { format: 'date-time' } },
      '必须是有效的日期时间',
      'Must be a valid date and time',
    ],
    [
      'another format',
      { reason: 'format', params: { format: 'ipv4' } },
      '格式不正确',
      'Invalid format',
    ],
    ['minimum', { reason: 'minimum', params: { limit: 0 } }, '不能小于 0', 'Must be at least 0'],
    ['maximum', { reason: 'maximum', params: { limit: 9 } }, '不能大于 9', 'Must be at most 9'],
    [
      'exclusiveMinimum',
      { reason: 'exclusiveMinimum', params: { limit: 0 } },
      '必须大于 0',
      'Must be more than 0',
    ],
    [
      'date minimum',
      { reason: 'formatMinimum', params: { limit: '2020-01-01' } },
      '不能早于 2020-01-01',
      'Must not be before 2020-01-01',
    ],
    [
      'pattern',
      { reason: 'pattern', params: { pattern: '^1\\d{10}$' } },
      '格式不符合要求',
      'Does not match the required format',
    ],
    [
      'decimal',
      { reason: 'x-decimal', params: { precision: 12, scale: 2 } },
      '整数部分最多 10 位，小数部分最多 2 位',
      'At most 10 digits before and 2 after the decimal point',
    ],
    [
      'bytes',
      { reason: 'x-maxBytes', params: { limit: 255 } },
      '内容过长：不能超过 255 字节（一个汉字占 3 字节）',
      'Too long: at most 255 bytes (a Chinese character takes 3)',
    ],
    [
      'unique',
      { reason: 'unique', message: 'must be unique' },
      '已被其他记录使用，必须唯一',
      'Already used by another record: must be unique',
    ],
    [
      'reference',
      { reason: 'reference', params: { id: 9 } },
      '关联的记录不存在或无权查看',
      'The linked record does not exist or you may not see it',
    ],
    [
      'file type',
      { reason: 'fileType', params: { accept: ['image/', 'application/pdf'] } },
      '不接受此文件类型（image/, application/pdf）',
      'This file type is not accepted (image/, application/pdf)',
    ],
  ])('%s', (_title, detail, zhText, enText) => {
    expect(localizeError(detail, zh)).toBe(zhText);
    expect(localizeError(detail, en)).toBe(enText);
  });

  it('names the allowed options by their labels, without the empty choice', () => {
    const detail = { reason: 'enum', params: { allowedValues: ['low', 'high', null] } };
    expect(localizeError(detail, zh, (v) => LEVELS[v])).toBe('必须是以下之一: 低、高');
    expect(localizeError(detail, en)).toBe('Must be one of: low, high');
  });

  it("keeps a rule's metadata-authored message, and the server's text for what it does not know", () => {
    const rule = { reason: 'rule:closeAfterStart', message: '结束日期不能早于开始日期' };
    expect(localizeError(rule, zh)).toBe('结束日期不能早于开始日期');
    expect(localizeError({ reason: 'someday', message: 'is odd' }, zh)).toBe('is odd');
    expect(localizeError({ message: 'is odd' }, zh)).toBe('is odd');
  });

  it('has every validation text in both languages', () => {
    const keys = Object.keys(MESSAGES.en).filter((k) => k.startsWith('validation.'));
    expect(keys.length).toBeGreaterThan(20);
    for (const k of keys) expect(MESSAGES['zh-CN'][k as MessageKey]).toMatch(/\S/);
    // the Chinese texts are Chinese (a key copied over untranslated would read English)
    for (const k of keys.filter((x) => !/listSeparator|linkUrl/.test(x)))
      expect({ k, text: MESSAGES['zh-CN'][k as MessageKey] }).toEqual({
        k,
        text: expect.stringMatching(/[\u4e00-\u9fff]/),
      });
  });
});
