import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Popconfirm, Space } from 'antd';
import { useI18n } from '../i18n/i18n';
import { refreshApprovalQueries, remindInstance, withdrawInstance } from './api';
import { type Problem, problemOf } from './problems';
import { ProblemAlert } from './ProblemAlert';

/**
 * What the initiator does to a running approval: withdraw it (撤回; refused with the reason once
 * an approver acted) and remind the approvers (催办; at most hourly, the wait is shown).
 */
export function InstanceActions({
  instanceId,
  withdrawable,
}: {
  instanceId: number;
  /** The process allows withdrawal at all (property `withdraw` is not `never`). */
  withdrawable: boolean;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [problem, setProblem] = useState<Problem | null>(null);
  const withdraw = useMutation({
    mutationFn: () => withdrawInstance(instanceId),
    onSuccess: async () => {
      setProblem(null);
      message.success(t('approval.withdrawn'));
      await refreshApprovalQueries(qc);
    },
    onError: (e) => setProblem(problemOf(e)),
  });
  const remind = useMutation({
    mutationFn: () => remindInstance(instanceId),
    onSuccess: async (r) => {
      setProblem(null);
      message.success(t('approval.reminded', { names: (r.reminded ?? []).join(', ') || '—' }));
      await refreshApprovalQueries(qc);
    },
    onError: (e) => setProblem(problemOf(e)),
  });
  return (
    <Space
      orientation="vertical"
      style={{ width: '100%' }}
      data-testid={`instance-actions-${instanceId}`}
    >
      <Space wrap>
        <Button
          loading={remind.isPending}
          onClick={() => remind.mutate()}
          data-testid="instance-remind"
        >
          {t('approval.remind')}
        </Button>
        {withdrawable && (
          <Popconfirm
            title={t('approval.withdrawConfirm')}
            okText={t('approval.withdraw')}
            cancelText={t('common.cancel')}
            onConfirm={() => withdraw.mutate()}
            okButtonProps={{ danger: true }}
          >
            <Button danger loading={withdraw.isPending} data-testid="instance-withdraw">
              {t('approval.withdraw')}
            </Button>
          </Popconfirm>
        )}
      </Space>
      <ProblemAlert problem={problem} />
    </Space>
  );
}
