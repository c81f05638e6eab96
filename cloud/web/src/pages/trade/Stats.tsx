/**
 * Statistics (统计查询): the query spec of cloud/trade/stats.ts as a form — measures, flows,
 * dimensions (their order is the grouping order), filters, period, YoY/MoM, year-to-date, shares,
 * top N — then a chart and a table of the answer. A dimension cell with a finer level drills down
 * (year → quarter → month, section → chapter → heading → code, continent → country, …) through
 * /stats/drill; the breadcrumb goes back up. The same spec exports as CSV or XLSX on the server.
 */
import { CodeOutlined, DownloadOutlined, PlayCircleOutlined, RightOutlined } from '@ant-design/icons';
import { App, Breadcrumb, Button, Card, Checkbox, Empty, Form, InputNumber, Modal, Radio, Select, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useMemo, useRef, useState, type Key } from 'react';
import { Link } from 'react-router-dom';
import { ApiError } from '../../api/client.js';
import { DIMS, DRILL_CHILD, FLOWS, MEASURES, TIME_DIMS, trade, type Column, type Dim, type Filters, type Flow, type Measure, type QueryResult, type Row, type StatsSpec } from '../../api/trade.js';
import { Chart, type ChartOption } from '../../components/Chart.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useI18n, type T } from '../../i18n/index.js';
import { errorText } from '../../util.js';
import { cleanFilters, codeName, dimLabel, FilterEditor, flowLabel, measureLabel, monthsBetween, saveBlob, useMeta, useNumber } from './common.js';

interface FormState {
  measures: Measure[];
  flows: Flow[];
  dims: Dim[];
  filters: Filters;
  from: string | undefined;
  to: string | undefined;
  compare: 'none' | 'yoy' | 'mom';
  cumulative: boolean;
  share: boolean;
  topN: number | null;
  topBy: string | undefined;
  limit: number;
}

const COUNT_MEASURES = new Set<Measure>(['qty1', 'items', 'declarations', 'enterprises']);
/** Measures whose row sum is the total (count-distinct measures are not additive over groups). */
const ADDITIVE = new Set<string>(['value_usd', 'value_cny', 'qty1', 'items']);
const isTime = (d: string) => (TIME_DIMS as readonly string[]).includes(d);

export function specOf(f: FormState): StatsSpec {
  const spec: StatsSpec = { measures: f.measures, flows: f.flows, dims: f.dims, filters: cleanFilters(f.filters), limit: f.limit };
  if (f.from && f.to) spec.period = { from: f.from, to: f.to };
  if (f.compare !== 'none') spec.compare = f.compare;
  if (f.cumulative) spec.cumulative = true;
  if (f.share) spec.share = true;
  if (f.topN) {
    const names = measureColumnNames(f.measures, f.flows);
    const by = f.topBy && names.includes(f.topBy) ? f.topBy : names[0];
    if (by) spec.topN = { n: f.topN, by };
  }
  return spec;
}

function formOf(s: StatsSpec, prev: FormState): FormState {
  return {
    measures: s.measures,
    flows: s.flows,
    dims: s.dims,
    filters: s.filters ?? {},
    from: s.period?.from ?? prev.from,
    to: s.period?.to ?? prev.to,
    compare: s.compare ?? 'none',
    cumulative: !!s.cumulative,
    share: !!s.share,
    topN: s.topN?.n ?? null,
    topBy: s.topN?.by ?? prev.topBy,
    limit: s.limit ?? prev.limit,
  };
}

/** The measure columns a spec will produce (what top N can rank by). */
function measureColumnNames(measures: readonly Measure[], flows: readonly Flow[]): string[] {
  const out: string[] = [];
  for (const m of measures) for (const f of flows) if (!(f === 'balance' && COUNT_MEASURES.has(m))) out.push(`${m}_${f}`);
  return out;
}

/** A row's label over its dimensions: names where the server gives them, else codes. */
function rowLabel(cols: readonly Column[], row: Row, skip?: string): string {
  const parts: string[] = [];
  for (const c of cols) {
    if (c.kind !== 'dim' || c.name === skip) continue;
    const name = row[`${c.name}_name`];
    parts.push(String(name ?? row[c.name] ?? '—'));
  }
  return parts.join(' · ');
}

