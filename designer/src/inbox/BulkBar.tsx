import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Checkbox, Input, Popconfirm, Space, Typography } from 'antd';
import { actOnTasks, refreshApprovalQueries } from '../approvals/api';
import { type Problem, problemOf } from '../approvals/problems';
import { ProblemAlert } from '../approvals/ProblemAlert';
import { useI18n } from '../i18n/i18n';
import { type BulkAction, type BulkResult, resultsOf } from './bulk';

/**
 * Select all on the page, a comment, and approve / reject the selected tasks at once; each task's
 * result comes back to the rows.
 */
export function BulkBar({
  pageTaskIds,
  selected,
  onSelect,
  onResults,
}: {
  pageTaskIds: number[];
  selected: Set<number>;
  onSelect(ids: Set<number>): void;
  onResults(results: Map<number, BulkResult>): void;
}) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const bulk = useMutation({
    mutationFn: (action: BulkAction) =>
      actOnTasks([...selected], action, comment.trim() || undefined),
    onSuccess: async (answer, action) => {
      setProblem(null);
      setComment('');
      onResults(resultsOf(action, answer ?? []));
      await refreshApprovalQueries(qc);
    },
    onError: (e) => setProblem(problemOf(e)),
  });
  const all = pageTaskIds.length > 0 && pageTaskIds.every((id) => selected.has(id));
  const some = selected.size > 0;
  return (
    <div className="bulk-bar" data-testid="bulk-bar">
      <Checkbox
        checked={all}
        indeterminate={some && !all}
        onChange={(e) => onSelect(new Set(e.target.checked ? pageTaskIds : []))}
        data-testid="select-all"
      >
        {some ? t('list.selected', { n: selected.size }) : t('common.all')}
      </Checkbox>
      {some && (
        <Space wrap className="bulk-actions">
          <Input
            size="small"
            placeholder={t('approval.commentPlaceholder')}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            style={{ width: 200 }}
            data-testid="bulk-comment"
          />
          <Button
            size="small"
            type="primary"
            loading={bulk.isPending && bulk.variables === 'approve'}
            onClick={() => bulk.mutate('approve')}
            data-testid="bulk-approve"
          >
            {t('inbox.bulkApprove')}
          </Button>
          <Popconfirm
            title={t('inbox.bulkRejectConfirm', { n: selected.size })}
            okText={t('inbox.reject')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() => bulk.mutate('reject')}
          >
            <Button
              size="small"
              danger
              loading={bulk.isPending && bulk.variables === 'reject'}
              data-testid="bulk-reject"
            >
              {t('inbox.bulkReject')}
            </Button>
          </Popconfirm>
        </Space>
      )}
      {problem && (
        <Typography.Text type="danger">
          <ProblemAlert problem={problem} />
        </Typography.Text>
      )}
    </div>
  );
}
