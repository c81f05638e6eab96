/**
 * Trade monitoring over /api/trade (cloud/trade/router.ts, docs/trade.md): the shapes the console reads
 * and one function per route it calls. Names of measures, flows and dimensions mirror cloud/trade/stats.ts;
 * the server validates every spec again, so a mismatch here is a 400 with the reason, never wrong data.
 */
import { api, ApiError, CSRF_HEADER, withQuery } from './client.js';

const BASE = '/api/trade';

export const MEASURES = ['value_usd', 'value_cny', 'qty1', 'items', 'declarations', 'enterprises'] as const;
export type Measure = (typeof MEASURES)[number];
export const FLOWS = ['import', 'export', 'total', 'balance'] as const;
export type Flow = (typeof FLOWS)[number];
export const TIME_DIMS = ['year', 'quarter', 'month'] as const;
export const DIMS = [
  'year', 'quarter', 'month', 'ie_flag', 'trade_mode_group', 'trade_mode', 'hs_section', 'hs_chapter', 'hs_heading', 'hs_code', 'continent',
  'country', 'trade_country', 'ent_type_group', 'ent_type', 'enterprise', 'region', 'district', 'port', 'traf_mode',
] as const;
export type Dim = (typeof DIMS)[number];
export type FilterDim = Exclude<Dim, 'year' | 'quarter' | 'month'>;
export const FILTER_DIMS = DIMS.filter((d) => !(TIME_DIMS as readonly string[]).includes(d)) as FilterDim[];
/** The drill-down path of each dimension (the server's `child`, cloud/trade/stats.ts). */
export const DRILL_CHILD: Partial<Record<Dim, Dim>> = {
  year: 'quarter', quarter: 'month', trade_mode_group: 'trade_mode', hs_section: 'hs_chapter', hs_chapter: 'hs_heading', hs_heading: 'hs_code',
  continent: 'country', ent_type_group: 'ent_type', ent_type: 'enterprise', region: 'enterprise', district: 'port',
};
/** What a filter value looks like per dimension (the server's patterns), for free-text values. */
export const FILTER_PATTERNS: Record<FilterDim, RegExp> = {
  ie_flag: /^[IE]$/, trade_mode_group: /^(general|processing|bonded|other)$/, trade_mode: /^\d{4}$/, hs_section: /^\d{2}$/, hs_chapter: /^\d{2}$/,
  hs_heading: /^\d{4}$/, hs_code: /^\d{10}$/, continent: /^[\u4e00-\u9fff]{2,4}$/, country: /^[A-Z]{3}$/, trade_country: /^[A-Z]{3}$/,
  ent_type_group: /^(state|foreign|private|other)$/, ent_type: /^[0-9A-Z]$/, enterprise: /^[0-9A-HJ-NPQRTUWXY]{18}$/, region: /^\d{6}$/,
  district: /^\d{4}$/, port: /^\d{4}$/, traf_mode: /^[0-9A-Z]$/,
};

export type Filters = Partial<Record<FilterDim, string[]>>;

export interface StatsSpec {
  measures: Measure[];
  flows: Flow[];
  dims: Dim[];
  filters: Filters;
  period?: { from: string; to: string };
  cumulative?: boolean;
  compare?: 'yoy' | 'mom';
  share?: boolean;
  topN?: { n: number; by: string };
  orderBy?: { column: string; dir: 'asc' | 'desc' };
  limit?: number;
}

export interface Column {
  name: string;
  label: string;
  kind: 'dim' | 'name' | 'measure' | 'prev' | 'growth' | 'share' | 'contrib';
}

export type Row = Record<string, unknown>;

export interface QueryResult {
  columns: Column[];
  rows: Row[];
  source: string;
  period: { from: string; to: string } | null;
  spec: StatsSpec;
  ms: number;
  cached: boolean;
}

export interface CodeName {
  code: string;
  name: string;
}

export interface TradeMeta {
  range: { from: string; to: string } | null;
  counts: { items: number; enterprises: number; files: number };
  sections: (CodeName & { roman: string })[];
  chapters: (CodeName & { section: string; reserved: boolean })[];
  headings: CodeName[];
  countries: (CodeName & { continent: string })[];
  tradeModes: (CodeName & { group: string })[];
  districts: CodeName[];
  transportModes: CodeName[];
  enterpriseTypes: (CodeName & { group: string })[];
  regions: CodeName[];
  creditRatings: CodeName[];
}

