/**
 * The cloud SQL store: gateways and their credentials, the ingested-batch ledger that makes ingest
 * idempotent, events/surveys/records, dead letters, gateway status and commands. Every query is written
 * once in Kysely and runs on SQLite and PostgreSQL alike.
 */
import type { Kysely, Transaction } from 'kysely';
import type { CommandResult, Command } from '../../shared/contracts/command.js';
import type { Envelope, GatewayStatus } from '../../shared/contracts/envelope.js';
import type { CloudDatabase, SqlDialect } from './types.js';

export interface GatewayRow {
  id: string;
  name: string;
  createdAt: number;
  enrolledAt: number | null;
  revokedAt: number | null;
  enrolPending: boolean;
  status: { state: 'online' | 'offline'; ts: number; version: string | null; updatedAt: number } | null;
}

export interface ActiveCredential {
  gatewayId: string;
  secretHash: string;
  gatewayRevoked: boolean;
}

export interface DeadLetterInput {
  gw: string | null;
  topic: string;
  code: string;
  reason: string;
  payload: string;
  bytes: number;
  receivedAt: number;
}
export interface DeadLetterRow extends DeadLetterInput {
  id: number;
}

export interface CommandRow extends Command {
  gw: string;
  createdAt: number;
  status: 'pending' | 'done' | 'rejected' | 'expired';
  result: { detail: string; receivedAt: number } | null;
}

export type RecordOutcome = 'stored' | 'duplicate';

/** Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits for our widest table. */
const CHUNK = 500;

export class CloudStore {
  constructor(
    readonly db: Kysely<CloudDatabase>,
    readonly dialect: SqlDialect,
    /** Where the store lives (file or URL without its password), for logs. */
    readonly where: string,
  ) {}

  close(): Promise<void> {
    return this.db.destroy();
  }

  // ── gateways ─────────────────────────────────────────────────────────────

