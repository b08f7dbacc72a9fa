import { lazy, Suspense, useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Space, Tag } from 'antd';
import { api, ok } from '../api/client';
import { ErrorState, Loading } from '../app/states';
import { useAuth } from '../auth/AuthContext';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { ActionPanel } from '../approvals/ActionPanel';
import { DueTag } from '../approvals/DueTag';
import { InstanceActions } from '../approvals/InstanceActions';
import { ApprovalTimeline } from '../approvals/ApprovalTimeline';
import { mayActOn, withdrawAllowed } from '../approvals/processModel';
import { useProcessModel } from '../approvals/processXml';
import { RecordSummary } from '../approvals/RecordSummary';

const ProcessDiagram = lazy(() => import('./ProcessDiagram'));

/** A task's state as a tag: open, waiting for its turn (signers first), done, or cancelled. */
const STATE_TAG: Record<string, [string, MessageKey]> = {
  created: ['orange', 'inbox.pending'],
  suspended: ['blue', 'inbox.waiting'],
  pending: ['blue', 'inbox.waiting'],
  completed: ['green', 'inbox.done'],
  cancelled: ['default', 'inbox.cancelled'],
};

/**
 * One task: the record it is about (summary), the decision (the actions its node allows), the
 * initiator's withdraw and remind, the instance's timeline, and the diagram with the current node.
 */
export default function TaskPage() {
  const { taskId } = useParams();
  const id = Number(taskId);
  const { t } = useI18n();
  const { me, ability } = useAuth();
  const login = me?.user.login ?? '';

  const task = useQuery({
    queryKey: ['task', id],
    queryFn: async () => ok(await api.GET('/api/tasks/{id}', { params: { path: { id } } })),
  });
  const instanceId = task.data?.instanceId;
  const instance = useQuery({
    queryKey: ['instance', instanceId],
    enabled: !!instanceId,
    queryFn: async () =>
      ok(await api.GET('/api/workflow/instances/{id}', { params: { path: { id: instanceId! } } })),
  });
  const inst = instance.data;
  const { xml, model } = useProcessModel(inst?.processKey, inst?.definitionVersion);
  const completed = useMemo(() => Object.keys(inst?.completedElements ?? {}), [inst]);
  const active = useMemo(() => inst?.activeElementIds ?? [], [inst]);

  if (task.isLoading) return <Loading />;
  if (task.error) return <ErrorState error={task.error} />;
  const tk = task.data!;
  const open = tk.state === 'created';
  const mine = mayActOn(tk, login, me?.roles ?? []);
  const operator = ability.can('operate', 'Workflow');
  const initiator = inst?.startedBy ?? null;
  const holders = tk.assignee
    ? [tk.assignee]
    : [...(tk.candidateUsers ?? []), ...(tk.candidateGroups ?? [])];
  return (
    <div className="task-page" style={{ maxWidth: 980 }}>
      <div className="page-toolbar">
        <Link to="/inbox">← {t('common.back')}</Link>
        <h2 data-testid="task-title">
          {tk.kind === 'resubmit' ? t('approval.resubmitTitle') : (tk.name ?? tk.elementId)}
        </h2>
        <Tag color={STATE_TAG[tk.state]?.[0] ?? 'default'} data-testid="task-state">
          {t(STATE_TAG[tk.state]?.[1] ?? 'inbox.done')}
        </Tag>
        <DueTag item={tk} />
      </div>
      <Space orientation="vertical" size={12} style={{ width: '100%' }}>
        {inst?.record && <RecordSummary record={inst.record} />}
        {tk.state === 'suspended' && (
          <Alert
            type="info"
            showIcon
            title={t('approval.suspended')}
            data-testid="task-suspended"
          />
        )}
        {open && !mine && (
          <Alert
            type="info"
            showIcon
            title={t('approval.waitingFor', { who: holders.join(', ') || '—' })}
            data-testid="task-waiting"
          />
        )}
        {open && (mine || operator) && inst && (xml.data || xml.error) && (
          <>
            {!mine && <Alert type="warning" showIcon title={t('approval.operator')} />}
            <ActionPanel
              task={tk}
              model={model}
              completed={inst.completedElements ?? {}}
              initiator={initiator}
              record={inst.record ?? null}
              me={login}
            />
          </>
        )}
        {inst && inst.state === 'active' && initiator === login && (
          <Card size="small" title={t('approval.mine')}>
            <InstanceActions instanceId={inst.id} withdrawable={withdrawAllowed(model)} />
          </Card>
        )}
        <Card size="small" title={t('inbox.timeline')}>
          {inst && <ApprovalTimeline instanceId={inst.id} startId={model?.start ?? null} />}
        </Card>
        <Card size="small" title={t('inbox.diagram')}>
          {xml.data ? (
            <Suspense fallback={<Loading />}>
              <ProcessDiagram xml={xml.data} completed={completed} active={active} />
            </Suspense>
          ) : xml.error ? (
            <ErrorState error={xml.error} />
          ) : (
            <Loading />
          )}
        </Card>
      </Space>
    </div>
  );
}
