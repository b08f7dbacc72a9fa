import { useState } from 'react';
import { Alert, Button, Card, Form, Input } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { ApiError } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { LanguageSwitch } from '../i18n/LanguageSwitch';
import { useAuth } from './AuthContext';

export default function LoginPage() {
  const { t } = useI18n();
  const { login } = useAuth();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: { login: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await login(v.login, v.password);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401
          ? t('login.failed')
          : String((e as Error).message),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="login-page">
      <Card
        title={`${t('app.title')} · ${t('login.title')}`}
        style={{ width: 360, maxWidth: '92vw' }}
        extra={<LanguageSwitch />}
      >
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="login" label={t('login.login')} rules={[{ required: true }]}>
            <Input
              prefix={<UserOutlined />}
              autoComplete="username"
              autoFocus
              data-testid="login-name"
            />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true }]}>
            <Input.Password
              prefix={<LockOutlined />}
              autoComplete="current-password"
              data-testid="login-password"
            />
          </Form.Item>
          {error && (
            <Alert
              type="error"
              title={error}
              style={{ marginBottom: 16 }}
              data-testid="login-error"
            />
          )}
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
