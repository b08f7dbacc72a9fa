import { Link } from 'react-router';
import { Badge, Checkbox, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { CheckboxLook } from '../app/CheckboxLook';
import { SecondaryText } from '../app/SecondaryText';
import { DueTag } from '../approvals/DueTag';
import { OutcomeTag } from '../approvals/OutcomeTag';
import { RecordPreview } from '../approvals/RecordPreview';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import type { BulkResult } from './bulk';
import { PriorityTag } from './PriorityTag';
import type { Box, InboxItem } from './queries';

/** Where an item opens: its task (pending, done), else the approval itself (cc, initiated). */
export const itemLink = (box: Box, item: InboxItem): string =>
  (box === 'pending' || box === 'done') && item.taskId
    ? `/inbox/${item.taskId}`
    : `/approvals/${item.instanceId}`;

/**
 * One inbox item as a card (one column, so it works on a phone): the node and process, the
 * record's preview, who submitted it and when, the due state, what happened to it, and the
 * outcome of a bulk action on it.
 */
export function InboxRow({
  box,
  item,
  selectable,
  selected,
  onSelect,
  result,
  antdCheckbox = true,
}: {
  box: Box;
  item: InboxItem;
  selectable: boolean;
  selected: boolean;
  onSelect(on: boolean): void;
  result?: BulkResult;
  /** false on the first screen's first render: its look without antd's component (CheckboxLook) */
  antdCheckbox?: boolean;
}) {
  const { t } = useI18n();
  const title = item.nodeName ?? item.processName ?? item.processKey;
  const unread = box === 'cc' && item.cc && !item.cc.readAt;
  // a task box lists tasks; the cc and initiated boxes list approvals (instances)
  const key =
    (box === 'pending' || box === 'done') && item.taskId
      ? String(item.taskId)
      : `i${item.instanceId}`;
  return (
    <div
      // task-item: what `npm run bench:web` waits for (the rows on screen)
      className={`inbox-row task-item${result && !result.ok ? ' inbox-row-failed' : ''}`}
      data-testid={`inbox-item-${key}`}
    >
      {selectable && !antdCheckbox && (
        <CheckboxLook
          checked={selected}
          onChange={onSelect}
          label={title}
          testId={`select-${item.taskId}`}
        />
      )}
      {selectable && antdCheckbox && (
        <Checkbox
          checked={selected}
          onChange={(e) => onSelect(e.target.checked)}
          aria-label={title}
          data-testid={`select-${item.taskId}`}
        />
      )}
      <div className="inbox-row-body">
        <div className="inbox-row-title">
          {unread && <Badge status="processing" />}
          <Link to={itemLink(box, item)} data-testid={`open-${key}`}>
            {title}
          </Link>
          {item.nodeName && item.processName && (
            <SecondaryText> · {item.processName}</SecondaryText>
          )}
          <span className="inbox-row-tags">
            <DueTag item={item} />
            {box === 'pending' && <PriorityTag priority={item.priority} />}
            {box === 'done' && item.outcome && (
              <Tag bordered={false}>{t(`timeline.${item.outcome}` as MessageKey)}</Tag>
            )}
            {(box === 'cc' || box === 'initiated') && (
              <OutcomeTag state={item.instanceState} outcome={item.instanceOutcome ?? null} />
            )}
          </span>
        </div>
        {item.record && <RecordPreview summary={item.record} link={false} />}
        <SecondaryText className="inbox-row-meta">
          {item.startedBy && t('approval.startedBy', { name: item.startedBy })}
          {item.createdAt && ` · ${dayjs(item.createdAt).format('YYYY-MM-DD HH:mm')}`}
          {box === 'cc' && item.cc?.by && ` · ${t('inbox.ccBy', { name: item.cc.by })}`}
          {(box === 'cc' || box === 'initiated') &&
            item.openTasks?.length &&
            ` · ${t('approval.current')}: ${item.openTasks
              .map((x) => `${x.nodeName ?? x.nodeId}${x.assignee ? ` (${x.assignee})` : ''}`)
              .join(', ')}`}
        </SecondaryText>
        {result && (
          <div data-testid={`bulk-result-${item.taskId}`}>
            {result.ok ? (
              <Tag color="green">{t(`approval.done.${result.action}`)}</Tag>
            ) : (
              <Typography.Text type="danger">
                <Tag color="red">{t('inbox.bulkFailed')}</Tag>
                {result.message}
              </Typography.Text>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
