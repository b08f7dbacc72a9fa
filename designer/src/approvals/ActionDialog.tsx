import { useState } from 'react';
import { Button, Modal, Radio, Segmented, Space, Typography } from 'antd';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import type { ActionBody } from './api';
import type { Problem } from './problems';
import { ProblemAlert } from './ProblemAlert';
import type { ReturnTarget } from './processModel';
import { UserPicker } from './UserPicker';

/** The actions that need a choice first: where to return to, or whom to hand work to. */
export type DialogAction = 'return' | 'delegate' | 'transfer' | 'addSigner' | 'cc';
type Position = NonNullable<ActionBody['position']>;

const HINT: Record<Exclude<DialogAction, 'return' | 'addSigner'>, MessageKey> = {
  delegate: 'approval.delegateHint',
  transfer: 'approval.transferHint',
  cc: 'approval.ccHint',
};

/**
 * Picks the return target (the initiator or a node already passed) or the users of a delegate,
 * transfer, add-signer or CC, then sends the action with the panel's comment and attachments.
 * The server's refusal stays visible in the dialog.
 */
export function ActionDialog({
  action,
  targets,
  initiator,
  me,
  pending,
  problem,
  onSend,
  onClose,
}: {
  action: DialogAction;
  targets: ReturnTarget[];
  initiator: string | null;
  me: string;
  pending: boolean;
  problem: Problem | null;
  onSend(extra: Partial<ActionBody>): void;
  onClose(): void;
}) {
  const { t } = useI18n();
  const [target, setTarget] = useState<string | undefined>(targets[0]?.value);
  const [users, setUsers] = useState<string[]>([]);
  const [position, setPosition] = useState<Position>('before');
  const ready = action === 'return' ? !!target : users.length > 0;
  const send = () =>
    onSend(
      action === 'return'
        ? { targetElementId: target }
        : { userIds: users, ...(action === 'addSigner' && { position }) },
    );
  const targetLabel = (x: ReturnTarget) =>
    x.value === 'initiator'
      ? t('approval.toInitiator', { name: initiator ?? '—' })
      : (x.name ?? x.value);
  return (
    <Modal
      open
      title={t(`approval.${action}`)}
      onCancel={onClose}
      footer={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button
            type="primary"
            disabled={!ready}
            loading={pending}
            onClick={send}
            data-testid="action-dialog-ok"
          >
            {t(`approval.${action}`)}
          </Button>
        </Space>
      }
      destroyOnHidden
      data-testid="action-dialog"
    >
      <Space orientation="vertical" style={{ width: '100%' }} size={12}>
        {action === 'return' &&
          (targets.length ? (
            <>
              <Typography.Text type="secondary">{t('approval.returnTo')}</Typography.Text>
              <Radio.Group
                value={target}
                onChange={(e) => setTarget(e.target.value as string)}
                style={{ display: 'flex', flexDirection: 'column', gap: 8 }}
                options={targets.map((x) => ({
                  value: x.value,
                  label: <span data-testid={`return-target-${x.value}`}>{targetLabel(x)}</span>,
                }))}
              />
            </>
          ) : (
            <Typography.Text type="warning">{t('approval.noReturnTarget')}</Typography.Text>
          ))}
        {action === 'addSigner' && (
          <>
            <Segmented
              block
              value={position}
              onChange={(v) => setPosition(v as Position)}
              options={(['before', 'after', 'alongside'] as const).map((p) => ({
                value: p,
                label: t(`approval.position.${p}`),
              }))}
              data-testid="signer-position"
            />
            <Typography.Text type="secondary">
              {t(`approval.positionHint.${position}`)}
            </Typography.Text>
          </>
        )}
        {action !== 'return' && action !== 'addSigner' && (
          <Typography.Text type="secondary">{t(HINT[action])}</Typography.Text>
        )}
        {action !== 'return' && (
          <UserPicker
            value={users}
            onChange={setUsers}
            multiple={action === 'addSigner' || action === 'cc'}
            exclude={[me]}
            testId="user-picker"
          />
        )}
        <ProblemAlert problem={problem} />
      </Space>
    </Modal>
  );
}
