/**
 * Settings changed by `config.set` commands, persisted in the store's kv table (key `config.override`)
 * on top of the frozen config file: the composition root applies them at start, and live where the
 * running gateway can (see commands.ts).
 */
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from '../logger.js';

export const OVERRIDES_KEY = 'config.override';

const overridesSchema = z.object({
  devices: z.record(z.string(), z.object({ pollIntervalMs: z.number().int().min(50).max(3_600_000).optional(), enabled: z.boolean().optional() })).default({}),
  logLevel: z.enum(LOG_LEVELS).optional(),
});
export type Overrides = z.infer<typeof overridesSchema>;
export type DeviceOverride = Overrides['devices'][string];

export interface KvStore {
  kvGet(key: string): string | undefined;
  kvSet(key: string, value: string): void;
}

/** The saved overrides; an unreadable value counts as none (and is replaced by the next change). */
export function readOverrides(kv: KvStore): Overrides {
  const raw = kv.kvGet(OVERRIDES_KEY);
  if (raw === undefined) return { devices: {} };
  try {
    const r = overridesSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : { devices: {} };
  } catch {
    return { devices: {} };
  }
}

export function saveDeviceOverride<K extends keyof DeviceOverride>(kv: KvStore, device: string, key: K, value: NonNullable<DeviceOverride[K]>): void {
  const o = readOverrides(kv);
  o.devices[device] = { ...o.devices[device], [key]: value };
  kv.kvSet(OVERRIDES_KEY, JSON.stringify(o));
}

export function saveLogLevel(kv: KvStore, level: LogLevel): void {
  const o = readOverrides(kv);
  o.logLevel = level;
  kv.kvSet(OVERRIDES_KEY, JSON.stringify(o));
}
