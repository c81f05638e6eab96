/**
 * One simulated device: a validated profile + the shared world + instance params.
 *
 * Modbus profiles get a register bank (MemoryBank behind a guard) refreshed from the world's
 * physics: lazily, on any read older than half the profile's poll interval (so an idle simulator
 * costs nothing), values encoded through shared/profile/values.ts. Writes from clients land in the
 * bank when they hit writable points and fit their ranges (exception 02/03 otherwise); the device
 * model reads them back as settings (LED brightness heats the panel, a level meter converts with its
 * density setting). The `stuck` fault freezes the bank.
 *
 * Sentence profiles are served by ./sentence-device.ts; `createSimDevice` picks the kind.
 */
import type { Logger } from 'pino';
import type { ReadingValue } from '../../shared/contracts/reading.js';
import { isModbusProfile, type FirmwareProfile, type ModbusPoint, type ModbusProfile } from '../../shared/profile/schema.js';
import { registerSpan } from '../../shared/profile/validate.js';
import { decodeNumeric, decodeString } from '../../shared/profile/values.js';
import { bankSizesFor, MemoryBank } from './modbus/memory-bank.js';
import { MODBUS_EXCEPTIONS, ModbusExceptionResponse, type FaultState, type RegisterBank } from './modbus/types.js';
import type { Params } from './physics/params.js';
import { checkBindings, mergedParams, type Settings, type SignalSource, type World } from './world.js';
import { createSentenceSimDevice, type SentenceSimDevice } from './sentence-device.js';
import type { OpenLinePort } from '../devices/serial-line/port.js';

export interface SimDeviceCommon {
  readonly id: string;
  readonly profile: FirmwareProfile;
  /** Profile simulation params ⊕ instance params. */
  readonly params: Params;
  faults(): FaultState;
  setFaults(f: FaultState): void;
  clearFaults(): void;
  /** Engineering values as a reader would see them now. */
  values(): Record<string, ReadingValue>;
  close(): Promise<void>;
}

export interface ModbusSimDevice extends SimDeviceCommon {
  readonly kind: 'modbus';
  readonly profile: ModbusProfile;
  readonly unitId: number;
  /** What the protocol server serves (guarded; refreshes on read). */
  readonly bank: RegisterBank;
  /** The raw memory behind it. */
  readonly memory: MemoryBank;
  /** Recomputes every bound point from physics (unless stuck). */
  refresh(tMs?: number): void;
  /** Protocol writes accepted so far. */
  readonly writes: number;
}

export type SimDevice = ModbusSimDevice | SentenceSimDevice;

export interface SimDeviceOptions {
  id: string;
  profile: FirmwareProfile;
  world: World;
  /** Instance params (override the profile's simulation params). */
  params?: Params;
  /** Modbus: the unit id it answers to (default: the profile's defaultUnitId). */
  unitId?: number;
  /** Sentence devices: the path of the PTY end (or serial device) the device writes to. */
  path?: string;
  openPort?: OpenLinePort;
  logger?: Logger;
}

export async function createSimDevice(opts: SimDeviceOptions): Promise<SimDevice> {
  if (isModbusProfile(opts.profile)) return createModbusSimDevice({ ...opts, profile: opts.profile });
  if (!opts.path) throw new Error(`${opts.id}: a sentence device needs a port path`);
  return createSentenceSimDevice({ ...opts, profile: opts.profile, path: opts.path });
}

// ---------------------------------------------------------------------------------------------

const INT_LIMITS = { int16: [-0x8000, 0x7fff], uint16: [0, 0xffff], int32: [-0x80000000, 0x7fffffff], uint32: [0, 0xffffffff] } as const;

