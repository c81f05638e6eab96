// The envelope, status, commit-ack and command contracts: what is accepted and what is refused, with paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandResultSchema, commandSchema } from '../../../shared/contracts/command.js';
import {
  MAX_ENVELOPE_ITEMS,
  committedAckSchema,
  committedSeqs,
  envelopeSchema,
  gatewayStatusSchema,
  toRanges,
} from '../../../shared/contracts/envelope.js';
import { fieldErrors } from '../../../shared/validation.js';

const reading = { device: 'density-1', point: 'density', ts: 1_700_000_000_000, value: 1.025, unit: 'g/cm3', quality: 'good' };
const base = { v: 1, gw: 'quay-3', seq: 7, id: 'b-7', sentAt: 1_700_000_000_500 };

function errors(input: unknown): string[] {
  const r = envelopeSchema.safeParse(input);
  assert.equal(r.success, false, 'expected a refusal');
  return fieldErrors(r.error!).map((e) => `${e.path}: ${e.message}`);
}

test('a telemetry envelope of readings is accepted', () => {
  const bad = { ...reading, ts: reading.ts + 1, value: null, quality: 'bad', reason: 'timeout', detail: 'no answer in 300 ms' };
  const env = envelopeSchema.parse({ ...base, kind: 'telemetry', items: [reading, bad, { ...reading, ts: reading.ts + 2, value: 'OPEN' }, { ...reading, ts: reading.ts + 3, value: true }] });
  assert.equal(env.kind, 'telemetry');
  assert.equal(env.items.length, 4);
});

test('event, survey and record envelopes are accepted', () => {
  assert.equal(
    envelopeSchema.parse({
      ...base,
      kind: 'event',
      items: [{ id: 'e1', ts: 1, device: 'cam-1', kind: 'plate', value: '粤B12345', confidence: 0.93, snapshot: { path: 'snap/e1.jpg', sm3: 'a'.repeat(64) }, attrs: { lane: 2 } }],
    }).kind,
    'event',
  );
  assert.equal(
    envelopeSchema.parse({
      ...base,
      kind: 'survey',
      items: [{ id: 's1', ts: 1, vessel: { name: 'MV Ocean', imo: '9074729' }, stage: 'initial', status: 'completed', report: { displacement: 51234.5, lines: [1, 2] } }],
    }).kind,
    'survey',
  );
  assert.equal(envelopeSchema.parse({ ...base, kind: 'record', items: [{ id: 'r1', ts: 1, type: 'queue.call', data: { ticket: 'A017', window: 3 } }] }).kind, 'record');
});

test('strict: unknown keys, wrong version, bad gw, zero seq are refused with their paths', () => {
  assert.ok(errors({ ...base, kind: 'telemetry', items: [reading], extra: 1 }).some((e) => e.startsWith('(root)') && /extra/.test(e)));
  assert.ok(errors({ ...base, v: 2, kind: 'telemetry', items: [reading] }).some((e) => e.startsWith('v:')));
  assert.ok(errors({ ...base, gw: 'Quay_3', kind: 'telemetry', items: [reading] }).some((e) => e.startsWith('gw:')));
  assert.ok(errors({ ...base, seq: 0, kind: 'telemetry', items: [reading] }).some((e) => e.startsWith('seq:')));
  assert.ok(errors({ ...base, seq: 1.5, kind: 'telemetry', items: [reading] }).some((e) => e.startsWith('seq:')));
  assert.ok(errors({ ...base, kind: 'telemetry', items: [{ ...reading, colour: 'red' }] }).some((e) => e.startsWith('items[0]')));
});

test('items must match the kind: an event in a telemetry envelope, a reading without a reason', () => {
  assert.ok(errors({ ...base, kind: 'telemetry', items: [{ id: 'e1', ts: 1, kind: 'plate', value: 'x' }] }).some((e) => e.startsWith('items[0]')));
  assert.ok(errors({ ...base, kind: 'telemetry', items: [{ ...reading, quality: 'bad' }] }).some((e) => e.startsWith('items[0].reason')));
  assert.ok(errors({ ...base, kind: 'unknown', items: [reading] }).length > 0);
});

test('item count limits: none, and more than MAX_ENVELOPE_ITEMS, are refused', () => {
  assert.ok(errors({ ...base, kind: 'telemetry', items: [] }).some((e) => e.startsWith('items:')));
  const many = Array.from({ length: MAX_ENVELOPE_ITEMS + 1 }, (_, i) => ({ ...reading, ts: reading.ts + i }));
  assert.ok(errors({ ...base, kind: 'telemetry', items: many }).some((e) => e.startsWith('items:')));
  assert.equal(envelopeSchema.safeParse({ ...base, kind: 'telemetry', items: many.slice(0, MAX_ENVELOPE_ITEMS) }).success, true);
});

test('event ids are unique inside an envelope; confidence lies in [0, 1]; no control characters in names', () => {
  const ev = { id: 'e1', ts: 1, kind: 'plate', value: 'x' };
  assert.ok(errors({ ...base, kind: 'event', items: [{ ...ev, id: 'e\u00001' }] }).some((e) => e.startsWith('items[0].id')));
  assert.ok(errors({ ...base, kind: 'event', items: [{ ...ev, device: 'cam\n1' }] }).some((e) => e.startsWith('items[0].device')));
  assert.ok(errors({ ...base, kind: 'event', items: [ev, ev] }).some((e) => e.startsWith('items[1].id')));
  assert.ok(errors({ ...base, kind: 'event', items: [{ ...ev, confidence: 1.2 }] }).some((e) => e.startsWith('items[0].confidence')));
});

test('status payload', () => {
  assert.deepEqual(gatewayStatusSchema.parse({ state: 'online', ts: 5, version: '1.2.0' }), { state: 'online', ts: 5, version: '1.2.0' });
  assert.equal(gatewayStatusSchema.safeParse({ state: 'asleep', ts: 5 }).success, false);
  assert.equal(gatewayStatusSchema.safeParse({ state: 'online' }).success, false);
});

test('commit acks: seqs, ranges, rejected; expansion and compression', () => {
  const ack = committedAckSchema.parse({ seqs: [9, 3], ranges: [[5, 7]], rejected: [{ seq: 11, code: 'CLOUD_INGEST_SCHEMA', reason: 'x' }] });
  assert.deepEqual(committedSeqs(ack), [3, 5, 6, 7, 9]);
  assert.equal(committedAckSchema.safeParse({ seqs: [], ranges: [[7, 5]] }).success, false);
  assert.equal(committedAckSchema.safeParse({ seqs: [0] }).success, false);
  assert.deepEqual(toRanges([7, 1, 2, 3, 3, 9, 8]), [
    [1, 3],
    [7, 9],
  ]);
});

test('commands and command results', () => {
  assert.equal(commandSchema.safeParse({ id: 'c1', target: 'led-1', op: 'led.text', args: { text: '请到3号窗口' }, expiresAt: 10 }).success, true);
  assert.equal(commandSchema.safeParse({ id: 'c1', target: 'led-1', op: 'led.text', args: {}, expiresAt: 10, extra: 1 }).success, false);
  assert.equal(commandResultSchema.safeParse({ id: 'c1', status: 'done', detail: '' }).success, true);
  assert.equal(commandResultSchema.safeParse({ id: 'c1', status: 'maybe', detail: '' }).success, false);
});
