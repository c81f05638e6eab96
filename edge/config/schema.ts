/**
 * The gateway config file: which devices sit on which port or bus, how often they are read, where
 * data lives. What a device model *is* lives in its firmware profile, never here.
 * Paths (`dataDir`, `profilesDir`, bus and serial paths) may be relative to the config file's folder.
 */
import { z } from 'zod';
import { serialSettingsSchema } from '../../shared/profile/schema.js';
import { MAX_ENVELOPE_BYTES, MAX_ENVELOPE_ITEMS } from '../../shared/contracts/envelope.js';
import { GATEWAY_ID_PATTERN } from '../../shared/contracts/topics.js';
import { LOG_LEVELS } from '../logger.js';
import { CameraConfigSchema } from '../vision/camera/config.js';

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

const brokerUrl = z.string().regex(/^(mqtts?|wss?):\/\/[^\s/]+/, 'a broker URL is mqtt://HOST:PORT or mqtts://HOST:PORT (ws:// and wss:// also work)');

/**
 * Sync to the cloud (../shared/DESIGN.md §3–4). Absent = sync off. Credentials come from the file, or
 * from a one-time enrolment at first start (stored under dataDir, mode 0600); broker URLs and the CA
 * may come from the enrolment answer too.
 */
export const cloudConfigSchema = z
  .object({
    broker: z
      .object({
        /** Tried in order (failover); default: the URLs the cloud gave at enrolment (TLS first). */
        urls: z.array(brokerUrl).min(1, 'list at least one broker URL').optional(),
        /** PEM file of the CA that signed the broker's certificate; default: the CA from the enrolment. */
        caFile: z.string().min(1).optional(),
        /** 4 = MQTT 3.1.1 (the cloud's embedded aedes broker), 5 = MQTT 5 (an external broker that offers it). */
        protocolVersion: z.union([z.literal(4), z.literal(5)], { error: 'protocolVersion must be 4 (MQTT 3.1.1) or 5 (MQTT 5)' }).default(4),
        /** Default: the id from the enrolment, else the gateway id (the broker requires "{gw}" or "{gw}.<suffix>"). */
        clientId: z.string().min(1).max(64).optional(),
        keepaliveS: z.number().int().min(5).max(3600).default(30),
        connectTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
        reconnectMs: z.number().int().min(100).max(300_000).default(2000),
        /** MQTT 5: how long the broker keeps the session (queued acks and commands) while the gateway is away. */
        sessionExpiryS: z.number().int().min(0).max(4_294_967_295).default(7 * 24 * 3600),
      })
      .strict()
      .default({ protocolVersion: 4, keepaliveS: 30, connectTimeoutMs: 10_000, reconnectMs: 2000, sessionExpiryS: 7 * 24 * 3600 }),
    credentials: z.object({ username: z.string().min(1), password: z.string().min(1) }).strict().optional(),
    enrolment: z
      .object({
        /** Base URL of the cloud API, e.g. https://cloud.example:8443. */
        url: z.string().regex(/^https?:\/\/\S+$/, 'the enrolment url is the cloud API base, http(s)://HOST:PORT'),
        /** The one-time token the cloud gave when the gateway was created. */
        token: z.string().min(1).max(200),
      })
      .strict()
      .optional(),
    sync: z
      .object({
        /** Items per envelope (at most the contract's limit). */
        maxItems: z.number().int().min(1).max(MAX_ENVELOPE_ITEMS, `maxItems must be at most ${MAX_ENVELOPE_ITEMS}`).default(MAX_ENVELOPE_ITEMS),
        /** Bytes per envelope (at most the contract's limit). */
        maxBytes: z.number().int().min(4096).max(MAX_ENVELOPE_BYTES, `maxBytes must be at most ${MAX_ENVELOPE_BYTES}`).default(MAX_ENVELOPE_BYTES),
        /** Batches sent and not yet committed by the cloud, at most. */
        window: z.number().int().min(1).max(1024).default(16),
        /** Window slots kept for the newest data while a backlog drains (default: a quarter of the window, at least 1). */
        liveSlots: z.number().int().min(1).max(1024).optional(),
        /** A batch not committed within this time is sent again (doubling per attempt, at most 8×). */
        ackTimeoutMs: z.number().int().min(200).max(600_000).default(15_000),
        /** On a clean stop, wait this long for batches in flight to be committed. */
        stopGraceMs: z.number().int().min(0).max(60_000).default(2000),
      })
      .strict()
      .default({ maxItems: MAX_ENVELOPE_ITEMS, maxBytes: MAX_ENVELOPE_BYTES, window: 16, ackTimeoutMs: 15_000, stopGraceMs: 2000 }),
    retention: z
      .object({
        /** Disk the store may use (live pages of the SQLite file). Beyond it, acknowledged data goes first, then the oldest unsent readings, with an alarm. */
        budgetMB: z.number().positive().max(10_000_000).default(2048),
        /** How often the budget is checked. */
        checkEveryMs: z.number().int().min(1000).max(3_600_000).default(60_000),
      })
      .strict()
      .default({ budgetMB: 2048, checkEveryMs: 60_000 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.credentials && !c.enrolment) {
      ctx.addIssue({ code: 'custom', path: ['credentials'], message: 'give "credentials" {username, password} or an "enrolment" {url, token} to obtain them' });
    }
    if (!c.broker.urls && !c.enrolment) {
      ctx.addIssue({ code: 'custom', path: ['broker', 'urls'], message: 'list the broker URLs (or give an "enrolment", whose answer names them)' });
    }
    if (c.sync.liveSlots !== undefined && c.sync.liveSlots >= c.sync.window && c.sync.window > 1) {
      ctx.addIssue({ code: 'custom', path: ['sync', 'liveSlots'], message: `liveSlots must be smaller than the window (${c.sync.window}) so the backlog can drain` });
    }
  });
export type CloudSectionInput = z.input<typeof cloudConfigSchema>;

/** A password hash of a flows admin: scrypt in the cloud's 4A format, or a bcrypt hash as Node-RED makes them. */
export const PASSWORD_HASH_PATTERN = /^(scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+|\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53})$/;

