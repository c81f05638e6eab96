/**
 * The sync loop over a real SQLite outbox: batch cutting, the window and its live/backlog policy,
 * acknowledgement only by commit (seqs, ranges), rejected batches, resends, restarts, byte splits.
 * The MQTT link is the recording port (uplink.ts is exercised by test/integration/sync).
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { toGatewayId } from '../../../shared/contracts/topics.js';
import { Outbox } from '../../../edge/store/outbox.js';
import { SyncLoop, type SyncLoopOptions } from '../../../edge/sync/loop.js';
import { fill, memoryLogger, RecordingLink, tempStore } from './helpers.js';

const gw = toGatewayId('gw-unit');
let t: ReturnType<typeof tempStore>;
let clock: number;

beforeEach(() => {
  t = tempStore();
  clock = 1_800_000_000_000;
});
afterEach(() => t.done());

function makeLoop(opts: Partial<SyncLoopOptions> = {}, link = new RecordingLink()) {
  const { log, lines } = memoryLogger();
  const outbox = new Outbox(t.store.db);
  const loop = new SyncLoop({
    outbox,
    gw,
    link,
    unitFor: () => 'm',
    log,
    now: () => clock,
    options: { maxItems: 1000, maxBytes: 256 * 1024, window: 4, liveSlots: 1, ackTimeoutMs: 10_000, ...opts },
  });
  return { loop, link, outbox, lines };
}

const ids = (body: { items: Array<{ ts: number }> }) => body.items.map((i) => i.ts - 1_700_000_000_000 + 1);
const state = (seq: number) => t.store.db.prepare('SELECT acked_at, rejected, attempts FROM outbox WHERE seq = ?').get(seq) as { acked_at: number | null; rejected: string | null; attempts: number };

describe('outbox: cutting batches by id range', () => {
  it('cuts full rows by id arithmetic and keeps the cursor across a restart', () => {
    fill(t.store, 2500);
    let outbox = new Outbox(t.store.db);
    assert.equal(outbox.planFull('telemetry', 1000, 1), 2);
    assert.equal(outbox.cursor('telemetry'), 2000);
    assert.deepEqual(outbox.open('asc', 10).map((r) => [r.fromId, r.toId, r.items]), [[1, 1000, 1000], [1001, 2000, 1000]]);
    assert.equal(outbox.planFull('telemetry', 1000, 1), 0, 'the 500 left are the live tail');
    const first = outbox.open('asc', 1)[0]!.seq;
    assert.ok(Math.abs(first - Math.floor(Date.now() / 1000) * 1e6) < 10e6, `seq ${first}: a store made today never reuses the seqs of a replaced one`);
    outbox = new Outbox(t.reopen().db);
    assert.equal(outbox.cursor('telemetry'), 2000);
    const tail = outbox.cutTail('telemetry', 1000, 2)!;
    assert.deepEqual([tail.fromId, tail.toId, tail.items], [2001, 2500, 500]);
    assert.equal(outbox.cutTail('telemetry', 1000, 3), undefined);
    assert.equal(outbox.unbatched('telemetry'), 0);
  });
});

describe('outbox: enqueued items and the settled bound', () => {
  it('keeps payload rows out of the id bound that protects store events from pruning', () => {
    const outbox = new Outbox(t.store.db);
    outbox.enqueue('event', [[JSON.stringify({ id: 'cam-1', ts: 1, kind: 'plate', value: '粤B12345' })]], 1);
    t.store.addEvent({ ts: 2, kind: 'gateway', severity: 'info', message: 'a' });
    t.store.addEvent({ ts: 3, kind: 'gateway', severity: 'info', message: 'b' });
    assert.equal(outbox.lowestOpenId('event'), 1, 'nothing cut yet: everything from the first event is open');
    outbox.cutTail('event', 1000, 4);
    assert.equal(outbox.lowestOpenId('event'), 1);
    outbox.apply({ acked: outbox.open('asc', 10, 'event').filter((r) => r.fromId !== null).map((r) => r.seq), now: 5 });
    assert.equal(outbox.lowestOpenId('event'), 3, 'both store events committed (the payload row is not in the bound)');
  });
});

describe('sync loop: window, live first, backlog fills the rest', () => {
  it('sends the newest data in the live slot and the oldest rows in the others, never more than the window', () => {
    fill(t.store, 10_500);
    const { loop, link } = makeLoop({ window: 4, liveSlots: 1 });
    loop.tick();
    assert.equal(link.published.length, 4);
    const [first, ...rest] = link.published;
    assert.deepEqual([ids(first!.body)[0], ids(first!.body).at(-1)], [10_001, 10_500], 'live: the 500 newest readings');
    assert.deepEqual(rest.map((p) => [ids(p.body)[0], ids(p.body).at(-1)]), [[1, 1000], [1001, 2000], [2001, 3000]], 'backlog: oldest first');
    assert.ok(link.published.every((p) => p.topic === 'qs/v1/gw-unit/up/telemetry' && p.body.v === 1 && p.body.gw === 'gw-unit' && p.body.items.every((i: { unit: string }) => i.unit === 'm')));
    loop.tick();
    assert.equal(link.published.length, 4, 'window full: nothing more until commits arrive');
    assert.equal(loop.inFlight, 4);
  });

  it('marks rows acknowledged only on down/committed, by seqs and ranges, then refills the window', () => {
    fill(t.store, 10_500);
    const { loop, link, outbox } = makeLoop({ window: 4, liveSlots: 1 });
    loop.tick();
    const seqs = link.seqs();
    loop.tick();
    for (const s of seqs) assert.equal(state(s).acked_at, null, 'a PUBACK is not a commit');
    loop.onCommitted({ seqs: [seqs[1]!], ranges: [[seqs[2]!, seqs[3]!]] });
    loop.tick();
    assert.ok(state(seqs[1]!).acked_at! > 0 && state(seqs[2]!).acked_at! > 0 && state(seqs[3]!).acked_at! > 0);
    assert.equal(state(seqs[0]!).acked_at, null);
    assert.equal(loop.inFlight, 4, 'three slots refilled');
    assert.deepEqual(link.published.slice(4).map((p) => ids(p.body)[0]), [3001, 4001, 5001]);
    assert.equal(loop.counters.acks_total, 3);
    // every seq acked, then everything drains
    for (let i = 0; i < 10 && loop.inFlight; i++) {
      loop.onCommitted({ seqs: link.seqs() });
      loop.tick();
    }
    assert.equal(outbox.stats().openRows, 0);
    const sent = new Set(link.published.flatMap((p) => ids(p.body)));
    assert.equal(sent.size, 10_500, 'every reading sent');
  });

  it('stops resending a rejected batch and logs its code and reason', () => {
    fill(t.store, 1500);
    const { loop, link, lines } = makeLoop({ window: 2, liveSlots: 1, ackTimeoutMs: 1000 });
    loop.tick();
    const [live, old] = link.seqs();
    loop.onCommitted({ seqs: [live!], rejected: [{ seq: old!, code: 'CLOUD_INGEST_SCHEMA', reason: 'items[3].ts: too small' }] });
    loop.tick();
    assert.match(state(old!).rejected!, /^CLOUD_INGEST_SCHEMA: items\[3\]\.ts/);
    clock += 60_000;
    loop.tick();
    assert.equal(link.seqs().filter((s) => s === old).length, 1, 'never sent again');
    const warn = lines.find((l) => l['code'] === 'CLOUD_INGEST_SCHEMA');
    assert.ok(warn && warn['seq'] === old && warn['level'] === 40);
  });

  it('resends an overdue batch under the same seq with the same items, backing off', () => {
    fill(t.store, 300);
    const { loop, link } = makeLoop({ window: 2, liveSlots: 1, ackTimeoutMs: 1000 });
    loop.tick();
    assert.equal(link.published.length, 1);
    clock += 999;
    loop.tick();
    assert.equal(link.published.length, 1);
    clock += 2;
    loop.tick();
    assert.equal(link.published.length, 2);
    const [a, b] = link.published;
    assert.equal(a!.body.seq, b!.body.seq);
    assert.equal(a!.body.id, b!.body.id, 'same batch id');
    assert.deepEqual(a!.body.items, b!.body.items);
    clock += 1500; // second timeout is 2 s
    loop.tick();
    assert.equal(link.published.length, 2);
    clock += 600;
    loop.tick();
    assert.equal(link.published.length, 3);
    assert.equal(loop.counters.resends_total, 2);
    loop.flushState();
    assert.equal(state(a!.body.seq).attempts, 3);
  });

  it('after a reconnect without a session sends the open batches again under the window policy', () => {
    fill(t.store, 2500);
    const { loop, link } = makeLoop({ window: 4, liveSlots: 1 });
    loop.tick();
    assert.equal(link.published.length, 3);
    link.connected = false;
    loop.tick();
    link.connected = true;
    loop.onConnected(true);
    loop.tick();
    assert.equal(link.published.length, 3, 'with a session, queued acks get a grace period');
    loop.onConnected(false);
    loop.tick();
    // All three were made before the link came back: backlog now, under a congestion window reset to 2.
    assert.equal(link.published.length, 5);
    assert.deepEqual(link.seqs().slice(3), link.seqs().slice(0, 3).sort((a, b) => a - b).slice(0, 2), 'the oldest two first, same seqs');
    loop.onCommitted({ seqs: link.seqs().slice(3) });
    loop.tick();
    assert.equal(link.published.length, 6);
    assert.deepEqual(new Set(link.seqs().slice(3)), new Set(link.seqs().slice(0, 3)), 'every open batch went again under its own seq');
  });

  it('after an outage sends readings made since the link came back ahead of the backlog, in order', () => {
    const link = new RecordingLink();
    link.connected = false;
    const { loop } = makeLoop({ window: 4, liveSlots: 1 }, link);
    fill(t.store, 20_000);
    loop.tick();
    assert.equal(link.published.length, 0, 'offline: rows are cut, nothing is sent');
    link.connected = true;
    loop.onConnected(true);
    fill(t.store, 2_300, { start: 1_700_000_000_000 + 20_000 });
    loop.tick();
    const first = link.published.map((p) => [ids(p.body)[0], ids(p.body).at(-1)]);
    assert.deepEqual(first[0], [20_001, 21_000], 'the live slot: the oldest rows made after the link came up');
    assert.deepEqual(first.slice(1), [[1, 1000], [1001, 2000]], 'backlog slots: oldest first (window reset to 2 at link-up)');
    // As live rows are committed, the next live ones follow before the backlog moves on: the tail last.
    const liveOrder: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const liveSeq = link.published.find((p) => ids(p.body)[0]! > 20_000 && !liveOrder.some((r) => r[0] === ids(p.body)[0]))!;
      liveOrder.push([ids(liveSeq.body)[0]!, ids(liveSeq.body).at(-1)!]);
      loop.onCommitted({ seqs: [liveSeq.body.seq] });
      loop.tick();
    }
    assert.deepEqual(liveOrder, [[20_001, 21_000], [21_001, 22_000], [22_001, 22_300]]);
  });

  it('after a restart sends open rows again with the same seqs and items; a late ack still settles them', () => {
    fill(t.store, 2500);
    const first = makeLoop({ window: 8, liveSlots: 2 });
    first.loop.tick();
    first.loop.flushState();
    const before = new Map(first.link.published.map((p) => [p.body.seq as number, p.body.items]));
    assert.equal(before.size, 3);
    t.reopen();
    const second = makeLoop({ window: 8, liveSlots: 2 });
    second.loop.tick();
    const after = new Map(second.link.published.map((p) => [p.body.seq as number, p.body.items]));
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    for (const [seq, items] of after) assert.deepEqual(items, before.get(seq), `seq ${seq} carries the same items`);
    assert.equal(second.loop.counters.resends_total, 3);
    second.loop.onCommitted({ seqs: [...before.keys()] });
    second.loop.onCommitted({ seqs: [...before.keys()] }); // a duplicate ack is harmless
    second.loop.tick();
    assert.equal(second.outbox.stats().openRows, 0);
    assert.equal(second.loop.counters.acks_unknown_total, 3);
  });

  it('splits a never-sent row that exceeds maxBytes; every reading goes in exactly one seq', () => {
    const w = t.store.writer({ batchMs: 60_000, batchRows: 1_000_000 });
    for (let i = 0; i < 1000; i++) w.add('led-1', { point: 'line1', ts: 1_700_000_000_000 + i, value: `请 A${String(i).padStart(3, '0')} 到 3 号窗口`.repeat(3), quality: 'good' });
    w.flush();
    const { loop, link } = makeLoop({ window: 64, liveSlots: 8, maxBytes: 16 * 1024 });
    for (let i = 0; i < 20; i++) {
      loop.tick();
      loop.onCommitted({ seqs: link.seqs() });
    }
    const bySeq = new Map(link.published.map((p) => [p.body.seq as number, ids(p.body)]));
    assert.ok(bySeq.size > 5, `${bySeq.size} envelopes`);
    for (const p of link.published) assert.ok(Buffer.byteLength(JSON.stringify(p.body)) <= 16 * 1024);
    const all = [...bySeq.values()].flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 1000 }, (_, i) => i + 1));
    assert.ok(loop.counters.splits_total > 0);
  });

  it('sends store events (alarms, health) ahead of telemetry, as event envelopes', () => {
    fill(t.store, 5000);
    t.store.addEvent({ ts: 1_700_000_000_000, device: 'sdm-1', kind: 'alarm', severity: 'warning', point: 'density', message: 'raised: density high', data: { limit: 1.03 } });
    const { loop, link } = makeLoop({ window: 2, liveSlots: 1 });
    loop.tick();
    assert.equal(link.published[0]!.topic, 'qs/v1/gw-unit/up/event');
    assert.equal(link.published[0]!.body.items[0].id, 'ev-1');
    assert.equal(link.published.length, 2);
  });

  it('holds a partial live batch while the previous one waits for its commit (Nagle), at most maxLingerMs', () => {
    fill(t.store, 300);
    const { loop, link } = makeLoop({ window: 8, liveSlots: 2, maxLingerMs: 500 });
    loop.tick();
    assert.equal(link.published.length, 1);
    assert.equal(link.published[0]!.body.items.length, 300);
    fill(t.store, 40, { start: 1_700_000_000_000 + 300 });
    loop.tick();
    assert.equal(link.published.length, 1, 'the 40 new readings wait for the first batch to be committed');
    loop.onCommitted({ seqs: link.seqs() });
    loop.tick();
    assert.equal(link.published.length, 2, 'sent as soon as the previous one is committed');
    assert.equal(link.published[1]!.body.items.length, 40);
    fill(t.store, 10, { start: 1_700_000_000_000 + 340 });
    loop.tick();
    assert.equal(link.published.length, 2);
    clock += 499;
    loop.tick();
    assert.equal(link.published.length, 2);
    clock += 2;
    loop.tick();
    assert.equal(link.published.length, 3, 'or once it has waited maxLingerMs');
  });

  it('shrinks the backlog window when commits come back slower than the target and grows it when faster', () => {
    const link = new RecordingLink();
    link.connected = false;
    const { loop } = makeLoop({ window: 16, liveSlots: 4, targetCommitMs: 1000 }, link);
    fill(t.store, 40_000);
    loop.tick();
    link.connected = true;
    loop.onConnected(false);
    fill(t.store, 4_000, { start: 1_700_000_000_000 + 40_000 });
    loop.tick();
    assert.equal(link.published.length, 2 + 2, 'after a link-up the congestion window restarts at 2: two live rows, two backlog rows');
    const inFlight = () => link.seqs().filter((s) => state(s).acked_at === null);
    // slow commits: the window halves (once per round trip), down to a quarter: one batch per 4 round trips
    for (let round = 0; round < 20 && loop.counters.backlog_window > 0.25; round++) {
      clock += 3000;
      loop.onCommitted({ seqs: inFlight() });
      loop.tick();
      assert.ok(loop.inFlight <= 4, 'never more than the window allows');
    }
    assert.equal(loop.counters.backlog_window, 0.25);
    assert.ok(loop.inFlight <= 4 + 1);
    const before = link.published.length;
    clock += 3000;
    loop.onCommitted({ seqs: inFlight() });
    loop.tick();
    const paced = link.published.slice(before).filter((p) => ids(p.body)[0]! < 30_000).length;
    assert.equal(paced, 0, 'paced: no backlog batch right after the commit');
    // the paced batch goes after (1/0.25 − 1) smoothed round trips; fast commits grow the window again, up to window − liveSlots
    clock += 12_000;
    loop.tick();
    assert.ok(inFlight().length >= 1);
    for (let round = 0; round < 20; round++) {
      clock += 100;
      loop.onCommitted({ seqs: inFlight() });
      loop.tick();
    }
    assert.equal(loop.counters.backlog_window, 12);
  });
});

