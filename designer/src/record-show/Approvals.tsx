import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { subject } from '@casl/ability';
import { App, Button, Card, Empty, Space, Typography } from 'antd';
import { ApprovalTimeline } from '../approvals/ApprovalTimeline';
import { InstanceActions } from '../approvals/InstanceActions';
import { OutcomeTag } from '../approvals/OutcomeTag';
import { api, ok } from '../api/client';
import type { RecordData } from '../api/records';
import { useAuth } from '../auth/AuthContext';
import { useI18n } from '../i18n/i18n';

/**
 * The record's approvals: each process instance about it with its timeline, and "submit" for the
 * processes made for this entity. Until workflow bindings exist as metadata, a process is offered
 * for an entity when its key starts with the entity's name (quote_approval → quote).
 */
export function Approvals({
  entity,
  id,
  record,
}: {
  entity: string;
  id: number;
  record: RecordData;
}) {
  const { t } = useI18n();
  const { recordAbility, me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const instances = useQuery({
    queryKey: ['instances', entity, id],
    queryFn: async () =>
      ok(
        await api.GET('/api/workflow/instances', {
          params: { query: { record: `${entity}:${id}` } },
        }),
      ).data,
  });
  const definitions = useQuery({
    queryKey: ['definitions'],
    staleTime: 60_000,
    queryFn: async () => ok(await api.GET('/api/workflow/definitions')).data,
  });
  const offered = (definitions.data ?? []).filter((d) => d.key.startsWith(`${entity}_`));
  const submit = useMutation({
    mutationFn: async (processKey: string) =>
      ok(
        await api.POST('/api/workflow/instances', { body: { processKey, record: { entity, id } } }),
      ),
    onSuccess: async () => {
      message.success(t('record.submitted'));
      await qc.invalidateQueries({ queryKey: ['instances', entity, id] });
      await qc.invalidateQueries({ queryKey: ['record', entity, id] });
    },
    onError: (e) => message.error((e as Error).message),
  });
  const running = (instances.data ?? []).some((i) => i.state === 'active');
  // a start rule may name the processes it allows (conditions.processKey): ask per process
  const startable = offered.filter((d) =>
    recordAbility.can('start', subject(entity, { ...record, processKey: d.key })),
  );
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {startable.length > 0 && !running && (
        <Space wrap>
          {startable.map((d) => (
            <Button
              key={d.key}
              type="primary"
              loading={submit.isPending}
              onClick={() => submit.mutate(d.key)}
              data-testid={`submit-${d.key}`}
            >
              {t('record.submitApproval')}: {d.latest.name ?? d.key}
            </Button>
          ))}
        </Space>
      )}
      {!instances.data?.length && <Empty />}
      {(instances.data ?? []).map((i) => (
        <Card
          key={i.id}
          size="small"
          title={
            <>
              #{i.id} {offered.find((d) => d.key === i.processKey)?.latest.name ?? i.processKey}{' '}
              <OutcomeTag state={i.state} outcome={i.outcome ?? null} />
            </>
          }
        >
          {i.state === 'active' && i.startedBy === me?.user.login && (
            <div style={{ marginBottom: 12 }}>
              {/* the process's withdraw setting is checked by the server (409 with the reason) */}
              <InstanceActions instanceId={i.id} withdrawable />
            </div>
          )}
          <ApprovalTimeline instanceId={i.id} />
        </Card>
      ))}
      <Typography.Text type="secondary">v{record.version}</Typography.Text>
    </Space>
  );
}
