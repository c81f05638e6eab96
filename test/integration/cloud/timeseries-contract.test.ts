// ONE contract suite for the time-series port, run against both adapters: the embedded SQLite table and
// a real InfluxDB 1.x. If an adapter answers differently, switching adapters would change the console.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { EmbeddedSeries } from '../../../cloud/timeseries/embedded.js';
import { InfluxSeries } from '../../../cloud/timeseries/influx-series.js';
import type { SeriesPoint, TimeSeriesPort } from '../../../cloud/timeseries/port.js';
import { dropInfluxDb, services, tmpDir, uniqueName, suiteSetup } from './helpers.js';

const T0 = 1_700_000_000_000;
const pt = (over: Partial<SeriesPoint>): SeriesPoint => ({ gw: 'quay-1', device: 'density-1', point: 'density', ts: T0, value: 1.025, unit: 'g/cm3', quality: 'good', ...over });

const adapters: Array<[string, () => Promise<{ port: TimeSeriesPort; cleanup(): Promise<void> }>]> = [
  [
    'embedded SQLite',
    async () => {
      const port = new EmbeddedSeries(`${tmpDir('series')}/series.db`);
      return { port, cleanup: async () => undefined };
    },
  ],
  [
    'InfluxDB 1.x',
    async () => {
      const { influxUrl } = await services();
      const database = uniqueName('qs_contract');
      const port = new InfluxSeries(
        {
          driver: 'influx',
          url: influxUrl,
          database,
          measurement: 'reading',
          batchSize: 5000,
          flushMs: 10,
          maxRetries: 1,
          retryBaseMs: 50,
          timeoutMs: 5000,
          spoolFile: 'spool.db',
          spoolMaxBytes: 10_000_000,
          probeMaxMs: 500,
        },
        tmpDir('series'),
        pino({ level: 'silent' }),
      );
      return { port, cleanup: () => dropInfluxDb(influxUrl, database) };
    },
  ],
];

