/**
 * Streaming reads of inbox files give what reading them whole gives: CsvStream against the shared
 * tokenizer (shared/vessel/grid.ts) on random CSV text cut at random places, readCsvFile and
 * readNdjsonFile against parseFile on real files larger than one read chunk (multi-byte and broken
 * UTF-8 across the chunk boundary), and the slicer's cuts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tokenizeCsv } from '../../../shared/vessel/grid.js';
import { checkCsvFile, CsvStream, parseFile, READ_CHUNK, readCsvFile, readNdjsonFile, type ParsedFile } from '../../../cloud/platform/connectors/files.js';
import { sliced, type PullSlice } from '../../../cloud/platform/connectors/types.js';

/** Small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const PLAIN = ['a', 'bc', ' ', '中', 'é', 'x y', '#', ''];
const INNER = ['a', '""', '\n', '\r\n', '\r', ',', '中', ' '];
const ENDS = ['\n', '\n', '\r\n', '\r'];
/** Token soup: stray quotes, text after closing quotes, unclosed quotes — mostly broken. */
const SOUP = ['a', ' ', ',', ',', '"', '""', '" ', 'q"', '\n', '\r', '\r\n', '#', '中', '"a,b"'];

/** Well-formed CSV (plain and quoted fields, spaces around quotes, blank and comment records) or soup. */
function randomCsv(rand: () => number): string {
  let s = rand() < 0.2 ? '\uFEFF' : '';
  if (rand() < 0.3) {
    const n = Math.floor(rand() * 40);
    for (let i = 0; i < n; i++) s += pick(rand, SOUP);
    return s;
  }
  const records = Math.floor(rand() * 8);
  for (let r = 0; r < records; r++) {
    const cells: string[] = [];
    const width = Math.floor(rand() * 4);
    for (let c = 0; c <= width; c++) {
      if (rand() < 0.3) {
        let inner = '';
        for (let k = Math.floor(rand() * 4); k > 0; k--) inner += pick(rand, INNER);
        cells.push(`${rand() < 0.2 ? ' ' : ''}"${inner}"${rand() < 0.2 ? ' ' : ''}`);
      } else {
        let plain = '';
        for (let k = Math.floor(rand() * 3); k > 0; k--) plain += pick(rand, PLAIN);
        cells.push(plain);
      }
    }
    s += cells.join(',');
    if (r < records - 1 || rand() < 0.5) s += pick(rand, ENDS);
  }
  return s;
}

/** Streams `text` through CsvStream in pieces cut at random places (empty pieces too). */
function streamed(text: string, rand: () => number): { records: { row: number; cells: string[] }[]; error: { row: number; message: string } | null } {
  const records: { row: number; cells: string[] }[] = [];
  const t = new CsvStream((row, cells) => records.push({ row, cells }));
  let at = 0;
  while (at < text.length) {
    const len = Math.floor(rand() * 6);
    t.feed(text.slice(at, at + len), false);
    at += len;
  }
  t.feed('', true);
  return { records, error: t.error };
}

async function whole(stream: AsyncIterable<ParsedFile>): Promise<ParsedFile> {
  const out: ParsedFile = { rows: [], rejects: [] };
  for await (const p of stream) {
    for (const r of p.rows) out.rows.push(r);
    for (const r of p.rejects) out.rejects.push(r);
  }
  return out;
}

