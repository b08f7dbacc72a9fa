import { Button, Empty, Result, Spin } from 'antd';
import { ApiError } from '../api/client';
import { useI18n } from '../i18n/i18n';

/** Loading, empty and error states: never a blank screen. */
export function Loading() {
  return <Spin style={{ display: 'block', margin: '64px auto' }} />;
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const status = error instanceof ApiError ? error.status : 0;
  return (
    <Result
      status={status === 403 ? '403' : status === 404 ? '404' : 'error'}
      title={t('common.error')}
      subTitle={(error as Error)?.message}
      extra={onRetry && <Button onClick={onRetry}>{t('common.retry')}</Button>}
      data-testid="error-state"
    />
  );
}

export function EmptyState({ text }: { text?: string }) {
  const { t } = useI18n();
  return <Empty description={text ?? t('common.empty')} />;
}
