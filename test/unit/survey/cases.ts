/** Case builders shared by the survey tests. Every builder returns a fresh, mutable copy. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'survey');

// A JSON-shaped case, loose enough for tests to mutate freely.
export type RawCase = any;

export function fixture(name: string): RawCase {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

export function clone<T>(x: T): T {
  return structuredClone(x);
}

/**
 * The hand-worked case (every figure is derived in engine.test.ts).
 * LBP 100 m; fwd mark 2 m aft of FP (x_f = −2), mid mark at midship (x_m = 0), aft mark 3 m
 * forward of AP (x_a = +3) ⇒ LBM = 95 m. Table LCF from midship, + aft, density 1.025.
 */
export function smallCase(): RawCase {
  return {
    format: 'quayside.draft-survey-case/1',
    vessel: {
      name: 'HAND CASE',
      imo: '9074729',
      lbp_m: 100,
      keel_plate_m: 0,
      table_density_t_m3: 1.025,
      lightship_t: 10000,
      lcf: { from: 'midship', positive: 'aft' },
      marks: {
        fwd: { distance_m: 2, side: 'aft' },
        mid: { distance_m: 0, side: 'aft' },
        aft: { distance_m: 3, side: 'forward' },
      },
      hydrostatics: [
        { draft_m: 4.0, displacement_t: 10000, tpc_t_cm: 20.0, lcf_m: 1.0, mtc_tm_cm: 100 },
        { draft_m: 5.0, displacement_t: 12100, tpc_t_cm: 22.0, lcf_m: 0.5, mtc_tm_cm: 110 },
        { draft_m: 6.0, displacement_t: 14400, tpc_t_cm: 24.0, lcf_m: 0.0, mtc_tm_cm: 130 },
        { draft_m: 7.0, displacement_t: 16900, tpc_t_cm: 26.0, lcf_m: -0.5, mtc_tm_cm: 155 },
      ],
    },
    rounding: 'none',
    surveys: [
      {
        id: 'initial',
        readings_m: { fwd_port: 4.55, fwd_stbd: 4.55, mid_port: 5.01, mid_stbd: 5.03, aft_port: 5.5, aft_stbd: 5.5 },
        dock_density_t_m3: 1.0045,
        deductibles_t: { fuel_oil: 100, fresh_water: 50 },
        ballast_tanks: [{ name: 'DB1', volume_m3: 1000, density_t_m3: 1.02 }],
      },
      {
        id: 'final',
        readings_m: { fwd_port: 5.8, fwd_stbd: 5.8, mid_port: 5.8, mid_stbd: 5.8, aft_port: 5.8, aft_stbd: 5.8 },
        dock_density_t_m3: 1.025,
        deductibles_t: { fuel_oil: 90, fresh_water: 45 },
      },
    ],
  };
}
