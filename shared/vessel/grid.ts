/**
 * A sheet of text cells with row numbers — what both a CSV file and an XLSX worksheet become before
 * the vessel importers read them — and the CSV tokenizer (RFC 4180: quoted fields, doubled quotes,
 * CRLF or LF, UTF-8 BOM). Lines that are empty or start with '#' are skipped (comments).
 */
import type { VesselIssue } from './errors.js';

export interface GridRow {
  /** 1-based row number as shown in an editor or spreadsheet. */
  row: number;
  cells: string[];
}

export interface Grid {
  /** File name, or "workbook.xlsx#sheet". */
  source: string;
  headerRow: number;
  header: string[];
  rows: GridRow[];
}

export type GridParse = { ok: true; grid: Grid } | { ok: false; error: VesselIssue };

/** Splits CSV text into records with the line number each starts on. */
export function tokenizeCsv(text: string, source: string): { ok: true; records: GridRow[] } | { ok: false; error: VesselIssue } {
  const records: GridRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i <= text.length) {
    if (i === text.length) break;
    const startLine = line;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let wasQuoted = false;
    for (;;) {
      const ch = text[i];
      if (quoted) {
        if (ch === undefined) return { ok: false, error: { code: 'VESSEL_CSV_SYNTAX', source, row: startLine, message: 'a quoted field is not closed before the end of the file' } };
        if (ch === '"') {
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
        if (cell.trim() !== '' || wasQuoted) {
          return { ok: false, error: { code: 'VESSEL_CSV_SYNTAX', source, row: startLine, column: `field ${cells.length + 1}`, message: 'a quote inside an unquoted field; quote the whole field and double inner quotes' } };
        }
        cell = '';
        quoted = true;
        wasQuoted = true;
        i += 1;
      } else {
        if (wasQuoted && ch.trim() !== '') {
          return { ok: false, error: { code: 'VESSEL_CSV_SYNTAX', source, row: startLine, column: `field ${cells.length + 1}`, message: 'text after a closing quote' } };
        }
        cell += ch;
        i += 1;
      }
    }
    const blank = cells.every((c) => c.trim() === '');
    const comment = (cells[0] ?? '').trimStart().startsWith('#');
    if (!blank && !comment) records.push({ row: startLine, cells });
  }
  return { ok: true, records };
}

/** CSV text → grid whose first non-comment record is the header. */
export function csvToGrid(text: string, source: string): GridParse {
  const tokens = tokenizeCsv(text, source);
  if (!tokens.ok) return tokens;
  const [header, ...rows] = tokens.records;
  if (!header) return { ok: false, error: { code: 'VESSEL_HEADER', source, message: 'the file is empty (no header row)' } };
  return { ok: true, grid: { source, headerRow: header.row, header: header.cells.map((c) => c.trim()), rows } };
}

/** Header cell → normalised column key (trimmed, lower case, spaces as underscores). */
export function columnKey(header: string): string {
  return header.trim().toLowerCase().replace(/\s+/g, '_');
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export type CellNumber = { ok: true; value: number | undefined } | { ok: false; issue: VesselIssue };

/**
 * A cell as a number: empty → undefined; a decimal point only (a comma decimal such as "1,025" is
 * refused rather than guessed).
 */
export function cellNumber(grid: Grid, row: GridRow, index: number, column: string): CellNumber {
  const text = (row.cells[index] ?? '').trim();
  if (text === '') return { ok: true, value: undefined };
  if (!NUMBER.test(text)) {
    const hint = /^[+-]?\d+,\d+$/.test(text) ? ' (use a point as the decimal separator)' : '';
    return { ok: false, issue: { code: 'VESSEL_NOT_A_NUMBER', source: grid.source, row: row.row, column, message: `"${text}" is not a number${hint}` } };
  }
  const value = Number(text);
  return { ok: true, value: Object.is(value, -0) ? 0 : value };
}

/** A required numeric cell, with range check. */
export function requiredNumber(
  grid: Grid,
  row: GridRow,
  index: number,
  column: string,
  errors: VesselIssue[],
  limits?: { min: number; max: number; exclusiveMin?: boolean },
): number | undefined {
  const parsed = cellNumber(grid, row, index, column);
  if (!parsed.ok) {
    errors.push(parsed.issue);
    return undefined;
  }
  if (parsed.value === undefined) {
    errors.push({ code: 'VESSEL_CELL_EMPTY', source: grid.source, row: row.row, column, message: 'the cell is empty' });
    return undefined;
  }
  return checkRange(grid, row, column, parsed.value, errors, limits);
}

export function checkRange(
  grid: Grid,
  row: GridRow,
  column: string,
  value: number,
  errors: VesselIssue[],
  limits?: { min: number; max: number; exclusiveMin?: boolean },
): number | undefined {
  if (limits) {
    const low = limits.exclusiveMin ? value <= limits.min : value < limits.min;
    if (low || value > limits.max) {
      const bracket = limits.exclusiveMin ? `(${limits.min}, ${limits.max}]` : `[${limits.min}, ${limits.max}]`;
      errors.push({ code: 'VESSEL_VALUE_IMPLAUSIBLE', source: grid.source, row: row.row, column, message: `${value} lies outside the plausible range ${bracket}` });
      return undefined;
    }
  }
  return value;
}

/** Index of each header key; repeated keys are reported. */
export function headerIndex(grid: Grid, errors: VesselIssue[]): Map<string, number> {
  const index = new Map<string, number>();
  grid.header.forEach((cell, i) => {
    const key = columnKey(cell);
    if (key === '') return;
    if (index.has(key)) {
      errors.push({ code: 'VESSEL_HEADER', source: grid.source, row: grid.headerRow, column: cell, message: `column "${cell}" appears twice` });
    } else {
      index.set(key, i);
    }
  });
  return index;
}
