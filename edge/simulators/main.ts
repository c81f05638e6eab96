/**
 * The simulator process: real Modbus TCP/RTU servers and line-protocol devices, driven by the same
 * firmware profiles the gateway reads, all describing one shared world.
 *
 *   node --import tsx edge/simulators/main.ts --config FILE [--endpoints OUT.json] [--profiles DIR]
 *
 * One socat PTY pair per RTU bus (one RTU server serves every unit id on it) and per line-protocol
 * device; the simulator holds end `b`, the gateway opens end `a`. Prints the endpoints (one JSON
 * line on stdout) and writes them to --endpoints; logs go to stderr. SIGINT/SIGTERM stop it cleanly.
 */
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { QuaysideError } from '../../shared/errors.js';
import type { FirmwareProfile, ModbusProfile, SentenceProfile } from '../../shared/profile/schema.js';
import { describeFieldErrors } from '../../shared/validation.js';
import { busSerial, checkAgainstProfiles, validateSimConfig, type SimConfig, type SimDeviceEndpoint, type SimEndpoints } from './config.js';
import { createControlApp } from './control-api.js';
import { createModbusSimDevice, type ModbusSimDevice, type SimDevice } from './device.js';
import { startModbusRtuServer } from './modbus/rtu-server.js';
import { startModbusTcpServer } from './modbus/tcp-server.js';
import type { FaultState, RunningServer, UnitResolver } from './modbus/types.js';
import { SEAWATER_DEFAULTS } from './physics/seawater.js';
import { VESSEL_DEFAULTS } from './physics/vessel.js';
import type { Params } from './physics/params.js';
import { loadProfiles } from './profiles.js';
import { createPtyPair, type PtyPair } from './pty.js';
import { createSentenceSimDevice } from './sentence-device.js';
import { createWorld, mergedParams, type World } from './world.js';

export interface RunningSimulator {
  readonly endpoints: SimEndpoints;
  readonly devices: ReadonlyMap<string, SimDevice>;
  readonly world: World;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Overrides config.profilesDir. */
  profilesDir?: string;
  /** Profiles already loaded (skips the folder). */
  profiles?: ReadonlyMap<string, FirmwareProfile>;
  now?: () => number;
}

const NO_FAULTS: FaultState = Object.freeze({});

/** World params: config.world wins; keys it lacks come from the first device of the matching model. */
function worldParams(config: SimConfig, profiles: ReadonlyMap<string, FirmwareProfile>, model: 'vessel-drafts' | 'seawater', keys: readonly string[]): Params {
  const out: Record<string, string | number | boolean> = {};
  const d = config.devices.find((x) => profiles.get(x.profile)?.simulation.model === model);
  const p = d ? profiles.get(d.profile) : undefined;
  if (d && p) {
    const merged = mergedParams(p, d.params);
    for (const k of keys) if (merged[k] !== undefined) out[k] = merged[k]!;
  }
  return out;
}

function resolver(units: ReadonlyMap<number, ModbusSimDevice>): UnitResolver {
  return {
    bank: (u) => units.get(u)?.bank,
    faults: (u) => units.get(u)?.faults() ?? NO_FAULTS,
  };
}

