/**
 * Registry and monitoring for the console, read from what ingest stores: alarms are the `events` of
 * kind `alarm` (acknowledged with a comment in `alarm_acks`), gateway state is `gateway_status`, and a
 * device's live values and health come from the time-series port's latest points.
 */
import { QuaysideError } from '../../shared/errors.js';
import type { GatewayRow } from '../store/cloud-store.js';
import type { HistoryRow } from '../timeseries/port.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { json, type SupervisionDeps } from './context.js';

export interface AlarmView {
  gw: string;
  id: string;
  ts: number;
  device: string | null;
  point: string | null;
  severity: string;
  /** raised | cleared (from the edge's alarm evaluation) */
  action: string;
  message: string;
  ack: { by: string; byName: string | null; at: number; comment: string } | null;
}

export type DeviceHealth = 'ok' | 'degraded' | 'fault' | 'stale';

export interface DeviceView {
  device: string;
  health: DeviceHealth;
  lastTs: number;
  openAlarms: number;
  points: Array<{ point: string; value: number | string | null; unit: string; quality: string; reason?: string; ts: number }>;
}

export interface GatewayStatusChange {
  gw: string;
  state: 'online' | 'offline';
  ts: number;
  updatedAt: number;
}

interface AlarmRow {
  gw: string;
  id: string;
  ts: number;
  device: string | null;
  value: string;
  data: string;
  acked_by: string | null;
  acked_at: number | null;
  comment: string | null;
  display_name: string | null;
}

const CLEARED = '%"action":"cleared"%';

export function toAlarm(r: AlarmRow): AlarmView {
  const item = json<{ attrs?: Record<string, unknown> }>(r.data, {});
  const attrs = item.attrs ?? {};
  const msg = json<unknown>(r.value, r.value);
  return {
    gw: r.gw,
    id: r.id,
    ts: Number(r.ts),
    device: r.device,
    point: typeof attrs['point'] === 'string' ? attrs['point'] : null,
    severity: typeof attrs['severity'] === 'string' ? attrs['severity'] : 'warning',
    action: typeof attrs['action'] === 'string' ? attrs['action'] : 'raised',
    message: typeof msg === 'string' ? msg : JSON.stringify(msg),
    ack: r.acked_by !== null && r.acked_at !== null ? { by: r.acked_by, byName: r.display_name, at: Number(r.acked_at), comment: r.comment ?? '' } : null,
  };
}

/** Health from the newest points of a device. */
export function deviceHealth(points: ReadonlyArray<{ quality: string; ts: number }>, now: number, staleMs: number): DeviceHealth {
  if (points.some((p) => p.quality === 'bad')) return 'fault';
  const last = Math.max(...points.map((p) => p.ts));
  if (now - last > staleMs) return 'stale';
  if (points.some((p) => p.quality === 'uncertain')) return 'degraded';
  return 'ok';
}

export class MonitorService {
  private readonly latestCache = new Map<string, { at: number; rows: Promise<HistoryRow[]> }>();

  constructor(private readonly d: SupervisionDeps) {}

  private alarmQuery() {
    return this.d.db
      .selectFrom('events as e')
      .leftJoin('alarm_acks as a', (j) => j.onRef('a.gw', '=', 'e.gw').onRef('a.event_id', '=', 'e.id'))
      .leftJoin('users as u', 'u.id', 'a.acked_by')
      .select(['e.gw', 'e.id', 'e.ts', 'e.device', 'e.value', 'e.data', 'a.acked_by', 'a.acked_at', 'a.comment', 'u.display_name'])
      .where('e.kind', '=', 'alarm');
  }

  async listAlarms(q: { state: 'open' | 'acked' | 'all'; gw?: string | undefined; limit: number }): Promise<AlarmView[]> {
    let query = this.alarmQuery();
    if (q.gw) query = query.where('e.gw', '=', q.gw);
    if (q.state === 'open') query = query.where('a.acked_at', 'is', null).where('e.data', 'not like', CLEARED);
    if (q.state === 'acked') query = query.where('a.acked_at', 'is not', null);
    return (await query.orderBy('e.ts', 'desc').limit(q.limit).execute()).map(toAlarm);
  }

  async getAlarm(gw: string, id: string): Promise<AlarmView | null> {
    const r = await this.alarmQuery().where('e.gw', '=', gw).where('e.id', '=', id).executeTakeFirst();
    return r ? toAlarm(r) : null;
  }

