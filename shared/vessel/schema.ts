/**
 * The vessel library record (`quayside.vessel/1`): particulars, draft-mark positions, the
 * hydrostatic table and the tank calibration tables of one ship, as one versioned document.
 * A new version is written whenever the ship's documents change; each survey copies the rows it
 * used, and records the version (draft-survey.md §7).
 *
 * Conventions (declared, never assumed):
 *  - drafts, soundings and ullages in metres; trim in metres, + by the stern; list in degrees,
 *    + to starboard; volumes in m³; TPC t/cm; MTC t·m/cm;
 *  - `lcf` declares how the table's `lcf_m` is measured (from midship/AP/FP, + aft/forward);
 *  - each pair of draft marks: distance from its reference (FP, midship, AP) and on which side.
 *
 * Tank tables. A tank has ONE volume table and up to two corrections, trim and list, each of one
 * of the three kinds in use (draft-survey.md §2.4):
 *  - `level`: volume against sounding at even keel and upright;
 *  - kind 1, `volume`: volume tabulated against sounding × trim (or × list); replaces `level`;
 *  - kind 2, `sounding_correction`: a correction in mm ADDED to the observed sounding, tabulated
 *    against trim (or list), optionally also against sounding; volume then read at the corrected
 *    sounding;
 *  - kind 3, `volume_correction`: a correction in m³ ADDED to the volume at the observed
 *    sounding, tabulated like kind 2.
 * Grids are `values[i][j]` at `soundings_m[i]` and `axis_values[j]`; a correction without
 * `soundings_m` has one row, valid at every sounding.
 */
import { z } from 'zod';
import { parseImo } from '../ids/imo.js';

export const VESSEL_FORMAT = 'quayside.vessel/1';

/** Plausible ranges used by the schema and by the importers. */
export const LIMITS = {
  draft_m: { min: 0, max: 30 },
  lbp_m: { min: 10, max: 500 },
  breadth_m: { min: 2, max: 80 },
  displacement_t: { min: 0, max: 700_000 },
  tpc_t_cm: { min: 0, max: 300 },
  mtc_tm_cm: { min: 0, max: 100_000 },
  keel_plate_m: { min: 0, max: 0.1 },
  table_density_t_m3: { min: 0.99, max: 1.04 },
  sounding_m: { min: 0, max: 40 },
  volume_m3: { min: 0, max: 100_000 },
  trim_m: { min: -15, max: 15 },
  list_deg: { min: -15, max: 15 },
  sounding_correction_mm: { min: -2000, max: 2000 },
  volume_correction_m3: { min: -5000, max: 5000 },
} as const;

const number = (range: { min: number; max: number }) => z.number().min(range.min).max(range.max);

export const markSchema = z.object({
  distance_m: z.number().min(0).max(100),
  side: z.enum(['aft', 'forward']),
});

export const lcfConventionSchema = z.object({
  from: z.enum(['midship', 'ap', 'fp']),
  positive: z.enum(['aft', 'forward']),
});

export const imoSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = parseImo(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.message, params: { reason: parsed.reason } });
    return z.NEVER;
  }
  return parsed.imo;
});

export const particularsSchema = z
  .object({
    name: z.string().trim().min(1),
    imo: imoSchema,
    call_sign: z.string().trim().min(1).optional(),
    flag: z.string().trim().min(1).optional(),
    lbp_m: number(LIMITS.lbp_m),
    breadth_m: number(LIMITS.breadth_m).optional(),
    lightship_t: z.number().gt(0).max(LIMITS.displacement_t.max).optional(),
    keel_plate_m: number(LIMITS.keel_plate_m).default(0),
    table_density_t_m3: number(LIMITS.table_density_t_m3).default(1.025),
    lcf: lcfConventionSchema,
    marks: z.object({ fwd: markSchema, mid: markSchema, aft: markSchema }),
  })
  .superRefine((p, ctx) => {
    for (const station of ['fwd', 'mid', 'aft'] as const) {
      if (p.marks[station].distance_m >= p.lbp_m / 2) {
        ctx.addIssue({ code: 'custom', path: ['marks', station, 'distance_m'], message: `a mark ${p.marks[station].distance_m} m from its reference is not less than half the LBP (${p.lbp_m / 2} m)` });
      }
    }
  });

