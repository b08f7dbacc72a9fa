import { Tag } from 'antd';
import { useI18n } from '../i18n/i18n';

/**
 * A task's priority (zeebe:priorityDefinition, 0 to 100) as Tasklist labels its upper bands: high
 * from 51, critical from 76. Lower ones (the default is 50) show nothing: a tag on every row would
 * say nothing.
 */
export function PriorityTag({ priority }: { priority?: number | null }) {
  const { t } = useI18n();
  if (priority === undefined || priority === null || priority <= 50) return null;
  const critical = priority > 75;
  return (
    <Tag
      color={critical ? 'magenta' : 'gold'}
      data-testid={`priority-${critical ? 'critical' : 'high'}`}
    >
      {t(critical ? 'inbox.priorityCritical' : 'inbox.priorityHigh')}
    </Tag>
  );
}
