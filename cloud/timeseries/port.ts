/**
 * The time-series port: what ingest writes telemetry to and what the API reads history from.
 * Two adapters: InfluxDB 1.x over HTTP (influx-series.ts) and an embedded SQLite table (embedded.ts).
 * One contract suite (test/integration/cloud/timeseries-contract.test.ts) runs against both.
 *
 * Identity of a point is (gw, device, point, ts): writing the same point again replaces it, so a
 * batch written twice (redelivery, crash between the time-series write and the SQL commit) is
 * stored once.
 */
import type { Quality, QualityReason } from '../../shared/contracts/reading.js';

export interface SeriesPoint {
  gw: string;
  device: string;
  point: string;
  /** ms since the epoch. */
  ts: number;
  /** Booleans are stored as 1/0 and come back as numbers. */
  value: number | string | boolean | null;
  unit: string;
  quality: Quality;
  reason?: QualityReason | undefined;
  detail?: string | undefined;
}

export interface HistoryRow {
  device: string;
  point: string;
  ts: number;
  value: number | string | null;
  unit: string;
  quality: Quality;
  reason?: string;
  detail?: string;
}

export interface HistoryQuery {
  gw: string;
  device: string;
  /** All points of the device when omitted. */
  point?: string | undefined;
  /** Inclusive bounds, ms since the epoch. */
  from: number;
  to: number;
  limit: number;
}

export interface TimeSeriesPort {
  readonly kind: 'influx' | 'embedded';
  /** Starts background work (database creation, spool replay). Never fails because the server is down. */
  start(): Promise<void>;
  /**
   * Resolves once the points are durable: stored by the server, or (InfluxDB down) in the on-disk
   * spool that is replayed in order later. Rejects with CLOUD_TS_REJECTED (the server refused these
   * points; retrying cannot help) or CLOUD_TS_SPOOL_FULL (retry later).
   */
  write(points: readonly SeriesPoint[]): Promise<void>;
  /** Oldest first. */
  history(q: HistoryQuery): Promise<HistoryRow[]>;
  /** The newest point of every (device, point) of a gateway. */
  latest(gw: string): Promise<HistoryRow[]>;
  /** Counters and gauges for /metrics, flat `name → number`. */
  metrics(): Record<string, number>;
  /** Writes what is pending (to the server or the spool). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Rows the way both adapters return them: `value` numeric, text, or null. */
export function toHistoryRow(r: {
  device: string;
  point: string;
  ts: number;
  value: number | null | undefined;
  text: string | null | undefined;
  unit: string | null | undefined;
  quality: string | null | undefined;
  reason: string | null | undefined;
  detail: string | null | undefined;
}): HistoryRow {
  const row: HistoryRow = {
    device: r.device,
    point: r.point,
    ts: r.ts,
    value: r.value ?? r.text ?? null,
    unit: r.unit ?? '',
    quality: r.quality === 'uncertain' || r.quality === 'bad' ? r.quality : 'good',
  };
  if (r.reason) row.reason = r.reason;
  if (r.detail) row.detail = r.detail;
  return row;
}

/**
 * Why a point cannot be stored by every adapter alike, or null. Identifiers (gw, device, point, unit)
 * become InfluxDB tags, which cannot hold a line break or end in a backslash; both adapters refuse such
 * points the same way so that switching adapters never changes what is accepted.
 */
export function pointProblem(p: SeriesPoint): string | null {
  for (const key of ['gw', 'device', 'point', 'unit'] as const) {
    const v = p[key];
    if (key === 'unit' && v === '') continue;
    if (v.length === 0) return `${key} is empty`;
    if (/[\r\n]/.test(v)) return `${key} ${JSON.stringify(v)} holds a line break`;
    if (v.endsWith('\\')) return `${key} ${JSON.stringify(v)} ends with a backslash`;
  }
  if (typeof p.value === 'number' && !Number.isFinite(p.value)) return `value ${p.value} is not finite`;
  if (!Number.isSafeInteger(p.ts) || p.ts < 0) return `ts ${p.ts} is not a non-negative integer of ms`;
  return null;
}
