/**
 * Landed data sets: one table `ds_<name>` per data set definition in the cloud SQL store, with the
 * declared fields as columns plus
 *
 *   _key        JSON array of the key fields' values (primary key): loads upsert by it
 *   _hash       SHA-256 of the row's values: an identical row is left alone, so a rerun changes nothing
 *   _run_id     the load run that last wrote the row
 *   _loaded_at  when (epoch ms)
 *
 * Column types are the same on both dialects' terms: text, bigint (integer, timestamp in ms),
 * double precision (number), integer 0/1 (boolean).
 */
import crypto from 'node:crypto';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { QuaysideError } from '../../shared/errors.js';
import type { DatasetDefinition, DatasetField, FieldType } from './definitions.js';
import { CompactStringMap } from './compact-map.js';
import { coerce, type Row } from './pipeline.js';

const CHUNK = 200;

export function datasetTable(name: string): string {
  return `ds_${name}`;
}

function columnType(t: FieldType): 'text' | 'bigint' | 'double precision' | 'integer' {
  switch (t) {
    case 'text':
      return 'text';
    case 'integer':
    case 'timestamp':
      return 'bigint';
    case 'number':
      return 'double precision';
    case 'boolean':
      return 'integer';
  }
}

export async function tableColumns(db: Kysely<any>, table: string): Promise<string[] | null> {
  const tables = await db.introspection.getTables();
  const t = tables.find((x) => x.name === table);
  return t ? t.columns.map((c) => c.name) : null;
}

/** Creates the table, or adds the columns a new version of the definition declares. Never drops. */
export async function ensureDatasetTable(db: Kysely<any>, def: DatasetDefinition): Promise<void> {
  const table = datasetTable(def.name);
  const existing = await tableColumns(db, table);
  if (existing === null) {
    let b = db.schema
      .createTable(table)
      .ifNotExists()
      .addColumn('_key', 'text', (c) => c.primaryKey())
      .addColumn('_hash', 'text', (c) => c.notNull())
      .addColumn('_run_id', 'bigint')
      .addColumn('_loaded_at', 'bigint', (c) => c.notNull());
    for (const f of def.fields) b = b.addColumn(f.name, columnType(f.type));
    await b.execute();
    return;
  }
  for (const f of def.fields) {
    if (!existing.includes(f.name)) await db.schema.alterTable(table).addColumn(f.name, columnType(f.type)).execute();
  }
}

/** One-shot SHA-256 where Node has it (20.12+), the same digest as a Hash object's. */
const sha256Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function' ? (text) => (crypto as unknown as { hash(alg: string, data: string, enc: 'hex'): string }).hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');

export function rowKey(def: DatasetDefinition, row: Row): string {
  return JSON.stringify(def.key.map((k) => row[k] ?? null));
}

function rowHash(def: DatasetDefinition, row: Row): string {
  return sha256Hex(JSON.stringify(def.fields.map((f) => row[f.name] ?? null)));
}

function toColumn(f: DatasetField, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (f.type === 'boolean') return v ? 1 : 0;
  return v;
}

function fromColumn(f: DatasetField, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (f.type === 'boolean') return Number(v) !== 0;
  if (f.type === 'integer' || f.type === 'timestamp' || f.type === 'number') return Number(v);
  return v;
}

export interface LandCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** Most bound parameters one statement carries (SQLite allows 32766, PostgreSQL 65535). */
const MAX_PARAMS = 30_000;
/** Most rows one multi-row statement carries. */
const MAX_CHUNK_ROWS = 1_000;

const placeholderStyle = new WeakMap<object, 'dollar' | 'question'>();

/** `$1, $2 …` (PostgreSQL) or `?` (SQLite): asked of the dialect's own compiler once per executor. */
function placeholders(db: Kysely<any>): 'dollar' | 'question' {
  const key = db.getExecutor().adapter;
  let style = placeholderStyle.get(key);
  if (!style) {
    style = sql`select ${1}`.compile(db).sql.includes('$1') ? 'dollar' : 'question';
    placeholderStyle.set(key, style);
  }
  return style;
}

