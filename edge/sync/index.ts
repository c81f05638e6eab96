/**
 * Sync to the cloud, assembled: credentials (config, stored, or enrolment) → MQTT link → sync loop over
 * the outbox, command handler, retention. `startSync` never waits for the network and never throws for
 * it: the gateway keeps storing while the cloud is away, and the module reports its state instead
 * (fail softly, visibly).
 */
import fs from 'node:fs';
import type { Logger } from 'pino';
import { eventItemSchema, recordItemSchema, surveyItemSchema, MAX_ENVELOPE_BYTES, type RecordItem } from '../../shared/contracts/envelope.js';
import { toGatewayId, type EnvelopeKind, type GatewayId } from '../../shared/contracts/topics.js';
import { isQuaysideError } from '../../shared/errors.js';
import type { GatewayCloudConfig } from '../config/schema.js';
import { CommandStore } from '../store/commands.js';
import { Outbox } from '../store/outbox.js';
import type { EdgeStore } from '../store/store.js';
import { envelopeOverhead, pack, type UnitLookup } from './batch.js';
import { CommandHandler, type CommandTargets } from './commands.js';
import { EnrolUnreachable, enrol, readCredentials } from './enrol.js';
import { SyncLoop, type SyncLink } from './loop.js';
import { Retention } from './retention.js';
import { Uplink } from './uplink.js';

export { renderSyncMetrics } from './metrics.js';
export type { CommandTargets } from './commands.js';

export type SyncState = 'starting' | 'enrolling' | 'connecting' | 'online' | 'offline' | 'error';

export interface SyncOptions {
  store: EdgeStore;
  gatewayId: string;
  dataDir: string;
  cloud: GatewayCloudConfig;
  /** store.retentionDays: acknowledged data older than this is pruned. */
  retentionDays: number;
  unitFor: UnitLookup;
  /** What commands may act on; without it every command is answered rejected. */
  targets?: CommandTargets;
  /** A child logger per part: forModule('sync'), … */
  logFor(part: string): Logger;
  version?: string;
  /** Periodic loop tick (default 250 ms). */
  tickMs?: number;
}

export interface SyncMetrics {
  state: SyncState;
  error: string | null;
  connected: boolean;
  /** Readings the cloud has not committed (in open outbox rows plus not yet in any row). */
  backlogReadings: number;
  openBatches: number;
  unbatchedReadings: number;
  /** Age of the oldest reading the cloud has not committed, ms (0 when none). */
  oldestUnackedAgeMs: number;
  inFlight: number;
  inFlightLive: number;
  usedBytes: number;
  budgetBytes: number;
  loop: SyncLoop['counters'];
  link: Uplink['counters'] | null;
  commands: CommandHandler['counters'];
  retention: Retention['counters'];
}

export interface RunningSync {
  readonly gw: GatewayId;
  readonly outbox: Outbox;
  readonly loop: SyncLoop;
  readonly commands: CommandHandler;
  readonly retention: Retention;
  state(): { state: SyncState; error: string | null };
  metrics(): SyncMetrics;
  /** Asks the loop to look for new data now (the store's writer calls it after each commit). */
  nudge(): void;
  /** Queues records, surveys or events made by other modules; validated against the shared schemas. Returns the seqs. */
  enqueue(kind: Exclude<EnvelopeKind, 'telemetry'>, items: readonly unknown[]): number[];
  /** Age pruning, then the budget (normally on timers). */
  runRetention(): Promise<void>;
  /** Stops taking commands, waits briefly for commits of batches in flight, records state, says goodbye. */
  stop(): Promise<void>;
}

const ITEM_SCHEMAS = { event: eventItemSchema, record: recordItemSchema, survey: surveyItemSchema } as const;

/** A link that is down until the uplink exists (credentials may take an enrolment first). */
class LinkSlot implements SyncLink {
  uplink: Uplink | undefined;
  get connected(): boolean {
    return this.uplink?.connected ?? false;
  }
  publish(topic: string, payload: Buffer): Promise<void> {
    return this.uplink ? this.uplink.publish(topic, payload) : Promise.reject(new Error('not connected'));
  }
}

