/** History and latest values from InfluxDB with InfluxQL over `/query`. */
import type { InfluxHttp, InfluxSeries } from './influx-http.js';
import { influxqlIdent, influxqlString } from './line-protocol.js';
import { toHistoryRow, type HistoryQuery, type HistoryRow } from './port.js';

const FIELDS = ['value', 'text', 'missing', 'reason', 'detail', 'quality', 'unit'].map(influxqlIdent).join(', ');

export class InfluxQuery {
  constructor(
    private readonly http: InfluxHttp,
    private readonly measurement: string,
  ) {}

  async history(q: HistoryQuery): Promise<HistoryRow[]> {
    const where = [`"gw" = ${influxqlString(q.gw)}`, `"device" = ${influxqlString(q.device)}`];
    if (q.point !== undefined) where.push(`"point" = ${influxqlString(q.point)}`);
    where.push(`time >= ${Math.trunc(q.from)}ms`, `time <= ${Math.trunc(q.to)}ms`);
    const text =
      `SELECT ${FIELDS}, "point" FROM ${influxqlIdent(this.measurement)} WHERE ${where.join(' AND ')} ` +
      `ORDER BY time ASC LIMIT ${Math.trunc(q.limit)}`;
    const series = await this.http.query(text);
    return series.flatMap((s) => rows(s, { device: q.device }));
  }

  async latest(gw: string): Promise<HistoryRow[]> {
    const text = `SELECT ${FIELDS} FROM ${influxqlIdent(this.measurement)} WHERE "gw" = ${influxqlString(gw)} GROUP BY "device", "point" ORDER BY time DESC LIMIT 1`;
    const series = await this.http.query(text);
    return series.flatMap((s) => rows(s, {})).sort((a, b) => a.device.localeCompare(b.device) || a.point.localeCompare(b.point));
  }
}

function rows(s: InfluxSeries, fixed: { device?: string }): HistoryRow[] {
  const idx = (name: string) => s.columns.indexOf(name);
  const col = { time: idx('time'), value: idx('value'), text: idx('text'), reason: idx('reason'), detail: idx('detail'), quality: idx('quality'), unit: idx('unit'), point: idx('point') };
  const str = (row: unknown[], i: number): string | null => (i >= 0 && typeof row[i] === 'string' ? (row[i] as string) : null);
  const num = (row: unknown[], i: number): number | null => (i >= 0 && typeof row[i] === 'number' ? (row[i] as number) : null);
  return s.values.map((row) =>
    toHistoryRow({
      device: s.tags?.['device'] ?? fixed.device ?? '',
      point: s.tags?.['point'] ?? str(row, col.point) ?? '',
      ts: num(row, col.time) ?? 0,
      value: num(row, col.value),
      text: str(row, col.text),
      unit: str(row, col.unit),
      quality: str(row, col.quality),
      reason: str(row, col.reason),
      detail: str(row, col.detail),
    }),
  );
}