function quoteId(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `(?, ?, ?), (?, ?, ?)` or `($1, $2, $3), ($4, $5, $6)` for rows × cols, numbering from `from`. */
function valueTuples(style: 'dollar' | 'question', rows: number, cols: number, from = 1): string {
  const out: string[] = new Array(rows);
  let n = from;
  for (let r = 0; r < rows; r++) {
    const p: string[] = new Array(cols);
    for (let c = 0; c < cols; c++) p[c] = style === 'dollar' ? `$${n++}` : '?';
    out[r] = `(${p.join(', ')})`;
  }
  return out.join(', ');
}

async function execRaw(db: Kysely<any>, text: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const r = await db.executeQuery(CompiledQuery.raw(text, params));
  return r.rows as Record<string, unknown>[];
}

/**
 * Upserts typed rows (already checked against the definition) by key, inside the caller's
 * transaction: one load (see startLanding, which this is for a single batch).
 */
export async function landRows(db: Kysely<any>, def: DatasetDefinition, rows: readonly Row[], runId: number, now: number): Promise<LandCounts> {
  const landing = startLanding(db, def, runId, now);
  await landing.land(rows);
  return landing.counts;
}

/** A load landed batch by batch; counts are the whole load's so far. */
export interface Landing {
  land(rows: readonly Row[]): Promise<void>;
  readonly counts: LandCounts;
}

/**
 * What a key's row held before this load, as far as a later batch needs to know (kept as text in a
 * CompactStringMap): NONE, no row; SAME, the row the store holds now (the load left it as it was,
 * or wrote it back); else its hash.
 */
const NONE = '';
const SAME = '=';

/**
 * One load, landed in batches inside the caller's transaction, counting as if it were landed at once:
 * each key counts once, as inserted (no row before the load), unchanged (its last row this load is
 * the one stored before) or updated, and the last row of a key wins.
 *
 * The bulk path: rows go in chunks of up to MAX_CHUNK_ROWS, each chunk one
 * `SELECT _key, _hash … WHERE _key IN (…)` (to count; skipped while the table was empty when the load
 * began) and one multi-row `INSERT … ON CONFLICT (_key) DO UPDATE … WHERE _hash differs` carrying
 * only the new and changed rows, so an identical rerun writes nothing.
 *
 * To count a key met again in a later batch the load remembers, for every key it landed, what the
 * store held before (NONE, SAME or a hash, outside the heap): memory grows with the distinct keys of
 * the load, not with its rows.
 * A key whose row changed in one batch and came back to its stored value in a later one counts as
 * unchanged, though the row then carries this load's run id.
 */
export function startLanding(db: Kysely<any>, def: DatasetDefinition, runId: number, now: number): Landing {
  const table = datasetTable(def.name);
  const counts: LandCounts = { inserted: 0, updated: 0, unchanged: 0 };
  const before = new CompactStringMap();
  let wasEmpty: boolean | null = null;
  const style = placeholders(db);
  const t = quoteId(table);
  const columns = ['_key', '_hash', '_run_id', '_loaded_at', ...def.fields.map((f) => f.name)];
  const cols = columns.length;
  const colList = columns.map(quoteId).join(', ');
  const update = columns
    .slice(1)
    .map((c) => `${quoteId(c)} = excluded.${quoteId(c)}`)
    .join(', ');
  const chunkRows = Math.max(1, Math.min(MAX_CHUNK_ROWS, Math.floor(MAX_PARAMS / cols)));
  const upsertSql = (n: number) => `INSERT INTO ${t} (${colList}) VALUES ${valueTuples(style, n, cols)} ON CONFLICT ("_key") DO UPDATE SET ${update} WHERE ${t}."_hash" <> excluded."_hash"`;
  const fullUpsert = upsertSql(chunkRows);
  const lookupSql = (n: number) => `SELECT "_key", "_hash" FROM ${t} WHERE "_key" IN (${valueTuples(style, 1, n).slice(1, -1)})`;
  const fullLookup = lookupSql(chunkRows);
  const category = (old: string | undefined, hash: string): keyof LandCounts => (old === undefined ? 'inserted' : old === hash ? 'unchanged' : 'updated');

  async function land(rows: readonly Row[]): Promise<void> {
    // The last row of a key wins within one batch.
    const byKey = new Map<string, Row>();
    for (const r of rows) byKey.set(rowKey(def, r), r);
    if (byKey.size === 0) return;
    wasEmpty ??= (await execRaw(db, `SELECT 1 AS x FROM ${t} LIMIT 1`, [])).length === 0;
    const entries = [...byKey.entries()];
    byKey.clear();
    for (let i = 0; i < entries.length; i += chunkRows) {
      const chunk = entries.slice(i, i + chunkRows);
      // What the store holds now: needed unless every row of the table is this load's own (then the
      // keys met before are known to be inserts, and the upsert skips an identical row by itself).
      const stored = new Map<string, string>();
      if (!wasEmpty) {
        const keys = chunk.map(([k]) => k);
        for (const e of await execRaw(db, keys.length === chunkRows ? fullLookup : lookupSql(keys.length), keys)) stored.set(String(e['_key']), String(e['_hash']));
      }
      const params: unknown[] = [];
      let n = 0;
      for (const [k, r] of chunk) {
        const hash = rowHash(def, r);
        const current = stored.get(k);
        const seen = before.get(k);
        let write: boolean;
        if (seen === undefined) {
          // first time this load: count against the stored row
          const c = category(current, hash);
          counts[c] += 1;
          before.set(k, c === 'inserted' ? NONE : c === 'unchanged' ? SAME : current!);
          write = c !== 'unchanged';
        } else if (seen === NONE) {
          // inserted by an earlier batch: still one insert, whatever its last row
          write = current !== hash;
        } else {
          // met again: move the key from the category its earlier row gave to the one this row gives
          const old = seen === SAME ? current! : seen;
          counts[category(old, current!)] -= 1;
          counts[category(old, hash)] += 1;
          if (hash === old) before.set(k, SAME);
          write = current !== hash;
        }
        if (!write) continue;
        params.push(k, hash, runId, now);
        for (const f of def.fields) params.push(toColumn(f, r[f.name]));
        n += 1;
      }
      if (n > 0) await execRaw(db, n === chunkRows ? fullUpsert : upsertSql(n), params);
    }
  }
  return { land, counts };
}

export interface DatasetPage {
  rows: Row[];
  total: number;
}

/** Reads a data set's rows (typed), ordered by key; optional equality filters on fields. */
export async function readRows(db: Kysely<any>, def: DatasetDefinition, opts: { limit: number; offset: number; where?: Record<string, string> } = { limit: 100, offset: 0 }): Promise<DatasetPage> {
  const table = datasetTable(def.name);
  let q = db.selectFrom(table);
  for (const [k, v] of Object.entries(opts.where ?? {})) {
    const f = def.fields.find((x) => x.name === k);
    if (!f) throw new QuaysideError('CLOUD_BAD_REQUEST', `data set ${def.name} has no field ${k}`);
    const c = coerce(v, f.type);
    if (!c.ok || c.value === null) throw new QuaysideError('CLOUD_BAD_REQUEST', `filter ${k}: ${c.ok ? 'empty' : c.detail}`);
    q = q.where(k, '=', toColumn(f, c.value));
  }
  const totalRow = (await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst()) as { n: number | string } | undefined;
  const rows = (await q
    .selectAll()
    .orderBy('_key')
    .limit(opts.limit)
    .offset(opts.offset)
    .execute()) as Row[];
  return { rows: rows.map((r) => typed(def, r)), total: Number(totalRow?.n ?? 0) };
}

export function typed(def: DatasetDefinition, r: Row): Row {
  const out: Row = {};
  for (const f of def.fields) out[f.name] = fromColumn(f, r[f.name]);
  out['_loaded_at'] = r['_loaded_at'] === null || r['_loaded_at'] === undefined ? null : Number(r['_loaded_at']);
  return out;
}

/**
 * Marks what scanRows returns: the store and data set the pages come from, so a consumer that can
 * push its work into SQL (quality.ts) may do so instead of reading the pages.
 */
export const STORE_SCAN: unique symbol = Symbol('quayside.platform.storeScan');
export interface StoreScan {
  db: Kysely<any>;
  def: DatasetDefinition;
}

/** Streams every row in pages (by key), for quality checks over large data sets. */
export function scanRows(db: Kysely<any>, def: DatasetDefinition, pageSize = 5000): AsyncGenerator<Row[]> & { [STORE_SCAN]: StoreScan } {
  return Object.assign(scanPages(db, def, pageSize), { [STORE_SCAN]: { db, def } });
}

async function* scanPages(db: Kysely<any>, def: DatasetDefinition, pageSize: number): AsyncGenerator<Row[]> {
  const table = datasetTable(def.name);
  let after: string | null = null;
  for (;;) {
    let q = db.selectFrom(table).selectAll();
    if (after !== null) q = q.where('_key', '>', after);
    const page = (await q.orderBy('_key').limit(pageSize).execute()) as Row[];
    if (!page.length) return;
    after = String(page[page.length - 1]!['_key']);
    yield page.map((r) => typed(def, r));
    if (page.length < pageSize) return;
  }
}

/** Whether the store is SQLite (its placeholders are `?`), else PostgreSQL. */
export function isSqlite(db: Kysely<any>): boolean {
  return placeholders(db) === 'question';
}

/**
 * Reads chosen columns of every row in pages, without typing them (`_key` always comes along): for
 * consumers that only need a few fields of a large data set. `order: 'key'` pages by `_key`;
 * `order: 'storage'` pages by SQLite's rowid (the table's own order: a sequential read) and falls
 * back to key order on PostgreSQL.
 */
export async function* scanColumns(db: Kysely<any>, def: DatasetDefinition, columns: readonly string[], opts: { pageSize?: number; order?: 'key' | 'storage' } = {}): AsyncGenerator<Row[]> {
  const table = datasetTable(def.name);
  const pageSize = opts.pageSize ?? 20_000;
  const cols = [...new Set(['_key', ...columns])];
  if (opts.order === 'storage' && isSqlite(db)) {
    let after = -Infinity;
    for (;;) {
      const page = (await db
        .selectFrom(table)
        .select([sql<number>`rowid`.as('_rid'), ...cols])
        .where(sql`rowid`, '>', after === -Infinity ? sql`-9223372036854775808` : sql`CAST(${after} AS INTEGER)`)
        .orderBy(sql`rowid`)
        .limit(pageSize)
        .execute()) as Row[];
      if (!page.length) return;
      after = Number(page[page.length - 1]!['_rid']);
      yield page;
      if (page.length < pageSize) return;
    }
  }
  let after: string | null = null;
  for (;;) {
    let q = db.selectFrom(table).select(cols);
    if (after !== null) q = q.where('_key', '>', after);
    const page = (await q.orderBy('_key').limit(pageSize).execute()) as Row[];
    if (!page.length) return;
    after = String(page[page.length - 1]!['_key']);
    yield page;
    if (page.length < pageSize) return;
  }
}

/** A stored column value as the field's type (booleans from 0/1, numbers from bigint text). */
export function fromStored(f: DatasetField, v: unknown): unknown {
  return fromColumn(f, v);
}

/** The key fields' values of a stored row, from its `_key`. */
export function keyValues(def: DatasetDefinition, key: unknown): Record<string, unknown> {
  const parsed = JSON.parse(String(key)) as unknown[];
  return Object.fromEntries(def.key.map((k, i) => [k, parsed[i] ?? null]));
}

/** Master records by a field's values (for enrich). Values compared as text. */
export async function lookupRows(db: Kysely<any>, def: DatasetDefinition, field: string, values: readonly string[]): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  const f = def.fields.find((x) => x.name === field);
  if (!f) throw new Error(`data set ${def.name} has no field ${field}`);
  for (let i = 0; i < values.length; i += CHUNK) {
    const chunk = values.slice(i, i + CHUNK);
    const rows = (await db
      .selectFrom(datasetTable(def.name))
      .selectAll()
      .where(field, 'in', f.type === 'text' ? chunk : chunk.map(Number))
      .execute()) as Row[];
    for (const r of rows) out.set(String(r[field]), typed(def, r));
  }
  return out;
}

/** Row count, or null when the table cannot be read. */
export async function countRows(db: Kysely<any>, def: DatasetDefinition): Promise<number | null> {
  try {
    const r = (await db
      .selectFrom(datasetTable(def.name))
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirst()) as { n: number | string } | undefined;
    return Number(r?.n ?? 0);
  } catch {
    return null;
  }
}

