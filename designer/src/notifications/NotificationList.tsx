import { Empty, List, Typography } from 'antd';
import dayjs from 'dayjs';
import type { NotificationItem } from '../api/client';
import { useI18n } from '../i18n/i18n';

/** The bell's list: its own chunk, loaded when the bell is first opened. */
export default function NotificationList({ items }: { items: NotificationItem[] }) {
  const { t } = useI18n();
  if (!items.length) return <Empty description={t('notifications.empty')} />;
  return (
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
  );
}
