/**
 * Ship health quarantine (船舶卫生检疫): the arrival declaration (vessel, IMO, last ports, crew, ill crew),
 * a suggested decision, the customs decision (boarding, remote, free pratique) with its reasons — boarding
 * creates a task — and ballast water reports whose density and temperature come from the edge's density
 * monitor (or are typed in). From them the salinity is computed (EOS-80, shared/vessel/density-basis.ts)
 * and an exchange at sea that the record book claims but the water's salinity (< 30 PSU) makes
 * implausible is flagged — an indication for the officer, never proof (BWM.2/Circ.42).
 */
import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { QuaysideError } from '../../shared/errors.js';
import { parseImo } from '../../shared/ids/imo.js';
import { ballastSalinity, BALLAST_EXCHANGE_SALINITY_PSU } from '../../shared/vessel/density-basis.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { assertEnterprise, enterpriseScope, json, type SupervisionDeps } from './context.js';
import type { BallastReportsTable, QuarantineDeclarationsTable } from './db.js';
import type { TaskService } from './tasks.js';

export type QuarantineDecision = 'boarding' | 'remote' | 'free_pratique';

export interface BallastView {
  id: number;
  tank: string;
  exchangeClaimed: boolean;
  exchangeMethod: string | null;
  exchangePosition: string | null;
  densityKgM3: number;
  temperatureC: number;
  salinityPsu: number;
  flag: boolean;
  note: string;
  source: 'edge' | 'manual';
  sourceRef: Record<string, unknown> | null;
  createdBy: string;
  createdAt: number;
}

export interface DeclarationView {
  id: string;
  enterpriseId: string | null;
  vesselName: string;
  imo: string;
  voyage: string | null;
  eta: number;
  lastPorts: string[];
  crewCount: number;
  illCrew: number;
  illDetails: string | null;
  status: 'declared' | 'decided';
  decision: QuarantineDecision | null;
  reasons: string[];
  suggestion: { decision: QuarantineDecision; reasons: string[] };
  decidedBy: string | null;
  decidedAt: number | null;
  taskId: string | null;
  createdAt: number;
  updatedAt: number;
  ballast?: BallastView[];
}

export const BOARDING_CHECKLIST = ['核查航海健康申报 Check the maritime declaration of health', '船员体温与症状检查 Crew temperature and symptoms', '卫生状况检查 Sanitary inspection', '压舱水取样 Ballast water sample'];

/** The suggestion shown with a declaration: boarding when anyone is ill or the ship comes from a risk port. */
export function suggestDecision(d: { illCrew: number; lastPorts: readonly string[] }, riskPorts: readonly string[]): { decision: QuarantineDecision; reasons: string[] } {
  const reasons: string[] = [];
  if (d.illCrew > 0) reasons.push(`${d.illCrew} crew member(s) reported ill`);
  const risk = new Set(riskPorts.map((p) => p.trim().toUpperCase()));
  const hits = d.lastPorts.filter((p) => risk.has(p.trim().toUpperCase()));
  if (hits.length) reasons.push(`last ports include risk port(s): ${hits.join(', ')}`);
  if (reasons.length) return { decision: 'boarding', reasons };
  return { decision: 'remote', reasons: ['no ill crew and no risk port of call: remote (电讯) quarantine'] };
}

export class QuarantineService {
  constructor(
    private readonly d: SupervisionDeps,
    private readonly tasks: TaskService,
  ) {}

  private view(r: QuarantineDeclarationsTable): DeclarationView {
    const lastPorts = json<string[]>(r.last_ports, []);
    return {
      id: r.id,
      enterpriseId: r.enterprise_id,
      vesselName: r.vessel_name,
      imo: r.imo,
      voyage: r.voyage,
      eta: Number(r.eta),
      lastPorts,
      crewCount: r.crew_count,
      illCrew: r.ill_crew,
      illDetails: r.ill_details,
      status: r.status === 'decided' ? 'decided' : 'declared',
      decision: (r.decision as QuarantineDecision | null) ?? null,
      reasons: json<string[]>(r.reasons, []),
      suggestion: suggestDecision({ illCrew: r.ill_crew, lastPorts }, this.d.config.riskPorts),
      decidedBy: r.decided_by,
      decidedAt: r.decided_at === null ? null : Number(r.decided_at),
      taskId: r.task_id,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    };
  }

