/**
 * Sending a signed survey to the cloud: one `surveyItemSchema` item (shared/contracts/envelope.ts)
 * into the store's outbox as kind "survey". With sync running, app.ts hands the item to the sync's
 * own enqueue (which also wakes its loop); without it the row waits in the outbox table until sync
 * is configured, and goes up then.
 */
import { MAX_ENVELOPE_BYTES, surveyItemSchema, type SurveyItem } from '../../shared/contracts/envelope.js';
import { QuaysideError } from '../../shared/errors.js';
import { fieldErrors } from '../../shared/validation.js';
import { Outbox } from '../store/outbox.js';
import type { EdgeStore } from '../store/store.js';

/** Room left in an envelope for its header (gateway id, seq, ids, times). */
const ENVELOPE_HEADROOM_BYTES = 1024;

export interface QueuedSurvey {
  seq: number;
  created: number;
  item: SurveyItem;
  sentAt: number | null;
  attempts: number;
}

/** Validates a survey item against the shared contract and its size against one envelope; returns its JSON. */
export function surveyItemJson(record: SurveyItem): string {
  const parsed = surveyItemSchema.safeParse(record);
  if (!parsed.success) {
    throw new QuaysideError('EDGE_BAD_REQUEST', `survey uplink item: ${fieldErrors(parsed.error).map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
  const json = JSON.stringify(parsed.data);
  if (Buffer.byteLength(json) > MAX_ENVELOPE_BYTES - ENVELOPE_HEADROOM_BYTES) {
    throw new QuaysideError('EDGE_BAD_REQUEST', `survey uplink item ${parsed.data.id} is ${Buffer.byteLength(json)} bytes, more than one envelope carries`);
  }
  return json;
}

/** Queues a signed survey for the cloud in the store's outbox (kind "survey"). Returns the outbox seq. */
export function queueSurveyForUplink(store: EdgeStore, record: SurveyItem, now: number = Date.now()): number {
  const json = surveyItemJson(record);
  return new Outbox(store.db).enqueue('survey', [[json]], now)[0]!;
}

/** Survey rows of the outbox the cloud has not committed yet, oldest first. */
export function pendingSurveyUplink(store: EdgeStore, limit = 100): QueuedSurvey[] {
  const out: QueuedSurvey[] = [];
  for (const row of new Outbox(store.db).open('asc', limit, 'survey')) {
    for (const item of JSON.parse(row.payload ?? '[]') as SurveyItem[]) out.push({ seq: row.seq, created: row.created, item, sentAt: row.sentAt, attempts: row.attempts });
  }
  return out;
}
