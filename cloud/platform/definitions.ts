/**
 * The declared shapes of the data platform, validated with zod at every boundary (API bodies, files):
 *
 *   ConnectorDefinition  where data comes from (kind + endpoint), credentials BY REFERENCE (an
 *                        environment variable or a named secret, never the secret itself), schedule,
 *                        retries, incremental cursor, and which pipeline/data set it feeds
 *   PipelineDefinition   declarative steps between a source and a data set (see pipeline.ts)
 *   DatasetDefinition    a landed data set (table `ds_<name>`): fields, key, owner, quality rules
 *
 * Every definition is versioned: saving one stores a new version and keeps the earlier ones; runs
 * record the versions they used.
 */
import { z } from 'zod';
import { IDENTIFIER_KINDS } from './identifiers.js';

const ID = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, "_" and "-", starting with a letter');
/** Data set names become table names (`ds_<name>`): no dashes. */
const DATASET = z.string().regex(/^[a-z][a-z0-9_]{0,48}$/, 'lower-case letters, digits and "_", starting with a letter');
/** Column names in data sets and field names produced by steps. */
export const FIELD = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and "_", starting with a letter');
/** A SQL identifier in somebody else's database (table or column), possibly schema-qualified. */
const SQL_IDENT = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/, 'a plain SQL identifier (letters, digits, "_", optionally schema.table)');

/** A credential is named, never written down: `{ env: "NAME" }` or `{ secret: "name" }`. */
export const SecretRef = z.union([
  z.object({ env: z.string().regex(/^[A-Z][A-Z0-9_]{0,127}$/, 'an environment variable name (A-Z, 0-9, _)') }).strict(),
  z.object({ secret: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'a secret name (a-z, 0-9, ".", "_", "-")') }).strict(),
]);
export type SecretRef = z.infer<typeof SecretRef>;

/** URLs may carry no user-info: a password in an endpoint would be an inline secret. */
const Url = (schemes: readonly string[]) =>
  z
    .string()
    .url()
    .refine((s) => {
      const u = new URL(s);
      return schemes.includes(u.protocol.replace(/:$/, '')) && u.username === '' && u.password === '';
    }, `a ${schemes.join('/')} URL without user or password (credentials go in "auth" by reference)`);

const FileFormat = z.enum(['csv', 'xlsx', 'json', 'ndjson']);
export type FileFormat = z.infer<typeof FileFormat>;

const HttpJsonSource = z
  .object({
    kind: z.literal('http-json'),
    url: Url(['http', 'https']),
    /** Static query parameters. */
    query: z.record(z.string(), z.string()).default({}),
    /** Dot path to the array of records in each response body ("" = the body itself). */
    records: z.string().max(200).default(''),
    auth: z.union([z.object({ type: z.literal('none') }).strict(), z.object({ type: z.literal('bearer'), token: SecretRef }).strict()]).default({ type: 'none' }),
    pagination: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('none') }).strict(),
        /** ?page=N&size=M, starting at `first`, until a page returns fewer than `size` records. */
        z.object({ type: z.literal('page'), param: z.string().default('page'), sizeParam: z.string().default('size'), size: z.number().int().min(1).max(10_000).default(100), first: z.number().int().min(0).default(1) }).strict(),
        /** The body names the next page's cursor at `next` (dot path); sent back as ?<param>=…; stops when absent. */
        z.object({ type: z.literal('cursor'), param: z.string().default('cursor'), next: z.string().default('next') }).strict(),
      ])
      .default({ type: 'none' }),
    /** Upper bound on pages per run (protects against a server that never stops). */
    maxPages: z.number().int().min(1).max(100_000).default(1000),
    /** Incremental pulls: the cursor is sent as ?<param>=<cursor>. */
    sinceParam: z.string().max(64).optional(),
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  })
  .strict();

const FileInboxSource = z
  .object({
    kind: z.literal('file-inbox'),
    /** Folder watched for dropped files; relative paths are under the platform's data folder. */
    dir: z.string().min(1),
    /** File-name glob of the form "*.csv" / "prefix*.xlsx"; "*" when omitted. */
    pattern: z.string().default('*'),
    /** Taken from the extension when omitted. */
    format: FileFormat.optional(),
    /** XLSX: the worksheet to read (name), else the first. */
    sheet: z.string().optional(),
  })
  .strict();

