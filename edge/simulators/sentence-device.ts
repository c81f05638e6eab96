/**
 * A simulated line-protocol device on one end of a serial line (usually a socat PTY):
 * - every `periodS` (instance param, else the profile's simulation.periodS, else 1 s) it sends each
 *   input sentence that carries points, fields filled from the world through the profile's bindings
 *   (raw = (value − offset) / scale, with the point's decimals);
 * - event sentences (input sentences without points that no command waits for, e.g. QSBTN) follow
 *   the model's events (queue-terminal key presses);
 * - it answers each output sentence a command sends (QSDSP) with the command's ack (QSACK), echoing
 *   the fields they share (`ref`) and `status` ok — or `err` when the fields are invalid; a sentence
 *   with a bad checksum is ignored, like a real terminal would;
 * - faults (the control API's FaultState): `crc` → every 2nd sentence has a wrong checksum,
 *   `garbage` → random bytes before every 2nd sentence, `shortFrame` → every 2nd sentence cut off
 *   (no line end), `timeout` → silence (nothing sent, nothing answered), `stuck` → values freeze,
 *   `delayMs` → sentences and answers go out late. Good sentences keep flowing between bad ones.
 */
import type { Logger } from 'pino';
import type { ReadingValue } from '../../shared/contracts/reading.js';
import type { SentenceDef, SentenceProfile } from '../../shared/profile/schema.js';
import { LineSplitter } from '../devices/serial-line/line-splitter.js';
import { openSerialLinePort, type LinePort, type OpenLinePort } from '../devices/serial-line/port.js';
import { decodeSentence, encodeSentence, formatNumber, parseFrame } from '../devices/serial-line/sentence.js';
import type { FaultState } from './modbus/types.js';
import { num, type Params } from './physics/params.js';
import { createQueue, queueParams, type Press, type QueueModel } from './physics/queue.js';
import type { SimDeviceCommon, SimDeviceOptions } from './device.js';
import { checkBindings, mergedParams, type Signals } from './world.js';

export interface DisplayState {
  ts: number;
  fields: Record<string, ReadingValue>;
}

export interface SentenceSimStats {
  sent: number;
  corrupted: number;
  events: number;
  received: number;
  acked: number;
  rejected: number;
  /** Sentences dropped because the line was still busy with the previous write (nobody reading). */
  dropped: number;
}

export interface SentenceSimDevice extends SimDeviceCommon {
  readonly kind: 'sentence';
  readonly profile: SentenceProfile;
  readonly path: string;
  readonly stats: SentenceSimStats;
  /** The last output sentence received per id (e.g. what QSDSP put on the terminal's display). */
  readonly lastReceived: Readonly<Record<string, DisplayState>>;
  /** Presses a key now (queue terminals); returns the press sent. */
  press(button?: string): Promise<Press>;
  /** Emits the periodic sentences now (tests). */
  tick(): Promise<void>;
}

const ACK_OK_TOKENS = ['ok', 'ack', 'a', 'done', '0'];

