/**
 * Edge SQLite schema, as numbered migrations (PRAGMA user_version). Append, never edit a shipped step.
 *
 * readings: every sample, committed before anything else happens to it (../shared/DESIGN.md §1).
 *   value REAL holds numbers (and booleans as 1/0), text TEXT holds strings (and booleans as
 *   'true'/'false'), so the stored row can be turned back into the exact value without the profile.
 *   `id` only ever grows, which is what a later outbox/sync feature will page by (kv holds its watermark).
 * latest: the newest reading of each device/point, updated in the same transaction as the batch.
 * events: alarms raised/cleared, health changes, operator writes.
 * device_health: the current health of each device (history is in events).
 * kv: small gateway state (schema notes, the sync cursors, settings changed by cloud commands).
 * survey_*: the draft survey's vessel library, sessions, captures, audit, photos (edge/survey/schema.ts).
 * outbox, commands: sync to the cloud (edge/store/outbox-schema.ts).
 */
import { SURVEY_MIGRATION_1 } from '../survey/schema.js';
import { OUTBOX_MIGRATION } from './outbox-schema.js';

export const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  CREATE TABLE readings (
    id INTEGER PRIMARY KEY,
    device TEXT NOT NULL,
    point TEXT NOT NULL,
    ts INTEGER NOT NULL,
    value REAL,
    text TEXT,
    quality TEXT NOT NULL,
    reason TEXT,
    detail TEXT
  );
  CREATE INDEX readings_series ON readings(device, point, ts);

  CREATE TABLE latest (
    device TEXT NOT NULL,
    point TEXT NOT NULL,
    reading_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    value REAL,
    text TEXT,
    quality TEXT NOT NULL,
    reason TEXT,
    detail TEXT,
    PRIMARY KEY (device, point)
  ) WITHOUT ROWID;

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    device TEXT,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    point TEXT,
    message TEXT NOT NULL,
    data TEXT
  );
  CREATE INDEX events_ts ON events(ts);
  CREATE INDEX events_device_ts ON events(device, ts);

  CREATE TABLE device_health (
    device TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    reason TEXT,
    detail TEXT,
    since INTEGER NOT NULL,
    updated INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: draft survey tables
  SURVEY_MIGRATION_1,
  // 3: outbox and commands (sync to the cloud, edge/store/outbox-schema.ts)
  OUTBOX_MIGRATION,
];
