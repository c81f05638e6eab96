/**
 * Sync benchmark: N simulated gateways in this process — each with its own edge store (SQLite), writer,
 * outbox and MQTT client (edge/sync, the real modules) fed by a synthetic reading source — against the
 * cloud (cloud/main.ts, its own process, embedded broker over TLS) writing to InfluxDB (scripts/services.sh).
 *
 * Phases:
 *   1. throughput: an offered load above the target for `--tp-seconds`; readings/s committed by the cloud
 *      (counted by the edges' commit acks) over the steady part;
 *   2. latency: `--rate` readings/s in total, plus probe readings (2/s per gateway) whose arrival in
 *      InfluxDB is polled every 50 ms: p50/p99 from the reading's timestamp to queryable in InfluxDB;
 *   3. outage: the cloud is stopped; `--outage-s` seconds' worth of readings at `--rate` are stored (written
 *      fast, with their timestamps spread over that span) while live production goes on; the cloud starts
 *      again: catch-up time and rate until everything stored before the restart is committed, and the time
 *      until live data is current (a probe taken after the restart queryable within 2 s, the p99 target);
 *   4. audit: production stops, everything drains; InfluxDB point counts and the cloud ledger against what
 *      the edges stored → lost and duplicated.
 * Prints ONE JSON object. Never asserts on time.
 *   npm run bench:sync -- [--gateways 50] [--tp-rate 100000] [--tp-seconds 20] [--rate 10000] [--lat-seconds 20] [--outage-s 600]
 *   InfluxDB: QS_INFLUX_URL, else the one scripts/services.sh started (.tmp/services/env); QS_INFLUX_PID for its CPU share.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { cloudConfigSchema } from '../edge/config/schema.js';
import { silentLogger } from '../edge/logger.js';
import { EdgeStore, type ReadingWriter } from '../edge/store/store.js';
import { startSync, type RunningSync } from '../edge/sync/index.js';

const { values: args } = parseArgs({
  options: {
    gateways: { type: 'string', default: '50' },
    'tp-rate': { type: 'string', default: '100000' },
    'tp-seconds': { type: 'string', default: '20' },
    rate: { type: 'string', default: '10000' },
    'lat-seconds': { type: 'string', default: '20' },
    'outage-s': { type: 'string', default: '600' },
    'batch-ms': { type: 'string', default: '100' },
    window: { type: 'string', default: '16' },
    'influx-flush-ms': { type: 'string', default: '100' },
    keep: { type: 'boolean', default: false },
  },
});
const G = Number(args.gateways);
const TP_RATE = Number(args['tp-rate']);
const TP_SECONDS = Number(args['tp-seconds']);
const RATE = Number(args.rate);
const LAT_SECONDS = Number(args['lat-seconds']);
const OUTAGE_S = Number(args['outage-s']);
const BATCH_MS = Number(args['batch-ms']);
const WINDOW = Number(args.window);
const INFLUX_FLUSH_MS = Number(args['influx-flush-ms']);

const ROOT = path.resolve(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[bench:sync ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function influxUrl(): string {
  const env = process.env['QS_INFLUX_URL'] ?? process.env['QS_TEST_INFLUX_URL'];
  if (env) return env;
  const file = path.join(ROOT, '.tmp/services/env');
  if (fs.existsSync(file)) {
    const m = /QS_TEST_INFLUX_URL=(\S+)/.exec(fs.readFileSync(file, 'utf8'));
    if (m) return m[1]!;
  }
  throw new Error('no InfluxDB: run `bash scripts/services.sh start` (or set QS_INFLUX_URL)');
}

async function influx(url: string, q: string, db?: string, method: 'GET' | 'POST' = 'GET', timeoutMs = 5000): Promise<Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>> {
  const u = new URL('/query', url);
  u.searchParams.set('q', q);
  u.searchParams.set('epoch', 'ms');
  if (db) u.searchParams.set('db', db);
  const res = await fetch(u, { method, signal: AbortSignal.timeout(timeoutMs) });
  const json = (await res.json()) as { results?: Array<{ series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>; error?: string }>; error?: string };
  const err = json.error ?? json.results?.[0]?.error;
  if (err) throw new Error(`InfluxQL ${q}: ${err}`);
  return json.results?.[0]?.series ?? [];
}

// ---------------------------------------------------------------- the cloud process

interface CloudProc {
  child: ChildProcess;
  exited: Promise<void>;
  output(): string;
}

function startCloudProcess(configFile: string): CloudProc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cloud/main.ts'), configFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 100_000) out = out.slice(-50_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, exited, output: () => out };
}

async function waitHttp(url: string, timeoutMs: number, cloud: CloudProc): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (cloud.child.exitCode !== null) throw new Error(`cloud exited:\n${cloud.output()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`cloud did not answer on ${url}:\n${cloud.output()}`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------- gateways and the source

interface Gw {
  id: string;
  dir: string;
  store: EdgeStore;
  writer: ReadingWriter;
  sync: RunningSync;
  /** Per-series last timestamp, so every (device, point, ts) is distinct. */
  lastTs: Map<string, number>;
  produced: number;
  probeSeq: number;
}