export async function createSentenceSimDevice(
  opts: SimDeviceOptions & { profile: SentenceProfile; path: string; openPort?: OpenLinePort; logger?: Logger },
): Promise<SentenceSimDevice> {
  const { id, profile, world } = opts;
  checkBindings(profile);
  const params = mergedParams(profile, opts.params);
  const source = world.source(profile.simulation.model, params, id);
  const log = opts.logger?.child({ device: id });
  const periodMs = Math.max(20, 1000 * num(params, 'periodS', profile.simulation.periodS ?? 1));

  const inDefs = profile.sentences.filter((s) => s.direction === 'in');
  const outDefs = new Map(profile.sentences.filter((s) => s.direction === 'out').map((s) => [s.id, s]));
  const ackIds = new Set(profile.commands.flatMap((c) => (c.ackSentence ? [c.ackSentence] : [])));
  const pointSentences = inDefs.filter((s) => profile.points.some((p) => p.sentence === s.id));
  const eventSentences = inDefs.filter((s) => !pointSentences.includes(s) && !ackIds.has(s.id));

  const queue: QueueModel | undefined =
    profile.simulation.model === 'queue-terminal'
      ? createQueue(
          queueParams(params),
          eventSentences.flatMap((s) => s.fields.filter((f) => f.name === 'button').flatMap((f) => f.values ?? [])),
          world.seed,
          id,
          world.now(),
        )
      : undefined;

  let faults: FaultState = {};
  let counter = 0;
  let frozen: Map<string, string[]> | undefined;
  const lastFields = new Map<string, string[]>();
  const lastReceived: Record<string, DisplayState> = {};
  const stats: SentenceSimStats = { sent: 0, corrupted: 0, events: 0, received: 0, acked: 0, rejected: 0, dropped: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const port: LinePort = await (opts.openPort ?? openSerialLinePort)(opts.path, profile.transport.serial);
  port.onClose((err) => log?.warn({ err: err?.message }, 'simulated device: port closed'));

  // --- sending ---------------------------------------------------------------------------------

  // Like a UART with nobody listening: once the line cannot take more (the gateway has not opened
  // its end and the PTY buffers are full), output is dropped rather than queued without bound.
  const MAX_PENDING_BYTES = 4096;
  let pendingBytes = 0;
  const send = async (bytes: Buffer, sentences: number): Promise<void> => {
    if (closed) return;
    const delay = faults.delayMs ?? 0;
    if (delay > 0) {
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          timers.delete(t);
          r();
        }, delay);
        timers.add(t);
      });
    }
    if (closed) return;
    if (pendingBytes + bytes.length > MAX_PENDING_BYTES) {
      stats.dropped += sentences;
      return;
    }
    stats.sent += sentences;
    pendingBytes += bytes.length;
    try {
      await port.write(bytes);
    } catch (e) {
      log?.warn({ err: (e as Error).message }, 'simulated device: write failed');
    } finally {
      pendingBytes -= bytes.length;
    }
  };

  /** Applies the line faults to one sentence (every 2nd sentence is hit, so good ones keep flowing). */
  const withFaults = (sentence: Buffer): Buffer => {
    counter++;
    if (counter % 2 !== 0) return sentence;
    if (faults.crc) {
      stats.corrupted++;
      const out = Buffer.from(sentence);
      const i = out.length - 3; // second hex digit of the checksum
      out[i] = out[i] === 0x30 ? 0x31 : 0x30;
      return out;
    }
    if (faults.shortFrame) {
      stats.corrupted++;
      return sentence.subarray(0, Math.max(2, Math.floor(sentence.length / 2)));
    }
    if (faults.garbage) {
      stats.corrupted++;
      const g = Buffer.allocUnsafe(5 + Math.floor(Math.random() * 20));
      for (let i = 0; i < g.length; i++) {
        let b = Math.floor(Math.random() * 256);
        if (b === 0x24 || b === 0x0d || b === 0x0a) b = 0x3f;
        g[i] = b;
      }
      return Buffer.concat([g, sentence]);
    }
    return sentence;
  };

  const fieldsFor = (def: SentenceDef, sig: Signals): string[] =>
    def.fields.map((f) => {
      const point = profile.points.find((p) => p.sentence === def.id && p.field === f.name);
      let v: number | undefined;
      let decimals: number | undefined;
      if (point) {
        const binding = profile.simulation.bindings[point.name];
        const raw = binding !== undefined ? sig[binding] : (sig[point.name] ?? sig[f.name]);
        if (raw !== undefined) v = (raw - point.offset) / point.scale;
        decimals = point.decimals;
      } else {
        v = sig[f.name];
      }
      if (f.type === 'enum') return f.values?.[0] ?? '';
      if (f.type === 'text') return v === undefined ? '' : String(v);
      if (v === undefined || !Number.isFinite(v)) return '';
      if (f.type === 'integer') return String(Math.round(v));
      return decimals !== undefined ? v.toFixed(decimals) : formatNumber(Number(v.toFixed(3)));
    });

  const tick = async (): Promise<void> => {
    if (closed || faults.timeout) return;
    const t = world.now();
    const sig = faults.stuck ? undefined : source.signals(t);
    if (!faults.stuck) frozen = undefined;
    else frozen ??= new Map(lastFields);
    const out: Buffer[] = [];
    for (const def of pointSentences) {
      const fields = sig ? fieldsFor(def, sig) : (frozen?.get(def.id) ?? lastFields.get(def.id));
      if (!fields) continue;
      lastFields.set(def.id, fields);
      out.push(withFaults(encodeSentence(def.id, fields)));
    }
    if (!out.length) return;
    await send(Buffer.concat(out), out.length);
  };

  const pressFields = (def: SentenceDef, p: Press): string[] =>
    def.fields.map((f) => {
      const v = (p as unknown as Record<string, unknown>)[f.name];
      if (v === undefined) return f.type === 'enum' ? (f.values?.[0] ?? '') : f.type === 'text' ? '' : '0';
      return String(v);
    });

  const emitPresses = async (presses: Press[]): Promise<void> => {
    const def = eventSentences[0];
    if (!def || !presses.length || faults.timeout) return;
    const out = presses.map((p) => withFaults(encodeSentence(def.id, pressFields(def, p))));
    stats.events += presses.length;
    await send(Buffer.concat(out), out.length);
  };

  // --- receiving ---------------------------------------------------------------------------------

  const answer = async (line: Buffer): Promise<void> => {
    const frame = parseFrame(line);
    if (!frame.ok) {
      stats.rejected++;
      return; // bad checksum or framing: a terminal ignores it
    }
    const def = outDefs.get(frame.frame.id);
    const cmd = profile.commands.find((c) => c.sentence === frame.frame.id);
    const ackDef = cmd?.ackSentence ? inDefs.find((s) => s.id === cmd.ackSentence) : undefined;
    const decoded = def ? decodeSentence(line, outDefs) : undefined;
    let ok = false;
    const raw: Record<string, string> = {};
    if (def) def.fields.forEach((f, i) => (raw[f.name] = frame.frame.fields[i] ?? ''));
    if (decoded?.ok) {
      ok = true;
      stats.received++;
      lastReceived[decoded.sentence.id] = { ts: world.now(), fields: decoded.sentence.fields };
    } else {
      stats.rejected++;
    }
    if (!ackDef || faults.timeout) return;
    const fields = ackDef.fields.map((f) => {
      if (f.name === 'status') {
        const vals = f.values ?? ['ok', 'err'];
        const good = vals.find((v) => ACK_OK_TOKENS.includes(v.toLowerCase())) ?? vals[0] ?? 'ok';
        const bad = vals.find((v) => v !== good) ?? good;
        return ok ? good : bad;
      }
      const echo = raw[f.name];
      if (echo !== undefined && !/[$*,\r\n]/.test(echo)) return echo;
      return f.type === 'enum' ? (f.values?.[0] ?? '') : f.type === 'text' ? '' : '0';
    });
    stats.acked++;
    await send(withFaults(encodeSentence(ackDef.id, fields)), 1);
  };

  const guard = (what: string, p: Promise<void>): void => {
    p.catch((e: unknown) => log?.error({ err: (e as Error).message }, `simulated device: ${what} failed`));
  };
  const splitter = new LineSplitter({ onLine: (line) => guard('answer', answer(line)) });
  port.onData((chunk) => splitter.push(chunk));

  // --- timers --------------------------------------------------------------------------------------

  if (pointSentences.length) {
    const t = setInterval(() => guard('tick', tick()), periodMs);
    timers.add(t);
  }
  if (queue && eventSentences.length) {
    const t = setInterval(() => guard('key press', emitPresses(queue.pressesUntil(world.now()))), Math.min(250, periodMs));
    timers.add(t);
  }

  return {
    kind: 'sentence',
    id,
    profile,
    params,
    path: opts.path,
    stats,
    lastReceived,
    faults: () => faults,
    setFaults(f) {
      faults = { ...f };
    },
    clearFaults() {
      faults = {};
    },
    values() {
      const out: Record<string, ReadingValue> = {};
      const sig = source.signals(world.now());
      for (const def of pointSentences) {
        const fields = faults.stuck ? (lastFields.get(def.id) ?? fieldsFor(def, sig)) : fieldsFor(def, sig);
        for (const p of profile.points.filter((q) => q.sentence === def.id)) {
          const i = def.fields.findIndex((f) => f.name === p.field);
          const tok = fields[i] ?? '';
          out[p.name] = p.type === 'text' || p.type === 'enum' ? tok : tok === '' ? null : Number(tok) * p.scale + p.offset;
        }
      }
      return out;
    },
    async press(button) {
      if (!queue) throw new Error(`${id} has no keys (model ${profile.simulation.model})`);
      const p = queue.press(world.now(), button);
      await emitPresses([p]);
      return p;
    },
    tick,
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) {
        clearInterval(t);
        clearTimeout(t);
      }
      splitter.flush();
      await port.close();
    },
  };
}
