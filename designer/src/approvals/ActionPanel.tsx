import { lazy, Suspense, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Input, Space } from 'antd';
import type { UserTask } from '../api/client';
import { Loading } from '../app/states';
import { useI18n } from '../i18n/i18n';
import { type ActionBody, type UploadedFile, actOnTask, refreshApprovalQueries } from './api';
import { ActionDialog, type DialogAction } from './ActionDialog';
import { AttachmentsInput } from './AttachmentsInput';
import { type Problem, problemOf, variableErrors } from './problems';
import { ProblemAlert } from './ProblemAlert';
import {
  type ProcessModel,
  type TaskAction,
  nodeSettings,
  offeredActions,
  returnTargets,
} from './processModel';

const TaskVariablesForm = lazy(() => import('./TaskVariablesForm'));

/** Actions after which the task is no longer the caller's: back to the inbox. */
const LEAVES: ReadonlySet<TaskAction> = new Set([
  'approve',
  'reject',
  'return',
  'delegate',
  'transfer',
  'resubmit',
]);
const DIALOG: ReadonlySet<TaskAction> = new Set([
  'return',
  'delegate',
  'transfer',
  'addSigner',
  'cc',
]);

/**
 * The decision on one task: the actions its node allows (approve, reject, return with a target,
 * delegate / transfer / add signer with a user picker, CC, comment), a comment and attachments
 * for whichever is taken, the node's task variables, and the initiator's resubmission of a
 * returned submission. The server's refusal is shown right here.
 */
export function ActionPanel({
  task,
  model,
  completed,
  initiator,
  record,
  me,
}: {
  task: UserTask;
  model: ProcessModel | null;
  /** The instance's completed elements (element id → times): return targets. */
  completed: Record<string, number>;
  initiator: string | null;
  record: { entity: string; id: number } | null;
  me: string;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [comment, setComment] = useState('');
  const [files, setFiles] = useState<UploadedFile[]>([]);
  const [variables, setVariables] = useState<Record<string, unknown>>({});
  const [dialog, setDialog] = useState<DialogAction | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const settings = nodeSettings(model?.nodes.get(task.elementId));
  const actions = offeredActions(settings, task);

  const act = useMutation({
    mutationFn: (body: ActionBody) => actOnTask(task.id, body),
    onSuccess: async (_r, body) => {
      setProblem(null);
      setDialog(null);
      message.success(t(`approval.done.${body.action}`));
      await refreshApprovalQueries(qc);
      if (LEAVES.has(body.action)) void navigate('/inbox');
      else {
        setComment('');
        setFiles([]);
      }
    },
    onError: (e) => setProblem(problemOf(e)),
  });

  const send = (action: TaskAction, extra: Partial<ActionBody> = {}) => {
    const text = comment.trim();
    // approve / reject set `decision`; the variables the node declares go with them
    const vars =
      settings.variablesSchema && (action === 'approve' || action === 'reject') ? variables : {};
    setProblem(null);
    act.mutate({
      action,
      ...(text && { comment: text }),
      ...(files.length && { attachments: files.map((f) => f.id) }),
      ...(Object.keys(vars).length && { variables: vars }),
      ...extra,
    });
  };

  if (!actions.length) return null;
  const resubmitting = task.kind === 'resubmit';
  const showVariables = !!settings.variablesSchema && actions.includes('approve');
  const busy = (a: TaskAction) => act.isPending && act.variables?.action === a;
  const button = (a: TaskAction) => {
    const primary = a === 'approve' || a === 'resubmit';
    return (
      <Button
        key={a}
        type={primary ? 'primary' : 'default'}
        danger={a === 'reject'}
        loading={busy(a)}
        disabled={
          (act.isPending && !busy(a)) || (a === 'comment' && !comment.trim() && !files.length)
        }
        onClick={() => {
          setProblem(null);
          if (DIALOG.has(a)) setDialog(a as DialogAction);
          else send(a);
        }}
        data-testid={a === 'comment' ? 'task-comment-only' : `task-${a}`}
      >
        {a === 'approve' || a === 'reject' ? t(`inbox.${a}`) : t(`approval.${a}`)}
      </Button>
    );
  };
  const main: TaskAction[] = actions.filter(
    (a) => a === 'approve' || a === 'reject' || a === 'resubmit',
  );
  const more = actions.filter((a) => !main.includes(a));
  return (
    <Card size="small" title={t('approval.decide')} className="action-panel">
      <Space orientation="vertical" size={10} style={{ width: '100%' }}>
        {task.owner && (
          <Alert type="info" showIcon title={t('approval.delegatedBy', { name: task.owner })} />
        )}
        {resubmitting && (
          <Alert
            type="warning"
            showIcon
            title={t('approval.resubmitHint')}
            action={
              record && (
                <Link to={`/records/${record.entity}/${record.id}`} data-testid="edit-record">
                  {t('approval.editRecord')}
                </Link>
              )
            }
            data-testid="resubmit-hint"
          />
        )}
        {showVariables && (
          <Suspense fallback={<Loading />}>
            <TaskVariablesForm
              schema={settings.variablesSchema!}
              value={variables}
              onChange={setVariables}
              errors={variableErrors(problem)}
            />
          </Suspense>
        )}
        <Input.TextArea
          rows={2}
          maxLength={2000}
          placeholder={t('approval.commentPlaceholder')}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          data-testid="task-comment"
        />
        <AttachmentsInput value={files} onChange={setFiles} />
        <div className="action-buttons">
          <div className="action-main">{main.map(button)}</div>
          {more.length > 0 && <div className="action-more">{more.map(button)}</div>}
        </div>
        {!dialog && <ProblemAlert problem={problem} hideFields={[/^\/variables\//]} />}
      </Space>
      {dialog && (
        <ActionDialog
          action={dialog}
          targets={
            dialog === 'return' && model
              ? returnTargets(model, task.elementId, settings, completed)
              : []
          }
          initiator={initiator}
          me={me}
          pending={act.isPending}
          problem={problem}
          onSend={(extra) => send(dialog, extra)}
          onClose={() => {
            setDialog(null);
            setProblem(null);
          }}
        />
      )}
    </Card>
  );
}
