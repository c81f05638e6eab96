/**
 * The survey audit log: append-only, one row per operator action (who, when, what, the value
 * before and after, and the reason of a manual entry or override). Each row carries
 * hash = SM3(prev_hash ‖ canonical JSON of the row), so editing or deleting a row breaks the chain
 * from there on (`verifyAuditChain`).
 */
import type Database from 'better-sqlite3';
import { canonicalJson } from '../../shared/crypto/canonical-json.js';
import { sm3Hex } from '../../shared/crypto/sm3.js';
import type { AuditEntry } from './types.js';

export const AUDIT_GENESIS = '0'.repeat(64);

export interface NewAuditEntry {
  ts: number;
  sessionId: string | null;
  operator: string;
  action: string;
  target?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

interface AuditRow {
  id: number;
  ts: number;
  session_id: string | null;
  operator: string;
  action: string;
  target: string | null;
  before: string | null;
  after: string | null;
  reason: string | null;
  prev_hash: string;
  hash: string;
}

function rowHash(prev: string, e: Omit<AuditRow, 'id' | 'prev_hash' | 'hash'>): string {
  return sm3Hex(prev, canonicalJson({ ts: e.ts, session_id: e.session_id, operator: e.operator, action: e.action, target: e.target, before: e.before, after: e.after, reason: e.reason }));
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

export class AuditLog {
  private readonly insert: Database.Statement;
  private readonly last: Database.Statement;
  private readonly bySession: Database.Statement;
  private readonly all: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare('INSERT INTO survey_audit (ts, session_id, operator, action, target, before, after, reason, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)');
    this.last = db.prepare('SELECT hash FROM survey_audit ORDER BY id DESC LIMIT 1').pluck();
    this.bySession = db.prepare('SELECT * FROM survey_audit WHERE session_id = ? ORDER BY id');
    this.all = db.prepare('SELECT * FROM survey_audit ORDER BY id');
  }

  /** Appends one entry (call inside the transaction that makes the change). */
  append(e: NewAuditEntry): void {
    const prev = (this.last.get() as string | undefined) ?? AUDIT_GENESIS;
    const row = { ts: e.ts, session_id: e.sessionId, operator: e.operator, action: e.action, target: e.target ?? null, before: json(e.before), after: json(e.after), reason: e.reason ?? null };
    this.insert.run(row.ts, row.session_id, row.operator, row.action, row.target, row.before, row.after, row.reason, prev, rowHash(prev, row));
  }

  entries(sessionId: string): AuditEntry[] {
    return (this.bySession.all(sessionId) as AuditRow[]).map(view);
  }

  /** Walks the whole chain; the first row whose hash does not follow, or undefined when intact. */
  verifyChain(): { ok: true; entries: number } | { ok: false; brokenAt: number } {
    let prev = AUDIT_GENESIS;
    const rows = this.all.all() as AuditRow[];
    for (const r of rows) {
      if (r.prev_hash !== prev || r.hash !== rowHash(prev, r)) return { ok: false, brokenAt: r.id };
      prev = r.hash;
    }
    return { ok: true, entries: rows.length };
  }
}

function view(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    ts: new Date(r.ts).toISOString(),
    session_id: r.session_id,
    operator: r.operator,
    action: r.action,
    target: r.target,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    reason: r.reason,
    hash: r.hash,
  };
}
