/**
 * The audit log (安全审计): entries chained by SM3 hash, newest first, filtered by action and actor and
 * paged by cursor; "verify the chain" asks the server to recompute every hash and says whether the chain
 * is intact or where it breaks.
 */
import { ReloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Input, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { AuditEntry, AuditPage, AuditVerify } from '../api/types.js';
import { PageHeader, Problem } from '../components/Page.js';
import { useFetch } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { errorText } from '../util.js';

function actionColour(a: string): string {
  if (a.includes('fail') || a.includes('lockout')) return 'red';
  if (a.startsWith('auth.')) return 'blue';
  if (a.startsWith('user.') || a.startsWith('org.')) return 'purple';
  return 'cyan';
}

export default function Audit() {
  const { t, dt, num } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const [filters, setFilters] = useState({ action: '', actor: '' });
  const [draft, setDraft] = useState({ action: '', actor: '' });
  const first = useFetch<AuditPage>('/api/audit', { ...filters, limit: 50 }, { enabled: can('audit.read') });
  const [more, setMore] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const [verifying, setVerifying] = useState(false);

  useEffect(() => {
    setMore([]);
    setNext(first.data?.next ?? null);
  }, [first.data]);

  const loadMore = async () => {
    if (next === null) return;
    try {
      const p = await api.get<AuditPage>('/api/audit', { ...filters, before: next, limit: 50 });
      setMore((m) => [...m, ...p.entries]);
      setNext(p.next);
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };
  const runVerify = async () => {
    setVerifying(true);
    try {
      setVerify(await api.get<AuditVerify>('/api/audit/verify'));
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setVerifying(false);
    }
  };
  const rows = [...(first.data?.entries ?? []), ...more];

  return (
    <>
      <PageHeader
        title={t('nav.audit')}
        extra={
          <Space wrap>
            {can('audit.verify') && (
              <Button type="primary" icon={<SafetyCertificateOutlined />} loading={verifying} onClick={() => void runVerify()} data-testid="audit-verify">
                {t('audit.verify')}
              </Button>
            )}
            {can('audit.read') && <Button icon={<ReloadOutlined />} onClick={first.reload} />}
          </Space>
        }
      />
      {verify &&
        (verify.ok ? (
          <Alert
            type="success"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="audit-verify-result"
            data-ok="true"
            message={t('audit.intact', { count: num(verify.count) })}
            description={verify.head ? <span>{t('audit.head', { seq: verify.head.seq })} <Typography.Text code>{verify.head.hash}</Typography.Text></span> : undefined}
          />
        ) : (
          <Alert type="error" showIcon style={{ marginBottom: 16 }} data-testid="audit-verify-result" data-ok="false" message={t('audit.broken', { seq: verify.brokenAt, count: num(verify.count) })} description={verify.reason} />
        ))}
      {can('audit.read') && (
        <Card>
          <Problem error={first.error} />
          <Space wrap style={{ marginBottom: 12 }}>
            <Input allowClear placeholder={t('audit.action')} value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} style={{ width: 180 }} />
            <Input allowClear placeholder={t('audit.actor')} value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} style={{ width: 160 }} />
            <Button onClick={() => setFilters({ action: draft.action.trim(), actor: draft.actor.trim() })}>{t('common.search')}</Button>
          </Space>
          <Table<AuditEntry>
            rowKey="seq"
            size="small"
            loading={first.loading && !first.data}
            dataSource={rows}
            pagination={false}
            className="qs-table-nowrap"
            scroll={{ x: 'max-content' }}
            expandable={{
              expandedRowRender: (e) => (
                <Space direction="vertical" size={4} style={{ width: '100%' }}>
                  <Typography.Text type="secondary">prevHash</Typography.Text>
                  <Typography.Text code className="qs-mono-cell">{e.prevHash}</Typography.Text>
                  <Typography.Text type="secondary">hash (SM3)</Typography.Text>
                  <Typography.Text code className="qs-mono-cell">{e.hash}</Typography.Text>
                  <Typography.Text type="secondary">{t('audit.detail')}</Typography.Text>
                  <pre className="qs-pre">{JSON.stringify(e.detail, null, 2)}</pre>
                </Space>
              ),
            }}
            columns={[
              { title: '#', dataIndex: 'seq', width: 70 },
              { title: t('common.time'), dataIndex: 'ts', render: (v: number) => dt(v), width: 170 },
              { title: t('audit.actor'), dataIndex: 'actor', render: (v: string | null) => <span className="qs-nowrap">{v ?? '—'}</span> },
              { title: t('audit.action'), dataIndex: 'action', render: (a: string) => <Tag color={actionColour(a)}>{a}</Tag> },
              {
                title: t('audit.target'),
                key: 'target',
                render: (_, e) =>
                  e.targetType ? (
                    <Tooltip title={e.targetId}>
                      <span className="qs-nowrap">
                        {e.targetType}
                        {e.targetId ? ` · ${/^[0-9a-f-]{36}$/.test(e.targetId) ? `${e.targetId.slice(0, 8)}…` : e.targetId}` : ''}
                      </span>
                    </Tooltip>
                  ) : (
                    '—'
                  ),
              },
              { title: 'IP', dataIndex: 'ip', render: (v: string | null) => v ?? '—' },
              { title: 'SM3', dataIndex: 'hash', render: (h: string) => <Typography.Text code className="qs-nowrap">{h.slice(0, 10)}…</Typography.Text> },
            ]}
          />
          {next !== null && (
            <div style={{ textAlign: 'center', marginTop: 12 }}>
              <Button onClick={() => void loadMore()}>{t('common.loadMore')}</Button>
            </div>
          )}
        </Card>
      )}
    </>
  );
}
