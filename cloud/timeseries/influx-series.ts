/** The InfluxDB 1.x adapter of the time-series port: InfluxWriter (+ spool) for writes, InfluxQuery for reads. */
import path from 'node:path';
import type { Logger } from 'pino';
import { QuaysideError } from '../../shared/errors.js';
import type { InfluxConfig } from '../config/schema.js';
import { InfluxHttp } from './influx-http.js';
import { InfluxQuery } from './influx-query.js';
import { InfluxWriter } from './influx-writer.js';
import { encodePoint } from './line-protocol.js';
import { pointProblem, type HistoryQuery, type HistoryRow, type SeriesPoint, type TimeSeriesPort } from './port.js';
import { Spool } from './spool.js';

export class InfluxSeries implements TimeSeriesPort {
  readonly kind = 'influx';
  readonly writer: InfluxWriter;
  private readonly query: InfluxQuery;
  private readonly spool: Spool;

  constructor(
    private readonly config: InfluxConfig,
    dataDir: string,
    log: Logger,
  ) {
    const http = new InfluxHttp({ url: config.url, database: config.database, username: config.username, password: config.password, timeoutMs: config.timeoutMs });
    this.spool = new Spool(path.resolve(dataDir, config.spoolFile), config.spoolMaxBytes);
    this.writer = new InfluxWriter(http, this.spool, config, log);
    this.query = new InfluxQuery(http, config.measurement);
  }

  start(): Promise<void> {
    return this.writer.start();
  }

  write(points: readonly SeriesPoint[]): Promise<void> {
    const lines: string[] = [];
    for (const p of points) {
      const problem = pointProblem(p);
      if (problem) return Promise.reject(new QuaysideError('CLOUD_TS_REJECTED', `${p.device}/${p.point}@${p.ts}: ${problem}`));
      lines.push(encodePoint(this.config.measurement, p));
    }
    return this.writer.write(lines);
  }

  history(q: HistoryQuery): Promise<HistoryRow[]> {
    return this.query.history(q);
  }

  latest(gw: string): Promise<HistoryRow[]> {
    return this.query.latest(gw);
  }

  metrics(): Record<string, number> {
    return { ...this.writer.metrics() };
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  async close(): Promise<void> {
    await this.writer.close();
    this.spool.close();
  }
}