export function startSync(o: SyncOptions): RunningSync {
  const gw = toGatewayId(o.gatewayId);
  const log = o.logFor('sync');
  const cloud = o.cloud;
  const outbox = new Outbox(o.store.db);
  const commandStore = new CommandStore(o.store.db);
  const slot = new LinkSlot();
  let state: SyncState = 'starting';
  let error: string | null = null;
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    t.unref();
    timers.add(t);
  };

  const window = cloud.sync.window;
  const loop = new SyncLoop({
    outbox,
    gw,
    link: slot,
    unitFor: o.unitFor,
    log,
    options: {
      maxItems: cloud.sync.maxItems,
      maxBytes: cloud.sync.maxBytes,
      window,
      liveSlots: cloud.sync.liveSlots ?? Math.max(1, Math.floor(window / 4)),
      ackTimeoutMs: cloud.sync.ackTimeoutMs,
      ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
    },
  });

  const enqueue = (kind: Exclude<EnvelopeKind, 'telemetry'>, items: readonly unknown[]): number[] => {
    const schema = ITEM_SCHEMAS[kind];
    const json = items.map((it, i) => {
      const r = schema.safeParse(it);
      if (!r.success) throw new Error(`${kind} item ${i}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      return JSON.stringify(r.data);
    });
    const batches: string[][] = [];
    const limits = { maxItems: cloud.sync.maxItems, maxBytes: Math.min(cloud.sync.maxBytes, MAX_ENVELOPE_BYTES), overhead: envelopeOverhead(gw, '00000000-0000-0000-0000-000000000000', kind) };
    for (let i = 0; i < json.length; ) {
      const p = pack(json.slice(i), (s) => s, limits);
      if (p.count === 0) throw new Error(`${kind} item ${i} is larger than an envelope`);
      batches.push(p.parts);
      i += p.count;
    }
    const seqs = outbox.enqueue(kind, batches, Date.now());
    loop.nudge();
    return seqs;
  };

  const commands = new CommandHandler({
    store: commandStore,
    kv: o.store,
    targets: o.targets ?? {
      deviceKind: () => undefined,
      isPolled: () => false,
      write: () => Promise.reject(new Error('this gateway runs no devices')),
    },
    publish: (r) => (slot.uplink ? slot.uplink.publishResult(r) : Promise.reject(new Error('not connected'))),
    record: (item: RecordItem) => void enqueue('record', [item]),
    log: o.logFor('commands'),
  });
  commands.recover();

  const retention = new Retention({
    store: o.store,
    outbox,
    commands: commandStore,
    retentionMs: o.retentionDays * 86_400_000,
    budgetBytes: cloud.retention.budgetMB * 1024 * 1024,
    log: o.logFor('retention'),
  });
  const runRetention = async () => {
    try {
      await retention.pruneByAge();
      await retention.enforceBudget();
    } catch (e) {
      log.error({ err: e }, 'retention failed');
    }
  };
  const every = (ms: number, fn: () => unknown, firstMs = ms) => {
    const run = () => {
      if (stopped) return;
      void fn();
      later(run, ms);
    };
    later(run, firstMs);
  };
  every(3_600_000, () => retention.pruneByAge().catch((e: unknown) => log.error({ err: e }, 'retention by age failed')), 60_000);
  every(cloud.retention.checkEveryMs, () => retention.enforceBudget().catch((e: unknown) => log.error({ err: e }, 'disk budget check failed')), Math.min(5000, cloud.retention.checkEveryMs));

  loop.start();

  // Credentials, then the link; in the background.
  const connectWhenReady = async () => {
    let creds: { username: string; password: string; clientId: string; urls: readonly string[]; ca: string | undefined };
    try {
      const caFromFile = cloud.broker.caFile ? fs.readFileSync(cloud.broker.caFile, 'utf8') : undefined;
      if (cloud.credentials) {
        creds = { ...cloud.credentials, clientId: cloud.broker.clientId ?? gw, urls: cloud.broker.urls ?? [], ca: caFromFile };
      } else {
        let stored = readCredentials(o.dataDir);
        if (!stored) {
          const e = cloud.enrolment!;
          state = 'enrolling';
          for (let delay = 2000; !stored && !stopped; delay = Math.min(delay * 2, 300_000)) {
            try {
              stored = await enrol({ url: e.url, token: e.token, gatewayId: gw, dataDir: o.dataDir, ...(caFromFile ? { ca: caFromFile } : {}) });
              log.info({ cloud: stored.cloud, mqtt: stored.mqtt }, 'enrolled with the cloud; credentials stored');
            } catch (err) {
              if (!(err instanceof EnrolUnreachable)) throw err;
              error = err.message;
              log.warn({ err: err.message, retryInMs: delay }, 'cloud not reachable for enrolment; retrying');
              await new Promise<void>((r) => later(r, delay));
            }
          }
          if (!stored) return;
        }
        const urls = cloud.broker.urls ?? (stored.mqtt.tls ? [stored.mqtt.tls] : stored.mqtt.tcp ? [stored.mqtt.tcp] : []);
        creds = { username: stored.username, password: stored.password, clientId: cloud.broker.clientId ?? stored.clientId, urls, ca: caFromFile ?? stored.ca ?? undefined };
      }
      if (!creds.urls.length) throw new Error('no broker URL: set cloud.broker.urls');
    } catch (e) {
      state = 'error';
      error = isQuaysideError(e) ? `${e.code}: ${e.message}` : (e as Error).message;
      log.error({ err: e }, 'sync cannot start; the gateway keeps storing readings');
      return;
    }
    if (stopped) return;
    state = 'connecting';
    error = null;
    const uplink = new Uplink({
      gw,
      urls: creds.urls,
      ca: creds.ca,
      username: creds.username,
      password: creds.password,
      clientId: creds.clientId,
      protocolVersion: cloud.broker.protocolVersion,
      keepaliveS: cloud.broker.keepaliveS,
      connectTimeoutMs: cloud.broker.connectTimeoutMs,
      reconnectMs: cloud.broker.reconnectMs,
      sessionExpiryS: cloud.broker.sessionExpiryS,
      version: o.version,
      log: o.logFor('uplink'),
      onConnected: (sessionPresent) => {
        state = 'online';
        loop.onConnected(sessionPresent);
        commands.publishPending();
      },
      onDisconnected: () => {
        state = 'offline';
      },
      onCommitted: (ack) => loop.onCommitted(ack),
      onCommand: (payload) => commands.onMessage(payload),
    });
    slot.uplink = uplink;
    uplink.start();
  };
  void connectWhenReady();

  const metrics = (): SyncMetrics => {
    const st = outbox.stats();
    const unbatched = outbox.unbatched('telemetry');
    const oldest = outbox.oldestOpenReadingTs();
    return {
      state,
      error: error ?? (slot.uplink && !slot.uplink.connected && slot.uplink.error ? slot.uplink.error : null),
      connected: slot.connected,
      backlogReadings: (st.openByKind['telemetry']?.items ?? 0) + unbatched,
      openBatches: st.openRows,
      unbatchedReadings: unbatched,
      oldestUnackedAgeMs: oldest === null ? 0 : Math.max(0, Date.now() - oldest),
      inFlight: loop.inFlight,
      inFlightLive: loop.inFlightLive(),
      usedBytes: retention.lastUsedBytes,
      budgetBytes: cloud.retention.budgetMB * 1024 * 1024,
      loop: { ...loop.counters },
      link: slot.uplink ? { ...slot.uplink.counters } : null,
      commands: { ...commands.counters },
      retention: { ...retention.counters },
    };
  };

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await commands.stop();
      if (slot.connected && loop.inFlight > 0 && cloud.sync.stopGraceMs > 0) await loop.drained(cloud.sync.stopGraceMs);
      loop.stop();
      await slot.uplink?.stop();
      log.info({ inFlight: loop.inFlight, acks: loop.counters.acks_total }, 'sync stopped');
    })());

  return {
    gw,
    outbox,
    loop,
    commands,
    retention,
    state: () => ({ state, error }),
    metrics,
    nudge: () => loop.nudge(),
    enqueue,
    runRetention,
    stop,
  };
}