export function createModbusSimDevice(opts: SimDeviceOptions & { profile: ModbusProfile }): ModbusSimDevice {
  const { id, profile, world } = opts;
  checkBindings(profile);
  const params = mergedParams(profile, opts.params);
  const source: SignalSource = world.source(profile.simulation.model, params, id);
  const memory = new MemoryBank(bankSizesFor(profile.points));
  const bindings = profile.simulation.bindings;
  const bound = profile.points.filter((p) => bindings[p.name] !== undefined);
  const writable = profile.points.filter((p) => p.writable);
  const refreshMs = Math.max(25, Math.min(1000, Math.floor(profile.pollIntervalMs / 2)));
  let faults: FaultState = {};
  let last = Number.NEGATIVE_INFINITY;
  let writes = 0;
  const log = opts.logger?.child({ device: id });

  const settings = (): Settings => {
    const s: Record<string, ReadingValue> = {};
    for (const p of writable) s[p.name] = memory.getPoint(p);
    return s;
  };

  const store = (p: ModbusPoint, v: number | string | boolean): void => {
    if (p.type === 'bool') {
      const on = typeof v === 'number' ? (p.bit !== undefined && (p.table === 'holding' || p.table === 'input') ? ((v >> p.bit) & 1) === 1 : v !== 0) : Boolean(v);
      memory.setPoint(p, on);
    } else if (p.type === 'string') {
      const text = String(v);
      memory.setPoint(p, p.encoding === 'utf16be' ? text.slice(0, p.lengthRegisters) : text.slice(0, p.lengthRegisters * 2));
    } else {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(n)) return;
      if (p.type === 'float32') return memory.setPoint(p, n);
      const [min, max] = INT_LIMITS[p.type];
      const raw = Math.min(max, Math.max(min, Math.round((n - p.offset) / p.scale)));
      memory.setPoint(p, raw * p.scale + p.offset);
    }
  };

  const refresh = (tMs: number = world.now()): void => {
    if (faults.stuck) return;
    last = tMs;
    const sig = source.signals(tMs, settings());
    for (const p of bound) {
      const v = sig[bindings[p.name]!];
      if (v !== undefined) store(p, v);
    }
  };

  // Initial values: writable points from params (by point name), else a model signal of that name,
  // else 0 clamped into the range; then the first physics refresh.
  const first = source.signals(world.now(), {});
  for (const p of writable) {
    if (bindings[p.name] !== undefined) continue;
    const given = params[p.name] ?? first[p.name];
    if (given !== undefined) store(p, given);
    else if (p.type !== 'bool' && p.type !== 'string' && p.range) store(p, Math.min(p.range.max, Math.max(p.range.min, 0)));
  }
  refresh();

  const maybeRefresh = (): void => {
    if (faults.stuck) return;
    const t = world.now();
    if (t - last >= refreshMs) refresh(t);
  };

  /** Refuses protocol writes outside writable points or outside their ranges, as a careful device would. */
  const guardWrite = (address: number, values: number[]): void => {
    const end = address + values.length;
    const touched = profile.points.filter((p) => p.table === 'holding' && p.address < end && p.address + registerSpan(p) > address);
    for (let a = address; a < end; a++) {
      const owner = touched.find((p) => p.writable && a >= p.address && a < p.address + registerSpan(p));
      if (!owner) throw new ModbusExceptionResponse(MODBUS_EXCEPTIONS.ILLEGAL_DATA_ADDRESS);
    }
    for (const p of touched) {
      if (p.type === 'bool' || p.type === 'string') continue;
      const regs = memory.getRegisters('holding', p.address, registerSpan(p));
      for (let i = 0; i < regs.length; i++) {
        const a = p.address + i;
        if (a >= address && a < end) regs[i] = values[a - address]!;
      }
      const v = decodeNumeric(p, regs);
      if (!Number.isFinite(v) || (p.range && (v < p.range.min - 1e-9 || v > p.range.max + 1e-9))) {
        throw new ModbusExceptionResponse(MODBUS_EXCEPTIONS.ILLEGAL_DATA_VALUE);
      }
    }
  };

  const bank: RegisterBank = {
    readRegisters(table, address, count) {
      maybeRefresh();
      return memory.readRegisters(table, address, count);
    },
    readBits(table, address, count) {
      maybeRefresh();
      return memory.readBits(table, address, count);
    },
    writeRegisters(address, values) {
      guardWrite(address, values);
      memory.writeRegisters(address, values);
      writes++;
      log?.debug({ address, count: values.length }, 'register write');
    },
    writeBits(address, values) {
      for (let i = 0; i < values.length; i++) {
        const owner = profile.points.find((p) => p.table === 'coil' && p.writable && p.address === address + i);
        if (!owner) throw new ModbusExceptionResponse(MODBUS_EXCEPTIONS.ILLEGAL_DATA_ADDRESS);
      }
      memory.writeBits(address, values);
      writes++;
    },
  };

  return {
    kind: 'modbus',
    id,
    profile,
    params,
    unitId: opts.unitId ?? profile.transport.defaultUnitId,
    bank,
    memory,
    refresh,
    get writes() {
      return writes;
    },
    faults: () => faults,
    setFaults(f) {
      faults = { ...f };
      if (!faults.stuck) last = Number.NEGATIVE_INFINITY;
    },
    clearFaults() {
      faults = {};
      last = Number.NEGATIVE_INFINITY;
    },
    values() {
      maybeRefresh();
      const out: Record<string, ReadingValue> = {};
      for (const p of profile.points) {
        if (p.type === 'string') out[p.name] = decodeString(p, memory.getRegisters('holding', p.address, p.lengthRegisters));
        else out[p.name] = memory.getPoint(p);
      }
      return out;
    },
    close: async () => {},
  };
}
