/** Page furniture: a title row with actions, and a banner for a failed or not-yet-available request. */
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, Button, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.js';
import { useI18n } from '../i18n/index.js';
import { errorText, isMissingRoute } from '../util.js';

export function PageHeader({ title, sub, extra, onBack }: { title: ReactNode; sub?: ReactNode; extra?: ReactNode; onBack?: () => void }) {
  return (
    <div className="qs-page-header">
      <Space align="center" wrap>
        {onBack && <Button type="text" icon={<ArrowLeftOutlined />} onClick={onBack} aria-label="back" />}
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="page-title">
          {title}
        </Typography.Title>
        {sub && <span className="qs-page-sub">{sub}</span>}
      </Space>
      {extra && <div className="qs-page-extra">{extra}</div>}
    </div>
  );
}

/** Shows a request's failure; a route the server does not have yet reads as "not available yet". */
export function Problem({ error, what }: { error: ApiError | null | undefined; what?: string }) {
  const { t } = useI18n();
  if (!error) return null;
  if (isMissingRoute(error)) return <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('error.notAvailable')} description={what} />;
  return <Alert type="error" showIcon style={{ marginBottom: 16 }} message={errorText(t, error)} />;
}
