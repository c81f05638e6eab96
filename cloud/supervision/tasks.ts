/**
 * Inspection tasks (监管辅助作业): created by hand, by a rule (an ingested alarm), by an accepted local
 * inspection appointment or by a boarding quarantine decision; assigned to an inspector, worked through a
 * checklist with evidence (photos stored under dataDir with their SM3, readings from the edge, draft
 * surveys, notes) and closed with a result. Priority inspections (优先查检) carry a deadline; the share
 * finished on time is the fulfilment rate (target ≥ 95 %).
 *
 * Lifecycle: open → assigned → in_progress → done, or cancelled from any state but done. Every change is
 * audited in its transaction and pushed to the console.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sm3Hex } from '../../shared/crypto/sm3.js';
import { QuaysideError } from '../../shared/errors.js';
import type { ConsoleTrx } from '../auth/db.js';
import { actorOf, SYSTEM, type Principal } from '../auth/principal.js';
import { assertEnterprise, enterpriseScope, json, type SupervisionDeps } from './context.js';
import type { TasksTable } from './db.js';
import type { AlarmView } from './monitor.js';

export type TaskStatus = 'open' | 'assigned' | 'in_progress' | 'done' | 'cancelled';
export type TaskKind = 'inspection' | 'local' | 'quarantine';
export type TaskResult = 'pass' | 'fail' | 'anomaly';

export interface ChecklistItem {
  id: string;
  label: string;
  done: boolean;
  note: string | null;
}

export interface EvidenceView {
  id: number;
  taskId: string;
  kind: 'photo' | 'reading' | 'survey' | 'note';
  data: Record<string, unknown>;
  sm3: string | null;
  createdBy: string;
  createdAt: number;
}

export interface TaskView {
  id: string;
  kind: TaskKind;
  title: string;
  source: string;
  ruleId: string | null;
  priority: boolean;
  deadlineAt: number | null;
  enterpriseId: string | null;
  subject: Record<string, unknown>;
  checklist: ChecklistItem[];
  status: TaskStatus;
  assigneeId: string | null;
  assigneeName: string | null;
  result: TaskResult | null;
  resultNote: string | null;
  appointmentId: string | null;
  quarantineId: string | null;
  createdBy: string;
  createdAt: number;
  assignedAt: number | null;
  startedAt: number | null;
  completedAt: number | null;
  updatedAt: number;
  /** Priority tasks: finished by the deadline (null while open and not yet late, or without a deadline). */
  onTime: boolean | null;
  evidence?: EvidenceView[];
}

export interface NewTask {
  title: string;
  kind?: TaskKind;
  checklist: string[];
  priority?: boolean;
  deadlineAt?: number | null;
  enterpriseId?: string | null;
  subject?: Record<string, unknown>;
  assigneeId?: string | null;
}

export interface TaskOrigin {
  source: 'manual' | 'rule' | 'appointment' | 'quarantine';
  sourceRef?: string | null;
  ruleId?: string | null;
  appointmentId?: string | null;
  quarantineId?: string | null;
}

export interface RuleView {
  id: string;
  name: string;
  match: { gw?: string; device?: string; point?: string; severity?: string };
  task: { title: string; checklist: string[]; priority?: boolean; deadlineMinutes?: number };
  enabled: boolean;
  createdBy: string;
  createdAt: number;
}

