/**
 * Exports a statistics result to CSV (UTF-8 with BOM so Excel opens Chinese headers correctly) or
 * XLSX (exceljs), headers in Chinese, growth and shares as percentages.
 */
import ExcelJS from 'exceljs';
import type { Column } from './stats.js';

export interface ResultTable {
  columns: Column[];
  rows: Record<string, unknown>[];
}

const PERCENT_KINDS = new Set<Column['kind']>(['growth', 'share']);

function cell(c: Column, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' && PERCENT_KINDS.has(c.kind)) return Math.round(v * 10000) / 100;
  if (typeof v === 'number' && c.kind === 'contrib') return Math.round(v * 100) / 100;
  return v;
}

function header(c: Column): string {
  return PERCENT_KINDS.has(c.kind) ? `${c.label}(%)` : c.label;
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(t: ResultTable): Buffer {
  const lines = [t.columns.map((c) => csvField(header(c))).join(',')];
  for (const r of t.rows) lines.push(t.columns.map((c) => csvField(cell(c, r[c.name]))).join(','));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}

export async function toXlsx(t: ResultTable, sheetName = '外贸统计'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Quayside';
  wb.created = new Date();
  const ws = wb.addWorksheet(sheetName);
  ws.columns = t.columns.map((c) => ({ header: header(c), key: c.name, width: Math.max(10, Math.min(40, header(c).length * 2 + 2)) }));
  for (const r of t.rows) ws.addRow(Object.fromEntries(t.columns.map((c) => [c.name, cell(c, r[c.name])])));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  t.columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    if (c.kind === 'measure' || c.kind === 'prev') col.numFmt = '#,##0.00';
    else if (PERCENT_KINDS.has(c.kind) || c.kind === 'contrib') col.numFmt = '0.00';
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