const PostgresSource = z
  .object({
    kind: z.literal('postgres'),
    /** postgres://host:port/db, without user or password. */
    url: Url(['postgres', 'postgresql']),
    user: SecretRef.optional(),
    password: SecretRef.optional(),
    table: SQL_IDENT,
    columns: z.array(SQL_IDENT).min(1).optional(),
    /** Watermark column: rows with a value above the cursor are read, in its order. */
    watermark: SQL_IDENT,
    batchSize: z.number().int().min(1).max(1_000_000).default(10_000),
  })
  .strict();

const MqttSource = z
  .object({
    kind: z.literal('mqtt'),
    url: Url(['mqtt', 'mqtts', 'tcp', 'ws', 'wss']),
    username: SecretRef.optional(),
    password: SecretRef.optional(),
    topics: z.array(z.string().min(1).max(256)).min(1),
    /** How long one run listens. */
    windowMs: z.number().int().min(10).max(3_600_000),
    /** A run ends early once this many messages arrived. */
    maxMessages: z.number().int().min(1).max(10_000_000).default(100_000),
    /** When set, each row carries the message's topic in this field. */
    topicField: FIELD.optional(),
  })
  .strict();

const InfluxSource = z
  .object({
    kind: z.literal('influx'),
    url: Url(['http', 'https']),
    db: z.string().min(1).max(128),
    username: SecretRef.optional(),
    password: SecretRef.optional(),
    /**
     * InfluxQL; `$cursor` is replaced by the cursor as an epoch-millisecond time literal
     * (e.g. `SELECT * FROM reading WHERE time > $cursor`), 0ms on the first run.
     */
    query: z
      .string()
      .min(1)
      .max(10_000)
      .refine((q) => /^\s*(SELECT|SHOW)\b/i.test(q) && !q.includes(';'), 'one SELECT or SHOW statement (a connector reads, it never writes)'),
  })
  .strict();

const SftpSource = z
  .object({
    kind: z.literal('sftp'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    username: z.string().min(1).max(64),
    privateKey: SecretRef.optional(),
    password: SecretRef.optional(),
    /** Pins the server: "SHA256:…" as ssh-keygen -lf prints it. Without it any host key is accepted. */
    hostKeySha256: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/).optional(),
    /** pull: read files from remoteDir; push: write the target data set there as CSV. */
    direction: z.enum(['pull', 'push']).default('pull'),
    remoteDir: z.string().min(1),
    pattern: z.string().default('*'),
    format: FileFormat.optional(),
    /** pull: what happens to a remote file once its rows are landed. */
    afterPull: z.enum(['keep', 'delete']).default('keep'),
    timeoutMs: z.number().int().min(100).max(600_000).default(20_000),
  })
  .strict()
  .refine((s) => s.privateKey !== undefined || s.password !== undefined, 'an SFTP source needs privateKey or password (by reference)');

export const ConnectorSource = z.union([HttpJsonSource, FileInboxSource, PostgresSource, MqttSource, InfluxSource, SftpSource]);
export type ConnectorSource = z.infer<typeof ConnectorSource>;
export type ConnectorKind = ConnectorSource['kind'];
export const CONNECTOR_KINDS = ['http-json', 'file-inbox', 'postgres', 'mqtt', 'influx', 'sftp'] as const satisfies readonly ConnectorKind[];

export const Schedule = z.union([z.object({ type: z.literal('manual') }).strict(), z.object({ type: z.literal('interval'), everySeconds: z.number().int().min(1).max(31 * 86400) }).strict()]);
export type Schedule = z.infer<typeof Schedule>;

export const Retry = z
  .object({
    /** Total attempts of one run (1 = no retry). */
    attempts: z.number().int().min(1).max(20).default(3),
    /** Delay before the second attempt; doubles each time up to maxBackoffMs. */
    backoffMs: z.number().int().min(0).max(3_600_000).default(2000),
    maxBackoffMs: z.number().int().min(0).max(86_400_000).default(300_000),
  })
  .strict();
