/**
 * The gateway config file: which devices sit on which port or bus, how often they are read, where
 * data lives. What a device model *is* lives in its firmware profile, never here.
 * Paths (`dataDir`, `profilesDir`, bus and serial paths) may be relative to the config file's folder.
 */
import { z } from 'zod';
import { serialSettingsSchema } from '../../shared/profile/schema.js';
import { LOG_LEVELS } from '../logger.js';

/** The config format this gateway writes and reads; older files are migrated (see migrations.ts). */
export const CONFIG_VERSION = 1;

const ID_HINT = 'use letters, digits, ".", "_" or "-" (1–64, starting with a letter or digit)';
export const configIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, ID_HINT);
const modelRef = z.string().min(1, 'name a firmware profile model id, e.g. "qs-dg6-rtu"');
const portSchema = (what: string) =>
  z.number({ error: `${what} must be a number` }).int(`${what} must be an integer`).min(1, `${what} must be 1–65535`).max(65535, `${what} must be 1–65535`);

export const tcpConnectionSchema = z
  .object({
    type: z.literal('tcp'),
    host: z.string().min(1, 'host must not be empty'),
    port: portSchema('a TCP port'),
    /** Modbus TCP unit id (0–255); defaults to the profile's defaultUnitId. */
    unitId: z.number().int().min(0, 'a Modbus TCP unit id is 0–255').max(255, 'a Modbus TCP unit id is 0–255').optional(),
  })
  .strict();

export const rtuConnectionSchema = z
  .object({
    type: z.literal('rtu'),
    /** Id of an entry in `buses`. */
    bus: z.string().min(1),
    unitId: z.number().int().min(1, 'a Modbus RTU unit id is 1–247').max(247, 'a Modbus RTU unit id is 1–247'),
  })
  .strict();

export const serialConnectionSchema = z
  .object({
    type: z.literal('serial'),
    /** Serial device path, e.g. /dev/ttyUSB0. */
    path: z.string().min(1, 'path must not be empty'),
  })
  .strict();

export const connectionSchema = z.discriminatedUnion('type', [tcpConnectionSchema, rtuConnectionSchema, serialConnectionSchema], {
  error: 'connection.type must be "tcp", "rtu" or "serial"',
});
export type Connection = z.infer<typeof connectionSchema>;

export const deviceConfigSchema = z
  .object({
    id: configIdSchema,
    /** Firmware profile model id (a file in profilesDir). */
    profile: modelRef,
    enabled: z.boolean().default(true),
    label: z.string().max(200).optional(),
    connection: connectionSchema,
    /** Overrides the profile's pollIntervalMs (polled devices only). */
    pollIntervalMs: z.number().int().min(50, 'pollIntervalMs must be at least 50').max(3_600_000, 'pollIntervalMs must be at most 3600000 (1 h)').optional(),
  })
  .strict();
export type DeviceConfig = z.infer<typeof deviceConfigSchema>;

export const busConfigSchema = z
  .object({
    id: configIdSchema,
    type: z.literal('rtu'),
    path: z.string().min(1, 'path must not be empty'),
    /** Line settings; any field left out comes from the profiles of the devices on the bus. */
    serial: serialSettingsSchema.partial().optional(),
  })
  .strict();
export type BusConfig = z.infer<typeof busConfigSchema>;

export const storeConfigSchema = z
  .object({
    /** Longest time a reading waits in memory before its batch commits. */
    batchMs: z.number().int().min(10).max(5000).default(200),
    /** A batch also commits as soon as it holds this many readings. */
    batchRows: z.number().int().min(1).max(100_000).default(5000),
    retentionDays: z.number().positive().max(3650).default(30),
  })
  .strict();

export const gatewayConfigSchema = z
  .object({
    version: z.literal(CONFIG_VERSION, { error: `version must be ${CONFIG_VERSION}` }),
    gateway: z.object({ id: configIdSchema, name: z.string().min(1, 'name must not be empty') }).strict(),
    dataDir: z.string().min(1, 'dataDir must not be empty'),
    api: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        /** 0 picks a free port (tests). */
        port: z.number().int().min(0, 'api.port must be 0–65535').max(65535, 'api.port must be 0–65535').default(8080),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080 }),
    log: z.object({ level: z.enum(LOG_LEVELS).default('info') }).strict().default({ level: 'info' }),
    profilesDir: z.string().min(1).default('firmware-profiles'),
    buses: z.array(busConfigSchema).default([]),
    devices: z.array(deviceConfigSchema).default([]),
    store: storeConfigSchema.default({ batchMs: 200, batchRows: 5000, retentionDays: 30 }),
  })
  .strict();

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
/** The validated, frozen config (paths resolved against the config file's folder). */
export type GatewayConfig = DeepReadonly<z.infer<typeof gatewayConfigSchema>>;
export type GatewayDeviceConfig = GatewayConfig['devices'][number];
export type GatewayBusConfig = GatewayConfig['buses'][number];
