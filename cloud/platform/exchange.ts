/**
 * Data exchange (数据交换实施) with enterprises and other departments.
 *
 * Outbound: a data set, or a query over one (chosen fields, equality filters, a row limit), is
 * exported on a schedule or on demand as one package: a manifest (who to whom, which data, columns,
 * row count, SM3 of the data and of the payload as sent) and the data (CSV or JSON). The manifest is
 * signed with our SM2 key; when the partner is configured for it the data is sealed with SM4 under
 * the key agreed with that partner (shared/crypto sealField: SM4-CBC + HMAC-SM3, bound to the
 * package id and both parties). Keys are references (`{ secret }` / `{ env }`), never values. The
 * package is delivered to the partner's SFTP server (through the sftp connector's session code,
 * uploaded under a temporary name and renamed) or POSTed to its HTTP API.
 *
 * Inbound: a package (POSTed to the API, dropped into `<baseDir>/exchange/incoming/`, or pulled from
 * the partner's SFTP server when the partner has `pull`) is checked before it is accepted, in this
 * order, and refused with the first reason that applies:
 *   too_large          a pulled file larger than the partner's pull.maxBytes (not read)
 *   malformed          not a package envelope
 *   bad_manifest       the manifest does not match its schema
 *   unknown_sender     no enabled partner with the sender's id and a verification key
 *   wrong_signing_key  signed with a key other than the one registered for the sender
 *   bad_signature      the SM2 signature does not verify (the manifest was altered)
 *   wrong_receiver     addressed to another party
 *   tampered           the payload's SM3 differs from the signed one (or the data's, after decryption)
 *   wrong_key          the payload is intact but does not open with our SM4 key for the partner
 *   not_encrypted      the partner is configured for encryption and the package is not sealed
 *   bad_data           the data does not parse, or its row count differs from the manifest's
 *   replay             a package with this id was already accepted from this sender
 * A pull lists the partner's remoteDir, verifies each `*.qsx.json` (the pattern is configurable) in
 * name order, and afterwards moves it to `done/` or `refused/` beside it on the server (or deletes it);
 * a pull that cannot reach the server is logged as a failed inbound exchange (reason pull_failed).
 * An accepted package's data file is written to the partner's inbound folder (default
 * `exchange/accepted/<partner>/`), where a file-inbox connector can land it through a pipeline, and
 * its manifest to `exchange/manifests/<partner>/`. Every exchange, either way and whatever its
 * outcome, is one row of the exchange log (direction, partner, package id, rows, SM3, result, reason).
 *
 * Package file (`<packageId>.qsx.json`, canonical JSON):
 *   { format: "quayside.exchange/1", manifest: {…}, payload: base64 | sealed,
 *     signature: { algorithm: "SM2-SM3", signerId, publicKeyFingerprint, signatureDerHex } }
 * The signature is GB/T 32918.2 over the UTF-8 bytes of canonicalJson(manifest) with the ID signerId.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import path_posix from 'node:path/posix';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  canonicalJson,
  canonicalJsonBytes,
  openField,
  privateKeyFromHex,
  privateKeyFromPem,
  publicKeyFingerprint,
  publicKeyFromHex,
  publicKeyFromPem,
  sealField,
  sign,
  signatureFromDer,
  signatureToDer,
  sm3Hex,
  SM2_DEFAULT_ID,
  verify,
  type Sm2PrivateKey,
  type Sm2PublicKey,
} from '../../shared/crypto/index.js';
import { QuaysideError } from '../../shared/errors.js';
import type { SqlDialect } from '../store/types.js';
import type { FileEntryWithStats, SFTPWrapper } from 'ssh2';
import { globMatch, parseFile, toCsv } from './connectors/files.js';
import { connect as connectSftp, p as sftpCall } from './connectors/sftp.js';
import { readRows } from './datasets.js';
import { FIELD, Schedule, SecretRef, type DatasetDefinition } from './definitions.js';
import { Scheduler } from './scheduler.js';
import { badInput } from '../api/errors.js';

export const PACKAGE_FORMAT = 'quayside.exchange/1';
export const MANIFEST_FORMAT = 'quayside.exchange-manifest/1';
export const SEALED_WITH = 'sm4cbc-hs3.v1';

export const REFUSAL_REASONS = [
  'too_large',
  'malformed',
  'bad_manifest',
  'unknown_sender',
  'wrong_signing_key',
  'bad_signature',
  'wrong_receiver',
  'tampered',
  'wrong_key',
  'not_encrypted',
  'bad_data',
  'replay',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

const ID = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, "_" and "-", starting with a letter');
const DATASET = z.string().regex(/^[a-z][a-z0-9_]{0,48}$/, 'a data set name');
/** A party's code in an exchange agreement (ours or a partner's). */
const PARTY = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a party code (a-z, 0-9, ".", "_", "-")');
const HEX64 = z.string().regex(/^[0-9a-f]{64}$/, '64 hex digits');
const RELATIVE_DIR = z
  .string()
  .min(1)
  .refine((d) => !path.isAbsolute(d) && !d.split(/[\\/]/).includes('..'), 'a folder under the platform data folder (relative, no "..")');

const HttpUrl = z
  .string()
  .url()
  .refine((u) => {
    const url = new URL(u);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
  }, 'an http(s) URL without user or password');