  async createGateway(g: { id: string; name: string; tokenHash: string; tokenExpiresAt: number; now: number }): Promise<boolean> {
    const r = await this.db
      .insertInto('gateways')
      .values({ id: g.id, name: g.name, created_at: g.now, enrol_token_hash: g.tokenHash, enrol_expires_at: g.tokenExpiresAt, enrolled_at: null, revoked_at: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async setEnrolToken(id: string, tokenHash: string, expiresAt: number): Promise<boolean> {
    const r = await this.db
      .updateTable('gateways')
      .set({ enrol_token_hash: tokenHash, enrol_expires_at: expiresAt })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Burns the enrolment token and issues a credential in one transaction. Only one caller can win a
   * token (conditional update); a re-enrolment revokes the gateway's earlier credentials.
   */
  async enrol(e: { id: string; tokenHash: string; now: number; username: string; secretHash: string }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('gateways')
        .set({ enrol_token_hash: null, enrol_expires_at: null, enrolled_at: e.now })
        .where('id', '=', e.id)
        .where('enrol_token_hash', '=', e.tokenHash)
        .where('enrol_expires_at', '>=', e.now)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await trx.updateTable('gateway_credentials').set({ revoked_at: e.now }).where('gateway_id', '=', e.id).where('revoked_at', 'is', null).execute();
      await trx.insertInto('gateway_credentials').values({ gateway_id: e.id, username: e.username, secret_hash: e.secretHash, created_at: e.now, revoked_at: null }).execute();
      return true;
    });
  }

  async revokeGateway(id: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('gateways').set({ revoked_at: now, enrol_token_hash: null, enrol_expires_at: null }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      await trx.updateTable('gateway_credentials').set({ revoked_at: now }).where('gateway_id', '=', id).where('revoked_at', 'is', null).execute();
      return Number(r.numUpdatedRows) === 1;
    });
  }

  async credentialsFor(username: string): Promise<ActiveCredential[]> {
    const rows = await this.db
      .selectFrom('gateway_credentials as c')
      .innerJoin('gateways as g', 'g.id', 'c.gateway_id')
      .where('c.username', '=', username)
      .where('c.revoked_at', 'is', null)
      .select(['c.gateway_id', 'c.secret_hash', 'g.revoked_at'])
      .execute();
    return rows.map((r) => ({ gatewayId: r.gateway_id, secretHash: r.secret_hash, gatewayRevoked: r.revoked_at !== null }));
  }

  async getGateway(id: string): Promise<GatewayRow | null> {
    const rows = await this.gatewayQuery().where('g.id', '=', id).execute();
    return rows[0] ? toGatewayRow(rows[0]) : null;
  }

  async listGateways(): Promise<GatewayRow[]> {
    return (await this.gatewayQuery().orderBy('g.id').execute()).map(toGatewayRow);
  }

  private gatewayQuery() {
    return this.db
      .selectFrom('gateways as g')
      .leftJoin('gateway_status as s', 's.gw', 'g.id')
      .select(['g.id', 'g.name', 'g.created_at', 'g.enrolled_at', 'g.revoked_at', 'g.enrol_token_hash', 's.state', 's.ts', 's.version', 's.updated_at']);
  }

  // ── ingest ───────────────────────────────────────────────────────────────

  async isIngested(gw: string, seq: number): Promise<boolean> {
    const row = await this.db.selectFrom('ingested_batches').select('seq').where('gw', '=', gw).where('seq', '=', seq).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Records a batch and its items in one transaction. The ledger row's primary key (gw, seq) decides:
   * a batch already recorded — by an earlier delivery, or by another replica at the same moment — is
   * reported as a duplicate and nothing else is written.
   */
  async recordBatch(env: Envelope, now: number): Promise<RecordOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .insertInto('ingested_batches')
        .values({ gw: env.gw, seq: env.seq, kind: env.kind, batch_id: env.id, items: env.items.length, sent_at: env.sentAt, ingested_at: now })
        .onConflict((oc) => oc.columns(['gw', 'seq']).doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) return 'duplicate';
      await insertItems(trx, env);
      return 'stored';
    });
  }

  // ── status, dead letters ─────────────────────────────────────────────────

  async upsertStatus(gw: string, s: GatewayStatus, now: number): Promise<void> {
    await this.db
      .insertInto('gateway_status')
      .values({ gw, state: s.state, ts: s.ts, version: s.version ?? null, updated_at: now })
      .onConflict((oc) =>
        oc.column('gw').doUpdateSet((eb) => ({
          state: eb.ref('excluded.state'),
          ts: eb.ref('excluded.ts'),
          version: eb.ref('excluded.version'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  async addDeadLetter(d: DeadLetterInput): Promise<void> {
    await this.db
      .insertInto('dead_letters')
      .values({ gw: d.gw, topic: d.topic, code: d.code, reason: d.reason, payload: d.payload, bytes: d.bytes, received_at: d.receivedAt })
      .execute();
  }

  async listDeadLetters(q: { gw?: string; code?: string; limit: number }): Promise<DeadLetterRow[]> {
    let query = this.db.selectFrom('dead_letters').selectAll();
    if (q.gw) query = query.where('gw', '=', q.gw);
    if (q.code) query = query.where('code', '=', q.code);
    const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
    return rows.map((r) => ({ id: r.id, gw: r.gw, topic: r.topic, code: r.code, reason: r.reason, payload: r.payload, bytes: r.bytes, receivedAt: r.received_at }));
  }

  // ── commands ─────────────────────────────────────────────────────────────

  async insertCommand(gw: string, c: Command, now: number): Promise<void> {
    await this.db
      .insertInto('commands')
      .values({ id: c.id, gw, target: c.target, op: c.op, args: JSON.stringify(c.args), expires_at: c.expiresAt, created_at: now, status: 'pending' })
      .execute();
  }

  /** Stores a command result once; a repeat (the edge resends after a restart) is ignored. */
  async recordCommandResult(gw: string, r: CommandResult, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const ins = await trx
        .insertInto('command_results')
        .values({ id: r.id, gw, status: r.status, detail: r.detail, received_at: now })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (Number(ins.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
      await trx.updateTable('commands').set({ status: r.status }).where('id', '=', r.id).where('gw', '=', gw).execute();
      return true;
    });
  }

  async listCommands(gw: string, limit: number): Promise<CommandRow[]> {
    const rows = await this.db
      .selectFrom('commands as c')
      .leftJoin('command_results as r', (j) => j.onRef('r.id', '=', 'c.id').onRef('r.gw', '=', 'c.gw'))
      .select(['c.id', 'c.gw', 'c.target', 'c.op', 'c.args', 'c.expires_at', 'c.created_at', 'c.status', 'r.detail', 'r.received_at'])
      .where('c.gw', '=', gw)
      .orderBy('c.created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      gw: r.gw,
      target: r.target,
      op: r.op,
      args: JSON.parse(r.args) as Command['args'],
      expiresAt: r.expires_at,
      createdAt: r.created_at,
      status: r.status as CommandRow['status'],
      result: r.received_at !== null ? { detail: r.detail ?? '', receivedAt: r.received_at } : null,
    }));
  }

  // ── counts (API, tests) ──────────────────────────────────────────────────

  async counts(gw?: string): Promise<{ batches: number; events: number; surveys: number; records: number; deadLetters: number }> {
    const count = async (table: 'ingested_batches' | 'events' | 'surveys' | 'records' | 'dead_letters') => {
      let q = this.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
      if (gw) q = q.where('gw', '=', gw);
      const row = await q.executeTakeFirstOrThrow();
      return Number(row.n);
    };
    return { batches: await count('ingested_batches'), events: await count('events'), surveys: await count('surveys'), records: await count('records'), deadLetters: await count('dead_letters') };
  }
}

async function insertItems(trx: Transaction<CloudDatabase>, env: Envelope): Promise<void> {
  const base = { gw: env.gw, seq: env.seq };
  switch (env.kind) {
    case 'telemetry':
      return; // readings live in the time-series store; the ledger row is all SQL keeps
    case 'event':
      for (const part of chunks(env.items)) {
        await trx
          .insertInto('events')
          .values(part.map((it) => ({ ...base, id: it.id, ts: it.ts, device: it.device ?? null, kind: it.kind, value: JSON.stringify(it.value), confidence: it.confidence ?? null, data: JSON.stringify(it) })))
          .onConflict((oc) => oc.columns(['gw', 'id']).doNothing())
          .execute();
      }
      return;
    case 'survey':
      for (const part of chunks(env.items)) {
        await trx
          .insertInto('surveys')
          .values(part.map((it) => ({ ...base, id: it.id, ts: it.ts, vessel: it.vessel.name, stage: it.stage, status: it.status, data: JSON.stringify(it) })))
          .onConflict((oc) => oc.columns(['gw', 'id']).doNothing())
          .execute();
      }
      return;
    case 'record':
      for (const part of chunks(env.items)) {
        await trx
          .insertInto('records')
          .values(part.map((it) => ({ ...base, id: it.id, ts: it.ts, type: it.type, data: JSON.stringify(it.data) })))
          .onConflict((oc) => oc.columns(['gw', 'id']).doNothing())
          .execute();
      }
      return;
  }
}

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}

function toGatewayRow(r: {
  id: string;
  name: string;
  created_at: number;
  enrolled_at: number | null;
  revoked_at: number | null;
  enrol_token_hash: string | null;
  state: string | null;
  ts: number | null;
  version: string | null;
  updated_at: number | null;
}): GatewayRow {
  return {
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    enrolledAt: r.enrolled_at,
    revokedAt: r.revoked_at,
    enrolPending: r.enrol_token_hash !== null,
    status:
      r.state !== null && r.ts !== null && r.updated_at !== null
        ? { state: r.state === 'online' ? 'online' : 'offline', ts: r.ts, version: r.version, updatedAt: r.updated_at }
        : null,
  };
}
