/**
 * The cloud service's configuration. Everything has a default except the admin token, so the smallest
 * file is `{ "version": 1, "admin": { "token": "…" } }`: SQLite store and embedded time-series under
 * dataDir, embedded aedes broker on 1883 (TCP) and 8883 (TLS, self-signed certificate generated at start).
 */
import { z } from 'zod';
import { GATEWAY_ID_PATTERN } from '../../shared/contracts/topics.js';
import { LOG_LEVELS } from '../logger.js';

export const CLOUD_CONFIG_VERSION = 1;

const port = z.number().int().min(0).max(65535);
const host = z.string().min(1);
const secret = z.string().min(16, 'use at least 16 characters');

const sqliteStore = z
  .object({
    driver: z.literal('sqlite'),
    /** Relative to dataDir. */
    file: z.string().min(1).default('cloud.db'),
  })
  .strict();
const postgresStore = z
  .object({
    driver: z.literal('postgres'),
    url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URL'),
    poolSize: z.number().int().min(1).max(100).default(10),
  })
  .strict();

const embeddedSeries = z.object({ driver: z.literal('embedded'), file: z.string().min(1).default('series.db') }).strict();
const influxSeries = z
  .object({
    driver: z.literal('influx'),
    url: z.url({ protocol: /^https?$/ }),
    database: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-"'),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** Measurement the readings are written to. */
    measurement: z.string().min(1).default('reading'),
    /** Points per HTTP write; a batch is also sent after flushMs. */
    batchSize: z.number().int().min(1).max(100_000).default(5000),
    flushMs: z.number().int().min(0).max(10_000).default(20),
    /** Tries per batch before it is spooled. */
    maxRetries: z.number().int().min(0).max(10).default(2),
    retryBaseMs: z.number().int().min(1).max(60_000).default(100),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** The on-disk spool (under dataDir) that holds batches while InfluxDB is down. */
    spoolFile: z.string().min(1).default('influx-spool.db'),
    spoolMaxBytes: z.number().int().min(1024).default(512 * 1024 * 1024),
    /** Longest pause between tries while replaying the spool. */
    probeMaxMs: z.number().int().min(10).max(60_000).default(5000),
  })
  .strict();