export async function startSimulator(config: SimConfig, opts: StartOptions = {}): Promise<RunningSimulator> {
  const log = opts.logger ?? pino({ level: 'silent' });
  const profiles = opts.profiles ?? (await loadProfiles(opts.profilesDir ?? config.profilesDir));
  const problems = checkAgainstProfiles(config, profiles);
  if (problems.length) throw new QuaysideError('CONFIG_INVALID', `\n${describeFieldErrors(problems)}`);

  const origin = config.world.origin;
  const world = createWorld({
    seed: config.world.seed,
    ...(opts.now ? { now: opts.now } : {}),
    ...(origin !== undefined ? { originMs: typeof origin === 'number' ? origin : Date.parse(origin) } : {}),
    vessel: { ...worldParams(config, profiles, 'vessel-drafts', Object.keys(VESSEL_DEFAULTS)), ...config.world.vessel },
    sea: { ...worldParams(config, profiles, 'seawater', Object.keys(SEAWATER_DEFAULTS)), ...config.world.sea },
    air: config.world.air,
    ...(config.world.tanks ? { tanks: config.world.tanks } : {}),
  });

  // Everything started so far, stopped on failure or shutdown by stage: servers and devices, then the
  // PTYs under them, then the temporary folder (each stage in parallel).
  const stoppers: { stage: 0 | 1 | 2; stop: () => Promise<void> }[] = [];
  const devices = new Map<string, SimDevice>();
  const endpoints = new Map<string, SimDeviceEndpoint>();
  const busEndpoints: SimEndpoints['buses'] = [];
  const ownPtyDir = config.ptyDir === undefined;
  const ptyDir = config.ptyDir ?? (await mkdtemp(path.join(tmpdir(), 'quayside-sim-')));
  if (ownPtyDir) stoppers.push({ stage: 2, stop: () => rm(ptyDir, { recursive: true, force: true }) });
  const pty = async (name: string): Promise<PtyPair> => {
    const dir = path.join(ptyDir, name);
    await mkdir(dir, { recursive: true });
    const pair = await createPtyPair({ dir });
    stoppers.push({ stage: 1, stop: () => pair.close() });
    return pair;
  };
  let controlServer: Server | undefined;
  let controlUrl: string | undefined;

  const stopAll = async (): Promise<void> => {
    if (controlServer) await new Promise<void>((r) => controlServer!.close(() => r()));
    controlServer = undefined;
    const all = stoppers.splice(0);
    for (const stage of [0, 1, 2] as const) {
      await Promise.all(
        all
          .filter((s) => s.stage === stage)
          .map((s) =>
            s.stop().catch((e: unknown) => log.warn({ err: (e as Error).message }, 'simulator: error while stopping')),
          ),
      );
    }
  };

  try {
    // Modbus devices (banks first, then servers grouped by bus / port).
    const rtuGroups = new Map<string, Map<number, ModbusSimDevice>>();
    const tcpGroups: { port: number; units: Map<number, ModbusSimDevice>; ids: string[] }[] = [];
    const tcpByPort = new Map<number, (typeof tcpGroups)[number]>();
    for (const d of config.devices) {
      const profile = profiles.get(d.profile)!;
      if (d.transport.type === 'serial') continue;
      const mp = profile as ModbusProfile;
      const unitId = d.transport.unitId ?? mp.transport.defaultUnitId;
      const dev = createModbusSimDevice({ id: d.id, profile: mp, world, params: d.params, unitId, logger: log });
      devices.set(d.id, dev);
      if (d.transport.type === 'rtu') {
        const g = rtuGroups.get(d.transport.bus) ?? new Map<number, ModbusSimDevice>();
        g.set(unitId, dev);
        rtuGroups.set(d.transport.bus, g);
      } else {
        let g = d.transport.port !== 0 ? tcpByPort.get(d.transport.port) : undefined;
        if (!g) {
          g = { port: d.transport.port, units: new Map(), ids: [] };
          tcpGroups.push(g);
          if (d.transport.port !== 0) tcpByPort.set(d.transport.port, g);
        }
        g.units.set(unitId, dev);
        g.ids.push(d.id);
      }
    }

    const host = config.host;
    const advertised = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    await Promise.all(
      tcpGroups.map(async (g) => {
        let units = resolver(g.units);
        if (g.units.size === 1) {
          // A lone TCP device also answers the unit ids TCP clients commonly send (0 and 255).
          const only = [...g.units.values()][0]!;
          units = { bank: (u) => (u === only.unitId || u === 0 || u === 255 ? only.bank : undefined), faults: () => only.faults() };
        }
        const server: RunningServer & { port: number } = await startModbusTcpServer({ host, port: g.port, units, logger: log.child({ server: 'tcp' }) });
        stoppers.push({ stage: 0, stop: () => server.close() });
        for (const dev of g.units.values()) {
          endpoints.set(dev.id, { id: dev.id, profile: dev.profile.model, transport: 'modbus-tcp', host: advertised, port: server.port, unitId: dev.unitId });
        }
      }),
    );

    await Promise.all(
      config.buses.map(async (bus) => {
        const units = rtuGroups.get(bus.name) ?? new Map<number, ModbusSimDevice>();
        const serial = busSerial(config, bus, profiles);
        const pair = await pty(bus.name);
        const server = await startModbusRtuServer({ path: pair.b, serial, units: resolver(units), logger: log.child({ bus: bus.name }) });
        stoppers.push({ stage: 0, stop: () => server.close() });
        busEndpoints.push({ name: bus.name, path: pair.a, device: pair.devices[0], serial, units: [...units.keys()].sort((a, b) => a - b) });
        for (const dev of units.values()) {
          endpoints.set(dev.id, { id: dev.id, profile: dev.profile.model, transport: 'modbus-rtu', bus: bus.name, path: pair.a, unitId: dev.unitId, serial });
        }
      }),
    );
    busEndpoints.sort((a, b) => a.name.localeCompare(b.name));

    // Line-protocol devices, one PTY pair each.
    await Promise.all(
      config.devices
        .filter((d) => d.transport.type === 'serial')
        .map(async (d) => {
          const profile = profiles.get(d.profile)!;
          if (profile.transport.type !== 'serial-line') return;
          const pair = await pty(d.id);
          const dev = await createSentenceSimDevice({ id: d.id, profile: profile as SentenceProfile, world, params: d.params, path: pair.b, logger: log });
          stoppers.push({ stage: 0, stop: () => dev.close() });
          devices.set(d.id, dev);
          endpoints.set(d.id, { id: d.id, profile: profile.model, transport: 'serial-line', path: pair.a, serial: profile.transport.serial });
        }),
    );

    if (config.control !== false) {
      const app = createControlApp({ devices, endpoints, world });
      const { host: chost, port: cport } = config.control;
      controlServer = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(cport, chost, () => resolve(s));
        s.once('error', reject);
      });
      const addr = controlServer.address();
      const p = typeof addr === 'object' && addr ? addr.port : cport;
      controlUrl = `http://${chost.includes(':') ? `[${chost}]` : chost}:${p}`;
    }
  } catch (e) {
    await stopAll();
    throw e;
  }

  // Keep the config's device order in the endpoints file.
  const ordered = config.devices.map((d) => endpoints.get(d.id)!).filter(Boolean);
  const result: SimEndpoints = {
    format: 'quayside.sim-endpoints/1',
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ...(controlUrl ? { control: controlUrl } : {}),
    world: { seed: world.seed, originMs: world.originMs },
    buses: busEndpoints,
    devices: ordered,
  };
  let closing: Promise<void> | undefined;
  return {
    endpoints: result,
    devices,
    world,
    close: () => (closing ??= stopAll()),
  };
}

