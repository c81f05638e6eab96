/**
 * 数据源 (connectors): kind, schedule, last run with rows in / out / rejected, health; a connector's run
 * history with each attempt's error; run now and the JSON definition editor (platform.manage), whose
 * save shows the server's validation errors; running jobs polled while there are any.
 */
import { EditOutlined, HistoryOutlined, PlayCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Drawer, Input, Modal, Progress, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client.js';
import { PF, platform, type ConnectorRow, type RunRecord } from '../../api/platform.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useFetch } from '../../hooks.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText } from '../../util.js';
import { HealthTag, NameCell, RunStatus, ValidationList, healthOf, scheduleText, tk, useNumber } from './common.js';

const TEMPLATE = {
  id: 'new-source',
  name: '新数据源',
  provider: '',
  source: { kind: 'file-inbox', dir: 'inbox/new-source', pattern: '*.csv' },
  schedule: { type: 'manual' },
  target: { dataset: 'topic_enterprise' },
};

function RunsDrawer({ connector, onClose }: { connector: string | null; onClose(): void }) {
  const { t, dt } = useI18n();
  const fmt = useNumber();
  const runs = useFetch<{ items: RunRecord[]; total: number }>(connector ? PF.runs : null, { connector: connector ?? undefined, limit: 100 }, { pollMs: 3000 });
  return (
    <Drawer open={connector !== null} onClose={onClose} width={Math.min(1100, window.innerWidth - 48)} title={t('pf.src.history', { id: connector ?? '' })} destroyOnHidden data-testid="pf-runs-drawer">
      <Problem error={runs.error} />
      <Table<RunRecord>
        size="small"
        rowKey="id"
        loading={runs.loading && !runs.data}
        dataSource={runs.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        data-testid="pf-runs-table"
        expandable={{ expandedRowRender: (r) => <pre className="qs-pre">{r.error}</pre>, rowExpandable: (r) => !!r.error }}
        columns={[
          { title: '#', dataIndex: 'id', width: 60 },
          { title: t('common.status'), dataIndex: 'status', render: (_: unknown, r) => <RunStatus run={r} /> },
          { title: t('pf.run.trigger'), dataIndex: 'trigger', render: (v: string) => tk(t, 'pf.trigger', v) },
          { title: t('pf.run.started'), dataIndex: 'startedAt', render: (v: number) => dt(v) },
          { title: t('pf.run.duration'), dataIndex: 'durationMs', align: 'right', render: (v: number | null) => (v === null ? '—' : `${fmt.int(v)} ms`) },
          { title: t('pf.run.attempts'), dataIndex: 'attempts', align: 'right' },
          { title: t('pf.rows.in'), dataIndex: 'rowsIn', align: 'right', render: (v: number, r) => <span data-testid={`pf-run-in-${r.id}`}>{fmt.int(v)}</span> },
          { title: t('pf.rows.out'), dataIndex: 'rowsOut', align: 'right', render: (v: number) => fmt.int(v) },
          { title: t('pf.rows.rejected'), dataIndex: 'rowsRejected', align: 'right', render: (v: number, r) => <span data-testid={`pf-run-rejected-${r.id}`}>{fmt.int(v)}</span> },
          { title: t('pf.rows.inserted'), dataIndex: 'rowsInserted', align: 'right', render: (v: number) => fmt.int(v) },
          { title: t('pf.rows.updated'), dataIndex: 'rowsUpdated', align: 'right', render: (v: number) => fmt.int(v) },
          { title: t('pf.rows.unchanged'), dataIndex: 'rowsUnchanged', align: 'right', render: (v: number) => fmt.int(v) },
          { title: t('pf.run.error'), dataIndex: 'error', render: (v: string | null) => (v ? <Typography.Text type="danger" ellipsis style={{ maxWidth: 320 }}>{v}</Typography.Text> : '—') },
        ]}
      />
    </Drawer>
  );
}

/** The JSON editor: a new definition or a new version of one; the server's validation errors shown as a list. */
function EditorModal({ initial, onClose, onSaved }: { initial: { id: string | null; text: string } | null; onClose(): void; onSaved(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setText(initial?.text ?? '');
    setError(null);
  }, [initial]);
  const save = async () => {
    let def: { id?: unknown };
    try {
      def = JSON.parse(text) as { id?: unknown };
    } catch (e) {
      setError(t('pf.src.badJson', { message: (e as Error).message }));
      return;
    }
    const id = initial?.id ?? (typeof def.id === 'string' ? def.id : '');
    if (!id) return setError(t('pf.src.needId'));
    setBusy(true);
    try {
      const r = await platform.saveConnector(id, def);
      void message.success(t('pf.src.saved', { id, version: r.version }));
      onSaved();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 400 ? e.message : errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={initial !== null} onCancel={onClose} width={760} title={initial?.id ? t('pf.src.editTitle', { id: initial.id }) : t('pf.src.newTitle')} okText={t('pf.save')} onOk={() => void save()} confirmLoading={busy} okButtonProps={{ 'data-testid': 'pf-editor-save' }} destroyOnHidden>
      <Input.TextArea value={text} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 14, maxRows: 28 }} style={{ fontFamily: 'monospace', fontSize: 12 }} spellCheck={false} data-testid="pf-editor-text" />
      {error && <Alert type="error" showIcon style={{ marginTop: 12 }} message={t('pf.src.refused')} description={<ValidationList message={error} />} data-testid="pf-editor-error" />}
    </Modal>
  );
}

