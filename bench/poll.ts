/**
 * Polling benchmark: the simulator (100 Modbus TCP devices + 8 RTU buses over PTYs with 4 devices each,
 * all at 1 Hz) and the daemon, each its own process. After a warm-up it measures for `--seconds`
 * (default 60): missed/late polls from the daemon's /metrics, its CPU (utime+stime from /proc/PID/stat)
 * and RSS (VmRSS from /proc/PID/status); then the SQLite ingest micro-benchmark of the ReadingWriter.
 * Prints ONE JSON object.
 *   npm run bench:poll -- [--seconds N] [--tcp N] [--buses N] [--per-bus N] [--interval MS] [--ingest N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { gatewayConfig, metricSum, sleep, startDaemon, startSimulator, waitFor, type Daemon, type Simulator } from '../scripts/lib/stack.js';
import { runIngestBenchmark } from './sqlite-ingest.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    tcp: { type: 'string', default: '100' },
    buses: { type: 'string', default: '8' },
    'per-bus': { type: 'string', default: '4' },
    interval: { type: 'string', default: '1000' },
    ingest: { type: 'string', default: '1000000' },
    warmup: { type: 'string', default: '5' },
  },
});
const seconds = Number(args.seconds);
const nTcp = Number(args.tcp);
const nBuses = Number(args.buses);
const perBus = Number(args['per-bus']);
const intervalMs = Number(args.interval);

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state is field 3 → index 0; utime is field 14 → index 11; stime index 12.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Counters {
  due: number;
  done: number;
  late: number;
  missed: number;
  stored: number;
}
async function counters(gw: Daemon): Promise<Counters> {
  const m = await gw.metrics();
  return {
    due: metricSum(m, 'quayside_polls_due_total'),
    done: metricSum(m, 'quayside_polls_done_total'),
    late: metricSum(m, 'quayside_polls_late_total'),
    missed: metricSum(m, 'quayside_polls_missed_total'),
    stored: metricSum(m, 'quayside_readings_stored_total'),
  };
}

function simConfig() {
  const devices: unknown[] = [];
  for (let i = 0; i < nTcp; i++) {
    // Mostly density monitors, every fifth an LED display (with its text registers).
    const led = i % 5 === 4;
    devices.push({ id: `${led ? 'led' : 'sdm'}-${i + 1}`, profile: led ? 'qs-led-tcp' : 'qs-sdm-tcp', transport: { type: 'tcp', port: 0 } });
  }
  const buses = Array.from({ length: nBuses }, (_, b) => ({ name: `rtu-${b + 1}`, serial: { baudRate: 19200, dataBits: 8, parity: 'even', stopBits: 1 } }));
  for (let b = 0; b < nBuses; b++) {
    for (let u = 1; u <= perBus; u++) {
      const dg = u % 2 === 1;
      devices.push({ id: `${dg ? 'dg' : 'blm'}-${b + 1}-${u}`, profile: dg ? 'qs-dg6-rtu' : 'qs-blm-rtu', transport: { type: 'rtu', bus: `rtu-${b + 1}`, unitId: u } });
    }
  }
  return { version: 1, logLevel: 'warn', world: { seed: 3 }, buses, devices };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-bench-poll-'));
  let sim: Simulator | undefined;
  let gw: Daemon | undefined;
  try {
    sim = await startSimulator(dir, simConfig(), 120_000);
    const devices = sim.endpoints.devices.length;
    const cfg = gatewayConfig(sim.endpoints, { dataDir: path.join(dir, 'data'), pollIntervalMs: intervalMs, logLevel: 'warn' });
    fs.writeFileSync(path.join(dir, 'gw.json'), JSON.stringify(cfg, null, 2));
    gw = await startDaemon(path.join(dir, 'gw.json'), 60_000);
    const g = gw;
    await waitFor('all devices online', async () => (await g.get('/api/health')).gateway.devices.online === devices, 60_000, 500);
    await sleep(Number(args.warmup) * 1000);

    const c0 = await counters(gw);
    const cpu0 = cpuSeconds(gw.pid);
    const t0 = performance.now();
    let rssMax = 0;
    const end = t0 + seconds * 1000;
    while (performance.now() < end) {
      await sleep(Math.min(1000, end - performance.now()));
      rssMax = Math.max(rssMax, rssMb(gw.pid));
    }
    const cpu1 = cpuSeconds(gw.pid);
    const wall = (performance.now() - t0) / 1000;
    const c1 = await counters(gw);
    const health = await gw.get('/api/health');
    await gw.stop('SIGTERM');
    gw = undefined;
    await sim.stop();
    sim = undefined;

    const due = c1.due - c0.due;
    const ingest = runIngestBenchmark({ readings: Number(args.ingest), batchRows: 5000, devices: 132, pointsPerDevice: 12 });
    const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
    console.log(
      JSON.stringify({
        missed_poll_ratio: r4(due ? (c1.missed - c0.missed) / due : 0),
        late_poll_ratio: r4(due ? (c1.late - c0.late) / due : 0),
        polls: c1.done - c0.done,
        polls_due: due,
        cpu_core_fraction: r4((cpu1 - cpu0) / wall),
        rss_mb: Math.round(rssMax * 10) / 10,
        sqlite_readings_per_s: ingest.readings_per_s,
        readings_stored: c1.stored - c0.stored,
        devices,
        devices_online_at_end: health.gateway.devices.online,
        seconds: Math.round(wall * 10) / 10,
        cores: os.cpus().length,
      }),
    );
  } finally {
    await gw?.stop('SIGKILL');
    await sim?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