export const hydrostaticRowSchema = z.object({
  draft_m: number(LIMITS.draft_m),
  displacement_t: z.number().gt(0).max(LIMITS.displacement_t.max),
  tpc_t_cm: z.number().gt(0).max(LIMITS.tpc_t_cm.max),
  lcf_m: z.number().min(-500).max(500),
  mtc_tm_cm: z.number().gt(0).max(LIMITS.mtc_tm_cm.max).optional(),
});

function strictlyIncreasing(values: readonly number[], ctx: z.RefinementCtx, path: PropertyKey[], what: string): void {
  for (let i = 1; i < values.length; i++) {
    if (!(values[i]! > values[i - 1]!)) {
      ctx.addIssue({ code: 'custom', path: [...path, i], message: `${what} must be strictly increasing: ${values[i]} follows ${values[i - 1]}` });
      return;
    }
  }
}

export const hydrostaticsSchema = z
  .array(hydrostaticRowSchema)
  .min(2)
  .superRefine((rows, ctx) => {
    for (let i = 1; i < rows.length; i++) {
      const prev = rows[i - 1]!;
      const row = rows[i]!;
      if (!(row.draft_m > prev.draft_m)) {
        ctx.addIssue({ code: 'custom', path: [i, 'draft_m'], message: `drafts must be strictly increasing: ${row.draft_m} m follows ${prev.draft_m} m` });
      } else if (!(row.displacement_t > prev.displacement_t)) {
        ctx.addIssue({ code: 'custom', path: [i, 'displacement_t'], message: `displacement must increase with draft: ${row.displacement_t} t at ${row.draft_m} m after ${prev.displacement_t} t` });
      }
    }
  });

const axisValues = z.array(z.number().min(-15).max(15)).min(2);
const soundings = z.array(number(LIMITS.sounding_m)).min(2);

export const levelTableSchema = z
  .object({ soundings_m: soundings, volumes_m3: z.array(number(LIMITS.volume_m3)) })
  .superRefine((t, ctx) => {
    strictlyIncreasing(t.soundings_m, ctx, ['soundings_m'], 'soundings');
    if (t.volumes_m3.length !== t.soundings_m.length) {
      ctx.addIssue({ code: 'custom', path: ['volumes_m3'], message: `${t.volumes_m3.length} volumes for ${t.soundings_m.length} soundings` });
      return;
    }
    for (let i = 1; i < t.volumes_m3.length; i++) {
      if (t.volumes_m3[i]! < t.volumes_m3[i - 1]!) {
        ctx.addIssue({ code: 'custom', path: ['volumes_m3', i], message: `volume decreases from ${t.volumes_m3[i - 1]} to ${t.volumes_m3[i]} m³ as the sounding rises to ${t.soundings_m[i]} m` });
      }
    }
  });

function checkGrid(
  grid: { soundings_m?: number[] | undefined; axis_values: number[] },
  values: number[][],
  key: string,
  ctx: z.RefinementCtx,
  nonDecreasing: boolean,
): void {
  strictlyIncreasing(grid.axis_values, ctx, ['axis_values'], 'trim/list values');
  if (grid.soundings_m) strictlyIncreasing(grid.soundings_m, ctx, ['soundings_m'], 'soundings');
  const rows = grid.soundings_m ? grid.soundings_m.length : 1;
  if (values.length !== rows) {
    ctx.addIssue({ code: 'custom', path: [key], message: `${values.length} rows for ${rows} ${grid.soundings_m ? 'soundings' : '(one row when soundings_m is absent)'}` });
    return;
  }
  values.forEach((row, i) => {
    if (row.length !== grid.axis_values.length) {
      ctx.addIssue({ code: 'custom', path: [key, i], message: `${row.length} values for ${grid.axis_values.length} trim/list columns` });
    }
  });
  if (!nonDecreasing) return;
  for (let j = 0; j < grid.axis_values.length; j++) {
    for (let i = 1; i < values.length; i++) {
      const a = values[i - 1]![j];
      const b = values[i]![j];
      if (a !== undefined && b !== undefined && b < a) {
        ctx.addIssue({ code: 'custom', path: [key, i, j], message: `volume decreases from ${a} to ${b} m³ as the sounding rises (at trim/list ${grid.axis_values[j]})` });
      }
    }
  }
}

export const volumeGridSchema = z
  .object({
    kind: z.literal('volume'),
    soundings_m: soundings,
    axis_values: axisValues,
    volumes_m3: z.array(z.array(number(LIMITS.volume_m3))),
  })
  .superRefine((g, ctx) => checkGrid(g, g.volumes_m3, 'volumes_m3', ctx, true));

