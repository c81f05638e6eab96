/**
 * Queue calling (排队叫号) for trucks and enterprise visitors: a ticket per arrival (numbered per day and
 * kind: T001…, V001…), called to a window — which sends the `queue.call` command down to the window's
 * gateway, where the queue terminal shows it (and the LED display, when the window has one) — then served,
 * a no-show or cancelled. The edge's answer to the command is shown with the ticket.
 */
import crypto from 'node:crypto';
import { QuaysideError } from '../../shared/errors.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { sendCommand } from './commands.js';
import { assertEnterprise, enterpriseScope, type SupervisionDeps } from './context.js';

export type TicketStatus = 'waiting' | 'called' | 'served' | 'no_show' | 'cancelled';

export interface TicketView {
  id: string;
  day: string;
  number: string;
  kind: 'truck' | 'visitor';
  enterpriseId: string | null;
  plate: string | null;
  name: string | null;
  status: TicketStatus;
  window: number | null;
  calledAt: number | null;
  calledBy: string | null;
  servedAt: number | null;
  createdAt: number;
  command: { id: string; gw: string; status: string; detail: string | null } | null;
}

export interface WindowView {
  window: number;
  gw: string;
  terminal: string;
  led: string | null;
  label: string | null;
}

/** The port's calendar day (UTC+8) of an instant. */
export function portDay(ms: number): string {
  return new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

export class QueueService {
  constructor(private readonly d: SupervisionDeps) {}

  private query() {
    return this.d.db
      .selectFrom('queue_tickets as t')
      .leftJoin('commands as c', 'c.id', 't.command_id')
      .leftJoin('command_results as r', 'r.id', 't.command_id')
      .selectAll('t')
      .select(['c.status as command_status', 'r.detail as command_detail']);
  }

  private view(r: Awaited<ReturnType<ReturnType<QueueService['query']>['executeTakeFirstOrThrow']>>): TicketView {
    return {
      id: r.id,
      day: r.day,
      number: r.number,
      kind: r.kind === 'visitor' ? 'visitor' : 'truck',
      enterpriseId: r.enterprise_id,
      plate: r.plate,
      name: r.name,
      status: r.status as TicketStatus,
      window: r.window,
      calledAt: r.called_at === null ? null : Number(r.called_at),
      calledBy: r.called_by,
      servedAt: r.served_at === null ? null : Number(r.served_at),
      createdAt: Number(r.created_at),
      command: r.command_id ? { id: r.command_id, gw: r.command_gw ?? '', status: r.command_status ?? 'pending', detail: r.command_detail ?? null } : null,
    };
  }

  async list(p: Principal, q: { status?: string | undefined; day?: string | undefined; limit: number }): Promise<TicketView[]> {
    let query = this.query();
    const ent = enterpriseScope(p);
    if (ent) query = query.where('t.enterprise_id', '=', ent);
    if (q.status) query = query.where('t.status', 'in', q.status.split(','));
    query = query.where('t.day', '=', q.day ?? portDay(this.d.now()));
    return (await query.orderBy('t.created_at').limit(q.limit).execute()).map((r) => this.view(r));
  }

  async get(p: Principal, id: string): Promise<TicketView> {
    let query = this.query().where('t.id', '=', id);
    const ent = enterpriseScope(p);
    if (ent) query = query.where('t.enterprise_id', '=', ent);
    const r = await query.executeTakeFirst();
    if (!r) throw new QuaysideError('CLOUD_SUPERVISION_NOT_FOUND', `ticket ${id}`);
    return this.view(r);
  }

  private announce(v: TicketView): TicketView {
    this.d.hub.publish('queue', v, { permission: 'queue.read', enterpriseId: v.enterpriseId });
    return v;
  }

  async issue(p: Principal, b: { kind: 'truck' | 'visitor'; plate?: string | undefined; name?: string | undefined; enterpriseId?: string | undefined }): Promise<TicketView> {
    const enterpriseId = enterpriseScope(p) ?? b.enterpriseId ?? null;
    if (enterpriseId && !enterpriseScope(p)) await assertEnterprise(this.d, enterpriseId);
    const id = crypto.randomUUID();
    const prefix = b.kind === 'truck' ? 'T' : 'V';
    for (let attempt = 0; ; attempt++) {
      const now = this.d.now();
      const day = portDay(now);
      try {
        await this.d.db.transaction().execute(async (trx) => {
          const last = await trx.selectFrom('queue_tickets').select('number').where('day', '=', day).where('number', 'like', `${prefix}%`).orderBy('number', 'desc').limit(1).executeTakeFirst();
          const n = last ? Number(last.number.slice(1)) + 1 : 1;
          const number = `${prefix}${String(n).padStart(3, '0')}`;
          await trx
            .insertInto('queue_tickets')
            .values({ id, day, number, kind: b.kind, enterprise_id: enterpriseId, plate: b.plate ?? null, name: b.name ?? null, status: 'waiting', window: null, command_id: null, command_gw: null, called_by: null, called_at: null, served_at: null, created_by: p.userId ?? p.username, created_at: now })
            .execute();
          await this.d.audit.appendIn(trx, { ...actorOf(p), action: 'queue.ticket', targetType: 'ticket', targetId: id, enterpriseId, detail: { number, kind: b.kind, plate: b.plate ?? null } });
        });
        break;
      } catch (e) {
        // Two tickets drew the same number at once (unique (day, number)): draw again.
        if (attempt < 5 && /unique|duplicate/i.test((e as Error).message)) continue;
        throw e;
      }
    }
    return this.announce(await this.get(p, id));
  }

  async windows(): Promise<WindowView[]> {
    const rows = await this.d.db.selectFrom('queue_windows').selectAll().orderBy('window').execute();
    return rows.map((r) => ({ window: r.window, gw: r.gw, terminal: r.terminal, led: r.led, label: r.label }));
  }

  async putWindow(p: Principal, w: WindowView): Promise<WindowView> {
    await this.d.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('queue_windows')
        .values({ window: w.window, gw: w.gw, terminal: w.terminal, led: w.led, label: w.label, updated_at: this.d.now() })
        .onConflict((oc) =>
          oc.column('window').doUpdateSet((eb) => ({ gw: eb.ref('excluded.gw'), terminal: eb.ref('excluded.terminal'), led: eb.ref('excluded.led'), label: eb.ref('excluded.label'), updated_at: eb.ref('excluded.updated_at') })),
        )
        .execute();
      await this.d.audit.appendIn(trx, { ...actorOf(p), action: 'queue.window', targetType: 'window', targetId: String(w.window), detail: { ...w } });
    });
    return w;
  }

  /** Calls a ticket to a window: the command goes down to the window's gateway first, then the ticket records it. */
  async call(p: Principal, id: string, window: number, text?: string): Promise<TicketView> {
    const t = await this.get(p, id);
    if (t.status !== 'waiting' && t.status !== 'called') throw new QuaysideError('CLOUD_SUPERVISION_STATE', `ticket ${t.number} is ${t.status}`);
    const w = (await this.windows()).find((x) => x.window === window);
    if (!w) throw new QuaysideError('CLOUD_SUPERVISION_QUEUE_WINDOW', `window ${window}`);
    const args: Record<string, string | number> = { window, ticket: t.number, text: (text ?? `请 ${t.number} 到 ${window} 号窗口`).slice(0, 32) };
    if (w.led) args['led'] = w.led;
    const cmd = await sendCommand(this.d, w.gw, { target: w.terminal, op: 'queue.call', args, ttlMs: this.d.config.queueCallTtlMs });
    await this.d.db.transaction().execute(async (trx) => {
      const now = this.d.now();
      await trx.updateTable('queue_tickets').set({ status: 'called', window, command_id: cmd.id, command_gw: w.gw, called_by: p.userId ?? p.username, called_at: now }).where('id', '=', id).execute();
      await this.d.audit.appendIn(trx, { ...actorOf(p), action: 'queue.call', targetType: 'ticket', targetId: id, enterpriseId: t.enterpriseId, detail: { number: t.number, window, gw: w.gw, terminal: w.terminal, led: w.led, command: cmd.id } });
    });
    const v = this.announce(await this.get(p, id));
    if (v.enterpriseId) await this.d.notices.send({ kind: 'queue.called', enterpriseId: v.enterpriseId, title: `叫号 ${v.number} → ${window} 号窗口`, body: `Ticket ${v.number}${v.plate ? ` (${v.plate})` : ''}: please go to window ${window}` });
    return v;
  }

  async setStatus(p: Principal, id: string, status: 'served' | 'no_show' | 'cancelled'): Promise<TicketView> {
    const t = await this.get(p, id);
    if (t.status === 'served' || t.status === 'cancelled' || t.status === 'no_show') throw new QuaysideError('CLOUD_SUPERVISION_STATE', `ticket ${t.number} is ${t.status}`);
    await this.d.db.transaction().execute(async (trx) => {
      const now = this.d.now();
      await trx.updateTable('queue_tickets').set({ status, served_at: status === 'served' ? now : null }).where('id', '=', id).execute();
      await this.d.audit.appendIn(trx, { ...actorOf(p), action: 'queue.status', targetType: 'ticket', targetId: id, enterpriseId: t.enterpriseId, detail: { number: t.number, from: t.status, to: status } });
    });
    return this.announce(await this.get(p, id));
  }

  /** Tickets whose queue-call command was answered by the edge at or after `since` (pushed to the console). */
  async commandAnswersSince(since: number): Promise<TicketView[]> {
    const rows = await this.query().innerJoin('command_results as cr', 'cr.id', 't.command_id').where('cr.received_at', '>=', since).orderBy('cr.received_at').limit(500).execute();
    return rows.map((r) => this.view(r));
  }

  announceTicket(v: TicketView): void {
    this.announce(v);
  }

  async count(): Promise<number> {
    const r = await this.d.db.selectFrom('queue_windows').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
