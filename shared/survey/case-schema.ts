/**
 * The case file (`quayside.draft-survey-case/1`, see /work/shared/domain/draft-survey-format.md):
 * a zod schema for its shape, and `validateCase`, which adds the rules a schema cannot express
 * and reports every mistake as `{ code, path, message }` with a path such as
 * `surveys[1].readings_m.aft_port`.
 *
 * Unknown fields are ignored (an app export may carry more than the engine needs); every field
 * the engine reads is checked.
 */
import { z } from 'zod';
import { parseImo } from '../ids/imo.js';
import { formatPath, SURVEY_ERROR_CODES, type SurveyErrorCode, type SurveyIssue } from './errors.js';
import { unsortedRowIndex } from './hydrostatics.js';
import { effectiveMarks, MARK_STATIONS, markSourcePath } from './marks.js';
import { parseRoundingSpec, type RoundingSpec } from './rounding.js';

export const CASE_FORMAT = 'quayside.draft-survey-case/1';
export const RESULT_FORMAT = 'quayside.draft-survey-result/1';

/** Readings must satisfy 0 < draft < 30 m. */
export const READING_LIMITS_M = { above: 0, below: 30 } as const;
/** Dock (and table) density must lie in this band, t/m³, inclusive. */
export const DENSITY_LIMITS_T_M3 = { min: 0.99, max: 1.04 } as const;
export const DEFAULT_TABLE_DENSITY_T_M3 = 1.025;

const reading = z.number().gt(READING_LIMITS_M.above).lt(READING_LIMITS_M.below);
const density = z.number().min(DENSITY_LIMITS_T_M3.min).max(DENSITY_LIMITS_T_M3.max);

const readingsSchema = z.object({
  fwd_port: reading,
  fwd_stbd: reading,
  mid_port: reading,
  mid_stbd: reading,
  aft_port: reading,
  aft_stbd: reading,
});

const markSchema = z.object({
  distance_m: z.number().min(0),
  side: z.enum(['aft', 'forward']),
});

const marksSchema = z.object({
  fwd: markSchema.optional(),
  mid: markSchema.optional(),
  aft: markSchema.optional(),
});

const hydrostaticRowSchema = z.object({
  draft_m: z.number().min(0),
  displacement_t: z.number().min(0),
  tpc_t_cm: z.number().gt(0),
  lcf_m: z.number(),
  mtc_tm_cm: z.number().gt(0).optional(),
});

const mtcReadingSchema = z.object({
  draft_m: z.number().gt(0),
  mtc_tm_cm: z.number().gt(0),
});

const vesselSchema = z.object({
  name: z.string().optional(),
  imo: z.unknown().optional(), // checked by parseImo below
  lbp_m: z.number().gt(0),
  breadth_m: z.number().gt(0).optional(),
  keel_plate_m: z.number().min(0).max(0.1).default(0),
  table_density_t_m3: density.default(DEFAULT_TABLE_DENSITY_T_M3),
  lightship_t: z.number().gt(0).optional(),
  lcf: z.object({
    from: z.enum(['midship', 'ap', 'fp']),
    positive: z.enum(['aft', 'forward']),
  }),
  marks: marksSchema.optional(),
  hydrostatics: z.array(hydrostaticRowSchema).min(1).optional(),
});

const surveySchema = z.object({
  id: z.string().min(1),
  readings_m: readingsSchema,
  marks: marksSchema.optional(),
  dock_density_t_m3: density,
  hydrostatic_rows: z.array(hydrostaticRowSchema).min(1).optional(),
  mtc_pair: z.object({ plus: mtcReadingSchema, minus: mtcReadingSchema }).optional(),
  list_tpc_t_cm: z.object({ port: z.number().gt(0), stbd: z.number().gt(0) }).optional(),
  deductibles_t: z.record(z.string(), z.number()).default({}),
  ballast_tanks: z
    .array(z.object({ name: z.string().min(1), volume_m3: z.number().min(0), density_t_m3: z.number().gt(0) }))
    .default([]),
});

export const caseSchema = z.object({
  format: z.literal(CASE_FORMAT),
  vessel: vesselSchema,
  rounding: z.unknown().optional(), // checked by parseRoundingSpec below
  thresholds: z.object({ hog_sag_cm: z.number().gt(0).optional() }).optional(),
  surveys: z.array(surveySchema).min(1),
  cargo: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
});

