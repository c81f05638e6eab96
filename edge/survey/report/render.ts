/**
 * The draft-survey report as a PDF, in Chinese with English secondary labels: header, for each
 * survey the six readings, the density and its conversion, every line of the displacement
 * calculation (排水量计算单 / UN/ECE Form C), the deductibles tank by tank, net displacement and
 * warnings; the cargo between surveys; photo thumbnails; and the SM2 signature with the SM3 hash
 * of the signed canonical JSON and a verification note.
 *
 * `renderSurveyReport(input)` returns the PDF bytes. It reads the font files and the photos
 * (edge-side I/O) but writes nothing.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import PDFDocument from 'pdfkit';
import sharp from 'sharp';
import type { RecordSignature } from '../../../shared/crypto/record-signature.js';
import { verifyRecord } from '../../../shared/crypto/record-signature.js';
import type { SurveyCase } from '../../../shared/survey/case-schema.js';
import type { CaseResult, SurveyResult, SurveyValues } from '../../../shared/survey/engine.js';
import type { RoundingSpec } from '../../../shared/survey/rounding.js';
import type { DensityChoice, DensityConversion } from '../../../shared/vessel/density-basis.js';
import type { TankCalculation } from '../../../shared/vessel/tank-table.js';
import { findCjkFonts, FONT_PACKAGES, type ReportFonts } from './fonts.js';
import { COMPUTATION_LINES, decimalsFor, DEDUCTIBLE_NAMES, fixed, RESULT_LINES, type LineDef } from './lines.js';

export type SurveyKind = 'initial' | 'intermediate' | 'final';

export interface SurveyReportMeta {
  reportId: string;
  port: string;
  berth?: string;
  inspector: string;
  inspectorId?: string;
  organisation?: string;
  cargo?: { description: string; bl_t?: number };
  vessel?: { call_sign?: string; flag?: string };
  /** Per survey id: its kind, time and place. */
  surveys?: Record<string, { kind?: SurveyKind; started_at?: string; completed_at?: string; location?: string }>;
  /** ISO time the report was produced (also the PDF's creation date). */
  generatedAt: string;
}

export interface ReportPhoto {
  path: string;
  caption?: string;
  /** Survey id the photo belongs to. */
  survey?: string;
}

export interface SurveyReportInput {
  /** The validated case (readings, densities, deductibles, ballast tanks). */
  case: SurveyCase;
  /** The engine's result for that case. */
  result: CaseResult;
  meta: SurveyReportMeta;
  /** Per survey id: the density monitor conversion, or the monitor/manual choice. */
  density?: Record<string, DensityConversion | DensityChoice>;
  /** Per survey id: the tank-by-tank calculations behind the ballast and other deductibles. */
  tanks?: Record<string, TankCalculation[]>;
  photos?: ReportPhoto[];
  /** The SM2 signature; with `record`, the report verifies it and says so. */
  signature?: { signature: RecordSignature; record?: unknown };
  fonts?: ReportFonts;
}

const KIND_ZH: Record<SurveyKind, string> = { initial: '初始检验', intermediate: '中途检验', final: '最终检验' };
const KIND_EN: Record<SurveyKind, string> = { initial: 'Initial survey', intermediate: 'Intermediate survey', final: 'Final survey' };

const PAGE = { size: 'A4' as const, margin: 40 };
const COLOR = { rule: '#999999', shade: '#eef2f7', head: '#dfe6ef', warn: '#a15c00', bad: '#b00020', good: '#1b5e20', muted: '#555555' };
const FONT = { zh: 'zh', zhBold: 'zh-bold', mono: 'Courier' };

type Doc = PDFKit.PDFDocument;

interface Column {
  width: number;
  align?: 'left' | 'right' | 'center';
}

interface Cell {
  text: string;
  sub?: string; // a second, smaller line (English)
  bold?: boolean;
  color?: string;
  mono?: boolean;
  /** Font size relative to the table's (e.g. −1.5 for an English secondary label). */
  smaller?: number;
}

