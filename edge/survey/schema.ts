/**
 * The draft survey's tables in the edge SQLite store, applied by the store's migration runner
 * (edge/store/schema.ts lists this step; append new steps there, never edit a shipped one).
 *
 * survey_vessels   the vessel library: one row per (IMO, version), the validated record as JSON.
 * survey_sessions  one survey (initial / intermediate / final) of one case (one ship call): its
 *                  inputs (`data`), the case file and the engine result of the last compute, the
 *                  signed record and its SM2 signature.
 * survey_captures  every instrument capture with its raw samples (time, value, quality), kept as
 *                  taken: the inputs point at them by id, the signed record covers their SM3 hash.
 * survey_audit     append-only log of every operator action (manual entries and overrides with
 *                  their reason, captures, compute, sign), chained by SM3 so an edit shows.
 * survey_photos    photos attached to a session: file under <dataDir>/survey/photos, SM3 hash.
 * Signed records go to the cloud through the store's outbox (kind "survey", see uplink.ts).
 */
export const SURVEY_MIGRATION_1 = `
  CREATE TABLE IF NOT EXISTS survey_vessels (
    imo TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    record TEXT NOT NULL,
    sm3 TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (imo, version)
  ) WITHOUT ROWID;

  CREATE TABLE IF NOT EXISTS survey_sessions (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    survey_id TEXT NOT NULL,
    vessel_imo TEXT NOT NULL,
    vessel_version INTEGER NOT NULL,
    stage TEXT NOT NULL,
    status TEXT NOT NULL,
    operator TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    data TEXT NOT NULL,
    case_json TEXT,
    result_json TEXT,
    computed_at INTEGER,
    record_json TEXT,
    signature_json TEXT,
    signed_at INTEGER,
    UNIQUE (case_id, survey_id)
  );
  CREATE INDEX IF NOT EXISTS survey_sessions_case ON survey_sessions(case_id, created);

  CREATE TABLE IF NOT EXISTS survey_captures (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    device TEXT NOT NULL,
    ts INTEGER NOT NULL,
    window_from INTEGER NOT NULL,
    window_to INTEGER NOT NULL,
    operator TEXT NOT NULL,
    summary TEXT NOT NULL,
    samples TEXT NOT NULL,
    samples_sm3 TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS survey_captures_session ON survey_captures(session_id, ts);

  CREATE TABLE IF NOT EXISTS survey_audit (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    session_id TEXT,
    operator TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    before TEXT,
    after TEXT,
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS survey_audit_session ON survey_audit(session_id, id);

  CREATE TABLE IF NOT EXISTS survey_photos (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    operator TEXT NOT NULL,
    caption TEXT NOT NULL,
    mime TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    file TEXT NOT NULL,
    sm3 TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS survey_photos_session ON survey_photos(session_id, ts);
`;