const embeddedBroker = z
  .object({
    mode: z.literal('embedded'),
    host: host.default('0.0.0.0'),
    /** Plain MQTT port; null turns plain TCP off (TLS only). */
    port: port.nullable().default(1883),
    tlsPort: port.default(8883),
    /** Host name gateways use to reach the broker, given to them at enrolment. */
    publicHost: host.optional(),
    tls: z
      .object({
        certFile: z.string().min(1),
        keyFile: z.string().min(1),
        /** The CA gateways should trust; the certificate itself when omitted. */
        caFile: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Extra names/IPs put in the generated self-signed certificate (besides localhost and 127.0.0.1). */
    certNames: z.array(z.string().min(1)).default([]),
    /** An internal client with full access (operators' tools, the console's live view). */
    admin: z
      .object({
        username: z.string().min(1).refine((u) => !GATEWAY_ID_PATTERN.test(u), 'must not look like a gateway id (use e.g. "_admin")'),
        password: secret,
      })
      .strict()
      .optional(),
  })
  .strict();
const externalBroker = z
  .object({
    mode: z.literal('external'),
    /** mqtt://, mqtts://, ws:// or wss:// URL of the broker cluster. */
    url: z.string().regex(/^(mqtts?|wss?):\/\//, 'an mqtt://, mqtts://, ws:// or wss:// URL'),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    caFile: z.string().min(1).optional(),
    /** Unique per replica; a random one when omitted. */
    clientId: z.string().min(1).max(64).optional(),
    /** The shared-subscription group all replicas join. */
    shareGroup: z.string().regex(/^[A-Za-z0-9_-]+$/).default('ingest'),
    /** URLs given to gateways at enrolment (the external broker's credentials are provisioned there). */
    gatewayUrls: z.object({ tcp: z.string().optional(), tls: z.string().optional() }).strict().default({}),
  })
  .strict();

/** Console 4A: sessions, password rules, lockout, login rate limit, field encryption, OIDC. */
const oidcConfig = z
  .object({
    /** The customs identity provider's issuer URL (discovery at /.well-known/openid-configuration). */
    issuer: z.url({ protocol: /^https?$/ }),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    /** Absolute URL of GET /api/auth/oidc/callback as registered at the IdP. */
    redirectUri: z.url({ protocol: /^https?$/ }),
    scopes: z.string().min(1).default('openid email profile'),
    /** An unknown subject: map to the user with the same e-mail, or create a pending account. */
    unknownSubject: z.enum(['pending', 'email']).default('pending'),
    /** Where the browser lands after a login without returnTo. */
    postLoginRedirect: z.string().regex(/^\/(?!\/)/, 'a path on this site').default('/'),
    /** Button label on the login page. */
    label: z.string().min(1).default('海关统一身份认证'),
    /** Allow an http:// issuer (tests, a lab IdP); never in production. */
    allowHttp: z.boolean().default(false),
  })
  .strict();

const authConfig = z
  .object({
    /** Keys session ids (HMAC-SM3) before they are stored; generated under dataDir when omitted (set it for several replicas). */
    sessionSecret: secret.optional(),
    /** SM4 key for sensitive fields, 32 hex digits; generated under dataDir/keys when omitted (set it for several replicas). */
    fieldKey: z.string().regex(/^[0-9a-fA-F]{32}$/, '32 hex digits (16 bytes)').optional(),
    /** Express "trust proxy": true behind a reverse proxy that sets X-Forwarded-For/-Proto. */
    trustProxy: z.union([z.boolean(), z.number().int().min(0)]).default(false),
    session: z
      .object({
        cookieName: z.string().regex(/^[A-Za-z0-9_-]+$/).default('qs_session'),
        csrfCookieName: z.string().regex(/^[A-Za-z0-9_-]+$/).default('qs_csrf'),
        /** "auto": Secure when the request came over https. */
        secure: z.union([z.boolean(), z.literal('auto')]).default('auto'),
        idleMinutes: z.number().positive().max(24 * 60).default(30),
        absoluteHours: z.number().positive().max(24 * 30).default(12),
      })
      .strict()
      .default({ cookieName: 'qs_session', csrfCookieName: 'qs_csrf', secure: 'auto', idleMinutes: 30, absoluteHours: 12 }),
    password: z
      .object({
        minLength: z.number().int().min(8).max(128).default(10),
        /** Of lower case, upper case, digits, other characters. */
        minClasses: z.number().int().min(1).max(4).default(3),
        scrypt: z
          .object({ N: z.number().int().min(1024).max(1 << 20).default(16384), r: z.number().int().min(1).max(32).default(8), p: z.number().int().min(1).max(16).default(1) })
          .strict()
          .default({ N: 16384, r: 8, p: 1 }),
      })
      .strict()
      .default({ minLength: 10, minClasses: 3, scrypt: { N: 16384, r: 8, p: 1 } }),
    lockout: z
      .object({ maxFailures: z.number().int().min(1).max(100).default(5), lockMinutes: z.number().positive().max(24 * 60).default(15) })
      .strict()
      .default({ maxFailures: 5, lockMinutes: 15 }),
    /** Login attempts per IP + username in a sliding window (per replica). */
    loginRateLimit: z
      .object({ max: z.number().int().min(1).max(10_000).default(10), windowSeconds: z.number().int().min(1).max(86_400).default(60) })
      .strict()
      .default({ max: 10, windowSeconds: 60 }),
    /** Creates this system administrator at start when no user exists yet. */
    bootstrapAdmin: z.object({ username: z.string().min(3).max(64), password: z.string().min(10) }).strict().optional(),
    oidc: oidcConfig.optional(),
  })
  .strict();

/** Console supervision work: evidence files, monitoring, quarantine rules. */
const supervisionConfig = z
  .object({
    /** Evidence photos, under dataDir. */
    evidenceDir: z.string().min(1).default('evidence'),
    maxPhotoBytes: z.number().int().min(1024).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
    /** How often the store is read for new alarms and gateway state changes (pushed to the console). */
    pollMs: z.number().int().min(50).max(60_000).default(1000),
    /** A device whose newest reading is older than this is shown stale. */
    deviceStaleMs: z.number().int().min(1000).default(5 * 60 * 1000),
    /** Last ports of call that make a boarding quarantine the suggestion (UN/LOCODE or names). */
    riskPorts: z.array(z.string().min(1)).default([]),
    /** Queue-call commands expire at the edge after this long. */
    queueCallTtlMs: z.number().int().min(1000).max(3_600_000).default(120_000),
  })
  .strict();

export const cloudConfigSchema = z
  .object({
    version: z.literal(CLOUD_CONFIG_VERSION).default(CLOUD_CONFIG_VERSION),
    /** Where SQLite files, the spool and generated TLS material live. */
    dataDir: z.string().min(1).default('data/cloud'),
    log: z.object({ level: z.enum(LOG_LEVELS).default('info') }).strict().default({ level: 'info' }),
    api: z
      .object({ host: host.default('0.0.0.0'), port: port.default(8080) })
      .strict()
      .default({ host: '0.0.0.0', port: 8080 }),
    admin: z.object({ token: secret }).strict(),
    store: z.discriminatedUnion('driver', [sqliteStore, postgresStore]).default({ driver: 'sqlite', file: 'cloud.db' }),
    timeseries: z.discriminatedUnion('driver', [embeddedSeries, influxSeries]).default({ driver: 'embedded', file: 'series.db' }),
    broker: z
      .discriminatedUnion('mode', [embeddedBroker, externalBroker])
      .default({ mode: 'embedded', host: '0.0.0.0', port: 1883, tlsPort: 8883, certNames: [] }),
    ingest: z
      .object({
        /** Envelopes processed at the same time. */
        concurrency: z.number().int().min(1).max(1024).default(64),
        /** Messages waiting beyond that; more are dropped (the gateway resends what is not committed). */
        maxQueued: z.number().int().min(1).default(20_000),
      })
      .strict()
      .default({ concurrency: 64, maxQueued: 20_000 }),
    enrolment: z
      .object({ tokenTtlHours: z.number().positive().max(24 * 365).default(72) })
      .strict()
      .default({ tokenTtlHours: 72 }),
    auth: authConfig.default(() => authConfig.parse({})),
    supervision: supervisionConfig.default(() => supervisionConfig.parse({})),
  })
  .strict();

export type CloudConfigInput = z.input<typeof cloudConfigSchema>;
export type CloudConfig = z.output<typeof cloudConfigSchema>;
export type StoreConfig = CloudConfig['store'];
export type AuthConfig = CloudConfig['auth'];
export type OidcConfig = NonNullable<AuthConfig['oidc']>;
export type SupervisionConfig = CloudConfig['supervision'];
export type SeriesConfig = CloudConfig['timeseries'];
export type InfluxConfig = Extract<SeriesConfig, { driver: 'influx' }>;
export type BrokerConfig = CloudConfig['broker'];
export type EmbeddedBrokerConfig = Extract<BrokerConfig, { mode: 'embedded' }>;
export type ExternalBrokerConfig = Extract<BrokerConfig, { mode: 'external' }>;