/**
 * The embedded Node-RED (edge/flows, docs/flows.md). Absent or `enabled: false` = no flows at all.
 * Admins sign in to the editor and the admin API with `adminUsers`; hashes come from
 * `node --import tsx edge/flows/hash-password.ts` (scrypt) or Node-RED's `node-red admin hash-pw` (bcrypt).
 */
export const flowsConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Node-RED's user directory (flows, credentials, versions); relative paths resolve against dataDir. Default: <dataDir>/node-red. */
    userDir: z.string().min(1).optional(),
    /** Encrypts the flows' credentials file; without it Node-RED generates a key and keeps it in the userDir. */
    credentialSecret: z.string().min(12, 'credentialSecret must be at least 12 characters').optional(),
    adminUsers: z
      .array(
        z
          .object({
            username: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/, 'a username is 1–64 letters, digits, ".", "_", "@" or "-"'),
            passwordHash: z.string().regex(PASSWORD_HASH_PATTERN, 'passwordHash is "scrypt$N$r$p$salt$hash" (edge/flows/hash-password.ts) or a bcrypt hash ("$2b$…")'),
            /** "*" = edit and deploy; "read" = look only. */
            permissions: z.enum(['*', 'read']).default('*'),
          })
          .strict(),
      )
      .default([]),
    /** Serve the admin API only (deploys from the cloud and scripts), without the browser editor. */
    disableEditor: z.boolean().default(false),
    /** A Function node's run is stopped after this many seconds (an endless loop cannot hold the gateway longer). */
    functionTimeoutS: z.number().min(0.05, 'functionTimeoutS must be at least 0.05').max(60, 'functionTimeoutS must be at most 60').default(1),
    /** Install the shipped default flows (flows/*.json) when the userDir has no flows file yet. */
    installDefaults: z.boolean().default(true),
    /** Keep Node-RED's exec node (runs shell commands as the gateway's user). Off by default. */
    allowExec: z.boolean().default(false),
    /** Editor sessions expire after this many seconds. */
    sessionExpiryS: z.number().int().min(60).max(30 * 86_400).default(8 * 3600),
    /** Flow versions kept for rollback. */
    keepVersions: z.number().int().min(1).max(200).default(20),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.enabled && f.adminUsers.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['adminUsers'], message: 'with flows enabled, list at least one admin {username, passwordHash}: the editor and admin API never run without a login' });
    }
    const seen = new Set<string>();
    f.adminUsers.forEach((u, i) => {
      if (seen.has(u.username)) ctx.addIssue({ code: 'custom', path: ['adminUsers', i, 'username'], message: `duplicate username "${u.username}"` });
      seen.add(u.username);
    });
  });
export type FlowsSectionInput = z.input<typeof flowsConfigSchema>;

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
    /** Sync to the cloud; off when absent. */
    cloud: cloudConfigSchema.optional(),
    /** Embedded Node-RED; off when absent. */
    flows: flowsConfigSchema.optional(),
    /** IP cameras (RTSP or a video file) and the analyses run on each, locally. */
    cameras: z.array(CameraConfigSchema).default([]),
    vision: z
      .object({
        /** Blur faces in every stored snapshot (privacy), whatever the camera analyses. */
        blurFaces: z.boolean().default(true),
        /** Detections under this confidence are not stored. */
        minConfidence: z.number().min(0).max(1).default(0.6),
        /** Frames combined into one draft-mark reading (damps the waves). */
        draftFrames: z.number().int().min(1).max(50).default(5),
        /** onnxruntime intra-op threads per model (default: what onnxruntime picks). */
        threads: z.number().int().min(1).max(64).optional(),
      })
      .strict()
      .default({ blurFaces: true, minConfidence: 0.6, draftFrames: 5 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = new Set(c.devices.map((d) => d.id));
    const seen = new Set<string>();
    c.cameras.forEach((cam, i) => {
      if (ids.has(cam.id)) ctx.addIssue({ code: 'custom', path: ['cameras', i, 'id'], message: `camera id ${JSON.stringify(cam.id)} is already a device id; events name their source by id` });
      if (seen.has(cam.id)) ctx.addIssue({ code: 'custom', path: ['cameras', i, 'id'], message: `camera id ${JSON.stringify(cam.id)} is used twice` });
      seen.add(cam.id);
    });
    if (c.cloud && !GATEWAY_ID_PATTERN.test(c.gateway.id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['gateway', 'id'],
        message: `with "cloud" set, the gateway id is its identity in MQTT topics: 2–63 characters of a-z, 0-9 and "-" (not ${JSON.stringify(c.gateway.id)})`,
      });
    }
  });

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
/** The validated, frozen config (paths resolved against the config file's folder). */
export type GatewayConfig = DeepReadonly<z.infer<typeof gatewayConfigSchema>>;
export type GatewayDeviceConfig = GatewayConfig['devices'][number];
export type GatewayBusConfig = GatewayConfig['buses'][number];
export type GatewayCloudConfig = NonNullable<GatewayConfig['cloud']>;
export type GatewayFlowsConfig = NonNullable<GatewayConfig['flows']>;
