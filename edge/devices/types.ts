/**
 * The port between the gateway core (scheduler, store, API) and device drivers. A driver knows its
 * profile and its transport; it never knows about storage, MQTT or HTTP.
 */
import type { QualityReason, Quality, ReadingValue } from '../../shared/contracts/reading.js';
import type { FirmwareProfile } from '../../shared/profile/schema.js';

/** One point's outcome of a poll, before the core adds device id, unit and stuck-value checks. */
export interface PointSample {
  point: string;
  ts: number;
  value: ReadingValue;
  quality: Quality;
  reason?: QualityReason;
  detail?: string;
}

export interface WriteResult {
  point: string;
  /** True when the profile allows read-back and the value read back equals the value written. */
  confirmed: boolean;
  /** The value read back, when read back. */
  readBack?: ReadingValue;
}

/** A device read on a schedule (Modbus). One call = one round of transactions over its bus. */
export interface PolledDriver {
  readonly mode: 'polled';
  readonly deviceId: string;
  readonly profile: FirmwareProfile;
  /** Reads every point; transport failures become samples of quality bad with a reason, never throws for them. */
  readAll(): Promise<PointSample[]>;
  /** Writes a point (or sends a command); throws a QuaysideError (EDGE_WRITE_*, EDGE_MODBUS_*) on failure. */
  write(point: string, value: ReadingValue): Promise<WriteResult>;
  close(): Promise<void>;
}

/** A device that talks by itself (line-protocol sentences). */
export interface StreamingDriver {
  readonly mode: 'streaming';
  readonly deviceId: string;
  readonly profile: FirmwareProfile;
  /** Starts listening; samples arrive through `onSamples`, rejected frames through `onRejected`. */
  start(handlers: StreamHandlers): Promise<void>;
  /** Sends a command (an output sentence) built from `args`; resolves when acknowledged (if the profile asks for an ack). */
  write(command: string, args: ReadingValue | Record<string, ReadingValue>): Promise<WriteResult>;
  close(): Promise<void>;
}

export interface StreamHandlers {
  onSamples(samples: PointSample[]): void;
  /** A frame was rejected (checksum, malformed, unknown sentence): logged and counted, never fatal. */
  onRejected(reason: QualityReason, detail: string): void;
  /** Events that are not point values, e.g. a queue terminal's button press. */
  onEvent?(event: { name: string; ts: number; fields: Record<string, ReadingValue> }): void;
}

export type DeviceDriver = PolledDriver | StreamingDriver;
