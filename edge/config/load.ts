/**
 * Loads the gateway config: read → migrate → schema → cross-checks against the firmware profiles.
 * Every mistake is collected and reported at once with its path and a hint; the result is frozen.
 */
import fs from 'node:fs';
import path from 'node:path';
import { QuaysideError } from '../../shared/errors.js';
import { isModbusProfile, type FirmwareProfile, type SerialSettings } from '../../shared/profile/schema.js';
import type { z } from 'zod';
import { describeFieldErrors, formatPath, type FieldError } from '../../shared/validation.js';
import { deepFreeze } from './freeze.js';
import { MIGRATIONS, migrate, type Migration, type RawConfig } from './migrations.js';
import { scanProfiles, type ProfileCatalog } from './profiles.js';
import {
  CONFIG_VERSION,
  busConfigSchema,
  deviceConfigSchema,
  gatewayConfigSchema,
  type BusConfig,
  type DeviceConfig,
  type GatewayConfig,
} from './schema.js';

export interface LoadedConfig {
  readonly file: string;
  readonly config: GatewayConfig;
  readonly profiles: ProfileCatalog;
  /** Effective line settings of every bus (its own, filled in from its devices' profiles). */
  readonly busSerial: ReadonlyMap<string, SerialSettings>;
  /** Version the file had before migration. */
  readonly migratedFrom: number;
}

/** CONFIG_INVALID with every mistake as `{path, message}`. */
export class ConfigInvalidError extends QuaysideError {
  constructor(
    readonly file: string,
    readonly errors: FieldError[],
  ) {
    super('CONFIG_INVALID', `${file}: ${errors.length} mistake${errors.length === 1 ? '' : 's'}\n${describeFieldErrors(errors)}`);
  }
}

export interface LoadOptions {
  migrations?: Readonly<Record<number, Migration>>;
}

