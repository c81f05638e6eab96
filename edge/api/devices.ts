/** /api/devices: list, one device (profile summary + latest values), latest, history, write. */
import { Router } from 'express';
import { z } from 'zod';
import { readingValueSchema } from '../../shared/contracts/reading.js';
import { QuaysideError } from '../../shared/errors.js';
import { isModbusProfile } from '../../shared/profile/schema.js';
import type { DeviceView, GatewayView } from './context.js';
import { handle, parseInput } from './errors.js';
import { deviceSummary, profileSummary, toReading } from './serialize.js';

/** A time as ISO-8601 or epoch milliseconds. */
const timeParam = z.string().transform((s, ctx) => {
  const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `"${s}" is neither an ISO time nor epoch milliseconds` });
    return z.NEVER;
  }
  return ms;
});

const historyQuery = z
  .object({
    point: z.string().min(1).optional(),
    from: timeParam.optional(),
    to: timeParam.optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
    order: z.enum(['asc', 'desc']).default('asc'),
  })
  .strict();

const writeBody = z
  .object({
    point: z.string().min(1, 'name the point (or command) to write'),
    value: z.union([readingValueSchema, z.record(z.string(), readingValueSchema)]),
  })
  .strict();

export function devicesRouter(gw: GatewayView): Router {
  const r = Router();
  const find = (id: string): DeviceView => {
    const v = gw.device(id);
    if (!v) throw new QuaysideError('EDGE_DEVICE_NOT_FOUND', `"${id}"`);
    return v;
  };
  /** Newest reading of each point, in profile order. */
  const latestOf = (v: DeviceView) => {
    const order = new Map(v.entry.profile.points.map((p, i) => [p.name, i]));
    return gw.store
      .latest(v.entry.id)
      .sort((a, b) => (order.get(a.point) ?? 1e9) - (order.get(b.point) ?? 1e9))
      .map((x) => toReading(x, gw.unitOf(v.entry.profile, x.point)));
  };

  r.get('/', handle((_req, res) => {
    res.json({ devices: gw.devices().map(deviceSummary) });
  }));

  r.get('/:id', handle((req, res) => {
    const v = find(req.params['id']!);
    res.json({
      ...deviceSummary(v),
      profile: profileSummary(v.entry.profile),
      stats: v.stats ?? null,
      alarms: v.activeAlarms.map((a) => ({ point: a.alarm.point, side: a.side, severity: a.alarm.severity, message: a.alarm.message })),
      latest: latestOf(v),
    });
  }));

  r.get('/:id/latest', handle((req, res) => {
    const v = find(req.params['id']!);
    res.json({ device: v.entry.id, readings: latestOf(v) });
  }));

  r.get('/:id/history', handle((req, res) => {
    const v = find(req.params['id']!);
    const q = parseInput(historyQuery, req.query, 'query');
    if (q.point !== undefined && !v.entry.profile.points.some((p) => p.name === q.point)) {
      throw new QuaysideError('EDGE_POINT_NOT_FOUND', `"${q.point}" on ${v.entry.id} (points: ${v.entry.profile.points.map((p) => p.name).join(', ')})`);
    }
    const to = q.to ?? Date.now();
    const from = q.from ?? to - 3_600_000;
    if (from > to) throw new QuaysideError('EDGE_BAD_REQUEST', 'query.from: must not be after "to"');
    const rows = gw.store.history({ device: v.entry.id, point: q.point, from, to, limit: q.limit, order: q.order });
    res.json({
      device: v.entry.id,
      point: q.point ?? null,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      limit: q.limit,
      count: rows.length,
      readings: rows.map((x) => toReading(x, gw.unitOf(v.entry.profile, x.point))),
    });
  }));

  r.post('/:id/write', handle(async (req, res) => {
    const v = find(req.params['id']!);
    const body = parseInput(writeBody, req.body, 'body');
    const p = v.entry.profile;
    if (isModbusProfile(p)) {
      const point = p.points.find((x) => x.name === body.point);
      if (!point) throw new QuaysideError('EDGE_POINT_NOT_FOUND', `"${body.point}" on ${v.entry.id}`);
      if (!point.writable) throw new QuaysideError('EDGE_WRITE_NOT_WRITABLE', `${v.entry.id}.${body.point}`);
      if (typeof body.value === 'object' && body.value !== null) throw new QuaysideError('EDGE_BAD_REQUEST', 'body.value: a Modbus point takes a number, boolean or string');
    } else if (!p.commands.some((c) => c.name === body.point)) {
      throw new QuaysideError('EDGE_POINT_NOT_FOUND', `no command "${body.point}" on ${v.entry.id} (commands: ${p.commands.map((c) => c.name).join(', ') || 'none'})`);
    }
    if (!v.entry.config.enabled) throw new QuaysideError('EDGE_DEVICE_UNAVAILABLE', `${v.entry.id} is disabled in the config`);
    const result = await gw.write(v.entry.id, body.point, body.value);
    res.json({ device: v.entry.id, point: body.point, value: body.value, confirmed: result.confirmed, readBack: result.readBack ?? null });
  }));

  return r;
}
