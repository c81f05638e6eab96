/** Envelope building: items match the shared schemas, and envelopes stay within the item and byte limits. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ENVELOPE_BYTES, MAX_ENVELOPE_ITEMS, envelopeSchema, eventItemSchema } from '../../../shared/contracts/envelope.js';
import { readingSchema } from '../../../shared/contracts/reading.js';
import { toGatewayId } from '../../../shared/contracts/topics.js';
import { ReadingSerializer, envelopeBytes, envelopeOverhead, eventItem, pack } from '../../../edge/sync/batch.js';
import type { RawEvent, RawReading } from '../../../edge/store/outbox.js';

const gw = toGatewayId('gw-unit');
const units: Record<string, string> = { density: 'g/cm3', line1: '', draft: 'm' };
const ser = new ReadingSerializer((_d, p) => units[p] ?? '?');
const row = (id: number, over: Partial<{ device: string; point: string; ts: number; value: number | null; text: string | null; quality: string; reason: string | null; detail: string | null }> = {}): RawReading => [
  id,
  over.device ?? 'sdm-1',
  over.point ?? 'density',
  over.ts ?? 1_700_000_000_000 + id,
  over.value === undefined ? 1.025 : over.value,
  over.text === undefined ? null : over.text,
  over.quality ?? 'good',
  over.reason === undefined ? null : over.reason,
  over.detail === undefined ? null : over.detail,
];

describe('sync batch: reading items', () => {
  it('turns every stored value kind back into the contract reading, with the unit from the profile', () => {
    const cases: Array<[RawReading, Record<string, unknown>]> = [
      [row(1), { device: 'sdm-1', point: 'density', ts: 1_700_000_000_001, value: 1.025, unit: 'g/cm3', quality: 'good' }],
      [row(2, { value: 1, text: 'true', point: 'draft' }), { value: true, unit: 'm' }],
      [row(3, { value: 0, text: 'false' }), { value: false }],
      [row(4, { value: null, text: '请 A017 到 3 号窗口 "q"', point: 'line1' }), { value: '请 A017 到 3 号窗口 "q"', unit: '' }],
      [row(5, { value: null, quality: 'bad', reason: 'timeout', detail: 'no answer in 500 ms' }), { value: null, quality: 'bad', reason: 'timeout', detail: 'no answer in 500 ms' }],
      [row(6, { value: 3, quality: 'uncertain', reason: 'stale' }), { value: 3, quality: 'uncertain', reason: 'stale' }],
      [row(7, { value: -0.5e-7 }), { value: -0.5e-7 }],
    ];
    for (const [r, expect] of cases) {
      const parsed = readingSchema.parse(JSON.parse(ser.item(r)));
      for (const [k, v] of Object.entries(expect)) assert.deepEqual((parsed as Record<string, unknown>)[k], v, `row ${r[0]} ${k}`);
    }
  });

  it('mends rows that would break the contract instead of getting the whole envelope refused', () => {
    const noReason = readingSchema.parse(JSON.parse(ser.item(row(1, { quality: 'bad', reason: null }))));
    assert.equal(noReason.reason, 'decode');
    const goodWithReason = readingSchema.parse(JSON.parse(ser.item(row(2, { quality: 'good', reason: 'timeout' }))));
    assert.equal(goodWithReason.reason, undefined);
    const longDetail = readingSchema.parse(JSON.parse(ser.item(row(3, { quality: 'bad', reason: 'frame', detail: 'x'.repeat(500) }))));
    assert.equal(longDetail.detail?.length, 200);
    const oddQuality = readingSchema.parse(JSON.parse(ser.item(row(4, { quality: 'weird', reason: 'nonsense' }))));
    assert.deepEqual([oddQuality.quality, oddQuality.reason], ['bad', 'decode']);
  });
});

describe('sync batch: store events as event items', () => {
  it('maps an alarm with nested data to a valid event item with flat attributes', () => {
    const ev: RawEvent = [42, 1_700_000_000_000, 'led-1', 'alarm', 'warning', 'temperature', 'raised: LED panel overheating', JSON.stringify({ action: 'raised', limit: 65, value: 66.2, message: { zh: 'LED 屏过热', en: 'LED panel overheating' }, big: 'y'.repeat(300) })];
    const item = eventItemSchema.parse(JSON.parse(eventItem(ev)));
    assert.equal(item.id, 'ev-42');
    assert.equal(item.device, 'led-1');
    assert.equal(item.kind, 'alarm');
    assert.equal(item.value, 'raised: LED panel overheating');
    assert.equal(item.attrs?.['severity'], 'warning');
    assert.equal(item.attrs?.['point'], 'temperature');
    assert.equal(item.attrs?.['limit'], 65);
    assert.equal(item.attrs?.['message'], JSON.stringify({ zh: 'LED 屏过热', en: 'LED panel overheating' }));
    assert.equal((item.attrs?.['big'] as string).length, 200);
    const bare = eventItemSchema.parse(JSON.parse(eventItem([7, 1, null, 'gateway', 'critical', null, 'x', null])));
    assert.equal(bare.device, undefined);
  });
});

describe('sync batch: envelope limits', () => {
  const id = '7d8a4c62-3f7e-4c57-9f4a-2b1c9a0d5e11';
  const over = envelopeOverhead(gw, id, 'telemetry');

  it('stops at maxItems and the envelope parses under the shared schema', () => {
    const rows = Array.from({ length: MAX_ENVELOPE_ITEMS + 250 }, (_, i) => row(i + 1));
    const p = pack(rows, (r) => ser.item(r), { maxItems: MAX_ENVELOPE_ITEMS, maxBytes: MAX_ENVELOPE_BYTES, overhead: over });
    assert.equal(p.count, MAX_ENVELOPE_ITEMS);
    const buf = envelopeBytes({ gw, seq: 17, id, sentAt: Date.now(), kind: 'telemetry' }, p.parts);
    assert.ok(buf.length <= p.bytes, `${buf.length} ≤ estimate ${p.bytes}`);
    const env = envelopeSchema.parse(JSON.parse(buf.toString('utf8')));
    assert.equal(env.items.length, MAX_ENVELOPE_ITEMS);
    assert.equal(env.seq, 17);
  });

  it('stops before maxBytes, counting UTF-8 bytes (Chinese text is 3 bytes a character)', () => {
    const text = '泊位三号：请 A017 到 3 号窗口办理'.repeat(8); // ~ 600 bytes each
    const rows = Array.from({ length: 600 }, (_, i) => row(i + 1, { value: null, text, point: 'line1' }));
    const maxBytes = 64 * 1024;
    const p = pack(rows, (r) => ser.item(r), { maxItems: 1000, maxBytes, overhead: over });
    assert.ok(p.count > 10 && p.count < 600, `${p.count} items`);
    const buf = envelopeBytes({ gw, seq: Number.MAX_SAFE_INTEGER, id, sentAt: 8_640_000_000_000_000, kind: 'telemetry' }, p.parts);
    assert.ok(buf.length <= maxBytes, `${buf.length} bytes ≤ ${maxBytes}`);
    assert.equal(buf.length, p.bytes, 'the estimate is exact at the widest seq and sentAt');
    // one more item would not have fitted
    const next = Buffer.byteLength(ser.item(rows[p.count]!)) + 1;
    assert.ok(p.bytes + next > maxBytes);
    assert.equal(envelopeSchema.parse(JSON.parse(buf.toString('utf8'))).items.length, p.count);
  });

  it('reports an item larger than a whole envelope with count 0 (the caller skips it)', () => {
    const p = pack([row(1, { value: null, text: 'z'.repeat(10_000) })], (r) => ser.item(r), { maxItems: 10, maxBytes: 4096, overhead: over });
    assert.equal(p.count, 0);
  });
});
