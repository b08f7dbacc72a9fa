import { Tag, Tooltip } from 'antd';
import dayjs from 'dayjs';
import { useI18n } from '../i18n/i18n';
import { dueOf } from './due';

/** "Due soon" (orange) or "overdue" (red) with the due time; "due <time>" in grey otherwise. */
export function DueTag({ item }: { item: object }) {
  const { t } = useI18n();
  const due = dueOf(item);
  if (!due) return null;
  const when = due.at ? dayjs(due.at).format('MM-DD HH:mm') : '';
  if (due.state === 'ok')
    return when ? (
      <Tag bordered={false} data-testid="due-ok">
        {t('inbox.dueAt', { at: when })}
      </Tag>
    ) : null;
  return (
    <Tooltip title={due.at ? dayjs(due.at).format('YYYY-MM-DD HH:mm') : undefined}>
      <Tag color={due.state === 'overdue' ? 'red' : 'orange'} data-testid={`due-${due.state}`}>
        {t(due.state === 'overdue' ? 'inbox.overdue' : 'inbox.dueSoon')}
        {when && ` · ${when}`}
      </Tag>
    </Tooltip>
  );
}
