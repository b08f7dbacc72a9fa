import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import { AuthProvider } from './auth/AuthContext';
import { currentSession } from './api/session';
import { App, preloadPage } from './app/App';
import { pageOf } from './boot/pages';
import { seedFirstScreen } from './boot/seed';
import { antdLocale, applyDayjsLocale, loadAntdLocale } from './i18n/antdLocale';
import { I18nProvider, useI18n } from './i18n/i18n';
import { initialLocale, LOCALE_KEY, navigatorLanguages } from './i18n/locale';
// antd's styles as one prebuilt file (zero-runtime mode below): computing them in the browser
// (CSS-in-JS) took a third of the first screen's main-thread time; ours come after, to override
import 'antd/dist/antd.css';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
});

function Localised() {
  const { locale } = useI18n();
  // a switch to Chinese shows antd's texts in the language before until its chunk is in
  const [shown, setShown] = useState(locale);
  useEffect(() => {
    let live = true;
    void loadAntdLocale(locale).then(() => live && setShown(locale));
    return () => {
      live = false;
    };
  }, [locale]);
  applyDayjsLocale(shown);
  return (
    <ConfigProvider
      locale={antdLocale(shown)}
      theme={{ token: { colorPrimary: '#1677ff' }, zeroRuntime: true }}
    >
      <AntApp>
        <AuthProvider>
          <App />
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  );
}

/**
 * How long the first render waits for the page's rows asked for by the early script: rendering
 * the page without them (an empty table, a spinner) keeps the main thread busy for about as long
 * as rendering it with them, and while it is busy the answer cannot be taken either.
 */
const ROWS_WAIT_MS = 1000;

// The first render waits for antd's Chinese texts when in Chinese, for the page the address
// opens (the early script preloaded both): it is then the page's, not a fallback's; and a little
// for the page's rows (boot/seed.ts puts them into the cache).
const page = currentSession() ? pageOf(location.pathname) : 'login';
const rows = window.__crmEarly?.rows;
void Promise.all([
  rows &&
    Promise.race([rows.catch(() => undefined), new Promise((r) => setTimeout(r, ROWS_WAIT_MS))]),
  loadAntdLocale(initialLocale(localStorage.getItem(LOCALE_KEY), navigatorLanguages())).catch(
    () => undefined, // antd's English then, rather than no app
  ),
  page && preloadPage(page).catch(() => undefined), // React.lazy tries again as it renders
]).then(() => {
  seedFirstScreen(queryClient);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <I18nProvider>
          <Localised />
        </I18nProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
});
