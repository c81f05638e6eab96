/**
 * The data platform over /api/platform (cloud/platform/router.ts, docs/platform.md): the shapes the
 * console reads and one function per route it calls. The server validates every definition again,
 * so the console only shows what it answers (including its field-by-field validation errors).
 */
import { api, ApiError } from './client.js';

const BASE = '/api/platform';

export const INDICATORS = ['normativity', 'completeness', 'accuracy', 'consistency', 'timeliness', 'accessibility'] as const;
export type Indicator = (typeof INDICATORS)[number];
export const ISSUE_STATUSES = ['open', 'acknowledged', 'resolved', 'ignored'] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];
export const REJECT_REASONS = ['parse_error', 'missing_field', 'bad_type', 'check_digit', 'format', 'unknown_code', 'out_of_range', 'duplicate', 'no_master_record'] as const;
export const SHARING_TYPES = ['unconditional', 'conditional', 'none'] as const;
export type SharingType = (typeof SHARING_TYPES)[number];

export interface Versioned<T> {
  id: string;
  version: number;
  definition: T;
  createdAt: number;
  createdBy: string;
  versions?: { version: number; createdAt: number; createdBy: string }[];
}

export interface ConnectorDef {
  id: string;
  name: string;
  description: string;
  provider: string;
  enabled: boolean;
  source: { kind: string; [k: string]: unknown };
  schedule: { type: 'manual' } | { type: 'interval'; everySeconds: number };
  retry: { attempts: number; backoffMs: number; maxBackoffMs: number };
  cursorField?: string;
  target: { dataset: string; pipeline?: string };
}

export interface RunRecord {
  id: number;
  connectorId: string;
  connectorVersion: number;
  pipelineId: string | null;
  pipelineVersion: number | null;
  dataset: string;
  trigger: string;
  status: 'running' | 'succeeded' | 'failed';
  attempts: number;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  cursorBefore: string | null;
  cursorAfter: string | null;
  error: string | null;
}

export type ConnectorRow = Versioned<ConnectorDef> & { lastRun: RunRecord | null; cursor: string | null };

export interface PipelineDef {
  id: string;
  name: string;
  description: string;
  steps: { op: string; [k: string]: unknown }[];
}

export interface DatasetField {
  name: string;
  type: string;
  required: boolean;
  title: string;
  description: string;
  unit?: string;
  codeTable?: string;
  sensitivity: string;
}

export interface QualityRule {
  id: string;
  check: string;
  indicator: Indicator;
  weight: number;
  description: string;
  field?: string;
  [k: string]: unknown;
}

export interface DatasetDef {
  name: string;
  title: string;
  description: string;
  owner: string;
  topic: string;
  tags: string[];
  updateCycle?: string;
  fields: DatasetField[];
  key: string[];
  quality: { rules: QualityRule[]; schedule: { type: 'manual' } | { type: 'interval'; everySeconds: number } };
}

export interface RejectRecord {
  id: number;
  connectorId: string;
  dataset: string;
  ref: string;
  step: number;
  op: string;
  reason: string;
  field: string | null;
  detail: string;
  raw: unknown;
  firstRunId: number;
  lastRunId: number;
  times: number;
}

export interface QualityResult {
  ruleId: string;
  indicator: string;
  check: string;
  weight: number;
  checked: number;
  passed: number;
  failed: number;
  sample: unknown;
}

export interface QualityRun {
  id: number;
  dataset: string;
  datasetVersion: number;
  trigger: string;
  loadRunId: number | null;
  startedAt: number;
  durationMs: number;
  rows: number;
  score: number | null;
  indicators: Partial<Record<Indicator, number>>;
  results?: QualityResult[];
}

export interface QualityIssue {
  id: number;
  dataset: string;
  ruleId: string;
  indicator: string;
  owner: string;
  status: IssueStatus;
  failed: number;
  checked: number;
  sample: unknown;
  firstRunId: number;
  lastRunId: number;
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  note: string;
}