/**
 * A column's heading: the server's own Chinese statistical term in Chinese; in English, composed from
 * the column's name (`value_usd_import_yoy` → "Imports · Value (USD) · YoY").
 */
export function columnLabel(t: T, lang: string, c: Column): string {
  if (lang === 'zh') return c.label;
  if (c.kind === 'dim') return dimLabel(t, c.name);
  if (c.kind === 'name') return t('trade.col.name', { dim: dimLabel(t, c.name.replace(/_name$/, '')) });
  const m = /^(value_usd|value_cny|qty1|items|declarations|enterprises)_(import|export|total|balance)(?:_(prev|yoy|mom|share|contrib))?$/.exec(c.name);
  if (!m) return c.label;
  const base = `${flowLabel(t, m[2]!)} · ${measureLabel(t, m[1]!)}`;
  switch (m[3]) {
    case 'prev':
      return `${base} · ${/上年同期$/.test(c.label) ? t('trade.col.prevYear') : t('trade.col.prevPeriod')}`;
    case 'yoy':
      return `${base} · ${t('trade.stats.yoy')}`;
    case 'mom':
      return `${base} · ${t('trade.stats.mom')}`;
    case 'share':
      return `${base} · ${t('trade.stats.share')}`;
    case 'contrib':
      return `${base} · ${t('trade.col.contrib')}`;
    default:
      return base;
  }
}

interface Crumb {
  label: string;
  spec: StatsSpec;
}

