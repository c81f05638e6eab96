/**
 * 数据主题 (topic data sets): each data set with its owner, topic, key, refresh cycle and quality
 * schedule, row count, last load and latest quality score (from the harvested metadata); a drawer
 * with its schema and its rows, paged on the server.
 */
import { Descriptions, Drawer, Table, Tabs, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { PF, type DatasetDef, type MetaAsset, type Versioned } from '../../api/platform.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useFetch } from '../../hooks.js';
import { useI18n } from '../../i18n/index.js';
import { scheduleText, tk, useNumber } from './common.js';

export function ScoreTag({ score, testId }: { score: number | null | undefined; testId?: string }) {
  if (score === null || score === undefined) return <Tag data-testid={testId}>—</Tag>;
  return (
    <Tag color={score >= 90 ? 'green' : score >= 70 ? 'gold' : 'red'} data-testid={testId} data-value={score}>
      {score.toFixed(1)}
    </Tag>
  );
}

function RowsTable({ ds }: { ds: DatasetDef }) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  useEffect(() => setPage(1), [ds.name]);
  const rows = useFetch<{ rows: Record<string, unknown>[]; total: number }>(PF.rows(ds.name), { limit: 20, offset: (page - 1) * 20 });
  return (
    <>
      <Problem error={rows.error} />
      <Table
        size="small"
        rowKey={(r) => ds.key.map((k) => String(r[k])).join('|')}
        loading={rows.loading}
        dataSource={rows.data?.rows ?? []}
        scroll={{ x: 'max-content' }}
        data-testid="pf-ds-rows"
        pagination={{ current: page, pageSize: 20, total: rows.data?.total ?? 0, onChange: setPage, showSizeChanger: false, showTotal: (n) => t('common.count', { n }) }}
        columns={ds.fields.map((f) => ({
          title: f.title || f.name,
          dataIndex: f.name,
          render: (v: unknown) => (v === null || v === undefined ? '—' : f.type === 'timestamp' && typeof v === 'number' ? new Date(v).toISOString().slice(0, 19).replace('T', ' ') : String(v)),
        }))}
      />
    </>
  );
}

function DatasetDrawer({ id, meta, onClose }: { id: string | null; meta: MetaAsset | undefined; onClose(): void }) {
  const { t, dt } = useI18n();
  const fmt = useNumber();
  const d = useFetch<Versioned<DatasetDef>>(id ? PF.dataset(id) : null);
  const ds = d.data?.definition;
  return (
    <Drawer open={id !== null} onClose={onClose} width={Math.min(1100, window.innerWidth - 48)} title={ds ? `${ds.title} (ds_${ds.name})` : id} destroyOnHidden data-testid="pf-ds-drawer">
      <Problem error={d.error} />
      {ds && (
        <>
          <Descriptions size="small" bordered column={{ xs: 1, md: 3 }} style={{ marginBottom: 12 }}>
            <Descriptions.Item label={t('pf.ds.owner')}>{ds.owner}</Descriptions.Item>
            <Descriptions.Item label={t('pf.ds.topic')}>{ds.topic || '—'}</Descriptions.Item>
            <Descriptions.Item label={t('pf.ds.key')}>{ds.key.join(', ')}</Descriptions.Item>
            <Descriptions.Item label={t('pf.ds.cycle')}>{ds.updateCycle ? tk(t, 'pf.cycle', ds.updateCycle) : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('pf.ds.rows')}>{fmt.int(meta?.rows ?? null)}</Descriptions.Item>
            <Descriptions.Item label={t('pf.ds.lastLoad')}>{dt(meta?.lastLoadAt ?? null)}</Descriptions.Item>
            <Descriptions.Item label={t('pf.ds.description')} span={3}>
              {ds.description || '—'}
            </Descriptions.Item>
          </Descriptions>
          <Tabs
            items={[
              {
                key: 'schema',
                label: t('pf.ds.schema'),
                children: (
                  <Table
                    size="small"
                    rowKey="name"
                    pagination={false}
                    dataSource={ds.fields}
                    data-testid="pf-ds-schema"
                    columns={[
                      { title: t('pf.ds.field'), dataIndex: 'name', className: 'qs-mono-cell', render: (v: string) => (ds.key.includes(v) ? <b>{v}</b> : v) },
                      { title: t('pf.ds.title'), dataIndex: 'title' },
                      { title: t('pf.ds.type'), dataIndex: 'type' },
                      { title: t('pf.ds.required'), dataIndex: 'required', render: (v: boolean) => (v ? t('common.yes') : t('common.no')) },
                      { title: t('pf.ds.unit'), dataIndex: 'unit', render: (v?: string) => v ?? '—' },
                      { title: t('pf.ds.codeTable'), dataIndex: 'codeTable', render: (v?: string) => v ?? '—' },
                      { title: t('pf.ds.sensitivity'), dataIndex: 'sensitivity', render: (v: string) => tk(t, 'pf.sens', v) },
                    ]}
                  />
                ),
              },
              { key: 'rows', label: t('pf.ds.browse'), children: <RowsTable ds={ds} /> },
            ]}
          />
        </>
      )}
    </Drawer>
  );
}

