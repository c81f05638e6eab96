/**
 * The vessel library on the edge: records imported from the files ships provide (CSV set or one
 * XLSX workbook) through shared/vessel, validated whole, stored per (IMO, version). A new import
 * of a known ship becomes its next version (valid from a later date); re-importing the same
 * content returns the version already stored.
 */
import type Database from 'better-sqlite3';
import { canonicalJson } from '../../shared/crypto/canonical-json.js';
import { sm3Hex } from '../../shared/crypto/sm3.js';
import { importVesselCsv, type VesselCsvFiles } from '../../shared/vessel/assemble.js';
import type { Outcome } from '../../shared/vessel/errors.js';
import { nextVersion, validateVesselRecord } from '../../shared/vessel/record.js';
import type { VesselRecord } from '../../shared/vessel/schema.js';
import { AuditLog } from './audit.js';
import { SurveyError, vesselIssueView, type IssueView } from './errors.js';
import type { VesselSummary } from './types.js';

interface VesselRow {
  imo: string;
  version: number;
  name: string;
  valid_from: string;
  record: string;
  sm3: string;
  imported_at: number;
  imported_by: string;
  source: string;
}

export interface ImportMeta {
  validFrom: string;
  operator: string;
  note?: string;
}

export interface ImportResult {
  vessel: VesselSummary;
  /** False when the same content was already stored (that version is returned). */
  created: boolean;
  warnings: IssueView[];
}

/** The content that makes a version: what the ship's documents say (not the version number or dates). */
function contentHash(r: VesselRecord): string {
  return sm3Hex(canonicalJson({ particulars: r.particulars, hydrostatics: r.hydrostatics, tanks: r.tanks }));
}

export class VesselLibrary {
  private readonly stmt;
  /** Parsed versions (a stored version never changes; an import clears it, since `versions` grows). */
  private readonly cache = new Map<string, { record: VesselRecord; summary: VesselSummary }>();

  constructor(
    private readonly db: Database.Database,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {
    this.stmt = {
      insert: db.prepare('INSERT INTO survey_vessels (imo, version, name, valid_from, record, sm3, imported_at, imported_by, source) VALUES (?,?,?,?,?,?,?,?,?)'),
      latest: db.prepare('SELECT * FROM survey_vessels WHERE imo = ? ORDER BY version DESC LIMIT 1'),
      latestVersion: db.prepare('SELECT max(version) FROM survey_vessels WHERE imo = ?').pluck(),
      one: db.prepare('SELECT * FROM survey_vessels WHERE imo = ? AND version = ?'),
      versions: db.prepare('SELECT version FROM survey_vessels WHERE imo = ? ORDER BY version').pluck(),
      all: db.prepare('SELECT v.* FROM survey_vessels v JOIN (SELECT imo, max(version) AS version FROM survey_vessels GROUP BY imo) m ON v.imo = m.imo AND v.version = m.version ORDER BY v.name'),
    };
  }

  async importXlsx(data: Uint8Array, fileName: string, meta: ImportMeta): Promise<ImportResult> {
    // ExcelJS loads on the first spreadsheet import, not with the gateway.
    const { importVesselXlsx } = await import('./vessel-import-xlsx.js');
    const outcome = await importVesselXlsx(data, fileName, { version: 1, validFrom: meta.validFrom, ...(meta.note ? { note: meta.note } : {}) });
    return this.store(outcome, meta, fileName);
  }

  importCsv(files: VesselCsvFiles, meta: ImportMeta): ImportResult {
    const outcome = importVesselCsv(files, { version: 1, validFrom: meta.validFrom, ...(meta.note ? { note: meta.note } : {}) });
    const names = [files.particulars, files.hydrostatics, ...(files.tanks ? [files.tanks] : []), ...(files.tankTables ?? [])].map((f) => f.name).join(', ');
    return this.store(outcome, meta, names);
  }

  /** A record already in the quayside.vessel/1 JSON form (e.g. exported from another gateway). */
  importRecord(raw: unknown, meta: Omit<ImportMeta, 'validFrom'>): ImportResult {
    const outcome = validateVesselRecord(raw);
    return this.store(outcome, { ...meta, validFrom: outcome.ok ? outcome.value.validFrom : '' }, 'record.json');
  }

  private store(outcome: Outcome<VesselRecord>, meta: ImportMeta, source: string): ImportResult {
    const warnings = outcome.warnings.map(vesselIssueView);
    if (!outcome.ok) {
      const issues = outcome.errors.map(vesselIssueView);
      throw new SurveyError('EDGE_SURVEY_VESSEL_INVALID', `${issues.length} issue(s); first: ${issues[0]?.text ?? '?'}`, issues);
    }
    let record = outcome.value;
    const latestRow = this.stmt.latest.get(record.particulars.imo) as VesselRow | undefined;
    if (latestRow) {
      const previous = JSON.parse(latestRow.record) as VesselRecord;
      if (contentHash(previous) === contentHash(record)) return { vessel: this.summary(latestRow), created: false, warnings };
      const { version: _v, format: _f, ...changed } = record;
      const next = nextVersion(previous, changed);
      if (!next.ok) {
        const issues = next.errors.map(vesselIssueView);
        throw new SurveyError('EDGE_SURVEY_VESSEL_VERSION', issues.map((i) => i.text).join('; '), issues);
      }
      record = next.value;
    }
    const ts = this.now();
    this.cache.clear();
    this.db.transaction(() => {
      this.stmt.insert.run(record.particulars.imo, record.version, record.particulars.name, record.validFrom, JSON.stringify(record), sm3Hex(canonicalJson(record)), ts, meta.operator, source);
      this.audit.append({ ts, sessionId: null, operator: meta.operator, action: 'vessel.import', target: `${record.particulars.imo}/v${record.version}`, after: { name: record.particulars.name, version: record.version, validFrom: record.validFrom, source } });
    })();
    return { vessel: this.summary(this.stmt.one.get(record.particulars.imo, record.version) as VesselRow), created: true, warnings };
  }

  list(): VesselSummary[] {
    return (this.stmt.all.all() as VesselRow[]).map((r) => this.summary(r));
  }

  /** The record of a version (default: the latest). */
  get(imo: string, version?: number): { record: VesselRecord; summary: VesselSummary } {
    const v = version ?? (this.stmt.latestVersion.get(imo) as number | null) ?? undefined;
    const key = `${imo}/${v}`;
    const hit = v === undefined ? undefined : this.cache.get(key);
    if (hit) return hit;
    const row = (v === undefined ? undefined : this.stmt.one.get(imo, v)) as VesselRow | undefined;
    if (!row) throw new SurveyError('EDGE_SURVEY_VESSEL_NOT_FOUND', version === undefined ? `IMO ${imo}` : `IMO ${imo} version ${version}`);
    const out = { record: JSON.parse(row.record) as VesselRecord, summary: this.summary(row) };
    this.cache.set(key, out);
    return out;
  }

  private summary(row: VesselRow): VesselSummary {
    const record = JSON.parse(row.record) as VesselRecord;
    const h = record.hydrostatics;
    return {
      imo: row.imo,
      name: row.name,
      version: row.version,
      valid_from: row.valid_from,
      versions: this.stmt.versions.all(row.imo) as number[],
      imported_at: new Date(row.imported_at).toISOString(),
      imported_by: row.imported_by,
      tanks: record.tanks.map((t) => ({ name: t.name, contents: t.contents })),
      hydrostatics_range_m: [h[0]!.draft_m, h[h.length - 1]!.draft_m],
      lbp_m: record.particulars.lbp_m,
    };
  }
}
