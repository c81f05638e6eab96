/**
 * The trade overview (外贸概览) over /api/trade (cloud/trade/router.ts): the data range, the monthly
 * import/export values, the top trading partners and the trade-mode split for a chosen year. Column
 * labels come from the server (its own Chinese names of measures and dimensions).
 */
import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Select, Space, Statistic, Table, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api, ApiError } from '../../api/client.js';
import { Chart, type ChartOption } from '../../components/Chart.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useI18n } from '../../i18n/index.js';
import { useMeta } from './common.js';

interface Column {
  name: string;
  label: string;
  kind: 'dim' | 'name' | 'measure' | 'prev' | 'growth' | 'share' | 'contrib';
}

interface QueryResult {
  columns: Column[];
  rows: Array<Record<string, unknown>>;
  period: { from: string; to: string } | null;
  ms: number;
}

/** POSTs a statistics query whenever its spec changes. */
function useQuery(spec: object | null) {
  const [data, setData] = useState<QueryResult | undefined>();
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(spec);
  useEffect(() => {
    if (!spec) return;
    let live = true;
    api.post<QueryResult>('/api/trade/stats/query', spec).then(
      (r) => live && (setData(r), setError(null)),
      (e: unknown) => live && setError(e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e))),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));
/** The label of a row: the dimension's name column when there is one, else its code. */
function rowLabel(r: QueryResult, row: Record<string, unknown>): string {
  const name = r.columns.find((c) => c.kind === 'name');
  const dim = r.columns.find((c) => c.kind === 'dim');
  return String((name && row[name.name]) ?? (dim && row[dim.name]) ?? '');
}

