/**
 * A catalogue error that also carries the list of issues behind it (every bad cell of an imported
 * vessel file, the engine's issue with its path), so the API can show all of them at once.
 */
import { QuaysideError, type ErrorCode } from '../../shared/errors.js';
import { describeIssue, type VesselIssue } from '../../shared/vessel/errors.js';

export interface IssueView {
  code: string;
  message: string;
  source?: string;
  row?: number;
  column?: string;
  path?: string;
  tank?: string;
  /** One line: "hydrostatics.csv row 14, column tpc_t_cm: …". */
  text: string;
}

export class SurveyError extends QuaysideError {
  readonly issues: IssueView[];
  constructor(code: ErrorCode, detail: string, issues: IssueView[] = [], options?: { cause?: unknown }) {
    super(code, detail, options);
    this.name = 'SurveyError';
    this.issues = issues;
  }
}

export function vesselIssueView(issue: VesselIssue): IssueView {
  const out: IssueView = { code: issue.code, message: issue.message, text: describeIssue(issue) };
  if (issue.source !== undefined) out.source = issue.source;
  if (issue.row !== undefined) out.row = issue.row;
  if (issue.column !== undefined) out.column = issue.column;
  if (issue.path !== undefined) out.path = issue.path;
  if (issue.tank !== undefined) out.tank = issue.tank;
  return out;
}

/** Throws EDGE_SURVEY_REASON_REQUIRED unless `reason` has some text. Returns it trimmed. */
export function requireReason(reason: string | undefined | null, what: string): string {
  const r = (reason ?? '').trim();
  if (r.length === 0) throw new QuaysideError('EDGE_SURVEY_REASON_REQUIRED', `${what}: give the reason for the manual entry`);
  return r;
}