export default function Datasets() {
  const { t, dt } = useI18n();
  const fmt = useNumber();
  const list = useFetch<{ items: Versioned<DatasetDef>[] }>(PF.datasets);
  const meta = useFetch<{ items: MetaAsset[] }>(PF.metadata, { kind: 'dataset' });
  const byName = new Map((meta.data?.items ?? []).map((m) => [m.name, m]));
  const [open, setOpen] = useState<string | null>(null);
  return (
    <>
      <PageHeader title={t('pf.tab.datasets')} />
      <Problem error={list.error} />
      <Table<Versioned<DatasetDef>>
        size="small"
        rowKey="id"
        loading={list.loading && !list.data}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        data-testid="pf-ds-table"
        onRow={(d) => ({ 'data-testid': `pf-ds-${d.id}`, onClick: () => setOpen(d.id), style: { cursor: 'pointer' } }) as object}
        columns={[
          {
            title: t('pf.ds.name'),
            key: 'name',
            render: (_: unknown, d) => (
              <span>
                <Typography.Text strong>{d.definition.title}</Typography.Text> <Typography.Text type="secondary" className="qs-mono-cell">{d.id}</Typography.Text>
              </span>
            ),
          },
          { title: t('pf.ds.topic'), key: 'topic', render: (_: unknown, d) => (d.definition.topic ? <Tag>{d.definition.topic}</Tag> : '—'), filters: [...new Set((list.data?.items ?? []).map((d) => d.definition.topic).filter(Boolean))].map((x) => ({ text: x, value: x })), onFilter: (v, d) => d.definition.topic === v },
          { title: t('pf.ds.owner'), key: 'owner', render: (_: unknown, d) => byName.get(d.id)?.owner ?? d.definition.owner },
          { title: t('pf.ds.fields'), key: 'fields', align: 'right', render: (_: unknown, d) => d.definition.fields.length },
          { title: t('pf.ds.cycle'), key: 'cycle', render: (_: unknown, d) => (d.definition.updateCycle ? tk(t, 'pf.cycle', d.definition.updateCycle) : '—') },
          { title: t('pf.ds.qSchedule'), key: 'qs', render: (_: unknown, d) => scheduleText(t, d.definition.quality.schedule) },
          { title: t('pf.ds.rows'), key: 'rows', align: 'right', render: (_: unknown, d) => <span data-testid={`pf-ds-rows-${d.id}`}>{fmt.int(byName.get(d.id)?.rows ?? null)}</span> },
          { title: t('pf.ds.lastLoad'), key: 'load', render: (_: unknown, d) => dt(byName.get(d.id)?.lastLoadAt ?? null) },
          { title: t('pf.q.score'), key: 'score', render: (_: unknown, d) => <ScoreTag score={byName.get(d.id)?.qualityScore} testId={`pf-ds-score-${d.id}`} /> },
        ]}
      />
      <DatasetDrawer id={open} meta={open ? byName.get(open) : undefined} onClose={() => setOpen(null)} />
    </>
  );
}
