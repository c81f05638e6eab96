/**
 * Resource catalogue (数据资源编目): entries with the core metadata of the government information
 * resource catalogue — GB/T 21063.3 and the 2017 《政务信息资源目录编制指南(试行)》:
 *
 *   信息资源分类 (类/项/目/细目)      classification {category, item, catalog, detail?}
 *   信息资源名称                      name
 *   信息资源代码                      code = 分类码 + "/" + 顺序码 (generated, e.g. "201003/000001")
 *   信息资源提供方 · 提供方代码       provider · providerCode
 *   信息资源摘要                      abstract
 *   信息资源格式                      format
 *   信息项信息 (名称, 数据类型)       items (taken from the linked data set's fields when omitted)
 *   共享属性 (类型, 条件, 方式)       sharing {type: unconditional | conditional | none, conditions, method}
 *   开放属性 (是否开放, 开放条件)     opening {open, conditions}
 *   更新周期                          updateCycle
 *   发布日期                          publishedAt (set when published)
 *   关联资源代码                      related
 * plus keywords, the catalogue type (基础 / 主题 / 部门) and the data set the entry describes.
 * The separator between classification and sequence codes is this project's choice; the guide fixes
 * the parts, not how they are printed.
 */
import { z } from 'zod';
import { toCsv } from './connectors/files.js';

export const SHARING_TYPES = ['unconditional', 'conditional', 'none'] as const;
export const SHARING_LABELS: Record<(typeof SHARING_TYPES)[number], string> = { unconditional: '无条件共享', conditional: '有条件共享', none: '不予共享' };
export const UPDATE_CYCLES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'] as const;
export const UPDATE_LABELS: Record<(typeof UPDATE_CYCLES)[number], string> = { realtime: '实时', daily: '每日', weekly: '每周', monthly: '每月', quarterly: '每季度', yearly: '每年', irregular: '不定期' };
export const FORMATS = ['database', 'spreadsheet', 'document', 'image', 'stream', 'api', 'other'] as const;
export const FORMAT_LABELS: Record<(typeof FORMATS)[number], string> = { database: '数据库', spreadsheet: '电子表格', document: '电子文件', image: '图形图像', stream: '流媒体', api: '接口', other: '其他' };
export const CATALOGUE_TYPES = ['basic', 'topic', 'department'] as const;
export const CATALOGUE_STATUSES = ['draft', 'published', 'withdrawn'] as const;
export type CatalogueStatus = (typeof CATALOGUE_STATUSES)[number];

export const CatalogueEntryInput = z
  .object({
    name: z.string().min(1).max(200),
    catalogueType: z.enum(CATALOGUE_TYPES).default('department'),
    classification: z
      .object({
        /** 类 (1 digit) */
        category: z.string().regex(/^\d$/),
        /** 项 (2 digits) */
        item: z.string().regex(/^\d{2}$/),
        /** 目 (3 digits) */
        catalog: z.string().regex(/^\d{3}$/),
        /** 细目 (optional, 3 digits) */
        detail: z.string().regex(/^\d{3}$/).optional(),
      })
      .strict(),
    provider: z.string().min(1).max(200),
    providerCode: z.string().max(64).default(''),
    abstract: z.string().min(1).max(4000),
    format: z.enum(FORMATS),
    items: z
      .array(z.object({ name: z.string().min(1).max(200), type: z.string().min(1).max(64) }).strict())
      .max(1000)
      .optional(),
    sharing: z
      .object({
        type: z.enum(SHARING_TYPES),
        conditions: z.string().max(2000).default(''),
        method: z.string().max(200).default(''),
      })
      .strict(),
    opening: z.object({ open: z.boolean(), conditions: z.string().max(2000).default('') }).strict(),
    updateCycle: z.enum(UPDATE_CYCLES),
    related: z.array(z.string().regex(/^\d{6,9}\/\d{6}$/)).max(100).default([]),
    keywords: z.array(z.string().min(1).max(64)).max(50).default([]),
    /** The data set this entry describes (its fields become the items when none are given). */
    dataset: z.string().regex(/^[a-z][a-z0-9_]{0,48}$/).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.sharing.type !== 'unconditional' && e.sharing.conditions.trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['sharing', 'conditions'], message: `${SHARING_LABELS[e.sharing.type]} needs its conditions (or the legal basis for not sharing)` });
    }
    if (e.opening.open && e.sharing.type === 'none') ctx.addIssue({ code: 'custom', path: ['opening', 'open'], message: 'a resource that is not shared between departments cannot be open to the public' });
  });
export type CatalogueEntryInput = z.input<typeof CatalogueEntryInput>;
export type CatalogueEntryData = z.output<typeof CatalogueEntryInput>;

export interface CatalogueEntry extends CatalogueEntryData {
  code: string;
  status: CatalogueStatus;
  version: number;
  items: { name: string; type: string }[];
  publishedAt: number | null;
  createdAt: number;
  updatedAt: number;
  updatedBy: string;
}

export function classCode(c: CatalogueEntryData['classification']): string {
  return `${c.category}${c.item}${c.catalog}${c.detail ?? ''}`;
}

export function entryCode(cls: string, seq: number): string {
  return `${cls}/${String(seq).padStart(6, '0')}`;
}

const CSV_COLUMNS: [string, (e: CatalogueEntry) => unknown][] = [
  ['信息资源代码', (e) => e.code],
  ['信息资源名称', (e) => e.name],
  ['信息资源分类', (e) => classCode(e.classification)],
  ['目录类型', (e) => ({ basic: '基础', topic: '主题', department: '部门' })[e.catalogueType]],
  ['信息资源提供方', (e) => e.provider],
  ['提供方代码', (e) => e.providerCode],
  ['信息资源摘要', (e) => e.abstract],
  ['信息资源格式', (e) => FORMAT_LABELS[e.format]],
  ['信息项', (e) => e.items.map((i) => `${i.name}(${i.type})`).join('；')],
  ['共享类型', (e) => SHARING_LABELS[e.sharing.type]],
  ['共享条件', (e) => e.sharing.conditions],
  ['共享方式', (e) => e.sharing.method],
  ['是否向社会开放', (e) => (e.opening.open ? '是' : '否')],
  ['开放条件', (e) => e.opening.conditions],
  ['更新周期', (e) => UPDATE_LABELS[e.updateCycle]],
  ['发布日期', (e) => (e.publishedAt === null ? '' : new Date(e.publishedAt + 8 * 3600_000).toISOString().slice(0, 10))],
  ['关联资源代码', (e) => e.related.join('；')],
  ['关键字', (e) => e.keywords.join('；')],
];

/** The catalogue as CSV with the guide's Chinese column names (UTF-8 with BOM, for spreadsheet programs). */
export function catalogueCsv(entries: readonly CatalogueEntry[]): string {
  const cols = CSV_COLUMNS.map(([h]) => h);
  return '\uFEFF' + toCsv(cols, entries.map((e) => Object.fromEntries(CSV_COLUMNS.map(([h, f]) => [h, f(e)]))));
}
