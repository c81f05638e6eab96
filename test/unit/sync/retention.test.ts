/**
 * Retention with sync: the budget arithmetic, the alarm text, and on a real store: acknowledged data
 * goes first (no alarm), unsent data only beyond that (alarm event with how many and which span);
 * pruning by age never touches what the cloud has not committed.
 */
import { describe, it, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { CommandStore } from '../../../edge/store/commands.js';
import { Outbox } from '../../../edge/store/outbox.js';
import { Retention, budgetAlarmMessage, readingsToFree, usedBytes } from '../../../edge/sync/retention.js';
import { fill, memoryLogger, tempStore } from './helpers.js';

const MB = 1024 * 1024;

describe('retention arithmetic', () => {
  it('frees down to 90 % of the budget, each reading taking an equal share of what is used', () => {
    assert.equal(readingsToFree(90 * MB, 100 * MB, 1_000_000), 0, 'within the budget');
    assert.equal(readingsToFree(100 * MB, 100 * MB, 1_000_000), 0, 'exactly at the budget');
    // 120 MB for 1.2 M readings = 100 B each; down to 90 MB → 30 MB → 300,000 readings
    assert.equal(readingsToFree(120 * MB, 100 * MB, 1_200_000), Math.ceil((30 * MB) / (120 * MB / 1_200_000)));
    assert.equal(readingsToFree(1000 * MB, 1 * MB, 10), 10, 'never more than there are');
    assert.equal(readingsToFree(120 * MB, 100 * MB, 0), 0);
  });

  it('says in the alarm how many readings were dropped and from when to when', () => {
    const msg = budgetAlarmMessage({ readings: 123_456, fromTs: Date.UTC(2026, 10, 26, 8, 0, 0), toTs: Date.UTC(2026, 10, 26, 9, 30, 0), budgetBytes: 512 * MB, usedBytes: 530 * MB });
    assert.equal(
      msg,
      'sync backlog over the disk budget (530 MB used of 512 MB): dropped 123,456 unsent readings taken 2026-11-26T08:00:00.000Z … 2026-11-26T09:30:00.000Z (oldest first); they never reached the cloud',
    );
  });
});

describe('retention on a real store', () => {
  let t: ReturnType<typeof tempStore>;
  beforeEach(() => (t = tempStore('qs-retention-')));
  afterEach(() => t.done());

  const make = (budgetBytes: number, retentionMs = 30 * 86_400_000) => {
    const { log, lines } = memoryLogger();
    const outbox = new Outbox(t.store.db);
    return { outbox, lines, r: new Retention({ store: t.store, outbox, commands: new CommandStore(t.store.db), retentionMs, budgetBytes, log }) };
  };

  it('drops the oldest acknowledged readings first, without an alarm', async () => {
    fill(t.store, 60_000, { points: 6 });
    const { outbox, r } = make(Number.MAX_SAFE_INTEGER);
    outbox.planFull('telemetry', 1000, Date.now());
    // the cloud committed the first 40 rows (40,000 readings)
    const rows = outbox.open('asc', 40);
    outbox.apply({ acked: rows.map((x) => x.seq), now: Date.now() });
    const used = usedBytes(t.store.db);
    const { r: tight } = make(Math.floor(used * 0.8));
    const dropped = await tight.enforceBudget();
    assert.equal(dropped, undefined, 'no unsent reading was dropped');
    assert.ok(tight.counters.settled_dropped_total > 0);
    assert.equal(tight.counters.unsent_dropped_total, 0);
    const min = t.store.db.prepare('SELECT min(id) FROM readings').pluck().get() as number;
    assert.ok(min > 1 && min <= 40_001, `oldest kept ${min}`);
    assert.ok(usedBytes(t.store.db) <= used * 0.8, 'within the budget again');
    assert.equal(t.store.events().filter((e) => e.kind === 'gateway').length, 0);
    void r;
  });

  it('drops the oldest unsent readings when that is not enough, and raises an alarm event that says how many and when', async () => {
    fill(t.store, 60_000, { points: 6, start: Date.UTC(2026, 0, 1) });
    const { outbox } = make(Number.MAX_SAFE_INTEGER);
    outbox.planFull('telemetry', 1000, Date.now());
    const used = usedBytes(t.store.db);
    const { r, lines } = make(Math.floor(used / 2));
    const d = await r.enforceBudget();
    assert.ok(d, 'unsent readings were dropped');
    assert.ok(d.readings > 20_000 && d.readings < 60_000, `${d.readings} dropped`);
    assert.equal(d.fromTs, Date.UTC(2026, 0, 1), 'from the oldest reading');
    assert.equal(d.toTs, Date.UTC(2026, 0, 1) + d.readings - 1);
    const left = t.store.db.prepare('SELECT count(*) FROM readings').pluck().get() as number;
    assert.equal(left, 60_000 - d.readings);
    // the outbox no longer names what is gone, and what is left is still open, in order
    const open = outbox.open('asc', 1000);
    assert.equal(open[0]!.fromId, d.readings + 1);
    assert.equal(open.reduce((n, x) => n + (x.toId! - x.fromId! + 1), 0), left);
    const alarm = t.store.events().find((e) => e.kind === 'gateway');
    assert.ok(alarm);
    assert.equal(alarm.severity, 'critical');
    assert.match(alarm.message, new RegExp(`dropped ${d.readings.toLocaleString('en-US')} unsent readings taken 2026-01-01T00:00:00.000Z … 2026-01-01T00:00:`));
    assert.ok(lines.some((l) => l['level'] === 50 && l['dropped'] === d.readings));
  });

  it('prunes by age only what the cloud has committed, and always keeps the newest reading', async () => {
    const old = Date.now() - 40 * 86_400_000;
    fill(t.store, 5000, { start: old });
    const { outbox, r } = make(Number.MAX_SAFE_INTEGER);
    outbox.planFull('telemetry', 1000, Date.now());
    outbox.apply({ acked: outbox.open('asc', 2).map((x) => x.seq), now: Date.now() });
    const pruned = await r.pruneByAge();
    assert.equal(pruned.readings, 2000, 'the two committed batches');
    assert.equal(t.store.db.prepare('SELECT min(id) FROM readings').pluck().get(), 2001);
    outbox.apply({ acked: outbox.open('asc', 10).map((x) => x.seq), now: Date.now() });
    const all = await r.pruneByAge();
    assert.equal(all.readings, 2999, 'everything committed, but the newest row stays so ids keep growing');
    assert.equal(t.store.db.prepare('SELECT max(id) FROM readings').pluck().get(), 5000);
  });
});