const PHOTO_TYPES: Array<{ mime: string; ext: string; test: (b: Buffer) => boolean }> = [
  { mime: 'image/jpeg', ext: 'jpg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/png', ext: 'png', test: (b) => b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: 'image/webp', ext: 'webp', test: (b) => b.length > 12 && b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

function onTime(r: { priority: number; deadline_at: number | null; completed_at: number | null; status: string }, now: number): boolean | null {
  if (!r.priority || r.deadline_at === null || r.status === 'cancelled') return null;
  if (r.completed_at !== null) return Number(r.completed_at) <= Number(r.deadline_at);
  return Number(r.deadline_at) < now ? false : null;
}

export class TaskService {
  private rulesCache: { at: number; rules: Promise<RuleView[]> } | null = null;

  constructor(private readonly d: SupervisionDeps) {}

  private view(r: TasksTable & { display_name?: string | null }): TaskView {
    return {
      id: r.id,
      kind: r.kind as TaskKind,
      title: r.title,
      source: r.source,
      ruleId: r.rule_id,
      priority: r.priority === 1,
      deadlineAt: r.deadline_at === null ? null : Number(r.deadline_at),
      enterpriseId: r.enterprise_id,
      subject: json(r.subject, {}),
      checklist: json<ChecklistItem[]>(r.checklist, []),
      status: r.status as TaskStatus,
      assigneeId: r.assignee_id,
      assigneeName: r.display_name ?? null,
      result: (r.result as TaskResult | null) ?? null,
      resultNote: r.result_note,
      appointmentId: r.appointment_id,
      quarantineId: r.quarantine_id,
      createdBy: r.created_by,
      createdAt: Number(r.created_at),
      assignedAt: r.assigned_at === null ? null : Number(r.assigned_at),
      startedAt: r.started_at === null ? null : Number(r.started_at),
      completedAt: r.completed_at === null ? null : Number(r.completed_at),
      updatedAt: Number(r.updated_at),
      onTime: onTime(r, this.d.now()),
    };
  }

  private query() {
    return this.d.db.selectFrom('tasks as t').leftJoin('users as u', 'u.id', 't.assignee_id').selectAll('t').select('u.display_name');
  }

  async list(p: Principal, q: { status?: string | undefined; kind?: string | undefined; assignee?: string | undefined; priority?: boolean | undefined; limit: number }): Promise<TaskView[]> {
    let query = this.query();
    const ent = enterpriseScope(p);
    if (ent) query = query.where('t.enterprise_id', '=', ent);
    if (q.status) query = query.where('t.status', 'in', q.status.split(','));
    if (q.kind) query = query.where('t.kind', '=', q.kind);
    if (q.assignee) query = query.where('t.assignee_id', '=', q.assignee === 'me' ? (p.userId ?? '') : q.assignee);
    if (q.priority !== undefined) query = query.where('t.priority', '=', q.priority ? 1 : 0);
    return (await query.orderBy('t.created_at', 'desc').limit(q.limit).execute()).map((r) => this.view(r));
  }

  /** A task the principal may see, with its evidence; 404 otherwise (also for another enterprise's task). */
  async get(p: Principal, id: string, withEvidence = true): Promise<TaskView> {
    let query = this.query().where('t.id', '=', id);
    const ent = enterpriseScope(p);
    if (ent) query = query.where('t.enterprise_id', '=', ent);
    const r = await query.executeTakeFirst();
    if (!r) throw new QuaysideError('CLOUD_SUPERVISION_NOT_FOUND', `task ${id}`);
    const v = this.view(r);
    if (withEvidence) v.evidence = await this.evidence(id);
    return v;
  }

  private async evidence(taskId: string): Promise<EvidenceView[]> {
    const rows = await this.d.db.selectFrom('task_evidence').selectAll().where('task_id', '=', taskId).orderBy('id').execute();
    return rows.map((e) => ({ id: Number(e.id), taskId: e.task_id, kind: e.kind as EvidenceView['kind'], data: json(e.data, {}), sm3: e.sm3, createdBy: e.created_by, createdAt: Number(e.created_at) }));
  }

  private async checkInspector(trx: ConsoleTrx, userId: string): Promise<void> {
    const u = await trx.selectFrom('users').select('status').where('id', '=', userId).executeTakeFirst();
    const role = await trx.selectFrom('user_roles').select('role').where('user_id', '=', userId).where('role', '=', 'inspector').executeTakeFirst();
    if (!u || u.status !== 'active' || !role) throw new QuaysideError('CLOUD_BAD_REQUEST', `assignee ${userId} is not an active inspector`);
  }

  /**
   * Inserts a task inside the caller's transaction (an appointment decision, a quarantine decision, a rule).
   * Returns null when a task with the same `sourceRef` exists (created once).
   */
  async createIn(trx: ConsoleTrx, input: NewTask, origin: TaskOrigin, by: Principal): Promise<string | null> {
    const now = this.d.now();
    const id = crypto.randomUUID();
    if (input.assigneeId) await this.checkInspector(trx, input.assigneeId);
    const checklist: ChecklistItem[] = input.checklist.map((label, i) => ({ id: `c${i + 1}`, label, done: false, note: null }));
    const r = await trx
      .insertInto('tasks')
      .values({
        id,
        kind: input.kind ?? 'inspection',
        title: input.title,
        source: origin.source,
        source_ref: origin.sourceRef ?? null,
        rule_id: origin.ruleId ?? null,
        priority: input.priority ? 1 : 0,
        deadline_at: input.deadlineAt ?? null,
        enterprise_id: input.enterpriseId ?? null,
        subject: JSON.stringify(input.subject ?? {}),
        checklist: JSON.stringify(checklist),
        status: input.assigneeId ? 'assigned' : 'open',
        assignee_id: input.assigneeId ?? null,
        result: null,
        result_note: null,
        appointment_id: origin.appointmentId ?? null,
        quarantine_id: origin.quarantineId ?? null,
        created_by: by.userId ?? by.username,
        created_at: now,
        assigned_at: input.assigneeId ? now : null,
        started_at: null,
        completed_at: null,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('source_ref').doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0n) !== 1) return null;
    await this.d.audit.appendIn(trx, {
      ...actorOf(by),
      action: 'task.create',
      targetType: 'task',
      targetId: id,
      enterpriseId: input.enterpriseId ?? null,
      detail: { title: input.title, kind: input.kind ?? 'inspection', source: origin.source, sourceRef: origin.sourceRef ?? null, priority: input.priority === true, deadlineAt: input.deadlineAt ?? null, assigneeId: input.assigneeId ?? null, checklist: input.checklist },
    });
    return id;
  }

  /** Pushes a task's current state to the console. */
  async announce(id: string): Promise<TaskView> {
    const r = await this.query().where('t.id', '=', id).executeTakeFirstOrThrow();
    const v = this.view(r);
    this.d.hub.publish('task', v, { permission: 'tasks.read', enterpriseId: v.enterpriseId });
    return v;
  }

  async create(input: NewTask, by: Principal): Promise<TaskView> {
    if (input.enterpriseId) await assertEnterprise(this.d, input.enterpriseId);
    const id = await this.d.db.transaction().execute((trx) => this.createIn(trx, input, { source: 'manual' }, by));
    return this.announce(id!);
  }

  /** Changes a task under a lock on its row; `fn` checks the state and returns the columns to set and the audit detail. */
  private async change(
    p: Principal,
    id: string,
    action: string,
    fn: (t: TaskView, trx: ConsoleTrx) => Promise<{ set: Partial<TasksTable>; detail: Record<string, unknown> }> | { set: Partial<TasksTable>; detail: Record<string, unknown> },
  ): Promise<TaskView> {
    await this.d.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('tasks').selectAll().where('id', '=', id);
      if (this.d.store.dialect === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirst();
      if (!row) throw new QuaysideError('CLOUD_SUPERVISION_NOT_FOUND', `task ${id}`);
      const t = this.view(row);
      const { set, detail } = await fn(t, trx);
      await trx.updateTable('tasks').set({ ...set, updated_at: this.d.now() }).where('id', '=', id).execute();
      await this.d.audit.appendIn(trx, { ...actorOf(p), action, targetType: 'task', targetId: id, enterpriseId: t.enterpriseId, detail });
    });
    return this.announce(id);
  }

  private mustWork(p: Principal, t: TaskView, states: TaskStatus[]): void {
    if (t.assigneeId !== p.userId) throw new QuaysideError('CLOUD_SUPERVISION_STATE', `task ${t.id} is not assigned to you`);
    if (!states.includes(t.status)) throw new QuaysideError('CLOUD_SUPERVISION_STATE', `task ${t.id} is ${t.status}`);
  }

  assign(p: Principal, id: string, assigneeId: string): Promise<TaskView> {
    return this.change(p, id, 'task.assign', async (t, trx) => {
      if (t.status === 'done' || t.status === 'cancelled') throw new QuaysideError('CLOUD_SUPERVISION_STATE', `task ${id} is ${t.status}`);
      await this.checkInspector(trx, assigneeId);
      return { set: { assignee_id: assigneeId, status: t.status === 'in_progress' ? 'in_progress' : 'assigned', assigned_at: this.d.now() }, detail: { from: t.assigneeId, to: assigneeId } };
    });
  }

  cancel(p: Principal, id: string, reason: string): Promise<TaskView> {
    return this.change(p, id, 'task.cancel', (t) => {
      if (t.status === 'done' || t.status === 'cancelled') throw new QuaysideError('CLOUD_SUPERVISION_STATE', `task ${id} is ${t.status}`);
      return { set: { status: 'cancelled', result_note: reason }, detail: { reason, from: t.status } };
    });
  }

  start(p: Principal, id: string): Promise<TaskView> {
    return this.change(p, id, 'task.start', (t) => {
      this.mustWork(p, t, ['assigned']);
      return { set: { status: 'in_progress', started_at: this.d.now() }, detail: {} };
    });
  }

  checkItem(p: Principal, id: string, itemId: string, done: boolean, note: string | null): Promise<TaskView> {
    return this.change(p, id, 'task.checklist', (t) => {
      this.mustWork(p, t, ['in_progress']);
      const item = t.checklist.find((c) => c.id === itemId);
      if (!item) throw new QuaysideError('CLOUD_SUPERVISION_NOT_FOUND', `checklist item ${itemId} of task ${id}`);
      const checklist = t.checklist.map((c) => (c.id === itemId ? { ...c, done, note } : c));
      return { set: { checklist: JSON.stringify(checklist) }, detail: { item: itemId, label: item.label, done, note } };
    });
  }

  complete(p: Principal, id: string, result: TaskResult, note: string | null): Promise<TaskView> {
    return this.change(p, id, 'task.complete', async (t, trx) => {
      this.mustWork(p, t, ['in_progress']);
      const open = t.checklist.filter((c) => !c.done);
      if (open.length) throw new QuaysideError('CLOUD_SUPERVISION_STATE', `checklist items not done: ${open.map((c) => c.label).join(', ')}`);
      const now = this.d.now();
      if (t.appointmentId) await trx.updateTable('appointments').set({ status: 'done', updated_at: now }).where('id', '=', t.appointmentId).execute();
      const evidence = await trx.selectFrom('task_evidence').select((eb) => eb.fn.countAll<number>().as('n')).where('task_id', '=', id).executeTakeFirstOrThrow();
      return { set: { status: 'done', result, result_note: note, completed_at: now }, detail: { result, note, evidence: Number(evidence.n), onTime: t.priority && t.deadlineAt !== null ? now <= t.deadlineAt : null } };
    }).then(async (v) => {
      if (v.enterpriseId) {
        await this.d.notices.send({ kind: 'task.done', enterpriseId: v.enterpriseId, title: `查检完成 Inspection finished: ${v.title}`, body: `result ${v.result}${v.resultNote ? ` — ${v.resultNote}` : ''}` });
      }
      return v;
    });
  }

  /** Adds evidence to a task being worked (by its assignee). */
  async addEvidence(p: Principal, id: string, e: { kind: EvidenceView['kind']; data: Record<string, unknown>; sm3?: string | null }): Promise<EvidenceView> {
    let evidenceId = 0;
    await this.change(p, id, 'task.evidence', async (t, trx) => {
      this.mustWork(p, t, ['in_progress']);
      const row = await trx
        .insertInto('task_evidence')
        .values({ task_id: id, kind: e.kind, data: JSON.stringify(e.data), sm3: e.sm3 ?? null, created_by: p.userId ?? p.username, created_at: this.d.now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      evidenceId = Number(row.id);
      return { set: {}, detail: { evidence: evidenceId, kind: e.kind, sm3: e.sm3 ?? null, data: e.data } };
    });
    return (await this.evidence(id)).find((x) => x.id === evidenceId)!;
  }

  /** A reading as evidence: the newest value of the edge device's point, or a manual value. */
  async readingEvidence(p: Principal, id: string, r: { gw?: string | undefined; device: string; point: string; value?: number | string | undefined; unit?: string | undefined }): Promise<EvidenceView> {
    if (r.gw !== undefined && r.value === undefined) {
      const rows = await this.d.series.latest(r.gw);
      const hit = rows.find((x) => x.device === r.device && x.point === r.point);
      if (!hit) throw new QuaysideError('CLOUD_SUPERVISION_EDGE_READING', `${r.gw}/${r.device}/${r.point}`);
      return this.addEvidence(p, id, { kind: 'reading', data: { source: 'edge', gw: r.gw, device: r.device, point: r.point, value: hit.value, unit: hit.unit, quality: hit.quality, ts: hit.ts } });
    }
    if (r.value === undefined) throw new QuaysideError('CLOUD_SUPERVISION_EVIDENCE', 'a manual reading needs a value');
    return this.addEvidence(p, id, { kind: 'reading', data: { source: 'manual', device: r.device, point: r.point, value: r.value, unit: r.unit ?? '', ts: this.d.now() } });
  }

  async surveyEvidence(p: Principal, id: string, gw: string, surveyId: string): Promise<EvidenceView> {
    const s = await this.d.db.selectFrom('surveys').select(['gw', 'id', 'vessel', 'stage', 'status', 'ts']).where('gw', '=', gw).where('id', '=', surveyId).executeTakeFirst();
    if (!s) throw new QuaysideError('CLOUD_SUPERVISION_EVIDENCE', `no survey ${surveyId} from gateway ${gw}`);
    return this.addEvidence(p, id, { kind: 'survey', data: { gw, surveyId, vessel: s.vessel, stage: s.stage, status: s.status, ts: Number(s.ts) } });
  }

  /** A photo: type from its bytes (JPEG, PNG, WebP), stored as <dataDir>/<evidenceDir>/<task>/<sm3>.<ext>. */
  async photoEvidence(p: Principal, id: string, body: Buffer, name: string | null): Promise<EvidenceView> {
    if (body.length === 0) throw new QuaysideError('CLOUD_SUPERVISION_EVIDENCE', 'empty photo');
    if (body.length > this.d.config.maxPhotoBytes) throw new QuaysideError('CLOUD_SUPERVISION_EVIDENCE', `photo larger than ${this.d.config.maxPhotoBytes} bytes`);
    const type = PHOTO_TYPES.find((t) => t.test(body));
    if (!type) throw new QuaysideError('CLOUD_SUPERVISION_EVIDENCE', 'not a JPEG, PNG or WebP image');
    // The task must be workable before anything touches the disk.
    const t = await this.get(p, id, false);
    this.mustWork(p, t, ['in_progress']);
    const hash = sm3Hex(body);
    const rel = path.join(this.d.config.evidenceDir, id.replace(/[^A-Za-z0-9-]/g, ''), `${hash}.${type.ext}`);
    const file = path.join(this.d.dataDir, rel);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(file, body);
    return this.addEvidence(p, id, { kind: 'photo', sm3: hash, data: { name: (name ?? `photo.${type.ext}`).slice(0, 200), mime: type.mime, bytes: body.length, sm3: hash, file: rel } });
  }

  /** A photo's bytes, checked against its SM3 before they leave. */
  async photoFile(p: Principal, id: string, evidenceId: number): Promise<{ body: Buffer; mime: string; sm3: string }> {
    const t = await this.get(p, id);
    const e = t.evidence?.find((x) => x.id === evidenceId && x.kind === 'photo');
    if (!e || !e.sm3) throw new QuaysideError('CLOUD_SUPERVISION_NOT_FOUND', `photo ${evidenceId} of task ${id}`);
    const rel = String(e.data['file']);
    const file = path.resolve(this.d.dataDir, rel);
    if (!file.startsWith(path.resolve(this.d.dataDir, this.d.config.evidenceDir) + path.sep)) throw new QuaysideError('CLOUD_SUPERVISION_INTEGRITY', 'evidence path outside the evidence folder');
    const body = await fs.promises.readFile(file).catch(() => null);
    if (!body || sm3Hex(body) !== e.sm3) throw new QuaysideError('CLOUD_SUPERVISION_INTEGRITY', `photo ${evidenceId} of task ${id}`);
    return { body, mime: String(e.data['mime']), sm3: e.sm3 };
  }

  /** Priority inspection fulfilment over tasks whose deadline falls in [from, to]. */
  async priorityStats(p: Principal, from: number, to: number): Promise<{ total: number; onTime: number; late: number; overdueOpen: number; open: number; rate: number | null; target: number }> {
    let q = this.d.db.selectFrom('tasks').select(['status', 'deadline_at', 'completed_at']).where('priority', '=', 1).where('deadline_at', '>=', from).where('deadline_at', '<=', to).where('status', '!=', 'cancelled');
    const ent = enterpriseScope(p);
    if (ent) q = q.where('enterprise_id', '=', ent);
    const rows = await q.execute();
    const now = this.d.now();
    let onTimeN = 0;
    let late = 0;
    let overdueOpen = 0;
    let open = 0;
    for (const r of rows) {
      if (r.completed_at !== null) Number(r.completed_at) <= Number(r.deadline_at) ? onTimeN++ : late++;
      else if (Number(r.deadline_at) < now) overdueOpen++;
      else open++;
    }
    const settled = onTimeN + late + overdueOpen;
    return { total: rows.length, onTime: onTimeN, late, overdueOpen, open, rate: settled ? onTimeN / settled : null, target: 0.95 };
  }

  // ── rules ────────────────────────────────────────────────────────────────

  async createRule(p: Principal, r: Omit<RuleView, 'id' | 'createdBy' | 'createdAt'>): Promise<RuleView> {
    const view: RuleView = { ...r, id: crypto.randomUUID(), createdBy: p.userId ?? p.username, createdAt: this.d.now() };
    await this.d.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('task_rules')
        .values({ id: view.id, name: view.name, match: JSON.stringify(view.match), task: JSON.stringify(view.task), enabled: view.enabled ? 1 : 0, created_by: view.createdBy, created_at: view.createdAt })
        .execute();
      await this.d.audit.appendIn(trx, { ...actorOf(p), action: 'rule.create', targetType: 'rule', targetId: view.id, detail: { name: view.name, match: view.match, task: view.task, enabled: view.enabled } });
    });
    this.rulesCache = null;
    return view;
  }

  async listRules(): Promise<RuleView[]> {
    const rows = await this.d.db.selectFrom('task_rules').selectAll().orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, match: json(r.match, {}), task: json(r.task, { title: r.name, checklist: [] }), enabled: r.enabled === 1, createdBy: r.created_by, createdAt: Number(r.created_at) }));
  }

  private rules(): Promise<RuleView[]> {
    const now = this.d.now();
    if (!this.rulesCache || now - this.rulesCache.at > 5000) this.rulesCache = { at: now, rules: this.listRules() };
    return this.rulesCache.rules;
  }

  /** Creates the tasks the enabled rules ask for on a newly ingested alarm; once per (rule, alarm). */
  async applyRules(alarm: AlarmView): Promise<TaskView[]> {
    if (alarm.action === 'cleared') return [];
    const out: TaskView[] = [];
    for (const rule of await this.rules()) {
      if (!rule.enabled) continue;
      const m = rule.match;
      if ((m.gw && m.gw !== alarm.gw) || (m.device && m.device !== alarm.device) || (m.point && m.point !== alarm.point) || (m.severity && m.severity !== alarm.severity)) continue;
      const now = this.d.now();
      const id = await this.d.db.transaction().execute((trx) =>
        this.createIn(
          trx,
          {
            title: rule.task.title,
            checklist: rule.task.checklist,
            priority: rule.task.priority ?? false,
            deadlineAt: rule.task.deadlineMinutes ? now + rule.task.deadlineMinutes * 60_000 : null,
            subject: { alarm: { gw: alarm.gw, id: alarm.id, device: alarm.device, point: alarm.point, message: alarm.message, ts: alarm.ts } },
          },
          { source: 'rule', ruleId: rule.id, sourceRef: `rule:${rule.id}:${alarm.gw}/${alarm.id}` },
          SYSTEM,
        ),
      );
      if (id) out.push(await this.announce(id));
    }
    return out;
  }

  /** Times from creation to completion of finished tasks completed in [from, to], in minutes. */
  async clearance(from: number, to: number): Promise<{ tasks: number; meanMinutes: number | null; p50Minutes: number | null; p90Minutes: number | null }> {
    const rows = await this.d.db.selectFrom('tasks').select(['created_at', 'completed_at']).where('status', '=', 'done').where('completed_at', '>=', from).where('completed_at', '<=', to).execute();
    const mins = rows.map((r) => (Number(r.completed_at) - Number(r.created_at)) / 60_000).sort((a, b) => a - b);
    const q = (f: number) => (mins.length ? mins[Math.min(mins.length - 1, Math.floor(f * mins.length))]! : null);
    return { tasks: mins.length, meanMinutes: mins.length ? mins.reduce((a, b) => a + b, 0) / mins.length : null, p50Minutes: q(0.5), p90Minutes: q(0.9) };
  }
}
