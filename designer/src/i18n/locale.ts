/**
 * Which language the app starts in: the one the user chose in this browser, else the browser's.
 * No React here: the early script in index.html (boot/early.ts) asks the API in the same language
 * the app will, before the app has loaded.
 */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Where the user's choice is kept (localStorage). */
export const LOCALE_KEY = 'crm.locale';

export const isLocale = (v: unknown): v is Locale =>
  typeof v === 'string' && (LOCALES as readonly string[]).includes(v);

/** The first of the browser's languages we have, else English. */
export function browserLocale(langs: readonly string[]): Locale {
  for (const l of langs) {
    if (/^zh\b/i.test(l)) return 'zh-CN';
    if (/^en\b/i.test(l)) return 'en';
  }
  return 'en';
}

/** The saved choice when it is a language we have, else the browser's. */
export function initialLocale(saved: string | null, langs: readonly string[]): Locale {
  return isLocale(saved) ? saved : browserLocale(langs);
}

/** The browser's languages, most preferred first. */
export const navigatorLanguages = (): readonly string[] =>
  navigator.languages?.length ? navigator.languages : [navigator.language];
