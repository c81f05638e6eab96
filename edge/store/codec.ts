/** How a reading value maps to the (value REAL, text TEXT) columns and back. */
import type { Quality, QualityReason, ReadingValue } from '../../shared/contracts/reading.js';

/** A reading as stored (the unit comes from the profile when it is served). */
export interface StoredReading {
  id: number;
  device: string;
  point: string;
  ts: number;
  value: ReadingValue;
  quality: Quality;
  reason?: QualityReason;
  detail?: string;
}

export interface ReadingRow {
  id: number;
  device: string;
  point: string;
  ts: number;
  value: number | null;
  text: string | null;
  quality: string;
  reason: string | null;
  detail: string | null;
}

export function encodeNumber(v: ReadingValue): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

export function encodeText(v: ReadingValue): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return null;
}

export function decodeValue(value: number | null, text: string | null): ReadingValue {
  if (value !== null) return text === null ? value : text === 'true';
  return text;
}

export function fromRow(r: ReadingRow): StoredReading {
  const out: StoredReading = {
    id: r.id,
    device: r.device,
    point: r.point,
    ts: r.ts,
    value: decodeValue(r.value, r.text),
    quality: r.quality as Quality,
  };
  if (r.reason !== null) out.reason = r.reason as QualityReason;
  if (r.detail !== null) out.detail = r.detail;
  return out;
}
