/**
 * The trade analytics schema in DuckDB: code tables (seeded from reference/), the enterprise master,
 * the declaration-item fact table (one row per 报关单 item, header fields denormalised, as customs
 * statistics do), a monthly aggregate cube the statistics queries use when it covers them, and the
 * bookkeeping tables (loaded files, rejects, warnings, rule sets, tags).
 */
import type { DbConn, SqlParam } from './db.js';
import { HS_CHAPTERS, HS_HEADINGS, HS_SECTIONS, UNITS } from './reference/hs.js';
import { COUNTRIES, CREDIT_RATINGS, DISTRICTS, ENT_TYPES, REGIONS, TRADE_MODES, TRANSPORT_MODES } from './reference/codes.js';

export const SCHEMA_VERSION = 1;

/** Columns of a declaration-item CSV/JSON record, in file order. */
export const DECL_COLUMNS = [
  'entry_id', 'g_no', 'ie_flag', 'd_date', 'customs_code', 'i_e_port', 'trade_mode', 'traf_mode',
  'trade_co_customs', 'trade_co_uscc', 'trade_country', 'origin_country', 'dest_country', 'hs_code',
  'qty1', 'unit1', 'value_cny', 'value_usd',
] as const;
export type DeclColumn = (typeof DECL_COLUMNS)[number];

/** Columns of an enterprise master record. */
export const ENTERPRISE_COLUMNS = ['uscc', 'customs_code', 'name', 'ent_type', 'region', 'credit_rating', 'aeo', 'registered'] as const;
export type EnterpriseColumn = (typeof ENTERPRISE_COLUMNS)[number];

/**
 * Pre-aggregated monthly cubes: additive measures only (value_cny, value_usd, qty1, items), so each
 * load appends its own partial sums and queries SUM them. The statistics compiler answers from the
 * smallest cube that has every dimension and filter a query needs, and from the fact table otherwise.
 */
export const CUBES = [
  { table: 'agg_chapter_country', dims: ['ym', 'ie_flag', 'hs_chapter', 'country'] },
  { table: 'agg_mode', dims: ['ym', 'ie_flag', 'trade_mode', 'customs_code', 'ent_type', 'hs_chapter'] },
  { table: 'agg_hs_country', dims: ['ym', 'ie_flag', 'hs_chapter', 'hs_heading', 'country', 'trade_mode'] },
  { table: 'agg_cube', dims: ['ym', 'ie_flag', 'trade_mode', 'hs_chapter', 'hs_heading', 'country', 'customs_code', 'ent_type'] },
  // per enterprise and month: a declaration has one enterprise, month and flow, so its count (items
  // numbered 1) is additive here, and distinct enterprises can be counted from it
  { table: 'agg_enterprise', dims: ['ym', 'ie_flag', 'trade_co_uscc', 'ent_type', 'region'], declarations: true },
] as const satisfies readonly { table: string; dims: readonly string[]; declarations?: boolean }[];
export type CubeDef = (typeof CUBES)[number];

export function cubeHasDeclarations(c: CubeDef): boolean {
  return 'declarations' in c && c.declarations === true;
}

const CUBE_COLUMN_TYPES: Record<string, string> = { ym: 'INTEGER' };

