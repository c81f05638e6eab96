/**
 * 数据处理 (pipelines): the list with the connectors that feed each, a definition view (steps and the
 * JSON), its runs, rerun (platform.manage: runs the connectors that feed it), and the rejected rows
 * with their reasons, filterable by reason, connector, data set and run.
 */
import { EyeOutlined, RedoOutlined } from '@ant-design/icons';
import { App, Button, Card, Drawer, Popconfirm, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { PF, platform, REJECT_REASONS, type ConnectorRow, type PipelineDef, type RejectRecord, type RunRecord, type Versioned } from '../../api/platform.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useFetch } from '../../hooks.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText } from '../../util.js';
import { Json, RunStatus, reasonLabel, useNumber } from './common.js';

function PipelineDrawer({ id, feeders, onClose }: { id: string | null; feeders: ConnectorRow[]; onClose(): void }) {
  const { t, dt } = useI18n();
  const fmt = useNumber();
  const p = useFetch<Versioned<PipelineDef>>(id ? PF.pipeline(id) : null);
  const runs = useFetch<{ items: RunRecord[] }>(id ? PF.runs : null, { limit: 500 });
  const mine = (runs.data?.items ?? []).filter((r) => r.pipelineId === id);
  return (
    <Drawer open={id !== null} onClose={onClose} width={Math.min(1000, window.innerWidth - 48)} title={p.data ? `${p.data.definition.name} (${id} · v${p.data.version})` : id} destroyOnHidden data-testid="pf-pl-drawer">
      <Problem error={p.error} />
      {p.data && (
        <Tabs
          items={[
            {
              key: 'steps',
              label: t('pf.pl.steps'),
              children: (
                <>
                  <Typography.Paragraph type="secondary">{p.data.definition.description}</Typography.Paragraph>
                  <Typography.Paragraph>
                    {t('pf.pl.feeders')}: {feeders.map((c) => <Tag key={c.id}>{c.definition.name}</Tag>)}
                  </Typography.Paragraph>
                  <Table
                    size="small"
                    rowKey={(_, i) => String(i)}
                    pagination={false}
                    dataSource={p.data.definition.steps}
                    data-testid="pf-pl-steps"
                    columns={[
                      { title: '#', key: 'i', width: 40, render: (_: unknown, __, i) => i + 1 },
                      { title: t('pf.pl.op'), dataIndex: 'op', render: (v: string) => <Tag color="blue">{v}</Tag> },
                      { title: t('pf.pl.params'), key: 'p', render: (_: unknown, s) => <code style={{ fontSize: 12, whiteSpace: 'pre-wrap' }}>{JSON.stringify({ ...s, op: undefined })}</code> },
                    ]}
                  />
                </>
              ),
            },
            { key: 'json', label: 'JSON', children: <Json value={p.data.definition} testId="pf-pl-json" /> },
            {
              key: 'runs',
              label: t('pf.src.runs'),
              children: (
                <Table<RunRecord>
                  size="small"
                  rowKey="id"
                  dataSource={mine}
                  pagination={{ pageSize: 20, hideOnSinglePage: true }}
                  data-testid="pf-pl-runs"
                  columns={[
                    { title: '#', dataIndex: 'id', width: 60 },
                    { title: t('pf.src.name'), dataIndex: 'connectorId' },
                    { title: t('common.status'), key: 's', render: (_: unknown, r) => <RunStatus run={r} /> },
                    { title: t('pf.run.started'), dataIndex: 'startedAt', render: (v: number) => dt(v) },
                    { title: t('pf.rows.in'), dataIndex: 'rowsIn', align: 'right', render: (v: number) => fmt.int(v) },
                    { title: t('pf.rows.out'), dataIndex: 'rowsOut', align: 'right', render: (v: number) => fmt.int(v) },
                    { title: t('pf.rows.rejected'), dataIndex: 'rowsRejected', align: 'right', render: (v: number) => fmt.int(v) },
                  ]}
                />
              ),
            },
          ]}
        />
      )}
    </Drawer>
  );
}