/** A partner's SFTP server and folder (delivery to it, or a pull from it); credentials by reference. */
const SftpServer = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().min(1).max(64),
  privateKey: SecretRef.optional(),
  password: SecretRef.optional(),
  hostKeySha256: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/).optional(),
  remoteDir: z.string().min(1),
  timeoutMs: z.number().int().min(100).max(600_000).default(20_000),
});

/** Where a partner leaves packages for us: its SFTP server, read on demand or on a schedule. */
const SftpPull = SftpServer.extend({
  pattern: z.string().min(1).max(200).default('*.qsx.json'),
  /** What happens to a file once verified: moved to done/ or refused/ under remoteDir, or deleted. */
  afterPull: z.enum(['move', 'delete']).default('move'),
  /** Larger files are refused unread (too_large). */
  maxBytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(256 * 1024 * 1024),
  schedule: Schedule.default({ type: 'manual' }),
})
  .strict()
  .refine((d) => d.privateKey !== undefined || d.password !== undefined, { message: 'give privateKey or password', path: ['privateKey'] });

export const ExchangePartner = z
  .object({
    /** The partner's party code: the sender id of its packages, the receiver id of ours. */
    id: PARTY,
    name: z.string().min(1).max(200),
    kind: z.enum(['enterprise', 'department', 'other']).default('enterprise'),
    /** Our party code in this agreement: the sender of our packages, the receiver theirs must name. */
    selfId: PARTY.default('quayside'),
    /** The partner's SM2 public key (PEM or 04‖X‖Y hex), by reference: inbound packages must verify with it. */
    verifyKey: SecretRef.optional(),
    /** The SM4 key agreed with the partner (32 or 64 hex digits), by reference. */
    sm4Key: SecretRef.optional(),
    /** Seal our packages' data with sm4Key, and refuse theirs when not sealed. */
    encrypt: z.boolean().default(false),
    /** Where accepted inbound data files go, under the platform data folder (default exchange/accepted/<id>). */
    inboundDir: RELATIVE_DIR.optional(),
    /** Pull the partner's packages from its SFTP server. */
    pull: SftpPull.optional(),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((p) => !p.encrypt || p.sm4Key !== undefined, { message: 'encrypt needs sm4Key', path: ['sm4Key'] });
export type ExchangePartner = z.output<typeof ExchangePartner>;

const SftpDelivery = SftpServer.extend({ kind: z.literal('sftp') }).strict();

const HttpDelivery = z
  .object({
    kind: z.literal('http'),
    url: HttpUrl,
    /** Bearer token, by reference. */
    token: SecretRef.optional(),
    timeoutMs: z.number().int().min(100).max(600_000).default(20_000),
  })
  .strict();

export const ExchangeOutbound = z
  .object({
    id: ID,
    name: z.string().min(1).max(200),
    partner: PARTY,
    /** The data set, or a query over it: chosen fields, equality filters, a row limit. */
    source: z
      .object({
        dataset: DATASET,
        fields: z.array(FIELD).min(1).optional(),
        where: z.record(FIELD, z.string()).optional(),
        limit: z.number().int().min(1).max(10_000_000).optional(),
      })
      .strict(),
    format: z.enum(['csv', 'json']).default('csv'),
    /** Our SM2 private key (PEM or hex), by reference. */
    signingKey: SecretRef,
    delivery: z.discriminatedUnion('kind', [SftpDelivery, HttpDelivery]),
    schedule: Schedule.default({ type: 'manual' }),
    enabled: z.boolean().default(true),
  })
  .strict();
export type ExchangeOutbound = z.output<typeof ExchangeOutbound>;

export const Manifest = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    packageId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{7,127}$/),
    sender: PARTY,
    receiver: PARTY,
    exchange: z.string().min(1).max(200),
    dataset: z.string().min(1).max(200),
    createdAt: z.string().datetime(),
    dataFormat: z.enum(['csv', 'json']),
    columns: z.array(z.string().min(1).max(200)).min(1),
    rows: z.number().int().min(0),
    dataBytes: z.number().int().min(0),
    /** SM3 of the data as exported (before sealing). */
    dataSm3: HEX64,
    /** SM3 of the payload string as sent. */
    payloadSm3: HEX64,
    encryption: z.enum(['none', SEALED_WITH]),
  })
  .strict();
export type Manifest = z.output<typeof Manifest>;

const Envelope = z
  .object({
    format: z.literal(PACKAGE_FORMAT),
    manifest: z.record(z.string(), z.unknown()),
    payload: z.string(),
    signature: z
      .object({
        algorithm: z.literal('SM2-SM3'),
        signerId: z.string().min(1).max(64),
        publicKeyFingerprint: HEX64,
        signatureDerHex: z.string().regex(/^([0-9a-f]{2})+$/),
      })
      .strict(),
  })
  .strict();
export type ExchangePackage = z.output<typeof Envelope>;

export type Channel = 'sftp' | 'http' | 'inbox';

export interface ExchangeLogEntry {
  id: number;
  direction: 'outbound' | 'inbound';
  partner: string;
  exchangeId: string | null;
  packageId: string | null;
  rows: number | null;
  bytes: number | null;
  dataSm3: string | null;
  encrypted: boolean;
  result: 'delivered' | 'failed' | 'accepted' | 'refused';
  reason: string | null;
  detail: string;
  channel: Channel;
  at: number;
  durationMs: number;
}

export type InboundResult =
  | { accepted: true; packageId: string; partner: string; rows: number; dataSm3: string; file: string; logId: number }
  | { accepted: false; reason: RefusalReason; message: string; packageId: string | null; partner: string | null; logId: number };