export type Retry = z.infer<typeof Retry>;

export const ConnectorDefinition = z
  .object({
    id: ID,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).default(''),
    /** Who provides the data (department, enterprise, internal system). */
    provider: z.string().max(200).default(''),
    enabled: z.boolean().default(true),
    source: ConnectorSource,
    schedule: Schedule.default({ type: 'manual' }),
    retry: Retry.default({ attempts: 3, backoffMs: 2000, maxBackoffMs: 300_000 }),
    /** Incremental pulls: the record field whose maximum becomes the next cursor (http-json); postgres/influx/sftp/file kinds keep their own. */
    cursorField: FIELD.optional(),
    target: z
      .object({
        dataset: DATASET,
        /** Pipeline applied between the source and the data set; rows land as they are without one. */
        pipeline: ID.optional(),
      })
      .strict(),
  })
  .strict();
export type ConnectorDefinition = z.infer<typeof ConnectorDefinition>;
export type ConnectorDefinitionInput = z.input<typeof ConnectorDefinition>;

// ── data sets ───────────────────────────────────────────────────────────────

export const FieldType = z.enum(['text', 'integer', 'number', 'boolean', 'timestamp']);
export type FieldType = z.infer<typeof FieldType>;

export const DatasetField = z
  .object({
    name: FIELD,
    type: FieldType,
    required: z.boolean().default(false),
    title: z.string().max(200).default(''),
    description: z.string().max(2000).default(''),
    unit: z.string().max(32).optional(),
    /** Code table the values come from (see reference.ts). */
    codeTable: z.string().max(64).optional(),
    /** 一般 / 重要 / 核心 (GB/T 43697) or an internal class; free text here. */
    sensitivity: z.enum(['public', 'internal', 'sensitive', 'core']).default('internal'),
  })
  .strict();
export type DatasetField = z.infer<typeof DatasetField>;

export const INDICATORS = ['normativity', 'completeness', 'accuracy', 'consistency', 'timeliness', 'accessibility'] as const;
export type Indicator = (typeof INDICATORS)[number];

const RuleBase = {
  id: ID,
  /** Relative weight of the rule inside its indicator and in the data set's overall score. */
  weight: z.number().positive().max(1000).default(1),
  description: z.string().max(500).default(''),
};
const CompareOp = z.enum(['=', '!=', '<', '<=', '>', '>=']);
export const QualityRule = z.discriminatedUnion('check', [
  /** completeness: the field is present and non-empty in every row. */
  z.object({ ...RuleBase, check: z.literal('not_null'), field: FIELD, indicator: z.enum(INDICATORS).default('completeness') }).strict(),
  /** normativity: a USCC with a valid GB 32100 check character (empty values are not judged here). */
  z.object({ ...RuleBase, check: z.literal('uscc'), field: FIELD, indicator: z.enum(INDICATORS).default('normativity') }).strict(),
  /** normativity: a 10-character customs enterprise code. */
  z.object({ ...RuleBase, check: z.literal('customs_code'), field: FIELD, indicator: z.enum(INDICATORS).default('normativity') }).strict(),
  /** normativity: any identifier of identifiers.ts (imo, container_no, plate, entry_id, hs …) with its check digit where it has one. */
  z.object({ ...RuleBase, check: z.literal('identifier'), field: FIELD, kind: z.enum(IDENTIFIER_KINDS), indicator: z.enum(INDICATORS).default('normativity') }).strict(),
  z.object({ ...RuleBase, check: z.literal('regex'), field: FIELD, pattern: z.string().min(1).max(500), indicator: z.enum(INDICATORS).default('normativity') }).strict(),
  /** normativity: the value is a code of a reference table (reference.ts). */
  z.object({ ...RuleBase, check: z.literal('code_table'), field: FIELD, table: z.string().min(1).max(64), indicator: z.enum(INDICATORS).default('normativity') }).strict(),
  /** accuracy: min ≤ value ≤ max (either bound optional). */
  z.object({ ...RuleBase, check: z.literal('range'), field: FIELD, min: z.number().optional(), max: z.number().optional(), indicator: z.enum(INDICATORS).default('accuracy') }).strict(),
  /** accuracy: no two rows share these fields' values; every row of a duplicated group fails after the first. */
  z.object({ ...RuleBase, check: z.literal('unique'), fields: z.array(FIELD).min(1), indicator: z.enum(INDICATORS).default('accuracy') }).strict(),
  /** consistency: left <op> right × factor (± tolerance), both numeric fields of the same row. */
  z
    .object({ ...RuleBase, check: z.literal('cross_field'), left: FIELD, op: CompareOp, right: FIELD, factor: z.number().default(1), tolerance: z.number().min(0).default(0), indicator: z.enum(INDICATORS).default('consistency') })
    .strict(),
  /** consistency: the value exists in another data set's field (cross-table). */
  z.object({ ...RuleBase, check: z.literal('reference'), field: FIELD, dataset: DATASET, refField: FIELD, indicator: z.enum(INDICATORS).default('consistency') }).strict(),
  /** timeliness: the newest value of a timestamp field (or the load time) is at most maxAgeSeconds old. One check per run. */
  z.object({ ...RuleBase, check: z.literal('freshness'), field: FIELD.optional(), maxAgeSeconds: z.number().int().min(1), indicator: z.enum(INDICATORS).default('timeliness') }).strict(),
  /** accessibility: the data set's table answers a query and holds at least minRows rows. One check per run. */
  z.object({ ...RuleBase, check: z.literal('accessible'), minRows: z.number().int().min(0).default(1), indicator: z.enum(INDICATORS).default('accessibility') }).strict(),
]);
export type QualityRule = z.infer<typeof QualityRule>;