  private ballastView(r: Selectable<BallastReportsTable>): BallastView {
    return {
      id: Number(r.id),
      tank: r.tank,
      exchangeClaimed: r.exchange_claimed === 1,
      exchangeMethod: r.exchange_method,
      exchangePosition: r.exchange_position,
      densityKgM3: r.density_kg_m3,
      temperatureC: r.temperature_c,
      salinityPsu: r.salinity_psu,
      flag: r.flag === 1,
      note: r.note,
      source: r.source === 'edge' ? 'edge' : 'manual',
      sourceRef: json<Record<string, unknown> | null>(r.source_ref, null),
      createdBy: r.created_by,
      createdAt: Number(r.created_at),
    };
  }

  async list(p: Principal, q: { status?: string | undefined; limit: number }): Promise<DeclarationView[]> {
    let query = this.d.db.selectFrom('quarantine_declarations').selectAll();
    const ent = enterpriseScope(p);
    if (ent) query = query.where('enterprise_id', '=', ent);
    if (q.status) query = query.where('status', '=', q.status);
    return (await query.orderBy('eta', 'desc').limit(q.limit).execute()).map((r) => this.view(r));
  }

  async get(p: Principal, id: string, withBallast = true): Promise<DeclarationView> {
    let query = this.d.db.selectFrom('quarantine_declarations').selectAll().where('id', '=', id);
    const ent = enterpriseScope(p);
    if (ent) query = query.where('enterprise_id', '=', ent);
    const r = await query.executeTakeFirst();
    if (!r) throw new QuaysideError('CLOUD_SUPERVISION_NOT_FOUND', `quarantine declaration ${id}`);
    const v = this.view(r);
    if (withBallast) {
      const rows = await this.d.db.selectFrom('ballast_reports').selectAll().where('declaration_id', '=', id).orderBy('id').execute();
      v.ballast = rows.map((b) => this.ballastView(b));
    }
    return v;
  }

  private announce(v: DeclarationView): DeclarationView {
    this.d.hub.publish('quarantine', v, { permission: 'quarantine.read', enterpriseId: v.enterpriseId });
    return v;
  }

  async declare(
    p: Principal,
    b: { vesselName: string; imo: string; voyage?: string | undefined; eta: number; lastPorts: string[]; crewCount: number; illCrew: number; illDetails?: string | undefined; enterpriseId?: string | undefined },
  ): Promise<DeclarationView> {
    const imo = parseImo(b.imo);
    if (!imo.ok) throw new QuaysideError('CLOUD_BAD_REQUEST', `imo: ${imo.message}`);
    if (b.illCrew > b.crewCount) throw new QuaysideError('CLOUD_BAD_REQUEST', 'illCrew cannot exceed crewCount');
    const enterpriseId = enterpriseScope(p) ?? b.enterpriseId ?? null;
    if (enterpriseId && !enterpriseScope(p)) await assertEnterprise(this.d, enterpriseId);
    const id = crypto.randomUUID();
    const now = this.d.now();
    const imoDigits = imo.imo;
    await this.d.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('quarantine_declarations')
        .values({
          id,
          enterprise_id: enterpriseId,
          vessel_name: b.vesselName,
          imo: imoDigits,
          voyage: b.voyage ?? null,
          eta: b.eta,
          last_ports: JSON.stringify(b.lastPorts),
          crew_count: b.crewCount,
          ill_crew: b.illCrew,
          ill_details: b.illDetails ?? null,
          status: 'declared',
          decision: null,
          reasons: null,
          decided_by: null,
          decided_at: null,
          task_id: null,
          created_by: p.userId ?? p.username,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await this.d.audit.appendIn(trx, {
        ...actorOf(p),
        action: 'quarantine.declare',
        targetType: 'quarantine',
        targetId: id,
        enterpriseId,
        detail: { vesselName: b.vesselName, imo: imoDigits, eta: b.eta, lastPorts: b.lastPorts, crewCount: b.crewCount, illCrew: b.illCrew },
      });
    });
    return this.announce(await this.get(p, id));
  }

