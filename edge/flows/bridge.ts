/**
 * The typed bridge between the gateway and the quay nodes. Node-RED node files are CommonJS and stay
 * tiny: each one asks `RED.settings.quayside` (this object, handed over in the runtime settings, never
 * through the Function nodes' global context) and calls one of the methods below.
 *
 * Scope discipline (see guard.ts): whatever the bridge delivers *into* flows runs inside the flows' async
 * scope, so an error a node leaves uncaught is recognised as the flows' and contained; whatever a node
 * asks of the gateway (a write, a record, an alarm) runs *outside* it, so the core's own timers and
 * promises never inherit the flows' tag.
 */
import type { Logger } from 'pino';
import type { ReadingValue } from '../../shared/contracts/reading.js';
import { QuaysideError } from '../../shared/errors.js';
import { isModbusProfile } from '../../shared/profile/schema.js';
import type { GatewayView } from '../api/context.js';
import type { AlarmEvent, DeviceEvent, FlowCommand, GatewayBus, ReadingBatch, SurveyUpdate, VisionDetection } from '../bus.js';
import type { WriteValue } from '../devices/scheduler.js';
import type { FlowGuard } from './guard.js';
import { toRecordItem, type RecordSink } from './records.js';

export interface QuayPointInfo {
  name: string;
  unit: string;
  writable: boolean;
  label: { zh: string; en: string } | null;
}

export interface QuayDeviceInfo {
  id: string;
  kind: string;
  model: string;
  label: string | null;
  enabled: boolean;
  /** Points (Modbus and sentence devices). */
  points: QuayPointInfo[];
  /** Commands a streaming device accepts (e.g. a queue terminal's "display"). */
  commands: string[];
}

export interface QuayReading {
  device: string;
  point: string;
  ts: number;
  value: ReadingValue;
  unit: string;
  quality: 'good' | 'uncertain' | 'bad';
  reason?: string;
  detail?: string;
}

export interface ReadingSelector {
  /** Device ids; empty = every device (of `kind`, when given). */
  devices?: string[];
  kind?: string;
  /** Point names; empty = every point. */
  points?: string[];
  /** "good" drops uncertain and bad samples. */
  quality?: 'good' | 'any';
}

/** The draft-survey service as flows see it (edge/survey/service.ts satisfies it). */
export interface SurveyPort {
  list(limit?: number): unknown[];
  get(id: string): unknown;
  createSession(input: { imo: string; stage: 'initial' | 'intermediate' | 'final'; operator: string; case_id?: string | undefined; note?: string | undefined }): unknown;
}

export interface AlarmInput {
  device?: string | null;
  point?: string | null;
  action?: 'raised' | 'cleared';
  severity?: 'info' | 'warning' | 'critical';
  message: string | { zh?: string; en?: string };
  value?: ReadingValue;
  /** The flow (tab label or node name) raising it: stored as source "flow:<flow>". */
  flow: string;
}

export interface BridgeCounters {
  writes: number;
  writeErrors: number;
  records: number;
  alarms: number;
  commands: number;
}

export interface QuaysideBridge {
  readonly version: 1;
  readonly gateway: { id: string; name: string };
  readonly counters: BridgeCounters;
  devices(): QuayDeviceInfo[];
  /** Device ids matching `device` (an id) or `kind` (every device of that kind). */
  resolve(sel: { device?: string; kind?: string }): string[];
  onReadings(sel: ReadingSelector, fn: (readings: QuayReading[], batch: { device: string; kind: string }) => void): () => void;
  onAlarm(fn: (a: AlarmEvent) => void): () => void;
  onDetection(fn: (d: VisionDetection) => void): () => void;
  onDeviceEvent(fn: (e: DeviceEvent) => void): () => void;
  onSurveyUpdate(fn: (u: SurveyUpdate) => void): () => void;
  /** Takes commands addressed to `flow:<flow>` (only the listed ops, when `ops` is not empty). */
  onCommand(sel: { flow: string; ops?: string[] }, by: string, fn: (c: { id: string; op: string; args: Record<string, unknown>; expiresAt: number; flow: string }) => void): () => void;
  /** Writes a point (or sends a command) through the scheduler; resolves with the result. */
  write(device: string, point: string, value: WriteValue): Promise<{ device: string; point: string; value: WriteValue; confirmed: boolean; readBack: ReadingValue | null }>;
  /** Queues a record for the cloud (store-and-forward); throws EDGE_BAD_REQUEST when it does not fit the schema. */
  uplink(input: { type: unknown; data: unknown; id?: unknown; ts?: unknown }): { id: string; type: string; queue: string; seq: number };
  /** Stores an alarm event (which the sync sends up with the other events) and tells the bus. */
  alarm(input: AlarmInput): { eventId: number; event: AlarmEvent };
  readonly survey: { readonly available: boolean; list(limit?: number): unknown[]; get(id: string): unknown; start(input: { imo: string; stage: 'initial' | 'intermediate' | 'final'; case_id?: string; note?: string }, by: string): unknown };
}