export const DatasetDefinition = z
  .object({
    name: DATASET,
    title: z.string().min(1).max(200),
    description: z.string().max(4000).default(''),
    /** Person or unit answerable for the data; quality issues are assigned to them. */
    owner: z.string().min(1).max(200),
    /** Topic (数据主题) the data set belongs to: enterprise, vessel, vehicle, goods, declaration, inspection … */
    topic: z.string().max(64).default(''),
    tags: z.array(z.string().min(1).max(64)).max(50).default([]),
    /** How often the data set is expected to be refreshed (its freshness rule holds it to that). */
    updateCycle: z.enum(['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular']).optional(),
    fields: z.array(DatasetField).min(1).max(500),
    /** Fields that identify a row: loads upsert by them, so reruns are idempotent. */
    key: z.array(FIELD).min(1).max(16),
    quality: z
      .object({
        rules: z.array(QualityRule).max(500).default([]),
        /** Besides after each load, run the rules on this schedule. */
        schedule: Schedule.default({ type: 'manual' }),
      })
      .strict()
      .default({ rules: [], schedule: { type: 'manual' } }),
  })
  .strict()
  .superRefine((d, ctx) => {
    const names = new Set<string>();
    for (const [i, f] of d.fields.entries()) {
      if (names.has(f.name)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'name'], message: `duplicate field "${f.name}"` });
      names.add(f.name);
    }
    for (const [i, k] of d.key.entries()) if (!names.has(k)) ctx.addIssue({ code: 'custom', path: ['key', i], message: `key field "${k}" is not a field` });
    const ruleIds = new Set<string>();
    for (const [i, r] of d.quality.rules.entries()) {
      if (ruleIds.has(r.id)) ctx.addIssue({ code: 'custom', path: ['quality', 'rules', i, 'id'], message: `duplicate rule id "${r.id}"` });
      ruleIds.add(r.id);
      const used = 'field' in r && r.field ? [r.field] : r.check === 'unique' ? r.fields : r.check === 'cross_field' ? [r.left, r.right] : [];
      for (const f of used) if (!names.has(f)) ctx.addIssue({ code: 'custom', path: ['quality', 'rules', i], message: `rule "${r.id}" names unknown field "${f}"` });
    }
  });
export type DatasetDefinition = z.infer<typeof DatasetDefinition>;
export type DatasetDefinitionInput = z.input<typeof DatasetDefinition>;