describe('streaming file reads', () => {
  it('CsvStream finds the records, lines and first error tokenizeCsv finds, wherever the text is cut', () => {
    const rand = rng(7);
    let errors = 0;
    let records = 0;
    let read = 0;
    for (let n = 0; n < 5000; n++) {
      const text = randomCsv(rand);
      const want = tokenizeCsv(text, 'f.csv');
      const got = streamed(text, rand);
      if (want.ok) {
        assert.equal(got.error, null, JSON.stringify(text));
        assert.deepEqual(got.records, want.records, JSON.stringify(text));
        records += want.records.length;
        read += 1;
      } else {
        errors += 1;
        assert.deepEqual(got.error, { row: want.error.row, message: want.error.message }, JSON.stringify(text));
      }
    }
    // the generator reaches both outcomes often enough for this to mean something
    assert.ok(errors > 500, `${errors} texts with a syntax error`);
    assert.ok(read > 2000 && records > 5000, `${read} texts read, ${records} records`);
  });

  it('reads CSV and NDJSON files larger than a read chunk as parseFile reads them whole', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-csv-stream-'));
    try {
      const rand = rng(11);
      // ~3 MiB: many read chunks; records with quotes, line breaks in quotes, CRLF, blanks,
      // comments, extra fields, Chinese text (3-byte characters cut by chunk boundaries)
      const lines = ['\uFEFFid,名称,note'];
      for (let i = 0; lines.length < 80_000; i++) {
        const k = i % 9;
        if (k === 0) lines.push(`${i},"公司, ""${i}""","two\nlines"`);
        else if (k === 1) lines.push('');
        else if (k === 2) lines.push(`# comment ${i}`);
        else if (k === 3) lines.push(`${i},中文${'中'.repeat(Math.floor(rand() * 40))},x,extra`);
        else lines.push(`${i},上海第${i}进出口有限公司,${'é'.repeat(Math.floor(rand() * 30))}\r`);
      }
      const text = lines.join('\n');
      let bytes = Buffer.from(text, 'utf8');
      // a broken 3-byte sequence straddling the first chunk boundary
      const cut = READ_CHUNK - 1;
      bytes = Buffer.concat([bytes.subarray(0, cut), Buffer.from([0xe4, 0xb8]), bytes.subarray(cut)]);
      assert.ok(bytes.length > 10 * READ_CHUNK);
      const csv = path.join(dir, 'big.csv');
      fs.writeFileSync(csv, bytes);
      assert.equal(await checkCsvFile(csv, 'big.csv'), null);
      const want = await parseFile('big.csv', bytes, 'csv');
      const got = await whole(readCsvFile(csv, 'big.csv'));
      assert.ok(want.rows.length > 20_000 && want.rejects.length > 4000);
      assert.deepEqual(got, want);

      const nd: string[] = [];
      for (let i = 0; i < 30_000; i++) nd.push(i % 11 === 0 ? `{"id":${i},"bad"` : i % 13 === 0 ? '' : i % 17 === 0 ? `[${i}]` : JSON.stringify({ id: i, name: `船舶${'号'.repeat(i % 50)}` }));
      const ndBytes = Buffer.from(nd.join('\r\n'), 'utf8');
      const ndjson = path.join(dir, 'big.ndjson');
      fs.writeFileSync(ndjson, ndBytes);
      const ndWant = await parseFile('big.ndjson', ndBytes, 'ndjson');
      assert.ok(ndWant.rows.length > 20_000 && ndWant.rejects.length > 2000);
      assert.deepEqual(await whole(readNdjsonFile(ndjson, 'big.ndjson')), ndWant);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks a CSV file whole: a syntax error far into it is reported as parseFile reports it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-csv-stream-'));
    try {
      const lines = ['a,b'];
      for (let i = 0; i < 100_000; i++) lines.push(`${i},v${i}`);
      lines.push('1,x"y');
      const bytes = Buffer.from(lines.join('\n'));
      const file = path.join(dir, 'bad.csv');
      fs.writeFileSync(file, bytes);
      const expected = await parseFile('bad.csv', bytes, 'csv').then(
        () => assert.fail('parseFile read a broken file'),
        (e: Error) => e.message,
      );
      assert.equal(await checkCsvFile(file, 'bad.csv'), expected);
      assert.match(expected, /line 100002/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cuts pieces of any size into slices of at most n records, in order', async () => {
    const mk = (from: number, rows: number, rejects: number): PullSlice => ({
      rows: Array.from({ length: rows }, (_, i) => ({ ref: `r${from + i}`, data: {} })),
      rejects: Array.from({ length: rejects }, (_, i) => ({ ref: `x${from + i}`, step: -1, op: 'parse', reason: 'parse_error', field: null, detail: '', raw: {} })),
    });
    async function* pieces() {
      yield mk(0, 3, 0);
      yield mk(3, 0, 0);
      yield mk(3, 25, 2);
      yield mk(28, 1, 1);
    }
    const out: PullSlice[] = [];
    for await (const s of sliced(pieces(), 10)) out.push(s);
    assert.deepEqual(
      out.map((s) => s.rows.length + s.rejects.length),
      [10, 10, 10, 2],
    );
    assert.deepEqual(
      out.flatMap((s) => s.rows.map((r) => r.ref)),
      Array.from({ length: 29 }, (_, i) => `r${i}`),
    );
    assert.deepEqual(
      out.flatMap((s) => s.rejects.map((r) => r.ref)),
      ['x3', 'x4', 'x28'],
    );
  });
});
