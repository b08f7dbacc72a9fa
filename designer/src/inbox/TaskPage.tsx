import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Input, Space, Tag } from 'antd';
import { InstanceTimeline, useProcessXml } from './InstanceTimeline';
import { api, ok } from '../api/client';
import { getRecord } from '../api/records';
import { ErrorState, Loading } from '../app/states';
import { displayOf, fieldsOf } from '../entities/model';
import { useEntities, useEntitySchema } from '../entities/queries';
import { useI18n } from '../i18n/i18n';
import { formatValue, relatedText } from '../record-show/format';

const ProcessDiagram = lazy(() => import('./ProcessDiagram'));

/**
 * One task: the record it is about (summary), the instance's timeline, the diagram with the
 * current node, and the decision. Approve / reject complete the task with `approved` true / false
 * and the comment as process variables (what the shipped quote approval reads).
 */
export default function TaskPage() {
  const { taskId } = useParams();
  const id = Number(taskId);
  const { t, label } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [comment, setComment] = useState('');

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
  const xml = useProcessXml(inst?.processKey, inst?.definitionVersion);
  const rec = inst?.record ?? null;
  const schema = useEntitySchema(rec?.entity);
  const entities = useEntities();
  const displayFieldOf = (e: string) => entities.data?.data.find((x) => x.name === e)?.displayField;
  const manyToOne = schema.data
    ? fieldsOf(schema.data)
        .filter((x) => x.relation?.kind === 'manyToOne')
        .map((x) => x.name)
    : [];
  const record = useQuery({
    queryKey: ['record', rec?.entity, rec?.id, 'summary'],
    enabled: !!rec && !!schema.data,
    queryFn: () => getRecord(rec!.entity, rec!.id, manyToOne),
  });

  const complete = useMutation({
    mutationFn: async (approved: boolean) => {
      const v = task.data!;
      if (!v.assignee) ok(await api.POST('/api/tasks/{id}/claim', { params: { path: { id } } }));
      return ok(
        await api.POST('/api/tasks/{id}/complete', {
          params: { path: { id } },
          body: { variables: { approved, ...(comment.trim() && { comment: comment.trim() }) } },
        }),
      );
    },
    onSuccess: async (_r, approved) => {
      message.success(approved ? t('inbox.approved') : t('inbox.rejected'));
      await qc.invalidateQueries({ queryKey: ['tasks'] });
      void navigate('/inbox');
    },
    onError: (e) => message.error((e as Error).message),
  });

  const completed = useMemo(() => Object.keys(inst?.completedElements ?? {}), [inst]);
  const active = useMemo(() => inst?.activeElementIds ?? [], [inst]);

  if (task.isLoading) return <Loading />;
  if (task.error) return <ErrorState error={task.error} />;
  const tk = task.data!;
  const open = tk.state === 'created';
  const summaryFields = schema.data
    ? fieldsOf(schema.data)
        .filter(
          (f) => !f.system && f.type !== 'longText' && f.type !== 'richText' && f.type !== 'file',
        )
        .slice(0, 8)
    : [];
  return (
    <div className="task-page" style={{ maxWidth: 980 }}>
      <div className="page-toolbar">
        <Link to="/inbox">← {t('common.back')}</Link>
        <h2 data-testid="task-title">{tk.name ?? tk.elementId}</h2>
        <Tag color={open ? 'orange' : 'green'}>{open ? t('inbox.pending') : t('inbox.done')}</Tag>
      </div>
      <Space direction="vertical" size={12} style={{ width: '100%' }}>
        {rec && (
          <Card
            size="small"
            title={`${t('inbox.record')}: ${schema.data ? label(schema.data['x-label']) : rec.entity}`}
            extra={
              <Link to={`/records/${rec.entity}/${rec.id}`}>
                {record.data && schema.data
                  ? displayOf(record.data, schema.data['x-display-field'])
                  : `#${rec.id}`}
              </Link>
            }
          >
            {record.error ? (
              <ErrorState error={record.error} />
            ) : (
              <Descriptions size="small" column={{ xs: 1, sm: 2 }} data-testid="task-record">
                {summaryFields.map((f) => (
                  <Descriptions.Item key={f.name} label={label(f.label)}>
                    {relatedText(f, record.data, displayFieldOf) ??
                      formatValue(f, record.data?.[f.name], label)}
                  </Descriptions.Item>
                ))}
              </Descriptions>
            )}
          </Card>
        )}
        {open && (
          <Card size="small" title={t('inbox.complete')}>
            <Input.TextArea
              rows={2}
              placeholder={t('inbox.comment')}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              data-testid="task-comment"
            />
            <Space style={{ marginTop: 12 }} wrap>
              <Button
                type="primary"
                loading={complete.isPending && complete.variables}
                onClick={() => complete.mutate(true)}
                data-testid="task-approve"
              >
                {t('inbox.approve')}
              </Button>
              <Button
                danger
                loading={complete.isPending && !complete.variables}
                onClick={() => complete.mutate(false)}
                data-testid="task-reject"
              >
                {t('inbox.reject')}
              </Button>
            </Space>
          </Card>
        )}
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
        <Card size="small" title={t('inbox.timeline')}>
          {inst && (
            <InstanceTimeline
              id={inst.id}
              processKey={inst.processKey}
              version={inst.definitionVersion}
            />
          )}
        </Card>
      </Space>
    </div>
  );
}
