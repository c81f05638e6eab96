import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EdgeStore } from '../../../edge/store/store.js';
import { MIGRATIONS } from '../../../edge/store/schema.js';
import type { PointSample } from '../../../edge/devices/types.js';

let dir: string;
let store: EdgeStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-store-'));
  store = EdgeStore.open({ dataDir: dir });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const good = (point: string, ts: number, value: PointSample['value']): PointSample => ({ point, ts, value, quality: 'good' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const readOnly = () => new Database(store.file, { readonly: true, fileMustExist: true });

describe('store: schema', () => {
  it('uses WAL + synchronous NORMAL and is migrated to the latest version once', () => {
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.db.pragma('synchronous', { simple: true }), 1);
    assert.equal(store.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    const tables = new Set(store.db.prepare("SELECT name FROM sqlite_master WHERE type='table'").pluck().all() as string[]);
    for (const t of ['device_health', 'events', 'kv', 'latest', 'readings']) assert.ok(tables.has(t), `table ${t}`);
    const count = tables.size;
    store.close();
    store = EdgeStore.open({ dataDir: dir });
    assert.equal(store.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.equal((store.db.prepare("SELECT count(*) FROM sqlite_master WHERE type='table'").pluck().get() as number), count, 'reopening adds nothing');
  });
});

describe('store: batched writes', () => {
  it('commits in batches of batchRows, and the rest after batchMs', async () => {
    const w = store.writer({ batchMs: 50, batchRows: 5000 });
    const commits: number[] = [];
    w.onCommit((n) => commits.push(n));
    for (let i = 0; i < 12_345; i++) w.add(`d${i % 7}`, good(`p${i % 5}`, 1000 + i, i));
    assert.deepEqual(commits, [5000, 5000]);
    assert.equal(w.pendingRows, 2345);
    await sleep(120);
    assert.deepEqual(commits, [5000, 5000, 2345]);
    assert.equal(store.count(), 12_345);
    assert.equal(w.stats.committed, 12_345);
    assert.equal(w.stats.batches, 3);
  });

  it('a reading is visible to another connection only once its batch commits; flush() commits at once', () => {
    const w = store.writer({ batchMs: 10_000, batchRows: 1000 });
    for (let i = 0; i < 10; i++) w.add('d', good('p', i, i));
    const ro = readOnly();
    try {
      assert.equal(ro.prepare('SELECT count(*) FROM readings').pluck().get(), 0);
      assert.equal(w.flush(), 10);
      assert.equal(ro.prepare('SELECT count(*) FROM readings').pluck().get(), 10);
    } finally {
      ro.close();
    }
  });

  it('keeps rows queued when a commit fails and commits them on the next try', () => {
    const w = store.writer({ batchMs: 10_000, batchRows: 1000 });
    store.db.exec("CREATE TRIGGER boom BEFORE INSERT ON readings WHEN NEW.point = 'boom' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    w.add('d', good('p', 1, 1));
    w.add('d', good('boom', 2, 2));
    assert.equal(w.flush(), 0);
    assert.equal(w.stats.errors, 1);
    assert.match(w.stats.lastError!, /disk on fire/);
    assert.equal(store.count(), 0, 'the whole batch rolled back');
    assert.equal(w.pendingRows, 2);
    store.db.exec('DROP TRIGGER boom');
    assert.equal(w.flush(), 2);
    assert.equal(store.count(), 2);
  });

  it('round-trips numbers, booleans, text, null and quality fields', () => {
    const w = store.writer({ batchMs: 10_000, batchRows: 1000 });
    w.add('d', good('n', 1, 3.25));
    w.add('d', good('t', 1, true));
    w.add('d', good('f', 1, false));
    w.add('d', good('s', 1, '泊位 3 — berth 3'));
    w.add('d', good('sTrue', 1, 'true'));
    w.add('d', { point: 'x', ts: 1, value: null, quality: 'bad', reason: 'exception', detail: 'exception 0x02 illegal data address' });
    w.add('d', { point: 'nan', ts: 1, value: NaN, quality: 'bad', reason: 'decode' });
    w.flush();
    const got = Object.fromEntries(store.history({ device: 'd', from: 0, to: 10, limit: 100 }).map((r) => [r.point, r]));
    assert.equal(got['n']!.value, 3.25);
    assert.equal(got['t']!.value, true);
    assert.equal(got['f']!.value, false);
    assert.equal(got['s']!.value, '泊位 3 — berth 3');
    assert.equal(got['sTrue']!.value, 'true', 'a string "true" stays a string');
    assert.equal(got['x']!.value, null);
    assert.equal(got['x']!.reason, 'exception');
    assert.equal(got['x']!.detail, 'exception 0x02 illegal data address');
    assert.equal(got['nan']!.value, null);
    assert.equal(got['n']!.reason, undefined);
  });
});

describe('store: queries', () => {
  function fill() {
    const w = store.writer({ batchMs: 10_000, batchRows: 100_000 });
    for (let t = 0; t < 100; t++) for (const d of ['a', 'b']) for (const p of ['x', 'y']) w.add(d, good(p, 1_000_000 + t * 1000, t));
    w.flush();
  }

  it('latest per device/point, also after reopening', () => {
    fill();
    const latest = store.latest('a');
    assert.equal(latest.length, 2);
    for (const r of latest) {
      assert.equal(r.value, 99);
      assert.equal(r.ts, 1_000_000 + 99_000);
    }
    assert.equal(store.latest().length, 4);
    store.close();
    store = EdgeStore.open({ dataDir: dir });
    assert.equal(store.latestOf('b', 'y')!.value, 99);
    assert.equal(store.latest().length, 4);
  });

  it('history by device/point and time range (inclusive), with limit and order', () => {
    fill();
    const h = store.history({ device: 'a', point: 'x', from: 1_010_000, to: 1_019_000, limit: 100 });
    assert.deepEqual(h.map((r) => r.value), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert.deepEqual(store.history({ device: 'a', point: 'x', from: 0, to: 2e6, limit: 3 }).map((r) => r.value), [0, 1, 2]);
    assert.deepEqual(store.history({ device: 'a', point: 'x', from: 0, to: 2e6, limit: 3, order: 'desc' }).map((r) => r.value), [99, 98, 97]);
    const all = store.history({ device: 'b', from: 1_000_000, to: 1_001_000, limit: 100 });
    assert.deepEqual(all.map((r) => `${r.point}${r.value}`), ['x0', 'y0', 'x1', 'y1']);
    const plan = store.db.prepare('EXPLAIN QUERY PLAN SELECT * FROM readings WHERE device = ? AND point = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT 10').all('a', 'x', 0, 1) as { detail: string }[];
    assert.match(plan.map((p) => p.detail).join(), /USING INDEX readings_series/);
  });

  it('counts', () => {
    fill();
    assert.equal(store.count(), 400);
    assert.equal(store.count({ device: 'a' }), 200);
    assert.equal(store.count({ device: 'a', point: 'y' }), 100);
    assert.deepEqual(store.countByDevice(), { a: 200, b: 200 });
  });

  it('events, device health and kv', () => {
    const id = store.addEvent({ ts: 5, device: 'a', kind: 'alarm', severity: 'warning', point: 'x', message: 'raised: high', data: { value: 9 } });
    assert.ok(id > 0);
    assert.deepEqual(store.events({ device: 'a' })[0]!.data, { value: 9 });
    store.setHealth({ device: 'a', state: 'offline', reason: 'timeout', detail: '3 failed', since: 1, updated: 2 });
    store.setHealth({ device: 'a', state: 'online', reason: null, detail: null, since: 3, updated: 3 });
    assert.deepEqual(store.healthAll(), [{ device: 'a', state: 'online', reason: null, detail: null, since: 3, updated: 3 }]);
    store.kvSet('k', 'v1');
    store.kvSet('k', 'v2');
    assert.equal(store.kvGet('k'), 'v2');
    assert.equal(store.kvGet('none'), undefined);
  });
});

describe('store: retention', () => {
  it('prunes readings and events older than the cutoff, series by series, and keeps the rest', async () => {
    const w = store.writer({ batchMs: 10_000, batchRows: 100_000 });
    const day = 86_400_000;
    const now = 100 * day;
    for (let i = 0; i < 12_000; i++) w.add(`d${i % 3}`, good(`p${i % 2}`, now - 40 * day + i * 1000, i)); // old
    for (let i = 0; i < 600; i++) w.add(`d${i % 3}`, good(`p${i % 2}`, now - day + i, i)); // recent
    w.flush();
    store.addEvent({ ts: now - 40 * day, kind: 'gateway', severity: 'info', message: 'old' });
    store.addEvent({ ts: now, kind: 'gateway', severity: 'info', message: 'new' });
    const r = await store.prune(now - 30 * day, 1000);
    assert.deepEqual(r, { readings: 12_000, events: 1 });
    assert.equal(store.count(), 600);
    assert.deepEqual(store.events().map((e) => e.message), ['new']);
    assert.equal(store.latest().length, 6, 'latest keeps the newest of each series');
  });
});
