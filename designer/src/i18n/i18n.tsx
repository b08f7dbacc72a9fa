import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { initialLocale, isLocale, LOCALE_KEY, navigatorLanguages, type Locale } from './locale';
import { MESSAGES, type MessageKey } from './messages';

/** A metadata label: every text the metadata carries is { zh-CN, en }. */
export type I18nText = { 'zh-CN': string; en: string };

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
  const [locale, setLocaleState] = useState<Locale>(() =>
    initialLocale(localStorage.getItem(LOCALE_KEY), navigatorLanguages()),
  );
  const setLocale = useCallback((l: Locale) => {
    localStorage.setItem(LOCALE_KEY, l);
    setLocaleState(l);
  }, []);
  const adoptUserLocale = useCallback((l: string | null | undefined) => {
    if (!localStorage.getItem(LOCALE_KEY) && isLocale(l)) setLocaleState(l);
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
