/**
 * Files as rows, for the file-inbox and SFTP connectors: CSV (RFC 4180 through the shared tokenizer,
 * first record = header), XLSX (exceljs, first or named worksheet, row 1 = header), JSON (an array of
 * objects, or an object with one array of objects) and NDJSON (one object per line). Every record is
 * text or a JSON value; typing is the pipeline's job. A record that cannot be read becomes a reject
 * with reason parse_error and the file stays usable.
 */
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
  const rows: SourceRow[] = [];
  const rejects: Reject[] = [];
  const cols = header.map((h) => h.trim());
  for (const r of records) {
    const ref = `${name}:${r.row}`;
    const data: Record<string, unknown> = {};
    cols.forEach((c, i) => (data[c] = r.cells[i] ?? ''));
    if (r.cells.length > cols.length && r.cells.slice(cols.length).some((c) => c.trim() !== '')) {
      rejects.push(parseError(ref, `${r.cells.length} fields where the header has ${cols.length}`, { _cells: r.cells }));
      continue;
    }
    rows.push({ ref, data });
  }
  return { rows, rejects };
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
      const rows: SourceRow[] = [];
      const rejects: Reject[] = [];
      bytes
        .toString('utf8')
        .split('\n')
        .forEach((line, i) => {
          if (!line.trim()) return;
          const ref = `${name}:${i + 1}`;
          try {
            const o = JSON.parse(line) as unknown;
            if (o && typeof o === 'object' && !Array.isArray(o)) rows.push({ ref, data: o as Record<string, unknown> });
            else rejects.push(parseError(ref, 'not a JSON object', { _line: line }));
          } catch (e) {
            rejects.push(parseError(ref, (e as Error).message, { _line: line }));
          }
        });
      return { rows, rejects };
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
