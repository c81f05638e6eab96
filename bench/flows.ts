/**
 * What the embedded Node-RED costs the edge daemon: start-up time without and with flows, and the
 * memory it adds. The simulator (density monitor, LED, queue terminal) runs as its own process; the
 * daemon (edge/main.ts) is started `--runs` times each way, alternating, each time on a fresh data
 * folder (so "with" includes the first-start install of the default flows):
 *   startup_ms:  from spawning the process to its "listening" line (startGateway resolves once the core
 *                polls, the API listens and — with flows — Node-RED runs its flows); median of the runs.
 *                It includes Node's and tsx's own start (about 2 s here), which varies by a few hundred ms;
 *   assembly_ms: from the daemon's "starting" log line to its "gateway running" line: the gateway's own
 *                assembly, where Node-RED's cost shows without the process start's noise;
 *   rss_mb:      VmRSS of the daemon (/proc/PID/status) `--settle` seconds after start, median.
 * Prints ONE JSON object.
 *   npm run bench:flows -- [--runs N] [--settle S]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hashPassword } from '../edge/flows/auth.js';
import { gatewayConfig, sleep, startDaemon, startSimulator } from '../scripts/lib/stack.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' }, settle: { type: 'string', default: '3' } } });
const runs = Math.max(1, Number(args.runs));
const settleMs = Number(args.settle) * 1000;

const SIM = {
  version: 1,
  world: { seed: 3 },
  logLevel: 'warn',
  buses: [],
  devices: [
    { id: 'density', profile: 'qs-sdm-tcp', transport: { type: 'tcp', port: 0 } },
    { id: 'led', profile: 'qs-led-tcp', transport: { type: 'tcp', port: 0 } },
    { id: 'queue', profile: 'qs-qt-serial', transport: { type: 'serial' } },
  ],
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-bench-flows-'));
const sim = await startSimulator(dir, SIM);
const passwordHash = await hashPassword('bench-admin-password');

async function once(withFlows: boolean, i: number): Promise<{ ms: number; assembly: number; rss: number }> {
  const runDir = path.join(dir, `${withFlows ? 'with' : 'without'}-${i}`);
  fs.mkdirSync(runDir);
  const cfg = {
    ...gatewayConfig(sim.endpoints, { dataDir: path.join(runDir, 'data'), logLevel: 'info' }),
    ...(withFlows ? { flows: { enabled: true, credentialSecret: 'bench-credential-secret', adminUsers: [{ username: 'admin', passwordHash }] } } : {}),
  };
  const file = path.join(runDir, 'gw.json');
  fs.writeFileSync(file, JSON.stringify(cfg));
  const t0 = performance.now();
  const gw = await startDaemon(file, 60_000);
  const ms = performance.now() - t0;
  try {
    if (withFlows) {
      const s = (await gw.get('/flows/status')) as { state: string; message: string | null };
      if (s.state !== 'running') throw new Error(`flows ${s.state}: ${s.message}`);
    }
    await sleep(settleMs);
    const at = (msg: string) => {
      const line = gw.output().split('\n').find((l) => l.includes(`"msg":"${msg}"`));
      if (!line) throw new Error(`no "${msg}" line in the daemon's log`);
      return Date.parse((JSON.parse(line) as { time: string }).time);
    };
    return { ms, assembly: at('gateway running') - at('starting'), rss: rssMb(gw.pid) };
  } finally {
    await gw.stop();
  }
}

const without: { ms: number; assembly: number; rss: number }[] = [];
const withFlows: { ms: number; assembly: number; rss: number }[] = [];
try {
  // One warm-up of each (file cache, tsx's transform cache), then alternate.
  await once(false, -1);
  await once(true, -1);
  for (let i = 0; i < runs; i++) {
    without.push(await once(false, i));
    withFlows.push(await once(true, i));
  }
} finally {
  await sim.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

const rssWithout = median(without.map((r) => r.rss));
const rssWith = median(withFlows.map((r) => r.rss));
process.stdout.write(
  `${JSON.stringify({
    startup_ms_without: Math.round(median(without.map((r) => r.ms))),
    startup_ms_with: Math.round(median(withFlows.map((r) => r.ms))),
    rss_mb_added: Math.round((rssWith - rssWithout) * 10) / 10,
    cores: os.cpus().length,
    assembly_ms_without: Math.round(median(without.map((r) => r.assembly))),
    assembly_ms_with: Math.round(median(withFlows.map((r) => r.assembly))),
    rss_mb_without: Math.round(rssWithout * 10) / 10,
    rss_mb_with: Math.round(rssWith * 10) / 10,
    runs,
  })}\n`,
);