const SERIES_PER_GW = 100; // 20 devices × 5 points

function add(g: Gw, prefix: string, n: number, tsOf: () => number): void {
  for (let i = 0; i < n; i++) {
    const s = g.produced % SERIES_PER_GW;
    const device = `${prefix}-${Math.floor(s / 5)}`;
    const point = `p${s % 5}`;
    const key = `${device}/${point}`;
    const last = g.lastTs.get(key) ?? 0;
    const ts = Math.max(tsOf(), last + 1);
    g.lastTs.set(key, ts);
    g.writer.add(device, { point, ts, value: (g.produced % 10_000) / 100, quality: 'good' });
    g.produced++;
  }
}

/** Produces `rate` readings/s spread over the gateways, in 20 ms steps, until stopped. */
function runSource(gws: Gw[], rate: number, prefix: string): { stop(): void; produced(): number } {
  const start = performance.now();
  let made = 0;
  let stopped = false;
  const perStep = () => {
    if (stopped) return;
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    const n = due - made;
    if (n > 0) {
      const each = Math.floor(n / gws.length);
      let rest = n - each * gws.length;
      for (const g of gws) {
        const k = each + (rest-- > 0 ? 1 : 0);
        if (k) add(g, prefix, k, Date.now);
      }
      made = due;
    }
    setTimeout(perStep, 20);
  };
  perStep();
  return {
    stop: () => void (stopped = true),
    produced: () => made,
  };
}

/** Probe readings: 2/s per gateway, each remembered with its creation time. */
class Probes {
  readonly pending = new Map<string, number>();
  readonly latencies: Array<{ created: number; ms: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private pollTimer: NodeJS.Timeout | undefined;
  pollErrors = 0;

  constructor(
    private readonly gws: Gw[],
    private readonly url: string,
    private readonly db: string,
  ) {}

  start(): void {
    let i = 0;
    this.timer = setInterval(() => {
      // Spread: a tenth of the gateways every 50 ms → each gateway twice a second.
      for (let k = 0; k < this.gws.length; k++) {
        if ((k + i) % 10 !== 0) continue;
        const g = this.gws[k]!;
        const ts = Date.now();
        g.writer.add('probe', { point: 'probe', ts, value: ++g.probeSeq, quality: 'good' });
        g.produced++;
        this.pending.set(`${g.id}@${ts}`, ts);
      }
      i++;
    }, 50);
    this.pollTimer = setInterval(() => void this.poll(), 50);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.pending.size === 0) return;
    this.polling = true;
    try {
      let oldest = Infinity;
      for (const ts of this.pending.values()) if (ts < oldest) oldest = ts;
      const series = await influx(this.url, `SELECT "value" FROM "reading" WHERE "point" = 'probe' AND time >= ${oldest}ms GROUP BY "gw"`, this.db);
      const now = Date.now();
      for (const s of series) {
        const gw = s.tags?.['gw'];
        for (const row of s.values) {
          const key = `${gw}@${row[0] as number}`;
          const created = this.pending.get(key);
          if (created === undefined) continue;
          this.pending.delete(key);
          this.latencies.push({ created, ms: now - created });
        }
      }
    } catch {
      this.pollErrors++; // InfluxDB busy or away: try again next time
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.pollTimer);
  }