export default function Overview() {
  const { t, lang } = useI18n();
  const m = useMeta();
  const meta = { data: m.meta, error: m.error, reload: m.reload };
  const years = useMemo(() => {
    const r = meta.data?.range;
    if (!r) return [];
    const out: string[] = [];
    for (let y = Number(r.to.slice(0, 4)); y >= Number(r.from.slice(0, 4)); y--) out.push(String(y));
    return out;
  }, [meta.data]);
  const [year, setYear] = useState<string | null>(null);
  const y = year ?? years[0] ?? null;
  const period = y && meta.data?.range ? { from: `${y}-01` < meta.data.range.from ? meta.data.range.from : `${y}-01`, to: `${y}-12` > meta.data.range.to ? meta.data.range.to : `${y}-12` } : null;

  const monthly = useQuery(period ? { measures: ['value_usd'], flows: ['import', 'export', 'total'], dims: ['month'], period } : null);
  const partners = useQuery(period ? { measures: ['value_usd'], flows: ['import', 'export', 'total'], dims: ['country'], period, topN: { n: 10, by: 'value_usd_total' } } : null);
  const modes = useQuery(period ? { measures: ['value_usd'], flows: ['total'], dims: ['trade_mode_group'], period } : null);

  const totals = useMemo(() => {
    const rows = monthly.data?.rows ?? [];
    return { imp: rows.reduce((a, r) => a + num(r['value_usd_import']), 0), exp: rows.reduce((a, r) => a + num(r['value_usd_export']), 0) };
  }, [monthly.data]);

  const monthlyChart = useMemo<ChartOption>(() => {
    const rows = monthly.data?.rows ?? [];
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 64, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: rows.map((r) => String(r['month'])) },
      yAxis: { type: 'value', name: t('trade.usdMillion'), axisLabel: { formatter: (v: number) => (v / 1e6).toFixed(0) } },
      series: [
        { type: 'bar', name: t('trade.import'), data: rows.map((r) => num(r['value_usd_import'])), itemStyle: { color: '#1d4f91' } },
        { type: 'bar', name: t('trade.export'), data: rows.map((r) => num(r['value_usd_export'])), itemStyle: { color: '#13a8a8' } },
      ],
    };
  }, [monthly.data, lang]);

  // The top 10 by total, largest first (the server picks them; the order is ours).
  const partnerRows = useMemo(() => [...(partners.data?.rows ?? [])].sort((a, b) => num(b['value_usd_total']) - num(a['value_usd_total'])), [partners.data]);
  const partnersChart = useMemo<ChartOption>(() => {
    const r = partners.data;
    const rows = [...partnerRows].reverse();
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 110, right: 24, top: 8, bottom: 24 },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => (v / 1e6).toFixed(0) } },
      yAxis: { type: 'category', data: rows.map((x) => (r ? rowLabel(r, x) : '')) },
      series: [{ type: 'bar', name: t('trade.total'), data: rows.map((x) => num(x['value_usd_total'])), itemStyle: { color: '#1d4f91', borderRadius: [0, 4, 4, 0] } }],
    };
  }, [partners.data, partnerRows, lang]);

  const modesChart = useMemo<ChartOption>(() => {
    const r = modes.data;
    return {
      tooltip: { trigger: 'item' },
      legend: { bottom: 0, type: 'scroll' },
      series: [{ type: 'pie', radius: ['40%', '66%'], center: ['50%', '44%'], data: (r?.rows ?? []).map((x) => ({ name: r ? rowLabel(r, x) : '', value: num(x['value_usd_total']) })) }],
    };
  }, [modes.data, lang]);

  const error = meta.error ?? monthly.error ?? partners.error ?? modes.error;
  const empty = meta.data && !meta.data.range;

  return (
    <>
      <PageHeader
        title={t('trade.tab.overview')}
        sub={meta.data?.range ? t('trade.range', { from: meta.data.range.from, to: meta.data.range.to }) : null}
        extra={
          <Space>
            <Select size="small" style={{ width: 110 }} value={y ?? undefined} onChange={setYear} options={years.map((v) => ({ value: v, label: t('trade.year', { y: v }) }))} data-testid="trade-year" />
            <Button
              icon={<ReloadOutlined />}
              onClick={() => {
                meta.reload();
                monthly.reload();
                partners.reload();
                modes.reload();
              }}
            />
          </Space>
        }
      />
      <Problem error={error} />
      {empty ? (
        <Card>
          <Empty description={t('trade.noData')} />
        </Card>
      ) : (
        meta.data && (
          <>
            <div className="qs-cards">
              <Card size="small" className="qs-figure">
                <Statistic title={t('trade.importValue')} value={totals.imp / 1e8} precision={2} suffix={t('trade.usd100m')} />
              </Card>
              <Card size="small" className="qs-figure">
                <Statistic title={t('trade.exportValue')} value={totals.exp / 1e8} precision={2} suffix={t('trade.usd100m')} />
              </Card>
              <Card size="small" className="qs-figure">
                <Statistic title={t('trade.balance')} value={(totals.exp - totals.imp) / 1e8} precision={2} suffix={t('trade.usd100m')} />
              </Card>
              <Card size="small" className="qs-figure">
                <Statistic title={t('trade.enterprises')} value={meta.data.counts.enterprises} />
              </Card>
            </div>
            <Card size="small" title={t('trade.monthly')} style={{ marginBottom: 16 }}>
              <Chart option={monthlyChart} height={280} testId="trade-monthly" />
            </Card>
            <div className="qs-grid-2">
              <Card size="small" title={t('trade.partners')}>
                <Chart option={partnersChart} height={300} />
              </Card>
              <Card size="small" title={t('trade.modes')}>
                <Chart option={modesChart} height={300} />
              </Card>
            </div>
            {partners.data && (
              <Card size="small" title={t('trade.partnersTable')} style={{ marginTop: 16 }} extra={<Typography.Text type="secondary">{t('trade.queryMs', { ms: partners.data.ms })}</Typography.Text>}>
                <Table
                  size="small"
                  rowKey={(row) => rowLabel(partners.data!, row)}
                  dataSource={partnerRows}
                  pagination={false}
                  scroll={{ x: 'max-content' }}
                  columns={partners.data.columns.map((c) => ({
                    title: c.label,
                    dataIndex: c.name,
                    align: c.kind === 'dim' || c.kind === 'name' ? ('left' as const) : ('right' as const),
                    render: (v: unknown) => (typeof v === 'number' ? (c.kind === 'share' || c.kind === 'growth' ? `${(v * 100).toFixed(1)} %` : v.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { maximumFractionDigits: 0 })) : String(v ?? '—')),
                  }))}
                />
              </Card>
            )}
          </>
        )
      )}
    </>
  );
}
