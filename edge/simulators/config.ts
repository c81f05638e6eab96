/**
 * The simulator process's configuration: which devices to simulate, of which model, on which
 * transport, with which instance params, plus the shared world. Validated whole (schema, then the
 * cross-references: buses, unit ids, ports, profiles and their transports), every error with its path.
 *
 * Example:
 * {
 *   "version": 1,
 *   "world": { "seed": 42, "vessel": { "draftStartM": 6.2, "draftEndM": 13.9, "operationHours": 26 } },
 *   "buses": [ { "name": "rtu-a" } ],
 *   "devices": [
 *     { "id": "dg-1",  "profile": "qs-dg6-rtu",  "transport": { "type": "rtu", "bus": "rtu-a", "unitId": 1 } },
 *     { "id": "blm-1", "profile": "qs-blm-rtu",  "transport": { "type": "rtu", "bus": "rtu-a", "unitId": 2 }, "params": { "tank": "DB2S" } },
 *     { "id": "sdm-1", "profile": "qs-sdm-tcp",  "transport": { "type": "tcp", "port": 0 } },
 *     { "id": "dgs-1", "profile": "qs-dgs-nmea", "transport": { "type": "serial" }, "params": { "periodS": 0.5 } }
 *   ]
 * }
 */
import { z } from 'zod';
import { isModbusProfile, serialSettingsSchema, type FirmwareProfile, type SerialSettings } from '../../shared/profile/schema.js';
import { fieldErrors, type FieldError } from '../../shared/validation.js';

export const SIM_CONFIG_VERSION = 1;

const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'use lower-case letters, digits, "-" or "_" (max 63)');
const paramValue = z.union([z.number(), z.string(), z.boolean()]);
const params = z.record(z.string(), paramValue);

export const tcpTransportSchema = z
  .object({
    type: z.literal('tcp'),
    /** 0 = any free port (the endpoints file says which). Devices sharing a non-zero port share one server (a gateway), by unit id. */
    port: z.number().int().min(0).max(65535),
    unitId: z.number().int().min(1).max(247).optional(),
  })
  .strict();
export const rtuTransportSchema = z
  .object({ type: z.literal('rtu'), bus: name, unitId: z.number().int().min(1).max(247) })
  .strict();
export const serialTransportSchema = z.object({ type: z.literal('serial') }).strict();

export const simDeviceSchema = z
  .object({
    id: name,
    /** Firmware profile model id (firmware-profiles/<model>.json). */
    profile: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a model id, e.g. "qs-dg6-rtu"'),
    transport: z.discriminatedUnion('type', [tcpTransportSchema, rtuTransportSchema, serialTransportSchema]),
    /** Instance params; override the profile's simulation.params (e.g. tank, periodS, window). */
    params: params.default({}),
  })
  .strict();

export const simBusSchema = z
  .object({
    name,
    /** Line settings of the bus; default: those of its devices' profiles (which must then agree). */
    serial: serialSettingsSchema.optional(),
  })
  .strict();

const tankSchema = z
  .object({ name: z.string().min(1), depthM: z.number().positive(), densityTM3: z.number().min(0.9).max(1.1), warmerC: z.number().default(0) })
  .strict();

export const simConfigSchema = z
  .object({
    version: z.literal(SIM_CONFIG_VERSION),
    world: z
      .object({
        seed: z.union([z.number(), z.string()]).default(1),
        /** Time origin (ISO date or ms since the epoch); default: the start of the process. */
        origin: z.union([z.string().datetime({ offset: true }), z.number().int().nonnegative()]).optional(),
        vessel: params.default({}),
        sea: params.default({}),
        air: params.default({}),
        tanks: z.array(tankSchema).min(1).optional(),
      })
      .strict()
      .default({ seed: 1, vessel: {}, sea: {}, air: {} }),
    /** Address the Modbus TCP servers listen on. */
    host: z.string().default('127.0.0.1'),
    /** HTTP control API (loopback only); port 0 = any free port. `false` = none. */
    control: z.union([z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(0) }).strict(), z.literal(false)]).default({ host: '127.0.0.1', port: 0 }),
    /** Folder for the PTY links (<ptyDir>/<bus or device id>/a); stable paths across restarts. Default: a new temp folder. */
    ptyDir: z.string().optional(),
    /** Folder of the firmware profiles (default: the repository's firmware-profiles). */
    profilesDir: z.string().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    buses: z.array(simBusSchema).default([]),
    devices: z.array(simDeviceSchema).min(1),
  })
  .strict();

export type SimConfig = z.infer<typeof simConfigSchema>;
export type SimDeviceConfig = z.infer<typeof simDeviceSchema>;
export type SimBusConfig = z.infer<typeof simBusSchema>;

export type ConfigValidation = { ok: true; config: SimConfig } | { ok: false; errors: FieldError[] };

