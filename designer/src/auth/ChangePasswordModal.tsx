import { App, Form, Input, Modal } from 'antd';
import { api, ApiError, ok } from '../api/client';
import { setSession } from '../api/session';
import { useI18n } from '../i18n/i18n';

/** Changing the password ends every session (the server says so), so the user signs in again. */
export default function ChangePasswordModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ currentPassword: string; newPassword: string }>();
  const submit = async () => {
    const v = await form.validateFields();
    try {
      ok(await api.POST('/api/auth/password', { body: v }));
      message.success(t('password.changed'));
      onClose();
      setSession(null);
    } catch (e) {
      if (e instanceof ApiError && e.body.errors.length) {
        form.setFields(
          e.body.errors.map((er) => ({
            name:
              (er.path ?? '').replace(/^\//, '') === 'currentPassword'
                ? 'currentPassword'
                : 'newPassword',
            errors: [er.message ?? e.message],
          })),
        );
      } else message.error((e as Error).message);
    }
  };
  return (
    <Modal open={open} title={t('user.password')} onOk={submit} onCancel={onClose} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Form.Item
          name="currentPassword"
          label={t('password.current')}
          rules={[{ required: true }]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label={t('password.new')} rules={[{ required: true }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
