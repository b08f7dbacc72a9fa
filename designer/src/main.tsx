import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import { AuthProvider } from './auth/AuthContext';
import { App } from './app/App';
import { seedFirstScreen } from './boot/seed';
import { antdLocale, applyDayjsLocale, loadAntdLocale } from './i18n/antdLocale';
import { I18nProvider, useI18n } from './i18n/i18n';
import { initialLocale, LOCALE_KEY, navigatorLanguages } from './i18n/locale';
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
    <ConfigProvider locale={antdLocale(shown)} theme={{ token: { colorPrimary: '#1677ff' } }}>
      <AntApp>
        <AuthProvider>
          <App />
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  );
}

// the first render in Chinese waits for antd's Chinese texts (the early script preloaded them)
void loadAntdLocale(initialLocale(localStorage.getItem(LOCALE_KEY), navigatorLanguages()))
  .catch(() => undefined) // antd's English then, rather than no app
  .then(() => {
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