export interface LineageGraph {
  nodes: { id: string; kind: 'connector' | 'pipeline' | 'dataset'; name: string; label: string }[];
  edges: { from: string; to: string; runId: number; firstAt: number; updatedAt: number }[];
}

export interface MetaAsset {
  id: string;
  kind: 'dataset' | 'field' | 'table' | 'column' | 'connector' | 'pipeline';
  name: string;
  parent: string | null;
  title: string;
  description: string;
  owner: string | null;
  tags: string[];
  type: string | null;
  unit: string | null;
  codeTable: string | null;
  sensitivity: string | null;
  topic: string | null;
  rows: number | null;
  lastLoadAt: number | null;
  qualityScore: number | null;
  edited: boolean;
}

export interface CatalogueEntry {
  code: string;
  name: string;
  catalogueType: 'basic' | 'topic' | 'department';
  classification: { category: string; item: string; catalog: string; detail?: string };
  provider: string;
  providerCode: string;
  abstract: string;
  format: string;
  items: { name: string; type: string }[];
  sharing: { type: SharingType; conditions: string; method: string };
  opening: { open: boolean; conditions: string };
  updateCycle: string;
  related: string[];
  keywords: string[];
  dataset?: string;
  status: 'draft' | 'published' | 'withdrawn';
  version: number;
  publishedAt: number | null;
  createdAt: number;
  updatedAt: number;
  updatedBy: string;
}

export interface AccessRequest {
  id: number;
  code: string;
  requester: string;
  organisation: string;
  purpose: string;
  owner: string;
  status: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  createdAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  note: string;
  /** Whether the caller may decide it: pending, and the caller speaks for its owner (server-side check). */
  canDecide?: boolean;
}

export interface CatalogueLogLine {
  id: number;
  code: string;
  requestId: number | null;
  action: string;
  actor: string;
  at: number;
  detail: string;
}

export type SecretRef = { secret: string } | { env: string };
export type Schedule = { type: 'manual' } | { type: 'interval'; everySeconds: number };

export const EXCHANGE_RESULTS = ['delivered', 'failed', 'accepted', 'refused'] as const;
export type ExchangeResult = (typeof EXCHANGE_RESULTS)[number];

export interface ExchangePartner {
  id: string;
  name: string;
  kind: 'enterprise' | 'department' | 'other';
  selfId: string;
  verifyKey?: SecretRef;
  sm4Key?: SecretRef;
  encrypt: boolean;
  inboundDir?: string;
  enabled: boolean;
  /** Inbound packages pulled from the partner's SFTP server. */
  pull?: { host: string; port?: number; username: string; privateKey?: SecretRef; password?: SecretRef; hostKeySha256?: string; remoteDir: string; pattern?: string; afterPull?: 'move' | 'delete'; schedule?: Schedule };
}

export interface ExchangeOutbound {
  id: string;
  name: string;
  partner: string;
  source: { dataset: string; fields?: string[]; where?: Record<string, string>; limit?: number };
  format: 'csv' | 'json';
  signingKey: SecretRef;
  delivery: { kind: 'sftp'; host: string; port: number; username: string; remoteDir: string } | { kind: 'http'; url: string };
  schedule: Schedule;
  enabled: boolean;
}

export interface ExchangeDef<T> {
  id: string;
  definition: T;
  updatedAt: number;
  updatedBy: string;
}

export interface ExchangeLogEntry {
  id: number;
  direction: 'outbound' | 'inbound';
  partner: string;
  exchangeId: string | null;
  packageId: string | null;
  rows: number | null;
  bytes: number | null;
  dataSm3: string | null;
  encrypted: boolean;
  result: ExchangeResult;
  reason: string | null;
  detail: string;
  channel: 'sftp' | 'http' | 'inbox';
  at: number;
  durationMs: number;
}

export type InboundResult =
  | { accepted: true; packageId: string; partner: string; rows: number; dataSm3: string; file: string; logId: number }
  | { accepted: false; reason: string; message: string; packageId: string | null; partner: string | null; logId: number };

