/** What every connector kind implements, and the context a run hands it. */
import type { ConnectorDefinition, DatasetDefinition, SecretRef } from '../definitions.js';
import type { Reject, Row, SourceRow } from '../pipeline.js';

export interface PullContext {
  definition: ConnectorDefinition;
  /** The cursor (watermark) the last successful run left, null on the first run. */
  cursor: string | null;
  /** Resolves a credential reference; throws a non-retryable ConnectorError when it is not set. */
  secret(ref: SecretRef): string;
  /** Base folder for relative inbox paths. */
  baseDir: string;
  signal: AbortSignal;
  /** The target data set, for push connectors. */
  target: DatasetDefinition;
  /** Its rows (push connectors), page by page. */
  readTarget(): AsyncGenerator<Row[]>;
}

export interface PullResult {
  rows: SourceRow[];
  /** Records the connector could not read (parse_error). */
  rejects: Reject[];
  /** The cursor to keep once the rows are landed (null: none). */
  cursor: string | null;
  /** Called after the rows are committed (archive or delete the files read). */
  commit?(): Promise<void>;
  /** Always called last, committed or not (closes a connection kept open for commit). */
  close?(): Promise<void>;
  /** Push connectors: rows sent out; nothing is landed. */
  pushed?: number;
}

export class ConnectorError extends Error {
  constructor(
    message: string,
    /** false: retrying cannot help (bad credentials, missing secret, refused query). */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConnectorError';
  }
}

/** Larger of two cursor values: numerically when both are numbers, else as text (ISO times sort). */
export function maxCursor(a: string | null, b: unknown): string | null {
  if (b === null || b === undefined || b === '') return a;
  const s = b instanceof Date ? b.toISOString() : String(b);
  if (a === null) return s;
  const na = Number(a);
  const nb = Number(s);
  if (Number.isFinite(na) && Number.isFinite(nb) && a.trim() !== '' && s.trim() !== '') return nb > na ? s : a;
  return s > a ? s : a;
}

export function getPath(v: unknown, p: string): unknown {
  if (p === '') return v;
  let cur = v;
  for (const part of p.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
