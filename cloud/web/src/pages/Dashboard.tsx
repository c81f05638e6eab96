/**
 * 业务运行监控 — the operations figures the customs office reports (GET /api/ops/figures): users,
 * connected data sources, video patrol usage, local inspection share, ship health quarantine usage,
 * priority inspection fulfilment against its 95 % target, clearance time and online users.
 */
import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Radio, Space, Statistic, Tooltip } from 'antd';
import { useMemo, useState, type ReactNode } from 'react';
import type { OpsFigures } from '../api/types.js';
import { Chart, type ChartOption } from '../components/Chart.js';
import { PageHeader, Problem } from '../components/Page.js';
import { useFetch } from '../hooks.js';
import { useI18n } from '../i18n/index.js';

const DAY = 24 * 3600_000;
const PERIODS = { d7: 7, d30: 30, d90: 90 } as const;
type Period = keyof typeof PERIODS;

function rate(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 1000) / 10;
}

function Figure({ title, value, suffix, foot, testId, tone, precision }: { title: string; value: number | null; suffix?: string; foot?: ReactNode; testId: string; tone?: 'good' | 'bad'; precision?: number }) {
  return (
    <Card size="small" className="qs-figure" data-testid={testId}>
      <Statistic
        title={title}
        value={value ?? '—'}
        precision={value === null ? undefined : precision}
        suffix={value === null ? undefined : suffix}
        valueStyle={tone === 'good' ? { color: '#389e0d' } : tone === 'bad' ? { color: '#cf1322' } : undefined}
      />
      {foot && <div className="qs-figure-foot">{foot}</div>}
    </Card>
  );
}

