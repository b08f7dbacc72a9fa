import { Segmented } from 'antd';
import { useI18n } from './i18n';

/** The zh-CN / en switch, on the sign-in card and in the header. */
export function LanguageSwitch({ testId }: { testId?: string }) {
  const { locale, setLocale } = useI18n();
  return (
    <Segmented
      size="small"
      value={locale}
      onChange={(v) => setLocale(v as typeof locale)}
      options={[
        { label: '中文', value: 'zh-CN' },
        { label: 'EN', value: 'en' },
      ]}
      data-testid={testId}
    />
  );
}
