import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, type ButtonProps, Popconfirm, Space, Tooltip } from 'antd';
import { ApiError } from '../api/client';
import { apiCall } from '../api/records';
import type { EntitySummary } from '../entities/queries';
import { useI18n } from '../i18n/i18n';

type I18n = { 'zh-CN': string; en: string };

/** One record action as `GET /api/records/:entity/:id/actions` offers it for this record. */
interface ActionOffer {
  name: string;
  label: I18n;
  description?: I18n;
  confirm?: I18n;
  enabled: boolean;
  reason?: { expression: string };
}

interface ActionResult {
  created: Record<string, { entity: string; id: number }>;
  open: { entity: string; id: number };
  instanceId?: number;
}

const base = (entity: string, id: number) => `/api/records/${encodeURIComponent(entity)}/${id}`;

/** The server's refusal as one line: its message and where (the step / field) each detail is. */
function describe(e: unknown): string {
  if (!(e instanceof ApiError)) return (e as Error).message;
  const where = e.body.errors
    .filter((d) => d.path || d.message)
    .map((d) => (d.path ? `${d.path}: ${d.message ?? ''}` : (d.message ?? '')));
  return [e.body.message, ...where.filter((w) => w && !e.body.message.includes(w))].join(' — ');
}

/**
 * The record page's buttons: button triggers (start their process on the record) and record
 * actions (create linked records, write back, start a process — then open what they created).
 * An action whose `when` does not hold for this record is shown disabled with its condition; a
 * refusal from the server is shown inline, naming the step and field it came from.
 */
export function RecordButtons({
  entity,
  id,
  buttons,
}: {
  entity: string;
  id: number;
  buttons: EntitySummary['buttons'];
}) {
  const { t, label } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const actions = useQuery({
    queryKey: ['record-actions', entity, id],
    queryFn: () => apiCall<{ data: ActionOffer[] }>('GET', `${base(entity, id)}/actions`),
  });
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['record', entity, id] });
    await qc.invalidateQueries({ queryKey: ['record-actions', entity, id] });
    await qc.invalidateQueries({ queryKey: ['instances', entity, id] });
  };
  const press = useMutation({
    mutationFn: (name: string) =>
      apiCall('POST', `${base(entity, id)}/buttons/${encodeURIComponent(name)}`),
    onMutate: () => setError(null),
    onSuccess: async () => {
      message.success(t('actions.started'));
      await refresh();
    },
    onError: (e) => setError(describe(e)),
  });
  const run = useMutation({
    mutationFn: (name: string) =>
      apiCall<ActionResult>('POST', `${base(entity, id)}/actions/${encodeURIComponent(name)}`),
    onMutate: () => setError(null),
    onSuccess: async (r) => {
      message.success(t('actions.done'));
      await refresh();
      await qc.invalidateQueries({ queryKey: ['records'] });
      void navigate(`/records/${r.open.entity}/${r.open.id}`);
    },
    onError: (e) => setError(describe(e)),
  });
  const offers = actions.data?.data ?? [];
  if (!buttons.length && !offers.length) return null;
  const busy = press.isPending || run.isPending;

  return (
    <div style={{ marginBottom: 12 }} data-testid="record-buttons">
      <Space wrap>
        {buttons.map((b) => (
          <Button
            key={`button:${b.name}`}
            data-testid={`record-button-${b.name}`}
            disabled={busy}
            loading={press.isPending && press.variables === b.name}
            onClick={() => press.mutate(b.name)}
          >
            {label(b.label)}
          </Button>
        ))}
        {offers.map((a) => {
          const button = (
            <Button
              type="primary"
              data-testid={`record-action-${a.name}`}
              disabled={busy || !a.enabled}
              loading={run.isPending && run.variables === a.name}
              onClick={a.confirm ? undefined : () => run.mutate(a.name)}
            >
              {label(a.label)}
            </Button>
          );
          const tip = !a.enabled
            ? t('actions.unavailable', { condition: a.reason?.expression ?? '' })
            : a.description && label(a.description);
          const withConfirm =
            a.confirm && a.enabled ? (
              <Popconfirm
                title={label(a.confirm)}
                okText={t('actions.confirm')}
                cancelText={t('common.cancel')}
                okButtonProps={{ 'data-testid': `record-action-confirm-${a.name}` } as ButtonProps}
                onConfirm={() => run.mutate(a.name)}
              >
                {button}
              </Popconfirm>
            ) : (
              button
            );
          return (
            <Tooltip key={`action:${a.name}`} title={tip || undefined}>
              {/* a disabled button swallows hover: the span lets the reason show */}
              <span>{withConfirm}</span>
            </Tooltip>
          );
        })}
      </Space>
      {error && (
        <Alert
          style={{ marginTop: 8 }}
          type="error"
          showIcon
          closable
          onClose={() => setError(null)}
          data-testid="record-buttons-error"
          title={t('actions.failed')}
          description={error}
        />
      )}
    </div>
  );
}
