/**
 * The gateway's internal event bus: a typed event map between modules (core → flows, vision → flows,
 * sync → flows…). `emit` is synchronous and isolates its listeners: a listener that throws (or returns
 * a promise that rejects) is logged and counted, and neither the emitter nor the other listeners notice.
 * The core emits on its hot path, so an event nobody listens to costs one map lookup.
 *
 * Listeners must be quick: they run inside the emitter's call (the scheduler's sink, for readings).
 * Anything slow belongs in the listener's own queue or a `setImmediate`.
 */
import type { Logger } from 'pino';
import type { Quality, QualityReason, ReadingValue } from '../shared/contracts/reading.js';

/** One sample of a batch, after the core's quality checks. */
export interface BusSample {
  point: string;
  ts: number;
  value: ReadingValue;
  quality: Quality;
  reason?: QualityReason;
  detail?: string;
}

/** The samples of one poll (or one sentence, or a silence) of one device. */
export interface ReadingBatch {
  device: string;
  kind: 'poll' | 'stream' | 'silence';
  samples: readonly BusSample[];
}

/** An alarm raised or cleared: by a device profile's limits (`source: "profile"`) or by a flow (`"flow:<name>"`). */
export interface AlarmEvent {
  ts: number;
  device: string | null;
  point: string | null;
  action: 'raised' | 'cleared';
  severity: 'info' | 'warning' | 'critical';
  message: { zh: string; en: string };
  value: ReadingValue;
  source: string;
}

/** A non-value event of a streaming device (a queue terminal's key press). */
export interface DeviceEvent {
  device: string;
  name: string;
  ts: number;
  fields: Record<string, ReadingValue>;
}

/** A vision detection, as edge/vision's event sink hands it over (plate, container number, face, draft…). */
export interface VisionDetection {
  id: string;
  ts: number;
  camera: string;
  kind: string;
  value: string | number;
  confidence: number;
  box: readonly number[] | null;
  /** Relative to the data directory. */
  snapshotPath: string;
  snapshotSm3: string;
}

/** A downlink command addressed to flows (`target: "flow:<name>"`). */
export interface FlowCommand {
  id: string;
  /** The name after "flow:". */
  flow: string;
  op: string;
  args: Record<string, unknown>;
  expiresAt: number;
  /** A listener that takes the command calls this once; the dispatcher answers from the count. */
  accept(by: string): void;
}

/** A draft survey changed (created, captured, computed, signed). */
export interface SurveyUpdate {
  id: string;
  case_id: string;
  stage: string;
  status: string;
  ts: number;
}

export interface BusEvents {
  readings: ReadingBatch;
  alarm: AlarmEvent;
  'device.event': DeviceEvent;
  'vision.detection': VisionDetection;
  'flow.command': FlowCommand;
  'survey.update': SurveyUpdate;
}

export type Listener<T> = (payload: T) => void | Promise<void>;

export interface BusStats {
  /** Events emitted, per name. */
  emitted: Record<string, number>;
  /** Listener failures (throws and rejections), per event name. */
  failures: Record<string, number>;
  listeners: Record<string, number>;
}

export class EventBus<E extends { [K in keyof E]: unknown } = BusEvents> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();
  private readonly emitted = new Map<keyof E, number>();
  private readonly failed = new Map<keyof E, number>();
  /** Failures logged per event name in the current minute (the rest are only counted). */
  private readonly logBudget = new Map<keyof E, { minute: number; n: number }>();

  constructor(private readonly log?: Logger) {}

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof E>(name: K, fn: Listener<E[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => {
      set.delete(fn as Listener<never>);
    };
  }

  /** True when someone listens (lets a hot path skip building a payload). */
  has<K extends keyof E>(name: K): boolean {
    return (this.listeners.get(name)?.size ?? 0) > 0;
  }

  /** Calls every listener of `name`; never throws. Returns how many listeners ran without failing synchronously. */
  emit<K extends keyof E>(name: K, payload: E[K]): number {
    const set = this.listeners.get(name);
    this.emitted.set(name, (this.emitted.get(name) ?? 0) + 1);
    if (!set || set.size === 0) return 0;
    let ok = 0;
    for (const fn of [...set]) {
      try {
        const r = (fn as Listener<E[K]>)(payload);
        if (r && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).catch((e: unknown) => this.failure(name, e));
        ok++;
      } catch (e) {
        this.failure(name, e);
      }
    }
    return ok;
  }

  stats(): BusStats {
    const obj = (m: Map<keyof E, number>) => Object.fromEntries([...m].map(([k, v]) => [String(k), v]));
    return {
      emitted: obj(this.emitted),
      failures: obj(this.failed),
      listeners: Object.fromEntries([...this.listeners].map(([k, s]) => [String(k), s.size])),
    };
  }

  private failure(name: keyof E, e: unknown): void {
    this.failed.set(name, (this.failed.get(name) ?? 0) + 1);
    const minute = Math.floor(Date.now() / 60_000);
    const b = this.logBudget.get(name);
    if (!b || b.minute !== minute) this.logBudget.set(name, { minute, n: 1 });
    else if (++b.n > 10) return;
    try {
      this.log?.error({ err: e, event: String(name), failures: this.failed.get(name) }, `bus listener for "${String(name)}" failed (isolated; the emitter carries on)`);
    } catch {
      /* a broken logger must not break the emitter either */
    }
  }
}

/** The gateway's bus. */
export type GatewayBus = EventBus<BusEvents>;
export const createBus = (log?: Logger): GatewayBus => new EventBus<BusEvents>(log);
