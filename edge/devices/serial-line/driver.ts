/**
 * Streaming driver for line-protocol devices (NMEA-0183-style sentences over a serial line), driven
 * by a sentence profile:
 * - input sentences carrying points become PointSamples (raw × scale + offset, range → bad out_of_range);
 * - other input sentences (key presses, acks nobody waits for) become events;
 * - rejected frames (checksum, malformed, garbage, truncated, overlong) go to `onRejected` and are
 *   counted, never fatal; good sentences keep flowing around them;
 * - a sentence that stops arriving for `silenceTimeoutMs` marks its points bad/stale, once per silence;
 * - a port that closes by itself is reopened with exponential backoff; its points go bad/disconnected;
 * - `write(command, args)` sends the command's output sentence and, when the profile names an
 *   `ackSentence`, waits for it (fields shared by the command and its ack, e.g. `ref`, must echo;
 *   the driver fills them in when the caller leaves them out).
 */
import type { Logger } from 'pino';
import type { QualityReason, ReadingValue } from '../../../shared/contracts/reading.js';
import { QuaysideError } from '../../../shared/errors.js';
import {
  isModbusProfile,
  type FirmwareProfile,
  type SentenceCommand,
  type SentenceDef,
  type SentencePoint,
  type SentenceProfile,
} from '../../../shared/profile/schema.js';
import type { PointSample, StreamHandlers, StreamingDriver, WriteResult } from '../types.js';
import { LineSplitter, type SplitterDrop } from './line-splitter.js';
import { openSerialLinePort, type LinePort, type OpenLinePort } from './port.js';
import { decodeSentence, encodeFields, encodeSentence, type DecodedSentence } from './sentence.js';

export interface SentenceDriverOptions {
  deviceId: string;
  profile: FirmwareProfile;
  /** Serial device or PTY path (a stable symlink works: it is resolved again on every reopen). */
  path: string;
  logger?: Logger;
  /** Opens the port; defaults to `serialport`. */
  openPort?: OpenLinePort;
  /** Overrides the profile's transport.silenceTimeoutMs. */
  silenceTimeoutMs?: number;
  /** Reopen backoff: first delay and ceiling (ms). Defaults 250 / 5000. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  now?: () => number;
}

export interface SentenceDriverStats {
  sentences: number;
  samples: number;
  events: number;
  rejected: { crc: number; frame: number };
  garbageBytes: number;
  silences: number;
  opens: number;
  disconnects: number;
  writes: number;
  acks: number;
}

export interface SentenceDriver extends StreamingDriver {
  readonly profile: SentenceProfile;
  readonly stats: SentenceDriverStats;
  /** True while the port is open. */
  readonly connected: boolean;
}

/** Ack status tokens that mean success (case-insensitive). */
const ACK_OK = new Set(['ok', 'ack', 'a', 'done', '0']);

interface PendingAck {
  ackId: string;
  match: Record<string, string>;
  command: string;
  resolve(r: WriteResult): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export function createSentenceDriver(opts: SentenceDriverOptions): SentenceDriver {
  if (isModbusProfile(opts.profile)) {
    throw new QuaysideError('PROFILE_INVALID', `${opts.profile.model} is a Modbus profile; the sentence driver needs a serial-line profile`);
  }
  return new SentenceDriverImpl(opts, opts.profile);
}

class SentenceDriverImpl implements SentenceDriver {
  readonly mode = 'streaming' as const;
  readonly deviceId: string;
  readonly stats: SentenceDriverStats = {
    sentences: 0,
    samples: 0,
    events: 0,
    rejected: { crc: 0, frame: 0 },
    garbageBytes: 0,
    silences: 0,
    opens: 0,
    disconnects: 0,
    writes: 0,
    acks: 0,
  };

  private readonly inDefs: Map<string, SentenceDef>;
  private readonly outDefs: Map<string, SentenceDef>;
  private readonly pointsBySentence = new Map<string, SentencePoint[]>();
  private readonly ackIds: Set<string>;
  private readonly silenceMs: number;
  private readonly now: () => number;
  private readonly openPort: OpenLinePort;
  private readonly log: Logger | undefined;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;