type CellInput = string | Cell;

class Layout {
  readonly doc: Doc;
  readonly left = PAGE.margin;
  readonly width: number;
  constructor(doc: Doc) {
    this.doc = doc;
    this.width = doc.page.width - 2 * PAGE.margin;
  }
  get bottom(): number {
    return this.doc.page.height - PAGE.margin - 18; // keep room for the footer
  }
  ensure(height: number): void {
    if (this.doc.y + height > this.bottom) {
      this.doc.addPage();
      this.doc.y = PAGE.margin;
    }
  }
  heading(zh: string, en: string, size = 12): void {
    this.ensure(40);
    const doc = this.doc;
    doc.moveDown(0.4);
    const y = doc.y;
    doc.rect(this.left, y, this.width, size + 10).fill(COLOR.head);
    doc.fillColor('black').font(FONT.zhBold).fontSize(size);
    const zhWidth = doc.widthOfString(zh);
    doc.text(zh, this.left + 6, y + 4, { lineBreak: false });
    doc.font(FONT.zh).fontSize(size - 3).fillColor(COLOR.muted);
    doc.text(en, this.left + 6 + zhWidth + 12, y + 4 + (size - (size - 3)) * 0.8, { lineBreak: false, width: this.width - zhWidth - 24 });
    doc.fillColor('black');
    doc.x = this.left;
    doc.y = y + size + 14;
  }
  paragraph(text: string, options: { size?: number; color?: string; bold?: boolean } = {}): void {
    const doc = this.doc;
    doc.font(options.bold ? FONT.zhBold : FONT.zh).fontSize(options.size ?? 8.5).fillColor(options.color ?? 'black');
    this.ensure(doc.heightOfString(text, { width: this.width }) + 2);
    doc.text(text, this.left, doc.y, { width: this.width });
    doc.fillColor('black');
  }
  /** A table with an optional header row, wrapped across pages (the header repeats). */
  table(columns: Column[], rows: CellInput[][], options: { header?: CellInput[]; size?: number; zebra?: boolean; strongRows?: Set<number> } = {}): void {
    const doc = this.doc;
    const size = options.size ?? 8.5;
    const pad = 3;
    const norm = (c: CellInput): Cell => (typeof c === 'string' ? { text: c } : c);
    const rowHeight = (cells: Cell[]): number => {
      let h = 0;
      cells.forEach((cell, i) => {
        const w = (columns[i]?.width ?? 50) - 2 * pad;
        doc.font(cell.mono ? FONT.mono : cell.bold ? FONT.zhBold : FONT.zh).fontSize(size - (cell.smaller ?? 0));
        let ch = doc.heightOfString(cell.text || ' ', { width: w });
        if (cell.sub) {
          doc.font(FONT.zh).fontSize(size - 2);
          ch += doc.heightOfString(cell.sub, { width: w });
        }
        h = Math.max(h, ch);
      });
      return h + 2 * pad;
    };
    const draw = (cells: Cell[], fill?: string): void => {
      const h = rowHeight(cells);
      const y = doc.y;
      if (fill) doc.rect(this.left, y, this.width, h).fill(fill);
      let x = this.left;
      cells.forEach((cell, i) => {
        const col = columns[i] ?? { width: 50 };
        const w = col.width - 2 * pad;
        doc.fillColor(cell.color ?? 'black').font(cell.mono ? FONT.mono : cell.bold ? FONT.zhBold : FONT.zh).fontSize(size - (cell.smaller ?? 0));
        doc.text(cell.text, x + pad, y + pad, { width: w, align: col.align ?? 'left', lineBreak: true });
        if (cell.sub) {
          doc.font(FONT.zh).fontSize(size - 2).fillColor(COLOR.muted);
          doc.text(cell.sub, x + pad, doc.y, { width: w, align: col.align ?? 'left' });
        }
        x += col.width;
      });
      doc.fillColor('black');
      doc.moveTo(this.left, y + h).lineTo(this.left + this.width, y + h).lineWidth(0.3).strokeColor(COLOR.rule).stroke();
      doc.y = y + h;
    };
    const header = options.header?.map(norm).map((c) => ({ ...c, bold: true }));
    const start = (): void => {
      if (header) draw(header, COLOR.head);
    };
    if (header) this.ensure(rowHeight(header) + rowHeight((rows[0] ?? []).map(norm)));
    start();
    rows.forEach((raw, i) => {
      const cells = raw.map(norm);
      const h = rowHeight(cells);
      if (doc.y + h > this.bottom) {
        doc.addPage();
        doc.y = PAGE.margin;
        start();
      }
      draw(cells, options.strongRows?.has(i) ? COLOR.shade : options.zebra && i % 2 ? '#f7f7f7' : undefined);
    });
    doc.x = this.left;
  }
}

