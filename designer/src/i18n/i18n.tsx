import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { LOCALES, type Locale, MESSAGES, type MessageKey } from './messages';

/** A metadata label: every text the metadata carries is { zh-CN, en }. */
export type I18nText = { 'zh-CN': string; en: string };

const STORAGE_KEY = 'crm.locale';

/** The browser's language when it is one we have, else English. */
export function browserLocale(): Locale {
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const l of langs) {
    if (/^zh\b/i.test(l)) return 'zh-CN';
    if (/^en\b/i.test(l)) return 'en';
  }
  return 'en';
}

export const isLocale = (v: unknown): v is Locale =>
  typeof v === 'string' && (LOCALES as readonly string[]).includes(v);

interface I18n {
  locale: Locale;
  /** The user chose a language (kept in this browser). */
  setLocale(l: Locale): void;
  /** The signed-in user's own locale applies unless they chose one here. */
  adoptUserLocale(l: string | null | undefined): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /** A metadata label in the current language. */
  label(text: I18nText | undefined | null, fallback?: string): string;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => {
    const saved = localStorage.getItem(STORAGE_KEY);
    return isLocale(saved) ? saved : browserLocale();
  });
  const setLocale = useCallback((l: Locale) => {
    localStorage.setItem(STORAGE_KEY, l);
    setLocaleState(l);
  }, []);
  const adoptUserLocale = useCallback((l: string | null | undefined) => {
    if (!localStorage.getItem(STORAGE_KEY) && isLocale(l)) setLocaleState(l);
  }, []);
  const value = useMemo<I18n>(() => {
    const dict = MESSAGES[locale];
    return {
      locale,
      setLocale,
      adoptUserLocale,
      t: (key, vars) =>
        dict[key].replace(/\{(\w+)\}/g, (_m, v: string) => String(vars?.[v] ?? `{${v}}`)),
      label: (text, fallback = '') => (text ? text[locale] || text.en : fallback),
    };
  }, [locale, setLocale, adoptUserLocale]);
  document.documentElement.lang = locale;
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