  async ackAlarm(gw: string, id: string, comment: string, by: Principal): Promise<AlarmView> {
    const alarm = await this.getAlarm(gw, id);
    if (!alarm) throw new QuaysideError('CLOUD_SUPERVISION_NOT_FOUND', `alarm ${gw}/${id}`);
    if (alarm.ack) throw new QuaysideError('CLOUD_SUPERVISION_STATE', `alarm ${gw}/${id} was acknowledged by ${alarm.ack.byName ?? alarm.ack.by}`);
    await this.d.db.transaction().execute(async (trx) => {
      const r = await trx
        .insertInto('alarm_acks')
        .values({ gw, event_id: id, acked_by: by.userId ?? by.username, acked_at: this.d.now(), comment })
        .onConflict((oc) => oc.columns(['gw', 'event_id']).doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0n) !== 1) throw new QuaysideError('CLOUD_SUPERVISION_STATE', `alarm ${gw}/${id} is already acknowledged`);
      await this.d.audit.appendIn(trx, { ...actorOf(by), action: 'alarm.ack', targetType: 'alarm', targetId: `${gw}/${id}`, detail: { gw, id, device: alarm.device, point: alarm.point, comment } });
    });
    const acked = (await this.getAlarm(gw, id))!;
    this.d.hub.publish('alarm', acked, { permission: 'alarms.read', enterpriseId: null });
    return acked;
  }

  /** Alarms whose batch was ingested at or after `since` (ms), oldest first. */
  async alarmsIngestedSince(since: number, limit = 1000): Promise<AlarmView[]> {
    const rows = await this.d.db
      .selectFrom('events as e')
      .innerJoin('ingested_batches as b', (j) => j.onRef('b.gw', '=', 'e.gw').onRef('b.seq', '=', 'e.seq'))
      .leftJoin('alarm_acks as a', (j) => j.onRef('a.gw', '=', 'e.gw').onRef('a.event_id', '=', 'e.id'))
      .leftJoin('users as u', 'u.id', 'a.acked_by')
      .select(['e.gw', 'e.id', 'e.ts', 'e.device', 'e.value', 'e.data', 'a.acked_by', 'a.acked_at', 'a.comment', 'u.display_name'])
      .where('e.kind', '=', 'alarm')
      .where('b.ingested_at', '>=', since)
      .orderBy('b.ingested_at')
      .limit(limit)
      .execute();
    return rows.map(toAlarm);
  }

  async statusChangesSince(since: number): Promise<GatewayStatusChange[]> {
    const rows = await this.d.db.selectFrom('gateway_status').selectAll().where('updated_at', '>=', since).orderBy('updated_at').execute();
    return rows.map((r) => ({ gw: r.gw, state: r.state === 'online' ? 'online' : 'offline', ts: Number(r.ts), updatedAt: Number(r.updated_at) }));
  }

  /** The newest point of every (device, point) of a gateway, shared for 2 s between callers. */
  latest(gw: string): Promise<HistoryRow[]> {
    const now = this.d.now();
    const hit = this.latestCache.get(gw);
    if (hit && now - hit.at < 2000) return hit.rows;
    const rows = this.d.series.latest(gw);
    this.latestCache.set(gw, { at: now, rows });
    rows.catch(() => this.latestCache.delete(gw));
    if (this.latestCache.size > 1000) this.latestCache.delete(this.latestCache.keys().next().value!);
    return rows;
  }

  private async openAlarmCounts(gw?: string): Promise<Map<string, number>> {
    let q = this.d.db
      .selectFrom('events as e')
      .leftJoin('alarm_acks as a', (j) => j.onRef('a.gw', '=', 'e.gw').onRef('a.event_id', '=', 'e.id'))
      .select(['e.gw', 'e.device', (eb) => eb.fn.countAll<number>().as('n')])
      .where('e.kind', '=', 'alarm')
      .where('a.acked_at', 'is', null)
      .where('e.data', 'not like', CLEARED);
    if (gw) q = q.where('e.gw', '=', gw);
    const rows = await q.groupBy(['e.gw', 'e.device']).execute();
    const out = new Map<string, number>();
    for (const r of rows) {
      const key = gw ? (r.device ?? '') : r.gw;
      out.set(key, (out.get(key) ?? 0) + Number(r.n));
    }
    return out;
  }

  async devices(gw: string): Promise<DeviceView[]> {
    if (!(await this.d.store.getGateway(gw))) throw new QuaysideError('CLOUD_GATEWAY_NOT_FOUND', gw);
    const [rows, alarms] = await Promise.all([this.latest(gw), this.openAlarmCounts(gw)]);
    const by = new Map<string, HistoryRow[]>();
    for (const r of rows) by.set(r.device, [...(by.get(r.device) ?? []), r]);
    const now = this.d.now();
    return [...by.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([device, pts]) => ({
        device,
        health: deviceHealth(pts, now, this.d.config.deviceStaleMs),
        lastTs: Math.max(...pts.map((p) => p.ts)),
        openAlarms: alarms.get(device) ?? 0,
        points: pts.map((p) => ({ point: p.point, value: p.value, unit: p.unit, quality: p.quality, ...(p.reason ? { reason: p.reason } : {}), ts: p.ts })),
      }));
  }

  async gateways(): Promise<Array<GatewayRow & { online: boolean; devices: number; openAlarms: number; lastSeen: number | null }>> {
    const [gws, alarms] = await Promise.all([this.d.store.listGateways(), this.openAlarmCounts()]);
    const connected = this.d.broker.connectedGateways();
    return Promise.all(
      gws.map(async (g) => {
        const rows = g.enrolledAt !== null ? await this.latest(g.id).catch(() => [] as HistoryRow[]) : [];
        return {
          ...g,
          online: g.revokedAt === null && g.status?.state === 'online' && (connected ? connected.has(g.id) : true),
          devices: new Set(rows.map((r) => r.device)).size,
          openAlarms: alarms.get(g.id) ?? 0,
          lastSeen: rows.length ? Math.max(...rows.map((r) => r.ts)) : (g.status?.updatedAt ?? null),
        };
      }),
    );
  }
}
