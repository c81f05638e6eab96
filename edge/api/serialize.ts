/** API shapes built from internal objects (readings follow shared/contracts/reading.ts). */
import type { Reading } from '../../shared/contracts/reading.js';
import { isModbusProfile, type FirmwareProfile } from '../../shared/profile/schema.js';
import type { DeviceHealth } from '../devices/health.js';
import type { StoredReading } from '../store/store.js';
import type { DeviceView } from './context.js';

export function unitOf(profile: FirmwareProfile, point: string): string {
  return profile.points.find((p) => p.name === point)?.unit ?? '';
}

export function toReading(r: StoredReading, unit: string): Reading {
  const out: Reading = { device: r.device, point: r.point, ts: r.ts, value: r.value, unit, quality: r.quality };
  if (r.reason !== undefined) out.reason = r.reason;
  if (r.detail !== undefined) out.detail = r.detail;
  return out;
}

export function healthJson(h: DeviceHealth | undefined, enabled: boolean, buildError: string | undefined) {
  if (!enabled) return { state: 'disabled' as const };
  if (!h) return { state: 'offline' as const, reason: 'disconnected', detail: buildError ?? 'not started' };
  return {
    state: h.state,
    reason: h.reason ?? null,
    detail: h.detail ?? null,
    since: new Date(h.since).toISOString(),
    lastGoodAt: h.lastGoodAt === undefined ? null : new Date(h.lastGoodAt).toISOString(),
    consecutiveFailures: h.consecutiveFailures,
    badShare: h.badShare,
  };
}

export function deviceSummary(v: DeviceView) {
  const { entry } = v;
  const conn = entry.config.connection;
  return {
    id: entry.id,
    label: entry.config.label ?? null,
    model: entry.profile.model,
    kind: entry.profile.kind,
    enabled: entry.config.enabled,
    mode: isModbusProfile(entry.profile) ? 'polled' : 'streaming',
    connection: conn,
    pollIntervalMs: entry.pollIntervalMs ?? null,
    health: healthJson(v.health, entry.config.enabled, entry.buildError),
  };
}

export function profileSummary(p: FirmwareProfile) {
  const modbus = isModbusProfile(p);
  return {
    model: p.model,
    version: p.version,
    manufacturer: p.manufacturer,
    kind: p.kind,
    name: p.name,
    description: p.description,
    transport: p.transport.type,
    pollIntervalMs: modbus ? p.pollIntervalMs : null,
    points: p.points.map((pt) => ({
      name: pt.name,
      label: pt.label,
      unit: pt.unit,
      type: pt.type,
      writable: 'writable' in pt ? pt.writable : false,
      range: pt.range ?? null,
      decimals: pt.decimals ?? null,
    })),
    commands: modbus ? [] : p.commands.map((c) => ({ name: c.name, label: c.label, sentence: c.sentence })),
    alarms: p.alarms.length,
  };
}
