/**
 * Local inspection appointments (属地查检): an enterprise books a slot for goods at its own premises;
 * customs accepts, reschedules (a new slot, accepted) or rejects; accepting creates the inspection task
 * (kind `local`), whose completion marks the appointment done. The enterprise is notified of each decision.
 * The contact phone is stored SM4-sealed.
 */
import crypto from 'node:crypto';
import { openFieldText, sealField } from '../../shared/crypto/sm4.js';
import { QuaysideError } from '../../shared/errors.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { enterpriseScope, type SupervisionDeps } from './context.js';
import type { AppointmentsTable } from './db.js';
import type { TaskService } from './tasks.js';

export type AppointmentStatus = 'requested' | 'accepted' | 'rescheduled' | 'rejected' | 'cancelled' | 'done';

export interface AppointmentView {
  id: string;
  enterpriseId: string;
  enterpriseName: string | null;
  requestedBy: string;
  goods: string;
  location: string;
  slotStart: number;
  slotEnd: number;
  contactPhone: string | null;
  note: string | null;
  status: AppointmentStatus;
  decisionNote: string | null;
  decidedBy: string | null;
  decidedAt: number | null;
  taskId: string | null;
  createdAt: number;
  updatedAt: number;
}

export const LOCAL_INSPECTION_CHECKLIST = ['核对货物品名与数量 Check goods and quantity', '查验包装与标识 Inspect packing and marks', '拍照留证 Photograph the goods', '企业确认签字 Enterprise sign-off'];

export class AppointmentService {
  constructor(
    private readonly d: SupervisionDeps,
    private readonly tasks: TaskService,
  ) {}

  private view(r: AppointmentsTable & { name?: string | null }): AppointmentView {
    let phone: string | null = null;
    if (r.contact_phone_sealed) {
      try {
        phone = openFieldText(this.d.fieldKey, r.contact_phone_sealed, `appointments/${r.id}/contact_phone`);
      } catch {
        phone = null;
      }
    }
    return {
      id: r.id,
      enterpriseId: r.enterprise_id,
      enterpriseName: r.name ?? null,
      requestedBy: r.requested_by,
      goods: r.goods,
      location: r.location,
      slotStart: Number(r.slot_start),
      slotEnd: Number(r.slot_end),
      contactPhone: phone,
      note: r.note,
      status: r.status as AppointmentStatus,
      decisionNote: r.decision_note,
      decidedBy: r.decided_by,
      decidedAt: r.decided_at === null ? null : Number(r.decided_at),
      taskId: r.task_id,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    };
  }

  private query() {
    return this.d.db.selectFrom('appointments as a').leftJoin('orgs as o', 'o.id', 'a.enterprise_id').selectAll('a').select('o.name');
  }

  async list(p: Principal, q: { status?: string | undefined; limit: number }): Promise<AppointmentView[]> {
    let query = this.query();
    const ent = enterpriseScope(p);
    if (ent) query = query.where('a.enterprise_id', '=', ent);
    if (q.status) query = query.where('a.status', 'in', q.status.split(','));
    return (await query.orderBy('a.slot_start', 'desc').limit(q.limit).execute()).map((r) => this.view(r));
  }

  async get(p: Principal, id: string): Promise<AppointmentView> {
    let query = this.query().where('a.id', '=', id);
    const ent = enterpriseScope(p);
    if (ent) query = query.where('a.enterprise_id', '=', ent);
    const r = await query.executeTakeFirst();
    if (!r) throw new QuaysideError('CLOUD_SUPERVISION_NOT_FOUND', `appointment ${id}`);
    return this.view(r);
  }

  private announce(v: AppointmentView): AppointmentView {
    this.d.hub.publish('appointment', v, { permission: 'appointments.read', enterpriseId: v.enterpriseId });
    return v;
  }

  async book(p: Principal, b: { goods: string; location: string; slotStart: number; slotEnd: number; contactPhone?: string | undefined; note?: string | undefined }): Promise<AppointmentView> {
    const ent = enterpriseScope(p);
    if (!ent) throw new QuaysideError('CLOUD_AUTH_FORBIDDEN', 'only an enterprise user books a local inspection for its enterprise');
    if (!(b.slotEnd > b.slotStart)) throw new QuaysideError('CLOUD_BAD_REQUEST', 'slotEnd must be after slotStart');
    if (b.slotStart < this.d.now() - 60_000) throw new QuaysideError('CLOUD_BAD_REQUEST', 'the slot lies in the past');
    const id = crypto.randomUUID();
    const now = this.d.now();
    await this.d.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('appointments')
        .values({
          id,
          enterprise_id: ent,
          requested_by: p.userId ?? p.username,
          goods: b.goods,
          location: b.location,
          slot_start: b.slotStart,
          slot_end: b.slotEnd,
          contact_phone_sealed: b.contactPhone ? sealField(this.d.fieldKey, b.contactPhone, `appointments/${id}/contact_phone`) : null,
          note: b.note ?? null,
          status: 'requested',
          decision_note: null,
          decided_by: null,
          decided_at: null,
          task_id: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await this.d.audit.appendIn(trx, { ...actorOf(p), action: 'appointment.book', targetType: 'appointment', targetId: id, enterpriseId: ent, detail: { goods: b.goods, location: b.location, slotStart: b.slotStart, slotEnd: b.slotEnd } });
    });
    return this.announce(await this.get(p, id));
  }

