/** Table shapes of the platform's own tables (migrations.ts), as Kysely sees them. */
import type { Generated } from 'kysely';

export interface DefinitionsTable {
  id: string;
  version: number;
  definition: string;
  created_at: number;
  created_by: string;
}

export interface RunsTable {
  id: Generated<number>;
  connector_id: string;
  connector_version: number;
  pipeline_id: string | null;
  pipeline_version: number | null;
  dataset: string;
  trigger: string;
  status: string;
  attempts: number;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
  rows_in: number;
  rows_out: number;
  rows_rejected: number;
  rows_inserted: number;
  rows_updated: number;
  rows_unchanged: number;
  cursor_before: string | null;
  cursor_after: string | null;
  error: string | null;
}

export interface CursorsTable {
  connector_id: string;
  cursor: string | null;
  run_id: number;
  updated_at: number;
}

export interface RejectsTable {
  id: Generated<number>;
  connector_id: string;
  dataset: string;
  fingerprint: string;
  ref: string;
  step: number;
  op: string;
  reason: string;
  field: string | null;
  detail: string;
  raw: string;
  first_run_id: number;
  last_run_id: number;
  times: number;
  created_at: number;
}

export interface LineageTable {
  from_node: string;
  to_node: string;
  run_id: number;
  first_at: number;
  updated_at: number;
}

export interface QualityRunsTable {
  id: Generated<number>;
  dataset: string;
  dataset_version: number;
  trigger: string;
  load_run_id: number | null;
  started_at: number;
  duration_ms: number;
  rows: number;
  score: number | null;
  indicators: string;
}

export interface QualityResultsTable {
  run_id: number;
  rule_id: string;
  indicator: string;
  check_kind: string;
  weight: number;
  checked: number;
  passed: number;
  failed: number;
  sample: string;
}

export interface QualityIssuesTable {
  id: Generated<number>;
  dataset: string;
  rule_id: string;
  indicator: string;
  owner: string;
  status: string;
  failed: number;
  checked: number;
  sample: string;
  first_run_id: number;
  last_run_id: number;
  opened_at: number;
  updated_at: number;
  resolved_at: number | null;
  note: string;
}

export interface MetaAnnotationsTable {
  asset: string;
  description: string | null;
  owner: string | null;
  tags: string | null;
  updated_at: number;
  updated_by: string;
}

export interface CatalogueTable {
  code: string;
  class_code: string;
  seq: number;
  name: string;
  provider: string;
  dataset: string | null;
  status: string;
  version: number;
  entry: string;
  created_at: number;
  updated_at: number;
  updated_by: string;
  published_at: number | null;
}

export interface AccessRequestsTable {
  id: Generated<number>;
  code: string;
  requester: string;
  organisation: string;
  purpose: string;
  owner: string;
  status: string;
  created_at: number;
  decided_by: string | null;
  decided_at: number | null;
  note: string;
}

export interface CatalogueLogTable {
  id: Generated<number>;
  code: string;
  request_id: number | null;
  action: string;
  actor: string;
  at: number;
  detail: string;
}

export interface PlatformDatabase {
  pf_access_requests: AccessRequestsTable;
  pf_catalogue_log: CatalogueLogTable;
  pf_meta_annotations: MetaAnnotationsTable;
  pf_catalogue: CatalogueTable;
  pf_connectors: DefinitionsTable;
  pf_pipelines: DefinitionsTable;
  pf_datasets: DefinitionsTable;
  pf_runs: RunsTable;
  pf_cursors: CursorsTable;
  pf_rejects: RejectsTable;
  pf_lineage: LineageTable;
  pf_quality_runs: QualityRunsTable;
  pf_quality_results: QualityResultsTable;
  pf_quality_issues: QualityIssuesTable;
}