export const soundingCorrectionSchema = z
  .object({
    kind: z.literal('sounding_correction'),
    soundings_m: soundings.optional(),
    axis_values: axisValues,
    corrections_mm: z.array(z.array(number(LIMITS.sounding_correction_mm))),
  })
  .superRefine((g, ctx) => checkGrid(g, g.corrections_mm, 'corrections_mm', ctx, false));

export const volumeCorrectionSchema = z
  .object({
    kind: z.literal('volume_correction'),
    soundings_m: soundings.optional(),
    axis_values: axisValues,
    corrections_m3: z.array(z.array(number(LIMITS.volume_correction_m3))),
  })
  .superRefine((g, ctx) => checkGrid(g, g.corrections_m3, 'corrections_m3', ctx, false));

export const axisTableSchema = z.discriminatedUnion('kind', [volumeGridSchema, soundingCorrectionSchema, volumeCorrectionSchema]);

export const TANK_CONTENTS = ['ballast', 'fresh_water', 'fuel_oil', 'diesel_oil', 'lube_oil', 'other'] as const;

export const tankSchema = z
  .object({
    name: z.string().trim().min(1),
    contents: z.enum(TANK_CONTENTS),
    /** Height of the ullage reference point above the sounding datum (zero of the soundings), m. */
    reference_height_m: z.number().gt(0).max(LIMITS.sounding_m.max).optional(),
    capacity_m3: z.number().gt(0).max(LIMITS.volume_m3.max).optional(),
    level: levelTableSchema.optional(),
    trim: axisTableSchema.optional(),
    list: axisTableSchema.optional(),
  })
  .superRefine((t, ctx) => {
    const grids = [t.trim?.kind === 'volume', t.list?.kind === 'volume'].filter(Boolean).length;
    if (grids > 1) ctx.addIssue({ code: 'custom', path: ['list'], message: `tank ${t.name}: volume grids against both trim and list are not supported; give one grid and a correction table for the other` });
    if (grids === 0 && !t.level) ctx.addIssue({ code: 'custom', path: ['level'], message: `tank ${t.name} has no volume table (a level table or a volume grid against trim or list)` });
    if (grids === 1 && t.level) ctx.addIssue({ code: 'custom', path: ['level'], message: `tank ${t.name} has both a level table and a volume grid; keep one` });
  });

export const vesselRecordSchema = z
  .object({
    format: z.literal(VESSEL_FORMAT),
    /** 1, 2, 3 … each change of the ship's documents makes a new version. */
    version: z.number().int().min(1),
    /** ISO date (YYYY-MM-DD) or date-time from which this version applies. */
    validFrom: z.string().refine((s) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(s) && !Number.isNaN(Date.parse(s)), 'an ISO date such as 2026-03-01'),
    particulars: particularsSchema,
    hydrostatics: hydrostaticsSchema,
    tanks: z.array(tankSchema).default([]),
    /** Where the data came from (file names, who imported it): kept for the record. */
    source: z.object({ files: z.array(z.string()).default([]), note: z.string().optional() }).optional(),
  })
  .superRefine((r, ctx) => {
    const seen = new Map<string, number>();
    r.tanks.forEach((tank, i) => {
      const first = seen.get(tank.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['tanks', i, 'name'], message: `tank name "${tank.name}" is already used by tanks[${first}]` });
      else seen.set(tank.name, i);
    });
  });

export type Mark = z.infer<typeof markSchema>;
export type LcfConvention = z.infer<typeof lcfConventionSchema>;
export type Particulars = z.output<typeof particularsSchema>;
export type ParticularsInput = z.input<typeof particularsSchema>;
export type HydrostaticRow = z.infer<typeof hydrostaticRowSchema>;
export type LevelTable = z.infer<typeof levelTableSchema>;
export type VolumeGrid = z.infer<typeof volumeGridSchema>;
export type SoundingCorrection = z.infer<typeof soundingCorrectionSchema>;
export type VolumeCorrection = z.infer<typeof volumeCorrectionSchema>;
export type AxisTable = z.infer<typeof axisTableSchema>;
export type TankContents = (typeof TANK_CONTENTS)[number];
export type Tank = z.output<typeof tankSchema>;
export type VesselRecord = z.output<typeof vesselRecordSchema>;
export type VesselRecordInput = z.input<typeof vesselRecordSchema>;