  async decide(p: Principal, id: string, d: { decision: QuarantineDecision; reasons: string[] }): Promise<DeclarationView> {
    const decl = await this.get(p, id, false);
    if (decl.status !== 'declared') throw new QuaysideError('CLOUD_SUPERVISION_STATE', `declaration ${id} is already decided (${decl.decision ?? ''})`);
    let taskId: string | null = null;
    await this.d.db.transaction().execute(async (trx) => {
      const now = this.d.now();
      const r = await trx
        .updateTable('quarantine_declarations')
        .set({ status: 'decided', decision: d.decision, reasons: JSON.stringify(d.reasons), decided_by: p.userId ?? p.username, decided_at: now, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'declared')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new QuaysideError('CLOUD_SUPERVISION_STATE', `declaration ${id} was decided meanwhile`);
      await this.d.audit.appendIn(trx, {
        ...actorOf(p),
        action: 'quarantine.decide',
        targetType: 'quarantine',
        targetId: id,
        enterpriseId: decl.enterpriseId,
        detail: { decision: d.decision, reasons: d.reasons, suggestion: decl.suggestion.decision },
      });
      if (d.decision === 'boarding') {
        taskId = await this.tasks.createIn(
          trx,
          {
            title: `登轮检疫 Boarding quarantine: ${decl.vesselName} (IMO ${decl.imo})`,
            kind: 'quarantine',
            checklist: BOARDING_CHECKLIST,
            priority: true,
            deadlineAt: Math.max(decl.eta, now) + 4 * 3600 * 1000,
            enterpriseId: decl.enterpriseId,
            subject: { quarantineId: id, vesselName: decl.vesselName, imo: decl.imo, eta: decl.eta, illCrew: decl.illCrew },
          },
          { source: 'quarantine', sourceRef: `quarantine:${id}`, quarantineId: id },
          p,
        );
        if (taskId) await trx.updateTable('quarantine_declarations').set({ task_id: taskId }).where('id', '=', id).execute();
      }
    });
    if (taskId) await this.tasks.announce(taskId);
    const v = this.announce(await this.get(p, id));
    if (v.enterpriseId) {
      const label = d.decision === 'boarding' ? '登轮检疫 boarding quarantine' : d.decision === 'remote' ? '电讯检疫 remote quarantine' : '自由检疫 free pratique';
      await this.d.notices.send({ kind: 'quarantine.decided', enterpriseId: v.enterpriseId, title: `${v.vesselName}: ${label}`, body: d.reasons.join('; ') });
    }
    return v;
  }

  /**
   * A ballast water report for one tank. With `fromEdge`, density and temperature are the newest
   * readings of that density monitor (points `density` in kg/m³ and `temperature` in °C).
   */
  async ballast(
    p: Principal,
    id: string,
    b: { tank: string; exchangeClaimed: boolean; exchangeMethod?: string | undefined; exchangePosition?: string | undefined; densityKgM3?: number | undefined; temperatureC?: number | undefined; fromEdge?: { gw: string; device: string } | undefined },
  ): Promise<BallastView> {
    const decl = await this.get(p, id, false);
    let density = b.densityKgM3;
    let temperature = b.temperatureC;
    let sourceRef: Record<string, unknown> | null = null;
    if (b.fromEdge) {
      const rows = await this.d.series.latest(b.fromEdge.gw);
      const pick = (point: string) => rows.find((r) => r.device === b.fromEdge!.device && r.point === point && r.quality !== 'bad' && typeof r.value === 'number');
      const rho = pick('density');
      const t = pick('temperature');
      if (!rho || !t) throw new QuaysideError('CLOUD_SUPERVISION_EDGE_READING', `${b.fromEdge.gw}/${b.fromEdge.device}: needs good density and temperature readings`);
      density = rho.value as number;
      temperature = t.value as number;
      const sal = pick('salinity');
      sourceRef = { gw: b.fromEdge.gw, device: b.fromEdge.device, densityTs: rho.ts, temperatureTs: t.ts, ...(sal ? { deviceSalinityPsu: sal.value } : {}) };
    }
    if (density === undefined || temperature === undefined) throw new QuaysideError('CLOUD_BAD_REQUEST', 'give densityKgM3 and temperatureC, or fromEdge');
    const check = ballastSalinity({ density: { kg_m3_in_vacuo: density }, temperature_c: temperature, exchange_claimed: b.exchangeClaimed });
    if (!check.ok) throw new QuaysideError('CLOUD_BAD_REQUEST', `density/temperature out of the EOS-80 range: ${check.error.message}`);
    const salinity = Math.round(check.value.salinity_psu * 100) / 100;
    const now = this.d.now();
    let reportId = 0;
    await this.d.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('ballast_reports')
        .values({
          declaration_id: id,
          tank: b.tank,
          exchange_claimed: b.exchangeClaimed ? 1 : 0,
          exchange_method: b.exchangeMethod ?? null,
          exchange_position: b.exchangePosition ?? null,
          density_kg_m3: density,
          temperature_c: temperature,
          salinity_psu: salinity,
          flag: check.value.flag ? 1 : 0,
          note: check.value.note,
          source: sourceRef ? 'edge' : 'manual',
          source_ref: sourceRef ? JSON.stringify(sourceRef) : null,
          created_by: p.userId ?? p.username,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      reportId = Number(row.id);
      await this.d.audit.appendIn(trx, {
        ...actorOf(p),
        action: 'ballast.report',
        targetType: 'quarantine',
        targetId: id,
        enterpriseId: decl.enterpriseId,
        detail: { report: reportId, tank: b.tank, exchangeClaimed: b.exchangeClaimed, densityKgM3: density, temperatureC: temperature, salinityPsu: salinity, flag: check.value.flag, threshold: BALLAST_EXCHANGE_SALINITY_PSU, source: sourceRef ? 'edge' : 'manual' },
      });
    });
    const full = await this.get(p, id);
    this.announce(full);
    return full.ballast!.find((x) => x.id === reportId)!;
  }

  async usage(from: number, to: number): Promise<{ declarations: number; decided: number; boarding: number; remote: number; freePratique: number; ballastFlags: number }> {
    const rows = await this.d.db
      .selectFrom('quarantine_declarations')
      .select(['status', 'decision', (eb) => eb.fn.countAll<number>().as('n')])
      .where('created_at', '>=', from)
      .where('created_at', '<=', to)
      .groupBy(['status', 'decision'])
      .execute();
    const flags = await this.d.db.selectFrom('ballast_reports').select((eb) => eb.fn.countAll<number>().as('n')).where('flag', '=', 1).where('created_at', '>=', from).where('created_at', '<=', to).executeTakeFirstOrThrow();
    let declarations = 0;
    let decided = 0;
    const by: Record<string, number> = {};
    for (const r of rows) {
      const n = Number(r.n);
      declarations += n;
      if (r.status === 'decided') decided += n;
      if (r.decision) by[r.decision] = (by[r.decision] ?? 0) + n;
    }
    return { declarations, decided, boarding: by['boarding'] ?? 0, remote: by['remote'] ?? 0, freePratique: by['free_pratique'] ?? 0, ballastFlags: Number(flags.n) };
  }
}