export default function Stats() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const { meta, error: metaError } = useMeta();
  const fmt = useNumber();
  const months = useMemo(() => (meta?.range ? monthsBetween(meta.range.from, meta.range.to) : []), [meta]);
  const [form, setForm] = useState<FormState>({
    measures: ['value_usd'],
    flows: ['import', 'export', 'total'],
    dims: ['hs_chapter'],
    filters: {},
    from: undefined,
    to: undefined,
    compare: 'yoy',
    cumulative: false,
    share: true,
    topN: null,
    topBy: undefined,
    limit: 10_000,
  });
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [crumbs, setCrumbs] = useState<Crumb[]>([]);
  const [chartCol, setChartCol] = useState<string | undefined>();
  const [sql, setSql] = useState<{ sql: string; params: unknown[]; source: string } | null>(null);
  const [exporting, setExporting] = useState<string | null>(null);
  const seq = useRef(0);

  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setForm((f) => ({ ...f, [k]: v }));

  const run = useCallback(
    async (spec: StatsSpec, how: { drill?: { dim: Dim; value: string; label: string } } = {}) => {
      const my = ++seq.current;
      setBusy(true);
      try {
        const r = how.drill ? await trade.drill(spec, how.drill.dim, how.drill.value) : await trade.query(spec);
        if (my !== seq.current) return;
        setResult(r);
        setError(null);
        if (how.drill) {
          const next = formOf(r.spec, form);
          setForm(next);
          setCrumbs((c) => [...(c.length ? c : [{ label: t('trade.stats.top'), spec }]), { label: how.drill!.label, spec: specOf(next) }]);
        }
      } catch (e) {
        if (my !== seq.current) return;
        setError(e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e)));
      } finally {
        if (my === seq.current) setBusy(false);
      }
    },
    [form, t],
  );

  // The first query once the data range is known: the last 12 months by HS chapter.
  useEffect(() => {
    if (!meta?.range || form.from) return;
    const to = meta.range.to;
    const from = months[Math.max(0, months.length - 12)] ?? meta.range.from;
    const next = { ...form, from, to };
    setForm(next);
    void run(specOf(next));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [meta]);

  const submit = () => {
    setCrumbs([]);
    void run(specOf(form));
  };

  const drill = (dim: Dim, value: string, label: string) => {
    if (!result) return;
    void run(specOf(form), { drill: { dim, value, label: `${dimLabel(t, dim)}: ${label}` } });
  };

  const back = (i: number) => {
    const c = crumbs[i];
    if (!c) return;
    setForm((f) => formOf(c.spec, f));
    setCrumbs(i === 0 ? [] : crumbs.slice(0, i + 1));
    void run(c.spec);
  };

  const download = async (format: 'csv' | 'xlsx') => {
    setExporting(format);
    try {
      const f = await trade.exportFile(specOf(form), format);
      saveBlob(f.blob, f.filename);
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setExporting(null);
    }
  };

  const explain = async () => {
    try {
      setSql(await trade.explain(specOf(form)));
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };

  const valueCols = useMemo(() => (result?.columns ?? []).filter((c) => c.kind !== 'dim' && c.kind !== 'name'), [result]);
  const chartColumn = valueCols.find((c) => c.name === chartCol) ?? valueCols.find((c) => c.kind === 'measure' && c.name.endsWith('_total')) ?? valueCols[0];

  const chart = useMemo<ChartOption | null>(() => {
    if (!result || !result.rows.length || !chartColumn) return null;
    const cols = result.columns;
    const timeDim = cols.find((c) => c.kind === 'dim' && isTime(c.name))?.name;
    const ratio = chartColumn.kind === 'growth' || chartColumn.kind === 'share';
    const axisFmt = (v: number) => (ratio ? `${(v * 100).toFixed(0)}%` : Math.abs(v) >= 1e6 ? `${(v / 1e6).toFixed(0)}M` : String(v));
    if (timeDim) {
      const xs = [...new Set(result.rows.map((r) => String(r[timeDim])))].sort();
      const hasOther = cols.some((c) => c.kind === 'dim' && c.name !== timeDim);
      let series: { name: string; data: (number | null)[] }[];
      if (hasOther) {
        // one line per group, the 8 largest by the chart column
        const groups = new Map<string, Map<string, number>>();
        for (const r of result.rows) {
          const g = rowLabel(cols, r, timeDim);
          if (!groups.has(g)) groups.set(g, new Map());
          groups.get(g)!.set(String(r[timeDim]), Number(r[chartColumn.name] ?? NaN));
        }
        const total = (m: Map<string, number>) => [...m.values()].reduce((a, v) => a + (Number.isFinite(v) ? Math.abs(v) : 0), 0);
        series = [...groups.entries()]
          .sort((a, b) => total(b[1]) - total(a[1]))
          .slice(0, 8)
          .map(([g, m]) => ({ name: g, data: xs.map((x) => (m.has(x) && Number.isFinite(m.get(x)!) ? m.get(x)! : null)) }));
      } else {
        const same = valueCols.filter((c) => c.kind === chartColumn.kind && c.name.split('_')[0] === chartColumn.name.split('_')[0]);
        series = same.map((c) => ({ name: columnLabel(t, lang, c), data: xs.map((x) => {
          const r = result.rows.find((row) => String(row[timeDim]) === x);
          const v = r ? Number(r[c.name]) : NaN;
          return Number.isFinite(v) ? v : null;
        }) }));
      }
      return {
        tooltip: { trigger: 'axis' },
        legend: { top: 0, type: 'scroll' },
        grid: { left: 64, right: 16, top: 36, bottom: 48 },
        dataZoom: xs.length > 24 ? [{ type: 'slider', height: 16, bottom: 4 }] : [],
        xAxis: { type: 'category', data: xs },
        yAxis: { type: 'value', axisLabel: { formatter: axisFmt } },
        series: series.map((s) => ({ type: hasOther || ratio ? 'line' : 'bar', name: s.name, data: s.data, connectNulls: false })),
      };
    }
    const rows = [...result.rows]
      .filter((r) => Number.isFinite(Number(r[chartColumn.name])))
      .sort((a, b) => Number(b[chartColumn.name]) - Number(a[chartColumn.name]))
      .slice(0, 20)
      .reverse();
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 160, right: 24, top: 8, bottom: 24 },
      xAxis: { type: 'value', axisLabel: { formatter: axisFmt } },
      yAxis: { type: 'category', data: rows.map((r) => rowLabel(cols, r)), axisLabel: { width: 150, overflow: 'truncate' } },
      series: [{ type: 'bar', name: columnLabel(t, lang, chartColumn), data: rows.map((r) => Number(r[chartColumn.name])), itemStyle: { color: '#1d4f91', borderRadius: [0, 4, 4, 0] } }],
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result, chartColumn, valueCols, lang]);

  const columns = useMemo<ColumnsType<Row>>(() => {
    if (!result) return [];
    return result.columns.map((c) => {
      const numeric = c.kind !== 'dim' && c.kind !== 'name';
      const base = {
        key: c.name,
        title: columnLabel(t, lang, c),
        dataIndex: c.name,
        align: numeric ? ('right' as const) : ('left' as const),
        sorter: numeric ? (a: Row, b: Row) => (Number(a[c.name]) || 0) - (Number(b[c.name]) || 0) : (a: Row, b: Row) => String(a[c.name] ?? '').localeCompare(String(b[c.name] ?? '')),
      };
      if (!numeric) {
        const values = [...new Set(result.rows.map((r) => String(r[c.name] ?? '')))].sort();
        const child = c.kind === 'dim' ? DRILL_CHILD[c.name as Dim] : undefined;
        return {
          ...base,
          fixed: c.kind === 'dim' && result.columns.indexOf(c) === 0 ? ('left' as const) : undefined,
          filters: values.length > 1 && values.length <= 300 ? values.map((v) => ({ text: v || '—', value: v })) : undefined,
          filterSearch: true,
          onFilter: (v: boolean | Key, r: Row) => String(r[c.name] ?? '') === String(v),
          render: (v: unknown, r: Row) => {
            const s = v === null || v === undefined ? '—' : String(v);
            if (c.name === 'enterprise' && v) return <Link to={`/trade/enterprises/${s}`}>{s}</Link>;
            if (!child || v === null || v === undefined) return s;
            const label = String(r[`${c.name}_name`] ?? s);
            return (
              <Tooltip title={t('trade.stats.drillTo', { dim: dimLabel(t, child) })}>
                <Typography.Link onClick={() => drill(c.name as Dim, s, label)} data-testid={`drill-${c.name}-${s}`}>
                  {s} <RightOutlined style={{ fontSize: 10 }} />
                </Typography.Link>
              </Tooltip>
            );
          },
        };
      }
      return {
        ...base,
        render: (v: unknown) =>
          c.kind === 'growth' || c.kind === 'share' ? fmt.pct(v) : c.kind === 'contrib' ? fmt.dec(v, 2) : c.name.startsWith('qty1') ? fmt.dec(v, 2) : fmt.int(v),
      };
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result, lang, fmt]);

  const totals = useMemo(() => {
    if (!result) return null;
    const out: Record<string, number> = {};
    for (const c of result.columns) {
      if ((c.kind !== 'measure' && c.kind !== 'prev') || !ADDITIVE.has(c.name.replace(/_(import|export|total|balance)(_prev)?$/, ''))) continue;
      out[c.name] = result.rows.reduce((a, r) => a + (Number(r[c.name]) || 0), 0);
    }
    return out;
  }, [result]);

  const topByOptions = measureColumnNames(form.measures, form.flows);
  const timeChosen = form.dims.find(isTime);
  const firstCol = result?.columns[0]?.name;
  const chips = Object.entries(cleanFilters(form.filters));

  return (
    <>
      <PageHeader
        title={t('trade.tab.stats')}
        sub={meta?.range ? t('trade.range', { from: meta.range.from, to: meta.range.to }) : null}
        extra={
          <Space wrap>
            <Button icon={<CodeOutlined />} onClick={() => void explain()} data-testid="stats-explain">
              {t('trade.stats.sql')}
            </Button>
            <Button icon={<DownloadOutlined />} loading={exporting === 'csv'} onClick={() => void download('csv')} data-testid="stats-export-csv">
              CSV
            </Button>
            <Button icon={<DownloadOutlined />} loading={exporting === 'xlsx'} onClick={() => void download('xlsx')} data-testid="stats-export-xlsx">
              XLSX
            </Button>
          </Space>
        }
      />
      <Problem error={metaError} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form layout="vertical" size="small" className="qs-trade-form">
          <div className="qs-form-row">
            <Form.Item label={t('trade.stats.measures')}>
              <Select mode="multiple" value={form.measures} onChange={(v: Measure[]) => set('measures', v)} options={MEASURES.map((m) => ({ value: m, label: measureLabel(t, m) }))} maxCount={6} data-testid="stats-measures" />
            </Form.Item>
            <Form.Item label={t('trade.stats.flows')}>
              <Select mode="multiple" value={form.flows} onChange={(v: Flow[]) => set('flows', v)} options={FLOWS.map((f) => ({ value: f, label: flowLabel(t, f) }))} data-testid="stats-flows" />
            </Form.Item>
            <Form.Item label={t('trade.stats.dims')} tooltip={t('trade.stats.dimsHint')}>
              <Select
                mode="multiple"
                value={form.dims}
                maxCount={5}
                onChange={(v: Dim[]) => set('dims', v.filter((d, i) => !isTime(d) || v.findIndex(isTime) === i))}
                options={DIMS.map((d) => ({ value: d, label: dimLabel(t, d), disabled: isTime(d) && !!timeChosen && timeChosen !== d }))}
                data-testid="stats-dims"
              />
            </Form.Item>
            <Form.Item label={t('trade.stats.period')}>
              <Space.Compact style={{ width: '100%' }}>
                <Select value={form.from} onChange={(v: string) => set('from', v)} options={months.map((m) => ({ value: m, label: m }))} style={{ width: '50%' }} data-testid="stats-from" />
                <Select value={form.to} onChange={(v: string) => set('to', v)} options={months.map((m) => ({ value: m, label: m }))} style={{ width: '50%' }} data-testid="stats-to" />
              </Space.Compact>
            </Form.Item>
          </div>
          <Form.Item label={t('trade.stats.filters')}>
            <FilterEditor value={form.filters} onChange={(f) => set('filters', f)} />
          </Form.Item>
          <Space wrap size={[24, 8]} align="center">
            <Radio.Group value={form.compare} onChange={(e) => set('compare', e.target.value as FormState['compare'])} optionType="button" data-testid="stats-compare">
              <Radio.Button value="none">{t('trade.stats.noCompare')}</Radio.Button>
              <Radio.Button value="yoy">{t('trade.stats.yoy')}</Radio.Button>
              <Radio.Button value="mom">{t('trade.stats.mom')}</Radio.Button>
            </Radio.Group>
            <Checkbox checked={form.cumulative} onChange={(e) => set('cumulative', e.target.checked)} data-testid="stats-cumulative">
              {t('trade.stats.cumulative')}
            </Checkbox>
            <Checkbox checked={form.share} onChange={(e) => set('share', e.target.checked)}>
              {t('trade.stats.share')}
            </Checkbox>
            <Space size={4}>
              <span>{t('trade.stats.topN')}</span>
              <InputNumber min={1} max={1000} value={form.topN} onChange={(v) => set('topN', v)} style={{ width: 80 }} placeholder="—" data-testid="stats-topn" />
              <Select
                style={{ width: 200 }}
                value={form.topBy && topByOptions.includes(form.topBy) ? form.topBy : topByOptions[0]}
                onChange={(v: string) => set('topBy', v)}
                options={topByOptions.map((c) => {
                  const [m, ...f] = c.split('_');
                  const flow = f.pop()!;
                  return { value: c, label: `${flowLabel(t, flow)} · ${measureLabel(t, [m, ...f].join('_'))}` };
                })}
              />
            </Space>
            <Space size={4}>
              <span>{t('trade.stats.limit')}</span>
              <InputNumber min={1} max={100000} value={form.limit} onChange={(v) => set('limit', v ?? 10_000)} style={{ width: 100 }} />
            </Space>
            <Button type="primary" icon={<PlayCircleOutlined />} loading={busy} onClick={submit} data-testid="stats-run">
              {t('trade.stats.run')}
            </Button>
          </Space>
        </Form>
      </Card>
      {error && <Problem error={error} />}
      {crumbs.length > 0 && (
        <Breadcrumb
          style={{ marginBottom: 12 }}
          items={crumbs.map((c, i) => ({ title: i === crumbs.length - 1 ? <span data-testid="stats-crumb-current">{c.label}</span> : <Typography.Link onClick={() => back(i)}>{c.label}</Typography.Link> }))}
          data-testid="stats-crumbs"
        />
      )}
      {chips.length > 0 && (
        <div style={{ marginBottom: 8 }}>
          {chips.map(([d, vals]) => (
            <Tag key={d} color="geekblue">
              {dimLabel(t, d)}: {vals!.slice(0, 4).map((v) => codeName(meta, d as Dim, v, t)).join('、')}
              {vals!.length > 4 ? ` +${vals!.length - 4}` : ''}
            </Tag>
          ))}
        </div>
      )}
      <Spin spinning={busy}>
        {result && result.rows.length === 0 ? (
          <Card>
            <Empty description={t('trade.stats.noRows')} />
          </Card>
        ) : result ? (
          <>
            <Card
              size="small"
              title={t('trade.stats.chart')}
              style={{ marginBottom: 16 }}
              extra={
                <Select
                  size="small"
                  style={{ width: 240 }}
                  value={chartColumn?.name}
                  onChange={setChartCol}
                  options={valueCols.map((c) => ({ value: c.name, label: columnLabel(t, lang, c) }))}
                  data-testid="stats-chart-col"
                />
              }
            >
              {chart && <Chart option={chart} height={320} testId="stats-chart" />}
            </Card>
            <Card
              size="small"
              title={
                <Space>
                  <span>{t('trade.stats.table')}</span>
                  <Typography.Text type="secondary" data-testid="stats-rows" data-rows={result.rows.length}>
                    {t('trade.stats.rows', { n: result.rows.length })}
                  </Typography.Text>
                </Space>
              }
              extra={
                <Space size={4}>
                  {result.period && <Tag>{t('trade.range', { from: result.period.from, to: result.period.to })}</Tag>}
                  <Tooltip title={t('trade.stats.sourceHint')}>
                    <Tag color={result.source === 'decl_item' ? 'orange' : 'green'}>{result.source}</Tag>
                  </Tooltip>
                  {result.cached && <Tag>{t('trade.stats.cached')}</Tag>}
                  <Typography.Text type="secondary">{t('trade.queryMs', { ms: result.ms })}</Typography.Text>
                </Space>
              }
            >
              <Table<Row>
                size="small"
                className="qs-table-nowrap"
                rowKey={(r) => result.columns.filter((c) => c.kind === 'dim').map((c) => String(r[c.name])).join('|') || 'all'}
                dataSource={result.rows}
                columns={columns}
                scroll={{ x: 'max-content' }}
                pagination={{ pageSize: 50, showSizeChanger: true, pageSizeOptions: [20, 50, 100, 500], hideOnSinglePage: true }}
                data-testid="stats-table"
                summary={() =>
                  totals && Object.keys(totals).length ? (
                    <Table.Summary fixed>
                      <Table.Summary.Row>
                        {result.columns.map((c, i) => (
                          <Table.Summary.Cell key={c.name} index={i} align={c.name in totals ? 'right' : 'left'}>
                            {c.name === firstCol && !(c.name in totals) ? (
                              <Typography.Text strong>{t('trade.stats.sum')}</Typography.Text>
                            ) : c.name in totals ? (
                              <Typography.Text strong data-testid={`stats-total-${c.name}`} data-value={totals[c.name]}>
                                {c.name.startsWith('qty1') ? fmt.dec(totals[c.name]) : fmt.int(totals[c.name])}
                              </Typography.Text>
                            ) : null}
                          </Table.Summary.Cell>
                        ))}
                      </Table.Summary.Row>
                    </Table.Summary>
                  ) : null
                }
              />
            </Card>
          </>
        ) : (
          <Card>
            <Empty description={meta && !meta.range ? t('trade.noData') : t('trade.stats.hint')} />
          </Card>
        )}
      </Spin>
      <Modal open={!!sql} title={t('trade.stats.sql')} footer={null} onCancel={() => setSql(null)} width={860} destroyOnHidden>
        {sql && (
          <>
            <Typography.Paragraph>
              {t('trade.stats.source')}: <Tag>{sql.source}</Tag>
            </Typography.Paragraph>
            <pre className="qs-pre" style={{ maxHeight: 360 }}>
              {sql.sql}
            </pre>
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              {t('trade.stats.params')}: {JSON.stringify(sql.params)}
            </Typography.Paragraph>
          </>
        )}
      </Modal>
    </>
  );
}
