import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, List, Space, Typography } from 'antd';
import { DeleteOutlined, ShareAltOutlined } from '@ant-design/icons';
import { addShare, listShares, removeShare } from '../api/records';
import { ErrorState } from '../app/states';
import { UserPicker } from '../approvals/UserPicker';
import { useAuth } from '../auth/AuthContext';
import { useI18n } from '../i18n/i18n';

/**
 * Whom the record is shared with (they then read it as their role's `$sharedWithMe` rules allow):
 * add a colleague with the user picker, remove one. RecordPage shows this tab only to users who
 * may update the record, as the server requires for sharing.
 */
export function SharesTab({ entity, id }: { entity: string; id: number }) {
  const { t } = useI18n();
  const { me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [picked, setPicked] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const key = ['shares', entity, id];
  const shares = useQuery({ queryKey: key, queryFn: () => listShares(entity, id) });
  if (shares.error) return <ErrorState error={shares.error} />;
  const data = shares.data?.data ?? [];
  const name = (s: { login: string; displayName: string | null }) =>
    s.displayName ? `${s.displayName} (${s.login})` : s.login;

  const act = async (work: () => Promise<void>, done: string) => {
    setBusy(true);
    try {
      await work();
      message.success(done);
      await qc.invalidateQueries({ queryKey: key });
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="shares">
      <Typography.Paragraph type="secondary">{t('record.sharesHint')}</Typography.Paragraph>
      <Space.Compact style={{ width: '100%', maxWidth: 520, marginBottom: 16 }}>
        <UserPicker
          value={picked}
          onChange={setPicked}
          multiple={false}
          exclude={[me?.user.login ?? '', ...data.map((s) => s.login)]}
          testId="share-picker"
        />
        <Button
          type="primary"
          icon={<ShareAltOutlined />}
          disabled={!picked.length}
          loading={busy}
          data-testid="share-add"
          onClick={() =>
            void act(
              async () => {
                await addShare(entity, id, picked[0]);
                setPicked([]);
              },
              t('record.shared', { name: picked[0] }),
            )
          }
        >
          {t('record.shareWith')}
        </Button>
      </Space.Compact>
      <List
        size="small"
        bordered
        loading={shares.isLoading}
        locale={{ emptyText: t('record.sharesEmpty') }}
        dataSource={data}
        renderItem={(s) => (
          <List.Item
            data-testid={`share-${s.login}`}
            actions={[
              <Button
                key="remove"
                size="small"
                danger
                type="text"
                icon={<DeleteOutlined />}
                aria-label={`${t('record.unshare')} ${name(s)}`}
                data-testid={`share-remove-${s.login}`}
                onClick={() =>
                  void act(
                    () => removeShare(entity, id, s.login),
                    t('record.unshared', { name: name(s) }),
                  )
                }
              >
                {t('record.unshare')}
              </Button>,
            ]}
          >
            {name(s)}
          </List.Item>
        )}
      />
    </div>
  );
}
