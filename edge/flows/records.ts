/**
 * Where `quay uplink` puts custom records for the cloud: the store-and-forward outbox (edge/store/outbox.ts,
 * kind "record"), so a record is never lost (DESIGN §3–4). Every record is checked against
 * `recordItemSchema` (shared/contracts/envelope.ts) here, so the cloud never refuses what a flow sends.
 *
 * With sync running, app.ts hands over the sync's own `enqueue` (it also nudges the sync loop); without a
 * `cloud` section, `outboxRecords` writes the same outbox rows, which wait there until sync is set up.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { recordItemSchema, type RecordItem } from '../../shared/contracts/envelope.js';
import { QuaysideError } from '../../shared/errors.js';
import { fieldErrors } from '../../shared/validation.js';
import { Outbox } from '../store/outbox.js';

export interface RecordSink {
  /** Which adapter (for /flows/status). */
  readonly kind: string;
  /** Queues one validated record; returns where it went. Throws on a store failure. */
  enqueue(item: RecordItem): { queue: string; seq: number };
}

/** Builds and validates a record item; throws EDGE_BAD_REQUEST with the field errors. */
export function toRecordItem(input: { id?: unknown; ts?: unknown; type: unknown; data: unknown }): RecordItem {
  let data: unknown;
  try {
    // Plain JSON, as the cloud will see it (drops undefined, turns Dates into strings).
    data = input.data === undefined ? undefined : JSON.parse(JSON.stringify(input.data));
  } catch (e) {
    throw new QuaysideError('EDGE_BAD_REQUEST', `record for the cloud: data is not JSON (${(e as Error).message})`);
  }
  const candidate = {
    id: typeof input.id === 'string' && input.id ? input.id : randomUUID(),
    ts: typeof input.ts === 'number' ? Math.round(input.ts) : Date.now(),
    type: input.type,
    data,
  };
  const parsed = recordItemSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new QuaysideError('EDGE_BAD_REQUEST', `record for the cloud: ${fieldErrors(parsed.error).map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** The sync module's outbox as a RecordSink (kind "record", one item per row: records are few). */
export function outboxRecords(db: Database): RecordSink {
  const outbox = new Outbox(db);
  return {
    kind: 'outbox',
    enqueue(item) {
      const [seq] = outbox.enqueue('record', [[JSON.stringify(item)]], Date.now());
      return { queue: 'outbox', seq: seq! };
    },
  };
}
