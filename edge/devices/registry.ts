/**
 * Builds the device drivers from the validated config and the profiles: one RTU transport per bus,
 * shared by every device on it (the transport serialises the bus); one TCP transport per TCP device;
 * one sentence driver per serial device. Adapters come in through `DriverFactories` (only the
 * composition root picks the real ones), so tests can build the same registry over fakes.
 * A device whose driver cannot be built is kept, without a driver, and reported offline.
 */
import type { Logger } from 'pino';
import type { FirmwareProfile, ModbusProfile, SerialSettings } from '../../shared/profile/schema.js';
import { isModbusProfile } from '../../shared/profile/schema.js';
import type { LoadedConfig } from '../config/load.js';
import type { GatewayDeviceConfig } from '../config/schema.js';
import type { ModbusTransport } from './modbus/transport.js';
import type { DeviceDriver, PolledDriver, StreamingDriver } from './types.js';

export interface DriverFactories {
  tcpTransport(o: { host: string; port: number; logger: Logger }): ModbusTransport;
  rtuTransport(o: { path: string; serial: SerialSettings; logger: Logger }): ModbusTransport;
  modbusDriver(o: { deviceId: string; profile: ModbusProfile; unitId: number; transport: ModbusTransport; logger: Logger }): PolledDriver;
  sentenceDriver(o: { deviceId: string; profile: FirmwareProfile; path: string; logger: Logger }): StreamingDriver;
}

export interface DeviceEntry {
  readonly id: string;
  readonly config: GatewayDeviceConfig;
  readonly profile: FirmwareProfile;
  readonly driver: DeviceDriver | undefined;
  /** Polled devices: the effective interval (config override, else profile). */
  readonly pollIntervalMs: number | undefined;
  /** Streaming devices: silence limit from the profile. */
  readonly silenceTimeoutMs: number | undefined;
  /** Id of the transport it uses (`bus:<id>` or `tcp:<device>`), for metrics. */
  readonly transportId: string | undefined;
  readonly buildError: string | undefined;
  readonly log: Logger;
}

export interface TransportEntry {
  id: string;
  kind: 'rtu' | 'tcp';
  transport: ModbusTransport;
  devices: string[];
}

export interface Registry {
  readonly devices: ReadonlyMap<string, DeviceEntry>;
  readonly transports: readonly TransportEntry[];
  /** Closes every driver, then every transport; never throws. */
  close(): Promise<void>;
}

export interface RegistryOptions {
  loaded: LoadedConfig;
  factories: DriverFactories;
  /** A child logger per device (and per bus). */
  loggerFor(kind: 'device' | 'bus', id: string): Logger;
}

export function buildRegistry({ loaded, factories, loggerFor }: RegistryOptions): Registry {
  const { config, profiles, busSerial } = loaded;
  const devices = new Map<string, DeviceEntry>();
  const transports: TransportEntry[] = [];
  const buses = new Map<string, TransportEntry | Error>();

  const busTransport = (busId: string): TransportEntry => {
    const have = buses.get(busId);
    if (have instanceof Error) throw have;
    if (have) return have;
    const bus = config.buses.find((b) => b.id === busId);
    const serial = busSerial.get(busId);
    try {
      if (!bus || !serial) throw new Error(`bus "${busId}" has no complete line settings`);
      const entry: TransportEntry = { id: `bus:${busId}`, kind: 'rtu', transport: factories.rtuTransport({ path: bus.path, serial, logger: loggerFor('bus', busId) }), devices: [] };
      transports.push(entry);
      buses.set(busId, entry);
      return entry;
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      buses.set(busId, err);
      throw err;
    }
  };

  for (const d of config.devices) {
    const profile = profiles.get(d.profile)!; // validated by loadConfig
    const log = loggerFor('device', d.id);
    const base = {
      id: d.id,
      config: d,
      profile,
      log,
      pollIntervalMs: isModbusProfile(profile) ? (d.pollIntervalMs ?? profile.pollIntervalMs) : undefined,
      silenceTimeoutMs: isModbusProfile(profile) ? undefined : profile.transport.silenceTimeoutMs,
    };
    if (!d.enabled) {
      devices.set(d.id, { ...base, driver: undefined, transportId: undefined, buildError: undefined });
      continue;
    }
    let transportId: string | undefined;
    try {
      let driver: DeviceDriver;
      const conn = d.connection;
      if (conn.type === 'serial') {
        driver = factories.sentenceDriver({ deviceId: d.id, profile, path: conn.path, logger: log });
      } else {
        if (!isModbusProfile(profile)) throw new Error(`profile ${profile.model} is not a Modbus profile`);
        let t: TransportEntry;
        let unitId: number;
        if (conn.type === 'rtu') {
          t = busTransport(conn.bus);
          unitId = conn.unitId;
        } else {
          t = { id: `tcp:${d.id}`, kind: 'tcp', transport: factories.tcpTransport({ host: conn.host, port: conn.port, logger: log }), devices: [] };
          transports.push(t);
          unitId = conn.unitId ?? profile.transport.defaultUnitId;
        }
        t.devices.push(d.id);
        transportId = t.id;
        driver = factories.modbusDriver({ deviceId: d.id, profile, unitId, transport: t.transport, logger: log });
      }
      devices.set(d.id, { ...base, driver, transportId, buildError: undefined });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log.error({ err: e }, 'driver could not be built; the device stays offline');
      devices.set(d.id, { ...base, driver: undefined, transportId, buildError: msg });
    }
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      await Promise.all(
        [...devices.values()].map(async (d) => {
          try {
            await d.driver?.close();
          } catch (e) {
            d.log.warn({ err: e }, 'driver close failed');
          }
        }),
      );
      await Promise.all(
        transports.map(async (t) => {
          try {
            await t.transport.close();
          } catch {
            /* closing anyway */
          }
        }),
      );
    })());

  return { devices, transports, close };
}