/** Schema check plus the cross-references that need no profiles. */
export function validateSimConfig(input: unknown): ConfigValidation {
  const parsed = simConfigSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const config = parsed.data;
  const errors: FieldError[] = [];
  const ids = new Map<string, number>();
  const buses = new Map<string, number>();
  config.buses.forEach((b, i) => {
    if (buses.has(b.name)) errors.push({ path: `buses[${i}].name`, message: `duplicate bus "${b.name}"` });
    buses.set(b.name, i);
  });
  const busUnits = new Map<string, number>();
  const tcpUnits = new Map<string, number>();
  config.devices.forEach((d, i) => {
    if (ids.has(d.id)) errors.push({ path: `devices[${i}].id`, message: `duplicate device id "${d.id}" (also devices[${ids.get(d.id)}])` });
    ids.set(d.id, i);
    const t = d.transport;
    if (t.type === 'rtu') {
      if (!buses.has(t.bus)) errors.push({ path: `devices[${i}].transport.bus`, message: `no bus "${t.bus}" in buses` });
      const key = `${t.bus}/${t.unitId}`;
      if (busUnits.has(key)) errors.push({ path: `devices[${i}].transport.unitId`, message: `unit ${t.unitId} already used on bus "${t.bus}" by devices[${busUnits.get(key)}]` });
      busUnits.set(key, i);
    }
    if (t.type === 'tcp' && t.port !== 0) {
      const key = `${t.port}/${t.unitId ?? 'default'}`;
      if (tcpUnits.has(key)) errors.push({ path: `devices[${i}].transport`, message: `port ${t.port} unit ${t.unitId ?? '(default)'} already used by devices[${tcpUnits.get(key)}]; give each device on a shared port its own unitId` });
      tcpUnits.set(key, i);
    }
  });
  return errors.length ? { ok: false, errors } : { ok: true, config };
}

/** Checks the config against the loaded profiles: each model exists and fits its transport; buses agree on line settings. */
export function checkAgainstProfiles(config: SimConfig, profiles: ReadonlyMap<string, FirmwareProfile>): FieldError[] {
  const errors: FieldError[] = [];
  config.devices.forEach((d, i) => {
    const p = profiles.get(d.profile);
    if (!p) return errors.push({ path: `devices[${i}].profile`, message: `no firmware profile "${d.profile}" (have: ${[...profiles.keys()].sort().join(', ')})` }) && undefined;
    const modbus = isModbusProfile(p);
    if (d.transport.type === 'serial' && modbus) errors.push({ path: `devices[${i}].transport.type`, message: `${d.profile} speaks Modbus; use "rtu" or "tcp"` });
    if (d.transport.type !== 'serial' && !modbus) errors.push({ path: `devices[${i}].transport.type`, message: `${d.profile} is a line-protocol device; use "serial"` });
    return undefined;
  });
  config.buses.forEach((b, i) => {
    if (b.serial) return;
    const settings = busSerialCandidates(config, b.name, profiles);
    const distinct = new Set(settings.map((s) => JSON.stringify(s)));
    if (distinct.size > 1) {
      errors.push({ path: `buses[${i}].serial`, message: `devices on bus "${b.name}" have different line settings in their profiles; set "serial" on the bus` });
    }
  });
  return errors;
}

function busSerialCandidates(config: SimConfig, bus: string, profiles: ReadonlyMap<string, FirmwareProfile>): SerialSettings[] {
  const out: SerialSettings[] = [];
  for (const d of config.devices) {
    if (d.transport.type !== 'rtu' || d.transport.bus !== bus) continue;
    const p = profiles.get(d.profile);
    if (p && isModbusProfile(p) && p.transport.type === 'modbus-rtu') out.push(p.transport.serial);
  }
  return out;
}

export const DEFAULT_SERIAL: SerialSettings = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 };

/** Line settings a bus runs at: its own, else its devices' profiles', else 9600 8N1. */
export function busSerial(config: SimConfig, bus: SimBusConfig, profiles: ReadonlyMap<string, FirmwareProfile>): SerialSettings {
  return bus.serial ?? busSerialCandidates(config, bus.name, profiles)[0] ?? DEFAULT_SERIAL;
}

/** The endpoints file: where the gateway finds each simulated device. */
export interface SimEndpoints {
  format: 'quayside.sim-endpoints/1';
  pid: number;
  startedAt: string;
  /** Base URL of the control API (absent when disabled). */
  control?: string;
  world: { seed: number | string; originMs: number };
  buses: { name: string; path: string; device: string; serial: SerialSettings; units: number[] }[];
  devices: SimDeviceEndpoint[];
}

export type SimDeviceEndpoint =
  | { id: string; profile: string; transport: 'modbus-tcp'; host: string; port: number; unitId: number }
  | { id: string; profile: string; transport: 'modbus-rtu'; bus: string; path: string; unitId: number; serial: SerialSettings }
  | { id: string; profile: string; transport: 'serial-line'; path: string; serial: SerialSettings };
