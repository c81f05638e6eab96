/**
 * 元数据 (metadata): search across data sets, fields, store tables and columns, connectors and
 * pipelines; edit a description, owner and tags (platform.manage); and the lineage graph of a data set
 * (sources → pipelines → data sets → pushes) as an ECharts graph laid out in columns by depth.
 */
import { EditOutlined, SearchOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { GraphChart } from 'echarts/charts';
import * as echarts from 'echarts/core';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { PF, platform, type DatasetDef, type LineageGraph, type MetaAsset, type Versioned } from '../../api/platform.js';
import { Chart, type ChartOption } from '../../components/Chart.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useFetch } from '../../hooks.js';
import { useI18n, type T } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText } from '../../util.js';
import { ScoreTag } from './Datasets.js';
import { tk, useNumber } from './common.js';

echarts.use([GraphChart]);

const KINDS = ['dataset', 'field', 'table', 'column', 'connector', 'pipeline'] as const;
const KIND_COLOURS: Record<string, string> = { connector: '#1d4f91', pipeline: '#d48806', dataset: '#389e0d', push: '#722ed1' };

/** Columns by longest path from a source; a connector fed by a data set is a push (drawn in its own colour). */
export function layoutLineage(g: LineageGraph, t: T): { option: ChartOption; nodes: string[]; edges: string[]; rows: number } {
  const depth = new Map(g.nodes.map((n) => [n.id, 0]));
  for (let i = 0; i < g.nodes.length; i++) {
    let changed = false;
    for (const e of g.edges) {
      const d = (depth.get(e.from) ?? 0) + 1;
      if (d > (depth.get(e.to) ?? 0)) {
        depth.set(e.to, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const pushes = new Set(g.edges.filter((e) => e.to.startsWith('connector:') && e.from.startsWith('dataset:')).map((e) => e.to));
  const perCol = new Map<number, number>();
  const data = g.nodes.map((n) => {
    const col = depth.get(n.id) ?? 0;
    const row = perCol.get(col) ?? 0;
    perCol.set(col, row + 1);
    const cat = pushes.has(n.id) ? 'push' : n.kind;
    return {
      id: n.id,
      name: n.id,
      value: n.label,
      x: col * 260,
      y: row * 90,
      symbol: n.kind === 'dataset' ? 'roundRect' : n.kind === 'pipeline' ? 'diamond' : 'circle',
      symbolSize: n.kind === 'dataset' ? [40, 28] : 30,
      itemStyle: { color: KIND_COLOURS[cat] },
      label: { show: true, position: 'bottom', formatter: `${n.label}\n{k|${tk(t, 'pf.lin', cat)}}`, rich: { k: { color: '#8c8c8c', fontSize: 11 } } },
    };
  });
  const links = g.edges.map((e) => ({ source: e.from, target: e.to, value: e.runId }));
  const option: ChartOption = {
    tooltip: { formatter: (p: { dataType?: string; data?: { id?: string; value?: unknown; source?: string; target?: string } }) => (p.dataType === 'edge' ? `${p.data?.source} → ${p.data?.target}` : `${String(p.data?.value ?? '')}<br/>${p.data?.id ?? ''}`) },
    series: [
      {
        type: 'graph',
        layout: 'none',
        roam: true,
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 9,
        lineStyle: { color: '#8c8c8c', width: 1.5, curveness: 0.08 },
        data,
        links,
      },
    ],
  };
  return { option, nodes: data.map((d) => d.id), edges: links.map((l) => `${l.source}>${l.target}`), rows: Math.max(1, ...perCol.values()) };
}

function Lineage({ datasets }: { datasets: Versioned<DatasetDef>[] }) {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const focus = params.get('lineage') ?? datasets[0]?.id ?? null;
  const g = useFetch<LineageGraph>(focus ? PF.lineage : null, { node: focus ? `dataset:${focus}` : undefined });
  const laid = useMemo(() => (g.data ? layoutLineage(g.data, t) : null), [g.data, t]);
  return (
    <Card
      size="small"
      title={t('pf.meta.lineage')}
      extra={
        <Select
          style={{ width: 260 }}
          showSearch
          optionFilterProp="label"
          value={focus ?? undefined}
          onChange={(v: string) => setParams((p) => (p.set('lineage', v), p), { replace: true })}
          options={datasets.map((d) => ({ value: d.id, label: `${d.definition.title} (${d.id})` }))}
          data-testid="pf-lineage-pick"
        />
      }
    >
      <Problem error={g.error} />
      {laid && (
        <div data-testid="pf-lineage" data-focus={focus ?? ''} data-nodes={laid.nodes.join(',')} data-edges={laid.edges.join(',')}>
          <Space wrap style={{ marginBottom: 8 }}>
            {(['connector', 'pipeline', 'dataset', 'push'] as const).map((k) => (
              <Tag key={k} color={KIND_COLOURS[k]}>
                {tk(t, 'pf.lin', k)}
              </Tag>
            ))}
          </Space>
          {laid.nodes.length === 0 ? <Typography.Text type="secondary">{t('pf.meta.noLineage')}</Typography.Text> : <Chart option={laid.option} height={Math.max(260, 90 * laid.rows + 80)} testId="pf-lineage-chart" />}
          <Table
            size="small"
            rowKey={(e) => `${e.from}>${e.to}`}
            pagination={false}
            dataSource={g.data?.edges ?? []}
            style={{ marginTop: 8 }}
            data-testid="pf-lineage-edges"
            columns={[
              { title: t('pf.meta.from'), dataIndex: 'from', render: (v: string) => <span data-testid="pf-edge-from">{g.data?.nodes.find((n) => n.id === v)?.label ?? v}</span> },
              { title: t('pf.meta.to'), dataIndex: 'to', render: (v: string) => <span data-testid="pf-edge-to">{g.data?.nodes.find((n) => n.id === v)?.label ?? v}</span> },
              { title: t('pf.rej.run'), dataIndex: 'runId', align: 'right' },
            ]}
          />
        </div>
      )}
    </Card>
  );
}

function EditModal({ asset, onClose, onSaved }: { asset: MetaAsset | null; onClose(): void; onSaved(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ description: string; owner: string; tags: string[] }>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (asset) form.setFieldsValue({ description: asset.description, owner: asset.owner ?? '', tags: asset.tags });
  }, [asset, form]);
  const save = async () => {
    if (!asset) return;
    const v = form.getFieldsValue();
    setBusy(true);
    try {
      await platform.annotate(asset.id, { description: v.description ?? '', owner: v.owner?.trim() ? v.owner.trim() : null, tags: v.tags ?? [] });
      void message.success(t('pf.meta.saved'));
      onSaved();
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={asset !== null} onCancel={onClose} title={asset ? `${t('common.edit')} ${asset.id}` : ''} onOk={() => void save()} confirmLoading={busy} okText={t('pf.save')} okButtonProps={{ 'data-testid': 'pf-meta-save' }} destroyOnHidden forceRender>
      <Form form={form} layout="vertical">
        <Form.Item name="description" label={t('pf.ds.description')}>
          <Input.TextArea autoSize={{ minRows: 3 }} data-testid="pf-meta-description" />
        </Form.Item>
        <Form.Item name="owner" label={t('pf.ds.owner')}>
          <Input data-testid="pf-meta-owner" />
        </Form.Item>
        <Form.Item name="tags" label={t('pf.meta.tags')}>
          <Select mode="tags" tokenSeparators={[',', '，']} data-testid="pf-meta-tags" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function Metadata() {
  const { t, dt } = useI18n();
  const { can } = useSession();
  const fmt = useNumber();
  const manage = can('platform.manage');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState<string | undefined>();
  const list = useFetch<{ items: MetaAsset[] }>(PF.metadata, { q: query, kind });
  const dss = useFetch<{ items: Versioned<DatasetDef>[] }>(PF.datasets);
  const [editing, setEditing] = useState<MetaAsset | null>(null);
  return (
    <>
      <PageHeader title={t('pf.tab.metadata')} />
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search value={q} onChange={(e) => setQ(e.target.value)} onSearch={(v) => setQuery(v.trim())} placeholder={t('pf.meta.search')} enterButton={<SearchOutlined />} style={{ width: 320 }} data-testid="pf-meta-q" />
        <Select allowClear style={{ width: 160 }} placeholder={t('pf.meta.kind')} value={kind} onChange={setKind} options={KINDS.map((k) => ({ value: k, label: tk(t, 'pf.asset', k) }))} data-testid="pf-meta-kind" />
        <span data-testid="pf-meta-count" data-count={list.data?.items.length ?? ''}>{list.data ? t('common.count', { n: list.data.items.length }) : ''}</span>
      </Space>
      <Problem error={list.error} />
      <Table<MetaAsset>
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 15, showSizeChanger: false }}
        style={{ marginBottom: 16 }}
        data-testid="pf-meta-table"
        onRow={(a) => ({ 'data-testid': 'pf-meta-row', 'data-asset': a.id }) as object}
        columns={[
          { title: t('pf.meta.kind'), dataIndex: 'kind', render: (v: string) => <Tag>{tk(t, 'pf.asset', v)}</Tag> },
          { title: t('pf.meta.asset'), dataIndex: 'id', className: 'qs-mono-cell' },
          { title: t('pf.ds.title'), dataIndex: 'title' },
          { title: t('pf.ds.description'), dataIndex: 'description', render: (v: string) => <Typography.Text ellipsis style={{ maxWidth: 280 }} data-testid="pf-meta-desc">{v || '—'}</Typography.Text> },
          { title: t('pf.ds.owner'), dataIndex: 'owner', render: (v: string | null) => v ?? '—' },
          { title: t('pf.meta.tags'), dataIndex: 'tags', render: (v: string[]) => v.map((x) => <Tag key={x}>{x}</Tag>) },
          { title: t('pf.ds.type'), dataIndex: 'type', render: (v: string | null) => v ?? '—' },
          { title: t('pf.ds.sensitivity'), dataIndex: 'sensitivity', render: (v: string | null) => (v ? tk(t, 'pf.sens', v) : '—') },
          { title: t('pf.ds.rows'), dataIndex: 'rows', align: 'right', render: (v: number | null) => fmt.int(v) },
          { title: t('pf.ds.lastLoad'), dataIndex: 'lastLoadAt', render: (v: number | null) => dt(v) },
          { title: t('pf.q.score'), dataIndex: 'qualityScore', render: (v: number | null) => (v === null ? '—' : <ScoreTag score={v} />) },
          ...(manage
            ? [{ title: t('common.actions'), key: 'a', render: (_: unknown, a: MetaAsset) => <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(a)} data-testid={`pf-meta-edit-${a.id}`}>{t('common.edit')}</Button> }]
            : []),
        ]}
      />
      {dss.data && <Lineage datasets={dss.data.items} />}
      <EditModal
        asset={editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          list.reload();
        }}
      />
    </>
  );
}