for (const [name, make] of adapters) {
  describe(`time-series contract: ${name}`, () => {
    let port: TimeSeriesPort;
    let cleanup: () => Promise<void>;
    suiteSetup(async () => {
      ({ port, cleanup } = await make());
      await port.start();
    });
    after(async () => {
      await port?.close();
      await cleanup?.();
    });

    test('history returns what was written, oldest first, within [from, to]', async () => {
      await port.write([pt({ ts: T0 + 2000, value: 3 }), pt({ ts: T0, value: 1 }), pt({ ts: T0 + 1000, value: 2 })]);
      const rows = await port.history({ gw: 'quay-1', device: 'density-1', point: 'density', from: T0, to: T0 + 2000, limit: 100 });
      assert.deepEqual(
        rows.map((r) => [r.ts, r.value]),
        [
          [T0, 1],
          [T0 + 1000, 2],
          [T0 + 2000, 3],
        ],
      );
      assert.deepEqual(rows[0], { device: 'density-1', point: 'density', ts: T0, value: 1, unit: 'g/cm3', quality: 'good' });
      const inner = await port.history({ gw: 'quay-1', device: 'density-1', point: 'density', from: T0 + 500, to: T0 + 1500, limit: 100 });
      assert.deepEqual(
        inner.map((r) => r.ts),
        [T0 + 1000],
      );
      const limited = await port.history({ gw: 'quay-1', device: 'density-1', point: 'density', from: T0, to: T0 + 5000, limit: 2 });
      assert.equal(limited.length, 2);
    });

    test('writing the same points again replaces them: nothing doubles', async () => {
      const batch = Array.from({ length: 50 }, (_, i) => pt({ device: 'dup-1', ts: T0 + i, value: i }));
      await port.write(batch);
      await port.write(batch);
      await port.write(batch.slice(10, 20));
      const rows = await port.history({ gw: 'quay-1', device: 'dup-1', from: T0, to: T0 + 1000, limit: 1000 });
      assert.equal(rows.length, 50);
    });

    test('text, boolean, null and not-good values round-trip', async () => {
      await port.write([
        pt({ device: 'v-1', point: 'state', ts: T0, value: 'OPEN', unit: '' }),
        pt({ device: 'v-1', point: 'pump', ts: T0, value: true, unit: '' }),
        pt({ device: 'v-1', point: 'level', ts: T0, value: null, quality: 'bad', reason: 'timeout', detail: 'no answer after "300 ms"' }),
        pt({ device: 'v-1', point: 'level', ts: T0 + 1, value: 7.5, quality: 'uncertain', reason: 'stale' }),
      ]);
      const rows = await port.history({ gw: 'quay-1', device: 'v-1', from: T0, to: T0 + 10, limit: 100 });
      const by = (point: string, ts: number) => rows.find((r) => r.point === point && r.ts === ts);
      assert.deepEqual(by('state', T0), { device: 'v-1', point: 'state', ts: T0, value: 'OPEN', unit: '', quality: 'good' });
      assert.equal(by('pump', T0)?.value, 1);
      assert.deepEqual(by('level', T0), { device: 'v-1', point: 'level', ts: T0, value: null, unit: 'g/cm3', quality: 'bad', reason: 'timeout', detail: 'no answer after "300 ms"' });
      assert.deepEqual(by('level', T0 + 1), { device: 'v-1', point: 'level', ts: T0 + 1, value: 7.5, unit: 'g/cm3', quality: 'uncertain', reason: 'stale' });
    });

    test('names with spaces, commas, equals, quotes and CJK survive escaping', async () => {
      const device = 'tank 1,a=b "x"';
      const point = "level's 水位";
      await port.write([pt({ device, point, ts: T0, value: 4.5, unit: 'm 3' }), pt({ device, point, ts: T0 + 1, value: 'a "quoted" \\ text\nline 2', unit: 'm 3' })]);
      const rows = await port.history({ gw: 'quay-1', device, point, from: T0, to: T0 + 1, limit: 10 });
      assert.deepEqual(
        rows.map((r) => [r.device, r.point, r.value, r.unit]),
        [
          [device, point, 4.5, 'm 3'],
          [device, point, 'a "quoted" \\ text\nline 2', 'm 3'],
        ],
      );
    });

    test('gateways are kept apart; latest gives the newest point of each (device, point)', async () => {
      await port.write([
        pt({ gw: 'quay-9', device: 'a', point: 'x', ts: T0, value: 1 }),
        pt({ gw: 'quay-9', device: 'a', point: 'x', ts: T0 + 5, value: 2 }),
        pt({ gw: 'quay-9', device: 'a', point: 'y', ts: T0 + 3, value: 'on', unit: '' }),
        pt({ gw: 'quay-9', device: 'b', point: 'x', ts: T0 + 1, value: 9, quality: 'bad', reason: 'crc' }),
        pt({ gw: 'quay-8', device: 'a', point: 'x', ts: T0 + 99, value: 100 }),
      ]);
      const latest = await port.latest('quay-9');
      assert.deepEqual(
        latest.map((r) => [r.device, r.point, r.ts, r.value, r.quality]),
        [
          ['a', 'x', T0 + 5, 2, 'good'],
          ['a', 'y', T0 + 3, 'on', 'good'],
          ['b', 'x', T0 + 1, 9, 'bad'],
        ],
      );
      assert.deepEqual(await port.history({ gw: 'quay-7', device: 'a', from: 0, to: T0 * 2, limit: 10 }), []);
    });

    test('points no adapter can store are refused alike', async () => {
      await assert.rejects(port.write([pt({ device: 'bad\ndevice' })]), (e: Error & { code?: string }) => e.code === 'CLOUD_TS_REJECTED');
      await assert.rejects(port.write([pt({ point: 'ends\\' })]), (e: Error & { code?: string }) => e.code === 'CLOUD_TS_REJECTED');
    });

    test('metrics count what was written', () => {
      const m = port.metrics();
      assert.ok((m['points_written_total'] ?? 0) > 0);
    });
  });
}
