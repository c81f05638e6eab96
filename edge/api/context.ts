/** What the HTTP API may see and do: a read view of the running gateway plus the write path. */
import type { FirmwareProfile } from '../../shared/profile/schema.js';
import type { ProfileCatalog } from '../config/profiles.js';
import type { AlarmDef } from '../../shared/profile/schema.js';
import type { DeviceHealth } from '../devices/health.js';
import type { DeviceEntry, TransportEntry } from '../devices/registry.js';
import type { LaneStats, WriteValue } from '../devices/scheduler.js';
import type { WriteResult } from '../devices/types.js';
import type { EdgeStore, WriterStats } from '../store/store.js';

export interface DeviceView {
  entry: DeviceEntry;
  health: DeviceHealth | undefined;
  stats: Readonly<LaneStats> | undefined;
  activeAlarms: { alarm: AlarmDef; index: number; side: 'above' | 'below' }[];
}

export interface GatewayView {
  readonly info: { id: string; name: string; startedAt: number; configVersion: number };
  readonly profiles: ProfileCatalog;
  readonly store: EdgeStore;
  writerStats(): Readonly<WriterStats>;
  devices(): DeviceView[];
  device(id: string): DeviceView | undefined;
  transports(): readonly TransportEntry[];
  /** Through the scheduler (ahead of the device's next poll). */
  write(deviceId: string, point: string, value: WriteValue): Promise<WriteResult>;
  unitOf(profile: FirmwareProfile, point: string): string;
}
