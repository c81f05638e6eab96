/**
 * What the trade pages share: the reference tables (/api/trade/meta, fetched once by the Trade shell),
 * labels of measures, flows and dimensions in the console's language, the filter editor, number
 * formats, and saving a file the server sent.
 */
import { CloseOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Select, Space, Tag, Tooltip } from 'antd';
import { createContext, useContext, useMemo } from 'react';
import type { ApiError } from '../../api/client.js';
import { FILTER_DIMS, FILTER_PATTERNS, type Dim, type FilterDim, type Filters, type Lane, type TradeMeta } from '../../api/trade.js';
import { useI18n, type MessageKey, type T } from '../../i18n/index.js';

export interface MetaState {
  meta: TradeMeta | undefined;
  error: ApiError | null;
  reload(): void;
}

export const MetaContext = createContext<MetaState>({ meta: undefined, error: null, reload: () => undefined });
export const useMeta = (): MetaState => useContext(MetaContext);

/** A dictionary entry by a dynamic key, the raw value when there is none. */
export function tk(t: T, prefix: string, value: string): string {
  const key = `${prefix}.${value}` as MessageKey;
  const s = t(key);
  return s === key ? value : s;
}

export const measureLabel = (t: T, m: string) => tk(t, 'trade.m', m);
export const flowLabel = (t: T, f: string) => tk(t, 'trade.flow', f);
export const dimLabel = (t: T, d: string) => tk(t, 'trade.dim', d);

/** Months YYYY-MM from..to inclusive (for the period pickers). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const end = Number(to.slice(0, 4)) * 12 + Number(to.slice(5, 7));
  while (y * 12 + m <= end && out.length < 600) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** Options (value + "code name") for a filter dimension from the reference tables; null where values are free text. */
export function filterOptions(meta: TradeMeta | undefined, dim: FilterDim, t: T): { value: string; label: string }[] | null {
  if (!meta) return null;
  const cn = (rows: readonly { code: string; name: string }[]) => rows.map((r) => ({ value: r.code, label: `${r.code} ${r.name}` }));
  switch (dim) {
    case 'ie_flag':
      return [
        { value: 'I', label: t('trade.import') },
        { value: 'E', label: t('trade.export') },
      ];
    case 'trade_mode_group':
      return ['general', 'processing', 'bonded', 'other'].map((g) => ({ value: g, label: tk(t, 'trade.tmg', g) }));
    case 'ent_type_group':
      return ['state', 'foreign', 'private', 'other'].map((g) => ({ value: g, label: tk(t, 'trade.etg', g) }));
    case 'trade_mode':
      return cn(meta.tradeModes);
    case 'hs_section':
      return meta.sections.map((s) => ({ value: s.code, label: `${s.roman} ${s.name}` }));
    case 'hs_chapter':
      return cn(meta.chapters.filter((c) => !c.reserved));
    case 'hs_heading':
      return cn(meta.headings);
    case 'continent':
      return [...new Set(meta.countries.map((c) => c.continent))].map((c) => ({ value: c, label: c }));
    case 'country':
    case 'trade_country':
      return cn(meta.countries);
    case 'ent_type':
      return cn(meta.enterpriseTypes);
    case 'region':
      return cn(meta.regions);
    case 'district':
    case 'port':
      return cn(meta.districts);
    case 'traf_mode':
      return cn(meta.transportModes);
    default:
      return null; // hs_code, enterprise: typed in
  }
}

/** The name of a code from the reference tables, for chips and titles. */
export function codeName(meta: TradeMeta | undefined, dim: Dim, code: string, t: T): string {
  if (dim === 'year' || dim === 'quarter' || dim === 'month') return code;
  const opts = filterOptions(meta, dim, t);
  return opts?.find((o) => o.value === code)?.label ?? code;
}

/** Edits `filters`: one row per dimension, values picked from the reference tables or typed (HS codes, USCCs). */
export function FilterEditor({ value, onChange, exclude = [] }: { value: Filters; onChange(f: Filters): void; exclude?: readonly string[] }) {
  const { t } = useI18n();
  const { meta } = useMeta();
  const used = Object.keys(value) as FilterDim[];
  const free = FILTER_DIMS.filter((d) => !used.includes(d) && !exclude.includes(d));
  const set = (d: FilterDim, vals: string[] | undefined) => {
    const next: Filters = { ...value };
    if (vals === undefined) delete next[d];
    else next[d] = vals;
    onChange(next);
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={6} data-testid="trade-filters">
      {used.map((d) => {
        const opts = filterOptions(meta, d, t);
        const vals = value[d] ?? [];
        const bad = vals.filter((v) => !FILTER_PATTERNS[d].test(v));
        return (
          <Space key={d} style={{ width: '100%' }} align="start" className="qs-trade-filter-row">
            <Tag color="blue" style={{ minWidth: 96, textAlign: 'center', marginTop: 4 }}>
              {dimLabel(t, d)}
            </Tag>
            <Tooltip title={bad.length ? t('trade.stats.badValues', { values: bad.join(', ') }) : undefined}>
              <Select
                mode={opts ? 'multiple' : 'tags'}
                allowClear
                showSearch
                optionFilterProp="label"
                status={bad.length ? 'error' : undefined}
                style={{ minWidth: 280, maxWidth: 560 }}
                placeholder={opts ? t('trade.stats.pickValues') : t('trade.stats.typeValues')}
                value={vals}
                options={opts ?? []}
                tokenSeparators={[',', ' ', '，']}
                onChange={(v: string[]) => set(d, v.map((x) => (d === 'enterprise' ? x.toUpperCase() : x)))}
                data-testid={`trade-filter-${d}`}
              />
            </Tooltip>
            <Button size="small" type="text" icon={<CloseOutlined />} aria-label={t('trade.stats.removeFilter')} onClick={() => set(d, undefined)} />
          </Space>
        );
      })}
      {free.length > 0 && (
        <Select<FilterDim>
          size="small"
          style={{ width: 200 }}
          value={null as unknown as FilterDim}
          placeholder={
            <span>
              <PlusOutlined /> {t('trade.stats.addFilter')}
            </span>
          }
          options={free.map((d) => ({ value: d, label: dimLabel(t, d) }))}
          onChange={(d) => set(d, [])}
          data-testid="trade-filter-add"
        />
      )}
    </Space>
  );
}

/** Drops filters with no values (the server refuses empty lists). */
export function cleanFilters(f: Filters): Filters {
  const out: Filters = {};
  for (const [k, v] of Object.entries(f) as [FilterDim, string[] | undefined][]) if (v && v.length) out[k] = v;
  return out;
}

export function useNumber() {
  const { lang } = useI18n();
  return useMemo(() => {
    const locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
    return {
      int: (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString(locale, { maximumFractionDigits: 0 }) : v === null || v === undefined ? '—' : String(v)),
      dec: (v: unknown, d = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString(locale, { minimumFractionDigits: d, maximumFractionDigits: d }) : '—'),
      pct: (v: unknown, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(d)}%` : '—'),
    };
  }, [lang]);
}

export const LANE_COLOURS: Record<Lane, string> = { red: 'red', yellow: 'gold', green: 'green' };

export function LaneTag({ lane }: { lane: Lane | null | undefined }) {
  const { t } = useI18n();
  if (!lane) return <Tag>—</Tag>;
  return (
    <Tag color={LANE_COLOURS[lane]} data-testid="lane" data-lane={lane}>
      {tk(t, 'trade.lane', lane)}
    </Tag>
  );
}

/** Saves a blob under a name (the browser's download). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