  /** Drops what is pending (probes written while nothing could be measured). */
  forget(): void {
    this.pending.clear();
  }
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const acked = (gws: Gw[]) => gws.reduce((n, g) => n + g.sync.loop.counters.items_acked_total, 0);
/** Mean first-send-to-commit time (ms) and batch size since the last call. */
function commitStats(gws: Gw[]): () => { commit_ms: number; items_per_batch: number } {
  const sum = () => gws.reduce((a, g) => ({ ms: a.ms + g.sync.loop.counters.commit_ms_sum, n: a.n + g.sync.loop.counters.commit_ms_count, items: a.items + g.sync.loop.counters.items_sent_total, batches: a.batches + g.sync.loop.counters.batches_sent_total }), { ms: 0, n: 0, items: 0, batches: 0 });
  const a = sum();
  return () => {
    const b = sum();
    return { commit_ms: Math.round((b.ms - a.ms) / Math.max(1, b.n - a.n)), items_per_batch: Math.round((b.items - a.items) / Math.max(1, b.batches - a.batches)) };
  };
}
const backlog = (gws: Gw[]) => gws.reduce((n, g) => n + g.sync.metrics().backlogReadings, 0);

async function drain(gws: Gw[], timeoutMs: number): Promise<boolean> {
  for (const g of gws) g.writer.flush();
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (backlog(gws) === 0) return true;
    await sleep(200);
  }
  return false;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const url = influxUrl();
  const ping = await fetch(`${url}/ping`).catch((e: Error) => e);
  if (ping instanceof Error || ping.status !== 204) throw new Error(`InfluxDB at ${url} does not answer: run scripts/services.sh start`);
  const dbName = `qs_bench_sync_${Date.now().toString(36)}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-bench-sync-'));
  const ports = { api: await freePort(), mqtt: await freePort(), mqtts: await freePort() };
  const adminToken = 'bench-admin-token-0123456789abcdef';
  const cloudDir = path.join(work, 'cloud');
  const cloudConfig = path.join(work, 'cloud.json');
  fs.writeFileSync(
    cloudConfig,
    JSON.stringify({
      version: 1,
      dataDir: cloudDir,
      log: { level: 'warn' },
      api: { host: '127.0.0.1', port: ports.api },
      admin: { token: adminToken },
      broker: { mode: 'embedded', host: '127.0.0.1', port: ports.mqtt, tlsPort: ports.mqtts },
      // flushMs above InfluxDB's fixed cost per write request (~30 ms here): the cloud's writer sends one
      // request at a time, so with the default 20 ms it falls behind at ~28k points/s (see the report).
      timeseries: { driver: 'influx', url, database: dbName, flushMs: INFLUX_FLUSH_MS, batchSize: 20_000 },
    }),
  );
  let cloud = startCloudProcess(cloudConfig);
  const gws: Gw[] = [];
  const result: Record<string, unknown> = {};
  try {
    await waitHttp(`http://127.0.0.1:${ports.api}/api/health`, 60_000, cloud);
    log(`cloud up (pid ${cloud.child.pid}), InfluxDB database ${dbName}; enrolling ${G} gateways`);

