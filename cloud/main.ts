/**
 * The cloud daemon's composition root — the only place that picks adapters:
 *   config → SQL store (SQLite | PostgreSQL) → time-series (InfluxDB | embedded SQLite)
 *   → gateway service → broker (embedded aedes over TCP+TLS | external broker, shared subscription)
 *   → ingest → console (4A, supervision, push) → REST API.
 * Stop runs in reverse: API, ingest (drained, acks still go out), broker, time-series (flushed), store.
 *
 * Run: `tsx cloud/main.ts path/to/cloud.json` (or QS_CLOUD_CONFIG=…); SIGTERM/SIGINT stop it cleanly.
 */
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { EmbeddedBroker } from './broker/embedded.js';
import { ExternalBroker } from './broker/external.js';
import type { BrokerLink } from './broker/port.js';
import { loadOrCreateTls } from './broker/tls.js';
import { loadCloudConfig, parseCloudConfig } from './config/load.js';
import type { CloudConfig, CloudConfigInput } from './config/schema.js';
import { GatewayService } from './gateways/service.js';
import { Ingest } from './ingest/ingest.js';
import { chaosAfterSeriesWrite } from './ingest/chaos.js';
import { createLogger, type CloudLogger } from './logger.js';
import { startApi } from './api/server.js';
import { TradeService } from './trade/service.js';
import { PlatformService } from './platform/service.js';
import { startConsole, type ConsoleModule } from './supervision/console.js';
import type { CloudStore } from './store/cloud-store.js';
import { openStore } from './store/open.js';
import { EmbeddedSeries } from './timeseries/embedded.js';
import { InfluxSeries } from './timeseries/influx-series.js';
import type { TimeSeriesPort } from './timeseries/port.js';

export interface RunningCloud {
  /** Base URL of the REST API. */
  url: string;
  /** Bound MQTT ports of the embedded broker (null for plain TCP off, or an external broker). */
  mqttPort: number | null;
  mqttsPort: number | null;
  /** PEM gateways trust for MQTTS (embedded broker), else null. */
  ca: string | null;
  config: CloudConfig;
  store: CloudStore;
  series: TimeSeriesPort;
  broker: BrokerLink;
  ingest: Ingest;
  /** 4A, supervision work and push (the console's server side). */
  console: ConsoleModule;
  /** Foreign-trade monitoring (statistics, forecasts, warnings, risk and tags) over its DuckDB store. */
  trade: TradeService;
  /** The data platform (connectors, pipelines, quality, metadata, catalogue). */
  platform: PlatformService;
  logger: CloudLogger;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where logs go (tests pass a sink); stdout by default. */
  logDestination?: DestinationStream;
  /** Fault injection for the chaos tests (ingest/chaos.ts); only main() sets it, from the environment. */
  afterSeriesWrite?: () => void;
}

