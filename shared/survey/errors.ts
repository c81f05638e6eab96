/**
 * Error codes of the draft-survey case format. Each error names the field at fault with a
 * JSON-style path such as `surveys[1].readings_m.aft_port`.
 */
export const SURVEY_ERROR_CODES = {
  SURVEY_USAGE: 'the command was called without a case file',
  SURVEY_FILE_UNREADABLE: 'the case file cannot be read',
  SURVEY_JSON_INVALID: 'the case file is not valid JSON',
  SURVEY_FORMAT: 'a field has the wrong type, an unknown value, or the format id is wrong',
  SURVEY_FIELD_MISSING: 'a required field is missing',
  SURVEY_VALUE_OUT_OF_RANGE: 'a number lies outside the range the format allows',
  SURVEY_NO_SURVEYS: 'the case has no surveys',
  SURVEY_READING_MISSING: 'one of the six draft readings is missing',
  SURVEY_READING_IMPLAUSIBLE: 'a draft reading is not between 0 and 30 m',
  SURVEY_LBP_MISSING: 'the length between perpendiculars is missing',
  SURVEY_MARKS_MISSING: 'a draft-mark position (distance or side) is not declared for a survey',
  SURVEY_MARKS_IMPLAUSIBLE: 'a draft-mark distance is not less than half the LBP',
  SURVEY_LCF_CONVENTION_MISSING: 'the LCF convention (from, positive) is not declared',
  SURVEY_LCF_CONVENTION_INVALID: 'the LCF convention uses an unknown reference or direction',
  SURVEY_DENSITY_MISSING: 'the dock-water density is missing',
  SURVEY_DENSITY_OUT_OF_RANGE: 'a water density lies outside 0.990–1.040 t/m³',
  SURVEY_HYDROSTATICS_MISSING: 'a survey has no hydrostatic rows to read',
  SURVEY_TABLE_NOT_SORTED: 'hydrostatic rows are not strictly increasing in draft',
  SURVEY_MTC_MISSING: 'MTC is needed from the table but a row used lacks it',
  SURVEY_MTC_PAIR_INVALID: 'the MTC pair’s plus draft is not above its minus draft',
  SURVEY_QM_OUTSIDE_TABLE: 'the quarter mean (or QM ± 0.5 m for MTC) lies outside the table; never extrapolated',
  SURVEY_DUPLICATE_ID: 'two surveys share an id',
  SURVEY_UNKNOWN_SURVEY: 'a cargo pair names a survey that does not exist',
  SURVEY_IMO_FORMAT: 'the IMO number is not seven digits',
  SURVEY_IMO_CHECK_DIGIT: 'the IMO number fails its check digit',
  SURVEY_ROUNDING_INVALID: 'the rounding spec is not "none", "form3" or { line: decimals } with known lines',
  SURVEY_INTERNAL: 'unexpected internal error',
} as const;

export type SurveyErrorCode = keyof typeof SURVEY_ERROR_CODES;

export interface SurveyIssue {
  code: SurveyErrorCode;
  path: string;
  message: string;
}

/** Thrown by the engine when a validated case still cannot be computed (e.g. QM outside the table). */
export class SurveyCaseError extends Error {
  readonly issue: SurveyIssue;
  constructor(issue: SurveyIssue) {
    super(`${issue.code} at ${issue.path}: ${issue.message}`);
    this.name = 'SurveyCaseError';
    this.issue = issue;
  }
}

/** `a.b[2].c` from a path array; the root is `(root)`. */
export { formatPath } from '../validation.js';
