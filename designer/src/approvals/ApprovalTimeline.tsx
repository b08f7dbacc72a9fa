import { useQuery } from '@tanstack/react-query';
import { Space, Tag, Timeline, Typography } from 'antd';
import { PaperClipOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { api, ok, type Schemas } from '../api/client';
import { ErrorState } from '../app/states';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { openFile } from './api';
import { DueTag } from './DueTag';
import {
  eventColor,
  fileSize,
  isKnownEvent,
  isProcessEnd,
  returnTargetOf,
  userName,
  visibleEvents,
} from './timelineView';

export type TimelineData = Schemas['Timeline'];

export function useTimeline(instanceId: number | undefined) {
  return useQuery({
    queryKey: ['timeline', instanceId],
    enabled: !!instanceId,
    queryFn: async () =>
      ok(
        await api.GET('/api/workflow/instances/{id}/timeline', {
          params: { path: { id: instanceId! } },
        }),
      ),
  });
}

/**
 * What happened to an approval, from GET /api/workflow/instances/:id/timeline: every action with
 * who, when, the comment, the files and the people it named; then where it waits now, with whom
 * and until when. `startId` (the process's none start event) tells a return to the initiator.
 */
export function ApprovalTimeline({
  instanceId,
  startId = null,
}: {
  instanceId: number;
  startId?: string | null;
}) {
  const { t } = useI18n();
  const q = useTimeline(instanceId);
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const data = q.data;
  const names = new Map<string, string>();
  for (const e of data?.events ?? [])
    if (e.elementId && e.elementName) names.set(e.elementId, e.elementName);
  for (const c of data?.current ?? []) if (c.elementName) names.set(c.elementId, c.elementName);
  const eventLabel = (event: string) =>
    isKnownEvent(event) ? t(`timeline.${event}` as MessageKey) : event;
  const items = visibleEvents(data?.events ?? []).map((e) => {
    const detail = (e.detail ?? null) as Record<string, unknown> | null;
    const target =
      e.event === 'return' ? returnTargetOf(detail, (id) => names.get(id) ?? null, startId) : null;
    const where =
      e.elementType === 'Process' || !e.elementId ? null : (e.elementName ?? e.elementId);
    return {
      key: e.id,
      color: eventColor(e.event, detail),
      content: (
        <div className="timeline-event" data-testid={`timeline-event-${e.event}`}>
          <div>
            {!isProcessEnd(e) && (
              <Typography.Text strong>{userName(e.actor) || t('timeline.system')} </Typography.Text>
            )}
            <Tag color={eventColor(e.event, detail)} bordered={false}>
              {eventLabel(e.event)}
            </Tag>
            {where && <Typography.Text type="secondary">{where}</Typography.Text>}
            {target && (
              <Typography.Text type="secondary">
                {' → '}
                {target.initiator ? t('timeline.initiator') : target.name}
              </Typography.Text>
            )}
            {e.users.length > 0 && (
              <Typography.Text type="secondary">
                {' → '}
                {e.users.map(userName).join(', ')}
              </Typography.Text>
            )}
            {typeof detail?.position === 'string' && (
              <Typography.Text type="secondary">
                {' '}
                ({t(`approval.position.${detail.position}` as MessageKey)})
              </Typography.Text>
            )}
          </div>
          <Typography.Text type="secondary" className="timeline-at">
            {e.at ? dayjs(e.at).format('YYYY-MM-DD HH:mm') : ''}
          </Typography.Text>
          {e.comment && (
            <div className="timeline-comment">
              <Typography.Text>“{e.comment}”</Typography.Text>
            </div>
          )}
          {e.attachments.length > 0 && (
            <Space size={[8, 4]} wrap>
              {e.attachments.map((a) => (
                <Typography.Link
                  key={a.id}
                  disabled={!a.name}
                  onClick={() => void openFile(a.id)}
                  data-testid="timeline-attachment"
                >
                  <PaperClipOutlined /> {a.name ?? t('timeline.fileGone')}{' '}
                  <Typography.Text type="secondary">{fileSize(a.size)}</Typography.Text>
                </Typography.Link>
              ))}
            </Space>
          )}
        </div>
      ),
    };
  });
  // where it waits now: each open node with its people and due dates
  for (const c of data?.current ?? []) {
    if (!c.tasks.length) continue;
    items.push({
      key: -items.length - 1,
      color: 'orange',
      content: (
        <div className="timeline-event" data-testid="timeline-current">
          <div>
            <Tag color="orange" bordered={false}>
              {t('approval.current')}
            </Tag>
            <Typography.Text strong>{c.elementName ?? c.elementId}</Typography.Text>
          </div>
          {c.tasks.map((task) => (
            <div key={task.id}>
              <Typography.Text>
                {task.assignee
                  ? userName(task.assignee)
                  : [...task.candidateUsers.map(userName), ...task.candidateGroups].join(', ')}
              </Typography.Text>
              {task.kind && task.kind !== 'resubmit' && (
                <Typography.Text type="secondary">
                  {' '}
                  ({t(`timeline.kind.${task.kind}` as MessageKey)})
                </Typography.Text>
              )}
              {task.state !== 'created' && (
                <Typography.Text type="secondary">
                  {' '}
                  · {t(`timeline.state.${task.state}` as MessageKey)}
                </Typography.Text>
              )}{' '}
              <DueTag item={task} />
            </div>
          ))}
        </div>
      ),
    });
  }
  return (
    <Timeline
      data-testid={`instance-timeline-${instanceId}`}
      pending={q.isLoading ? t('common.loading') : undefined}
      items={items}
    />
  );
}
