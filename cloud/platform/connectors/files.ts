/**
 * Files as rows, for the file-inbox and SFTP connectors: CSV (RFC 4180 through the shared tokenizer,
 * first record = header), XLSX (exceljs, first or named worksheet, row 1 = header), JSON (an array of
 * objects, or an object with one array of objects) and NDJSON (one object per line). Every record is
 * text or a JSON value; typing is the pipeline's job. A record that cannot be read becomes a reject
 * with reason parse_error and the file stays usable.
 *
 * parseFile reads a file held in memory. CSV and NDJSON files on disk can also be read as a stream
 * (readCsvFile, readNdjsonFile: pieces of rows as the file is read), with the same rows, refs and
 * rejects; a CSV file is first checked whole (checkCsvFile) so that one that cannot be read fails
 * before any of its rows are used, as it does read whole.
 */
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { tokenizeCsv } from '../../../shared/vessel/grid.js';
import type { FileFormat } from '../definitions.js';
import type { Reject, SourceRow } from '../pipeline.js';

export interface ParsedFile {
  rows: SourceRow[];
  rejects: Reject[];
}

export function formatOf(name: string, declared: FileFormat | undefined): FileFormat | undefined {
  if (declared) return declared;
  const ext = path.extname(name).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.xlsx' ? 'xlsx' : ext === '.json' ? 'json' : ext === '.ndjson' || ext === '.jsonl' ? 'ndjson' : undefined;
}

/** "*.csv", "decl_*.xlsx": `*` and `?` only. */
export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name);
}

function parseError(ref: string, detail: string, raw: Record<string, unknown>): Reject {
  return { ref, step: -1, op: 'parse', reason: 'parse_error', field: null, detail, raw };
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((p) => p.text).join('');
    if ('result' in v) return cellText((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in v) return String((v as ExcelJS.CellHyperlinkValue).text ?? '');
    if ('error' in v) return '';
  }
  return String(v);
}

function fromGrid(name: string, header: string[], records: { row: number; cells: string[] }[]): ParsedFile {
  const out: ParsedFile = { rows: [], rejects: [] };
  const cols = header.map((h) => h.trim());
  for (const r of records) addGridRecord(out, name, cols, r.row, r.cells);
  return out;
}

/** One record under the header (trimmed names): a row, or a parse_error when it has more non-empty fields. */
function addGridRecord(out: ParsedFile, name: string, cols: readonly string[], row: number, cells: readonly string[]): void {
  const ref = `${name}:${row}`;
  if (cells.length > cols.length && cells.slice(cols.length).some((c) => c.trim() !== '')) {
    out.rejects.push(parseError(ref, `${cells.length} fields where the header has ${cols.length}`, { _cells: cells }));
    return;
  }
  const data: Record<string, unknown> = {};
  for (let i = 0; i < cols.length; i++) data[cols[i]!] = cells[i] ?? '';
  out.rows.push({ ref, data });
}

/** One NDJSON line (1-based number n): an object is a row; anything else, or bad JSON, a parse_error. */
function addNdjsonLine(out: ParsedFile, name: string, line: string, n: number): void {
  if (!line.trim()) return;
  const ref = `${name}:${n}`;
  try {
    const o = JSON.parse(line) as unknown;
    if (o && typeof o === 'object' && !Array.isArray(o)) out.rows.push({ ref, data: o as Record<string, unknown> });
    else out.rejects.push(parseError(ref, 'not a JSON object', { _line: line }));
  } catch (e) {
    out.rejects.push(parseError(ref, (e as Error).message, { _line: line }));
  }
}

export async function parseFile(name: string, bytes: Buffer, format: FileFormat, opts: { sheet?: string | undefined } = {}): Promise<ParsedFile> {
  switch (format) {
    case 'csv': {
      const t = tokenizeCsv(bytes.toString('utf8'), name);
      if (!t.ok) throw new Error(`${name}: ${t.error.message} (line ${t.error.row ?? '?'})`);
      const [header, ...records] = t.records;
      if (!header) return { rows: [], rejects: [] };
      return fromGrid(name, header.cells, records);
    }
    case 'xlsx': {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(bytes as unknown as ExcelJS.Buffer);
      const sheet = opts.sheet !== undefined ? wb.getWorksheet(opts.sheet) : wb.worksheets[0];
      if (!sheet) {
        if (opts.sheet !== undefined) throw new Error(`${name}: no worksheet "${opts.sheet}"`);
        return { rows: [], rejects: [] };
      }
      return parseSheet(name, sheet);
    }
    case 'json': {
      const v = JSON.parse(bytes.toString('utf8')) as unknown;
      const arr = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v).find((x) => Array.isArray(x)) : undefined;
      if (!Array.isArray(arr)) throw new Error(`${name}: a JSON file holds an array of records, or an object with one`);
      return objects(name, arr, (i) => `${name}#${i + 1}`);
    }
    case 'ndjson': {
      const out: ParsedFile = { rows: [], rejects: [] };
      bytes
        .toString('utf8')
        .split('\n')
        .forEach((line, i) => addNdjsonLine(out, name, line, i + 1));
      return out;
    }
  }
}

