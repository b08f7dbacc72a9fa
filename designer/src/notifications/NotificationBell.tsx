import { useQuery } from '@tanstack/react-query';
import { Badge, Button, Empty, List, Popover, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { api, ok } from '../api/client';
import { useI18n } from '../i18n/i18n';

/** The unread count of the caller's in-app notifications (crm:notify tasks write them). */
export function NotificationBell() {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: ['notifications'],
    refetchInterval: 30_000,
    queryFn: async () => ok(await api.GET('/api/notifications')).data,
  });
  const items = q.data ?? [];
  const unread = items.filter((n) => !n.readAt).length;
  const content = items.length ? (
    <List
      size="small"
      style={{ width: 320, maxHeight: 400, overflow: 'auto' }}
      dataSource={items}
      data-testid="notification-list"
      renderItem={(n) => (
        <List.Item>
          <List.Item.Meta
            title={<span style={{ fontWeight: n.readAt ? 400 : 600 }}>{n.subject}</span>}
            description={
              <Typography.Text type="secondary">
                {n.body ? `${n.body} · ` : ''}
                {n.createdAt ? dayjs(n.createdAt).format('YYYY-MM-DD HH:mm') : ''}
              </Typography.Text>
            }
          />
        </List.Item>
      )}
    />
  ) : (
    <Empty description={t('notifications.empty')} />
  );
  return (
    <Popover
      content={content}
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
