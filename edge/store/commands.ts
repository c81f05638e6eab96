/**
 * The commands table (schema.ts migration 2): every command id the gateway has seen and its answer.
 * A row is written before the command's effect runs (`running`), so after a crash the effect is never
 * run again for that id: the row is answered `rejected` ("interrupted") instead.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { CommandStatus } from '../../shared/contracts/command.js';

export type CommandRowStatus = CommandStatus | 'running';

export interface CommandRow {
  id: string;
  received: number;
  op: string | null;
  target: string | null;
  args: string | null;
  expiresAt: number | null;
  status: CommandRowStatus;
  detail: string | null;
  answeredAt: number | null;
  publishedAt: number | null;
}

interface Raw {
  id: string;
  received: number;
  op: string | null;
  target: string | null;
  args: string | null;
  expires_at: number | null;
  status: string;
  detail: string | null;
  answered_at: number | null;
  published_at: number | null;
}

const toRow = (r: Raw): CommandRow => ({
  id: r.id,
  received: r.received,
  op: r.op,
  target: r.target,
  args: r.args,
  expiresAt: r.expires_at,
  status: r.status as CommandRowStatus,
  detail: r.detail,
  answeredAt: r.answered_at,
  publishedAt: r.published_at,
});

export interface NewCommand {
  id: string;
  op: string | null;
  target: string | null;
  args: unknown;
  expiresAt: number | null;
}

export class CommandStore {
  private readonly st: Record<string, Statement>;

  constructor(db: Database) {
    const p = (sql: string) => db.prepare(sql);
    this.st = {
      get: p('SELECT * FROM commands WHERE id = ?'),
      insert: p('INSERT INTO commands (id, received, op, target, args, expires_at, status, detail, answered_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING'),
      answer: p("UPDATE commands SET status = ?, detail = ?, answered_at = ? WHERE id = ? AND status = 'running'"),
      published: p('UPDATE commands SET published_at = ? WHERE id = ? AND published_at IS NULL'),
      unpublished: p("SELECT * FROM commands WHERE published_at IS NULL AND status <> 'running' ORDER BY answered_at LIMIT ?"),
      running: p("SELECT * FROM commands WHERE status = 'running'"),
      prune: p('DELETE FROM commands WHERE received < ? AND published_at IS NOT NULL AND (expires_at IS NULL OR expires_at < ?)'),
    };
  }

  get(id: string): CommandRow | undefined {
    const r = this.st['get']!.get(id) as Raw | undefined;
    return r ? toRow(r) : undefined;
  }

  /**
   * Records a command: `running` (its effect is about to run) or already answered (expired, invalid).
   * Returns false when the id was known already (nothing written).
   */
  insert(c: NewCommand, now: number, answer?: { status: CommandStatus; detail: string }): boolean {
    const args = c.args === undefined ? null : JSON.stringify(c.args);
    return (
      this.st['insert']!.run(c.id, now, c.op, c.target, args, c.expiresAt, answer?.status ?? 'running', answer?.detail ?? null, answer ? now : null).changes === 1
    );
  }

  /** The answer of a running command. */
  answer(id: string, status: CommandStatus, detail: string, now: number): void {
    this.st['answer']!.run(status, detail, now, id);
  }

  markPublished(id: string, now: number): void {
    this.st['published']!.run(now, id);
  }

  /** Answered, not yet taken by the broker (oldest first). */
  unpublished(limit = 1000): CommandRow[] {
    return (this.st['unpublished']!.all(limit) as Raw[]).map(toRow);
  }

  /** Commands left `running` by a previous process (it stopped or crashed during their effect). */
  running(): CommandRow[] {
    return (this.st['running']!.all() as Raw[]).map(toRow);
  }

  /**
   * Deletes answered and published commands received and expired before `before`: a late redelivery of
   * one of them could only be answered `expired`, never run.
   */
  prune(before: number): number {
    return this.st['prune']!.run(before, before).changes;
  }
}
