import { Result } from 'antd';
import { Link } from 'react-router';
import { useI18n } from '../i18n/i18n';

/** An address no page answers (its own chunk: antd's Result is not part of the first screen). */
export default function NotFound() {
  const { t } = useI18n();
  return <Result status="404" title="404" extra={<Link to="/">{t('nav.home')}</Link>} />;
}