export function loadConfig(file: string, opts: LoadOptions = {}): LoadedConfig {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw new QuaysideError('CONFIG_UNREADABLE', `${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new QuaysideError('CONFIG_UNREADABLE', `${abs}: not JSON (${(e as Error).message})`, { cause: e });
  }
  return validateConfig(raw, { ...opts, file: abs });
}

/** Validates a parsed config object; relative paths resolve against `baseDir` (default: the file's folder). */
export function validateConfig(raw: unknown, opts: LoadOptions & { file: string; baseDir?: string }): LoadedConfig {
  const file = opts.file;
  const baseDir = opts.baseDir ?? path.dirname(file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigInvalidError(file, [{ path: '(root)', message: 'the config must be a JSON object' }]);
  }
  const errors: FieldError[] = [];
  const migrated = migrate(raw as RawConfig, CONFIG_VERSION, opts.migrations ?? MIGRATIONS);
  if (!migrated.ok) throw new ConfigInvalidError(file, [{ path: 'version', message: migrated.message }]);
  const input = migrated.raw;

  const parsed = gatewayConfigSchema.safeParse(input);
  if (!parsed.success) errors.push(...withHints(parsed.error));

  // Profiles: found relative to the config file. Their own mistakes are listed too.
  const profilesDirRaw = typeof input['profilesDir'] === 'string' && input['profilesDir'] ? input['profilesDir'] : 'firmware-profiles';
  const profilesDir = path.resolve(baseDir, profilesDirRaw);
  const scan = scanProfiles(profilesDir);
  for (const e of scan.errors) {
    if (e.path === profilesDir) errors.push({ path: 'profilesDir', message: `${profilesDir}: ${e.message}` });
    else errors.push({ path: `${path.join(profilesDirRaw, e.path)}`, message: e.message });
  }

  // Cross-checks on every bus and device that parses on its own (unknown keys aside: the schema has
  // reported them), so one bad entry hides nothing else.
  const buses = parseEach(input['buses'], busConfigSchema.strip());
  const devices = parseEach(input['devices'], deviceConfigSchema.strip());
  const busSerial = crossCheck(buses, devices, scan.catalog, scan.invalidModels, errors);

  if (errors.length || !parsed.success) throw new ConfigInvalidError(file, errors.sort(byPath));

  const c = parsed.data;
  const resolved = {
    ...c,
    dataDir: path.resolve(baseDir, c.dataDir),
    profilesDir,
    buses: c.buses.map((b) => ({ ...b, path: path.resolve(baseDir, b.path) })),
    devices: c.devices.map((d) => (d.connection.type === 'serial' ? { ...d, connection: { ...d.connection, path: path.resolve(baseDir, d.connection.path) } } : d)),
    // A camera's file source (not rtsp://) is a path like any other.
    cameras: c.cameras.map((cam) => (/^rtsps?:\/\//.test(cam.url) || cam.url.startsWith('file:') ? cam : { ...cam, url: path.resolve(baseDir, cam.url) })),
    ...(c.cloud?.broker.caFile ? { cloud: { ...c.cloud, broker: { ...c.cloud.broker, caFile: path.resolve(baseDir, c.cloud.broker.caFile) } } } : {}),
  };
  return deepFreeze({ file, config: resolved, profiles: scan.catalog, busSerial, migratedFrom: migrated.from });
}

/** Paths in reading order: devices[2] before devices[10]; a stable sort keeps each entry's own order. */
function byPath(a: FieldError, b: FieldError): number {
  const key = (e: FieldError) => e.path.replace(/\[(\d+)\].*$/, (_m, n: string) => `[${n.padStart(6, '0')}]`);
  return key(a).localeCompare(key(b));
}

/** Zod issues as field errors, with "did you mean" for a misspelt key. */
function withHints(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code !== 'unrecognized_keys') return { path, message: issue.message };
    const known = knownKeysAt(issue.path);
    const parts = issue.keys.map((k) => {
      const near = known.find((n) => n.toLowerCase() === k.toLowerCase() || editDistance(n, k) <= 2);
      return near ? `"${k}" (did you mean "${near}"?)` : `"${k}"`;
    });
    return { path, message: `unknown key${parts.length > 1 ? 's' : ''} ${parts.join(', ')}${known.length ? `; allowed: ${known.join(', ')}` : ''}` };
  });
}

function knownKeysAt(path: ReadonlyArray<PropertyKey>): string[] {
  const segs = path.filter((s) => typeof s === 'string');
  const shapes: Record<string, z.ZodObject> = {
    '': gatewayConfigSchema,
    devices: deviceConfigSchema,
    buses: busConfigSchema,
  };
  const key = segs.join('.');
  const schema = shapes[key];
  if (schema) return Object.keys(schema.shape);
  if (key === 'devices.connection') return ['type', 'host', 'port', 'unitId', 'bus', 'path'];
  if (key === 'buses.serial') return ['baudRate', 'dataBits', 'parity', 'stopBits'];
  if (key === 'store') return ['batchMs', 'batchRows', 'retentionDays'];
  if (key === 'api') return ['host', 'port'];
  if (key === 'gateway') return ['id', 'name'];
  if (key === 'log') return ['level'];
  if (key === 'cloud') return ['broker', 'credentials', 'enrolment', 'sync', 'retention'];
  if (key === 'cloud.broker') return ['urls', 'caFile', 'protocolVersion', 'clientId', 'keepaliveS', 'connectTimeoutMs', 'reconnectMs', 'sessionExpiryS'];
  if (key === 'cloud.credentials') return ['username', 'password'];
  if (key === 'cloud.enrolment') return ['url', 'token'];
  if (key === 'cloud.sync') return ['maxItems', 'maxBytes', 'window', 'liveSlots', 'ackTimeoutMs', 'stopGraceMs'];
  if (key === 'cloud.retention') return ['budgetMB', 'checkEveryMs'];
  return [];
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

interface Indexed<T> {
  index: number;
  value: T;
}

function parseEach<T>(list: unknown, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): Indexed<T>[] {
  if (!Array.isArray(list)) return [];
  const out: Indexed<T>[] = [];
  list.forEach((item, index) => {
    const r = schema.safeParse(item);
    if (r.success) out.push({ index, value: r.data });
  });
  return out;
}

const p = (...segs: (string | number)[]) => formatPath(segs);
const serialText = (s: Partial<SerialSettings>) =>
  `${s.baudRate ?? '?'} ${s.dataBits ?? '?'}${s.parity ? s.parity[0]!.toUpperCase() : '?'}${s.stopBits ?? '?'}`;

function crossCheck(
  buses: Indexed<BusConfig>[],
  devices: Indexed<DeviceConfig>[],
  profiles: ProfileCatalog,
  invalidModels: Set<string>,
  errors: FieldError[],
): Map<string, SerialSettings> {
  const busById = new Map<string, Indexed<BusConfig>>();
  const busByPath = new Map<string, Indexed<BusConfig>>();
  for (const b of buses) {
    const dup = busById.get(b.value.id);
    if (dup) errors.push({ path: p('buses', b.index, 'id'), message: `duplicate bus id "${b.value.id}" (also buses[${dup.index}])` });
    else busById.set(b.value.id, b);
    const dupPath = busByPath.get(b.value.path);
    if (dupPath) errors.push({ path: p('buses', b.index, 'path'), message: `serial port ${b.value.path} is already bus "${dupPath.value.id}" (buses[${dupPath.index}]); one port is one bus` });
    else busByPath.set(b.value.path, b);
  }

  const deviceById = new Map<string, number>();
  const unitOnBus = new Map<string, Indexed<DeviceConfig>>();
  const tcpEndpoint = new Map<string, Indexed<DeviceConfig>>();
  const serialPath = new Map<string, Indexed<DeviceConfig>>();
  const busProfiles = new Map<string, { device: Indexed<DeviceConfig>; profile: FirmwareProfile }[]>();
  const known = profiles.models();
  const knownText = known.length ? known.join(', ') : 'none';

  for (const d of devices) {
    const { id, connection: conn } = d.value;
    const at = (...segs: (string | number)[]) => p('devices', d.index, ...segs);
    const dupIdx = deviceById.get(id);
    if (dupIdx !== undefined) errors.push({ path: at('id'), message: `duplicate device id "${id}" (also devices[${dupIdx}])` });
    else deviceById.set(id, d.index);

    const profile = profiles.get(d.value.profile);
    if (!profile) {
      errors.push({
        path: at('profile'),
        message: invalidModels.has(d.value.profile)
          ? `firmware profile "${d.value.profile}" is invalid (see its errors)`
          : `no firmware profile "${d.value.profile}" (known: ${knownText})`,
      });
    } else {
      const modbus = isModbusProfile(profile);
      if (modbus && conn.type === 'serial') {
        errors.push({ path: at('connection', 'type'), message: `"${profile.model}" speaks Modbus (${profile.transport.type}); connect it with "tcp" or "rtu", not "serial"` });
      } else if (!modbus && conn.type !== 'serial') {
        errors.push({ path: at('connection', 'type'), message: `"${profile.model}" is a line-protocol (serial-line) device; connect it with "serial"` });
      }
      if (!modbus && d.value.pollIntervalMs !== undefined) {
        errors.push({ path: at('pollIntervalMs'), message: `"${profile.model}" streams by itself; pollIntervalMs does not apply` });
      }
    }

    if (conn.type === 'rtu') {
      const bus = busById.get(conn.bus);
      if (!bus) {
        const defined = [...busById.keys()];
        errors.push({ path: at('connection', 'bus'), message: `no bus "${conn.bus}" (defined: ${defined.length ? defined.join(', ') : 'none; add it under "buses"'})` });
      } else {
        const key = `${conn.bus}#${conn.unitId}`;
        const other = unitOnBus.get(key);
        if (other) errors.push({ path: at('connection', 'unitId'), message: `unit id ${conn.unitId} is already used on bus "${conn.bus}" by devices[${other.index}] ("${other.value.id}")` });
        else unitOnBus.set(key, d);
        if (profile && isModbusProfile(profile)) {
          const list = busProfiles.get(conn.bus) ?? [];
          list.push({ device: d, profile });
          busProfiles.set(conn.bus, list);
        }
      }
    } else if (conn.type === 'tcp') {
      const unit = conn.unitId ?? (profile && isModbusProfile(profile) ? profile.transport.defaultUnitId : 1);
      const key = `${conn.host.toLowerCase()}:${conn.port}#${unit}`;
      const other = tcpEndpoint.get(key);
      if (other) errors.push({ path: at('connection'), message: `${conn.host}:${conn.port} unit ${unit} is already devices[${other.index}] ("${other.value.id}")` });
      else tcpEndpoint.set(key, d);
    } else {
      const other = serialPath.get(conn.path);
      if (other) errors.push({ path: at('connection', 'path'), message: `serial port ${conn.path} is already used by devices[${other.index}] ("${other.value.id}")` });
      else serialPath.set(conn.path, d);
      const bus = busByPath.get(conn.path);
      if (bus) errors.push({ path: at('connection', 'path'), message: `serial port ${conn.path} is Modbus bus "${bus.value.id}"; a line-protocol device needs its own port` });
    }
  }

  // Each bus needs complete line settings: its own, else agreed by the profiles of its devices.
  const busSerial = new Map<string, SerialSettings>();
  for (const b of buses) {
    const own = b.value.serial ?? {};
    const members = busProfiles.get(b.value.id) ?? [];
    const fields = ['baudRate', 'dataBits', 'parity', 'stopBits'] as const;
    const merged: Partial<SerialSettings> = { ...own };
    const conflicts: string[] = [];
    for (const f of fields) {
      if (own[f] !== undefined) continue;
      const values = new Map<string, string[]>();
      for (const m of members) {
        if (m.profile.transport.type !== 'modbus-rtu') continue;
        const v = m.profile.transport.serial[f];
        const list = values.get(String(v)) ?? [];
        list.push(m.device.value.id);
        values.set(String(v), list);
        (merged as Record<string, unknown>)[f] ??= v;
      }
      if (values.size > 1) conflicts.push(`${f}: ${[...values].map(([v, ids]) => `${v} (${ids.join(', ')})`).join(' vs ')}`);
    }
    if (conflicts.length) {
      errors.push({ path: p('buses', b.index, 'serial'), message: `the profiles of the devices on this bus disagree (${conflicts.join('; ')}); set the line settings here` });
      continue;
    }
    const missing = fields.filter((f) => merged[f] === undefined);
    if (missing.length && members.length) {
      errors.push({ path: p('buses', b.index, 'serial'), message: `line settings incomplete (missing ${missing.join(', ')}); set them here, e.g. {"baudRate":9600,"dataBits":8,"parity":"none","stopBits":1} (now ${serialText(merged)})` });
      continue;
    }
    if (!missing.length) busSerial.set(b.value.id, merged as SerialSettings);
  }
  return busSerial;
}