export interface ForecastPoint {
  h: number;
  month?: string;
  value: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

export interface ForecastResult {
  method: 'hw_additive' | 'hw_multiplicative' | 'seasonal_naive';
  params?: { alpha: number; beta: number; gamma: number };
  horizon: number;
  points: ForecastPoint[];
  mape: number | null;
  backtest: { method: string; mape: number | null; errors: number }[];
  origins: number;
  period: number;
  note?: string;
  series: { months: string[]; values: number[] };
}

export const DETECTORS = ['growth', 'surge', 'forecast_break', 'stop', 'unit_value', 'concentration'] as const;
export type Detector = (typeof DETECTORS)[number];
export const WARNING_STATUSES = ['new', 'confirmed', 'dismissed'] as const;
export type WarningStatus = (typeof WARNING_STATUSES)[number];

export interface TradeWarning {
  id: number;
  detector: Detector;
  subjectType: 'hs_chapter' | 'country' | 'enterprise' | 'enterprise_hs_country' | 'total';
  subjectKey: string;
  subjectName: string | null;
  period: string;
  severity: 'warn' | 'alert';
  score: number;
  message: string;
  evidence: Record<string, unknown>;
  status: WarningStatus;
  handler: string | null;
  handledAt: string | null;
  note: string | null;
  createdAt: string;
  runId: string;
}

export interface WarningRun {
  runId: string;
  window: { from: string; to: string };
  found: Record<Detector, number>;
  inserted: number;
  ms: number;
}

export type Lane = 'red' | 'yellow' | 'green';

export interface RuleSetBody {
  id: string;
  name: string;
  thresholds: { red: number; yellow: number };
  random: { red: number; yellow: number; seed: string };
  lists: Record<string, string[]>;
  rules: { id: string; name: string; description?: string; weight: number; lane?: 'red' | 'yellow'; enabled?: boolean; when: unknown }[];
}

export interface Backtest {
  rulesetId: string;
  version: number;
  period: { from: string; to: string };
  declarations: number;
  items: number;
  sampled: boolean;
  lanes: Record<Lane, number>;
  byRules: Record<Lane, number>;
  randomSelected: number;
  rules: { ruleId: string; name: string; hits: number; hitRate: number; findings: number | null; precision: number | null }[];
  findings: { known: number; selected: number; recall: number } | null;
  ms: number;
}

export interface RuleSet {
  id: string;
  version: number;
  status: 'draft' | 'tested' | 'active' | 'retired';
  body: RuleSetBody;
  author: string;
  createdAt: string;
  backtest: Backtest | null;
  testedAt: string | null;
  activatedAt: string | null;
  activatedBy: string | null;
}

export interface Decision {
  entryId: string;
  lane: Lane;
  score: number;
  byRules: Lane;
  random: { draw: number; selected: Lane | null; rates: { red: number; yellow: number } };
  hits: { ruleId: string; name: string; weight: number; lane?: 'red' | 'yellow'; items: number[]; because: string[] }[];
  explanation: string;
  rulesetId: string;
  version: number;
}

export interface TagSummary {
  tag: string;
  name: string;
  category: string;
  description: string;
  enterprises: number;
}

export interface EnterpriseRow {
  uscc: string;
  customs_code: string;
  name: string;
  ent_type: string;
  region: string;
  credit_rating: string;
  aeo: boolean;
}

export interface TopShare {
  code: string;
  name: string | null;
  value_usd: number;
  share: number;
}

export interface Profile {
  enterprise: EnterpriseRow & Record<string, unknown>;
  asOf: string | null;
  tags: { tag: string; name: string; category: string; value: string | null; computedAt: string }[];
  metrics: Record<string, unknown> | undefined;
  monthly: { ym: number; month: string; import_usd: number; export_usd: number; items: number }[];
  countries: TopShare[];
  chapters: TopShare[];
  tradeModes: TopShare[];
  districts: TopShare[];
  warnings: { id: number; detector: Detector; period: string; severity: string; status: WarningStatus; message: string }[];
}

export type LoadTarget = 'declarations' | 'enterprises';

export interface LoadResult {
  status: 'loaded' | 'already_loaded';
  fileId: number;
  name: string;
  sha256: string;
  target: LoadTarget;
  rowsTotal: number;
  rowsLoaded: number;
  rowsRejected: number;
  rowsDuplicate: number;
  rejectsByReason: Record<string, number>;
  ms: number;
}

export interface LoadJob {
  id: string;
  status: 'running' | 'done' | 'failed';
  progress: { phase: string; fraction: number; message: string } | null;
  result?: LoadResult;
  error?: { code: string; message: string };
  startedAt: string;
}

export interface LoadFileRow {
  id: number;
  sha256: string;
  name: string;
  kind: string;
  target: LoadTarget;
  rows_total: number;
  rows_loaded: number;
  rows_rejected: number;
  rows_duplicate: number;
  loaded_at: string;
  ms: number;
}

export interface Rejects {
  total: number;
  byReason: Record<string, number>;
  items: { line_no: number | null; entry_id: string | null; g_no: string | null; reason: string; detail: string | null; raw: string | null }[];
}

/** The CSRF token the session cookie came with (readable cookie, docs/console-api.md §1). */
function csrf(): string | null {
  const m = /(?:^|;\s*)qs_csrf=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]!) : null;
}

