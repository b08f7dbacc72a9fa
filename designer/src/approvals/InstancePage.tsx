import { lazy, Suspense, useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Card, Space, Typography } from 'antd';
import { api, ok } from '../api/client';
import { ErrorState, Loading } from '../app/states';
import { useAuth } from '../auth/AuthContext';
import { useI18n } from '../i18n/i18n';
import { ApprovalTimeline, useTimeline } from './ApprovalTimeline';
import { InstanceActions } from './InstanceActions';
import { OutcomeTag } from './OutcomeTag';
import { withdrawAllowed } from './processModel';
import { useProcessModel } from './processXml';
import { RecordPreview } from './RecordPreview';
import { userName } from './timelineView';

const ProcessDiagram = lazy(() => import('../inbox/ProcessDiagram'));

/**
 * One approval as its initiator and its CC'd see it (the 我发起的 and 抄送我的 boxes): the
 * record's summary, withdraw and remind for the initiator, the timeline and the diagram. Opening
 * it marks the caller's CC read.
 */
export default function InstancePage() {
  const { instanceId } = useParams();
  const id = Number(instanceId);
  const { t } = useI18n();
  const { me } = useAuth();
  const timeline = useTimeline(id);
  const instance = useQuery({
    queryKey: ['instance', id],
    queryFn: async () =>
      ok(await api.GET('/api/workflow/instances/{id}', { params: { path: { id } } })),
  });
  const inst = instance.data;
  const { xml, model } = useProcessModel(inst?.processKey, inst?.definitionVersion);
  const completed = useMemo(() => Object.keys(inst?.completedElements ?? {}), [inst]);
  const active = useMemo(() => inst?.activeElementIds ?? [], [inst]);
  if (timeline.isLoading) return <Loading />;
  if (timeline.error) return <ErrorState error={timeline.error} />;
  const info = timeline.data!.instance;
  const initiator = info.startedBy?.login ?? null;
  return (
    <div className="task-page" style={{ maxWidth: 980 }}>
      <div className="page-toolbar">
        <Link to="/inbox">← {t('common.back')}</Link>
        <h2 data-testid="instance-title">{info.processName ?? info.processKey}</h2>
        <OutcomeTag state={info.state} outcome={info.outcome ?? null} />
        <Typography.Text type="secondary">
          #{info.id} · {t('approval.startedBy', { name: userName(info.startedBy) || '—' })}
        </Typography.Text>
      </div>
      <Space orientation="vertical" size={12} style={{ width: '100%' }}>
        {info.record && (
          <Card size="small" title={t('inbox.record')}>
            <RecordPreview summary={info.record} />
          </Card>
        )}
        {info.state === 'active' && initiator === me?.user.login && (
          <Card size="small" title={t('approval.mine')}>
            <InstanceActions instanceId={id} withdrawable={withdrawAllowed(model)} />
          </Card>
        )}
        <Card size="small" title={t('inbox.timeline')}>
          <ApprovalTimeline instanceId={id} startId={model?.start ?? null} />
        </Card>
        {inst && (
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
        )}
      </Space>
    </div>
  );
}
