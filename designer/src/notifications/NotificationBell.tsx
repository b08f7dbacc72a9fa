import { lazy, Suspense } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Badge, Button, Popover, Spin } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { api, ok } from '../api/client';
import { freshWhileSeeded } from '../boot/fresh';
import { NOTIFICATIONS_KEY } from '../boot/queryKeys';
import { useI18n } from '../i18n/i18n';

// the list (antd List, with its pagination and select) is not part of the first screen
const NotificationList = lazy(() => import('./NotificationList'));

/** The unread count of the caller's in-app notifications (crm:notify tasks write them). */
export function NotificationBell() {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: NOTIFICATIONS_KEY,
    staleTime: freshWhileSeeded,
    refetchInterval: 30_000,
    queryFn: async () => ok(await api.GET('/api/notifications')).data,
  });
  const items = q.data ?? [];
  const unread = items.filter((n) => !n.readAt).length;
  return (
    <Popover
      content={
        <Suspense fallback={<Spin />}>
          <NotificationList items={items} />
        </Suspense>
      }
      title={t('notifications.title')}
      trigger="click"
      placement="bottomRight"
    >
      <Button type="text" aria-label={t('notifications.title')} data-testid="bell">
        <Badge count={unread} size="small" data-testid="bell-count">
          <BellOutlined style={{ fontSize: 18 }} />
        </Badge>
      </Button>
    </Popover>
  );
}
