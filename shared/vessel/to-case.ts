/**
 * A vessel record → the `vessel` object of the draft-survey case file
 * (`quayside.draft-survey-case/1`, draft-survey-format.md), and tank readings → the survey's
 * `ballast_tanks` and `deductibles_t`.
 */
import type { z } from 'zod';
import type { caseSchema } from '../survey/case-schema.js';
import type { Outcome, VesselIssue } from './errors.js';
import type { TankContents, VesselRecord } from './schema.js';
import { tankVolume, type TankCalculation, type TankReading } from './tank-table.js';

type CaseInput = z.input<typeof caseSchema>;
export type CaseVessel = CaseInput['vessel'];
type CaseSurvey = CaseInput['surveys'][number];
export type CaseBallastTank = NonNullable<CaseSurvey['ballast_tanks']>[number];

export interface ToCaseOptions {
  /** Copy the hydrostatic table into the case (default true). */
  hydrostatics?: boolean;
}

export function vesselToCase(record: VesselRecord, options: ToCaseOptions = {}): CaseVessel {
  const p = record.particulars;
  const vessel: CaseVessel = {
    name: p.name,
    imo: p.imo,
    lbp_m: p.lbp_m,
    keel_plate_m: p.keel_plate_m,
    table_density_t_m3: p.table_density_t_m3,
    lcf: { from: p.lcf.from, positive: p.lcf.positive },
    marks: {
      fwd: { distance_m: p.marks.fwd.distance_m, side: p.marks.fwd.side },
      mid: { distance_m: p.marks.mid.distance_m, side: p.marks.mid.side },
      aft: { distance_m: p.marks.aft.distance_m, side: p.marks.aft.side },
    },
  };
  if (p.breadth_m !== undefined) vessel.breadth_m = p.breadth_m;
  if (p.lightship_t !== undefined) vessel.lightship_t = p.lightship_t;
  if (options.hydrostatics !== false) {
    vessel.hydrostatics = record.hydrostatics.map((row) => {
      const out: NonNullable<CaseVessel['hydrostatics']>[number] = { draft_m: row.draft_m, displacement_t: row.displacement_t, tpc_t_cm: row.tpc_t_cm, lcf_m: row.lcf_m };
      if (row.mtc_tm_cm !== undefined) out.mtc_tm_cm = row.mtc_tm_cm;
      return out;
    });
  }
  return vessel;
}

export interface SurveyTanks {
  /** Ballast tanks for the case's `ballast_tanks` (the engine multiplies volume × density). */
  ballast_tanks: CaseBallastTank[];
  /** Other tanks' weights summed by contents (fresh_water, fuel_oil, …), t. */
  deductibles_t: Partial<Record<Exclude<TankContents, 'ballast'>, number>>;
  /** Every tank's full calculation, for the review screen and the report. */
  calculations: TankCalculation[];
}

/**
 * Reads every tank named in `readings` (each with its own measured density) with the ship's trim
 * and list applied where the reading does not give them. Errors for all tanks at once.
 */
export function tanksToCase(
  record: VesselRecord,
  readings: Readonly<Record<string, TankReading>>,
  ship: { trim_m?: number; list_deg?: number } = {},
): Outcome<SurveyTanks> {
  const errors: VesselIssue[] = [];
  const out: SurveyTanks = { ballast_tanks: [], deductibles_t: {}, calculations: [] };
  const warnings: VesselIssue[] = [];
  for (const [name, reading] of Object.entries(readings)) {
    const tank = record.tanks.find((t) => t.name === name);
    if (!tank) {
      errors.push({ code: 'VESSEL_TANK_UNKNOWN', tank: name, message: `tank ${name} is not in ${record.particulars.name}'s vessel record (version ${record.version})` });
      continue;
    }
    if (reading.density_t_m3 === undefined) {
      errors.push({ code: 'TANK_DENSITY_INVALID', tank: name, message: `tank ${name}: the density measured in the tank is required to compute its weight` });
      continue;
    }
    const calc = tankVolume(tank, { trim_m: ship.trim_m, list_deg: ship.list_deg, ...stripUndefined(reading) });
    if (!calc.ok) {
      errors.push(calc.error);
      continue;
    }
    out.calculations.push(calc.value);
    for (const w of calc.value.warnings) warnings.push({ code: 'VESSEL_VALUE_IMPLAUSIBLE', tank: name, message: w });
    if (tank.contents === 'ballast') {
      out.ballast_tanks.push({ name, volume_m3: calc.value.volume_m3, density_t_m3: calc.value.density_t_m3! });
    } else {
      const key = tank.contents;
      out.deductibles_t[key] = (out.deductibles_t[key] ?? 0) + calc.value.weight_t!;
    }
  }
  return errors.length ? { ok: false, errors, warnings } : { ok: true, value: out, warnings };
}

function stripUndefined(reading: TankReading): TankReading {
  return Object.fromEntries(Object.entries(reading).filter(([, v]) => v !== undefined)) as TankReading;
}
