/**
 * Forecasts (趋势预测): a monthly series (measure, flow, filters) and its forecast 1–24 months ahead
 * (cloud/trade/forecast.ts): history, the point forecast, the 80 % and 95 % intervals as bands, the
 * chosen method with its back-test MAPE next to the other methods'.
 */
import { LineChartOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Empty, Form, InputNumber, Select, Spin, Table, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { ApiError } from '../../api/client.js';
import { trade, type Filters, type ForecastPoint, type ForecastResult } from '../../api/trade.js';
import { Chart, type ChartOption } from '../../components/Chart.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useI18n } from '../../i18n/index.js';
import { cleanFilters, FilterEditor, flowLabel, measureLabel, tk, useMeta, useNumber } from './common.js';

const SERIES_MEASURES = ['value_usd', 'value_cny', 'items', 'qty1'] as const;
const SERIES_FLOWS = ['total', 'import', 'export'] as const;

export default function Forecast() {
  const { t, lang } = useI18n();
  const { meta } = useMeta();
  const fmt = useNumber();
  const [measure, setMeasure] = useState<(typeof SERIES_MEASURES)[number]>('value_usd');
  const [flow, setFlow] = useState<(typeof SERIES_FLOWS)[number]>('total');
  const [filters, setFilters] = useState<Filters>({});
  const [horizon, setHorizon] = useState(12);
  const [result, setResult] = useState<ForecastResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    try {
      setResult(await trade.forecast({ measure, flow, filters: cleanFilters(filters), horizon }));
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e)));
    } finally {
      setBusy(false);
    }
  };

  const chart = useMemo<ChartOption | null>(() => {
    if (!result) return null;
    const hist = result.series;
    const pts = result.points;
    const months = [...hist.months, ...pts.map((p) => p.month ?? `+${p.h}`)];
    const n = hist.months.length;
    const pad = <T,>(arr: T[]) => [...Array<null>(n).fill(null), ...arr];
    const last = hist.values[n - 1] ?? null;
    // The forecast line starts at the last observation so the two lines join.
    const fc = [...Array<null>(Math.max(0, n - 1)).fill(null), last, ...pts.map((p) => p.value)];
    const band = (lo: (p: ForecastPoint) => number, hi: (p: ForecastPoint) => number, name: string, colour: string) => [
      { type: 'line', name, stack: name, data: pad(pts.map(lo)), lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false } },
      { type: 'line', name, stack: name, data: pad(pts.map((p) => hi(p) - lo(p))), lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color: colour }, tooltip: { show: false } },
    ];
    return {
      tooltip: {
        trigger: 'axis',
        formatter: (items: { dataIndex: number; axisValue: string }[]) => {
          const i = items[0]?.dataIndex ?? 0;
          const m = items[0]?.axisValue ?? '';
          if (i < n) return `${m}<br/>${t('trade.fc.actual')}: ${fmt.int(hist.values[i])}`;
          const p = pts[i - n]!;
          return `${m}<br/>${t('trade.fc.forecast')}: ${fmt.int(p.value)}<br/>80%: ${fmt.int(p.lower80)} – ${fmt.int(p.upper80)}<br/>95%: ${fmt.int(p.lower95)} – ${fmt.int(p.upper95)}`;
        },
      },
      legend: { top: 0, data: [t('trade.fc.actual'), t('trade.fc.forecast'), t('trade.fc.band95'), t('trade.fc.band80')] },
      grid: { left: 72, right: 16, top: 36, bottom: 48 },
      dataZoom: months.length > 36 ? [{ type: 'slider', height: 16, bottom: 4, startValue: Math.max(0, months.length - 48) }] : [],
      xAxis: { type: 'category', data: months, boundaryGap: false },
      yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v: number) => (Math.abs(v) >= 1e6 ? `${(v / 1e6).toFixed(0)}M` : String(v)) } },
      series: [
        ...band((p) => p.lower95, (p) => p.upper95, t('trade.fc.band95'), 'rgba(19,168,168,0.15)'),
        ...band((p) => p.lower80, (p) => p.upper80, t('trade.fc.band80'), 'rgba(19,168,168,0.25)'),
        { type: 'line', name: t('trade.fc.actual'), data: [...hist.values, ...Array<null>(pts.length).fill(null)], itemStyle: { color: '#1d4f91' }, symbolSize: 4 },
        { type: 'line', name: t('trade.fc.forecast'), data: fc, itemStyle: { color: '#13a8a8' }, lineStyle: { type: 'dashed' }, symbolSize: 4 },
      ],
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result, lang]);

  return (
    <>
      <PageHeader title={t('trade.tab.forecast')} sub={meta?.range ? t('trade.range', { from: meta.range.from, to: meta.range.to }) : null} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form layout="vertical" size="small">
          <div className="qs-form-row">
            <Form.Item label={t('trade.fc.measure')}>
              <Select value={measure} onChange={setMeasure} options={SERIES_MEASURES.map((m) => ({ value: m, label: measureLabel(t, m) }))} data-testid="fc-measure" />
            </Form.Item>
            <Form.Item label={t('trade.fc.flow')}>
              <Select value={flow} onChange={setFlow} options={SERIES_FLOWS.map((f) => ({ value: f, label: flowLabel(t, f) }))} data-testid="fc-flow" />
            </Form.Item>
            <Form.Item label={t('trade.fc.horizon')}>
              <InputNumber min={1} max={24} value={horizon} onChange={(v) => setHorizon(v ?? 12)} addonAfter={t('trade.fc.months')} style={{ width: '100%' }} data-testid="fc-horizon" />
            </Form.Item>
          </div>
          <Form.Item label={t('trade.stats.filters')}>
            <FilterEditor value={filters} onChange={setFilters} />
          </Form.Item>
          <Button type="primary" icon={<LineChartOutlined />} loading={busy} onClick={() => void run()} data-testid="fc-run">
            {t('trade.fc.run')}
          </Button>
        </Form>
      </Card>
      <Problem error={error} />
      <Spin spinning={busy}>
        {!result ? (
          <Card>
            <Empty description={t('trade.fc.hint')} />
          </Card>
        ) : (
          <>
            {result.note && <Alert type="info" showIcon message={result.note} style={{ marginBottom: 12 }} />}
            <Card size="small" title={t('trade.fc.chart')} style={{ marginBottom: 16 }}>
              {chart && <Chart option={chart} height={340} testId="fc-chart" />}
            </Card>
            <div className="qs-grid-3">
              <Card size="small" title={t('trade.fc.points')}>
                <Table<ForecastPoint>
                  size="small"
                  rowKey="h"
                  dataSource={result.points}
                  pagination={false}
                  scroll={{ x: 'max-content' }}
                  data-testid="fc-points"
                  columns={[
                    { title: t('trade.dim.month'), dataIndex: 'month', render: (v: string | undefined, p) => v ?? `+${p.h}` },
                    { title: t('trade.fc.forecast'), dataIndex: 'value', align: 'right', render: (v: number) => fmt.int(v) },
                    { title: t('trade.fc.band80'), key: 'i80', align: 'right', render: (_, p) => `${fmt.int(p.lower80)} – ${fmt.int(p.upper80)}` },
                    { title: t('trade.fc.band95'), key: 'i95', align: 'right', render: (_, p) => `${fmt.int(p.lower95)} – ${fmt.int(p.upper95)}` },
                  ]}
                />
              </Card>
              <Card size="small" title={t('trade.fc.model')}>
                <Descriptions size="small" column={1}>
                  <Descriptions.Item label={t('trade.fc.method')}>
                    <Tag color="blue" data-testid="fc-method" data-method={result.method}>
                      {tk(t, 'trade.fc.m', result.method)}
                    </Tag>
                  </Descriptions.Item>
                  <Descriptions.Item label="MAPE">
                    <span data-testid="fc-mape">{fmt.pct(result.mape)}</span>
                  </Descriptions.Item>
                  {result.params && <Descriptions.Item label="α / β / γ">{`${result.params.alpha.toFixed(3)} / ${result.params.beta.toFixed(3)} / ${result.params.gamma.toFixed(3)}`}</Descriptions.Item>}
                  <Descriptions.Item label={t('trade.fc.origins')}>{result.origins}</Descriptions.Item>
                </Descriptions>
                <Table
                  size="small"
                  rowKey="method"
                  pagination={false}
                  dataSource={result.backtest}
                  columns={[
                    { title: t('trade.fc.method'), dataIndex: 'method', render: (m: string) => (m === result.method ? <strong>{tk(t, 'trade.fc.m', m)}</strong> : tk(t, 'trade.fc.m', m)) },
                    { title: 'MAPE', dataIndex: 'mape', align: 'right', render: (v: number | null) => fmt.pct(v) },
                  ]}
                />
              </Card>
            </div>
          </>
        )}
      </Spin>
    </>
  );
}
