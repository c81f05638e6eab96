/**
 * Child-process harness: the simulator (edge/simulators/main.ts) and the daemon (edge/main.ts), each
 * as its own process, plus a gateway config generated from the simulator's endpoints file.
 * Shared by the integration tests, bench/poll.ts and the demo (scripts/demo.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = ['--import', 'tsx'];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false | null> | T | undefined | false | null, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}

export interface SimEndpoint {
  id: string;
  profile: string;
  transport: 'modbus-tcp' | 'modbus-rtu' | 'serial-line';
  host?: string;
  port?: number;
  unitId?: number;
  bus?: string;
  path?: string;
}
export interface SimEndpoints {
  pid: number;
  control?: string;
  buses: { name: string; path: string; serial?: Record<string, unknown> }[];
  devices: SimEndpoint[];
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (or the signal given), then SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launch(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  const child = spawn(process.execPath, [...TSX, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const proc: Proc = {
    child,
    pid: child.pid!,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM', graceMs = 8000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const r = await exited;
        clearTimeout(t);
        return r;
      }
      return exited;
    },
  };
  return proc;
}

export interface Simulator extends Proc {
  endpoints: SimEndpoints;
  control: string;
  setFaults(id: string, faults: Record<string, unknown>): Promise<void>;
  clearFaults(id: string): Promise<void>;
  device(id: string): Promise<{ values: Record<string, unknown>; faults: Record<string, unknown> }>;
}

/** Starts the simulator on a config object; resolves once its endpoints file is written. */
export async function startSimulator(dir: string, config: unknown, timeoutMs = 30_000): Promise<Simulator> {
  const cfgFile = path.join(dir, 'sim.json');
  const epFile = path.join(dir, 'endpoints.json');
  fs.rmSync(epFile, { force: true });
  fs.writeFileSync(cfgFile, JSON.stringify(config, null, 2));
  const proc = launch(['edge/simulators/main.ts', '--config', cfgFile, '--endpoints', epFile], { env: { QS_LOG_LEVEL: 'warn' } });
  const endpoints = await Promise.race([
    waitFor('simulator endpoints', () => (fs.existsSync(epFile) ? (JSON.parse(fs.readFileSync(epFile, 'utf8')) as SimEndpoints) : undefined), timeoutMs),
    proc.exited.then((r) => {
      throw new Error(`simulator exited (${r.code ?? r.signal}) before it was ready:\n${proc.output()}`);
    }),
  ]);
  const control = endpoints.control!;
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(control + p, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!res.ok) throw new Error(`simulator ${method} ${p}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  return {
    ...proc,
    endpoints,
    control,
    setFaults: async (id, faults) => void (await call('POST', `/devices/${id}/faults`, faults)),
    clearFaults: async (id) => void (await call('DELETE', `/devices/${id}/faults`)),
    device: (id) => call('GET', `/devices/${id}`),
  };
}

/** A gateway config for every simulated device (RTU buses by name, TCP by port, serial by PTY path). */
export function gatewayConfig(ep: SimEndpoints, opts: { dataDir: string; pollIntervalMs?: number; logLevel?: string; batchMs?: number; apiPort?: number }) {
  return {
    version: 1,
    gateway: { id: 'gw-it', name: 'Integration quay' },
    dataDir: opts.dataDir,
    profilesDir: path.join(ROOT, 'firmware-profiles'),
    api: { host: '127.0.0.1', port: opts.apiPort ?? 0 },
    log: { level: opts.logLevel ?? 'warn' },
    store: { batchMs: opts.batchMs ?? 200 },
    buses: ep.buses.map((b) => ({ id: b.name, type: 'rtu', path: b.path, ...(b.serial ? { serial: b.serial } : {}) })),
    devices: ep.devices.map((d) => ({
      id: d.id,
      profile: d.profile,
      ...(opts.pollIntervalMs && d.transport !== 'serial-line' ? { pollIntervalMs: opts.pollIntervalMs } : {}),
      connection:
        d.transport === 'modbus-rtu'
          ? { type: 'rtu', bus: d.bus, unitId: d.unitId }
          : d.transport === 'modbus-tcp'
            ? { type: 'tcp', host: d.host, port: d.port, unitId: d.unitId }
            : { type: 'serial', path: d.path },
    })),
  };
}

export interface Daemon extends Proc {
  url: string;
  get(p: string): Promise<any>;
  post(p: string, body: unknown): Promise<{ status: number; body: any }>;
  metrics(): Promise<string>;
}

/** Starts edge/main.ts on a config file; resolves with its API URL once it prints it. */
export async function startDaemon(configFile: string, timeoutMs = 30_000): Promise<Daemon> {
  const proc = launch(['edge/main.ts', '--config', configFile]);
  const url = await Promise.race([
    waitFor('daemon API URL', () => /listening on (http:\/\/\S+)/.exec(proc.output())?.[1], timeoutMs, 50),
    proc.exited.then((r) => {
      throw new Error(`daemon exited (${r.code ?? r.signal}) before it was ready:\n${proc.output()}`);
    }),
  ]);
  return {
    ...proc,
    url,
    get: async (p) => {
      const res = await fetch(url + p);
      return res.json();
    },
    post: async (p, body) => {
      const res = await fetch(url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    },
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
  };
}

/** Runs the daemon to completion (e.g. on an invalid config). */
export async function runDaemonToExit(configFile: string, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  const proc = launch(['edge/main.ts', '--config', configFile]);
  const t = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  const r = await proc.exited;
  clearTimeout(t);
  return { code: r.code, output: proc.output() };
}

/** Sum of a Prometheus counter over all label sets. */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
