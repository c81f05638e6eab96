/**
 * The Modbus driver: turns a firmware profile into a PolledDriver over a (possibly shared) transport.
 *
 * Reads are planned once, at creation: points are grouped per table into contiguous blocks (gaps of up
 * to `maxGap` addresses are bridged, a block never exceeds the profile's `maxBlockRegisters`), and each
 * block gets its request PDU, its receive buffer and a view per point prepared in advance. A poll then
 * sends the prepared requests, fills the buffers in place and decodes each point through the one
 * shared transformer (shared/profile/values.ts).
 *
 * Quality: a block that fails makes exactly its points `bad` with the failure's reason (timeout, crc,
 * exception, frame, disconnected) and detail; the other blocks keep their values. After a timeout or a
 * lost link the rest of that poll's blocks are not sent (they are marked bad with the same reason):
 * the unit is gone, and on a shared RS-485 bus waiting out every block would stall the other devices.
 */
import type { Logger } from 'pino';
import type { QualityReason, ReadingValue } from '../../../shared/contracts/reading.js';
import { QuaysideError, isQuaysideError, type ErrorCode } from '../../../shared/errors.js';
import type { ModbusBitPoint, ModbusNumericPoint, ModbusPoint, ModbusProfile, ModbusStringPoint, RegisterTable } from '../../../shared/profile/schema.js';
import { registerSpan } from '../../../shared/profile/validate.js';
import { decodeBit, decodeNumeric, decodeString, encodeNumeric, encodeString } from '../../../shared/profile/values.js';
import type { PointSample, PolledDriver, WriteResult } from '../types.js';
import { ModbusClient } from './client.js';
import { FC, LIMITS, buildReadRequest, parseReadBits, parseReadRegisters, type ReadFunctionCode } from './pdu.js';
import type { ModbusTransport } from './transport.js';

// ---------------------------------------------------------------------------------------------
// Planning (pure)

export interface PlanOptions {
  /** Largest register block of one read (profile `transport.maxBlockRegisters`); bit tables use the Modbus limit of 2000. */
  maxBlockRegisters: number;
  /** Unmapped addresses a block may bridge between two points (default 8; 0 = only adjacent points share a block). */
  maxGap?: number;
}

export interface PlannedPoint {
  /** Index of the point in profile.points. */
  index: number;
  name: string;
  /** Position inside the block, in registers (or bits). */
  offset: number;
  span: number;
}

export interface PlannedBlock {
  table: RegisterTable;
  fc: ReadFunctionCode;
  address: number;
  count: number;
  points: PlannedPoint[];
}

const TABLE_ORDER: readonly RegisterTable[] = ['holding', 'input', 'coil', 'discrete'];
const READ_FC: Record<RegisterTable, ReadFunctionCode> = { coil: FC.READ_COILS, discrete: FC.READ_DISCRETE_INPUTS, holding: FC.READ_HOLDING_REGISTERS, input: FC.READ_INPUT_REGISTERS };
export const DEFAULT_MAX_GAP = 8;

