/**
 * 数据质量 (GB/T 36344): for a data set, the latest score and the six indicators as a bar chart, the
 * score history as a line chart, its rules with the latest run's results, and its quality issues with
 * their status; run the rules now, acknowledge / resolve / ignore / reassign an issue (platform.manage).
 */
import { PlayCircleOutlined } from '@ant-design/icons';
import { App, Button, Card, Input, Modal, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { INDICATORS, ISSUE_STATUSES, PF, platform, type DatasetDef, type IssueStatus, type QualityIssue, type QualityRun, type Versioned } from '../../api/platform.js';
import { Chart, type ChartOption } from '../../components/Chart.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useFetch } from '../../hooks.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText } from '../../util.js';
import { ScoreTag } from './Datasets.js';
import { indicatorLabel, issueStatusLabel, tk } from './common.js';

const ISSUE_COLOURS: Record<IssueStatus, string> = { open: 'red', acknowledged: 'gold', resolved: 'green', ignored: 'default' };

function Issues({ dataset, onChanged }: { dataset: string; onChanged(): void }) {
  const { t, dt } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const manage = can('platform.manage');
  const [status, setStatus] = useState<string | undefined>();
  const list = useFetch<{ items: QualityIssue[] }>(PF.issues, { dataset, status });
  const [assign, setAssign] = useState<QualityIssue | null>(null);
  const [owner, setOwner] = useState('');
  const update = async (id: number, patch: { status?: IssueStatus; owner?: string }) => {
    try {
      await platform.updateIssue(id, patch);
      list.reload();
      onChanged();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };
  return (
    <Card size="small" title={t('pf.q.issues')} extra={<Select allowClear style={{ width: 160 }} placeholder={t('common.status')} value={status} onChange={setStatus} options={ISSUE_STATUSES.map((s) => ({ value: s, label: issueStatusLabel(t, s) }))} data-testid="pf-issue-status-filter" />} data-testid="pf-issues">
      <Problem error={list.error} />
      <Table<QualityIssue>
        size="small"
        rowKey="id"
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        onRow={(i) => ({ 'data-testid': 'pf-issue-row', 'data-rule': i.ruleId, 'data-status': i.status }) as object}
        columns={[
          { title: '#', dataIndex: 'id', width: 50 },
          { title: t('pf.q.rule'), dataIndex: 'ruleId', className: 'qs-mono-cell' },
          { title: t('pf.q.indicator'), dataIndex: 'indicator', render: (v: string) => indicatorLabel(t, v) },
          { title: t('common.status'), dataIndex: 'status', render: (v: IssueStatus) => <Tag color={ISSUE_COLOURS[v]}>{issueStatusLabel(t, v)}</Tag> },
          { title: t('pf.q.failed'), key: 'f', align: 'right', render: (_: unknown, i) => `${i.failed} / ${i.checked}` },
          { title: t('pf.ds.owner'), dataIndex: 'owner', render: (v: string) => <span data-testid="pf-issue-owner">{v}</span> },
          { title: t('pf.q.opened'), dataIndex: 'openedAt', render: (v: number) => dt(v) },
          { title: t('common.note'), dataIndex: 'note', render: (v: string) => v || '—' },
          ...(manage
            ? [
                {
                  title: t('common.actions'),
                  key: 'a',
                  render: (_: unknown, i: QualityIssue) => (
                    <Space size={4}>
                      {i.status === 'open' && (
                        <Button size="small" onClick={() => void update(i.id, { status: 'acknowledged' })} data-testid={`pf-issue-ack-${i.id}`}>
                          {t('pf.q.ack')}
                        </Button>
                      )}
                      {i.status !== 'resolved' && (
                        <Button size="small" type="primary" onClick={() => void update(i.id, { status: 'resolved' })} data-testid={`pf-issue-close-${i.id}`}>
                          {t('pf.q.close')}
                        </Button>
                      )}
                      {i.status !== 'ignored' && i.status !== 'resolved' && (
                        <Button size="small" onClick={() => void update(i.id, { status: 'ignored' })}>
                          {t('pf.q.ignore')}
                        </Button>
                      )}
                      <Button
                        size="small"
                        onClick={() => {
                          setAssign(i);
                          setOwner(i.owner);
                        }}
                        data-testid={`pf-issue-assign-${i.id}`}
                      >
                        {t('pf.q.assign')}
                      </Button>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={assign !== null}
        title={t('pf.q.assign')}
        onCancel={() => setAssign(null)}
        okButtonProps={{ disabled: !owner.trim(), 'data-testid': 'pf-issue-assign-ok' }}
        onOk={() => {
          if (assign) void update(assign.id, { owner: owner.trim() });
          setAssign(null);
        }}
      >
        <Input value={owner} onChange={(e) => setOwner(e.target.value)} placeholder={t('pf.ds.owner')} data-testid="pf-issue-assign-owner" />
      </Modal>
    </Card>
  );
}

export default function Quality() {
  const { t, dt } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const manage = can('platform.manage');
  const [params, setParams] = useSearchParams();
  const dss = useFetch<{ items: Versioned<DatasetDef>[] }>(PF.datasets);
  const withRules = (dss.data?.items ?? []).filter((d) => d.definition.quality.rules.length > 0);
  const dataset = params.get('dataset') ?? withRules[0]?.id ?? null;
  const def = withRules.find((d) => d.id === dataset)?.definition ?? dss.data?.items.find((d) => d.id === dataset)?.definition;
  const history = useFetch<{ items: QualityRun[] }>(dataset ? PF.quality(dataset) : null, { limit: 100 });
  const latestId = history.data?.items[0]?.id;
  const latest = useFetch<QualityRun>(latestId ? PF.qualityRun(latestId) : null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    if (!dataset) return;
    setBusy(true);
    try {
      const r = await platform.runQuality(dataset);
      void message.success(t('pf.q.ran', { score: r.score === null ? '—' : r.score.toFixed(1) }));
      history.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const L = latest.data;
  const barOption = useMemo<ChartOption>(
    () => ({
      grid: { left: 48, right: 16, top: 24, bottom: 40 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: INDICATORS.map((i) => indicatorLabel(t, i)) },
      yAxis: { type: 'value', min: 0, max: 100 },
      series: [{ type: 'bar', barMaxWidth: 36, data: INDICATORS.map((i) => L?.indicators[i] ?? null), label: { show: true, position: 'top', formatter: (p: { value: number | null }) => (p.value === null || p.value === undefined ? '' : Number(p.value).toFixed(1)) }, itemStyle: { color: '#1d4f91' } }],
    }),
    [L, t],
  );
  const lineOption = useMemo<ChartOption>(() => {
    const items = [...(history.data?.items ?? [])].reverse();
    return {
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: items.map((r) => dt(r.startedAt)) },
      yAxis: { type: 'value', min: 0, max: 100 },
      series: [
        { type: 'line', name: t('pf.q.score'), data: items.map((r) => r.score), symbolSize: 6, lineStyle: { width: 2 } },
        ...INDICATORS.map((i) => ({ type: 'line', name: indicatorLabel(t, i), data: items.map((r) => r.indicators[i] ?? null), symbolSize: 3, lineStyle: { width: 1 }, connectNulls: true })),
      ],
    };
  }, [history.data, t, dt]);

  const rules = def?.quality.rules ?? [];
  const results = new Map((L?.results ?? []).map((r) => [r.ruleId, r]));

  return (
    <>
      <PageHeader
        title={t('pf.tab.quality')}
        extra={
          <Space>
            <Select
              style={{ width: 280 }}
              showSearch
              optionFilterProp="label"
              value={dataset ?? undefined}
              onChange={(v: string) => setParams((p) => (p.set('dataset', v), p), { replace: true })}
              options={(dss.data?.items ?? []).map((d) => ({ value: d.id, label: `${d.definition.title} (${d.id})` }))}
              data-testid="pf-q-dataset"
            />
            {manage && (
              <Button type="primary" icon={<PlayCircleOutlined />} loading={busy} disabled={!dataset} onClick={() => void run()} data-testid="pf-q-run">
                {t('pf.q.run')}
              </Button>
            )}
          </Space>
        }
      />
      <Problem error={dss.error ?? history.error} />
      {dataset && (
        <>
          <div className="qs-grid-2" style={{ marginBottom: 16 }}>
            <Card size="small" title={t('pf.q.byIndicator')} data-testid="pf-q-latest" data-run={L?.id ?? ''}>
              <Space size="large" wrap style={{ marginBottom: 8 }}>
                <Statistic title={t('pf.q.score')} value={L?.score ?? '—'} precision={1} valueRender={() => <ScoreTag score={L?.score} testId="pf-q-score" />} />
                {INDICATORS.map((i) => (
                  <div key={i} data-testid={`pf-q-ind-${i}`} data-value={L?.indicators[i] ?? ''}>
                    <Typography.Text type="secondary">{indicatorLabel(t, i)}</Typography.Text>
                    <div>{L?.indicators[i] === undefined ? '—' : L.indicators[i]!.toFixed(1)}</div>
                  </div>
                ))}
              </Space>
              {L ? <Chart option={barOption} height={240} testId="pf-q-bar" /> : <Typography.Text type="secondary">{t('pf.q.noRuns')}</Typography.Text>}
              {L && (
                <Typography.Text type="secondary">
                  #{L.id} · {dt(L.startedAt)} · {tk(t, 'pf.trigger', L.trigger)} · {t('pf.ds.rows')} {L.rows}
                </Typography.Text>
              )}
            </Card>
            <Card size="small" title={t('pf.q.history')}>
              {history.data?.items.length ? <Chart option={lineOption} height={300} testId="pf-q-line" /> : <Typography.Text type="secondary">{t('pf.q.noRuns')}</Typography.Text>}
            </Card>
          </div>
          <Card size="small" title={t('pf.q.rules')} style={{ marginBottom: 16 }}>
            <Table
              size="small"
              rowKey="id"
              dataSource={rules}
              pagination={false}
              scroll={{ x: 'max-content' }}
              data-testid="pf-q-rules"
              onRow={(r) => ({ 'data-testid': 'pf-q-rule', 'data-rule': r.id, 'data-failed': results.get(r.id)?.failed ?? '' }) as object}
              columns={[
                { title: t('pf.q.rule'), dataIndex: 'id', className: 'qs-mono-cell' },
                { title: t('pf.q.check'), dataIndex: 'check', render: (v: string) => <Tag>{v}</Tag> },
                { title: t('pf.q.indicator'), dataIndex: 'indicator', render: (v: string) => indicatorLabel(t, v) },
                { title: t('pf.ds.field'), key: 'field', render: (_: unknown, r) => String(r.field ?? (r['fields'] as string[] | undefined)?.join(', ') ?? (r['left'] ? `${String(r['left'])} ${String(r['op'])} ${String(r['right'])}` : '—')) },
                { title: t('pf.q.weight'), dataIndex: 'weight', align: 'right' },
                { title: t('pf.q.checked'), key: 'c', align: 'right', render: (_: unknown, r) => results.get(r.id)?.checked ?? '—' },
                { title: t('pf.q.failed'), key: 'f', align: 'right', render: (_: unknown, r) => { const x = results.get(r.id); return x ? <Typography.Text type={x.failed ? 'danger' : undefined}>{x.failed}</Typography.Text> : '—'; } },
                { title: t('pf.q.passRate'), key: 'p', align: 'right', render: (_: unknown, r) => { const x = results.get(r.id); return x && x.checked ? `${((x.passed / x.checked) * 100).toFixed(1)}%` : '—'; } },
                { title: t('pf.q.sample'), key: 's', render: (_: unknown, r) => { const x = results.get(r.id); return x && Array.isArray(x.sample) && x.sample.length ? <code style={{ fontSize: 12 }}>{JSON.stringify(x.sample).slice(0, 120)}</code> : '—'; } },
                { title: t('pf.ds.description'), dataIndex: 'description', render: (v: string) => v || '—' },
              ]}
            />
          </Card>
          <Issues dataset={dataset} onChanged={history.reload} />
        </>
      )}
    </>
  );
}