    // Enrol every gateway (admin API, then the one-time token).
    const caFile = path.join(work, 'ca.pem');
    for (let i = 0; i < G; i++) {
      const id = `bench-gw-${String(i + 1).padStart(2, '0')}`;
      const created = await fetch(`http://127.0.0.1:${ports.api}/api/gateways`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ id }) });
      const { enrolToken } = (await created.json()) as { enrolToken: string };
      const enrolled = await fetch(`http://127.0.0.1:${ports.api}/api/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ gatewayId: id, token: enrolToken }) });
      const cred = (await enrolled.json()) as { username: string; password: string; clientId: string; mqtt: { tls: string }; ca: string };
      if (i === 0) fs.writeFileSync(caFile, cred.ca);
      const dir = path.join(work, id);
      const store = EdgeStore.open({ dataDir: dir });
      const writer = store.writer({ batchMs: BATCH_MS, batchRows: 5000 });
      const cloudSection = cloudConfigSchema.parse({
        broker: { urls: [cred.mqtt.tls], caFile, clientId: cred.clientId, reconnectMs: 1000 },
        credentials: { username: cred.username, password: cred.password },
        sync: { window: WINDOW },
      });
      const sync = startSync({ store, gatewayId: id, dataDir: dir, cloud: cloudSection, retentionDays: 30, unitFor: () => 'm', logFor: () => silentLogger() });
      writer.onCommit(() => sync.nudge());
      gws.push({ id, dir, store, writer, sync, lastTs: new Map(), produced: 0, probeSeq: 0 });
    }
    const t0 = Date.now();
    while (!gws.every((g) => g.sync.metrics().connected)) {
      if (Date.now() - t0 > 60_000) throw new Error('gateways did not connect');
      await sleep(100);
    }
    log(`${G} gateways connected`);
    const cpu0 = { self: process.cpuUsage(), cloud: cpuSeconds(cloud.child.pid!) };
    const influxPid = (() => {
      if (process.env['QS_INFLUX_PID']) return Number(process.env['QS_INFLUX_PID']);
      try {
        return Number(fs.readFileSync(path.join(ROOT, `.tmp/services/influx-${new URL(url).port}/influxd.pid`), 'utf8'));
      } catch {
        return NaN;
      }
    })();
    const influx0 = cpuSeconds(influxPid);

    // ---- 1. throughput
    log(`throughput: offering ${TP_RATE}/s for ${TP_SECONDS} s`);
    const tp = runSource(gws, TP_RATE, 'tp');
    await sleep(5000);
    const a0 = acked(gws);
    const tpStats = commitStats(gws);
    const tStart = performance.now();
    const c0 = { self: process.cpuUsage(), cloud: cpuSeconds(cloud.child.pid!), influx: cpuSeconds(influxPid) };
    await sleep(Math.max(1000, (TP_SECONDS - 5) * 1000));
    const a1 = acked(gws);
    const tSec = (performance.now() - tStart) / 1000;
    const c1 = { self: process.cpuUsage(c0.self), cloud: cpuSeconds(cloud.child.pid!), influx: cpuSeconds(influxPid) };
    tp.stop();
    const readingsPerS = Math.round((a1 - a0) / tSec);
    result['readings_per_s'] = readingsPerS;
    result['throughput_offered_per_s'] = TP_RATE;
    result['throughput_backlog_at_end'] = backlog(gws);
    result['throughput_batches'] = tpStats();
    result['cpu_share_during_throughput'] = {
      gateways: +((c1.self.user + c1.self.system) / 1e6 / tSec).toFixed(2),
      cloud: +((c1.cloud - c0.cloud) / tSec).toFixed(2),
      influxd: +((c1.influx - c0.influx) / tSec).toFixed(2),
    };
    log(`throughput: ${readingsPerS}/s committed (backlog at end ${result['throughput_backlog_at_end']}); draining`);
    await drain(gws, 300_000);

    // ---- 2. latency at RATE
    log(`latency: ${RATE}/s for ${LAT_SECONDS} s with probes`);
    const probes = new Probes(gws, url, dbName);
    const lat = runSource(gws, RATE, 'lt');
    probes.start();
    await sleep(3000);
    probes.latencies.length = 0;
    const latStats = commitStats(gws);
    await sleep(LAT_SECONDS * 1000);
    result['latency_batches'] = latStats();
    const latencies = probes.latencies.map((l) => l.ms);
    result['p50_latency_ms'] = pct(latencies, 50);
    result['p99_latency_ms'] = pct(latencies, 99);
    result['latency_samples'] = latencies.length;
    result['latency_poll_errors'] = probes.pollErrors;
    log(`latency: p50 ${result['p50_latency_ms']} ms, p99 ${result['p99_latency_ms']} ms over ${latencies.length} probes`);

    // ---- 3. outage
    log(`outage: stopping the cloud; storing ${OUTAGE_S} s of readings at ${RATE}/s while live production goes on`);
    cloud.child.kill('SIGTERM');
    await cloud.exited;
    const outageStart = Date.now();
    const backlogReadings = OUTAGE_S * RATE;
    const perGw = Math.ceil(backlogReadings / G);
    const tsBase = Date.now() - OUTAGE_S * 1000;
    for (let done = 0; done < perGw; ) {
      const step = Math.min(2000, perGw - done);
      for (const g of gws) {
        let k = 0;
        add(g, 'bk', step, () => tsBase + Math.floor(((done + k++) / perGw) * OUTAGE_S * 1000));
      }
      done += step;
      await new Promise((r) => setImmediate(r));
    }
    for (const g of gws) g.writer.flush();
    const storedMs = Date.now() - outageStart;
    const beforeRestart = gws.map((g) => g.store.maxReadingId());
    const backlogAtRestart = backlog(gws);
    log(`outage: ${backlogAtRestart} readings waiting (stored in ${(storedMs / 1000).toFixed(1)} s); starting the cloud again`);
    probes.forget();
    probes.latencies.length = 0;
    const ackedAtRestart = acked(gws);
    const cuStats = commitStats(gws);
    const restart = Date.now();
    cloud = startCloudProcess(cloudConfig);
    await waitHttp(`http://127.0.0.1:${ports.api}/api/health`, 60_000, cloud);
    const cloudUpS = (Date.now() - restart) / 1000;
    let caughtUp = 0;
    for (;;) {
      if (gws.every((g, i) => g.sync.outbox.lowestOpenId('telemetry') > beforeRestart[i]!)) {
        caughtUp = Date.now();
        break;
      }
      if (Date.now() - restart > 30 * 60_000) throw new Error('no catch-up within 30 minutes');
      await sleep(200);
    }
    const catchupS = (caughtUp - restart) / 1000;
    const ackedDuring = acked(gws) - ackedAtRestart;
    // Live data is current again once a reading taken after the cloud is back is queryable within 2 s (the p99 target).
    const afterUp = probes.latencies.filter((l) => l.created >= restart + cloudUpS * 1000).sort((a, b) => a.created - b.created);
    const current = afterUp.find((l) => l.ms <= 2000);
    result['catchup_live_p50_ms'] = pct(afterUp.map((l) => l.ms), 50);
    result['catchup_s'] = +catchupS.toFixed(1);
    result['catchup_readings_per_s'] = Math.round(ackedDuring / catchupS);
    result['catchup_backlog_readings'] = backlogAtRestart;
    result['catchup_batches'] = cuStats();
    result['cloud_restart_s'] = +cloudUpS.toFixed(1);
    result['live_current_s'] = current ? +((current.created + current.ms - restart) / 1000).toFixed(1) : null;
    log(`outage: caught up ${backlogAtRestart} readings in ${catchupS.toFixed(1)} s (cloud start ${cloudUpS.toFixed(1)} s); live current after ${result['live_current_s']} s`);

    // ---- 4. audit
    lat.stop();
    probes.stop();
    log('audit: draining and counting');
    const drained = await drain(gws, 10 * 60_000);
    if (!drained) log(`audit: ${backlog(gws)} readings still not committed`);
    await sleep(500);
    const edge = new Map(gws.map((g) => [g.id, g.store.count()]));
    const points = new Map<string, number>();
    for (const s of await influx(url, `SELECT count("value") FROM "reading" WHERE time > 0 GROUP BY "gw"`, dbName, 'GET', 300_000)) points.set(s.tags?.['gw'] ?? '?', Number(s.values[0]?.[1] ?? 0));
    const ledger = new Map<string, number>();
    const cdb = new Database(path.join(cloudDir, 'cloud.db'), { readonly: true });
    try {
      for (const r of cdb.prepare("SELECT gw, sum(items) AS n FROM ingested_batches WHERE kind = 'telemetry' GROUP BY gw").all() as { gw: string; n: number }[]) ledger.set(r.gw, r.n);
    } finally {
      cdb.close();
    }
    let lost = 0;
    let duplicated = 0;
    let produced = 0;
    for (const [gw, n] of edge) {
      produced += n;
      const p = points.get(gw) ?? 0;
      const l = ledger.get(gw) ?? 0;
      lost += Math.max(0, n - p);
      duplicated += Math.max(0, p - n) + Math.max(0, l - n);
    }
    const cpuTotal = { self: process.cpuUsage(cpu0.self), cloud: cpuSeconds(cloud.child.pid!) };
    result['lost'] = lost;
    result['duplicated'] = duplicated;
    result['readings_total'] = produced;
    result['resends'] = gws.reduce((n, g) => n + g.sync.loop.counters.resends_total, 0);
    result['rejected'] = gws.reduce((n, g) => n + g.sync.loop.counters.rejected_total, 0);
    result['gateways'] = G;
    result['cores'] = os.cpus().length;
    result['config'] = { window: WINDOW, maxItems: 1000, batchMs: BATCH_MS, tls: true, timeseries: 'influxdb 1.x', influxFlushMs: INFLUX_FLUSH_MS, sql: 'sqlite' };
    void cpuTotal;
    void influx0;
    log(`audit: ${produced} stored at the edges; lost ${lost}, duplicated ${duplicated}`);
  } finally {
    for (const g of gws) {
      await g.sync.stop().catch(() => undefined);
      g.store.close();
    }
    cloud.child.kill('SIGTERM');
    await Promise.race([cloud.exited, sleep(10_000)]);
    if (cloud.child.exitCode === null) cloud.child.kill('SIGKILL');
    if (!args.keep) {
      await influx(url, `DROP DATABASE "${dbName}"`, undefined, 'POST', 60_000).catch(() => undefined);
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  const order = ['readings_per_s', 'p50_latency_ms', 'p99_latency_ms', 'catchup_readings_per_s', 'catchup_s', 'live_current_s', 'lost', 'duplicated', 'cores'];
  const out: Record<string, unknown> = {};
  for (const k of order) out[k] = result[k];
  for (const [k, v] of Object.entries(result)) if (!(k in out)) out[k] = v;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:sync failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
