/**
 * Metadata management (元数据管理): every data set and field (from their definitions and the landed
 * tables), every other table and column of the cloud SQL store (introspected), every connector and
 * pipeline — harvested on each request, so it can never drift from what exists. People edit
 * descriptions, owners and tags; those edits are kept as annotations by asset id and laid over the
 * harvested values. Search matches ids, names, titles, descriptions, owners and tags.
 *
 * Asset ids: dataset:<name> · field:<dataset>.<field> · table:<name> · column:<table>.<column> ·
 * connector:<id> · pipeline:<id>.
 */
import type { ConnectorDefinition, DatasetDefinition } from './definitions.js';
import type { PipelineDefinition } from './pipeline.js';

export const ASSET_KINDS = ['dataset', 'field', 'table', 'column', 'connector', 'pipeline'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

export interface MetaAsset {
  id: string;
  kind: AssetKind;
  name: string;
  /** The asset it belongs to (a field's data set, a column's table). */
  parent: string | null;
  title: string;
  description: string;
  owner: string | null;
  tags: string[];
  /** Field/column type; a connector's kind. */
  type: string | null;
  unit: string | null;
  codeTable: string | null;
  sensitivity: string | null;
  topic: string | null;
  rows: number | null;
  lastLoadAt: number | null;
  qualityScore: number | null;
  /** Whether a person edited description, owner or tags. */
  edited: boolean;
}

export interface Annotation {
  description: string | null;
  owner: string | null;
  tags: string[] | null;
}

export interface HarvestInput {
  datasets: DatasetDefinition[];
  connectors: ConnectorDefinition[];
  pipelines: PipelineDefinition[];
  /** Store tables (other than ds_* and migration ledgers) with their columns. */
  tables: { name: string; columns: { name: string; type: string; nullable: boolean }[] }[];
  stats: Map<string, { rows: number | null; lastLoadAt: number | null; qualityScore: number | null }>;
  annotations: Map<string, Annotation>;
}

function asset(a: Partial<MetaAsset> & Pick<MetaAsset, 'id' | 'kind' | 'name'>): MetaAsset {
  return { parent: null, title: a.name, description: '', owner: null, tags: [], type: null, unit: null, codeTable: null, sensitivity: null, topic: null, rows: null, lastLoadAt: null, qualityScore: null, edited: false, ...a };
}

function annotate(a: MetaAsset, ann: Annotation | undefined): MetaAsset {
  if (!ann) return a;
  return { ...a, description: ann.description ?? a.description, owner: ann.owner ?? a.owner, tags: ann.tags ?? a.tags, edited: true };
}

export function harvest(input: HarvestInput): MetaAsset[] {
  const out: MetaAsset[] = [];
  const add = (a: MetaAsset) => out.push(annotate(a, input.annotations.get(a.id)));
  for (const d of input.datasets) {
    const s = input.stats.get(d.name);
    add(asset({ id: `dataset:${d.name}`, kind: 'dataset', name: d.name, title: d.title, description: d.description, owner: d.owner, tags: d.tags, topic: d.topic || null, rows: s?.rows ?? null, lastLoadAt: s?.lastLoadAt ?? null, qualityScore: s?.qualityScore ?? null }));
    for (const f of d.fields) {
      add(
        asset({
          id: `field:${d.name}.${f.name}`,
          kind: 'field',
          name: f.name,
          parent: `dataset:${d.name}`,
          title: f.title || f.name,
          description: f.description,
          owner: d.owner,
          type: f.type,
          unit: f.unit ?? null,
          codeTable: f.codeTable ?? null,
          sensitivity: f.sensitivity,
        }),
      );
    }
  }
  for (const t of input.tables) {
    add(asset({ id: `table:${t.name}`, kind: 'table', name: t.name, rows: input.stats.get(`table:${t.name}`)?.rows ?? null }));
    for (const c of t.columns) add(asset({ id: `column:${t.name}.${c.name}`, kind: 'column', name: c.name, parent: `table:${t.name}`, type: c.type }));
  }
  for (const c of input.connectors) add(asset({ id: `connector:${c.id}`, kind: 'connector', name: c.id, title: c.name, description: c.description, owner: c.provider || null, type: c.source.kind }));
  for (const p of input.pipelines) add(asset({ id: `pipeline:${p.id}`, kind: 'pipeline', name: p.id, title: p.name, description: p.description }));
  return out;
}

/** Case-insensitive search; every word of the query must match somewhere in the asset. */
export function searchAssets(assets: readonly MetaAsset[], q: string, kind?: AssetKind): MetaAsset[] {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  return assets.filter((a) => {
    if (kind && a.kind !== kind) return false;
    if (!words.length) return true;
    const hay = [a.id, a.name, a.title, a.description, a.owner ?? '', a.topic ?? '', a.codeTable ?? '', ...a.tags].join('\n').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
