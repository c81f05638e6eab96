/**
 * Notices to enterprise users (and to single users): always kept in the in-app list (SQL) and pushed
 * live; then handed to every configured channel (SMS gateway, e-mail, the single window's message box…)
 * through the small NoticeChannel port. A channel that fails is logged; the notice still exists.
 */
import type { Logger } from 'pino';
import { QuaysideError } from '../../shared/errors.js';
import type { ConsoleDb, NoticesTable } from '../auth/db.js';
import type { Principal } from '../auth/principal.js';
import type { EventHub } from './hub.js';

export interface Notice {
  id: number;
  kind: string;
  title: string;
  body: string;
  enterpriseId: string | null;
  userId: string | null;
  createdAt: number;
  readAt: number | null;
}

export interface NoticeInput {
  kind: string;
  title: string;
  body: string;
  enterpriseId?: string | null;
  userId?: string | null;
}

/** A way out for notices besides the in-app list. */
export interface NoticeChannel {
  readonly name: string;
  send(notice: Notice): Promise<void>;
}

/** Writes each notice to the log: the default extra channel, and an example of the port. */
export class LogChannel implements NoticeChannel {
  readonly name = 'log';
  constructor(private readonly log: Logger) {}
  send(n: Notice): Promise<void> {
    this.log.info({ notice: n.id, enterprise: n.enterpriseId, user: n.userId, kind: n.kind }, `notice: ${n.title}`);
    return Promise.resolve();
  }
}

function toNotice(r: Omit<NoticesTable, 'id'> & { id: number }): Notice {
  return { id: Number(r.id), kind: r.kind, title: r.title, body: r.body, enterpriseId: r.enterprise_id, userId: r.user_id, createdAt: Number(r.created_at), readAt: r.read_at === null ? null : Number(r.read_at) };
}

export class NoticeService {
  private readonly channels: NoticeChannel[] = [];

  constructor(
    private readonly db: ConsoleDb,
    private readonly hub: EventHub,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  addChannel(c: NoticeChannel): void {
    this.channels.push(c);
  }

  async send(input: NoticeInput): Promise<Notice> {
    if (!input.enterpriseId && !input.userId) throw new QuaysideError('CLOUD_BAD_REQUEST', 'a notice needs an enterprise or a user');
    const createdAt = this.now();
    const row = await this.db
      .insertInto('notices')
      .values({ enterprise_id: input.enterpriseId ?? null, user_id: input.userId ?? null, kind: input.kind, title: input.title, body: input.body, created_at: createdAt, read_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const n: Notice = { id: Number(row.id), kind: input.kind, title: input.title, body: input.body, enterpriseId: input.enterpriseId ?? null, userId: input.userId ?? null, createdAt, readAt: null };
    this.hub.publish('notice', n, { permission: 'auth.self', enterpriseId: n.enterpriseId, userId: n.userId });
    for (const c of this.channels) {
      c.send(n).catch((e: unknown) => this.log.warn({ channel: c.name, notice: n.id, err: (e as Error).message }, 'notice channel failed'));
    }
    return n;
  }

  /** The caller's notices: addressed to them, or (enterprise users) to their enterprise. */
  private mine(p: Principal) {
    return this.db.selectFrom('notices').selectAll().where((eb) => {
      const mine = [eb('user_id', '=', p.userId ?? '\u0000')];
      if (p.enterpriseId) mine.push(eb.and([eb('enterprise_id', '=', p.enterpriseId), eb('user_id', 'is', null)]));
      return eb.or(mine);
    });
  }

  async list(p: Principal, opts: { unread?: boolean; limit?: number } = {}): Promise<Notice[]> {
    let q = this.mine(p);
    if (opts.unread) q = q.where('read_at', 'is', null);
    return (await q.orderBy('id', 'desc').limit(opts.limit ?? 200).execute()).map(toNotice);
  }

  async markRead(p: Principal, id: number): Promise<Notice> {
    const row = await this.mine(p).where('id', '=', id).executeTakeFirst();
    if (!row) throw new QuaysideError('CLOUD_SUPERVISION_NOT_FOUND', `notice ${id}`);
    const n = toNotice(row);
    if (n.readAt === null) {
      n.readAt = this.now();
      await this.db.updateTable('notices').set({ read_at: n.readAt }).where('id', '=', id).execute();
    }
    return n;
  }
}