export function parseSheet(name: string, sheet: ExcelJS.Worksheet): ParsedFile {
  const records: { row: number; cells: string[] }[] = [];
  const width = sheet.columnCount;
  sheet.eachRow({ includeEmpty: false }, (row, n) => {
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value).trim());
    while (cells.length && cells[cells.length - 1] === '') cells.pop();
    if (cells.length) records.push({ row: n, cells });
  });
  const [header, ...rest] = records;
  if (!header) return { rows: [], rejects: [] };
  return fromGrid(`${name}#${sheet.name}`, header.cells, rest);
}

export function objects(name: string, arr: readonly unknown[], ref: (i: number) => string): ParsedFile {
  const rows: SourceRow[] = [];
  const rejects: Reject[] = [];
  arr.forEach((o, i) => {
    if (o && typeof o === 'object' && !Array.isArray(o)) rows.push({ ref: ref(i), data: o as Record<string, unknown> });
    else rejects.push(parseError(ref(i), `${name}: not a JSON object`, { _value: o as unknown }));
  });
  return { rows, rejects };
}

/** Rows → CSV text (RFC 4180), header from `columns`. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}

// ── streaming reads (file-inbox) ────────────────────────────────────────────

/** Bytes read at a time: a few thousand records, short-lived, so they rarely outlive the young generation. */
export const READ_CHUNK = 256 * 1024;

/** A file's text in chunks of READ_CHUNK bytes; the decoder keeps a character split between chunks whole. */
async function* textChunks(file: string): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: READ_CHUNK })) {
    const text = decoder.write(chunk as Buffer);
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/**
 * The incremental twin of tokenizeCsv (shared/vessel/grid.ts): fed the text piece by piece, it finds
 * the same records with the same line numbers, skips the same blank and comment records and stops at
 * the same first syntax error. A record without a quote (most of them) is split at its commas; one
 * with a quote goes through the same character loop as tokenizeCsv. A record that runs past the text
 * fed so far waits for the next piece (it is read again from its start).
 */
export class CsvStream {
  private buf = '';
  private pos = 0;
  private line = 1;
  private started = false;
  // Next "\n", "\r" and '"' at or after pos: -1 none in buf, -2 not looked up yet.
  private nl = -2;
  private cr = -2;
  private q = -2;
  /** The first syntax error; nothing is read after it. */
  error: { row: number; message: string } | null = null;

  /** emit: each record (not blank, not a comment) with the line it starts on; null only checks. */
  constructor(private readonly emit: ((row: number, cells: string[]) => void) | null) {}

  /** Feeds the next text; `final` with the last (or after it, with ''), which ends the last record. */
  feed(text: string, final: boolean): void {
    if (this.error) return;
    this.buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + text : text;
    this.pos = 0;
    this.nl = this.cr = this.q = -2;
    if (!this.started && this.buf.length) {
      this.started = true;
      if (this.buf.charCodeAt(0) === 0xfeff) this.pos = 1; // a BOM, only at the very start
    }
    while (this.pos < this.buf.length && this.next(final));
  }

  /** Reads one record from pos; false when it needs more text (or failed). */
  private next(final: boolean): boolean {
    const buf = this.buf;
    const pos = this.pos;
    if (this.nl !== -1 && this.nl < pos) this.nl = buf.indexOf('\n', pos);
    if (this.cr !== -1 && this.cr < pos) this.cr = buf.indexOf('\r', pos);
    if (this.q !== -1 && this.q < pos) this.q = buf.indexOf('"', pos);
    let end = this.nl === -1 ? this.cr : this.cr === -1 ? this.nl : Math.min(this.nl, this.cr);
    if (this.q !== -1 && (end === -1 || this.q < end)) return this.quoted(final);
    if (end === -1) {
      if (!final) return false;
      end = buf.length;
    }
    const cr = end < buf.length && buf.charCodeAt(end) === 13;
    // a "\r" at the end of the text so far may be the first half of "\r\n"
    if (cr && end + 1 === buf.length && !final) return false;
    const startLine = this.line;
    this.line += 1;
    this.pos = cr && buf.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
    if (this.emit) this.record(startLine, buf.slice(pos, end).split(','));
    return true;
  }

  /** A record with a quote: tokenizeCsv's own loop, over the text fed so far. */
  private quoted(final: boolean): boolean {
    const text = this.buf;
    let i = this.pos;
    let line = this.line;
    const startLine = line;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let wasQuoted = false;
    for (;;) {
      const ch = text[i];
      if (ch === undefined && !final) return false;
      if (quoted) {
        if (ch === undefined) return this.fail(startLine, 'a quoted field is not closed before the end of the file');
        if (ch === '"') {
          if (i + 1 === text.length && !final) return false; // "" may be split between pieces
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
          } else {
            quoted = false;
            i += 1;
          }
        } else {
          if (ch === '\n') line += 1;
          cell += ch;
          i += 1;
        }
        continue;
      }
      if (ch === undefined || ch === '\n' || ch === '\r') {
        if (ch === '\r' && i + 1 === text.length && !final) return false;
        cells.push(cell);
        if (ch === '\r' && text[i + 1] === '\n') i += 2;
        else i += 1;
        line += 1;
        break;
      }
      if (ch === ',') {
        cells.push(cell);
        cell = '';
        wasQuoted = false;
        i += 1;
      } else if (ch === '"') {
        if (cell.trim() !== '' || wasQuoted) return this.fail(startLine, 'a quote inside an unquoted field; quote the whole field and double inner quotes');
        cell = '';
        quoted = true;
        wasQuoted = true;
        i += 1;
      } else {
        if (wasQuoted && ch.trim() !== '') return this.fail(startLine, 'text after a closing quote');
        cell += ch;
        i += 1;
      }
    }
    this.line = line;
    this.pos = i;
    if (this.emit) this.record(startLine, cells);
    return true;
  }

  private record(row: number, cells: string[]): void {
    const blank = cells.every((c) => c.trim() === '');
    const comment = (cells[0] ?? '').trimStart().startsWith('#');
    if (!blank && !comment) this.emit!(row, cells);
  }

  private fail(row: number, message: string): false {
    this.error = { row, message };
    return false;
  }
}

