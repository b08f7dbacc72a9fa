import type { Locale as AntdLocale } from 'antd/es/locale';
import enUS from 'antd/locale/en_US';
import dayjs from 'dayjs';
import type { Locale } from './locale';

let zhCN: AntdLocale | undefined;

/** Loads what `locale` needs of antd and dayjs (Chinese is a chunk of its own). */
export async function loadAntdLocale(locale: Locale): Promise<void> {
  if (locale === 'zh-CN') zhCN ??= (await import('./zhCN')).default;
}

/** antd's texts for `locale`; undefined while Chinese is still loading. */
export function antdLocale(locale: Locale): AntdLocale | undefined {
  return locale === 'zh-CN' ? zhCN : enUS;
}

/** dayjs's month and weekday names follow the app's language once they are loaded. */
export function applyDayjsLocale(locale: Locale): void {
  dayjs.locale(locale === 'zh-CN' && zhCN ? 'zh-cn' : 'en');
}
