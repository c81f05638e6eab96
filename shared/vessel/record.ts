/**
 * Validating a vessel record as a whole, and choosing among its versions.
 */
import type { z } from 'zod';
import { formatPath } from '../validation.js';
import type { VesselIssue, Outcome } from './errors.js';
import { vesselRecordSchema, type VesselRecord, type VesselRecordInput } from './schema.js';

function issueOf(issue: z.core.$ZodIssue): VesselIssue {
  const path = formatPath(issue.path);
  const reason = issue.code === 'custom' ? (issue as { params?: { reason?: string } }).params?.reason : undefined;
  if (reason === 'format') return { code: 'VESSEL_IMO_FORMAT', path, message: issue.message };
  if (reason === 'check_digit') return { code: 'VESSEL_IMO_CHECK_DIGIT', path, message: issue.message };
  return { code: 'VESSEL_RECORD_INVALID', path, message: issue.message };
}

/** Validates a record (parsed JSON or built by the importers); every mistake with its path. */
export function validateVesselRecord(raw: unknown): Outcome<VesselRecord> {
  const parsed = vesselRecordSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map(issueOf), warnings: [] };
  return { ok: true, value: parsed.data, warnings: [] };
}

/**
 * The next version of a record: same ship (IMO), version + 1, valid from a date after the previous
 * version's. Returns the validated new record.
 */
export function nextVersion(previous: VesselRecord, changed: Omit<VesselRecordInput, 'version' | 'format'>): Outcome<VesselRecord> {
  const outcome = validateVesselRecord({ ...changed, format: previous.format, version: previous.version + 1 });
  if (!outcome.ok) return outcome;
  const errors: VesselIssue[] = [];
  if (outcome.value.particulars.imo !== previous.particulars.imo) {
    errors.push({ code: 'VESSEL_RECORD_INVALID', path: 'particulars.imo', message: `a new version must keep the IMO number ${previous.particulars.imo}` });
  }
  if (!(Date.parse(outcome.value.validFrom) > Date.parse(previous.validFrom))) {
    errors.push({ code: 'VESSEL_RECORD_INVALID', path: 'validFrom', message: `version ${previous.version + 1} must be valid from a date after ${previous.validFrom}` });
  }
  return errors.length ? { ok: false, errors, warnings: [] } : outcome;
}

/** The version that applies at `when` (ISO date or date-time): the latest validFrom not after it. */
export function versionValidAt<T extends Pick<VesselRecord, 'validFrom' | 'version'>>(versions: readonly T[], when: string): T | undefined {
  const at = Date.parse(when);
  let best: T | undefined;
  for (const v of versions) {
    const from = Date.parse(v.validFrom);
    if (from <= at && (best === undefined || from > Date.parse(best.validFrom) || (from === Date.parse(best.validFrom) && v.version > best.version))) best = v;
  }
  return best;
}