  async cancel(p: Principal, id: string): Promise<AppointmentView> {
    const a = await this.get(p, id);
    if (a.status !== 'requested') throw new QuaysideError('CLOUD_SUPERVISION_STATE', `appointment ${id} is ${a.status}`);
    await this.d.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('appointments').set({ status: 'cancelled', updated_at: this.d.now() }).where('id', '=', id).where('status', '=', 'requested').executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new QuaysideError('CLOUD_SUPERVISION_STATE', `appointment ${id} was decided meanwhile`);
      await this.d.audit.appendIn(trx, { ...actorOf(p), action: 'appointment.cancel', targetType: 'appointment', targetId: id, enterpriseId: a.enterpriseId, detail: {} });
    });
    return this.announce(await this.get(p, id));
  }

  async decide(
    p: Principal,
    id: string,
    d: { decision: 'accept' | 'reschedule' | 'reject'; slotStart?: number | undefined; slotEnd?: number | undefined; note?: string | undefined; assigneeId?: string | undefined },
  ): Promise<AppointmentView> {
    const a = await this.get(p, id);
    if (a.status !== 'requested') throw new QuaysideError('CLOUD_SUPERVISION_STATE', `appointment ${id} is ${a.status}`);
    let slotStart = a.slotStart;
    let slotEnd = a.slotEnd;
    if (d.decision === 'reschedule') {
      if (d.slotStart === undefined || d.slotEnd === undefined || !(d.slotEnd > d.slotStart)) throw new QuaysideError('CLOUD_BAD_REQUEST', 'a reschedule needs slotStart < slotEnd');
      slotStart = d.slotStart;
      slotEnd = d.slotEnd;
    }
    const status: AppointmentStatus = d.decision === 'accept' ? 'accepted' : d.decision === 'reschedule' ? 'rescheduled' : 'rejected';
    let taskId: string | null = null;
    await this.d.db.transaction().execute(async (trx) => {
      const now = this.d.now();
      const r = await trx
        .updateTable('appointments')
        .set({ status, slot_start: slotStart, slot_end: slotEnd, decision_note: d.note ?? null, decided_by: p.userId ?? p.username, decided_at: now, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'requested')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new QuaysideError('CLOUD_SUPERVISION_STATE', `appointment ${id} was decided meanwhile`);
      await this.d.audit.appendIn(trx, {
        ...actorOf(p),
        action: 'appointment.decide',
        targetType: 'appointment',
        targetId: id,
        enterpriseId: a.enterpriseId,
        detail: { decision: d.decision, note: d.note ?? null, slotStart, slotEnd, ...(d.decision === 'reschedule' ? { previous: { slotStart: a.slotStart, slotEnd: a.slotEnd } } : {}) },
      });
      if (status !== 'rejected') {
        taskId = await this.tasks.createIn(
          trx,
          {
            title: `属地查检 Local inspection: ${a.goods} @ ${a.enterpriseName ?? a.enterpriseId}`,
            kind: 'local',
            checklist: LOCAL_INSPECTION_CHECKLIST,
            deadlineAt: slotEnd,
            enterpriseId: a.enterpriseId,
            subject: { appointmentId: id, goods: a.goods, location: a.location, slotStart, slotEnd },
            assigneeId: d.assigneeId ?? null,
          },
          { source: 'appointment', sourceRef: `appointment:${id}`, appointmentId: id },
          p,
        );
        if (taskId) await trx.updateTable('appointments').set({ task_id: taskId }).where('id', '=', id).execute();
      }
    });
    if (taskId) await this.tasks.announce(taskId);
    const v = this.announce(await this.get(p, id));
    const when = `${new Date(slotStart).toISOString()} – ${new Date(slotEnd).toISOString()}`;
    await this.d.notices.send({
      kind: `appointment.${status}`,
      enterpriseId: a.enterpriseId,
      title: status === 'rejected' ? `属地查检预约未通过 Appointment rejected: ${a.goods}` : status === 'rescheduled' ? `属地查检已改期 Appointment rescheduled: ${a.goods}` : `属地查检预约已受理 Appointment accepted: ${a.goods}`,
      body: `${status === 'rejected' ? '' : `${when}. `}${d.note ?? ''}`.trim(),
    });
    return v;
  }

  /** Enterprises that booked at least one appointment in [from, to], and the number of appointments. */
  async usage(from: number, to: number): Promise<{ enterprises: number; appointments: number }> {
    const row = await this.d.db
      .selectFrom('appointments')
      .select([(eb) => eb.fn.count<number>('enterprise_id').distinct().as('e'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('created_at', '>=', from)
      .where('created_at', '<=', to)
      .executeTakeFirstOrThrow();
    return { enterprises: Number(row.e), appointments: Number(row.n) };
  }
}