const DDL = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ref_hs_section (code VARCHAR PRIMARY KEY, roman VARCHAR NOT NULL, name VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ref_hs_chapter (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, section VARCHAR NOT NULL, reserved BOOLEAN NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ref_hs_heading (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, unit VARCHAR NOT NULL, chapter VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ref_country (code VARCHAR PRIMARY KEY, alpha2 VARCHAR, numeric VARCHAR, customs3 VARCHAR, name VARCHAR NOT NULL, continent VARCHAR NOT NULL, groups VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ref_trade_mode (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, grp VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ref_district (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ref_transport (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, virtual BOOLEAN NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ref_unit (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ref_ent_type (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, grp VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ref_region (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ref_credit (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS uscc_whitelist (uscc VARCHAR PRIMARY KEY, note VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS enterprise (
     uscc VARCHAR PRIMARY KEY, customs_code VARCHAR NOT NULL, name VARCHAR NOT NULL, ent_type VARCHAR NOT NULL,
     region VARCHAR NOT NULL, credit_rating VARCHAR NOT NULL, aeo BOOLEAN NOT NULL, registered DATE, updated_at VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS decl_item (
     entry_id VARCHAR NOT NULL, g_no SMALLINT NOT NULL, ie_flag VARCHAR NOT NULL, d_date DATE NOT NULL, ym INTEGER NOT NULL,
     customs_code VARCHAR NOT NULL, i_e_port VARCHAR NOT NULL, trade_mode VARCHAR NOT NULL, traf_mode VARCHAR NOT NULL,
     trade_co_customs VARCHAR NOT NULL, trade_co_uscc VARCHAR NOT NULL, ent_type VARCHAR NOT NULL, region VARCHAR NOT NULL,
     trade_country VARCHAR NOT NULL, origin_country VARCHAR NOT NULL, dest_country VARCHAR NOT NULL, hs_code VARCHAR NOT NULL,
     qty1 DOUBLE NOT NULL, unit1 VARCHAR NOT NULL, value_cny DECIMAL(18,2) NOT NULL, value_usd DECIMAL(18,2) NOT NULL, file_id INTEGER NOT NULL,
     -- derived, computed on read (nothing stored, nothing to write at load time)
     country VARCHAR GENERATED ALWAYS AS (CASE WHEN ie_flag = 'I' THEN origin_country ELSE dest_country END) VIRTUAL,
     hs_chapter VARCHAR GENERATED ALWAYS AS (substr(hs_code, 1, 2)) VIRTUAL,
     hs_heading VARCHAR GENERATED ALWAYS AS (substr(hs_code, 1, 4)) VIRTUAL)`,
  ...CUBES.map(
    (c) => `CREATE TABLE IF NOT EXISTS ${c.table} (${c.dims.map((d) => `${d} ${CUBE_COLUMN_TYPES[d] ?? 'VARCHAR'} NOT NULL`).join(', ')},
      value_cny DECIMAL(18,2) NOT NULL, value_usd DECIMAL(18,2) NOT NULL, qty1 DOUBLE NOT NULL, items BIGINT NOT NULL${cubeHasDeclarations(c) ? ', decls BIGINT NOT NULL' : ''})`,
  ),
  `CREATE SEQUENCE IF NOT EXISTS load_file_seq START 1`,
  `CREATE TABLE IF NOT EXISTS load_file (
     id INTEGER PRIMARY KEY, sha256 VARCHAR NOT NULL UNIQUE, name VARCHAR NOT NULL, kind VARCHAR NOT NULL, target VARCHAR NOT NULL,
     rows_total BIGINT NOT NULL, rows_loaded BIGINT NOT NULL, rows_rejected BIGINT NOT NULL, rows_duplicate BIGINT NOT NULL,
     loaded_at VARCHAR NOT NULL, ms INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS reject (
     file_id INTEGER NOT NULL, line_no BIGINT, entry_id VARCHAR, g_no VARCHAR, reason VARCHAR NOT NULL, detail VARCHAR, raw VARCHAR)`,
  `CREATE SEQUENCE IF NOT EXISTS warning_seq START 1`,
  `CREATE TABLE IF NOT EXISTS warning (
     id INTEGER PRIMARY KEY, detector VARCHAR NOT NULL, subject_type VARCHAR NOT NULL, subject_key VARCHAR NOT NULL, subject_name VARCHAR,
     period VARCHAR NOT NULL, severity VARCHAR NOT NULL, score DOUBLE NOT NULL, message VARCHAR NOT NULL, evidence VARCHAR NOT NULL,
     status VARCHAR NOT NULL, handler VARCHAR, handled_at VARCHAR, note VARCHAR, created_at VARCHAR NOT NULL, run_id VARCHAR NOT NULL,
     UNIQUE (detector, subject_key, period))`,
  `CREATE TABLE IF NOT EXISTS risk_ruleset (
     id VARCHAR NOT NULL, version INTEGER NOT NULL, status VARCHAR NOT NULL, body VARCHAR NOT NULL, author VARCHAR NOT NULL,
     created_at VARCHAR NOT NULL, backtest VARCHAR, tested_at VARCHAR, activated_at VARCHAR, activated_by VARCHAR, PRIMARY KEY (id, version))`,
  `CREATE TABLE IF NOT EXISTS risk_decision (
     entry_id VARCHAR NOT NULL, ruleset_id VARCHAR NOT NULL, version INTEGER NOT NULL, lane VARCHAR NOT NULL, score DOUBLE NOT NULL,
     random_draw DOUBLE NOT NULL, explanation VARCHAR NOT NULL, decided_at VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS enterprise_tag (
     uscc VARCHAR NOT NULL, tag VARCHAR NOT NULL, name VARCHAR NOT NULL, category VARCHAR NOT NULL, value VARCHAR,
     rule_version INTEGER NOT NULL, computed_at VARCHAR NOT NULL, PRIMARY KEY (uscc, tag))`,
];

async function seed(c: DbConn, table: string, rows: readonly SqlParam[][]): Promise<void> {
  if (!rows.length) return;
  const width = rows[0]!.length;
  const chunk = 200;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const values = part.map((_, r) => `(${Array.from({ length: width }, (_, k) => `$${r * width + k + 1}`).join(',')})`).join(',');
    await c.exec(`INSERT OR REPLACE INTO ${table} VALUES ${values}`, part.flat());
  }
}

/** Creates the schema if missing and (re)seeds the code tables. Idempotent. */
export async function ensureSchema(c: DbConn): Promise<void> {
  for (const stmt of DDL) await c.exec(stmt);
  await seed(c, 'ref_hs_section', HS_SECTIONS.map((h) => [h.code, h.roman, h.name]));
  await seed(c, 'ref_hs_chapter', HS_CHAPTERS.map((h) => [h.code, h.name, h.section, h.reserved]));
  await seed(c, 'ref_hs_heading', HS_HEADINGS.map((h) => [h.code, h.name, h.unit, h.code.slice(0, 2)]));
  await seed(c, 'ref_country', COUNTRIES.map((x) => [x.code, x.alpha2, x.numeric, x.customs3, x.name, x.continent, x.groups.join(',')]));
  await seed(c, 'ref_trade_mode', TRADE_MODES.map((x) => [x.code, x.name, x.group]));
  await seed(c, 'ref_district', DISTRICTS.map((x) => [x.code, x.name]));
  await seed(c, 'ref_transport', TRANSPORT_MODES.map((x) => [x.code, x.name, x.virtual]));
  await seed(c, 'ref_unit', UNITS.map((x) => [x.code, x.name]));
  await seed(c, 'ref_ent_type', ENT_TYPES.map((x) => [x.code, x.name, x.group]));
  await seed(c, 'ref_region', REGIONS.map((x) => [x.code, x.name]));
  await seed(c, 'ref_credit', CREDIT_RATINGS.map((x) => [x.code, x.name]));
  await c.exec(`INSERT OR REPLACE INTO meta VALUES ('schema_version', $1)`, [String(SCHEMA_VERSION)]);
  // GB 32100 check character, evaluated in SQL (used on the distinct codes of a load only).
  await c.exec(`CREATE OR REPLACE TEMP MACRO uscc_ok(s) AS
    s IS NOT NULL AND regexp_full_match(s, '[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}') AND
    substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
      ((31 - (list_sum(list_transform(range(17), lambda i:
        (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(s, i + 1, 1)) - 1) *
        [1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28][i + 1]))::BIGINT % 31)) % 31 + 1)::BIGINT, 1) = substr(s, 18, 1)`);
}