// --- CLI ---------------------------------------------------------------------------------------

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

async function readConfig(file: string): Promise<SimConfig> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new QuaysideError('CONFIG_UNREADABLE', `${file}: ${(e as Error).message}`);
  }
  const r = validateSimConfig(json);
  if (!r.ok) throw new QuaysideError('CONFIG_INVALID', `${file}:\n${describeFieldErrors(r.errors)}`);
  return r.config;
}

async function main(argv: string[]): Promise<void> {
  const configFile = argValue(argv, '--config');
  if (!configFile) {
    process.stderr.write('usage: node --import tsx edge/simulators/main.ts --config FILE [--endpoints OUT.json] [--profiles DIR]\n');
    process.exit(2);
  }
  const endpointsFile = argValue(argv, '--endpoints');
  const config = await readConfig(configFile);
  const log = pino({ name: 'quayside-sim', level: process.env.QS_LOG_LEVEL ?? config.logLevel }, pino.destination(2));
  const profilesDir = argValue(argv, '--profiles') ?? (config.profilesDir ? path.resolve(path.dirname(configFile), config.profilesDir) : undefined);
  const sim = await startSimulator(config, { logger: log, ...(profilesDir ? { profilesDir } : {}) });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'simulator stopping');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    void sim.close().then(async () => {
      if (endpointsFile) await rm(endpointsFile, { force: true });
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const text = JSON.stringify(sim.endpoints);
  if (endpointsFile) {
    const tmp = `${endpointsFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(sim.endpoints, null, 2)}\n`);
    await rename(tmp, endpointsFile);
  }
  process.stdout.write(`${text}\n`);
  log.info({ devices: sim.devices.size, buses: sim.endpoints.buses.length, control: sim.endpoints.control }, 'simulator ready');
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    const msg = e instanceof QuaysideError ? `${e.code}: ${e.message}` : e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`simulator failed to start: ${msg}\n`);
    process.exit(1);
  });
}