/** Groups the points into read blocks; throws PROFILE_INVALID when one point alone exceeds the block limit. */
export function planReads(points: readonly ModbusPoint[], opts: PlanOptions): PlannedBlock[] {
  const maxGap = opts.maxGap ?? DEFAULT_MAX_GAP;
  const blocks: PlannedBlock[] = [];
  for (const table of TABLE_ORDER) {
    const bits = table === 'coil' || table === 'discrete';
    const limit = bits ? LIMITS.readBits : Math.min(opts.maxBlockRegisters, LIMITS.readRegisters);
    const items = points
      .map((p, index) => ({ p, index, span: registerSpan(p) }))
      .filter((it) => it.p.table === table)
      .sort((a, b) => a.p.address - b.p.address || a.span - b.span || a.index - b.index);
    let cur: { address: number; end: number; members: typeof items } | undefined;
    const flush = (): void => {
      if (!cur) return;
      const c = cur;
      blocks.push({
        table,
        fc: READ_FC[table],
        address: c.address,
        count: c.end - c.address,
        points: c.members.map((m) => ({ index: m.index, name: m.p.name, offset: m.p.address - c.address, span: m.span })),
      });
    };
    for (const it of items) {
      const start = it.p.address;
      const end = start + it.span;
      if (it.span > limit) {
        throw new QuaysideError('PROFILE_INVALID', `point "${it.p.name}" spans ${it.span} registers, more than maxBlockRegisters ${limit}`);
      }
      if (cur && start - cur.end <= maxGap && Math.max(cur.end, end) - cur.address <= limit) {
        cur.end = Math.max(cur.end, end);
        cur.members.push(it);
      } else {
        flush();
        cur = { address: start, end, members: [it] };
      }
    }
    flush();
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// Driver

export interface ModbusDriverOptions {
  deviceId: string;
  profile: ModbusProfile;
  /** The device's unit id on its bus/gateway (default: the profile's defaultUnitId). */
  unitId?: number;
  /** Shared by every device on the same bus (RTU) or connection (TCP); the driver never closes it. */
  transport: ModbusTransport;
  logger?: Logger;
  /** See {@link PlanOptions.maxGap}. */
  maxGap?: number;
}

/** Per-point decoding prepared once. */
interface PointReader {
  index: number;
  point: ModbusPoint;
  offset: number;
  /** Register view into the block buffer (register tables). */
  view: Uint16Array | undefined;
}

interface RuntimeBlock {
  plan: PlannedBlock;
  request: Buffer;
  regs: Uint16Array | undefined;
  bits: boolean[] | undefined;
  parse: (response: Buffer) => unknown;
  readers: PointReader[];
  failing: boolean;
}

const REASONS: Partial<Record<ErrorCode, QualityReason>> = {
  EDGE_MODBUS_TIMEOUT: 'timeout',
  EDGE_MODBUS_CRC: 'crc',
  EDGE_MODBUS_EXCEPTION: 'exception',
  EDGE_MODBUS_FRAME: 'frame',
  EDGE_MODBUS_DISCONNECTED: 'disconnected',
  EDGE_SERIAL_OPEN: 'disconnected',
};
const DETAIL_MAX = 200;

function clip(s: string): string {
  return s.length <= DETAIL_MAX ? s : `${s.slice(0, DETAIL_MAX - 1)}…`;
}

/** Reason + detail of a failed block, for its bad samples. */
export function failureOf(err: unknown): { reason: QualityReason; detail: string } {
  if (isQuaysideError(err)) return { reason: REASONS[err.code] ?? 'frame', detail: clip(err.detail ?? err.message) };
  return { reason: 'frame', detail: clip(`internal: ${err instanceof Error ? err.message : String(err)}`) };
}

export class ModbusDriver implements PolledDriver {
  readonly mode = 'polled' as const;
  readonly deviceId: string;
  readonly profile: ModbusProfile;
  readonly unitId: number;
  readonly client: ModbusClient;
  /** The read plan (for diagnostics and tests). */
  readonly plan: readonly PlannedBlock[];
  private readonly blocks: RuntimeBlock[];
  private readonly byName: Map<string, ModbusPoint>;
  private readonly log: Logger | undefined;
  private closed = false;

  constructor(opts: ModbusDriverOptions) {
    const { profile } = opts;
    this.deviceId = opts.deviceId;
    this.profile = profile;
    this.unitId = opts.unitId ?? profile.transport.defaultUnitId;
    this.log = opts.logger;
    this.client = new ModbusClient(opts.transport, {
      unitId: this.unitId,
      timeoutMs: profile.transport.responseTimeoutMs,
      retries: profile.transport.retries,
    });
    this.byName = new Map(profile.points.map((p) => [p.name, p]));
    this.plan = planReads(profile.points, { maxBlockRegisters: profile.transport.maxBlockRegisters, maxGap: opts.maxGap });
    this.blocks = this.plan.map((plan) => {
      const bitTable = plan.table === 'coil' || plan.table === 'discrete';
      const regs = bitTable ? undefined : new Uint16Array(plan.count);
      const bits = bitTable ? new Array<boolean>(plan.count).fill(false) : undefined;
      const fc = plan.fc;
      const parse = bitTable
        ? (r: Buffer): unknown => parseReadBits(r, fc as 1 | 2, plan.count, bits)
        : (r: Buffer): unknown => parseReadRegisters(r, fc as 3 | 4, plan.count, regs);
      return {
        plan,
        request: buildReadRequest(fc, plan.address, plan.count),
        regs,
        bits,
        parse,
        readers: plan.points.map((pp) => ({
          index: pp.index,
          point: profile.points[pp.index]!,
          offset: pp.offset,
          view: regs ? regs.subarray(pp.offset, pp.offset + pp.span) : undefined,
        })),
        failing: false,
      };
    });
  }

  async readAll(): Promise<PointSample[]> {
    const points = this.profile.points;
    const out = new Array<PointSample>(points.length);
    if (this.closed) {
      const ts = Date.now();
      for (let i = 0; i < points.length; i++) out[i] = bad(points[i]!.name, ts, 'disconnected', 'driver closed');
      return out;
    }
    let skip: { reason: QualityReason; detail: string } | undefined;
    for (const block of this.blocks) {
      if (skip) {
        const ts = Date.now();
        for (const r of block.readers) out[r.index] = bad(r.point.name, ts, skip.reason, skip.detail);
        continue;
      }
      try {
        await this.client.exchange(block.request, block.parse);
      } catch (err) {
        const f = failureOf(err);
        const ts = Date.now();
        for (const r of block.readers) out[r.index] = bad(r.point.name, ts, f.reason, f.detail);
        this.noteFailure(block, f, err);
        if (f.reason === 'timeout' || f.reason === 'disconnected') {
          skip = { reason: f.reason, detail: clip(`not read: an earlier block failed this poll (${f.detail})`) };
        }
        continue;
      }
      if (block.failing) this.noteRecovery(block);
      const ts = Date.now();
      for (const r of block.readers) out[r.index] = this.decode(r, block, ts);
    }
    return out;
  }

  async write(pointName: string, value: ReadingValue): Promise<WriteResult> {
    if (this.closed) throw new QuaysideError('EDGE_MODBUS_DISCONNECTED', 'driver closed');
    const p = this.byName.get(pointName);
    if (!p) throw new QuaysideError('EDGE_POINT_NOT_FOUND', `${this.deviceId} has no point "${pointName}"`);
    if (!p.writable || p.table === 'input' || p.table === 'discrete') {
      throw new QuaysideError('EDGE_WRITE_NOT_WRITABLE', `${this.deviceId}.${p.name} is ${p.table === 'input' || p.table === 'discrete' ? `in the read-only ${p.table} table` : 'not writable'}`);
    }
    this.log?.info({ point: p.name, value }, 'modbus write');
    if (p.type === 'bool') return this.writeBool(p, value);
    if (p.type === 'string') return this.writeString(p, value);
    return this.writeNumeric(p, value);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // -------------------------------------------------------------------------------------------

  private decode(r: PointReader, block: RuntimeBlock, ts: number): PointSample {
    const p = r.point;
    switch (p.type) {
      case 'bool': {
        const v = block.bits ? decodeBit(p, block.bits[r.offset]!) : decodeBit(p, r.view![0]!);
        return { point: p.name, ts, value: v, quality: 'good' };
      }
      case 'string':
        return { point: p.name, ts, value: decodeString(p, r.view!), quality: 'good' };
      default: {
        const v = decodeNumeric(p, r.view!);
        if (!Number.isFinite(v)) return bad(p.name, ts, 'decode', `${p.type} decodes to ${v}`);
        if (p.range && (v < p.range.min || v > p.range.max)) {
          return { point: p.name, ts, value: v, quality: 'bad', reason: 'out_of_range', detail: `${v} outside ${p.range.min}..${p.range.max}` };
        }
        return { point: p.name, ts, value: v, quality: 'good' };
      }
    }
  }

  private noteFailure(block: RuntimeBlock, f: { reason: QualityReason; detail: string }, err: unknown): void {
    if (!block.failing) {
      block.failing = true;
      this.log?.warn({ table: block.plan.table, address: block.plan.address, count: block.plan.count, reason: f.reason, detail: f.detail }, 'modbus block read failed');
    }
    if (!isQuaysideError(err)) this.log?.error({ err }, 'modbus block read failed unexpectedly');
  }

  private noteRecovery(block: RuntimeBlock): void {
    block.failing = false;
    this.log?.info({ table: block.plan.table, address: block.plan.address }, 'modbus block read recovered');
  }

  private async writeNumeric(p: ModbusNumericPoint, value: ReadingValue): Promise<WriteResult> {
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new QuaysideError('EDGE_BAD_REQUEST', `${p.name} takes a number, got ${JSON.stringify(value)}`);
    }
    if (!Number.isFinite(value) || (p.range && (value < p.range.min || value > p.range.max))) {
      throw new QuaysideError('EDGE_WRITE_OUT_OF_RANGE', `${value} outside ${p.range ? `${p.range.min}..${p.range.max}` : 'finite numbers'} for ${p.name}`);
    }
    let words: number[];
    try {
      words = encodeNumeric(p, value);
    } catch (err) {
      throw new QuaysideError('EDGE_WRITE_OUT_OF_RANGE', `${value} cannot be encoded as ${p.type} for ${p.name}: ${(err as Error).message}`, { cause: err });
    }
    await this.writeRegisters(p.address, words);
    if (!p.readBack) return { point: p.name, confirmed: false };
    const back = await this.readRegisters(p.table, p.address, words.length);
    const readBack = decodeNumeric(p, back);
    this.confirm(p.name, words, back, readBack);
    return { point: p.name, confirmed: true, readBack };
  }

  private async writeString(p: ModbusStringPoint, value: ReadingValue): Promise<WriteResult> {
    if (typeof value !== 'string') throw new QuaysideError('EDGE_BAD_REQUEST', `${p.name} takes text, got ${JSON.stringify(value)}`);
    let words: number[];
    try {
      words = encodeString(p, value);
    } catch (err) {
      throw new QuaysideError('EDGE_WRITE_OUT_OF_RANGE', `${p.name}: ${(err as Error).message}`, { cause: err });
    }
    await this.writeRegisters(p.address, words);
    if (!p.readBack) return { point: p.name, confirmed: false };
    const back = await this.readRegisters('holding', p.address, words.length);
    const readBack = decodeString(p, back);
    this.confirm(p.name, words, back, readBack);
    return { point: p.name, confirmed: true, readBack };
  }

  private async writeBool(p: ModbusBitPoint, value: ReadingValue): Promise<WriteResult> {
    const on = value === true || value === 1 ? true : value === false || value === 0 ? false : undefined;
    if (on === undefined) throw new QuaysideError('EDGE_BAD_REQUEST', `${p.name} takes true/false, got ${JSON.stringify(value)}`);
    if (p.table === 'coil') {
      await this.client.writeSingleCoil(p.address, on);
      if (!p.readBack) return { point: p.name, confirmed: false };
      const [back] = await this.client.readCoils(p.address, 1);
      if (back !== on) throw new QuaysideError('EDGE_WRITE_NOT_CONFIRMED', `${p.name}: wrote ${on}, read back ${back}`);
      return { point: p.name, confirmed: true, readBack: back };
    }
    // A bit of a holding register: read, change the bit, write the register back.
    const bit = p.bit ?? 0;
    const [word] = await this.client.readHolding(p.address, 1);
    const next = on ? word! | (1 << bit) : word! & ~(1 << bit) & 0xffff;
    await this.client.writeSingleRegister(p.address, next);
    if (!p.readBack) return { point: p.name, confirmed: false };
    const [back] = await this.client.readHolding(p.address, 1);
    const readBack = decodeBit(p, back!);
    if (readBack !== on) throw new QuaysideError('EDGE_WRITE_NOT_CONFIRMED', `${p.name}: wrote bit ${bit} = ${on}, read back ${readBack} (register 0x${back!.toString(16)})`);
    return { point: p.name, confirmed: true, readBack };
  }

  private writeRegisters(address: number, words: number[]): Promise<void> {
    return words.length === 1 ? this.client.writeSingleRegister(address, words[0]!) : this.client.writeMultipleRegisters(address, words);
  }

  private readRegisters(table: 'holding' | 'input', address: number, count: number): Promise<number[]> {
    return table === 'holding' ? this.client.readHolding(address, count) : this.client.readInput(address, count);
  }

  private confirm(name: string, written: number[], back: number[], readBack: ReadingValue): void {
    for (let i = 0; i < written.length; i++) {
      if (written[i] !== back[i]) {
        throw new QuaysideError('EDGE_WRITE_NOT_CONFIRMED', clip(`${name}: read back ${JSON.stringify(readBack)} (registers ${hexWords(back)}, wrote ${hexWords(written)})`));
      }
    }
  }
}

function hexWords(w: number[]): string {
  return w.map((x) => x.toString(16).padStart(4, '0')).join(' ');
}

function bad(point: string, ts: number, reason: QualityReason, detail: string): PointSample {
  return { point, ts, value: null, quality: 'bad', reason, detail };
}

/** Builds the PolledDriver for one Modbus device. Throws PROFILE_INVALID when the profile cannot be planned. */
export function createModbusDriver(opts: ModbusDriverOptions): ModbusDriver {
  return new ModbusDriver(opts);
}