function csvError(name: string, e: { row: number; message: string }): string {
  return `${name}: ${e.message} (line ${e.row})`;
}

/** Reads a CSV file through once without keeping it: its first syntax error (as parseFile words it), or null. */
export async function checkCsvFile(file: string, name: string): Promise<string | null> {
  const t = new CsvStream(null);
  for await (const text of textChunks(file)) {
    t.feed(text, false);
    if (t.error) return csvError(name, t.error);
  }
  t.feed('', true);
  return t.error ? csvError(name, t.error) : null;
}

/**
 * A CSV file's rows and rejects as it is read, a piece per chunk of text: the same as parseFile
 * gives for the whole file. Check the file first (checkCsvFile): a syntax error found here (the file
 * changed in between) throws, after the pieces before it were handed out.
 */
export async function* readCsvFile(file: string, name: string): AsyncGenerator<ParsedFile> {
  let cols: string[] | null = null;
  let out: ParsedFile = { rows: [], rejects: [] };
  const t = new CsvStream((row, cells) => {
    if (cols === null) cols = cells.map((h) => h.trim());
    else addGridRecord(out, name, cols, row, cells);
  });
  const take = () => {
    const piece = out;
    out = { rows: [], rejects: [] };
    return piece;
  };
  for await (const text of textChunks(file)) {
    t.feed(text, false);
    if (t.error) throw new Error(`${csvError(name, t.error)}; the file changed while it was read`);
    if (out.rows.length || out.rejects.length) yield take();
  }
  t.feed('', true);
  if (t.error) throw new Error(`${csvError(name, t.error)}; the file changed while it was read`);
  if (out.rows.length || out.rejects.length) yield take();
}

/** An NDJSON file's rows and rejects as it is read (same refs and rejects as parseFile). */
export async function* readNdjsonFile(file: string, name: string): AsyncGenerator<ParsedFile> {
  let rest = '';
  let n = 0;
  for await (const text of textChunks(file)) {
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    const out: ParsedFile = { rows: [], rejects: [] };
    for (const line of lines) addNdjsonLine(out, name, line, ++n);
    if (out.rows.length || out.rejects.length) yield out;
  }
  const out: ParsedFile = { rows: [], rejects: [] };
  addNdjsonLine(out, name, rest, ++n);
  if (out.rows.length || out.rejects.length) yield out;
}