export interface BridgeDeps {
  gateway: { id: string; name: string };
  bus: GatewayBus;
  guard: FlowGuard;
  view: GatewayView;
  records: RecordSink;
  survey?: SurveyPort | undefined;
  log: Logger;
}

const QUALITY_ORDER = { good: 0, uncertain: 1, bad: 2 } as const;

export function createBridge(d: BridgeDeps): QuaysideBridge {
  const { bus, guard, view } = d;
  const counters: BridgeCounters = { writes: 0, writeErrors: 0, records: 0, alarms: 0, commands: 0 };
  /** Runs gateway work outside the flows' async scope. */
  const core = <T>(fn: () => T): T => guard.outside(fn);

  const devices = (): QuayDeviceInfo[] =>
    view.devices().map((v) => {
      const p = v.entry.profile;
      return {
        id: v.entry.id,
        kind: p.kind,
        model: p.model,
        label: v.entry.config.label ?? null,
        enabled: v.entry.config.enabled,
        points: p.points.map((pt) => ({ name: pt.name, unit: pt.unit ?? '', writable: 'writable' in pt ? pt.writable === true : false, label: 'label' in pt && pt.label ? (pt.label as { zh: string; en: string }) : null })),
        commands: isModbusProfile(p) ? [] : p.commands.map((c) => c.name),
      };
    });

  const kindOf = new Map<string, string>();
  const unitCache = new Map<string, string>();
  const kindOfDevice = (id: string): string | undefined => {
    let k = kindOf.get(id);
    if (k === undefined) {
      k = view.device(id)?.entry.profile.kind;
      if (k !== undefined) kindOf.set(id, k);
    }
    return k;
  };
  const unit = (device: string, point: string): string => {
    const key = `${device}\u0000${point}`;
    let u = unitCache.get(key);
    if (u === undefined) {
      const v = view.device(device);
      u = v ? view.unitOf(v.entry.profile, point) : '';
      unitCache.set(key, u);
    }
    return u;
  };

  const resolve = (sel: { device?: string; kind?: string }): string[] => {
    if (sel.device) return view.device(sel.device) ? [sel.device] : [];
    if (sel.kind) return view.devices().filter((v) => v.entry.profile.kind === sel.kind).map((v) => v.entry.id);
    return [];
  };

  const subscribe = <K extends 'alarm' | 'vision.detection' | 'device.event' | 'survey.update'>(name: K, fn: (p: never) => void) =>
    bus.on(name, guard.wrap(`bus:${name}`, fn as (p: unknown) => void));

  return {
    version: 1,
    gateway: d.gateway,
    counters,
    devices,
    resolve,

    onReadings(sel, fn) {
      const ids = sel.devices?.length ? new Set(sel.devices) : undefined;
      const points = sel.points?.length ? new Set(sel.points) : undefined;
      const goodOnly = (sel.quality ?? 'good') === 'good';
      const deliver = guard.wrap('bus:readings', fn);
      return bus.on('readings', (b: ReadingBatch) => {
        if (ids && !ids.has(b.device)) return;
        if (!ids && sel.kind && kindOfDevice(b.device) !== sel.kind) return;
        const out: QuayReading[] = [];
        for (const s of b.samples) {
          if (points && !points.has(s.point)) continue;
          if (goodOnly && QUALITY_ORDER[s.quality] > 0) continue;
          const r: QuayReading = { device: b.device, point: s.point, ts: s.ts, value: s.value, unit: unit(b.device, s.point), quality: s.quality };
          if (s.reason !== undefined) r.reason = s.reason;
          if (s.detail !== undefined) r.detail = s.detail;
          out.push(r);
        }
        if (out.length) deliver(out, { device: b.device, kind: b.kind });
      });
    },

    onAlarm: (fn) => subscribe('alarm', fn as (p: never) => void),
    onDetection: (fn) => subscribe('vision.detection', fn as (p: never) => void),
    onDeviceEvent: (fn) => subscribe('device.event', fn as (p: never) => void),
    onSurveyUpdate: (fn) => subscribe('survey.update', fn as (p: never) => void),

    onCommand(sel, by, fn) {
      const deliver = guard.wrap('bus:flow.command', fn);
      const ops = sel.ops?.length ? new Set(sel.ops) : undefined;
      return bus.on('flow.command', (c: FlowCommand) => {
        if (c.flow !== sel.flow || (ops && !ops.has(c.op))) return;
        c.accept(by);
        counters.commands++;
        deliver({ id: c.id, op: c.op, args: c.args, expiresAt: c.expiresAt, flow: c.flow });
      });
    },

    async write(device, point, value) {
      const v = view.device(device);
      if (!v) throw new QuaysideError('EDGE_DEVICE_NOT_FOUND', `"${device}"`);
      try {
        const r = await core(() => view.write(device, point, value));
        counters.writes++;
        return { device, point, value, confirmed: r.confirmed, readBack: r.readBack ?? null };
      } catch (e) {
        counters.writeErrors++;
        throw e;
      }
    },

    uplink(input) {
      const item = toRecordItem(input);
      const where = core(() => d.records.enqueue(item));
      counters.records++;
      return { id: item.id, type: item.type, queue: where.queue, seq: where.seq };
    },

    alarm(input) {
      const message = typeof input.message === 'string' ? { zh: input.message, en: input.message } : { zh: input.message.zh ?? input.message.en ?? '', en: input.message.en ?? input.message.zh ?? '' };
      if (!message.en) throw new QuaysideError('EDGE_BAD_REQUEST', 'an alarm needs a message');
      const action = input.action ?? 'raised';
      const event: AlarmEvent = {
        ts: Date.now(),
        device: input.device ?? null,
        point: input.point ?? null,
        action,
        severity: input.severity ?? 'warning',
        message: { zh: message.zh.slice(0, 200), en: message.en.slice(0, 200) },
        value: input.value ?? null,
        source: `flow:${input.flow}`.slice(0, 100),
      };
      const eventId = core(() => {
        const id = view.store.addEvent({
          ts: event.ts,
          ...(event.device ? { device: event.device } : {}),
          kind: 'alarm',
          severity: action === 'raised' ? event.severity : 'info',
          ...(event.point ? { point: event.point } : {}),
          message: `${action}: ${event.message.en}`,
          data: { action, source: event.source, value: event.value, message: event.message },
        });
        bus.emit('alarm', event);
        return id;
      });
      counters.alarms++;
      return { eventId, event };
    },

    survey: {
      available: d.survey !== undefined,
      list(limit) {
        if (!d.survey) return [];
        return core(() => d.survey!.list(limit));
      },
      get(id) {
        if (!d.survey) throw new QuaysideError('EDGE_FLOWS_UNAVAILABLE', 'the survey service is not running on this gateway');
        return core(() => d.survey!.get(id));
      },
      start(input, by) {
        if (!d.survey) throw new QuaysideError('EDGE_FLOWS_UNAVAILABLE', 'the survey service is not running on this gateway');
        return core(() => d.survey!.createSession({ imo: input.imo, stage: input.stage, operator: by, ...(input.case_id ? { case_id: input.case_id } : {}), ...(input.note ? { note: input.note } : {}) }));
      },
    },
  };
}
