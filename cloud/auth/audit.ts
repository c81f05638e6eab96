/**
 * The tamper-evident audit log (../shared/DESIGN.md §6, GB/T 39786 integrity): append-only, each entry
 * chained to the previous one by SM3:
 *
 *   hash_n = SM3( hash_{n-1} ‖ canonicalJSON({seq, ts, actorId, actor, action, targetType, targetId, enterpriseId, ip, detail}) )
 *
 * with hash_0 = 64 zeros. Changing, removing or inserting a row breaks the chain at that row; removing
 * the newest rows is caught by the head row (`audit_head`, the last seq and hash), which also serialises
 * appenders: on PostgreSQL it is read FOR UPDATE inside the appending transaction, so several replicas
 * never fork the chain; SQLite transactions are serial anyway. An entry is appended in the same
 * transaction as the change it records, so a change never exists without its entry.
 */
import { canonicalJson } from '../../shared/crypto/canonical-json.js';
import { sm3Hex } from '../../shared/crypto/sm3.js';
import type { SqlDialect } from '../store/types.js';
import type { AuditLogTable, ConsoleDb, ConsoleTrx } from './db.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  actorId?: string | null;
  /** Username, "admin-token" or "system". */
  actor: string;
  /** e.g. auth.login.ok, user.roles, task.complete. */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  /** The enterprise the record concerns, when any. */
  enterpriseId?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
  ts: number;
  actorId: string | null;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  enterpriseId: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type AuditBody = Omit<AuditEntry, 'prevHash' | 'hash'>;

/** SM3(prevHash ‖ canonical JSON of the entry body), hex. */
export function auditHash(prevHash: string, body: AuditBody): string {
  return sm3Hex(prevHash, canonicalJson(body));
}

type AnyDb = ConsoleDb;

export function rowToEntry(r: AuditLogTable): AuditEntry {
  return {
    seq: Number(r.seq),
    ts: Number(r.ts),
    actorId: r.actor_id,
    actor: r.actor,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    enterpriseId: r.enterprise_id,
    ip: r.ip,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export class AuditLog {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: ConsoleDb,
    private readonly dialect: SqlDialect,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Appends inside the caller's transaction (the change and its entry commit together). Within one
   * transaction, entries are appended one after the other.
   */
  async appendIn(trx: ConsoleTrx, input: AuditInput): Promise<AuditEntry> {
    let q = trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
    if (this.dialect === 'postgres') q = q.forUpdate();
    const head = await q.executeTakeFirstOrThrow();
    const body: AuditBody = {
      seq: Number(head.seq) + 1,
      ts: this.now(),
      actorId: input.actorId ?? null,
      actor: input.actor,
      action: input.action,
      targetType: input.targetType ?? null,
      targetId: input.targetId ?? null,
      enterpriseId: input.enterpriseId ?? null,
      ip: input.ip ?? null,
      detail: JSON.parse(canonicalJson(input.detail ?? {})) as Record<string, unknown>,
    };
    const hash = auditHash(head.hash, body);
    await trx
      .insertInto('audit_log')
      .values({
        seq: body.seq,
        ts: body.ts,
        actor_id: body.actorId,
        actor: body.actor,
        action: body.action,
        target_type: body.targetType,
        target_id: body.targetId,
        enterprise_id: body.enterpriseId,
        ip: body.ip,
        detail: canonicalJson(body.detail),
        prev_hash: head.hash,
        hash,
      })
      .execute();
    await trx.updateTable('audit_head').set({ seq: body.seq, hash }).where('id', '=', 1).execute();
    return { ...body, prevHash: head.hash, hash };
  }

  /** Appends in a transaction of its own. In-process appends queue up (fewer lock waits on PostgreSQL). */
  append(input: AuditInput): Promise<AuditEntry> {
    const run = this.tail.then(() => this.db.transaction().execute((trx) => this.appendIn(trx, input)));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async list(q: { action?: string; actor?: string; from?: number; to?: number; before?: number; limit: number }): Promise<AuditEntry[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (q.action) query = q.action.endsWith('*') ? query.where('action', 'like', `${q.action.slice(0, -1)}%`) : query.where('action', '=', q.action);
    if (q.actor) query = query.where('actor', '=', q.actor);
    if (q.from !== undefined) query = query.where('ts', '>=', q.from);
    if (q.to !== undefined) query = query.where('ts', '<=', q.to);
    if (q.before !== undefined) query = query.where('seq', '<', q.before);
    const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
    return rows.map(rowToEntry);
  }
}

export type ChainVerdict =
  | { ok: true; count: number; head: { seq: number; hash: string } }
  | { ok: false; count: number; brokenAt: number; reason: string };

/**
 * Walks the whole chain in seq order (pages of `pageSize`) and says whether it is intact, or the first
 * seq where it breaks and why. Works on any Kysely instance over the store (the API, the CLI).
 */
export async function verifyAuditChain(db: AnyDb, pageSize = 2000): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  let expected = 1;
  let count = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>=', expected).orderBy('seq').limit(pageSize).execute();
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expected) return { ok: false, count, brokenAt: seq, reason: `entry ${expected} is missing (next stored entry is ${seq})` };
      if (r.prev_hash !== prevHash) return { ok: false, count, brokenAt: seq, reason: `prev_hash does not match the hash of entry ${seq - 1}` };
      let entry: AuditEntry;
      try {
        entry = rowToEntry(r);
      } catch {
        return { ok: false, count, brokenAt: seq, reason: 'detail is not JSON' };
      }
      if (canonicalJson(entry.detail) !== r.detail) return { ok: false, count, brokenAt: seq, reason: 'detail is not in canonical form (edited by hand?)' };
      const { prevHash: _p, hash: _h, ...body } = entry;
      if (auditHash(prevHash, body) !== r.hash) return { ok: false, count, brokenAt: seq, reason: 'hash does not match the entry (the row was changed)' };
      prevHash = r.hash;
      expected = seq + 1;
      count++;
    }
    if (rows.length < pageSize) break;
  }
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  if (!head) return { ok: false, count, brokenAt: expected, reason: 'audit head row is missing' };
  if (Number(head.seq) !== expected - 1 || head.hash !== prevHash) {
    return Number(head.seq) > expected - 1
      ? { ok: false, count, brokenAt: expected, reason: `entries ${expected}…${Number(head.seq)} are missing (the head says ${Number(head.seq)})` }
      : { ok: false, count, brokenAt: Number(head.seq) + 1, reason: 'the head does not match the last entry' };
  }
  return { ok: true, count, head: { seq: expected - 1, hash: prevHash } };
}