/**
 * One pull from a partner's SFTP server: each file's verdict, in name order; `error` when the server
 * could not be read (before the first file or part-way: the files already verified stay verified).
 */
export interface PullResult {
  partner: string;
  items: (InboundResult & { remoteFile: string })[];
  error: string | null;
  /** The exchange-log entry of the failure. */
  logId: number | null;
}

export interface ExchangeOptions {
  db: Kysely<any>;
  dialect: SqlDialect;
  baseDir: string;
  log?: Logger | undefined;
  now: () => number;
  /** Resolves a key reference (the platform's secret resolver). */
  secret: (ref: SecretRef) => string;
  dataset: (name: string) => Promise<{ definition: DatasetDefinition } | null>;
  /** Run interval-scheduled outbound exchanges (default true). */
  schedule?: boolean;
}

class Refusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}


export function parsePrivateKey(text: string): Sm2PrivateKey {
  const t = text.trim();
  return t.startsWith('-----BEGIN') ? privateKeyFromPem(t) : privateKeyFromHex(t);
}

export function parsePublicKey(text: string): Sm2PublicKey {
  const t = text.trim();
  return t.startsWith('-----BEGIN') ? publicKeyFromPem(t) : publicKeyFromHex(t);
}

function parseSm4Key(text: string): Buffer {
  const t = text.trim();
  if (!/^([0-9a-fA-F]{32}|[0-9a-fA-F]{64})$/.test(t)) throw new Error('an SM4 key is 32 or 64 hex digits');
  return Buffer.from(t, 'hex');
}

function aadOf(m: Pick<Manifest, 'packageId' | 'sender' | 'receiver'>): string {
  return `${PACKAGE_FORMAT}|${m.packageId}|${m.sender}|${m.receiver}`;
}

/** Builds a signed (and, with sm4Key, sealed) package. Exported for partners' tools and tests. */
export function buildPackage(input: {
  sender: string;
  receiver: string;
  exchange: string;
  dataset: string;
  columns: string[];
  rows: number;
  dataFormat: 'csv' | 'json';
  data: Buffer;
  signingKey: Sm2PrivateKey;
  sm4Key?: Buffer | undefined;
  packageId?: string;
  createdAt?: Date;
}): { pkg: ExchangePackage; manifest: Manifest; bytes: Buffer } {
  const createdAt = input.createdAt ?? new Date();
  const packageId = input.packageId ?? `${input.sender}-${createdAt.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${crypto.randomBytes(6).toString('hex')}`;
  const head = { packageId, sender: input.sender, receiver: input.receiver };
  const payload = input.sm4Key ? sealField(input.sm4Key, input.data, aadOf(head)) : input.data.toString('base64');
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    ...head,
    exchange: input.exchange,
    dataset: input.dataset,
    createdAt: createdAt.toISOString(),
    dataFormat: input.dataFormat,
    columns: input.columns,
    rows: input.rows,
    dataBytes: input.data.length,
    dataSm3: sm3Hex(input.data),
    payloadSm3: sm3Hex(payload),
    encryption: input.sm4Key ? SEALED_WITH : 'none',
  };
  const sig = sign(input.signingKey, canonicalJsonBytes(manifest), { id: SM2_DEFAULT_ID });
  const pkg: ExchangePackage = {
    format: PACKAGE_FORMAT,
    manifest,
    payload,
    signature: { algorithm: 'SM2-SM3', signerId: SM2_DEFAULT_ID, publicKeyFingerprint: publicKeyFingerprint(input.signingKey.publicKey), signatureDerHex: signatureToDer(sig).toString('hex') },
  };
  return { pkg, manifest, bytes: Buffer.from(canonicalJson(pkg), 'utf8') };
}

type DefKind = 'partner' | 'outbound';

interface LogInput {
  direction: 'outbound' | 'inbound';
  partner: string;
  exchangeId?: string | null;
  packageId?: string | null;
  rows?: number | null;
  bytes?: number | null;
  dataSm3?: string | null;
  encrypted?: boolean;
  result: ExchangeLogEntry['result'];
  reason?: string | null;
  detail?: string;
  channel: Channel;
  at: number;
  durationMs: number;
}

export class ExchangeService {
  private readonly db: Kysely<any>;
  private readonly scheduler: Scheduler;
  private readonly inFlight = new Map<string, Promise<ExchangeLogEntry>>();
  private readonly pulls = new Map<string, Promise<PullResult>>();
  private closed = false;

  constructor(private readonly opts: ExchangeOptions) {
    this.db = opts.db;
    this.scheduler = new Scheduler(opts.log ?? null);
  }

  /** Plans every interval-scheduled outbound exchange. */
  async start(): Promise<void> {
    for (const o of await this.outbounds()) this.plan(o.definition);
    for (const pt of await this.partners()) this.planPull(pt.definition);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.scheduler.stop();
    await Promise.allSettled([...this.inFlight.values(), ...this.pulls.values()]);
  }

  scheduledJobs(): string[] {
    return this.scheduler.keys();
  }

  private plan(def: ExchangeOutbound): void {
    if (this.opts.schedule === false || this.closed) return;
    const key = `exchange:${def.id}`;
    if (!def.enabled || def.schedule.type !== 'interval') return this.scheduler.remove(key);
    this.scheduler.set(key, def.schedule.everySeconds * 1000, () => this.runOutbound(def.id, { trigger: 'schedule' }));
  }