function Rejects({ connectors, datasets }: { connectors: string[]; datasets: string[] }) {
  const { t } = useI18n();
  const [reason, setReason] = useState<string | undefined>();
  const [connector, setConnector] = useState<string | undefined>();
  const [dataset, setDataset] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  useEffect(() => setPage(1), [reason, connector, dataset]);
  const r = useFetch<{ items: RejectRecord[]; total: number }>(PF.rejects, { reason, connector, dataset, limit: 50, offset: (page - 1) * 50 });
  return (
    <Card size="small" title={t('pf.pl.rejects')} data-testid="pf-rejects">
      <Space wrap style={{ marginBottom: 12 }}>
        <Select allowClear style={{ width: 200 }} placeholder={t('pf.rej.reason')} value={reason} onChange={setReason} options={REJECT_REASONS.map((x) => ({ value: x, label: reasonLabel(t, x) }))} data-testid="pf-rej-reason" />
        <Select allowClear style={{ width: 200 }} placeholder={t('pf.src.name')} value={connector} onChange={setConnector} options={connectors.map((x) => ({ value: x, label: x }))} data-testid="pf-rej-connector" />
        <Select allowClear style={{ width: 200 }} placeholder={t('pf.ds.name')} value={dataset} onChange={setDataset} options={datasets.map((x) => ({ value: x, label: x }))} data-testid="pf-rej-dataset" />
        <span data-testid="pf-rej-total" data-total={r.data?.total ?? ''}>{r.data ? t('common.count', { n: r.data.total }) : ''}</span>
      </Space>
      <Problem error={r.error} />
      <Table<RejectRecord>
        size="small"
        rowKey="id"
        loading={r.loading && !r.data}
        dataSource={r.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        data-testid="pf-rej-table"
        onRow={(x) => ({ 'data-testid': 'pf-rej-row', 'data-ref': x.ref, 'data-reason': x.reason }) as object}
        pagination={{ current: page, pageSize: 50, total: r.data?.total ?? 0, onChange: setPage, showSizeChanger: false, hideOnSinglePage: true }}
        expandable={{ expandedRowRender: (x) => <Json value={x.raw} /> }}
        columns={[
          { title: t('pf.rej.ref'), dataIndex: 'ref', className: 'qs-mono-cell' },
          { title: t('pf.rej.reason'), dataIndex: 'reason', render: (v: string) => <Tag color="red">{reasonLabel(t, v)}</Tag> },
          { title: t('pf.rej.step'), key: 'step', render: (_: unknown, x) => `${x.step}. ${x.op}` },
          { title: t('pf.rej.field'), dataIndex: 'field', render: (v: string | null) => v ?? '—' },
          { title: t('pf.rej.detail'), dataIndex: 'detail' },
          { title: t('pf.src.name'), dataIndex: 'connectorId' },
          { title: t('pf.rej.times'), dataIndex: 'times', align: 'right' },
          { title: t('pf.rej.run'), dataIndex: 'lastRunId', align: 'right' },
        ]}
      />
    </Card>
  );
}

export default function Pipelines() {
  const { t } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const manage = can('platform.manage');
  const list = useFetch<{ items: Versioned<PipelineDef>[] }>(PF.pipelines);
  const conns = useFetch<{ items: ConnectorRow[] }>(PF.connectors);
  const dss = useFetch<{ items: Versioned<{ name: string }>[] }>(PF.datasets);
  const [open, setOpen] = useState<string | null>(null);
  const feeders = (id: string) => (conns.data?.items ?? []).filter((c) => c.definition.target.pipeline === id);

  const rerun = async (id: string) => {
    try {
      for (const c of feeders(id)) await platform.rerunPipeline(c.id);
      void message.info(t('pf.pl.rerunStarted', { n: feeders(id).length }));
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };

  return (
    <>
      <PageHeader title={t('pf.tab.pipelines')} />
      <Problem error={list.error} />
      <Table<Versioned<PipelineDef>>
        size="small"
        rowKey="id"
        loading={list.loading && !list.data}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        style={{ marginBottom: 16 }}
        data-testid="pf-pl-table"
        columns={[
          { title: t('pf.src.name'), key: 'name', render: (_: unknown, p) => <Typography.Text strong>{p.definition.name}</Typography.Text> },
          { title: 'ID', dataIndex: 'id', className: 'qs-mono-cell' },
          { title: t('pf.pl.version'), dataIndex: 'version', align: 'right' },
          { title: t('pf.pl.steps'), key: 'steps', render: (_: unknown, p) => p.definition.steps.map((s, i) => <Tag key={i}>{s.op}</Tag>) },
          { title: t('pf.pl.feeders'), key: 'feeders', render: (_: unknown, p) => feeders(p.id).map((c) => <Tag key={c.id}>{c.id}</Tag>) },
          {
            title: t('common.actions'),
            key: 'a',
            render: (_: unknown, p) => (
              <Space size={4}>
                <Button size="small" icon={<EyeOutlined />} onClick={() => setOpen(p.id)} data-testid={`pf-pl-view-${p.id}`}>
                  {t('pf.pl.view')}
                </Button>
                {manage && (
                  <Popconfirm title={t('pf.pl.rerunConfirm', { n: feeders(p.id).length })} onConfirm={() => void rerun(p.id)} disabled={!feeders(p.id).length}>
                    <Button size="small" icon={<RedoOutlined />} disabled={!feeders(p.id).length} data-testid={`pf-pl-rerun-${p.id}`}>
                      {t('pf.pl.rerun')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Rejects connectors={(conns.data?.items ?? []).map((c) => c.id)} datasets={(dss.data?.items ?? []).map((d) => d.id)} />
      <PipelineDrawer id={open} feeders={open ? feeders(open) : []} onClose={() => setOpen(null)} />
    </>
  );
}
