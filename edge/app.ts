/**
 * The gateway, assembled: config + profiles → store → drivers → scheduler → API. `startGateway` returns
 * a started gateway `{url, stop()}` so main.ts, tests and the benchmark run the same wiring. This file and
 * main.ts are the composition root: the only place that picks adapters (real drivers and transports,
 * unless a test passes its own `factories`).
 */
import { fileURLToPath } from 'node:url';
import type { DestinationStream } from 'pino';
import { createModbusDriver, createModbusRtuTransport, createModbusTcpTransport } from './devices/modbus/index.js';
import { createSentenceDriver } from './devices/serial-line/driver.js';
import { isModbusProfile } from '../shared/profile/schema.js';
import type { ReadingValue } from '../shared/contracts/reading.js';
import { QuaysideError } from '../shared/errors.js';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { createLogger, type GatewayLogger } from './logger.js';
import { EdgeStore } from './store/store.js';
import { buildRegistry, type DriverFactories, type Registry } from './devices/registry.js';
import { Scheduler, type Clock, type SchedulerSink } from './devices/scheduler.js';
import { QualityChecker } from './devices/quality.js';
import { AlarmEvaluator, type AlarmTransition } from './devices/alarms.js';
import { HealthTracker, DEFAULT_HEALTH, type HealthChange, type HealthOptions } from './devices/health.js';
import type { GatewayView } from './api/context.js';
import { startApi } from './api/server.js';
import { unitOf } from './api/serialize.js';
import { startSync, type RunningSync } from './sync/index.js';
import { readOverrides } from './sync/overrides.js';
import { SurveyService } from './survey/service.js';
import { createBus, type GatewayBus } from './bus.js';
import { FlowsModule } from './flows/runtime.js';
import { VisionService } from './vision/service.js';
import { storeSink } from './vision/store-sink.js';

/** The built tablet app (npm run build:web), served at `/` by the API. */
export const WEB_ROOT = fileURLToPath(new URL('./web/dist', import.meta.url));

export const realFactories: DriverFactories = {
  tcpTransport: ({ host, port, logger }) => createModbusTcpTransport({ host, port, logger }),
  rtuTransport: ({ path, serial, logger }) => createModbusRtuTransport({ path, serial, logger }),
  modbusDriver: (o) => createModbusDriver(o),
  sentenceDriver: (o) => createSentenceDriver(o),
};

export interface GatewayOptions {
  configPath: string;
  /** Adapters (default: the real Modbus and serial-line drivers). */
  factories?: DriverFactories;
  /** Overrides api.port of the config (0 = any free port). */
  apiPort?: number;
  logDestination?: DestinationStream;
  clock?: Clock;
  health?: Partial<HealthOptions>;
  /** Folder of the built tablet app (default WEB_ROOT). */
  webRoot?: string;
}

export interface Gateway {
  readonly url: string;
  readonly loaded: LoadedConfig;
  readonly store: EdgeStore;
  readonly scheduler: Scheduler;
  readonly registry: Registry;
  readonly view: GatewayView;
  readonly logger: GatewayLogger;
  readonly survey: SurveyService;
  /** Sync to the cloud, when the config has a `cloud` section. */
  readonly sync: RunningSync | undefined;
  /** The internal event bus (readings, alarms, device events; vision, commands and surveys for flows). */
  readonly bus: GatewayBus;
  /** Embedded Node-RED (state "disabled" without a `flows` section). */
  readonly flows: FlowsModule;
  /** Cameras and local inference (state "off" without cameras). */
  readonly vision: VisionService;
  /** Stops polling, flushes the writer, closes drivers and the database. Idempotent. */
  stop(): Promise<void>;
}

interface Runtime {
  quality: QualityChecker;
  alarms: AlarmEvaluator;
  health: HealthTracker;
}