  private handlers: StreamHandlers | undefined;
  private port: LinePort | undefined;
  private splitter: LineSplitter;
  private closed = false;
  private started = false;
  private backoff: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  /** Per point-carrying sentence: when it last arrived and whether its silence was reported. */
  private readonly lastSeen = new Map<string, { ts: number; silent: boolean }>();
  private downReported = false;
  private pending: PendingAck[] = [];
  private refSeq = 0;
  private readonly refBase = Date.now().toString(36).slice(-4);

  constructor(
    private readonly opts: SentenceDriverOptions,
    readonly profile: SentenceProfile,
  ) {
    this.deviceId = opts.deviceId;
    this.now = opts.now ?? Date.now;
    this.openPort = opts.openPort ?? openSerialLinePort;
    this.log = opts.logger?.child({ device: opts.deviceId, driver: 'serial-line' });
    this.silenceMs = opts.silenceTimeoutMs ?? profile.transport.silenceTimeoutMs;
    this.minBackoff = opts.reconnectMinMs ?? 250;
    this.maxBackoff = opts.reconnectMaxMs ?? 5000;
    this.backoff = this.minBackoff;
    this.inDefs = new Map(profile.sentences.filter((s) => s.direction === 'in').map((s) => [s.id, s]));
    this.outDefs = new Map(profile.sentences.filter((s) => s.direction === 'out').map((s) => [s.id, s]));
    for (const p of profile.points) {
      const list = this.pointsBySentence.get(p.sentence) ?? [];
      list.push(p);
      this.pointsBySentence.set(p.sentence, list);
    }
    this.ackIds = new Set(profile.commands.flatMap((c) => (c.ackSentence ? [c.ackSentence] : [])));
    this.splitter = this.newSplitter();
  }

  get connected(): boolean {
    return this.port !== undefined;
  }

  async start(handlers: StreamHandlers): Promise<void> {
    if (this.started) throw new Error(`driver ${this.deviceId} already started`);
    if (this.closed) throw new Error(`driver ${this.deviceId} is closed`);
    this.started = true;
    this.handlers = handlers;
    if (this.pointsBySentence.size > 0) {
      const every = Math.max(20, Math.min(1000, Math.floor(this.silenceMs / 5)));
      this.silenceTimer = setInterval(() => this.checkSilence(), every);
      this.silenceTimer.unref();
    }
    await this.connect();
  }