export default function Sources() {
  const { t, dt } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const fmt = useNumber();
  const manage = can('platform.manage');
  const running = useFetch<{ items: RunRecord[]; total: number }>(PF.runs, { status: 'running', limit: 50 }, { pollMs: 1000 });
  const anyRunning = (running.data?.items.length ?? 0) > 0;
  // after "run now", poll quickly for a while even if the run ended before the running list saw it
  const [watchUntil, setWatchUntil] = useState(0);
  const list = useFetch<{ items: ConnectorRow[] }>(PF.connectors, undefined, { pollMs: anyRunning || Date.now() < watchUntil ? 1000 : 15_000 });
  const [history, setHistory] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ id: string | null; text: string } | null>(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!anyRunning) return;
    const h = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(h);
  }, [anyRunning]);
  // a run that ends refreshes the list once more
  const [wasRunning, setWasRunning] = useState(false);
  useEffect(() => {
    if (wasRunning && !anyRunning) list.reload();
    setWasRunning(anyRunning);
  }, [anyRunning]); // eslint-disable-line react-hooks/exhaustive-deps

  const runNow = async (id: string) => {
    try {
      await platform.runConnector(id);
      void message.info(t('pf.src.started', { id }));
      setWatchUntil(Date.now() + 15_000);
      running.reload();
      list.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };

  const items = list.data?.items ?? [];
  const healthy = items.filter((c) => healthOf(c) === 'healthy').length;

  return (
    <>
      <PageHeader
        title={t('pf.tab.sources')}
        sub={<span data-testid="pf-src-summary">{t('pf.src.summary', { n: items.length, healthy })}</span>}
        extra={
          <Space>
            {manage && (
              <Button icon={<PlusOutlined />} onClick={() => setEditing({ id: null, text: JSON.stringify(TEMPLATE, null, 2) })} data-testid="pf-src-new">
                {t('pf.src.new')}
              </Button>
            )}
            <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label="reload" />
          </Space>
        }
      />
      {anyRunning && (
        <Card size="small" title={t('pf.src.running')} style={{ marginBottom: 16 }} data-testid="pf-running">
          {running.data!.items.map((r) => (
            <div key={r.id} data-testid="pf-running-job" data-connector={r.connectorId} style={{ marginBottom: 8 }}>
              <Space>
                <Typography.Text strong>{r.connectorId}</Typography.Text>
                <Typography.Text type="secondary">
                  #{r.id} · {t('pf.src.elapsed', { s: Math.max(0, Math.round((now - r.startedAt) / 1000)) })} · {t('pf.run.attempts')} {r.attempts}
                  {r.rowsIn > 0 && <span data-testid="pf-running-rows"> · {t('pf.src.readSoFar', { n: fmt.int(r.rowsIn), out: fmt.int(r.rowsOut) })}</span>}
                </Typography.Text>
              </Space>
              <Progress percent={100} status="active" showInfo={false} size="small" />
            </div>
          ))}
        </Card>
      )}
      <Problem error={list.error} />
      <Table<ConnectorRow>
        size="small"
        rowKey="id"
        loading={list.loading && !list.data}
        dataSource={items}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        data-testid="pf-src-table"
        onRow={(c) => ({ 'data-testid': `pf-src-${c.id}` }) as object}
        columns={[
          {
            title: t('pf.src.name'),
            dataIndex: 'id',
            render: (_: unknown, c) => <NameCell name={c.definition.name} sub={`${c.id} · v${c.version}${c.definition.provider ? ` · ${c.definition.provider}` : ''}`} />,
          },
          { title: t('pf.src.kind'), key: 'kind', render: (_: unknown, c) => <Tag>{c.definition.source.kind}</Tag>, filters: [...new Set(items.map((c) => c.definition.source.kind))].map((k) => ({ text: k, value: k })), onFilter: (v, c) => c.definition.source.kind === v },
          { title: t('pf.src.target'), key: 'target', render: (_: unknown, c) => <span className="qs-mono-cell">{c.definition.target.pipeline ? `${c.definition.target.pipeline} → ` : ''}{c.definition.target.dataset}</span> },
          { title: t('pf.src.schedule'), key: 'schedule', render: (_: unknown, c) => scheduleText(t, c.definition.schedule) },
          { title: t('pf.src.lastRun'), key: 'last', render: (_: unknown, c) => (
              <Space direction="vertical" size={0}>
                <RunStatus run={c.lastRun} testId={`pf-src-status-${c.id}`} />
                {c.lastRun && <Typography.Text type="secondary">{dt(c.lastRun.startedAt)}</Typography.Text>}
              </Space>
            ) },
          { title: t('pf.rows.in'), key: 'in', align: 'right', render: (_: unknown, c) => <span data-testid={`pf-src-in-${c.id}`}>{c.lastRun && c.lastRun.status !== 'running' ? fmt.int(c.lastRun.rowsIn) : '—'}</span> },
          { title: t('pf.rows.out'), key: 'out', align: 'right', render: (_: unknown, c) => <span data-testid={`pf-src-out-${c.id}`}>{c.lastRun && c.lastRun.status !== 'running' ? fmt.int(c.lastRun.rowsOut) : '—'}</span> },
          { title: t('pf.rows.rejected'), key: 'rej', align: 'right', render: (_: unknown, c) => <span data-testid={`pf-src-rejected-${c.id}`}>{c.lastRun && c.lastRun.status !== 'running' ? fmt.int(c.lastRun.rowsRejected) : '—'}</span> },
          {
            title: t('pf.src.health'),
            key: 'health',
            render: (_: unknown, c) => <HealthTag health={healthOf(c)} testId={`pf-src-health-${c.id}`} />,
            filters: (['healthy', 'degraded', 'failing', 'unknown', 'disabled'] as const).map((h) => ({ text: tk(t, 'pf.health', h), value: h })),
            onFilter: (v, c) => healthOf(c) === v,
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, c) => (
              <Space size={4}>
                <Tooltip title={t('pf.src.runs')}>
                  <Button size="small" icon={<HistoryOutlined />} aria-label={t('pf.src.runs')} onClick={() => setHistory(c.id)} data-testid={`pf-src-history-${c.id}`} />
                </Tooltip>
                {manage && (
                  <Button size="small" type="primary" icon={<PlayCircleOutlined />} disabled={c.lastRun?.status === 'running'} onClick={() => void runNow(c.id)} data-testid={`pf-src-run-${c.id}`}>
                    {t('pf.src.runNow')}
                  </Button>
                )}
                {manage && (
                  <Tooltip title={t('common.edit')}>
                    <Button size="small" icon={<EditOutlined />} aria-label={t('common.edit')} onClick={() => setEditing({ id: c.id, text: JSON.stringify(c.definition, null, 2) })} data-testid={`pf-src-edit-${c.id}`} />
                  </Tooltip>
                )}
              </Space>
            ),
          },
        ]}
      />
      <RunsDrawer connector={history} onClose={() => setHistory(null)} />
      <EditorModal
        initial={editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          list.reload();
        }}
      />
    </>
  );
}