type ParsedCase = z.infer<typeof caseSchema>;
export type Vessel = ParsedCase['vessel'];
export type Survey = ParsedCase['surveys'][number];
export type CargoPair = NonNullable<ParsedCase['cargo']>[number];

/** A validated case: defaults filled in and the rounding spec parsed. */
export type SurveyCase = Omit<ParsedCase, 'rounding'> & { rounding: RoundingSpec };

export type CaseValidation = { ok: true; case: SurveyCase } | { ok: false; errors: SurveyIssue[] };

// ---- zod issue → error code ----

type IssueKind = 'missing' | 'range' | 'value' | 'type';

interface CodeRule {
  pattern: RegExp; // matched against the path with indices replaced by []
  codes: Partial<Record<IssueKind, SurveyErrorCode>>;
}

const CODE_RULES: CodeRule[] = [
  { pattern: /^format$/, codes: { missing: 'SURVEY_FORMAT', value: 'SURVEY_FORMAT' } },
  { pattern: /^surveys$/, codes: { missing: 'SURVEY_NO_SURVEYS', range: 'SURVEY_NO_SURVEYS' } },
  { pattern: /^surveys\[\]\.readings_m(\.[a-z_]+)?$/, codes: { missing: 'SURVEY_READING_MISSING', range: 'SURVEY_READING_IMPLAUSIBLE' } },
  { pattern: /^surveys\[\]\.dock_density_t_m3$/, codes: { missing: 'SURVEY_DENSITY_MISSING', range: 'SURVEY_DENSITY_OUT_OF_RANGE' } },
  { pattern: /^vessel\.table_density_t_m3$/, codes: { range: 'SURVEY_DENSITY_OUT_OF_RANGE' } },
  { pattern: /^vessel\.lbp_m$/, codes: { missing: 'SURVEY_LBP_MISSING' } },
  { pattern: /^vessel\.lcf(\.from|\.positive)?$/, codes: { missing: 'SURVEY_LCF_CONVENTION_MISSING', value: 'SURVEY_LCF_CONVENTION_INVALID' } },
  { pattern: /^(vessel|surveys\[\])\.marks\.(fwd|mid|aft)(\.distance_m|\.side)?$/, codes: { missing: 'SURVEY_MARKS_MISSING' } },
  { pattern: /^(vessel\.hydrostatics|surveys\[\]\.hydrostatic_rows)$/, codes: { range: 'SURVEY_HYDROSTATICS_MISSING' } },
];

const DEFAULT_CODES: Record<IssueKind, SurveyErrorCode> = {
  missing: 'SURVEY_FIELD_MISSING',
  range: 'SURVEY_VALUE_OUT_OF_RANGE',
  value: 'SURVEY_FORMAT',
  type: 'SURVEY_FORMAT',
};

function valueAtPath(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function issueKind(issue: z.core.$ZodIssue, raw: unknown): IssueKind {
  if (issue.code === 'invalid_type' || issue.code === 'invalid_value') {
    // An absent (or null) field fails as a type or, for enums and literals, as a value.
    const value = valueAtPath(raw, issue.path);
    if (value === undefined || value === null) return 'missing';
    return issue.code === 'invalid_type' ? 'type' : 'value';
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') return 'range';
  return 'type';
}

function toSurveyIssue(issue: z.core.$ZodIssue, raw: unknown): SurveyIssue {
  const path = formatPath(issue.path);
  const pattern = path.replace(/\[\d+\]/g, '[]');
  const kind = issueKind(issue, raw);
  const rule = CODE_RULES.find((r) => r.pattern.test(pattern));
  const code = rule?.codes[kind] ?? DEFAULT_CODES[kind];
  const message = kind === 'missing' ? SURVEY_ERROR_CODES[code] : `${SURVEY_ERROR_CODES[code]}: ${issue.message}`;
  return { code, path, message };
}

// ---- validation ----

export function validateCase(raw: unknown): CaseValidation {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [{ code: 'SURVEY_FORMAT', path: '(root)', message: 'a case file is a JSON object' }] };
  }
  const parsed = caseSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((issue) => toSurveyIssue(issue, raw)) };

  const data = parsed.data;
  const errors: SurveyIssue[] = [];
  checkVessel(data.vessel, errors);
  const rounding = parseRoundingSpec(data.rounding);
  if (!rounding.ok) errors.push({ code: 'SURVEY_ROUNDING_INVALID', path: rounding.path, message: rounding.message });
  checkSurveys(data, errors);
  checkCargo(data, errors);
  if (errors.length > 0 || !rounding.ok) return { ok: false, errors };
  return { ok: true, case: { ...data, rounding: rounding.spec } };
}

