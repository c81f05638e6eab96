/**
 * Store migration for sync to the cloud (edge/sync, ../shared/DESIGN.md §3–4); appended to MIGRATIONS in
 * schema.ts.
 *
 * outbox: one row per envelope, numbered by `seq` (AUTOINCREMENT: never reused, even after acknowledged
 *   rows are deleted). Telemetry and store events are *not copied*: a row names the inclusive id range
 *   [from_id, to_id] of `readings` (kind telemetry) or `events` (kind event) it carries, and the envelope
 *   is rebuilt from those immutable rows whenever it is (re)sent, so a resend carries the same items under
 *   the same seq. Items handed over by other modules (records, surveys, vision events) keep their JSON in
 *   `payload`. A row is settled when the cloud committed it (`acked_at`) or refused it for good (`rejected`).
 *   The per-kind cursors (highest source id already in a row) live in kv as `sync.cursor.<kind>`.
 *   The seq space starts at (seconds since the epoch at creation) × 10^6, not at 1: the cloud dedupes on
 *   (gw, seq), so a gateway whose disk was replaced (same id, empty store) must never reuse the seqs its
 *   predecessor sent, or its new batches would be taken for redeliveries and dropped.
 * commands: every command id seen on down/cmd, written *before* its effect runs, with the answer given, so
 *   a redelivered id (even after a restart) gets the same answer and the effect runs at most once.
 *   `published_at` is set when the broker took the answer; unpublished answers go out on reconnect.
 */
export const OUTBOX_MIGRATION = `
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    created INTEGER NOT NULL,
    from_id INTEGER,
    to_id INTEGER,
    payload TEXT,
    items INTEGER NOT NULL,
    bytes INTEGER,
    batch_id TEXT NOT NULL,
    sent_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    acked_at INTEGER,
    rejected TEXT
  );
  INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', CAST(strftime('%s', 'now') AS INTEGER) * 1000000);
  CREATE INDEX outbox_open ON outbox(seq) WHERE acked_at IS NULL AND rejected IS NULL;
  CREATE INDEX outbox_open_kind ON outbox(kind, seq) WHERE acked_at IS NULL AND rejected IS NULL;
  CREATE INDEX outbox_open_other ON outbox(seq) WHERE acked_at IS NULL AND rejected IS NULL AND kind <> 'telemetry';

  CREATE TABLE commands (
    id TEXT PRIMARY KEY,
    received INTEGER NOT NULL,
    op TEXT,
    target TEXT,
    args TEXT,
    expires_at INTEGER,
    status TEXT NOT NULL,
    detail TEXT,
    answered_at INTEGER,
    published_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX commands_unpublished ON commands(answered_at) WHERE published_at IS NULL;
`;