  private planPull(def: ExchangePartner): void {
    if (this.opts.schedule === false || this.closed) return;
    const key = `exchange-pull:${def.id}`;
    if (!def.enabled || def.pull?.schedule.type !== 'interval') return this.scheduler.remove(key);
    this.scheduler.set(key, def.pull.schedule.everySeconds * 1000, () => this.pullPartner(def.id, { trigger: 'schedule' }));
  }

  // ── definitions ──────────────────────────────────────────────────────────

  private async saveDef(kind: DefKind, id: string, def: unknown, by: string): Promise<void> {
    const now = this.opts.now();
    const definition = JSON.stringify(def);
    await this.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('pf_exchange_defs').set({ definition, updated_at: now, updated_by: by }).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) await trx.insertInto('pf_exchange_defs').values({ kind, id, definition, updated_at: now, updated_by: by }).execute();
    });
  }

  private async defs(kind: DefKind): Promise<{ id: string; definition: unknown; updatedAt: number; updatedBy: string }[]> {
    const rows = await this.db.selectFrom('pf_exchange_defs').selectAll().where('kind', '=', kind).orderBy('id').execute();
    return rows.map((r: any) => ({ id: r.id, definition: JSON.parse(r.definition), updatedAt: Number(r.updated_at), updatedBy: r.updated_by }));
  }

  async savePartner(input: unknown, by: string): Promise<ExchangePartner> {
    const r = ExchangePartner.safeParse(input);
    if (!r.success) throw badInput('partner', r.error);
    await this.saveDef('partner', r.data.id, r.data, by);
    this.planPull(r.data);
    return r.data;
  }

  async saveOutbound(input: unknown, by: string): Promise<ExchangeOutbound> {
    const r = ExchangeOutbound.safeParse(input);
    if (!r.success) throw badInput('outbound', r.error);
    if (!(await this.partner(r.data.partner))) throw new QuaysideError('CLOUD_BAD_REQUEST', `outbound ${r.data.id}: no partner ${r.data.partner}`);
    if (!(await this.opts.dataset(r.data.source.dataset))) throw new QuaysideError('CLOUD_BAD_REQUEST', `outbound ${r.data.id}: no data set ${r.data.source.dataset}`);
    await this.saveDef('outbound', r.data.id, r.data, by);
    this.plan(r.data);
    return r.data;
  }

  async partners(): Promise<{ id: string; definition: ExchangePartner; updatedAt: number; updatedBy: string }[]> {
    return (await this.defs('partner')).map((d) => ({ ...d, definition: d.definition as ExchangePartner }));
  }

  async partner(id: string): Promise<ExchangePartner | null> {
    const row = await this.db.selectFrom('pf_exchange_defs').select('definition').where('kind', '=', 'partner').where('id', '=', id).executeTakeFirst();
    return row ? (JSON.parse((row as { definition: string }).definition) as ExchangePartner) : null;
  }

  async outbounds(): Promise<{ id: string; definition: ExchangeOutbound; updatedAt: number; updatedBy: string }[]> {
    return (await this.defs('outbound')).map((d) => ({ ...d, definition: d.definition as ExchangeOutbound }));
  }

  async outbound(id: string): Promise<ExchangeOutbound | null> {
    const row = await this.db.selectFrom('pf_exchange_defs').select('definition').where('kind', '=', 'outbound').where('id', '=', id).executeTakeFirst();
    return row ? (JSON.parse((row as { definition: string }).definition) as ExchangeOutbound) : null;
  }

  /**
   * Saves the partners and outbound exchanges of a folder of JSON files, each
   * `{ partners?, outbounds? }` (other keys are left to importDefinitions).
   */
  async importFolder(dir: string, by: string): Promise<{ partners: number; outbounds: number }> {
    const out = { partners: 0, outbounds: 0 };
    const files = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
    const loaded = files.map((n) => [n, JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as { partners?: unknown[]; outbounds?: unknown[] }] as const);
    for (const [, f] of loaded) for (const p of f.partners ?? []) (await this.savePartner(p, by), (out.partners += 1));
    for (const [, f] of loaded) for (const o of f.outbounds ?? []) (await this.saveOutbound(o, by), (out.outbounds += 1));
    return out;
  }

  // ── log ──────────────────────────────────────────────────────────────────

  private async logExchange(e: LogInput): Promise<number> {
    const row = await this.db
      .insertInto('pf_exchange_log')
      .values({
        direction: e.direction,
        partner: e.partner,
        exchange_id: e.exchangeId ?? null,
        package_id: e.packageId ?? null,
        rows: e.rows ?? null,
        bytes: e.bytes ?? null,
        data_sm3: e.dataSm3 ?? null,
        encrypted: e.encrypted ? 1 : 0,
        result: e.result,
        reason: e.reason ?? null,
        detail: (e.detail ?? '').slice(0, 2000),
        channel: e.channel,
        at: e.at,
        duration_ms: Math.max(0, Math.round(e.durationMs)),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number((row as { id: number | string }).id);
    this.opts.log?.info({ exchange: e.exchangeId, direction: e.direction, partner: e.partner, package: e.packageId, result: e.result, reason: e.reason }, 'data exchange');
    return id;
  }

  async log(filter: { direction?: string; partner?: string; result?: string; packageId?: string; limit?: number; offset?: number } = {}): Promise<{ items: ExchangeLogEntry[]; total: number }> {
    let q = this.db.selectFrom('pf_exchange_log');
    if (filter.direction) q = q.where('direction', '=', filter.direction);
    if (filter.partner) q = q.where('partner', '=', filter.partner);
    if (filter.result) q = q.where('result', '=', filter.result);
    if (filter.packageId) q = q.where('package_id', '=', filter.packageId);
    const total = (await q.select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirst()) as { n: number | string } | undefined;
    const rows = await q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 100)
      .offset(filter.offset ?? 0)
      .execute();
    return { items: rows.map(toEntry), total: Number(total?.n ?? 0) };
  }

  async logEntry(id: number): Promise<ExchangeLogEntry | null> {
    const row = await this.db.selectFrom('pf_exchange_log').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toEntry(row) : null;
  }

  // ── outbound ─────────────────────────────────────────────────────────────

  /** Exports, signs, seals (when configured) and delivers one package now; the log entry says how it went. */
  runOutbound(id: string, opts: { trigger?: string } = {}): Promise<ExchangeLogEntry> {
    return joinOrStart(this.inFlight, id, () => this.doOutbound(id, opts.trigger ?? 'manual'));
  }

  private async doOutbound(id: string, trigger: string): Promise<ExchangeLogEntry> {
    if (this.closed) throw new QuaysideError('CLOUD_BAD_REQUEST', 'the platform is closing');
    const def = await this.outbound(id);
    if (!def) throw new QuaysideError('CLOUD_NOT_FOUND', `no outbound exchange ${id}`);
    const at = this.opts.now();
    const t0 = performance.now();
    const channel: Channel = def.delivery.kind;
    const base = { direction: 'outbound' as const, partner: def.partner, exchangeId: id, channel, at };
    let manifest: Manifest | null = null;
    let bytes: Buffer | null = null;
    let encrypted = false;
    try {
      const partner = await this.partner(def.partner);
      if (!partner || !partner.enabled) throw new OutboundError('config', `partner ${def.partner} is unknown or disabled`);
      const ds = await this.opts.dataset(def.source.dataset);
      if (!ds) throw new OutboundError('config', `no data set ${def.source.dataset}`);
      const { columns, rows } = await this.query(ds.definition, def.source);
      const data = def.format === 'csv' ? Buffer.from(toCsv(columns, rows), 'utf8') : Buffer.from(JSON.stringify(rows), 'utf8');
      let signingKey: Sm2PrivateKey;
      let sm4Key: Buffer | undefined;
      try {
        signingKey = parsePrivateKey(this.opts.secret(def.signingKey));
        if (partner.encrypt) sm4Key = parseSm4Key(this.opts.secret(partner.sm4Key!));
      } catch (e) {
        throw new OutboundError('key', (e as Error).message);
      }
      encrypted = sm4Key !== undefined;
      const built = buildPackage({
        sender: partner.selfId,
        receiver: partner.id,
        exchange: id,
        dataset: def.source.dataset,
        columns,
        rows: rows.length,
        dataFormat: def.format,
        data,
        signingKey,
        sm4Key,
        createdAt: new Date(at),
      });
      manifest = built.manifest;
      bytes = built.bytes;
      // keep our copy of what was sent
      const outbox = path.join(this.opts.baseDir, 'exchange', 'outbox', id);
      fs.mkdirSync(outbox, { recursive: true });
      fs.writeFileSync(path.join(outbox, `${manifest.packageId}.qsx.json`), bytes);
      const detail = def.delivery.kind === 'sftp' ? await this.deliverSftp(def.delivery, manifest.packageId, bytes) : await this.deliverHttp(def.delivery, bytes);
      const logId = await this.logExchange({ ...base, packageId: manifest.packageId, rows: manifest.rows, bytes: bytes.length, dataSm3: manifest.dataSm3, encrypted, result: 'delivered', detail: `${trigger}: ${detail}`, durationMs: performance.now() - t0 });
      return (await this.logEntry(logId))!;
    } catch (e) {
      if (e instanceof QuaysideError) throw e;
      const reason = e instanceof OutboundError ? e.reason : 'delivery_failed';
      const logId = await this.logExchange({
        ...base,
        packageId: manifest?.packageId ?? null,
        rows: manifest?.rows ?? null,
        bytes: bytes?.length ?? null,
        dataSm3: manifest?.dataSm3 ?? null,
        encrypted,
        result: 'failed',
        reason,
        detail: `${trigger}: ${(e as Error).message}`,
        durationMs: performance.now() - t0,
      });
      return (await this.logEntry(logId))!;
    }
  }

  private async query(def: DatasetDefinition, src: ExchangeOutbound['source']): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
    const columns = src.fields ?? def.fields.map((f) => f.name);
    for (const c of columns) if (!def.fields.some((f) => f.name === c)) throw new OutboundError('config', `data set ${def.name} has no field ${c}`);
    const limit = src.limit ?? Number.MAX_SAFE_INTEGER;
    const rows: Record<string, unknown>[] = [];
    const pageSize = 5000;
    for (let offset = 0; rows.length < limit; offset += pageSize) {
      const page = await readRows(this.db, def, { limit: Math.min(pageSize, limit - rows.length), offset, ...(src.where ? { where: src.where } : {}) });
      for (const r of page.rows) rows.push(Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
      if (page.rows.length < pageSize) break;
    }
    return { columns, rows };
  }

  private async deliverSftp(d: z.output<typeof SftpDelivery>, packageId: string, bytes: Buffer): Promise<string> {
    const src = { ...d, kind: 'sftp', direction: 'push', pattern: '*', afterPull: 'keep' } as unknown as Parameters<typeof connectSftp>[0];
    const { conn, sftp } = await connectSftp(src, { secret: (ref) => this.opts.secret(ref) });
    const name = `${packageId}.qsx.json`;
    try {
      const tmp = path_posix.join(d.remoteDir, `.${name}.part`);
      await sftpCall<void>((cb) => sftp.writeFile(tmp, bytes, (e) => cb(e, undefined)));
      await sftpCall<void>((cb) => sftp.rename(tmp, path_posix.join(d.remoteDir, name), (e) => cb(e, undefined)));
    } finally {
      conn.end();
    }
    return `sftp://${d.host}:${d.port}${path_posix.join(d.remoteDir, name)}`;
  }

  private async deliverHttp(d: z.output<typeof HttpDelivery>, bytes: Buffer): Promise<string> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (d.token) headers['authorization'] = `Bearer ${this.opts.secret(d.token)}`;
    const res = await fetch(d.url, { method: 'POST', headers, body: bytes, signal: AbortSignal.timeout(d.timeoutMs) });
    const text = await res.text();
    if (!res.ok) {
      let reason = '';
      try {
        const b = JSON.parse(text) as { reason?: string; error?: { message?: string } };
        reason = [b.reason, b.error?.message].filter(Boolean).join(': ');
      } catch {
        reason = text.slice(0, 200);
      }
      throw new OutboundError('delivery_failed', `HTTP ${res.status} from ${d.url}${reason ? `: ${reason}` : ''}`);
    }
    return `POST ${d.url} → ${res.status}`;
  }

  // ── inbound ──────────────────────────────────────────────────────────────

  /**
   * Verifies a package (parsed JSON or its bytes) and accepts or refuses it; either way it is logged.
   * `expectSender`: the party the package came from (a pull from its server); another sender is refused.
   */
  async receive(input: unknown, channel: Channel = 'http', expectSender?: string): Promise<InboundResult> {
    const at = this.opts.now();
    const t0 = performance.now();
    let manifest: Manifest | null = null;
    let partnerId: string | null = null;
    let bytes: number | null = null;
    try {
      let raw = input;
      if (Buffer.isBuffer(raw) || typeof raw === 'string') {
        bytes = Buffer.byteLength(raw as Buffer | string);
        try {
          raw = JSON.parse(raw.toString());
        } catch (e) {
          throw new Refusal('malformed', `not JSON: ${(e as Error).message}`);
        }
      }
      const env = Envelope.safeParse(raw);
      if (!env.success) throw new Refusal('malformed', env.error.issues.map((i) => `${i.path.join('.') || 'package'}: ${i.message}`).join('; '));
      const pkg = env.data;
      bytes ??= Buffer.byteLength(canonicalJson(pkg));
      const m = Manifest.safeParse(pkg.manifest);
      if (!m.success) throw new Refusal('bad_manifest', m.error.issues.map((i) => `manifest.${i.path.join('.')}: ${i.message}`).join('; '));
      manifest = m.data;
      if (expectSender !== undefined && manifest.sender !== expectSender) {
        partnerId = expectSender; // logged under the partner whose server it came from
        throw new Refusal('unknown_sender', `pulled from ${expectSender}'s server, but the manifest names sender ${manifest.sender}`);
      }
      const partner = await this.partner(manifest.sender);
      if (!partner || !partner.enabled || !partner.verifyKey) throw new Refusal('unknown_sender', `no enabled exchange partner "${manifest.sender}" with a verification key`);
      partnerId = partner.id;
      let publicKey: Sm2PublicKey;
      try {
        publicKey = parsePublicKey(this.opts.secret(partner.verifyKey));
      } catch (e) {
        throw new Refusal('unknown_sender', `the verification key of ${partner.id} cannot be read: ${(e as Error).message}`);
      }
      if (publicKeyFingerprint(publicKey) !== pkg.signature.publicKeyFingerprint) throw new Refusal('wrong_signing_key', `signed with key ${pkg.signature.publicKeyFingerprint.slice(0, 16)}…, not the key registered for ${partner.id}`);
      let signatureOk = false;
      try {
        signatureOk = verify(publicKey, canonicalJsonBytes(pkg.manifest), signatureFromDer(Buffer.from(pkg.signature.signatureDerHex, 'hex')), { id: pkg.signature.signerId });
      } catch {
        signatureOk = false;
      }
      if (!signatureOk) throw new Refusal('bad_signature', 'the SM2 signature over the manifest does not verify');
      if (manifest.receiver !== partner.selfId) throw new Refusal('wrong_receiver', `addressed to ${manifest.receiver}, we are ${partner.selfId} to ${partner.id}`);
      if (sm3Hex(pkg.payload) !== manifest.payloadSm3) throw new Refusal('tampered', 'the payload differs from the one signed (SM3 mismatch)');
      let data: Buffer;
      if (manifest.encryption === SEALED_WITH) {
        if (!partner.sm4Key) throw new Refusal('wrong_key', `the package is sealed and no SM4 key is configured for ${partner.id}`);
        let key: Buffer;
        try {
          key = parseSm4Key(this.opts.secret(partner.sm4Key));
        } catch (e) {
          throw new Refusal('wrong_key', `the SM4 key for ${partner.id} cannot be read: ${(e as Error).message}`);
        }
        try {
          data = openField(key, pkg.payload, aadOf(manifest));
        } catch {
          throw new Refusal('wrong_key', 'the payload is intact but does not open with our SM4 key for this partner');
        }
      } else {
        if (partner.encrypt) throw new Refusal('not_encrypted', `${partner.id} must send sealed packages`);
        data = Buffer.from(pkg.payload, 'base64');
        if (data.toString('base64') !== pkg.payload) throw new Refusal('tampered', 'the payload is not canonical base64');
      }
      if (data.length !== manifest.dataBytes || sm3Hex(data) !== manifest.dataSm3) throw new Refusal('tampered', 'the data differs from the one signed (SM3 mismatch)');
      let rowCount: number;
      try {
        const parsed = await parseFile(`${manifest.packageId}.${manifest.dataFormat}`, data, manifest.dataFormat);
        if (parsed.rejects.length) throw new Error(`${parsed.rejects.length} unreadable records (${parsed.rejects[0]!.detail})`);
        rowCount = parsed.rows.length;
      } catch (e) {
        throw new Refusal('bad_data', `the data cannot be read: ${(e as Error).message}`);
      }
      if (rowCount !== manifest.rows) throw new Refusal('bad_data', `the data holds ${rowCount} rows, the manifest says ${manifest.rows}`);
      const file = await this.accept(partner, manifest, data);
      const logId = await this.logExchange({ direction: 'inbound', partner: partner.id, exchangeId: manifest.exchange, packageId: manifest.packageId, rows: rowCount, bytes, dataSm3: manifest.dataSm3, encrypted: manifest.encryption !== 'none', result: 'accepted', detail: `${channel}: ${path.relative(this.opts.baseDir, file)}`, channel, at, durationMs: performance.now() - t0 });
      return { accepted: true, packageId: manifest.packageId, partner: partner.id, rows: rowCount, dataSm3: manifest.dataSm3, file, logId };
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      const logId = await this.logExchange({
        direction: 'inbound',
        partner: partnerId ?? manifest?.sender ?? 'unknown',
        exchangeId: manifest?.exchange ?? null,
        packageId: manifest?.packageId ?? null,
        rows: manifest?.rows ?? null,
        bytes,
        dataSm3: manifest?.dataSm3 ?? null,
        encrypted: manifest ? manifest.encryption !== 'none' : false,
        result: 'refused',
        reason: e.reason,
        detail: `${channel}: ${e.message}`,
        channel,
        at,
        durationMs: performance.now() - t0,
      });
      return { accepted: false, reason: e.reason, message: e.message, packageId: manifest?.packageId ?? null, partner: partnerId ?? manifest?.sender ?? null, logId };
    }
  }

  /**
   * Records the package id (a second one is a replay) and writes its data where the inbound connector
   * reads: first to a temporary file, renamed once the id is recorded, so a refused replay leaves
   * nothing behind and an accepted package is never recorded without its data.
   */
  private async accept(partner: ExchangePartner, m: Manifest, data: Buffer): Promise<string> {
    const dir = path.resolve(this.opts.baseDir, partner.inboundDir ?? path.join('exchange', 'accepted', partner.id));
    const manifests = path.join(this.opts.baseDir, 'exchange', 'manifests', partner.id);
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(manifests, { recursive: true });
    const file = path.join(dir, `${m.packageId}.${m.dataFormat}`);
    const tmp = path.join(dir, `.${m.packageId}.${crypto.randomBytes(4).toString('hex')}.part`);
    fs.writeFileSync(tmp, data);
    try {
      try {
        await this.db.insertInto('pf_exchange_received').values({ partner: partner.id, package_id: m.packageId, data_sm3: m.dataSm3, accepted_at: this.opts.now() }).execute();
      } catch (e) {
        const seen = await this.db.selectFrom('pf_exchange_received').select('accepted_at').where('partner', '=', partner.id).where('package_id', '=', m.packageId).executeTakeFirst();
        if (seen) throw new Refusal('replay', `package ${m.packageId} from ${partner.id} was already accepted at ${new Date(Number((seen as { accepted_at: number }).accepted_at)).toISOString()}`);
        throw e;
      }
      fs.renameSync(tmp, file);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    fs.writeFileSync(path.join(manifests, `${m.packageId}.json`), JSON.stringify(m, null, 2));
    return file;
  }

  /** The inbox for packages dropped as files: `<baseDir>/exchange/incoming`. */
  incomingDir(): string {
    return path.join(this.opts.baseDir, 'exchange', 'incoming');
  }

  /** Verifies every `*.qsx.json` in the incoming folder; accepted ones move to done/, refused ones to refused/. */
  async scanIncoming(): Promise<InboundResult[]> {
    const dir = this.incomingDir();
    fs.mkdirSync(dir, { recursive: true });
    const out: InboundResult[] = [];
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.qsx.json') && !n.startsWith('.')).sort()) {
      const file = path.join(dir, name);
      if (!fs.statSync(file).isFile()) continue;
      const r = await this.receive(fs.readFileSync(file), 'inbox');
      const to = path.join(dir, r.accepted ? 'done' : 'refused');
      fs.mkdirSync(to, { recursive: true });
      fs.renameSync(file, path.join(to, name));
      out.push(r);
    }
    return out;
  }

  // ── pull from partners' SFTP servers ─────────────────────────────────────

  /** Pulls a partner's packages from its SFTP server now (or joins the pull in progress). */
  pullPartner(id: string, opts: { trigger?: string } = {}): Promise<PullResult> {
    return joinOrStart(this.pulls, id, () => this.doPull(id, opts.trigger ?? 'manual'));
  }

  private async doPull(id: string, trigger: string): Promise<PullResult> {
    if (this.closed) throw new QuaysideError('CLOUD_BAD_REQUEST', 'the platform is closing');
    const partner = await this.partner(id);
    if (!partner) throw new QuaysideError('CLOUD_NOT_FOUND', `no exchange partner ${id}`);
    if (!partner.pull) throw new QuaysideError('CLOUD_BAD_REQUEST', `exchange partner ${id} has no SFTP pull configured`);
    if (!partner.enabled) throw new QuaysideError('CLOUD_BAD_REQUEST', `exchange partner ${id} is disabled`);
    const d = partner.pull;
    const where = `sftp://${d.host}:${d.port}${d.remoteDir}`;
    const at = this.opts.now();
    const t0 = performance.now();
    const items: PullResult['items'] = [];
    let session: Awaited<ReturnType<typeof connectSftp>> | null = null;
    try {
      const src = { ...d, kind: 'sftp', direction: 'pull', afterPull: 'keep' } as unknown as Parameters<typeof connectSftp>[0];
      session = await connectSftp(src, { secret: (ref) => this.opts.secret(ref) });
      const sftp = session.sftp;
      const list = await sftpCall<FileEntryWithStats[]>((cb) => sftp.readdir(d.remoteDir, cb));
      const files = list.filter((f) => (f.attrs.mode & 0o170000) === 0o100000 && !f.filename.startsWith('.') && globMatch(d.pattern, f.filename)).sort((a, b) => a.filename.localeCompare(b.filename));
      for (const f of files) {
        const remoteFile = path_posix.join(d.remoteDir, f.filename);
        const r =
          f.attrs.size > d.maxBytes
            ? await this.refuseUnread(partner.id, 'too_large', `${f.filename} is ${f.attrs.size} bytes, over the limit of ${d.maxBytes} for ${partner.id}`, 'sftp', f.attrs.size)
            : await this.receive(await sftpCall<Buffer>((cb) => sftp.readFile(remoteFile, cb)), 'sftp', partner.id);
        await this.settleRemote(sftp, d, f.filename, r.accepted);
        items.push({ ...r, remoteFile });
      }
      this.opts.log?.info({ partner: id, trigger, files: files.length }, 'exchange pull');
      return { partner: id, items, error: null, logId: null };
    } catch (e) {
      if (e instanceof QuaysideError) throw e;
      const error = `${where}: ${(e as Error).message}`;
      const logId = await this.logExchange({ direction: 'inbound', partner: id, result: 'failed', reason: 'pull_failed', detail: `${trigger}: ${error}${items.length ? ` (after ${items.length} files)` : ''}`, channel: 'sftp', at, durationMs: performance.now() - t0 });
      return { partner: id, items, error, logId };
    } finally {
      session?.conn.end();
    }
  }

  /** A file refused without reading it (too large): logged like any refusal. */
  private async refuseUnread(partner: string, reason: RefusalReason, message: string, channel: Channel, bytes: number): Promise<InboundResult> {
    const logId = await this.logExchange({ direction: 'inbound', partner, result: 'refused', reason, detail: `${channel}: ${message}`, channel, bytes, at: this.opts.now(), durationMs: 0 });
    return { accepted: false, reason, message, packageId: null, partner, logId };
  }

  /** A verified file leaves the partner's folder: into done/ or refused/ beside it (time-stamped), or deleted. */
  private async settleRemote(sftp: SFTPWrapper, d: z.output<typeof SftpPull>, name: string, accepted: boolean): Promise<void> {
    const from = path_posix.join(d.remoteDir, name);
    if (d.afterPull === 'delete') return sftpCall<void>((cb) => sftp.unlink(from, (e) => cb(e, undefined)));
    const dir = path_posix.join(d.remoteDir, accepted ? 'done' : 'refused');
    await sftpCall<void>((cb) => sftp.mkdir(dir, () => cb(null, undefined))); // exists already: fine; a real failure shows in the rename
    const stamp = new Date(this.opts.now()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    await sftpCall<void>((cb) => sftp.rename(from, path_posix.join(dir, `${stamp}-${name}`), (e) => cb(e, undefined)));
  }
}

/** The job in progress under this key, or a new one (removed from the map when it settles). */
function joinOrStart<T>(jobs: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
  const running = jobs.get(key);
  if (running) return running;
  const p = start().finally(() => jobs.delete(key));
  jobs.set(key, p);
  return p;
}

class OutboundError extends Error {
  constructor(
    readonly reason: 'config' | 'key' | 'delivery_failed',
    message: string,
  ) {
    super(message);
  }
}

function toEntry(r: any): ExchangeLogEntry {
  return {
    id: Number(r.id),
    direction: r.direction,
    partner: r.partner,
    exchangeId: r.exchange_id ?? null,
    packageId: r.package_id ?? null,
    rows: r.rows === null || r.rows === undefined ? null : Number(r.rows),
    bytes: r.bytes === null || r.bytes === undefined ? null : Number(r.bytes),
    dataSm3: r.data_sm3 ?? null,
    encrypted: Number(r.encrypted) === 1,
    result: r.result,
    reason: r.reason ?? null,
    detail: r.detail,
    channel: r.channel,
    at: Number(r.at),
    durationMs: Number(r.duration_ms),
  };
}