function checkVessel(vessel: Vessel, errors: SurveyIssue[]): void {
  if (vessel.imo !== undefined) {
    const imo = parseImo(vessel.imo);
    if (!imo.ok) {
      errors.push({ code: imo.reason === 'format' ? 'SURVEY_IMO_FORMAT' : 'SURVEY_IMO_CHECK_DIGIT', path: 'vessel.imo', message: imo.message });
    }
  }
  if (vessel.hydrostatics) checkTableOrder(vessel.hydrostatics, 'vessel.hydrostatics', errors);
}

function checkTableOrder(rows: readonly { draft_m: number }[], path: string, errors: SurveyIssue[]): void {
  const bad = unsortedRowIndex(rows);
  if (bad >= 0) {
    errors.push({
      code: 'SURVEY_TABLE_NOT_SORTED',
      path: `${path}[${bad}].draft_m`,
      message: `rows must be strictly increasing in draft: ${rows[bad]!.draft_m} m follows ${rows[bad - 1]!.draft_m} m`,
    });
  }
}

function checkSurveys(data: ParsedCase, errors: SurveyIssue[]): void {
  const seen = new Map<string, number>();
  const reported = new Set<string>();
  const halfLbp = data.vessel.lbp_m / 2;
  data.surveys.forEach((survey, i) => {
    const firstIndex = seen.get(survey.id);
    if (firstIndex !== undefined) {
      errors.push({ code: 'SURVEY_DUPLICATE_ID', path: `surveys[${i}].id`, message: `survey id "${survey.id}" is already used by surveys[${firstIndex}]` });
    } else {
      seen.set(survey.id, i);
    }

    const marks = effectiveMarks(data.vessel.marks, survey.marks);
    for (const station of MARK_STATIONS) {
      const mark = marks[station];
      const source = markSourcePath(station, i, survey.marks);
      if (mark === undefined) {
        if (!reported.has(source)) {
          reported.add(source);
          errors.push({
            code: 'SURVEY_MARKS_MISSING',
            path: source,
            message: `the ${station} draft-mark position is declared neither for the vessel nor for survey "${survey.id}"; mark positions are never defaulted`,
          });
        }
      } else if (mark.distance_m !== undefined && mark.distance_m >= halfLbp && !reported.has(`${source}.distance_m`)) {
        reported.add(`${source}.distance_m`);
        errors.push({
          code: 'SURVEY_MARKS_IMPLAUSIBLE',
          path: `${source}.distance_m`,
          message: `a ${station} mark ${mark.distance_m} m from its reference is not less than half the LBP (${halfLbp} m)`,
        });
      }
    }

    if (survey.hydrostatic_rows) checkTableOrder(survey.hydrostatic_rows, `surveys[${i}].hydrostatic_rows`, errors);
    else if (!data.vessel.hydrostatics) {
      errors.push({
        code: 'SURVEY_HYDROSTATICS_MISSING',
        path: `surveys[${i}].hydrostatic_rows`,
        message: `survey "${survey.id}" has no hydrostatic_rows and the vessel has no hydrostatics table`,
      });
    }

    if (survey.mtc_pair && !(survey.mtc_pair.plus.draft_m > survey.mtc_pair.minus.draft_m)) {
      errors.push({
        code: 'SURVEY_MTC_PAIR_INVALID',
        path: `surveys[${i}].mtc_pair.plus.draft_m`,
        message: `the plus draft (${survey.mtc_pair.plus.draft_m} m) must be above the minus draft (${survey.mtc_pair.minus.draft_m} m)`,
      });
    }
  });
}

function checkCargo(data: ParsedCase, errors: SurveyIssue[]): void {
  const ids = new Set(data.surveys.map((s) => s.id));
  data.cargo?.forEach((pair, k) => {
    for (const end of ['from', 'to'] as const) {
      if (!ids.has(pair[end])) {
        errors.push({ code: 'SURVEY_UNKNOWN_SURVEY', path: `cargo[${k}].${end}`, message: `no survey with id "${pair[end]}"` });
      }
    }
  });
}