const RETENTION_EVERY_MS = 3_600_000;

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const loaded = loadConfig(opts.configPath);
  const { config } = loaded;
  const logger = createLogger({ level: config.log.level, gatewayId: config.gateway.id, ...(opts.logDestination ? { destination: opts.logDestination } : {}) });
  const log = logger.forModule('main');
  const startedAt = Date.now();
  const bus = createBus(logger.forModule('bus'));
  log.info({ config: loaded.file, devices: config.devices.length, profiles: loaded.profiles.models().length, migratedFrom: loaded.migratedFrom }, 'starting');

  const store = EdgeStore.open({ dataDir: config.dataDir, logger: logger.forModule('store') });
  const cleanups: (() => Promise<void> | void)[] = [() => store.close()];
  try {
    const writer = store.writer({ batchMs: config.store.batchMs, batchRows: config.store.batchRows });
    // Settings changed by cloud commands (config.set), on top of the file.
    const overrides = readOverrides(store);
    if (overrides.logLevel) logger.setLevel(overrides.logLevel);
    const disabledByCommand = (id: string) => overrides.devices[id]?.enabled === false;
    const registry = buildRegistry({ loaded, factories: opts.factories ?? realFactories, loggerFor: (kind, id) => logger.forDevice(kind === 'bus' ? 'bus' : 'devices', id) });
    cleanups.unshift(() => registry.close());

    const healthOpts = { ...DEFAULT_HEALTH, ...opts.health };
    const runtimes = new Map<string, Runtime>();
    for (const d of registry.devices.values()) {
      if (!d.config.enabled || disabledByCommand(d.id)) continue;
      const rt: Runtime = { quality: new QualityChecker(d.profile), alarms: new AlarmEvaluator(d.profile), health: new HealthTracker(d.id, healthOpts, startedAt) };
      runtimes.set(d.id, rt);
      if (!d.driver) onHealth(rt.health.down('disconnected', d.buildError ?? 'no driver', startedAt));
    }

    function onHealth(change: HealthChange | undefined): void {
      if (!change) return;
      const d = registry.devices.get(change.device)!;
      const msg = `${change.from} → ${change.to}${change.reason ? ` (${change.reason})` : ''}`;
      if (change.to === 'online') d.log.info({ from: change.from, to: change.to }, `device ${msg}`);
      else d.log.warn({ from: change.from, to: change.to, reason: change.reason, detail: change.detail }, `device ${msg}`);
      try {
        store.setHealth({ device: change.device, state: change.to, reason: change.reason ?? null, detail: change.detail ?? null, since: change.ts, updated: change.ts });
        store.addEvent({ ts: change.ts, device: change.device, kind: 'health', severity: change.to === 'online' ? 'info' : 'warning', message: `${change.device}: ${msg}`, data: change });
      } catch (e) {
        log.error({ err: e }, 'health change could not be stored');
      }
    }

    function onAlarm(deviceId: string, t: AlarmTransition): void {
      const d = registry.devices.get(deviceId)!;
      d.log.warn({ point: t.point, value: t.value, action: t.action, severity: t.alarm.severity }, `alarm ${t.action}: ${t.alarm.message.en}`);
      try {
        store.addEvent({
          ts: t.ts, device: deviceId, kind: 'alarm', severity: t.action === 'raised' ? t.alarm.severity : 'info', point: t.point,
          message: `${t.action}: ${t.alarm.message.en}`, data: { action: t.action, index: t.index, side: t.side, limit: t.limit, value: t.value, message: t.alarm.message },
        });
      } catch (e) {
        log.error({ err: e }, 'alarm event could not be stored');
      }
      bus.emit('alarm', { ts: t.ts, device: deviceId, point: t.point, action: t.action, severity: t.alarm.severity, message: t.alarm.message, value: t.value, source: 'profile' });
    }

    // The hot path: every sample of every device passes here once.
    const sink: SchedulerSink = {
      samples(deviceId, samples, kind) {
        const rt = runtimes.get(deviceId);
        if (!rt) return;
        for (const s of samples) {
          rt.quality.apply(s);
          if (!rt.alarms.empty) {
            const ts = rt.alarms.evaluate(s);
            if (ts) for (const t of ts) onAlarm(deviceId, t);
          }
          writer.add(deviceId, s);
        }
        if (bus.has('readings')) bus.emit('readings', { device: deviceId, kind, samples });
        const now = Date.now();
        onHealth(kind === 'silence' ? rt.health.silent(now, samples[0]?.detail ?? 'silent') : rt.health.observe(samples, now));
      },
      rejected(deviceId, reason, detail) {
        onHealth(runtimes.get(deviceId)?.health.failure(reason, detail, Date.now()));
      },
      event(deviceId, ev) {
        store.addEvent({ ts: ev.ts, device: deviceId, kind: 'device', severity: 'info', message: ev.name, data: ev.fields });
        bus.emit('device.event', { device: deviceId, name: ev.name, ts: ev.ts, fields: ev.fields });
      },
      written(deviceId, point, value, result) {
        const ts = Date.now();
        registry.devices.get(deviceId)?.log.info({ point, value, confirmed: result.confirmed }, 'write done');
        store.addEvent({ ts, device: deviceId, kind: 'write', severity: 'info', point, message: `write ${point}`, data: { value, confirmed: result.confirmed, readBack: result.readBack ?? null } });
        if (result.readBack !== undefined && registry.devices.get(deviceId)?.profile.points.some((p) => p.name === point)) {
          writer.add(deviceId, { point, ts, value: result.readBack as ReadingValue, quality: 'good' });
        }
      },
    };

    const scheduler = new Scheduler({ sink, logger: logger.forModule('scheduler'), ...(opts.clock ? { clock: opts.clock } : {}), loggerFor: (id) => registry.devices.get(id)!.log });
    for (const d of registry.devices.values()) {
      if (!d.driver || disabledByCommand(d.id)) continue;
      if (d.driver.mode === 'polled') scheduler.addPolled(d.driver, overrides.devices[d.id]?.pollIntervalMs ?? d.pollIntervalMs!);
      else scheduler.addStreaming(d.driver, d.silenceTimeoutMs ?? 3000);
    }

    const view: GatewayView = {
      info: { id: config.gateway.id, name: config.gateway.name, startedAt, configVersion: config.version },
      profiles: loaded.profiles,
      store,
      writerStats: () => ({ ...writer.stats, pending: writer.pendingRows }),
      devices: () => [...registry.devices.keys()].map((id) => view.device(id)!),
      device(id) {
        const entry = registry.devices.get(id);
        if (!entry) return undefined;
        const rt = runtimes.get(id);
        return { entry, health: rt?.health.snapshot(), stats: scheduler.stats(id), activeAlarms: rt?.alarms.active() ?? [] };
      },
      transports: () => registry.transports,
      write(deviceId, point, value) {
        const d = registry.devices.get(deviceId);
        if (d && !d.driver) return Promise.reject(new QuaysideError('EDGE_DEVICE_UNAVAILABLE', `${deviceId} has no driver: ${d.buildError ?? 'disabled'}`));
        return scheduler.write(deviceId, point, value);
      },
      unitOf,
    };

    scheduler.start();
    cleanups.unshift(() => scheduler.stop());

    // Sync after the store and the scheduler; stopped before them (it waits for the commands it runs).
    // Flows start later (they need the API's server): their commands reach them through this reference.
    let flowsRef: FlowsModule | undefined;
    const sync = config.cloud
      ? startSync({
          store,
          gatewayId: config.gateway.id,
          dataDir: config.dataDir,
          cloud: config.cloud,
          retentionDays: config.store.retentionDays,
          unitFor: (device, point) => {
            const d = registry.devices.get(device);
            return d ? unitOf(d.profile, point) : '';
          },
          targets: {
            deviceKind: (id) => registry.devices.get(id)?.profile.kind,
            isPolled: (id) => registry.devices.get(id)?.pollIntervalMs !== undefined,
            write: (id, point, value) => view.write(id, point, value),
            setLogLevel: (level) => logger.setLevel(level),
            dispatch: (cmd) => {
              if (!flowsRef?.enabled) return undefined;
              const handlers = flowsRef.commandHandlers();
              return handlers.handles(cmd) ? handlers.run(cmd) : undefined;
            },
          },
          logFor: (part) => logger.forModule(part),
        })
      : undefined;
    if (sync) {
      writer.onCommit(() => sync.nudge());
      cleanups.unshift(() => sync.stop());
    }

    const retention = async () => {
      try {
        // With sync on, its own retention prunes only what the cloud has, and keeps the disk budget.
        if (sync) return;
        await store.prune(Date.now() - config.store.retentionDays * 86_400_000);
      } catch (e) {
        log.error({ err: e }, 'retention pruning failed');
      }
    };
    const firstPrune = setTimeout(() => void retention(), 60_000).unref();
    const prunes = setInterval(() => void retention(), RETENTION_EVERY_MS).unref();
    cleanups.unshift(() => {
      clearTimeout(firstPrune);
      clearInterval(prunes);
    });

    const survey = new SurveyService({
      store,
      dataDir: config.dataDir,
      gateway: { id: config.gateway.id, name: config.gateway.name },
      logger: logger.forModule('survey'),
      commitDelayMs: config.store.batchMs + 500,
      // Signed surveys go up through the outbox (with sync on, through its enqueue, which wakes the loop).
      ...(sync ? { uplink: (item) => void sync.enqueue('survey', [item]) } : {}),
      onUpdate: (u) => bus.emit('survey.update', u),
      instruments: {
        list: () =>
          view.devices().map((d) => ({
            id: d.entry.id,
            kind: d.entry.profile.kind,
            model: d.entry.profile.model,
            name: d.entry.profile.name,
            label: d.entry.config.label ?? null,
            state: d.entry.config.enabled ? (d.health?.state ?? 'offline') : 'disabled',
          })),
        unit: (device, point) => {
          const d = registry.devices.get(device);
          return d ? unitOf(d.profile, point) : '';
        },
      },
    });

    const flows = new FlowsModule({
      config: config.flows,
      dataDir: config.dataDir,
      gateway: { id: config.gateway.id, name: config.gateway.name },
      view,
      bus,
      survey,
      logger: logger.forModule('flows'),
      logLevel: config.log.level,
      // Records from flows go up through the sync's outbox (without sync, flows/records.ts writes the outbox rows itself).
      ...(sync ? { records: { kind: 'outbox', enqueue: (item) => ({ queue: 'outbox', seq: sync.enqueue('record', [item])[0]! }) } } : {}),
    });
    flowsRef = flows;
    // Camera detections land in the store's events (and from there go up with the sync), then the bus.
    const vision = new VisionService({
      cameras: config.cameras,
      settings: config.vision,
      dataDir: config.dataDir,
      sink: storeSink(store, bus, () => sync?.nudge()),
      logger: logger.forModule('vision'),
    });
    const api = await startApi(view, {
      host: config.api.host,
      port: opts.apiPort ?? config.api.port,
      logger: logger.forModule('api'),
      survey,
      webRoot: opts.webRoot ?? WEB_ROOT,
      ...(flows.enabled ? { flows } : {}),
      ...(config.cameras.length ? { vision: { service: vision, dataDir: config.dataDir } } : {}),
    });
    // Order on stop: polling, then the API, then drivers, then the store (which flushes the writer).
    cleanups.splice(1, 0, () => api.close());
    // Flows start after the core and stop before it; a failure leaves them in state "error", the gateway runs on.
    await flows.start(api.server);
    cleanups.unshift(() => flows.stop());
    // Models load in the background: polling and the API do not wait for them.
    void vision.start();
    cleanups.unshift(() => vision.stop());
    log.info({ url: api.url, polled: config.devices.filter((d) => d.enabled && isModbusProfile(loaded.profiles.get(d.profile)!)).length }, 'gateway running');

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        log.info('stopping');
        await runAll(cleanups);
        log.info({ committed: writer.stats.committed }, 'stopped');
        logger.root.flush();
      })());
    return { url: api.url, loaded, store, scheduler, registry, view, logger, survey, sync, bus, flows, vision, stop };
  } catch (e) {
    await runAll(cleanups);
    throw e;
  }
}

/** Runs clean-ups in order; one failing never skips the rest. */
async function runAll(steps: (() => Promise<void> | void)[]): Promise<void> {
  for (const step of steps) {
    try {
      await step();
    } catch {
      /* keep going: the store must still close */
    }
  }
}
