/**
 * Code tables the platform's pipelines convert through and its quality rules check membership in.
 * They are views over the trade module's seed tables (cloud/trade/reference/), so one table serves
 * both; each table lists its columns, and a conversion maps a value from one column to another.
 *
 *   country        code (ISO alpha-3) · alpha2 · numeric · customs3 (H2000) · name
 *   trade-mode     code (监管方式, 4 digits) · name
 *   hs-chapter     code (2 digits) · name
 *   hs-heading     code (4 digits) · name · unit
 *   district       code (关区, 4 digits) · name
 *   transport-mode code · name
 *   unit           code (3 digits) · name
 *   ent-type       code · name
 *   region         code (GB/T 2260) · name
 *   credit-rating  code · name
 */
import { COUNTRIES, CREDIT_RATINGS, DISTRICTS, ENT_TYPES, REGIONS, TRADE_MODES, TRANSPORT_MODES } from '../trade/reference/codes.js';
import { HS_CHAPTERS, HS_HEADINGS, UNITS } from '../trade/reference/hs.js';

export interface CodeTable {
  name: string;
  columns: readonly string[];
  rows: readonly Readonly<Record<string, string | null>>[];
}

function table(name: string, rows: readonly object[], columns: readonly string[]): CodeTable {
  return {
    name,
    columns,
    rows: (rows as readonly Record<string, unknown>[]).map((r) => Object.fromEntries(columns.map((c) => [c, r[c] === null || r[c] === undefined ? null : String(r[c])]))),
  };
}

const TABLES: ReadonlyMap<string, CodeTable> = new Map(
  [
    table('country', COUNTRIES, ['code', 'alpha2', 'numeric', 'customs3', 'name']),
    table('trade-mode', TRADE_MODES, ['code', 'name']),
    table('hs-chapter', HS_CHAPTERS, ['code', 'name']),
    table('hs-heading', HS_HEADINGS, ['code', 'name', 'unit']),
    table('district', DISTRICTS, ['code', 'name']),
    table('transport-mode', TRANSPORT_MODES, ['code', 'name']),
    table('unit', UNITS, ['code', 'name']),
    table('ent-type', ENT_TYPES, ['code', 'name']),
    table('region', REGIONS, ['code', 'name']),
    table('credit-rating', CREDIT_RATINGS, ['code', 'name']),
  ].map((t) => [t.name, t]),
);

export const CODE_TABLE_NAMES: readonly string[] = [...TABLES.keys()];

export function codeTable(name: string): CodeTable | undefined {
  return TABLES.get(name);
}

/** A lookup from one column's values to another's (values compared upper-cased and trimmed, except names). */
export function codeLookup(tableName: string, from: string, to: string): ((value: string) => string | undefined) | undefined {
  const t = TABLES.get(tableName);
  if (!t || !t.columns.includes(from) || !t.columns.includes(to)) return undefined;
  const norm = (s: string) => (from === 'name' ? s.trim() : s.trim().toUpperCase());
  const map = new Map<string, string>();
  for (const r of t.rows) {
    const k = r[from];
    const v = r[to];
    if (k !== null && k !== undefined && v !== null && v !== undefined && !map.has(norm(k))) map.set(norm(k), v);
  }
  return (value) => map.get(norm(value));
}

/** Membership test on a table's `code` column. */
export function codeSet(tableName: string, column = 'code'): ReadonlySet<string> | undefined {
  const t = TABLES.get(tableName);
  if (!t || !t.columns.includes(column)) return undefined;
  return new Set(t.rows.map((r) => r[column]).filter((v): v is string => v !== null && v !== undefined));
}
