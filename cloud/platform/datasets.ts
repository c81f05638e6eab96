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
import { sql, type Kysely } from 'kysely';
import { QuaysideError } from '../../shared/errors.js';
import type { DatasetDefinition, DatasetField, FieldType } from './definitions.js';
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

export function rowKey(def: DatasetDefinition, row: Row): string {
  return JSON.stringify(def.key.map((k) => row[k] ?? null));
}

function rowHash(def: DatasetDefinition, row: Row): string {
  return crypto.createHash('sha256').update(JSON.stringify(def.fields.map((f) => row[f.name] ?? null))).digest('hex');
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

/** Upserts typed rows (already checked against the definition) by key, inside the caller's transaction. */
export async function landRows(db: Kysely<any>, def: DatasetDefinition, rows: readonly Row[], runId: number, now: number): Promise<LandCounts> {
  const table = datasetTable(def.name);
  const counts: LandCounts = { inserted: 0, updated: 0, unchanged: 0 };
  // The last row of a key wins within one load.
  const byKey = new Map<string, Row>();
  for (const r of rows) byKey.set(rowKey(def, r), r);
  const entries = [...byKey.entries()];
  for (let i = 0; i < entries.length; i += CHUNK) {
    const chunk = entries.slice(i, i + CHUNK);
    const existing = new Map<string, string>();
    const found = (await db
      .selectFrom(table)
      .select(['_key', '_hash'])
      .where(
        '_key',
        'in',
        chunk.map(([k]) => k),
      )
      .execute()) as { _key: string; _hash: string }[];
    for (const e of found) existing.set(e._key, e._hash);
    const inserts: Row[] = [];
    for (const [k, r] of chunk) {
      const hash = rowHash(def, r);
      const values: Row = { _key: k, _hash: hash, _run_id: runId, _loaded_at: now };
      for (const f of def.fields) values[f.name] = toColumn(f, r[f.name]);
      const old = existing.get(k);
      if (old === undefined) inserts.push(values);
      else if (old !== hash) {
        await db.updateTable(table).set(values).where('_key', '=', k).execute();
        counts.updated += 1;
      } else counts.unchanged += 1;
    }
    if (inserts.length) {
      await db.insertInto(table).values(inserts).execute();
      counts.inserted += inserts.length;
    }
  }
  return counts;
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

/** Streams every row in pages (by key), for quality checks over large data sets. */
export async function* scanRows(db: Kysely<any>, def: DatasetDefinition, pageSize = 5000): AsyncGenerator<Row[]> {
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