function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+/, '').replace(/Z$/, ' UTC');
}

function roundingText(spec: RoundingSpec): { zh: string; en: string } {
  if (spec === 'none') return { zh: '全精度计算 (显示值按位舍入)', en: 'full precision; figures shown rounded' };
  if (spec === 'form3') return { zh: '逐行保留三位小数 (UN/ECE 表格)', en: 'each form line rounded to 0.001 and carried forward' };
  const lines = Object.entries(spec).map(([k, d]) => `${k}:${d}`).join(', ');
  return { zh: `按行舍入 ${lines}`, en: `per-line decimals ${lines}` };
}

function isChoice(d: DensityConversion | DensityChoice): d is DensityChoice {
  return 'source' in d;
}

async function thumbnail(path: string): Promise<Buffer | string> {
  try {
    const bytes = await readFile(path);
    return await sharp(bytes).rotate().resize({ width: 480, height: 360, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 78 }).toBuffer();
  } catch (error) {
    return (error as Error).message;
  }
}

/** Renders the report; resolves with the PDF bytes. */
export async function renderSurveyReport(input: SurveyReportInput): Promise<Buffer> {
  const fonts = input.fonts ?? findCjkFonts();
  if (!fonts) throw new Error(`no CJK font found for the survey report; install the Debian package ${FONT_PACKAGES}`);
  const photos = await Promise.all((input.photos ?? []).map(async (p) => ({ photo: p, image: await thumbnail(p.path) })));

  const vessel = input.case.vessel;
  const created = new Date(input.meta.generatedAt);
  const doc = new PDFDocument({
    size: PAGE.size,
    margin: PAGE.margin,
    bufferPages: true,
    info: {
      Title: `水尺计重报告 Draft survey report ${input.meta.reportId}`,
      Author: input.meta.inspector,
      Subject: `${vessel.name ?? ''} IMO ${String(vessel.imo ?? '')}`,
      Creator: 'Quayside',
      Producer: 'Quayside (pdfkit)',
      ...(Number.isNaN(created.getTime()) ? {} : { CreationDate: created, ModDate: created }),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.registerFont(FONT.zh, fonts.regular.path, fonts.regular.family);
  const bold = fonts.bold ?? fonts.regular;
  doc.registerFont(FONT.zhBold, bold.path, bold.family);
  const L = new Layout(doc);

  drawTitle(L, input);
  drawHeader(L, input);
  input.result.surveys.forEach((survey, index) => drawSurvey(L, input, survey, index));
  drawCargo(L, input);
  drawPhotos(L, photos);
  drawSignature(L, input);
  drawFooters(doc, input);

  doc.end();
  return finished;
}

function drawTitle(L: Layout, input: SurveyReportInput): void {
  const doc = L.doc;
  doc.font(FONT.zhBold).fontSize(17).text('水尺计重证书 · 排水量计算单', L.left, PAGE.margin, { width: L.width, align: 'center' });
  doc.font(FONT.zh).fontSize(10).fillColor(COLOR.muted).text('Draft Survey Report — Displacement Calculation (UN/ECE Form C, SN/T 3023.2)', { width: L.width, align: 'center' });
  doc.fillColor('black').moveDown(0.3);
  if (input.meta.organisation) doc.fontSize(9).text(input.meta.organisation, { width: L.width, align: 'center' });
  doc.moveDown(0.5);
}

function drawHeader(L: Layout, input: SurveyReportInput): void {
  const { meta } = input;
  const v = input.case.vessel;
  const rounding = roundingText(input.result.rounding);
  const pair = (zh: string, en: string, value: string): CellInput[] => [{ text: zh, sub: en, bold: true }, value];
  const rows: CellInput[][] = [];
  const left: CellInput[][] = [
    pair('船名', 'Vessel', v.name ?? '—'),
    pair('IMO 编号', 'IMO number', String(v.imo ?? '—')),
    pair('呼号 / 船旗', 'Call sign / flag', [meta.vessel?.call_sign, meta.vessel?.flag].filter(Boolean).join(' / ') || '—'),
    pair('垂线间长', 'LBP', `${v.lbp_m} m`),
    pair('表载密度', 'Table density', `${v.table_density_t_m3} t/m³`),
    pair('龙骨板厚度', 'Keel plate', `${v.keel_plate_m} m`),
  ];
  const right: CellInput[][] = [
    pair('报告编号', 'Report no.', meta.reportId),
    pair('港口 / 泊位', 'Port / berth', [meta.port, meta.berth].filter(Boolean).join(' / ')),
    pair('检验员', 'Inspector', meta.inspectorId ? `${meta.inspector} (${meta.inspectorId})` : meta.inspector),
    pair('货物', 'Cargo', meta.cargo ? meta.cargo.description + (meta.cargo.bl_t !== undefined ? `  (B/L ${fixed(meta.cargo.bl_t, 3)} t)` : '') : '—'),
    pair('计算方式', 'Rounding', `${rounding.zh}\n${rounding.en}`),
    pair('报告生成时间', 'Generated', formatTime(meta.generatedAt)),
  ];
  for (let i = 0; i < Math.max(left.length, right.length); i++) rows.push([...(left[i] ?? ['', '']), ...(right[i] ?? ['', ''])]);
  const w = L.width;
  L.table(
    [
      { width: w * 0.17 },
      { width: w * 0.33 },
      { width: w * 0.17 },
      { width: w * 0.33 },
    ],
    rows,
    { size: 8.5 },
  );
  const lcf = v.lcf;
  const marks = v.marks;
  const markText = (m: { distance_m: number; side: string } | undefined, ref: string): string => (m ? `${m.distance_m} m ${m.side === 'aft' ? '在' + ref + '后 aft' : '在' + ref + '前 fwd'}` : '—');
  L.paragraph(
    `漂心约定 LCF convention: 自${lcf.from === 'midship' ? '舯' : lcf.from === 'ap' ? '尾垂线' : '首垂线'}量起 (from ${lcf.from}), ${lcf.positive === 'aft' ? '向后为正' : '向前为正'} (+ ${lcf.positive})。` +
      `  水尺标记 Draft marks: 首 ${markText(marks?.fwd, 'FP')}; 舯 ${markText(marks?.mid, '舯')}; 尾 ${markText(marks?.aft, 'AP')}。` +
      (v.lightship_t !== undefined ? `  空船重量 Lightship ${v.lightship_t} t。` : ''),
    { size: 8, color: COLOR.muted },
  );
}

function surveyTitle(input: SurveyReportInput, survey: SurveyResult, index: number): { zh: string; en: string } {
  const info = input.meta.surveys?.[survey.id];
  const kind: SurveyKind = info?.kind ?? (index === 0 ? 'initial' : index === input.result.surveys.length - 1 ? 'final' : 'intermediate');
  const when = info?.started_at ? `  ${formatTime(info.started_at)}${info.completed_at ? ` – ${formatTime(info.completed_at)}` : ''}` : '';
  return { zh: `${KIND_ZH[kind]}  [${survey.id}]${when}`, en: `${KIND_EN[kind]}${info?.location ? ` · ${info.location}` : ''}` };
}

function valueLine(line: LineDef, values: SurveyValues, spec: RoundingSpec): CellInput[] | undefined {
  const value = values[line.key];
  if (value === undefined) return undefined;
  const text = fixed(value, decimalsFor(line, spec));
  return [line.form ?? '', { text: line.zh, bold: line.strong ?? false }, { text: line.en, smaller: 1, color: COLOR.muted }, { text, bold: line.strong ?? false }, line.unit];
}

function drawSurvey(L: Layout, input: SurveyReportInput, survey: SurveyResult, index: number): void {
  const caseSurvey = input.case.surveys.find((s) => s.id === survey.id) ?? input.case.surveys[index];
  const spec = input.result.rounding;
  const title = surveyTitle(input, survey, index);
  const doc = L.doc;
  if (index > 0) {
    doc.addPage();
    doc.y = PAGE.margin;
  }
  L.heading(title.zh, title.en, 12);

  // Six readings.
  if (caseSurvey) {
    const r = caseSurvey.readings_m;
    const v = survey.values;
    const dp = decimalsFor({ decimals: 4, rounding: 'mean_drafts' }, spec);
    L.paragraph('六面水尺读数 Draft readings (m)', { bold: true, size: 9.5 });
    L.table(
      [{ width: L.width * 0.25 }, { width: L.width * 0.25, align: 'right' }, { width: L.width * 0.25, align: 'right' }, { width: L.width * 0.25, align: 'right' }],
      [
        [{ text: '首 Forward', bold: true }, fixed(r.fwd_port, 3), fixed(r.fwd_stbd, 3), fixed(v.mean_fwd_m, dp)],
        [{ text: '舯 Midship', bold: true }, fixed(r.mid_port, 3), fixed(r.mid_stbd, 3), fixed(v.mean_mid_m, dp)],
        [{ text: '尾 Aft', bold: true }, fixed(r.aft_port, 3), fixed(r.aft_stbd, 3), fixed(v.mean_aft_m, dp)],
      ],
      { header: ['水尺 Marks', { text: '左舷 Port' }, { text: '右舷 Starboard' }, { text: '平均 Mean' }] },
    );
  }

  // Density.
  if (caseSurvey) {
    doc.moveDown(0.4);
    L.paragraph(`港水密度 Dock-water density: ${caseSurvey.dock_density_t_m3} t/m³ (空气中, 现场温度 in air, in situ)；表载密度 table ${input.case.vessel.table_density_t_m3} t/m³`, { bold: true, size: 9.5 });
    const d = input.density?.[survey.id];
    if (d) {
      const conversion = isChoice(d) ? d.monitor : d;
      if (isChoice(d) && d.source === 'manual') {
        L.paragraph(
          `采用人工比重计读数 Manual hydrometer value ${d.density_t_m3} t/m³ — 原因 reason: ${d.reason ?? ''}` +
            (d.difference_t_m3 !== undefined ? `；与密度计之差 difference from the monitor ${d.difference_t_m3 > 0 ? '+' : ''}${d.difference_t_m3} t/m³` : ''),
          { color: COLOR.warn },
        );
      }
      if (conversion) {
        L.table(
          [{ width: L.width * 0.42 }, { width: L.width * 0.3 }, { width: L.width * 0.18, align: 'right' }, { width: L.width * 0.1 }],
          conversion.steps.map((s) => [{ text: s.label_zh, sub: s.label_en }, { text: s.formula }, fixed(s.value, s.unit === 'PSU' ? 3 : s.unit === 't/m³' ? 8 : 5), s.unit]),
          { header: ['密度换算 Density conversion', '公式 Formula', '数值 Value', '单位 Unit'], size: 8 },
        );
        if (conversion.salinity_psu !== undefined) L.paragraph(`盐度 Practical salinity (EOS-80): ${fixed(conversion.salinity_psu, 3)} PSU`, { size: 8, color: COLOR.muted });
      }
    }
  }

  // The calculation sheet.
  doc.moveDown(0.4);
  L.paragraph('排水量计算 Displacement calculation', { bold: true, size: 9.5 });
  const columns: Column[] = [{ width: L.width * 0.09 }, { width: L.width * 0.3 }, { width: L.width * 0.33 }, { width: L.width * 0.16, align: 'right' }, { width: L.width * 0.12 }];
  const rows: CellInput[][] = [];
  const strong = new Set<number>();
  for (const line of COMPUTATION_LINES) {
    const row = valueLine(line, survey.values, spec);
    if (!row) continue;
    if (line.strong) strong.add(rows.length);
    rows.push(row);
  }
  L.table(columns, rows, { header: ['表行 Line', '项目', 'Item', '数值 Value', '单位 Unit'], strongRows: strong });

  // Deductibles, item by item and tank by tank.
  if (caseSurvey) {
    doc.moveDown(0.4);
    L.paragraph('减：船用物料 Deductibles', { bold: true, size: 9.5 });
    const dRows: CellInput[][] = [];
    for (const [name, weight] of Object.entries(caseSurvey.deductibles_t)) {
      dRows.push([`${DEDUCTIBLE_NAMES[name] ?? name}  ${name}`, '', '', fixed(weight, 3)]);
    }
    for (const tank of caseSurvey.ballast_tanks) {
      dRows.push([`压载舱 ballast tank ${tank.name}`, fixed(tank.volume_m3, 3), fixed(tank.density_t_m3, 4), fixed(tank.volume_m3 * tank.density_t_m3, 3)]);
    }
    if (dRows.length) {
      L.table(
        [{ width: L.width * 0.4 }, { width: L.width * 0.2, align: 'right' }, { width: L.width * 0.2, align: 'right' }, { width: L.width * 0.2, align: 'right' }],
        dRows,
        { header: ['项目 Item', '体积 Volume m³', '密度 Density t/m³', '重量 Weight t'] },
      );
    }
    const calcs = input.tanks?.[survey.id];
    if (calcs && calcs.length) {
      doc.moveDown(0.3);
      L.paragraph('舱容计算明细 Tank calculations', { size: 8.5, bold: true });
      L.table(
        [{ width: L.width * 0.16 }, { width: L.width * 0.16, align: 'right' }, { width: L.width * 0.14, align: 'right' }, { width: L.width * 0.16, align: 'right' }, { width: L.width * 0.14, align: 'right' }, { width: L.width * 0.1, align: 'right' }, { width: L.width * 0.14, align: 'right' }],
        calcs.map((c) => [
          c.tank,
          c.input === 'ullage' ? `空距 ${fixed(c.ullage_m!, 3)}\n→ ${fixed(c.observed_sounding_m, 3)}` : fixed(c.observed_sounding_m, 3),
          [c.trim_m !== undefined ? `${fixed(c.trim_m, 2)} m` : '', c.list_deg !== undefined ? `${fixed(c.list_deg, 1)}°` : ''].filter(Boolean).join(' / ') || '—',
          fixed(c.corrected_sounding_m, 4),
          fixed(c.volume_m3, 3),
          c.density_t_m3 !== undefined ? fixed(c.density_t_m3, 4) : '—',
          c.weight_t !== undefined ? fixed(c.weight_t, 3) : '—',
        ]),
        { header: ['舱 Tank', '测深 Sounding m', '纵倾/横倾 Trim/list', '校正后测深 Corr. m', '体积 m³', '密度 t/m³', '重量 t'], size: 7.5 },
      );
    }
  }

  // Results.
  doc.moveDown(0.4);
  const resultRows: CellInput[][] = [];
  const resultStrong = new Set<number>();
  for (const line of RESULT_LINES) {
    const row = valueLine(line, survey.values, spec);
    if (!row) continue;
    if (line.strong) resultStrong.add(resultRows.length);
    resultRows.push(row);
  }
  L.table(columns, resultRows, { strongRows: resultStrong, size: 9.5 });

  // Warnings.
  doc.moveDown(0.4);
  if (survey.warnings.length) {
    L.paragraph('警告 Warnings', { bold: true, size: 9.5, color: COLOR.warn });
    for (const w of survey.warnings) L.paragraph(`• ${w}`, { size: 8, color: COLOR.warn });
  } else {
    L.paragraph('无警告 No warnings', { size: 8, color: COLOR.muted });
  }
}

function drawCargo(L: Layout, input: SurveyReportInput): void {
  if (!input.result.cargo.length) return;
  L.doc.moveDown(0.6);
  L.heading('货物重量', 'Cargo quantity (+ loaded, − discharged)', 11);
  const bl = input.meta.cargo?.bl_t;
  const rows: CellInput[][] = input.result.cargo.map((c) => {
    const row: CellInput[] = [`${c.from} → ${c.to}`, { text: fixed(c.cargo_t, 3), bold: true }];
    if (bl !== undefined && bl !== 0) {
      const diff = Math.abs(c.cargo_t) - bl;
      const pct = (diff / bl) * 100;
      row.push({ text: `${diff >= 0 ? '+' : ''}${fixed(diff, 3)} t (${pct >= 0 ? '+' : ''}${fixed(pct, 3)} %)`, color: Math.abs(pct) > 0.5 ? COLOR.bad : 'black' });
    } else {
      row.push('—');
    }
    return row;
  });
  L.table([{ width: L.width * 0.35 }, { width: L.width * 0.25, align: 'right' }, { width: L.width * 0.4, align: 'right' }], rows, {
    header: ['检验 Surveys', '货物 Cargo t', bl !== undefined ? `与提单 ${fixed(bl, 3)} t 之差 vs B/L` : '与提单之差 vs B/L'],
    size: 9.5,
  });
  if (bl !== undefined && input.result.cargo.some((c) => Math.abs((Math.abs(c.cargo_t) - bl) / bl) > 0.005)) {
    L.paragraph('与提单重量差异超过 0.5 %，请复核。 The difference from the B/L exceeds 0.5 %: review the survey.', { color: COLOR.bad, size: 8.5 });
  }
}

function drawPhotos(L: Layout, photos: { photo: ReportPhoto; image: Buffer | string }[]): void {
  if (!photos.length) return;
  const doc = L.doc;
  doc.moveDown(0.6);
  L.heading('现场照片', 'Photographs', 11);
  const perRow = 3;
  const gap = 10;
  const w = (L.width - gap * (perRow - 1)) / perRow;
  const h = w * 0.75;
  for (let i = 0; i < photos.length; i += perRow) {
    L.ensure(h + 30);
    const y = doc.y;
    photos.slice(i, i + perRow).forEach(({ photo, image }, j) => {
      const x = L.left + j * (w + gap);
      doc.rect(x, y, w, h).lineWidth(0.4).strokeColor(COLOR.rule).stroke();
      if (typeof image === 'string') {
        doc.font(FONT.zh).fontSize(7.5).fillColor(COLOR.bad).text(`照片无法读取 Photo unreadable:\n${basename(photo.path)}\n${image}`, x + 4, y + 4, { width: w - 8, height: h - 8 });
      } else {
        doc.image(image, x + 1, y + 1, { fit: [w - 2, h - 2], align: 'center', valign: 'center' });
      }
      const caption = [photo.survey ? `[${photo.survey}]` : '', photo.caption ?? '', basename(photo.path)].filter(Boolean).join(' ');
      doc.font(FONT.zh).fontSize(7).fillColor(COLOR.muted).text(caption, x, y + h + 2, { width: w, height: 20 });
    });
    doc.fillColor('black');
    doc.y = y + h + 24;
  }
}

function hexLines(hex: string, per = 64): string {
  return (hex.match(new RegExp(`.{1,${per}}`, 'g')) ?? []).join('\n');
}

function drawSignature(L: Layout, input: SurveyReportInput): void {
  const doc = L.doc;
  doc.moveDown(0.6);
  L.heading('电子签名', 'Electronic signature (SM2 / SM3)', 11);
  const s = input.signature?.signature;
  if (!s) {
    L.paragraph('本报告未签名。 This report is not signed.', { color: COLOR.bad, size: 9 });
    return;
  }
  const rows: CellInput[][] = [
    [{ text: '签名人', sub: 'Signer', bold: true }, s.signer],
    [{ text: '签名时间', sub: 'Signed at', bold: true }, formatTime(s.signed_at)],
    [{ text: '算法', sub: 'Algorithm', bold: true }, `SM2 (GB/T 32918.2) 签名, SM3 (GB/T 32905) 杂凑; 用户标识 ID "${s.signer_id}"`],
    [{ text: '公钥指纹', sub: 'Public key fingerprint (SM3)', bold: true }, { text: hexLines(s.public_key_fingerprint), mono: true }],
    [{ text: '公钥', sub: 'Public key 04‖X‖Y', bold: true }, { text: hexLines(s.public_key_hex), mono: true }],
    [{ text: '规范化 JSON 的 SM3', sub: 'SM3 of the canonical JSON', bold: true }, { text: hexLines(s.payload_sm3), mono: true }],
    [{ text: '签名值', sub: 'Signature (DER, hex)', bold: true }, { text: hexLines(s.signature_der_hex), mono: true }],
  ];
  L.table([{ width: L.width * 0.24 }, { width: L.width * 0.76 }], rows, { size: 8 });
  doc.moveDown(0.3);
  if (input.signature?.record !== undefined) {
    const check = verifyRecord(input.signature.record, s);
    if (check.ok) L.paragraph('✓ 签名已验证：记录与签名一致。 Signature verified against the survey record.', { color: COLOR.good, size: 9, bold: true });
    else L.paragraph(`✗ 签名验证失败 Signature verification FAILED: ${check.message}`, { color: COLOR.bad, size: 9, bold: true });
  }
  L.paragraph(
    '验证方法：将签名记录 {format, record, signed_at, signer} 按规范化 JSON (键排序、无空白) 编码为 UTF-8 字节 M；以公钥和用户标识计算 Z_A，e = SM3(Z_A‖M)，按 GB/T 32918.2 验证 (r, s)。' +
      'Verification: encode {format, record, signed_at, signer} as canonical JSON (sorted keys, no whitespace) in UTF-8 as M; compute Z_A from the public key and the ID, e = SM3(Z_A‖M), and check (r, s) per GB/T 32918.2 ' +
      '(e.g. gmssl sm2verify, or OpenSSL 3 with -sigopt distid:1234567812345678). The SM3 above must equal SM3(M).',
    { size: 7.5, color: COLOR.muted },
  );
}

function drawFooters(doc: Doc, input: SurveyReportInput): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - PAGE.margin + 8;
    const sig = input.signature?.signature;
    const text = `${input.meta.reportId} · ${input.case.vessel.name ?? ''} · 第 ${i + 1} 页 / 共 ${range.count} 页  Page ${i + 1} of ${range.count}${sig ? ` · SM3 ${sig.payload_sm3.slice(0, 16)}…` : ''}`;
    doc.font(FONT.zh).fontSize(7).fillColor(COLOR.muted).text(text, PAGE.margin, y, { width: doc.page.width - 2 * PAGE.margin, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.fillColor('black');
}