export default function Dashboard() {
  const { t, lang, d } = useI18n();
  const [period, setPeriod] = useState<Period>('d30');
  // `from` moves only when the period changes (a moving query would refetch on every render).
  const from = useMemo(() => Date.now() - PERIODS[period] * DAY, [period]);
  const figs = useFetch<OpsFigures>('/api/ops/figures', { from }, { live: ['task', 'appointment', 'quarantine', 'gateway'], pollMs: 60_000 });
  const f = figs.data;

  const priorityRate = rate(f?.priority.rate);
  const target = Math.round((f?.priority.target ?? 0.95) * 100);

  const gauge = useMemo<ChartOption>(
    () => ({
      series: [
        {
          type: 'gauge',
          min: 0,
          max: 100,
          radius: '92%',
          progress: { show: true, width: 14 },
          axisLine: { lineStyle: { width: 14, color: [[target / 100, '#ffccc7'], [1, '#d9f7be']] } },
          axisTick: { show: false },
          splitLine: { length: 8, lineStyle: { width: 1, color: '#999' } },
          axisLabel: { distance: 18, fontSize: 10 },
          pointer: { width: 4 },
          title: { offsetCenter: [0, '72%'], fontSize: 12 },
          detail: { valueAnimation: true, formatter: (v: number) => (priorityRate === null ? '—' : `${v.toFixed(1)}%`), fontSize: 22, offsetCenter: [0, '40%'] },
          data: [{ value: priorityRate ?? 0, name: t('ops.targetLine', { target }) }],
        },
      ],
    }),
    [priorityRate, target, lang],
  );

  const decisions = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { bottom: 0, type: 'scroll' },
      series: [
        {
          type: 'pie',
          radius: ['42%', '68%'],
          center: ['50%', '44%'],
          label: { formatter: '{b}\n{c}' },
          data: [
            { name: t('qdecision.boarding'), value: f?.quarantine.boarding ?? 0 },
            { name: t('qdecision.remote'), value: f?.quarantine.remote ?? 0 },
            { name: t('qdecision.free_pratique'), value: f?.quarantine.freePratique ?? 0 },
          ],
        },
      ],
    }),
    [f, lang],
  );

  const sources = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 28 },
      xAxis: { type: 'category', data: [t('ops.src.gateways'), t('ops.src.devices'), t('ops.src.cameras'), t('ops.src.windows')] },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', barMaxWidth: 36, data: [f?.dataSources.gateways ?? 0, f?.dataSources.devices ?? 0, f?.dataSources.cameras ?? 0, f?.dataSources.queueWindows ?? 0], itemStyle: { color: '#1d4f91', borderRadius: [4, 4, 0, 0] } }],
    }),
    [f, lang],
  );

  const clearance = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 28 },
      xAxis: { type: 'category', data: [t('ops.clear.mean'), t('ops.clear.p50'), t('ops.clear.p90')] },
      yAxis: { type: 'value', name: t('unit.minutes') },
      series: [{ type: 'bar', barMaxWidth: 36, data: [f?.clearance.meanMinutes ?? 0, f?.clearance.p50Minutes ?? 0, f?.clearance.p90Minutes ?? 0], itemStyle: { color: '#13a8a8', borderRadius: [4, 4, 0, 0] } }],
    }),
    [f, lang],
  );

  return (
    <>
      <PageHeader
        title={t('nav.dashboard')}
        sub={f ? t('ops.period', { from: d(f.from), to: d(f.to) }) : null}
        extra={
          <Space>
            <Radio.Group size="small" value={period} onChange={(e) => setPeriod(e.target.value as Period)} optionType="button">
              <Radio.Button value="d7">{t('range.d7')}</Radio.Button>
              <Radio.Button value="d30">{t('range.d30')}</Radio.Button>
              <Radio.Button value="d90">{t('range.d90')}</Radio.Button>
            </Radio.Group>
            <Button icon={<ReloadOutlined />} onClick={figs.reload} />
          </Space>
        }
      />
      <Problem error={figs.error} />
      <div className="qs-cards">
        <Figure testId="fig-users-customs" title={t('ops.usersCustoms')} value={f?.users.customs ?? null} foot={f ? t('ops.pendingUsers', { n: f.users.pending }) : null} />
        <Figure testId="fig-users-enterprise" title={t('ops.usersEnterprise')} value={f?.users.enterprise ?? null} />
        <Figure testId="fig-online" title={t('ops.onlineUsers')} value={f?.onlineUsers ?? null} foot={f ? t('ops.sseClients', { n: f.sseClients }) : null} />
        <Figure testId="fig-sources" title={t('ops.dataSources')} value={f?.dataSources.total ?? null} foot={f ? t('ops.gatewaysOnline', { online: f.dataSources.gatewaysOnline, total: f.dataSources.gateways }) : null} />
        <Figure testId="fig-patrol" title={t('ops.patrolRate')} value={rate(f?.patrol.rate)} suffix="%" precision={1} foot={f ? t('ops.patrolFoot', { watched: f.patrol.watched, cameras: f.patrol.cameras, minutes: Math.round(f.patrol.minutes) }) : null} />
        <Figure testId="fig-local" title={t('ops.localShare')} value={rate(f?.localInspection.share)} suffix="%" precision={1} foot={f ? t('ops.localFoot', { using: f.localInspection.using, enterprises: f.localInspection.enterprises }) : null} />
        <Figure testId="fig-quarantine" title={t('ops.quarantineRate')} value={rate(f?.quarantine.usageRate)} suffix="%" precision={1} foot={f ? t('ops.quarantineFoot', { decided: f.quarantine.decided, declarations: f.quarantine.declarations, flags: f.quarantine.ballastFlags }) : null} />
        <Figure
          testId="fig-priority"
          title={t('ops.priorityRate')}
          value={priorityRate}
          suffix="%"
          precision={1}
          tone={priorityRate === null ? undefined : priorityRate >= target ? 'good' : 'bad'}
          foot={f ? t('ops.priorityFoot', { onTime: f.priority.onTime, total: f.priority.total, overdue: f.priority.overdueOpen }) : null}
        />
        <Figure testId="fig-clearance" title={t('ops.clearance')} value={f?.clearance.meanMinutes ?? null} suffix={t('unit.minutesShort')} precision={1} foot={f ? t('ops.clearanceFoot', { n: f.clearance.tasks }) : null} />
      </div>
      <div className="qs-grid-2">
        <Card size="small" title={<Tooltip title={t('ops.targetHint')}>{t('ops.priorityChart')}</Tooltip>}>
          <Chart option={gauge} height={260} testId="chart-priority" />
        </Card>
        <Card size="small" title={t('ops.decisionsChart')}>
          {f && f.quarantine.boarding + f.quarantine.remote + f.quarantine.freePratique === 0 ? <Empty className="qs-chart-empty" description={t('ops.noDecisions')} /> : <Chart option={decisions} height={260} />}
        </Card>
        <Card size="small" title={t('ops.sourcesChart')}>
          <Chart option={sources} height={240} />
        </Card>
        <Card size="small" title={t('ops.clearanceChart')}>
          {f && f.clearance.tasks === 0 ? <Empty className="qs-chart-empty qs-chart-empty-sm" description={t('ops.noClearance')} /> : <Chart option={clearance} height={240} />}
        </Card>
      </div>
    </>
  );
}
