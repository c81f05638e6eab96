/**
 * Envelope building (pure): store rows → JSON items → one envelope within MAX_ENVELOPE_ITEMS and
 * MAX_ENVELOPE_BYTES (../shared/contracts/envelope.ts).
 *
 * Items are serialised by hand, one string each, so the byte budget is checked item by item and the
 * envelope is a concatenation (no second pass). A reading's `"device","point","unit"` prefix is cached per
 * series: on a busy gateway the same few hundred series repeat in every batch.
 * The output parses under the shared schemas; rows that would break the contract (a bad quality without a
 * reason) are mended rather than sent as-is, because one bad item would get the whole envelope refused.
 */
import { ENVELOPE_VERSION } from '../../shared/contracts/envelope.js';
import { QUALITY_REASONS } from '../../shared/contracts/reading.js';
import type { EnvelopeKind, GatewayId } from '../../shared/contracts/topics.js';
import type { RawEvent, RawReading } from '../store/outbox.js';

export type UnitLookup = (device: string, point: string) => string;

const REASONS = new Set<string>(QUALITY_REASONS);
const q = JSON.stringify;

/** Serialises readings; keeps a cache of the per-series prefix. */
export class ReadingSerializer {
  private readonly prefixes = new Map<string, string>();

  constructor(private readonly unitFor: UnitLookup) {}

  item(r: RawReading): string {
    const [, device, point, ts, value, text, quality, reason, detail] = r;
    const key = `${device}\u0000${point}`;
    let prefix = this.prefixes.get(key);
    if (prefix === undefined) {
      prefix = `{"device":${q(device)},"point":${q(point)},"unit":${q(this.unitFor(device, point))},"ts":`;
      if (this.prefixes.size > 100_000) this.prefixes.clear();
      this.prefixes.set(key, prefix);
    }
    let v: string;
    if (value !== null) v = text === null ? (Number.isFinite(value) ? String(value) : 'null') : text === 'true' ? 'true' : 'false';
    else v = text === null ? 'null' : q(text);
    let s = `${prefix}${ts},"value":${v},"quality":`;
    if (quality === 'good') s += '"good"';
    else {
      const qual = quality === 'uncertain' ? 'uncertain' : 'bad';
      s += `"${qual}","reason":"${reason !== null && REASONS.has(reason) ? reason : 'decode'}"`;
    }
    if (detail !== null && detail !== '') s += `,"detail":${q(detail.length > 200 ? detail.slice(0, 200) : detail)}`;
    return `${s}}`;
  }
}

/** Attributes of an event item: small flat values only (the contract's limit), nested data as short JSON text. */
function attrsOf(severity: string, point: string | null, data: string | null): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = { severity };
  if (point !== null) out['point'] = point.slice(0, 200);
  if (data === null) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    out['data'] = data.slice(0, 200);
    return out;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    out['data'] = typeof parsed === 'string' ? parsed.slice(0, 200) : JSON.stringify(parsed).slice(0, 200);
    return out;
  }
  let n = 0;
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (++n > 32) break;
    const key = k.slice(0, 64);
    if (key in out) continue;
    if (v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[key] = v as number | boolean | null;
    else if (typeof v === 'string') out[key] = v.slice(0, 200);
    else if (v !== undefined) out[key] = JSON.stringify(v).slice(0, 200);
  }
  return out;
}

/** A store event (alarm, health change, write, device event, gateway alarm) as an envelope event item. */
export function eventItem(e: RawEvent): string {
  const [id, ts, device, kind, severity, point, message, data] = e;
  const vision = visionFields(data);
  const item: Record<string, unknown> = vision
    ? { id: `ev-${id}`, ts, kind: kind.slice(0, 64), value: vision.value, confidence: vision.confidence, snapshot: vision.snapshot, attrs: { severity, box: vision.box } }
    : { id: `ev-${id}`, ts, kind: kind.slice(0, 64), value: message.slice(0, 1000), attrs: attrsOf(severity, point, data) };
  if (device !== null && device !== '') item['device'] = device.slice(0, 128);
  return JSON.stringify(item);
}

/** A camera detection stored by edge/vision/store-sink.ts: its value, confidence and snapshot go up as they are. */
function visionFields(data: string | null): { value: string | number; confidence: number; snapshot: { path: string; sm3: string }; box: string | null } | undefined {
  if (data === null || !data.includes('"snapshotSm3"')) return undefined;
  try {
    const d = JSON.parse(data) as Record<string, unknown>;
    const value = d['value'];
    const confidence = d['confidence'];
    const path = d['snapshotPath'];
    const sm3 = d['snapshotSm3'];
    if ((typeof value !== 'string' && typeof value !== 'number') || typeof confidence !== 'number' || typeof path !== 'string' || typeof sm3 !== 'string' || !/^[0-9a-f]{64}$/.test(sm3)) return undefined;
    const box = Array.isArray(d['box']) ? (d['box'] as number[]).join(',') : null;
    return { value: typeof value === 'string' ? value.slice(0, 1000) : value, confidence: Math.min(1, Math.max(0, confidence)), snapshot: { path: path.slice(0, 500), sm3 }, box };
  } catch {
    return undefined;
  }
}

export interface EnvelopeHeader {
  gw: GatewayId;
  seq: number;
  id: string;
  sentAt: number;
  kind: EnvelopeKind;
}

function headOf(h: EnvelopeHeader): string {
  return `{"v":${ENVELOPE_VERSION},"gw":${q(h.gw)},"seq":${h.seq},"id":${q(h.id)},"sentAt":${h.sentAt},"kind":"${h.kind}","items":[`;
}

/** Bytes of the envelope around its items (`sentAt` and `seq` sized at their widest). */
export function envelopeOverhead(gw: string, id: string, kind: EnvelopeKind): number {
  return Buffer.byteLength(headOf({ gw: gw as GatewayId, seq: Number.MAX_SAFE_INTEGER, id, sentAt: 8_640_000_000_000_000, kind })) + 2;
}

export interface Packed {
  /** Items that fit, in order. */
  parts: string[];
  /** How many source rows they came from (== parts.length). */
  count: number;
  /** Envelope size in bytes with these parts. */
  bytes: number;
}

/**
 * Takes items from the front of `rows` while the envelope stays within `maxItems` and `maxBytes`.
 * Always takes at least one item if it fits alone; an item too large even alone is reported with
 * `count: 0` so the caller can skip it.
 */
export function pack<T>(rows: readonly T[], serialize: (r: T) => string, limits: { maxItems: number; maxBytes: number; overhead: number }): Packed {
  const parts: string[] = [];
  let bytes = limits.overhead;
  for (const r of rows) {
    if (parts.length >= limits.maxItems) break;
    const s = serialize(r);
    const b = Buffer.byteLength(s) + (parts.length ? 1 : 0);
    if (bytes + b > limits.maxBytes) break;
    parts.push(s);
    bytes += b;
  }
  return { parts, count: parts.length, bytes };
}

/** The envelope as the bytes to publish. */
export function envelopeBytes(h: EnvelopeHeader, items: readonly string[] | string): Buffer {
  const body = typeof items === 'string' ? items : items.join(',');
  return Buffer.from(`${headOf(h)}${body}]}`);
}