  async write(command: string, args: ReadingValue | Record<string, ReadingValue>): Promise<WriteResult> {
    const cmd = this.profile.commands.find((c) => c.name === command);
    if (!cmd) throw new QuaysideError('EDGE_POINT_NOT_FOUND', `${this.deviceId} has no command "${command}"`);
    const def = this.outDefs.get(cmd.sentence);
    if (!def) throw new QuaysideError('PROFILE_INVALID', `command "${command}" sends unknown output sentence "${cmd.sentence}"`);
    const ackDef = cmd.ackSentence ? this.inDefs.get(cmd.ackSentence) : undefined;
    const values = this.fillArgs(def, ackDef, args);
    const bytes = encodeSentence(def.id, encodeFields(def, values)); // throws EDGE_SENTENCE_MALFORMED
    const port = this.port;
    if (!port) throw new QuaysideError('EDGE_SERIAL_OPEN', `${this.opts.path} is not open (reconnecting)`);
    this.stats.writes++;
    if (!ackDef || !cmd.ackSentence) {
      await port.write(bytes);
      return { point: command, confirmed: false };
    }
    const match: Record<string, string> = {};
    for (const f of ackDef.fields) {
      if (f.name !== 'status' && def.fields.some((o) => o.name === f.name)) match[f.name] = String(values[f.name] ?? '');
    }
    const result = this.awaitAck(cmd, ackDef.id, match);
    try {
      await port.write(bytes);
    } catch (e) {
      this.dropPending(match, e as Error);
      throw e;
    }
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.silenceTimer);
    clearTimeout(this.reconnectTimer);
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(new QuaysideError('EDGE_WRITE_NOT_CONFIRMED', 'driver closed before the ack arrived'));
    }
    const port = this.port;
    this.port = undefined;
    await port?.close();
  }

  // --- connection -------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    if (this.closed) return;
    try {
      const port = await this.openPort(this.opts.path, this.profile.transport.serial);
      if (this.closed) {
        await port.close();
        return;
      }
      this.port = port;
      this.stats.opens++;
      this.backoff = this.minBackoff;
      this.splitter = this.newSplitter();
      const t = this.now();
      for (const id of this.pointsBySentence.keys()) this.lastSeen.set(id, { ts: t, silent: false });
      port.onData((chunk) => this.splitter.push(chunk));
      port.onClose((err) => this.lost(err?.message ?? 'port closed'));
      if (this.downReported) this.log?.info({ path: this.opts.path }, 'serial line reopened');
      else this.log?.debug({ path: this.opts.path }, 'serial line open');
      this.downReported = false;
    } catch (e) {
      this.reportDown(e instanceof Error ? e.message : String(e));
      this.scheduleReconnect();
    }
  }

  private lost(why: string): void {
    if (this.closed) return;
    this.port = undefined;
    this.splitter.flush();
    this.stats.disconnects++;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(new QuaysideError('EDGE_WRITE_NOT_CONFIRMED', `port closed before the ${p.ackId} ack arrived`));
    }
    this.reportDown(why);
    this.scheduleReconnect();
  }

  private reportDown(why: string): void {
    if (this.downReported) return;
    this.downReported = true;
    this.log?.warn({ path: this.opts.path, err: why }, 'serial line down; reopening with backoff');
    this.emitAll('disconnected', `${this.opts.path}: ${why}`.slice(0, 200));
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    clearTimeout(this.reconnectTimer);
    const delay = this.backoff;
    this.backoff = Math.min(this.maxBackoff, this.backoff * 2);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  // --- incoming ------------------------------------------------------------------------------------

  private newSplitter(): LineSplitter {
    return new LineSplitter({ onLine: (line) => this.onLine(line), onDrop: (d) => this.onDrop(d) });
  }

  private onDrop(d: SplitterDrop): void {
    if (d.kind === 'garbage') this.stats.garbageBytes += d.bytes;
    const detail =
      d.kind === 'garbage'
        ? `${d.bytes} garbage bytes between sentences dropped`
        : d.kind === 'truncated'
          ? `truncated sentence (${d.bytes} bytes, no line end before the next "$") dropped`
          : `sentence longer than the line limit (${d.bytes} bytes) dropped`;
    this.reject('frame', `EDGE_SENTENCE_MALFORMED: ${detail}`);
  }

  private reject(reason: QualityReason, detail: string): void {
    if (reason === 'crc') this.stats.rejected.crc++;
    else this.stats.rejected.frame++;
    this.log?.debug({ reason, detail }, 'sentence rejected');
    this.safe(() => this.handlers?.onRejected(reason, detail));
  }

  private onLine(line: Buffer): void {
    const r = decodeSentence(line, this.inDefs);
    if (!r.ok) return this.reject(r.reason, `${r.code}: ${r.detail}`);
    const s = r.sentence;
    const ts = this.now();
    this.stats.sentences++;
    const points = this.pointsBySentence.get(s.id);
    if (points) {
      const seen = this.lastSeen.get(s.id);
      if (seen) {
        seen.ts = ts;
        seen.silent = false;
      }
      const samples = points.map((p) => toSample(p, s, ts));
      this.stats.samples += samples.length;
      this.safe(() => this.handlers?.onSamples(samples));
      return;
    }
    if (this.ackIds.has(s.id) && this.settleAck(s)) return;
    this.stats.events++;
    this.safe(() => this.handlers?.onEvent?.({ name: s.id, ts, fields: s.fields }));
  }

  private checkSilence(): void {
    if (!this.port) return; // a closed port is reported as disconnected, not stale
    const t = this.now();
    const stale: string[] = [];
    for (const [id, seen] of this.lastSeen) {
      if (!seen.silent && t - seen.ts > this.silenceMs) {
        seen.silent = true;
        stale.push(id);
      }
    }
    if (!stale.length) return;
    this.stats.silences++;
    const samples: PointSample[] = [];
    for (const id of stale) {
      for (const p of this.pointsBySentence.get(id) ?? []) {
        samples.push({ point: p.name, ts: t, value: null, quality: 'bad', reason: 'stale', detail: `no ${id} sentence for ${this.silenceMs} ms` });
      }
    }
    this.log?.warn({ sentences: stale }, 'device silent');
    this.stats.samples += samples.length;
    this.safe(() => this.handlers?.onSamples(samples));
  }

  private emitAll(reason: QualityReason, detail: string): void {
    if (!this.handlers || !this.profile.points.length) return;
    const ts = this.now();
    const samples = this.profile.points.map((p): PointSample => ({ point: p.name, ts, value: null, quality: 'bad', reason, detail }));
    this.stats.samples += samples.length;
    this.safe(() => this.handlers?.onSamples(samples));
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log?.error({ err: e }, 'stream handler threw');
    }
  }

  // --- commands ------------------------------------------------------------------------------------

  private fillArgs(def: SentenceDef, ackDef: SentenceDef | undefined, args: ReadingValue | Record<string, ReadingValue>): Record<string, ReadingValue> {
    const correlated = new Set(ackDef ? ackDef.fields.filter((f) => f.name !== 'status' && def.fields.some((o) => o.name === f.name)).map((f) => f.name) : []);
    let values: Record<string, ReadingValue>;
    if (args !== null && typeof args === 'object') {
      values = { ...args };
    } else {
      const open = def.fields.filter((f) => !correlated.has(f.name));
      if (open.length !== 1) {
        throw new QuaysideError('EDGE_SENTENCE_MALFORMED', `${def.id} needs named arguments (${def.fields.map((f) => f.name).join(', ')})`);
      }
      values = { [open[0]!.name]: args };
    }
    for (const name of correlated) {
      if (values[name] !== undefined && values[name] !== null) continue;
      const f = def.fields.find((x) => x.name === name)!;
      this.refSeq = (this.refSeq + 1) % 1_000_000;
      values[name] = f.type === 'integer' || f.type === 'number' ? this.refSeq : `${this.refBase}${this.refSeq.toString(36)}`.slice(-(f.maxLength ?? 16));
    }
    return values;
  }

  private awaitAck(cmd: SentenceCommand, ackId: string, match: Record<string, string>): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      const entry: PendingAck = {
        ackId,
        match,
        command: cmd.name,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.pending = this.pending.filter((p) => p !== entry);
          reject(new QuaysideError('EDGE_WRITE_NOT_CONFIRMED', `no ${ackId} ack within ${cmd.ackTimeoutMs} ms`));
        }, cmd.ackTimeoutMs),
      };
      this.pending.push(entry);
    });
  }

  private dropPending(match: Record<string, string>, err: Error): void {
    const i = this.pending.findIndex((p) => p.match === match);
    if (i < 0) return;
    const [p] = this.pending.splice(i, 1);
    clearTimeout(p!.timer);
    p!.reject(err);
  }

  /** Resolves the oldest write this ack answers; false when it answers none (then it is an event). */
  private settleAck(s: DecodedSentence): boolean {
    const i = this.pending.findIndex(
      (p) => p.ackId === s.id && Object.entries(p.match).every(([k, v]) => String(s.fields[k] ?? '') === v),
    );
    if (i < 0) return false;
    const [p] = this.pending.splice(i, 1);
    clearTimeout(p!.timer);
    this.stats.acks++;
    const status = s.fields.status;
    if (status !== undefined && status !== null && !ACK_OK.has(String(status).toLowerCase())) {
      p!.reject(new QuaysideError('EDGE_WRITE_NOT_CONFIRMED', `${s.id} answered status "${String(status)}"`));
    } else {
      p!.resolve({ point: p!.command, confirmed: true, ...(status !== undefined ? { readBack: status } : {}) });
    }
    return true;
  }
}

/** One point's sample from a decoded sentence: raw × scale + offset, then the range check. */
export function toSample(p: SentencePoint, s: DecodedSentence, ts: number): PointSample {
  const raw = s.fields[p.field];
  if (raw === null || raw === undefined) {
    return { point: p.name, ts, value: null, quality: 'bad', reason: 'decode', detail: `${s.id}.${p.field} is empty` };
  }
  if (p.type === 'text' || p.type === 'enum') return { point: p.name, ts, value: String(raw), quality: 'good' };
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(n)) {
    return { point: p.name, ts, value: null, quality: 'bad', reason: 'decode', detail: `${s.id}.${p.field} is not a number` };
  }
  const scaled = p.scale === 1 && p.offset === 0 ? n : Number((n * p.scale + p.offset).toPrecision(12));
  const value = p.type === 'integer' && p.scale === 1 && p.offset === 0 ? Math.trunc(scaled) : scaled;
  if (p.range && (value < p.range.min || value > p.range.max)) {
    return { point: p.name, ts, value, quality: 'bad', reason: 'out_of_range', detail: `${value} outside ${p.range.min}..${p.range.max}` };
  }
  return { point: p.name, ts, value, quality: 'good' };
}