export const trade = {
  meta: () => api.get<TradeMeta>(`${BASE}/meta`),
  query: (spec: StatsSpec) => api.post<QueryResult>(`${BASE}/stats/query`, spec),
  explain: (spec: StatsSpec) => api.post<{ sql: string; params: unknown[]; source: string }>(`${BASE}/stats/explain`, spec),
  drill: (spec: StatsSpec, dim: Dim, value: string) => api.post<QueryResult>(`${BASE}/stats/drill`, { spec, dim, value }),
  /** The export as a file: the server names it (content-disposition). */
  async exportFile(spec: StatsSpec, format: 'csv' | 'xlsx'): Promise<{ blob: Blob; filename: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const token = csrf();
    if (token) headers[CSRF_HEADER] = token;
    const res = await fetch(withQuery(`${BASE}/stats/export`, { format }), { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(spec) });
    if (!res.ok) {
      let code = `HTTP_${res.status}`;
      let message = res.statusText;
      try {
        const j = (await res.json()) as { error?: { code?: string; message?: string } };
        code = j.error?.code ?? code;
        message = j.error?.message ?? message;
      } catch {
        /* not JSON */
      }
      throw new ApiError(res.status, code, message);
    }
    const cd = res.headers.get('content-disposition') ?? '';
    const filename = /filename="([^"]+)"/.exec(cd)?.[1] ?? `trade-stats.${format}`;
    return { blob: await res.blob(), filename };
  },
  forecast: (body: { measure: string; flow: string; filters: Filters; horizon: number }) => api.post<ForecastResult>(`${BASE}/forecast`, body),
  runWarnings: (body: { detectors?: Detector[]; asOf?: string }) => api.post<WarningRun>(`${BASE}/warnings/run`, body),
  warning: (id: number) => api.get<TradeWarning>(`${BASE}/warnings/${id}`),
  handleWarning: (id: number, body: { status: WarningStatus; note?: string }) => api.patch<TradeWarning>(`${BASE}/warnings/${id}`, body),
  ruleset: (id: string, version: number) => api.get<RuleSet>(`${BASE}/risk/rulesets/${encodeURIComponent(id)}/${version}`),
  createRuleset: (ruleset: unknown) => api.post<RuleSet>(`${BASE}/risk/rulesets`, { ruleset }),
  backtest: (id: string, version: number, body: { from: string; to: string; findings?: string[] }) =>
    api.post<Backtest>(`${BASE}/risk/rulesets/${encodeURIComponent(id)}/${version}/backtest`, body),
  activate: (id: string, version: number) => api.post<RuleSet>(`${BASE}/risk/rulesets/${encodeURIComponent(id)}/${version}/activate`, {}),
  evaluate: (body: { declaration: unknown; rulesetId?: string; version?: number; record?: boolean }) => api.post<Decision>(`${BASE}/risk/evaluate`, body),
  recomputeTags: () => api.post<{ enterprises: number; tags: number; byTag: Record<string, number>; ms: number }>(`${BASE}/tags/recompute`, {}),
  loadBatch: (body: { target: LoadTarget; records: unknown[]; name?: string }) => api.post<LoadResult>(`${BASE}/load/batch`, body),
  loadFile: (body: { target: LoadTarget; name: string; async: true }) => api.post<LoadJob>(`${BASE}/load/file`, body),
  job: (id: string) => api.get<LoadJob>(`${BASE}/load/jobs/${encodeURIComponent(id)}`),
};

/** Paths for useFetch (GETs). */
export const TRADE_PATHS = {
  meta: `${BASE}/meta`,
  warnings: `${BASE}/warnings`,
  rulesets: `${BASE}/risk/rulesets`,
  tags: `${BASE}/tags`,
  tagEnterprises: (tag: string) => `${BASE}/tags/${encodeURIComponent(tag)}/enterprises`,
  enterprises: `${BASE}/enterprises`,
  profile: (uscc: string) => `${BASE}/enterprises/${encodeURIComponent(uscc)}/profile`,
  loads: `${BASE}/loads`,
  rejects: (id: number) => `${BASE}/loads/${id}/rejects`,
};

/** Splits the server's validation message ("rules.0.weight: …; thresholds: …") into one line per problem. */
export function problems(e: unknown): string[] {
  if (e instanceof ApiError && e.code === 'CLOUD_BAD_REQUEST') return e.message.split(/;\s+/).filter(Boolean);
  return [];
}
