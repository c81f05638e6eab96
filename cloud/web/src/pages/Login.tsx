/** Local login (username + password) and the customs identity provider's unified login (OIDC). */
import { LockOutlined, SafetyCertificateOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Divider, Form, Input, Segmented, Typography } from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client.js';
import { ENDPOINTS, type AuthConfig } from '../api/types.js';
import { useFetch } from '../hooks.js';
import { useI18n, type Lang } from '../i18n/index.js';
import { useSession } from '../session.js';
import { errorText } from '../util.js';

export function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const { login } = useSession();
  const [params] = useSearchParams();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(params.get('error') === 'CLOUD_AUTH_PENDING' ? t('login.pending') : params.get('error') ? t('login.oidcFailed', { reason: params.get('error')! }) : null);
  const config = useFetch<AuthConfig>(ENDPOINTS.config);
  const oidc = config.error ? true : config.data?.oidc.enabled === true;
  const next = params.get('next');
  const safeNext = next && next.startsWith('/') && !next.startsWith('//') ? next : null;

  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      // The shell takes over at once and sends /login?next=… on (App.tsx AfterLogin).
      await login(v.username.trim(), v.password);
    } catch (e) {
      setError(loginError(t, e));
    } finally {
      setBusy(false); // harmless after a successful login unmounted the page
    }
  };

  return (
    <div className="qs-login">
      <div className="qs-login-lang">
        <Segmented<Lang>
          size="small"
          data-testid="lang-switch"
          value={lang}
          onChange={(v) => setLang(v)}
          options={[
            { label: '中文', value: 'zh' },
            { label: 'EN', value: 'en' },
          ]}
        />
      </div>
      <Card className="qs-login-card">
        <div className="qs-login-head">
          <span className="qs-logo-mark qs-logo-mark-lg">关</span>
          <div>
            <Typography.Title level={4} style={{ margin: 0 }}>
              {t('app.title')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('login.subtitle')}</Typography.Text>
          </div>
        </div>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false} autoComplete="on">
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true, message: t('login.usernameRequired') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" data-testid="login-username" size="large" />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" size="large" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
        {oidc && <Divider plain>{t('login.or')}</Divider>}
        {oidc && (<Button
          block
          size="large"
          icon={<SafetyCertificateOutlined />}
          data-testid="login-oidc"
          onClick={() => {
            window.location.href = `${ENDPOINTS.oidcStart}${safeNext ? `?returnTo=${encodeURIComponent(safeNext)}` : ''}`;
          }}
        >
          {t('login.oidc')}
        </Button>)}
        <Typography.Paragraph type="secondary" className="qs-login-note">
          {t('login.note')}
        </Typography.Paragraph>
      </Card>
    </div>
  );
}

function loginError(t: ReturnType<typeof useI18n>['t'], e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'CLOUD_AUTH_FAILED' || e.status === 401) return t('login.bad');
    if (e.code === 'CLOUD_AUTH_LOCKED') return `${t('login.locked')} ${e.message}`;
    if (e.code === 'CLOUD_AUTH_PENDING') return t('login.pending');
    if (e.code === 'CLOUD_AUTH_RATE_LIMITED' || e.status === 429) return t('login.rateLimited');
  }
  return errorText(t, e);
}
