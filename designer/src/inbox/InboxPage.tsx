import { useState } from 'react';
import { Link } from 'react-router';
import { Badge, List, Segmented, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import type { UserTask } from '../api/client';
import { EmptyState, ErrorState, Loading } from '../app/states';
import { useI18n } from '../i18n/i18n';
import { type TaskState, useTasks } from './queries';

const PAGE = 20;

/** Pending and done tasks with their counts; one column of cards, so it works on a phone too. */
export default function InboxPage() {
  const { t } = useI18n();
  const [state, setState] = useState<TaskState>('created');
  const pending = useTasks('created');
  const done = useTasks('completed');
  const current = state === 'created' ? pending : done;
  return (
    <div style={{ maxWidth: 880 }}>
      <div className="page-toolbar">
        <h2>{t('inbox.title')}</h2>
        <Segmented
          value={state}
          onChange={(v) => setState(v as TaskState)}
          data-testid="inbox-tabs"
          options={[
            {
              value: 'created',
              label: (
                <span data-testid="inbox-pending">
                  {t('inbox.pending')}{' '}
                  <Badge count={pending.data?.length ?? 0} showZero color="#ff4d4f" />
                </span>
              ),
            },
            {
              value: 'completed',
              label: (
                <span data-testid="inbox-done">
                  {t('inbox.done')}{' '}
                  <Badge count={done.data?.length ?? 0} showZero color="#8c8c8c" />
                </span>
              ),
            },
          ]}
        />
      </div>
      {current.isLoading ? (
        <Loading />
      ) : current.error ? (
        <ErrorState error={current.error} onRetry={() => void current.refetch()} />
      ) : !current.data?.length ? (
        <EmptyState text={t('inbox.empty')} />
      ) : (
        <List
          dataSource={current.data}
          // a page at a time: an approver with a thousand open tasks works through them in order
          pagination={
            current.data.length > PAGE
              ? { pageSize: PAGE, size: 'small', showSizeChanger: false }
              : false
          }
          data-testid="task-list"
          renderItem={(task: UserTask) => (
            <List.Item
              className="task-item"
              style={{ background: '#fff', padding: '12px 16px', marginBottom: 8, borderRadius: 8 }}
            >
              <List.Item.Meta
                title={
                  <Link to={`/inbox/${task.id}`} data-testid={`task-${task.id}`}>
                    {task.name ?? task.elementId}
                  </Link>
                }
                description={
                  <Typography.Text type="secondary">
                    #{task.instanceId} ·{' '}
                    {task.createdAt ? dayjs(task.createdAt).format('YYYY-MM-DD HH:mm') : ''}
                    {task.assignee && (
                      <>
                        {' '}
                        · {t('inbox.assignee')}: {task.assignee}
                      </>
                    )}
                  </Typography.Text>
                }
              />
              {task.candidateGroups?.map((g) => (
                <Tag key={g}>{g}</Tag>
              ))}
            </List.Item>
          )}
        />
      )}
    </div>
  );
}
