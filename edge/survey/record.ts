/**
 * The survey record that is signed (SM2 over its canonical JSON, shared/crypto/record-signature.ts),
 * printed, and sent to the cloud: who surveyed which ship when, every input with its provenance
 * (captures by id with the SM3 of their raw samples, manual entries with their reasons), the photos
 * by SM3, the case file exactly as computed and the engine's full result.
 */
import type { CaseResult } from '../../shared/survey/engine.js';
import type { CaseFile } from './case-builder.js';
import type { SessionData, SurveyStage } from './types.js';

export const SURVEY_RECORD_FORMAT = 'quayside.survey-record/1';

export interface SurveyRecord {
  format: typeof SURVEY_RECORD_FORMAT;
  gateway: { id: string; name: string };
  session: { id: string; case_id: string; survey_id: string; stage: SurveyStage; operator: string; created: string; computed_at: string };
  vessel: { imo: string; name: string; version: number; valid_from: string; record_sm3: string };
  inputs: SessionData;
  captures: { id: string; kind: string; target: string; device: string; window: { from: string; to: string }; operator: string; samples_sm3: string; n: number }[];
  photos: { id: string; ts: string; operator: string; caption: string; mime: string; bytes: number; sm3: string }[];
  case: CaseFile;
  result: CaseResult;
}

/** A JSON-clean deep copy (undefined dropped), as the record is stored, signed and sent. */
export function jsonClean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
