import { useQuery } from '@tanstack/react-query';
import { Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { api, ok } from '../api/client';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';

/** A deployed version's XML (the diagram, and the element names the timeline shows). */
export function useProcessXml(key: string | undefined, version: number | undefined) {
  return useQuery({
    queryKey: ['bpmn', key, version],
    enabled: !!key && version !== undefined,
    staleTime: Infinity,
    queryFn: async () =>
      ok(
        await api.GET('/api/workflow/definitions/{key}/xml', {
          params: { path: { key: key! }, query: { version: version! } },
          parseAs: 'text',
        }),
      ) as unknown as string,
  });
}

/** Element id → name, read from the BPMN XML. */
export function elementNames(xml: string | undefined): Map<string, string> {
  const names = new Map<string, string>();
  if (!xml) return names;
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  for (const el of Array.from(doc.querySelectorAll('[id][name]')))
    names.set(el.getAttribute('id')!, el.getAttribute('name')!);
  return names;
}

const SHOWN = new Set([
  'Process:start',
  'UserTask:start',
  'UserTask:complete',
  'EndEvent:end',
  'Process:end',
  'Process:cancelled',
]);

/**
 * What happened in an instance, for people: submitted, waiting at a task, decided (approve /
 * reject with the comment, who and when), ended.
 */
export function InstanceTimeline({
  id,
  processKey,
  version,
}: {
  id: number;
  processKey: string;
  version: number;
}) {
  const { t } = useI18n();
  const xml = useProcessXml(processKey, version);
  const names = elementNames(xml.data);
  const history = useQuery({
    queryKey: ['instance-history', id],
    queryFn: async () =>
      ok(await api.GET('/api/workflow/instances/{id}/history', { params: { path: { id } } })).data,
  });
  const items = (history.data ?? []).filter((h) => SHOWN.has(`${h.elementType}:${h.event}`));
  return (
    <Timeline
      data-testid={`instance-timeline-${id}`}
      pending={history.isLoading ? t('common.loading') : undefined}
      items={items.map((h) => {
        const vars =
          h.event === 'complete'
            ? (h.detail as { approved?: unknown; comment?: unknown } | null)
            : null;
        const what = h.elementId ? (names.get(h.elementId) ?? h.elementId) : processKey;
        return {
          color:
            vars?.approved === false
              ? 'red'
              : h.event === 'start' && h.elementType === 'UserTask'
                ? 'orange'
                : 'green',
          content: (
            <>
              <Typography.Text strong>{what}</Typography.Text>{' '}
              <Typography.Text type="secondary">
                {t(eventKey(h.elementType, h.event))}
              </Typography.Text>
              {h.actor && <> · {h.actor}</>}
              <Typography.Text type="secondary">
                {' '}
                · {h.at ? dayjs(h.at).format('YYYY-MM-DD HH:mm') : ''}
              </Typography.Text>
              {vars?.approved === true && (
                <Tag color="green" style={{ marginInlineStart: 8 }}>
                  {t('inbox.approved')}
                </Tag>
              )}
              {vars?.approved === false && (
                <Tag color="red" style={{ marginInlineStart: 8 }}>
                  {t('inbox.rejected')}
                </Tag>
              )}
              {typeof vars?.comment === 'string' && (
                <div>
                  <Typography.Text italic>“{vars.comment}”</Typography.Text>
                </div>
              )}
            </>
          ),
        };
      })}
    />
  );
}

function eventKey(type: string, event: string): MessageKey {
  if (type === 'UserTask' && event === 'start') return 'event.waiting';
  if (event === 'complete') return 'event.complete';
  if (event === 'cancelled') return 'event.cancelled';
  return event === 'start' ? 'event.start' : 'event.end';
}
