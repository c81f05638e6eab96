/**
 * The inspector's draft-survey workflow on the edge (issue 4 §6), over the edge store's SQLite:
 *
 *   vessel library  → `vessels` (CSV/XLSX import through shared/vessel, versioned)
 *   sessions        one survey (initial / intermediate / final) of a case (one ship call), status
 *                   draft → computed → signed; any change of an input sends it back to draft, and
 *                   a signed survey no longer changes
 *   readings        drafts averaged from a gauge over a window (mean/min/max/std/n per mark, raw
 *                   samples kept), dock density from the monitor converted to the hydrometer basis
 *                   (steps kept) or a manual hydrometer value, ballast tank by tank from a level
 *                   meter (pressure → level with the recorded density → sounding → volume through
 *                   the tank table at the ship's trim → weight), deductibles, photos
 *   manual entries  refused without a reason; every action audit-logged with operator and time
 *   compute         the shared engine over the case file built from the case's surveys; the case
 *                   file and the full result are stored, and the case exports as-is
 *   sign            SM2 over the canonical JSON of the survey record, with the gateway's key pair;
 *                   verify; the PDF report; the signed record is queued for the cloud
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { canonicalJson } from '../../shared/crypto/canonical-json.js';
import { signRecord, verifyRecord, type RecordSignature, type RecordVerification } from '../../shared/crypto/record-signature.js';
import { sm3Hex } from '../../shared/crypto/sm3.js';
import type { SurveyItem } from '../../shared/contracts/envelope.js';
import { QuaysideError } from '../../shared/errors.js';
import { validateCase } from '../../shared/survey/case-schema.js';
import { computeCase, type CaseResult } from '../../shared/survey/engine.js';
import { SurveyCaseError } from '../../shared/survey/errors.js';
import { roundHalfAwayFromZero } from '../../shared/survey/rounding.js';
import { levelFromPressure } from '../../shared/vessel/ballast-level.js';
import { chooseSurveyDensity, surveyDensityFromMonitor, type DensityBasis, type MonitorReading } from '../../shared/vessel/density-basis.js';
import type { VesselRecord } from '../../shared/vessel/schema.js';
import { tankVolume, type TankReading } from '../../shared/vessel/tank-table.js';
import type { EdgeStore } from '../store/store.js';
import { AuditLog } from './audit.js';
import { buildCase, completeReadings, listDeg, missingInputs, surveyIdFor, trueTrimM, type CaseFile, type CaseMember } from './case-builder.js';
import { requireReason, SurveyError, vesselIssueView } from './errors.js';
import { loadOrCreateGatewayKey, type GatewayKey } from './keys.js';
import { jsonClean, SURVEY_RECORD_FORMAT, type SurveyRecord } from './record.js';
import type { SurveyReportInput } from './report/index.js';
import { MAX_NEXT_WINDOW_S, MAX_WINDOW_S, MIN_WINDOW_S, recordedDraft, sampleStats, windowSamples } from './stats.js';
import {
  MARKS,
  type AuditEntry,
  type DensityEntry,
  type DraftEntry,
  type InstrumentView,
  type LivePoint,
  type Mark,
  type PhotoView,
  type RawSample,
  type RoundingMode,
  type SampleStats,
  type SessionData,
  type SessionStatus,
  type SessionView,
  type SurveyStage,
  type TankEntry,
} from './types.js';
import { queueSurveyForUplink, surveyItemJson } from './uplink.js';
import { VesselLibrary } from './vessels.js';

/** The instruments the gateway polls, as the survey sees them. */
export interface InstrumentSource {
  list(): InstrumentView[];
  unit(device: string, point: string): string;
}

export interface SurveyServiceOptions {
  store: EdgeStore;
  dataDir: string;
  gateway: { id: string; name: string };
  instruments: InstrumentSource;
  logger?: Logger;
  now?: () => number;
  /** How long after a sample's time it is surely committed to the store (the writer's batch time + margin). */
  commitDelayMs?: number;
  /** Sends a signed survey up (default: into the store's outbox, kind "survey"); runs inside the signing transaction. */
  uplink?: (item: SurveyItem) => void;
  /** Told after every change of a session (created, an input, computed, signed), e.g. for flows. */
  onUpdate?: (update: SurveyUpdate) => void;
}

/** A session changed. */
export interface SurveyUpdate {
  id: string;
  case_id: string;
  stage: string;
  status: string;
  ts: number;
}

/** Which window of samples a capture averages: the last N s, the next N s (waits), or an explicit one. */
export interface WindowSpec {
  window_s: number;
  mode?: 'last' | 'next';
  /** Explicit window end (epoch ms); with mode 'last' only. */
  end_ms?: number;
}

export const DRAFT_GAUGE_KIND = 'draft-gauge';
export const DENSITY_MONITOR_KIND = 'density-monitor';
export const LEVEL_METER_KIND = 'ballast-level-meter';
export const SURVEY_INSTRUMENT_KINDS = [DRAFT_GAUGE_KIND, DENSITY_MONITOR_KIND, LEVEL_METER_KIND] as const;

/** The points the workflow reads from each kind of instrument. */
const LIVE_POINTS: Record<string, readonly string[]> = {
  [DRAFT_GAUGE_KIND]: MARKS.map((m) => `draft_${m}`),
  [DENSITY_MONITOR_KIND]: ['density', 'temperature', 'salinity'],
  [LEVEL_METER_KIND]: ['pressure', 'level', 'ballast_density', 'temperature'],
};

/** The density monitor (qs-sdm-tcp) reports in vacuo at the in-situ temperature (its profile says so). */
export const DEFAULT_MONITOR_BASIS: DensityBasis = { medium: 'vacuo', temperature: 'in_situ' };
/** Dock density enters the case to 0.0001 t/m³ (a hydrometer reads to 0.0005). */
export const DENSITY_DECIMALS = 4;
export const MAX_PHOTO_BYTES = 15 * 1024 * 1024;

interface SessionRow {
  id: string;
  case_id: string;
  survey_id: string;
  vessel_imo: string;
  vessel_version: number;
  stage: SurveyStage;
  status: SessionStatus;
  operator: string;
  created: number;
  updated: number;
  data: string;
  case_json: string | null;
  result_json: string | null;
  computed_at: number | null;
  record_json: string | null;
  signature_json: string | null;
  signed_at: number | null;
}

interface CaptureRow {
  id: string;
  session_id: string;
  kind: string;
  target: string;
  device: string;
  ts: number;
  window_from: number;
  window_to: number;
  operator: string;
  summary: string;
  samples: string;
  samples_sm3: string;
}