export const PF = {
  connectors: `${BASE}/connectors`,
  connector: (id: string) => `${BASE}/connectors/${encodeURIComponent(id)}`,
  pipelines: `${BASE}/pipelines`,
  pipeline: (id: string) => `${BASE}/pipelines/${encodeURIComponent(id)}`,
  datasets: `${BASE}/datasets`,
  dataset: (id: string) => `${BASE}/datasets/${encodeURIComponent(id)}`,
  rows: (id: string) => `${BASE}/datasets/${encodeURIComponent(id)}/rows`,
  quality: (id: string) => `${BASE}/datasets/${encodeURIComponent(id)}/quality`,
  qualityRun: (id: number) => `${BASE}/quality/runs/${id}`,
  issues: `${BASE}/quality/issues`,
  runs: `${BASE}/runs`,
  rejects: `${BASE}/rejects`,
  lineage: `${BASE}/lineage`,
  metadata: `${BASE}/metadata`,
  catalogue: `${BASE}/catalogue`,
  entry: (code: string) => `${BASE}/catalogue/${code}`,
  requests: `${BASE}/access-requests`,
  log: `${BASE}/catalogue-log`,
  partners: `${BASE}/exchange/partners`,
  outbounds: `${BASE}/exchange/outbound`,
  exchangeLog: `${BASE}/exchange/log`,
  exportUrl: (format: 'csv' | 'json') => `${BASE}/catalogue/export?format=${format}`,
};

/**
 * A failed run or pull is answered with 502 and what happened: a run's body is its log entry; a
 * pull's body names the log entry of the failure (logId), read back from the log.
 */
async function failedEntry<T>(call: Promise<T>, partner: string): Promise<T | ExchangeLogEntry> {
  try {
    return await call;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 502 || e.body === null || typeof e.body !== 'object') throw e;
    const body = e.body as Partial<ExchangeLogEntry> & { logId?: number | null };
    if (typeof body.result === 'string') return body as ExchangeLogEntry;
    const log = await api.get<{ items: ExchangeLogEntry[] }>(PF.exchangeLog, { direction: 'inbound', partner, result: 'failed', limit: 20 });
    const entry = log.items.find((l) => l.id === body.logId);
    if (!entry) throw e;
    return entry;
  }
}

export const platform = {
  saveConnector: (id: string, def: unknown) => api.put<Versioned<ConnectorDef> & { created: boolean }>(PF.connector(id), def),
  runConnector: (id: string) => api.post<{ accepted: boolean }>(`${PF.connector(id)}/run`, { wait: false }),
  rerunPipeline: (connectorId: string) => api.post<{ accepted: boolean }>(`${PF.connector(connectorId)}/run`, { wait: false }),
  runQuality: (dataset: string) => api.post<QualityRun>(`${PF.dataset(dataset)}/quality/run`, {}),
  updateIssue: (id: number, patch: { status?: IssueStatus; owner?: string; note?: string }) => api.patch<QualityIssue>(`${PF.issues}/${id}`, patch),
  annotate: (asset: string, patch: { description?: string | null; owner?: string | null; tags?: string[] | null }) => api.patch<MetaAsset>(`${PF.metadata}/${encodeURIComponent(asset)}`, patch),
  requestAccess: (code: string, body: { organisation: string; purpose: string }) => api.post<AccessRequest>(`${PF.entry(code)}/requests`, body),
  /** Runs an outbound exchange now → its log entry, delivered or failed (the server answers a failure with 502). */
  runOutbound: (id: string, partner: string) => failedEntry(api.post<ExchangeLogEntry>(`${PF.outbounds}/${encodeURIComponent(id)}/run`), partner),
  /** Pulls a partner's packages from its SFTP server now → each one accepted or refused; a failed connection → its log entry. */
  pullPartner: (id: string) => failedEntry(api.post<{ items: InboundResult[] }>(`${PF.partners}/${encodeURIComponent(id)}/pull`), id),
  scanIncoming: () => api.post<{ items: InboundResult[] }>(`${BASE}/exchange/incoming/scan`),
  decide: (id: number, decision: 'approved' | 'rejected', note: string) => api.post<AccessRequest>(`${PF.requests}/${id}/decision`, { decision, note }),
};