/** Starts the whole cloud service; `config` is validated here (a CloudConfig passes through unchanged). */
export async function startCloud(input: CloudConfigInput | CloudConfig, opts: StartOptions = {}): Promise<RunningCloud> {
  const config = Object.isFrozen(input) ? (input as CloudConfig) : parseCloudConfig(input);
  const logger = createLogger({ level: config.log.level, ...(opts.logDestination ? { destination: opts.logDestination } : {}) });
  const log = logger.forModule('main');
  const startedAt = Date.now();
  const stops: Array<[string, () => Promise<void>]> = [];
  const stopAll = async () => {
    for (const [name, stop] of stops.reverse()) {
      try {
        await stop();
        log.debug({ module: name }, 'module stopped');
      } catch (e) {
        log.error({ err: e, module: name }, 'stop failed');
      }
    }
    stops.length = 0;
  };

  try {
    const store = await openStore(config.store, config.dataDir);
    stops.push(['store', () => store.close()]);
    log.info({ dialect: store.dialect, where: store.where }, 'SQL store ready');

    const series: TimeSeriesPort =
      config.timeseries.driver === 'influx'
        ? new InfluxSeries(config.timeseries, config.dataDir, logger.forModule('timeseries'))
        : new EmbeddedSeries(path.resolve(config.dataDir, config.timeseries.file));
    await series.start();
    stops.push(['timeseries', () => series.close()]);

    const gateways = new GatewayService(store, {
      tokenTtlMs: config.enrolment.tokenTtlHours * 3600 * 1000,
      admin: config.broker.mode === 'embedded' ? config.broker.admin : undefined,
      log: logger.forModule('gateways'),
    });

    const broker: BrokerLink =
      config.broker.mode === 'embedded'
        ? await EmbeddedBroker.start({ config: config.broker, tls: loadOrCreateTls(config.broker, config.dataDir), auth: gateways, log: logger.forModule('broker') })
        : await ExternalBroker.start(config.broker, logger.forModule('broker'));
    stops.push(['broker', () => broker.close()]);
    gateways.attachBroker(broker);

    const ingest = new Ingest({
      store,
      series,
      publish: (topic, payload) => broker.publish(topic, payload, { qos: 1 }),
      log: logger.forModule('ingest'),
      concurrency: config.ingest.concurrency,
      maxQueued: config.ingest.maxQueued,
      ...(opts.afterSeriesWrite ? { afterSeriesWrite: opts.afterSeriesWrite } : {}),
    });
    stops.push(['ingest', () => ingest.stop()]);
    await broker.consume(ingest.accept);

    // Foreign-trade monitoring: its own analytical store (DuckDB) beside the cloud's data.
    const trade = await TradeService.open({ dataDir: path.resolve(config.dataDir, 'trade') });
    stops.push(['trade', () => trade.close()]);
    // The data platform: connectors, pipelines, topic data sets, quality, metadata and the catalogue, in the SQL store.
    const platform = await PlatformService.open({ db: store.db, dialect: store.dialect, baseDir: path.resolve(config.dataDir, 'platform'), log: logger.forModule('platform') });
    stops.push(['platform', () => platform.close()]);

    const consoleModule = await startConsole({ config, store, series, broker, log: (m) => logger.forModule(m) });
    let api: Awaited<ReturnType<typeof startApi>>;
    try {
      api = await startApi({ store, series, gateways, broker, ingest, adminToken: config.admin.token, startedAt }, { host: config.api.host, port: config.api.port, log: logger.forModule('api'), console: consoleModule, trade, platform });
    } catch (e) {
      await consoleModule.stop();
      throw e;
    }
    // The console's timers (store poller, session sweep) belong to the API: they stop with it.
    stops.push(['api', () => api.close().then(() => consoleModule.stop())]);

    const ep = broker.endpoints();
    log.info({ api: api.url, mqtt: ep.tcp, mqtts: ep.tls, store: store.dialect, timeseries: series.kind, broker: broker.mode }, 'cloud started');
    let stopping: Promise<void> | null = null;
    return {
      url: api.url,
      mqttPort: ep.mqttPort,
      mqttsPort: ep.mqttsPort,
      ca: ep.ca,
      config,
      store,
      series,
      broker,
      ingest,
      console: consoleModule,
      trade,
      platform,
      logger,
      stop: () => (stopping ??= stopAll().then(() => log.info('cloud stopped'))),
    };
  } catch (e) {
    log.error({ err: e }, 'cloud failed to start');
    await stopAll();
    throw e;
  }
}

async function main(): Promise<void> {
  const file = process.argv[2] ?? process.env['QS_CLOUD_CONFIG'];
  if (!file) {
    console.error('usage: tsx cloud/main.ts CONFIG.json   (or QS_CLOUD_CONFIG=CONFIG.json)');
    process.exit(2);
  }
  let cloud: RunningCloud;
  try {
    const chaos = chaosAfterSeriesWrite(process.env);
    if (chaos) console.error('CHAOS: QS_CHAOS_KILL_AFTER_SERIES_WRITES is set; this process will kill itself after a time-series write');
    cloud = await startCloud(loadCloudConfig(file), chaos ? { afterSeriesWrite: chaos } : {});
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    cloud.logger.root.info({ signal }, 'stopping');
    cloud.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (import.meta.url === `file://${process.argv[1]}`) void main();

