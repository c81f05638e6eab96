/** Test doubles for the gateway core: a virtual clock, fake drivers and transports, small profiles. */
import { firmwareProfileSchema, type FirmwareProfile, type ModbusProfile, type SentenceProfile } from '../../../shared/profile/schema.js';
import type { ReadingValue } from '../../../shared/contracts/reading.js';
import type { Clock } from '../../../edge/devices/scheduler.js';
import type { PointSample, PolledDriver, StreamHandlers, StreamingDriver, WriteResult } from '../../../edge/devices/types.js';
import type { ModbusTransport } from '../../../edge/devices/modbus/transport.js';
import type { DriverFactories } from '../../../edge/devices/registry.js';

/** Lets pending promise chains and setImmediate callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** Virtual time: timers fire only inside `advance`, in time order, with promise chains settled between. */
export class FakeClock implements Clock {
  t = 0;
  readonly wallBase = 1_800_000_000_000;
  /** Every timer fires this much after its time (timer jitter). */
  jitterMs = 0;
  private timers: FakeTimer[] = [];
  private seq = 0;

  now(): number {
    return this.t;
  }
  wallNow(): number {
    return this.wallBase + this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.push({ id, at: this.t + Math.max(0, ms) + this.jitterMs, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((r) => this.setTimeout(r, ms));
  }
  /** Moves time forward by `ms`, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.timers) if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
  /** Time passes with no timer firing (a blocked event loop). */
  block(ms: number): void {
    this.t += ms;
  }
}

const label = (s: string) => ({ zh: s, en: s });

/** A valid Modbus TCP profile with numeric points p0..p(n-1), plus whatever is overridden. */
export function modbusProfile(over: Partial<Record<string, unknown>> = {}): ModbusProfile {
  const points = Array.from({ length: 3 }, (_, i) => ({
    name: `p${i}`, label: label(`P${i}`), unit: 'm', table: 'holding', address: i, type: 'uint16', range: { min: 0, max: 100 }, writable: i === 0,
  }));
  const raw = {
    format: 'quayside.firmware-profile/1', version: 1, model: 'test-tcp', manufacturer: 'test', kind: 'density-monitor',
    name: label('Test'), description: label('Test device'), transport: { type: 'modbus-tcp' }, pollIntervalMs: 1000,
    points, simulation: { model: 'seawater' }, ...over,
  };
  return firmwareProfileSchema.parse(raw) as ModbusProfile;
}

export function sentenceProfile(over: Partial<Record<string, unknown>> = {}): SentenceProfile {
  const raw = {
    format: 'quayside.firmware-profile/1', version: 1, model: 'test-nmea', manufacturer: 'test', kind: 'queue-terminal',
    name: label('Test'), description: label('Test line device'),
    transport: { type: 'serial-line', serial: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 }, framing: 'nmea0183', silenceTimeoutMs: 1000 },
    sentences: [
      { id: 'QSVAL', direction: 'in', description: label('values'), fields: [{ name: 'v', type: 'number' }] },
      { id: 'QSCMD', direction: 'out', description: label('cmd'), fields: [{ name: 'text', type: 'text' }] },
    ],
    points: [{ name: 'v', label: label('V'), unit: 'm', sentence: 'QSVAL', field: 'v', type: 'number' }],
    commands: [{ name: 'show', label: label('Show'), sentence: 'QSCMD' }],
    simulation: { model: 'queue-terminal' },
    ...over,
  };
  return firmwareProfileSchema.parse(raw) as SentenceProfile;
}

export type LogEntry = { op: 'read' | 'write'; t: number; device: string; point?: string };

/** A polled driver whose reads and writes take virtual time. */
export class FakePolledDriver implements PolledDriver {
  readonly mode = 'polled' as const;
  readDurationMs = 10;
  writeDurationMs = 5;
  /** Value each point reports (default: 42). */
  values = new Map<string, ReadingValue>();
  /** Next readAll samples: this quality/reason for every point. */
  failWith: { reason: PointSample['reason']; detail?: string } | undefined;
  throwWith: Error | undefined;
  writeError: Error | undefined;
  closed = false;
  constructor(
    readonly deviceId: string,
    readonly profile: FirmwareProfile,
    private readonly clock: FakeClock | undefined,
    readonly log: LogEntry[] = [],
  ) {}

  async readAll(): Promise<PointSample[]> {
    this.log.push({ op: 'read', t: this.clock?.now() ?? Date.now(), device: this.deviceId });
    if (this.clock) await this.clock.sleep(this.readDurationMs);
    if (this.throwWith) throw this.throwWith;
    const ts = this.clock?.wallNow() ?? Date.now();
    return this.profile.points.map((p) =>
      this.failWith
        ? { point: p.name, ts, value: null, quality: 'bad' as const, reason: this.failWith.reason!, detail: this.failWith.detail ?? 'fake failure' }
        : { point: p.name, ts, value: this.values.get(p.name) ?? 42, quality: 'good' as const },
    );
  }

  async write(point: string, value: ReadingValue): Promise<WriteResult> {
    this.log.push({ op: 'write', t: this.clock?.now() ?? Date.now(), device: this.deviceId, point });
    if (this.clock) await this.clock.sleep(this.writeDurationMs);
    if (this.writeError) throw this.writeError;
    this.values.set(point, value);
    return { point, confirmed: true, readBack: value };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A streaming driver that a test drives by hand. */
export class FakeStreamingDriver implements StreamingDriver {
  readonly mode = 'streaming' as const;
  handlers: StreamHandlers | undefined;
  startFailures = 0;
  starts = 0;
  writes: { command: string; args: unknown }[] = [];
  constructor(
    readonly deviceId: string,
    readonly profile: FirmwareProfile,
  ) {}
  async start(h: StreamHandlers): Promise<void> {
    this.starts++;
    if (this.startFailures > 0) {
      this.startFailures--;
      throw new Error('port busy');
    }
    this.handlers = h;
  }
  emit(value: number, ts = Date.now()): void {
    this.handlers?.onSamples(this.profile.points.map((p) => ({ point: p.name, ts, value, quality: 'good' as const })));
  }
  async write(command: string, args: ReadingValue | Record<string, ReadingValue>): Promise<WriteResult> {
    this.writes.push({ command, args });
    return { point: command, confirmed: true };
  }
  async close(): Promise<void> {}
}

export function fakeTransport(): ModbusTransport {
  return {
    stats: { requests: 0, timeouts: 0, crcErrors: 0, frameErrors: 0, reconnects: 0 },
    request: () => Promise.reject(new Error('fake transport')),
    close: async () => {},
  };
}

/** Factories that build fake drivers (real clock), remembering what they built. */
export function fakeFactories(): DriverFactories & { polled: Map<string, FakePolledDriver>; streaming: Map<string, FakeStreamingDriver>; buses: string[] } {
  const polled = new Map<string, FakePolledDriver>();
  const streaming = new Map<string, FakeStreamingDriver>();
  const buses: string[] = [];
  return {
    polled,
    streaming,
    buses,
    tcpTransport: () => fakeTransport(),
    rtuTransport: ({ path }) => (buses.push(path), fakeTransport()),
    modbusDriver: ({ deviceId, profile }) => {
      const d = new FakePolledDriver(deviceId, profile, undefined);
      polled.set(deviceId, d);
      return d;
    },
    sentenceDriver: ({ deviceId, profile }) => {
      const d = new FakeStreamingDriver(deviceId, profile);
      streaming.set(deviceId, d);
      return d;
    },
  };
}