interface PhotoRow {
  id: string;
  session_id: string;
  ts: number;
  operator: string;
  caption: string;
  mime: string;
  bytes: number;
  file: string;
  sm3: string;
}

export interface CreateSessionInput {
  id?: string | undefined;
  imo: string;
  version?: number | undefined;
  stage: SurveyStage;
  operator: string;
  case_id?: string | undefined;
  rounding?: RoundingMode | undefined;
  note?: string | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class SurveyService {
  readonly vessels: VesselLibrary;
  readonly audit: AuditLog;
  readonly key: GatewayKey;
  readonly photoDir: string;
  private readonly db: Database.Database;
  private readonly store: EdgeStore;
  private readonly now: () => number;
  private readonly commitDelayMs: number;
  private readonly log: Logger | undefined;
  private readonly stmt;

  constructor(private readonly opts: SurveyServiceOptions) {
    this.store = opts.store;
    this.db = opts.store.db;
    this.now = opts.now ?? Date.now;
    this.commitDelayMs = opts.commitDelayMs ?? 1000;
    this.log = opts.logger;
    this.audit = new AuditLog(this.db);
    this.vessels = new VesselLibrary(this.db, this.audit, this.now);
    this.key = loadOrCreateGatewayKey(opts.dataDir);
    if (this.key.created) this.log?.info({ fingerprint: this.key.fingerprint }, 'survey signing key pair generated');
    this.photoDir = path.join(opts.dataDir, 'survey', 'photos');
    const db = this.db;
    this.stmt = {
      session: db.prepare('SELECT * FROM survey_sessions WHERE id = ?'),
      sessions: db.prepare('SELECT * FROM survey_sessions ORDER BY created DESC LIMIT ?'),
      caseSessions: db.prepare('SELECT * FROM survey_sessions WHERE case_id = ? ORDER BY created, id'),
      insertSession: db.prepare(
        `INSERT INTO survey_sessions (id, case_id, survey_id, vessel_imo, vessel_version, stage, status, operator, created, updated, data)
         VALUES (@id, @case_id, @survey_id, @vessel_imo, @vessel_version, @stage, 'draft', @operator, @created, @created, @data)`,
      ),
      updateData: db.prepare("UPDATE survey_sessions SET data = ?, status = 'draft', case_json = NULL, result_json = NULL, computed_at = NULL, updated = ? WHERE id = ?"),
      setComputed: db.prepare("UPDATE survey_sessions SET status = 'computed', case_json = ?, result_json = ?, computed_at = ?, updated = ? WHERE id = ?"),
      setSigned: db.prepare("UPDATE survey_sessions SET status = 'signed', record_json = ?, signature_json = ?, signed_at = ?, updated = ? WHERE id = ?"),
      insertCapture: db.prepare(
        'INSERT INTO survey_captures (id, session_id, kind, target, device, ts, window_from, window_to, operator, summary, samples, samples_sm3) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
      ),
      capture: db.prepare('SELECT * FROM survey_captures WHERE id = ?'),
      sessionCaptures: db.prepare('SELECT id, session_id, kind, target, device, ts, window_from, window_to, operator, summary, samples_sm3 FROM survey_captures WHERE session_id = ? ORDER BY ts'),
      insertPhoto: db.prepare('INSERT INTO survey_photos (id, session_id, ts, operator, caption, mime, bytes, file, sm3) VALUES (?,?,?,?,?,?,?,?,?)'),
      photo: db.prepare('SELECT * FROM survey_photos WHERE id = ?'),
      sessionPhotos: db.prepare('SELECT * FROM survey_photos WHERE session_id = ? ORDER BY ts'),
    };
  }

  // ---------------------------------------------------------------- instruments

  instruments(): InstrumentView[] {
    return this.opts.instruments.list().filter((i) => (SURVEY_INSTRUMENT_KINDS as readonly string[]).includes(i.kind));
  }

  private instrument(device: string, kind: string): InstrumentView {
    const found = this.opts.instruments.list().find((i) => i.id === device);
    if (!found) throw new QuaysideError('EDGE_DEVICE_NOT_FOUND', `"${device}"`);
    if (found.kind !== kind) throw new QuaysideError('EDGE_SURVEY_INSTRUMENT', `${device} is a ${found.kind}, not a ${kind}`);
    return found;
  }

  /** The latest value and the statistics over the last `windowS` seconds of each point the survey reads. */
  live(device: string, windowS: number): { device: string; kind: string; window_s: number; points: LivePoint[] } {
    const found = this.opts.instruments.list().find((i) => i.id === device);
    if (!found) throw new QuaysideError('EDGE_DEVICE_NOT_FOUND', `"${device}"`);
    const points = LIVE_POINTS[found.kind];
    if (!points) throw new QuaysideError('EDGE_SURVEY_INSTRUMENT', `${device} (${found.kind}) is not a survey instrument`);
    const to = this.now();
    const from = to - windowS * 1000;
    return {
      device,
      kind: found.kind,
      window_s: windowS,
      points: points.map((point) => {
        const latest = this.store.latestOf(device, point);
        return {
          point,
          unit: this.opts.instruments.unit(device, point),
          latest: latest && typeof latest.value === 'number' ? { ts: latest.ts, value: latest.value, quality: latest.quality } : null,
          stats: sampleStats(windowSamples(this.store, device, point, from, to)) ?? null,
        };
      }),
    };
  }

  /** Resolves the window (waiting for a 'next' window to pass and be committed). */
  private async window(spec: WindowSpec): Promise<{ from: number; to: number }> {
    const w = spec.window_s;
    if (!(w >= MIN_WINDOW_S && w <= MAX_WINDOW_S)) throw new QuaysideError('EDGE_BAD_REQUEST', `window_s must lie in ${MIN_WINDOW_S}–${MAX_WINDOW_S} s`);
    if (spec.mode === 'next') {
      if (w > MAX_NEXT_WINDOW_S) throw new QuaysideError('EDGE_BAD_REQUEST', `a capture of the next window lasts at most ${MAX_NEXT_WINDOW_S} s; average a longer past window with mode "last"`);
      const from = this.now();
      const to = from + w * 1000;
      await sleep(to - this.now() + this.commitDelayMs);
      return { from, to };
    }
    const to = spec.end_ms ?? this.now();
    if (to > this.now() + 1000) throw new QuaysideError('EDGE_BAD_REQUEST', 'end_ms lies in the future; use mode "next" to wait for a window');
    return { from: to - w * 1000, to };
  }

  private samplesOf(device: string, points: readonly string[], win: { from: number; to: number }): { samples: Record<string, RawSample[]>; stats: Record<string, SampleStats | undefined> } {
    const samples: Record<string, RawSample[]> = {};
    const stats: Record<string, SampleStats | undefined> = {};
    for (const p of points) {
      samples[p] = windowSamples(this.store, device, p, win.from, win.to);
      stats[p] = sampleStats(samples[p]!);
    }
    return { samples, stats };
  }

  private saveCapture(c: Omit<CaptureRow, 'samples' | 'samples_sm3' | 'summary'> & { summary: unknown; samples: unknown }): string {
    const samplesJson = canonicalJson(c.samples);
    const hash = sm3Hex(samplesJson);
    this.stmt.insertCapture.run(c.id, c.session_id, c.kind, c.target, c.device, c.ts, c.window_from, c.window_to, c.operator, JSON.stringify(c.summary), samplesJson, hash);
    return hash;
  }

  capture(id: string): { id: string; session_id: string; kind: string; target: string; device: string; ts: string; window: { from: string; to: string }; operator: string; summary: unknown; samples: unknown; samples_sm3: string } {
    const r = this.stmt.capture.get(id) as CaptureRow | undefined;
    if (!r) throw new QuaysideError('EDGE_SURVEY_NOT_FOUND', `capture ${id}`);
    return {
      id: r.id, session_id: r.session_id, kind: r.kind, target: r.target, device: r.device, ts: iso(r.ts)!,
      window: { from: iso(r.window_from)!, to: iso(r.window_to)! }, operator: r.operator,
      summary: JSON.parse(r.summary) as unknown, samples: JSON.parse(r.samples) as unknown, samples_sm3: r.samples_sm3,
    };
  }

  // ---------------------------------------------------------------- sessions

  createSession(input: CreateSessionInput): SessionView {
    if (input.id) {
      const existing = this.stmt.session.get(input.id) as SessionRow | undefined;
      if (existing) {
        // A replay of the same request (the tablet was offline) gets the session back.
        if (existing.vessel_imo === input.imo && existing.stage === input.stage) return this.view(existing);
        throw new QuaysideError('EDGE_SURVEY_CASE_MISMATCH', `session id ${input.id} is already used for IMO ${existing.vessel_imo} (${existing.stage})`);
      }
    }
    const id = input.id ?? randomUUID();
    const ts = this.now();
    let caseId = input.case_id ?? randomUUID();
    let version = input.version;
    let rounding: RoundingMode = input.rounding ?? 'none';
    const members = input.case_id ? (this.stmt.caseSessions.all(input.case_id) as SessionRow[]) : [];
    if (input.case_id && members.length === 0) throw new QuaysideError('EDGE_SURVEY_NOT_FOUND', `case ${input.case_id}`);
    const first = members[0];
    if (first) {
      if (first.vessel_imo !== input.imo) throw new QuaysideError('EDGE_SURVEY_CASE_MISMATCH', `case ${caseId} is for IMO ${first.vessel_imo}, not ${input.imo}`);
      if (version !== undefined && version !== first.vessel_version) {
        throw new QuaysideError('EDGE_SURVEY_CASE_MISMATCH', `case ${caseId} uses vessel version ${first.vessel_version}; one case file has one vessel`);
      }
      version = first.vessel_version;
      rounding = (JSON.parse(first.data) as SessionData).rounding;
      const taken = members.map((m) => m.survey_id);
      if (input.stage !== 'intermediate' && taken.includes(input.stage)) throw new QuaysideError('EDGE_SURVEY_CASE_MISMATCH', `case ${caseId} already has its ${input.stage} survey`);
      if (input.stage === 'initial') throw new QuaysideError('EDGE_SURVEY_CASE_MISMATCH', `the initial survey comes first in its case`);
      if (members.some((m) => m.stage === 'final')) throw new QuaysideError('EDGE_SURVEY_CASE_MISMATCH', `case ${caseId} is closed by its final survey`);
    } else {
      caseId = input.case_id ?? caseId;
    }
    const vessel = this.vessels.get(input.imo, version);
    const surveyId = surveyIdFor(input.stage, members.map((m) => m.survey_id));
    const data: SessionData = { drafts: {}, tanks: {}, deductibles: {}, rounding, ...(input.note ? { note: input.note } : {}) };
    this.db.transaction(() => {
      this.stmt.insertSession.run({ id, case_id: caseId, survey_id: surveyId, vessel_imo: input.imo, vessel_version: vessel.summary.version, stage: input.stage, operator: input.operator, created: ts, data: JSON.stringify(data) });
      this.audit.append({ ts, sessionId: id, operator: input.operator, action: 'session.create', target: surveyId, after: { case_id: caseId, imo: input.imo, version: vessel.summary.version, stage: input.stage, rounding } });
    })();
    this.updated(id);
    return this.get(id);
  }

  list(limit = 200): SessionView[] {
    return (this.stmt.sessions.all(limit) as SessionRow[]).map((r) => this.view(r));
  }

  get(id: string): SessionView {
    return this.view(this.row(id));
  }

  caseSessions(caseId: string): SessionView[] {
    return (this.stmt.caseSessions.all(caseId) as SessionRow[]).map((r) => this.view(r));
  }

  private row(id: string): SessionRow {
    const r = this.stmt.session.get(id) as SessionRow | undefined;
    if (!r) throw new QuaysideError('EDGE_SURVEY_NOT_FOUND', `session ${id}`);
    return r;
  }

  private record(row: SessionRow): VesselRecord {
    return this.vessels.get(row.vessel_imo, row.vessel_version).record;
  }

  private view(r: SessionRow): SessionView {
    const data = JSON.parse(r.data) as SessionData;
    const readings = completeReadings(data);
    const record = readings ? this.record(r) : undefined;
    const result = r.result_json ? (JSON.parse(r.result_json) as CaseResult) : undefined;
    const mine = result?.surveys.find((s) => s.id === r.survey_id);
    const vesselName = this.vessels.get(r.vessel_imo, r.vessel_version).summary.name;
    return {
      id: r.id,
      case_id: r.case_id,
      survey_id: r.survey_id,
      stage: r.stage,
      status: r.status,
      vessel: { imo: r.vessel_imo, version: r.vessel_version, name: vesselName },
      operator: r.operator,
      created: iso(r.created)!,
      updated: iso(r.updated)!,
      data,
      trim_m: readings && record ? trueTrimM(readings, record) : null,
      list_deg: readings && record ? (listDeg(readings, record) ?? null) : null,
      missing: missingInputs(data),
      computed_at: iso(r.computed_at),
      result: mine && result ? { values: mine.values, warnings: mine.warnings, cargo: result.cargo.filter((c) => c.to === r.survey_id || c.from === r.survey_id) } : null,
      signed_at: iso(r.signed_at),
      signature: r.signature_json ? (JSON.parse(r.signature_json) as RecordSignature) : null,
      photos: (this.stmt.sessionPhotos.all(r.id) as PhotoRow[]).map(photoView),
    };
  }

  /**
   * Applies one change to a session's inputs in a transaction: refuses a signed survey, sends a
   * computed one back to draft, and appends the audit entry.
   */
  private change(id: string, operator: string, apply: (data: SessionData, row: SessionRow) => { action: string; target: string; before?: unknown; after?: unknown; reason?: string | null }): SessionView {
    const ts = this.now();
    this.db.transaction(() => {
      const row = this.row(id);
      if (row.status === 'signed') throw new QuaysideError('EDGE_SURVEY_LOCKED', `session ${id} was signed ${iso(row.signed_at)}`);
      const data = JSON.parse(row.data) as SessionData;
      const a = apply(data, row);
      this.stmt.updateData.run(JSON.stringify(data), ts, id);
      this.audit.append({ ts, sessionId: id, operator, action: a.action, target: a.target, before: a.before, after: a.after, reason: a.reason ?? null });
    })();
    this.updated(id);
    return this.get(id);
  }

  /** Tells the listener (never lets it break the request). */
  private updated(id: string): void {
    if (!this.opts.onUpdate) return;
    try {
      const r = this.row(id);
      this.opts.onUpdate({ id: r.id, case_id: r.case_id, stage: r.stage, status: r.status, ts: r.updated });
    } catch (error) {
      this.log?.warn({ err: error, session: id }, 'survey update listener failed');
    }
  }

  private assertOpen(id: string): SessionRow {
    const row = this.row(id);
    if (row.status === 'signed') throw new QuaysideError('EDGE_SURVEY_LOCKED', `session ${id} was signed ${iso(row.signed_at)}`);
    return row;
  }

  setNote(id: string, note: string, operator: string): SessionView {
    return this.change(id, operator, (data) => {
      const before = data.note ?? null;
      data.note = note;
      return { action: 'note.set', target: 'note', before, after: note };
    });
  }

  // ---------------------------------------------------------------- drafts

  /** Averages the six draft marks of a gauge over a window; the raw samples are kept with the capture. */
  async captureDrafts(id: string, input: WindowSpec & { device: string; operator: string }): Promise<SessionView> {
    this.assertOpen(id);
    this.instrument(input.device, DRAFT_GAUGE_KIND);
    const win = await this.window(input);
    const points = MARKS.map((m) => `draft_${m}`);
    const { samples, stats } = this.samplesOf(input.device, points, win);
    const empty = MARKS.filter((m) => !stats[`draft_${m}`]);
    if (empty.length) {
      throw new QuaysideError('EDGE_SURVEY_NO_SAMPLES', `${input.device}: no good samples for ${empty.join(', ')} between ${iso(win.from)} and ${iso(win.to)}`);
    }
    const captureId = randomUUID();
    const ts = this.now();
    return this.change(id, input.operator, (data, row) => {
      this.saveCapture({ id: captureId, session_id: row.id, kind: 'drafts', target: 'drafts', device: input.device, ts, window_from: win.from, window_to: win.to, operator: input.operator, summary: stats, samples });
      const before: Partial<Record<Mark, number>> = {};
      const after: Partial<Record<Mark, number>> = {};
      for (const m of MARKS) {
        const s = stats[`draft_${m}`]!;
        if (data.drafts[m]) before[m] = data.drafts[m]!.value_m;
        const entry: DraftEntry = { value_m: recordedDraft(s.mean), source: 'gauge', capture_id: captureId, device: input.device, window: win, stats: s, operator: input.operator, ts };
        data.drafts[m] = entry;
        after[m] = entry.value_m;
      }
      return { action: 'drafts.capture', target: captureId, before, after: { device: input.device, window: win, drafts: after, n: MARKS.map((m) => stats[`draft_${m}`]!.n) } };
    });
  }

  /** A draft read by eye or corrected by the inspector: only with a reason. */
  setDraftManual(id: string, mark: Mark, input: { value_m: number; reason?: string | undefined; operator: string }): SessionView {
    const reason = requireReason(input.reason, `draft ${mark}`);
    if (!(input.value_m > 0 && input.value_m < 30)) throw new QuaysideError('EDGE_BAD_REQUEST', `draft ${mark}: ${input.value_m} m is not between 0 and 30 m`);
    return this.change(id, input.operator, (data) => {
      const previous = data.drafts[mark];
      const entry: DraftEntry = { value_m: input.value_m, source: 'manual', reason, operator: input.operator, ts: this.now() };
      if (previous) entry.replaced_m = previous.value_m;
      data.drafts[mark] = entry;
      return { action: previous ? 'drafts.override' : 'drafts.manual', target: mark, before: previous ? { value_m: previous.value_m, source: previous.source } : null, after: { value_m: input.value_m }, reason };
    });
  }

  // ---------------------------------------------------------------- density

  /** Dock density from the monitor over a window, converted to the hydrometer basis with every step. */
  async captureDensity(id: string, input: WindowSpec & { device: string; operator: string; basis?: DensityBasis | undefined; temperature_scale?: 'ITS-90' | 'IPTS-68' | undefined }): Promise<SessionView> {
    this.assertOpen(id);
    this.instrument(input.device, DENSITY_MONITOR_KIND);
    const win = await this.window(input);
    const { samples, stats } = this.samplesOf(input.device, ['density', 'temperature'], win);
    const density = stats['density'];
    if (!density) throw new QuaysideError('EDGE_SURVEY_NO_SAMPLES', `${input.device}: no good density samples between ${iso(win.from)} and ${iso(win.to)}`);
    const temperature = stats['temperature'];
    const basis = input.basis ?? DEFAULT_MONITOR_BASIS;
    const scale = input.temperature_scale ?? 'ITS-90';
    // The window's mean is recorded to 0.001 kg/m³ and 0.001 °C (the monitor shows 0.01) before the conversion.
    const reading: MonitorReading = {
      density_kg_m3: roundHalfAwayFromZero(density.mean, 3),
      basis,
      temperature_scale: scale,
      ...(temperature ? { temperature_c: roundHalfAwayFromZero(temperature.mean, 3) } : {}),
    };
    const conv = surveyDensityFromMonitor(reading);
    if (!conv.ok) throw new SurveyError('EDGE_SURVEY_DENSITY', conv.error.message, [vesselIssueView(conv.error)]);
    const value = roundHalfAwayFromZero(conv.value.survey_density_t_m3, DENSITY_DECIMALS);
    const steps = [...conv.value.steps, { label_zh: '取四位小数 (计入计算单)', label_en: 'rounded to 0.0001 t/m³ (entered on the form)', formula: `round(${conv.value.survey_density_t_m3}, 4)`, value, unit: 't/m³' }];
    const captureId = randomUUID();
    const ts = this.now();
    return this.change(id, input.operator, (data, row) => {
      this.saveCapture({ id: captureId, session_id: row.id, kind: 'density', target: 'density', device: input.device, ts, window_from: win.from, window_to: win.to, operator: input.operator, summary: stats, samples });
      const before = data.density ? { value_t_m3: data.density.value_t_m3, source: data.density.source } : null;
      const entry: DensityEntry = {
        value_t_m3: value,
        source: 'monitor',
        operator: input.operator,
        ts,
        monitor: {
          capture_id: captureId,
          device: input.device,
          window: win,
          density_kg_m3: density,
          ...(temperature ? { temperature_c: temperature } : {}),
          basis,
          temperature_scale: scale,
          reading,
          steps,
          in_situ_vacuo_kg_m3: conv.value.in_situ_vacuo_kg_m3,
          survey_density_t_m3: conv.value.survey_density_t_m3,
          hydrometer_equivalent_t_m3: conv.value.hydrometer_equivalent_t_m3,
          ...(conv.value.salinity_psu !== undefined ? { salinity_psu: conv.value.salinity_psu } : {}),
        },
      };
      data.density = entry;
      return { action: 'density.capture', target: captureId, before, after: { value_t_m3: value, monitor_kg_m3: density.mean, temperature_c: temperature?.mean ?? null } };
    });
  }

  /** A hydrometer value replaces the monitor: only with a reason; the monitor reading stays for comparison. */
  setDensityManual(id: string, input: { hydrometer_t_m3: number; reason?: string | undefined; operator: string }): SessionView {
    const reason = requireReason(input.reason, 'dock density');
    return this.change(id, input.operator, (data) => {
      const monitor = data.density?.monitor;
      const choice = chooseSurveyDensity({ manual: { hydrometer_t_m3: input.hydrometer_t_m3, reason }, ...(monitor ? { monitor: monitorConversion(monitor) } : {}) });
      if (!choice.ok) throw new SurveyError('EDGE_SURVEY_DENSITY', choice.error.message, [vesselIssueView(choice.error)]);
      const before = data.density ? { value_t_m3: data.density.value_t_m3, source: data.density.source } : null;
      const entry: DensityEntry = { value_t_m3: choice.value.density_t_m3, source: 'manual', hydrometer_t_m3: input.hydrometer_t_m3, reason, operator: input.operator, ts: this.now() };
      if (monitor) entry.monitor = monitor;
      if (choice.value.difference_t_m3 !== undefined) entry.difference_t_m3 = choice.value.difference_t_m3;
      data.density = entry;
      return { action: before ? 'density.override' : 'density.manual', target: 'density', before, after: { value_t_m3: entry.value_t_m3, difference_t_m3: entry.difference_t_m3 ?? null }, reason };
    });
  }

  // ---------------------------------------------------------------- tanks

  private tankContext(row: SessionRow, data: SessionData, tankName: string) {
    const record = this.record(row);
    const tank = record.tanks.find((t) => t.name === tankName);
    if (!tank) throw new QuaysideError('EDGE_SURVEY_NOT_FOUND', `tank "${tankName}" is not in ${record.particulars.name} v${record.version} (tanks: ${record.tanks.map((t) => t.name).join(', ')})`);
    const readings = completeReadings(data);
    if (!readings) throw new QuaysideError('EDGE_SURVEY_INCOMPLETE', `tank ${tankName}: enter the six drafts first; the tank tables are read at the ship's trim`);
    const trim = trueTrimM(readings, record);
    const list = listDeg(readings, record);
    return { record, tank, trim, list };
  }

  private tankCalc(ctx: ReturnType<SurveyService['tankContext']>, reading: TankReading) {
    const calc = tankVolume(ctx.tank, { ...reading, trim_m: ctx.trim, ...(ctx.list !== undefined ? { list_deg: ctx.list } : {}) });
    if (!calc.ok) throw new SurveyError('EDGE_SURVEY_TANK', calc.error.message, [vesselIssueView(calc.error)]);
    return calc.value;
  }

  /**
   * A ballast tank from a level meter: mean pressure over the window → level with the recorded
   * ballast density → sounding (+ probe offset) → volume through the tank table at the ship's trim
   * (and list) → weight with the density measured in the tank.
   */
  async captureTank(
    id: string,
    tankName: string,
    input: WindowSpec & { device: string; operator: string; density_t_m3: number; density_basis?: 'air' | 'vacuo' | undefined; probe_offset_m?: number | undefined },
  ): Promise<SessionView> {
    const row0 = this.assertOpen(id);
    this.tankContext(row0, JSON.parse(row0.data) as SessionData, tankName); // fail before waiting
    this.instrument(input.device, LEVEL_METER_KIND);
    const win = await this.window(input);
    const { samples, stats } = this.samplesOf(input.device, ['pressure'], win);
    const pressure = stats['pressure'];
    if (!pressure) throw new QuaysideError('EDGE_SURVEY_NO_SAMPLES', `${input.device}: no good pressure samples between ${iso(win.from)} and ${iso(win.to)}`);
    const basis = input.density_basis ?? 'air';
    // The window's mean pressure is recorded to 0.001 kPa (the meter shows 0.01) before the level is computed.
    const level = levelFromPressure({ pressure_kpa: roundHalfAwayFromZero(pressure.mean, 3), density_t_m3: input.density_t_m3, density_basis: basis, probe_offset_m: input.probe_offset_m ?? 0 });
    if (!level.ok) throw new SurveyError('EDGE_SURVEY_TANK', `tank ${tankName}: ${level.error.message}`, [vesselIssueView({ ...level.error, tank: tankName })]);
    const captureId = randomUUID();
    const ts = this.now();
    return this.change(id, input.operator, (data, row) => {
      const ctx = this.tankContext(row, data, tankName);
      const calc = this.tankCalc(ctx, { sounding_m: level.value.sounding_m, density_t_m3: input.density_t_m3 });
      this.saveCapture({ id: captureId, session_id: row.id, kind: 'tank', target: tankName, device: input.device, ts, window_from: win.from, window_to: win.to, operator: input.operator, summary: stats, samples });
      const before = data.tanks[tankName] ? { volume_m3: data.tanks[tankName]!.volume_m3, weight_t: data.tanks[tankName]!.weight_t, source: data.tanks[tankName]!.source } : null;
      const entry: TankEntry = {
        tank: tankName,
        contents: ctx.tank.contents,
        source: 'meter',
        level_meter: {
          capture_id: captureId,
          device: input.device,
          window: win,
          pressure_kpa: pressure,
          density_assumed: level.value.density_assumed,
          probe_offset_m: level.value.probe_offset_m,
          g_m_s2: level.value.g_m_s2,
          level_m: level.value.level_m,
          steps: level.value.steps,
        },
        trim_m: ctx.trim,
        ...(ctx.list !== undefined ? { list_deg: ctx.list } : {}),
        calculation: calc,
        volume_m3: calc.volume_m3,
        density_t_m3: input.density_t_m3,
        weight_t: calc.weight_t!,
        operator: input.operator,
        ts,
      };
      data.tanks[tankName] = entry;
      return { action: 'tank.capture', target: tankName, before, after: { device: input.device, pressure_kpa: pressure.mean, sounding_m: level.value.sounding_m, volume_m3: calc.volume_m3, weight_t: calc.weight_t } };
    });
  }

  /** A tank sounded (or ullaged) by hand: only with a reason. */
  setTankManual(id: string, tankName: string, input: { sounding_m?: number | undefined; ullage_m?: number | undefined; density_t_m3: number; reason?: string | undefined; operator: string }): SessionView {
    const reason = requireReason(input.reason, `tank ${tankName}`);
    return this.change(id, input.operator, (data, row) => {
      const ctx = this.tankContext(row, data, tankName);
      const reading: TankReading = { density_t_m3: input.density_t_m3 };
      if (input.sounding_m !== undefined) reading.sounding_m = input.sounding_m;
      if (input.ullage_m !== undefined) reading.ullage_m = input.ullage_m;
      const calc = this.tankCalc(ctx, reading);
      const previous = data.tanks[tankName];
      data.tanks[tankName] = {
        tank: tankName,
        contents: ctx.tank.contents,
        source: 'manual',
        trim_m: ctx.trim,
        ...(ctx.list !== undefined ? { list_deg: ctx.list } : {}),
        calculation: calc,
        volume_m3: calc.volume_m3,
        density_t_m3: input.density_t_m3,
        weight_t: calc.weight_t!,
        reason,
        operator: input.operator,
        ts: this.now(),
      };
      return { action: previous ? 'tank.override' : 'tank.manual', target: tankName, before: previous ? { volume_m3: previous.volume_m3, source: previous.source } : null, after: { ...reading, volume_m3: calc.volume_m3, weight_t: calc.weight_t }, reason };
    });
  }

  removeTank(id: string, tankName: string, input: { reason?: string | undefined; operator: string }): SessionView {
    const reason = requireReason(input.reason, `removing tank ${tankName}`);
    return this.change(id, input.operator, (data) => {
      const previous = data.tanks[tankName];
      if (!previous) throw new QuaysideError('EDGE_SURVEY_NOT_FOUND', `tank ${tankName} has no reading in this survey`);
      delete data.tanks[tankName];
      return { action: 'tank.remove', target: tankName, before: { volume_m3: previous.volume_m3, weight_t: previous.weight_t }, reason };
    });
  }

  // ---------------------------------------------------------------- deductibles

  /** A deductible (fresh water, fuel oil, others…) in tonnes, with its basis as the reason. */
  setDeductible(id: string, input: { name: string; weight_t: number; reason?: string | undefined; operator: string }): SessionView {
    const name = input.name.trim();
    const reason = requireReason(input.reason, `deductible ${name}`);
    if (!/^[^:]{1,60}$/.test(name)) throw new QuaysideError('EDGE_BAD_REQUEST', `deductible name "${name}": 1–60 characters, no ":" (reserved for tank lines)`);
    if (!(Number.isFinite(input.weight_t) && input.weight_t >= 0 && input.weight_t < 100_000)) throw new QuaysideError('EDGE_BAD_REQUEST', `deductible ${name}: ${input.weight_t} t is not in 0–100000 t`);
    return this.change(id, input.operator, (data) => {
      const previous = data.deductibles[name];
      data.deductibles[name] = { name, weight_t: input.weight_t, reason, operator: input.operator, ts: this.now() };
      return { action: previous ? 'deductible.override' : 'deductible.set', target: name, before: previous ? { weight_t: previous.weight_t } : null, after: { weight_t: input.weight_t }, reason };
    });
  }

  removeDeductible(id: string, name: string, input: { reason?: string | undefined; operator: string }): SessionView {
    const reason = requireReason(input.reason, `removing deductible ${name}`);
    return this.change(id, input.operator, (data) => {
      const previous = data.deductibles[name];
      if (!previous) throw new QuaysideError('EDGE_SURVEY_NOT_FOUND', `deductible ${name}`);
      delete data.deductibles[name];
      return { action: 'deductible.remove', target: name, before: { weight_t: previous.weight_t }, reason };
    });
  }

  // ---------------------------------------------------------------- photos

  /** Stores a photo under the data dir with its SM3 hash. */
  addPhoto(id: string, input: { data: Buffer; caption: string; operator: string }): PhotoView {
    const row = this.assertOpen(id);
    const mime = imageType(input.data);
    if (!mime || input.data.length === 0) throw new QuaysideError('EDGE_SURVEY_PHOTO', 'send the JPEG, PNG or WebP bytes as the request body');
    if (input.data.length > MAX_PHOTO_BYTES) throw new QuaysideError('EDGE_SURVEY_PHOTO', `${input.data.length} bytes; at most ${MAX_PHOTO_BYTES}`);
    const photoId = randomUUID();
    const dir = path.join(this.photoDir, row.id);
    fs.mkdirSync(dir, { recursive: true });
    const rel = path.join(row.id, `${photoId}.${mime.split('/')[1]}`);
    const file = path.join(this.photoDir, rel);
    fs.writeFileSync(file, input.data);
    const hash = sm3Hex(input.data);
    const ts = this.now();
    this.db.transaction(() => {
      this.stmt.insertPhoto.run(photoId, row.id, ts, input.operator, input.caption, mime, input.data.length, rel, hash);
      this.audit.append({ ts, sessionId: row.id, operator: input.operator, action: 'photo.add', target: photoId, after: { caption: input.caption, mime, bytes: input.data.length, sm3: hash } });
    })();
    this.updated(row.id);
    return photoView(this.stmt.photo.get(photoId) as PhotoRow);
  }

  /** The photo's file, after checking it still has the hash recorded. */
  photoFile(photoId: string): { file: string; mime: string; sm3: string } {
    const r = this.stmt.photo.get(photoId) as PhotoRow | undefined;
    if (!r) throw new QuaysideError('EDGE_SURVEY_NOT_FOUND', `photo ${photoId}`);
    return { file: path.join(this.photoDir, r.file), mime: r.mime, sm3: r.sm3 };
  }

  // ---------------------------------------------------------------- compute

  /** The case members for computing `row`: the case's earlier computed (or signed) surveys, then this one. */
  private members(row: SessionRow): { rows: SessionRow[]; members: CaseMember[] } {
    const all = this.stmt.caseSessions.all(row.case_id) as SessionRow[];
    const rows = all.filter((r) => r.id === row.id || (r.created <= row.created && r.id !== row.id && (r.status === 'computed' || r.status === 'signed')));
    return { rows, members: rows.map((r) => ({ survey_id: r.survey_id, data: JSON.parse(r.data) as SessionData })) };
  }

  /** Builds the case file, runs the shared engine, stores the case and the full result. */
  compute(id: string, operator: string): SessionView {
    const row = this.assertOpen(id);
    const data = JSON.parse(row.data) as SessionData;
    const missing = missingInputs(data);
    if (missing.length) throw new QuaysideError('EDGE_SURVEY_INCOMPLETE', `still missing: ${missing.join(', ')}`);
    const record = this.record(row);
    const { members } = this.members(row);
    const caseFile = buildCase(record, members, data.rounding);
    const result = evaluate(caseFile);
    const ts = this.now();
    const mine = result.surveys.find((s) => s.id === row.survey_id)!;
    this.db.transaction(() => {
      const current = this.row(id);
      if (current.updated !== row.updated) throw new QuaysideError('EDGE_SURVEY_NOT_COMPUTED', 'the inputs changed while computing; compute again');
      this.stmt.setComputed.run(JSON.stringify(caseFile), JSON.stringify(result), ts, ts, id);
      this.audit.append({
        ts, sessionId: id, operator, action: 'compute', target: row.survey_id,
        after: { surveys: result.surveys.map((s) => s.id), net_displacement_t: mine.values.net_displacement_t, cargo: result.cargo, warnings: mine.warnings, case_sm3: sm3Hex(canonicalJson(caseFile)) },
      });
    })();
    this.updated(id);
    return this.get(id);
  }

  /** The case file as computed: exactly what `npm run survey -- FILE` reads. */
  exportCase(id: string): CaseFile {
    const row = this.row(id);
    if (!row.case_json) throw new QuaysideError('EDGE_SURVEY_NOT_COMPUTED', `session ${id} has not been computed with its current inputs`);
    return JSON.parse(row.case_json) as CaseFile;
  }

  /** The stored engine result of the last compute. */
  result(id: string): CaseResult {
    const row = this.row(id);
    if (!row.result_json) throw new QuaysideError('EDGE_SURVEY_NOT_COMPUTED', `session ${id} has not been computed with its current inputs`);
    return JSON.parse(row.result_json) as CaseResult;
  }

  // ---------------------------------------------------------------- sign, verify

  private buildRecord(row: SessionRow): SurveyRecord {
    const vessel = this.vessels.get(row.vessel_imo, row.vessel_version);
    const captures = this.stmt.sessionCaptures.all(row.id) as Omit<CaptureRow, 'samples'>[];
    const data = JSON.parse(row.data) as SessionData;
    const used = new Set<string>();
    for (const d of Object.values(data.drafts)) if (d?.capture_id) used.add(d.capture_id);
    if (data.density?.monitor) used.add(data.density.monitor.capture_id);
    for (const t of Object.values(data.tanks)) if (t.level_meter) used.add(t.level_meter.capture_id);
    return jsonClean({
      format: SURVEY_RECORD_FORMAT,
      gateway: this.opts.gateway,
      session: { id: row.id, case_id: row.case_id, survey_id: row.survey_id, stage: row.stage, operator: row.operator, created: iso(row.created)!, computed_at: iso(row.computed_at)! },
      vessel: { imo: row.vessel_imo, name: vessel.summary.name, version: row.vessel_version, valid_from: vessel.summary.valid_from, record_sm3: sm3Hex(canonicalJson(vessel.record)) },
      inputs: data,
      captures: captures
        .filter((c) => used.has(c.id))
        .map((c) => ({
          id: c.id, kind: c.kind, target: c.target, device: c.device, window: { from: iso(c.window_from)!, to: iso(c.window_to)! }, operator: c.operator, samples_sm3: c.samples_sm3,
          n: Object.values(JSON.parse(c.summary) as Record<string, SampleStats | null>).reduce((a, s) => a + (s?.n ?? 0), 0),
        })),
      photos: (this.stmt.sessionPhotos.all(row.id) as PhotoRow[]).map((p) => ({ id: p.id, ts: iso(p.ts)!, operator: p.operator, caption: p.caption, mime: p.mime, bytes: p.bytes, sm3: p.sm3 })),
      case: JSON.parse(row.case_json!) as CaseFile,
      result: JSON.parse(row.result_json!) as CaseResult,
    });
  }

  /** Signs the computed survey (SM2 over the canonical JSON of its record) and queues it for the cloud. */
  sign(id: string, input: { signer: string; operator: string }): SessionView {
    const row = this.row(id);
    if (row.status === 'signed') throw new QuaysideError('EDGE_SURVEY_LOCKED', `session ${id} was signed ${iso(row.signed_at)}`);
    if (row.status !== 'computed') throw new QuaysideError('EDGE_SURVEY_NOT_COMPUTED', `session ${id} is ${row.status}; compute it first`);
    const record = this.buildRecord(row);
    const ts = this.now();
    const signature = signRecord(record, this.key.key, { signer: input.signer, signedAt: new Date(ts).toISOString() });
    this.db.transaction(() => {
      const current = this.row(id);
      if (current.updated !== row.updated) throw new QuaysideError('EDGE_SURVEY_NOT_COMPUTED', 'the survey changed while signing; compute and sign again');
      this.stmt.setSigned.run(JSON.stringify(record), JSON.stringify(signature), ts, ts, id);
      this.audit.append({ ts, sessionId: id, operator: input.operator, action: 'sign', target: row.survey_id, after: { signer: input.signer, payload_sm3: signature.payload_sm3, key: signature.public_key_fingerprint } });
      const item: SurveyItem = {
        id: row.id,
        ts,
        vessel: { name: record.vessel.name.slice(0, 200), imo: record.vessel.imo },
        stage: row.stage,
        status: 'signed',
        surveyor: input.signer.slice(0, 128),
        report: { record, signature } as unknown as SurveyItem['report'],
        signature: Buffer.from(signature.signature_der_hex, 'hex').toString('base64'),
      };
      if (this.opts.uplink) {
        surveyItemJson(item); // the same checks as the default path, before handing it over
        this.opts.uplink(item);
      } else {
        queueSurveyForUplink(this.store, item, ts);
      }
    })();
    this.updated(id);
    this.log?.info({ session: id, survey: row.survey_id, signer: input.signer, sm3: signature.payload_sm3 }, 'survey signed');
    return this.get(id);
  }

  /** The signed record and its signature. */
  signed(id: string): { record: SurveyRecord; signature: RecordSignature } {
    const row = this.row(id);
    if (!row.record_json || !row.signature_json) throw new QuaysideError('EDGE_SURVEY_NOT_COMPUTED', `session ${id} is not signed`);
    return { record: JSON.parse(row.record_json) as SurveyRecord, signature: JSON.parse(row.signature_json) as RecordSignature };
  }

  /** Verifies a record against a signature; says whether the key is this gateway's. */
  verify(record: unknown, signature: RecordSignature): RecordVerification & { gateway_key: boolean } {
    return { ...verifyRecord(record, signature), gateway_key: signature.public_key_hex === this.key.publicKeyHex };
  }

  publicKey(): { algorithm: 'SM2'; curve: 'sm2p256v1'; public_key_hex: string; fingerprint_sm3: string; pem: string; signer_id: string } {
    return { algorithm: 'SM2', curve: 'sm2p256v1', public_key_hex: this.key.publicKeyHex, fingerprint_sm3: this.key.fingerprint, pem: this.key.publicKeyPem, signer_id: '1234567812345678' };
  }

  auditOf(id: string): AuditEntry[] {
    this.row(id);
    return this.audit.entries(id);
  }

  // ---------------------------------------------------------------- report

  /** The PDF report of a computed survey (with its case's other surveys), signed or not. */
  async report(id: string, meta: { port?: string | undefined; inspector?: string | undefined } = {}): Promise<Buffer> {
    const row = this.row(id);
    if (!row.case_json || !row.result_json) throw new QuaysideError('EDGE_SURVEY_NOT_COMPUTED', `session ${id} has not been computed with its current inputs`);
    const caseFile = JSON.parse(row.case_json) as CaseFile;
    const validated = validateCase(caseFile);
    if (!validated.ok) throw new QuaysideError('EDGE_SURVEY_REPORT', `stored case no longer validates: ${validated.errors[0]?.message ?? '?'}`);
    const result = JSON.parse(row.result_json) as CaseResult;
    const rows = (this.stmt.caseSessions.all(row.case_id) as SessionRow[]).filter((r) => caseFile.surveys.some((s) => s.id === r.survey_id));
    const density: NonNullable<SurveyReportInput['density']> = {};
    const tanks: NonNullable<SurveyReportInput['tanks']> = {};
    const surveys: NonNullable<SurveyReportInput['meta']['surveys']> = {};
    const photos: NonNullable<SurveyReportInput['photos']> = [];
    for (const r of rows) {
      const d = (r.id === row.id ? (JSON.parse(row.data) as SessionData) : (JSON.parse(r.data) as SessionData));
      if (d.density?.source === 'monitor' && d.density.monitor) density[r.survey_id] = monitorConversion(d.density.monitor);
      else if (d.density?.source === 'manual') {
        density[r.survey_id] = {
          density_t_m3: d.density.value_t_m3, source: 'manual', ...(d.density.reason ? { reason: d.density.reason } : {}),
          ...(d.density.monitor ? { monitor: monitorConversion(d.density.monitor) } : {}),
          ...(d.density.difference_t_m3 !== undefined ? { difference_t_m3: d.density.difference_t_m3 } : {}),
        };
      }
      tanks[r.survey_id] = Object.values(d.tanks).map((t) => t.calculation);
      surveys[r.survey_id] = { kind: r.stage, started_at: iso(r.created)!, ...(r.computed_at ? { completed_at: iso(r.computed_at)! } : {}) };
      for (const p of this.stmt.sessionPhotos.all(r.id) as PhotoRow[]) photos.push({ path: path.join(this.photoDir, p.file), caption: p.caption, survey: r.survey_id });
    }
    const input: SurveyReportInput = {
      case: validated.case,
      result,
      meta: {
        reportId: `${this.opts.gateway.id}-${row.id.slice(0, 8)}`,
        port: meta.port ?? this.opts.gateway.name,
        inspector: meta.inspector ?? row.operator,
        generatedAt: new Date(this.now()).toISOString(),
        surveys,
      },
      density,
      tanks,
      photos,
    };
    if (row.record_json && row.signature_json) input.signature = { signature: JSON.parse(row.signature_json) as RecordSignature, record: JSON.parse(row.record_json) as unknown };
    try {
      // pdfkit and sharp load on the first report, not with the gateway.
      const { renderSurveyReport } = await import('./report/index.js');
      return await renderSurveyReport(input);
    } catch (error) {
      if (error instanceof QuaysideError) throw error;
      throw new QuaysideError('EDGE_SURVEY_REPORT', (error as Error).message, { cause: error });
    }
  }
}

/** Runs the engine over a case file; engine errors become EDGE_SURVEY_COMPUTE with every issue. */
export function evaluate(caseFile: CaseFile): CaseResult {
  const validated = validateCase(caseFile);
  if (!validated.ok) {
    throw new SurveyError('EDGE_SURVEY_COMPUTE', validated.errors.map((e) => `${e.code} at ${e.path}: ${e.message}`).join('; '), validated.errors.map((e) => ({ code: e.code, message: e.message, path: e.path, text: `${e.code} ${e.path}: ${e.message}` })));
  }
  try {
    return computeCase(validated.case);
  } catch (error) {
    if (error instanceof SurveyCaseError) {
      const e = error.issue;
      throw new SurveyError('EDGE_SURVEY_COMPUTE', `${e.code} at ${e.path}: ${e.message}`, [{ code: e.code, message: e.message, path: e.path, text: `${e.code} ${e.path}: ${e.message}` }]);
    }
    throw error;
  }
}

/** The stored monitor capture as shared/vessel's DensityConversion (for the manual choice and the report). */
function monitorConversion(m: NonNullable<DensityEntry['monitor']>) {
  return {
    reading: m.reading,
    steps: m.steps,
    in_situ_vacuo_kg_m3: m.in_situ_vacuo_kg_m3,
    survey_density_t_m3: m.survey_density_t_m3,
    hydrometer_equivalent_t_m3: m.hydrometer_equivalent_t_m3,
    ...(m.salinity_psu !== undefined ? { salinity_psu: m.salinity_psu } : {}),
  };
}

function photoView(r: PhotoRow): PhotoView {
  return { id: r.id, ts: r.ts, operator: r.operator, caption: r.caption, mime: r.mime, bytes: r.bytes, sm3: r.sm3, url: `/api/survey/photos/${r.id}` };
}

/** JPEG, PNG or WebP by their magic bytes. */
export function imageType(b: Buffer): 'image/jpeg' | 'image/png' | 'image/webp' | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}
