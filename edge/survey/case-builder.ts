/**
 * From the sessions of one case (one ship call) to the draft-survey case file
 * (`quayside.draft-survey-case/1`, /work/shared/domain/draft-survey-format.md): exactly the
 * structures the engine and `npm run survey -- FILE` read, so a case exported from the tablet
 * recomputes identically anywhere. The vessel object (with the hydrostatic table copied, not
 * referenced) comes from the vessel record through shared/vessel/to-case.ts.
 */
import type { z } from 'zod';
import { QuaysideError } from '../../shared/errors.js';
import { CASE_FORMAT, type caseSchema } from '../../shared/survey/case-schema.js';
import { roundHalfAwayFromZero } from '../../shared/survey/rounding.js';
import { vesselToCase } from '../../shared/vessel/to-case.js';
import type { VesselRecord } from '../../shared/vessel/schema.js';
import { MARKS, type Mark, type SessionData, type SurveyStage } from './types.js';

export type CaseFile = z.input<typeof caseSchema>;
export type CaseSurvey = CaseFile['surveys'][number];

export interface CaseMember {
  survey_id: string;
  data: SessionData;
}

/** The six drafts when all are entered, else undefined. */
export function completeReadings(data: SessionData): Record<Mark, number> | undefined {
  const out = {} as Record<Mark, number>;
  for (const m of MARKS) {
    const e = data.drafts[m];
    if (!e) return undefined;
    out[m] = e.value_m;
  }
  return out;
}

/** What compute still needs: the marks without a draft, and "density". */
export function missingInputs(data: SessionData): string[] {
  const out: string[] = MARKS.filter((m) => !data.drafts[m]);
  if (!data.density) out.push('density');
  return out;
}

/**
 * True trim between the perpendiculars (m, + by the stern) from the six drafts, as the tank tables
 * are entered: T = (A − F)·LBP/LBM with LBM = LBP + x_f − x_a (draft-survey.md §3 steps 2–6; the
 * keel plate cancels). Full precision: the case computes its own, rounded, trim.
 */
export function trueTrimM(readings: Record<Mark, number>, record: VesselRecord): number {
  const p = record.particulars;
  const signed = (m: { distance_m: number; side: 'aft' | 'forward' }) => (m.side === 'forward' ? m.distance_m : -m.distance_m);
  const xf = signed(p.marks.fwd);
  const xa = signed(p.marks.aft);
  const lbm = p.lbp_m + xf - xa;
  const apparent = (readings.aft_port + readings.aft_stbd) / 2 - (readings.fwd_port + readings.fwd_stbd) / 2;
  return (apparent * p.lbp_m) / lbm;
}

/** List in degrees, + to starboard (starboard deeper), from the midship drafts; undefined without the breadth. */
export function listDeg(readings: Record<Mark, number>, record: VesselRecord): number | undefined {
  const b = record.particulars.breadth_m;
  if (b === undefined) return undefined;
  return (Math.atan((readings.mid_stbd - readings.mid_port) / b) * 180) / Math.PI;
}

/** The survey's id inside the case: the stage, numbered when a stage repeats (intermediate-2). */
export function surveyIdFor(stage: SurveyStage, taken: readonly string[]): string {
  if (!taken.includes(stage)) return stage;
  for (let k = 2; ; k++) if (!taken.includes(`${stage}-${k}`)) return `${stage}-${k}`;
}

/** One session → one `surveys[]` entry. Throws when drafts or density are missing (check first). */
export function caseSurvey(member: CaseMember): CaseSurvey {
  const readings = completeReadings(member.data);
  const density = member.data.density;
  if (!readings || !density) throw new RangeError(`survey ${member.survey_id} is incomplete: ${missingInputs(member.data).join(', ')}`);
  const deductibles: Record<string, number> = {};
  for (const d of Object.values(member.data.deductibles)) deductibles[d.name] = d.weight_t;
  const ballast: NonNullable<CaseSurvey['ballast_tanks']> = [];
  // Other tanks (fresh water, bunkers) count by weight on the form's line for their contents.
  const byContents = new Map<string, { weight: number; tanks: string[] }>();
  for (const t of Object.values(member.data.tanks).sort((a, b) => a.tank.localeCompare(b.tank))) {
    if (t.contents === 'ballast') {
      ballast.push({ name: t.tank, volume_m3: t.volume_m3, density_t_m3: t.density_t_m3 });
      continue;
    }
    const line = byContents.get(t.contents) ?? { weight: 0, tanks: [] };
    line.weight += t.weight_t;
    line.tanks.push(t.tank);
    byContents.set(t.contents, line);
  }
  for (const [contents, line] of byContents) {
    if (deductibles[contents] !== undefined) {
      throw new QuaysideError('EDGE_SURVEY_DUPLICATE_DEDUCTIBLE', `survey ${member.survey_id}: ${contents} is entered by hand (${deductibles[contents]} t) and from the soundings of ${line.tanks.join(', ')}`);
    }
    deductibles[contents] = roundHalfAwayFromZero(line.weight, 3);
  }
  return { id: member.survey_id, readings_m: readings, dock_density_t_m3: density.value_t_m3, deductibles_t: deductibles, ballast_tanks: ballast };
}

/** The case file for these surveys (in order), the cargo of each against the first. */
export function buildCase(record: VesselRecord, members: readonly CaseMember[], rounding: SessionData['rounding']): CaseFile {
  const surveys = members.map(caseSurvey);
  const out: CaseFile = { format: CASE_FORMAT, vessel: vesselToCase(record), rounding, surveys };
  if (surveys.length > 1) out.cargo = surveys.slice(1).map((s) => ({ from: surveys[0]!.id, to: s.id }));
  return out;
}
