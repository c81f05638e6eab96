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
  /** Records per slice (rows + rejects); default SLICE_ROWS. */
  sliceRows?: number;
}

/** Records per slice when the context does not say: small enough to bound a run's memory, large enough for bulk statements. */
export const SLICE_ROWS = 10_000;

/** A part of a pull, in source order. */
export interface PullSlice {
  rows: SourceRow[];
  /** Records the connector could not read (parse_error). */
  rejects: Reject[];
}

/**
 * A pull in progress. The records come in slices, so a run holds one slice at a time rather than the
 * whole source: `slices` may be iterated once, and reading it is what reads the source (a file, the
 * next page, the next batch), so source errors surface while iterating.
 */
export interface PullResult {
  slices: AsyncIterable<PullSlice>;
  /** The cursor to keep once the rows are landed (null: none). Final only once `slices` is consumed. */
  readonly cursor: string | null;
  /** Called after the rows are committed (archive or delete the files read). */
  commit?(): Promise<void>;
  /** Always called last, committed or not, iterated or not (closes a connection kept open). */
  close?(): Promise<void>;
  /** Push connectors: rows sent out; nothing is landed (their `slices` are empty). */
  pushed?: number;
}

/** Slices of the records already in hand (connectors whose data is small by nature). */
export async function* inHand(rows: SourceRow[], rejects: Reject[] = []): AsyncGenerator<PullSlice> {
  if (rows.length || rejects.length) yield { rows, rejects };
}

/**
 * Re-cuts pieces of any size (a page, a file, a batch) into slices of at most `size` records, in
 * order: small pieces are joined (a run of many small pages lands like one load), large ones split.
 */
export async function* sliced(pieces: AsyncIterable<PullSlice>, size: number): AsyncGenerator<PullSlice> {
  if (!(size >= 1)) throw new Error(`slice size ${size} is not a positive number`);
  let rows: SourceRow[] = [];
  let rejects: Reject[] = [];
  for await (const piece of pieces) {
    let r = 0;
    let j = 0;
    // rejects first within a piece: the piece's reader reported them before handing on its rows
    while (j < piece.rejects.length || r < piece.rows.length) {
      const room = size - rows.length - rejects.length;
      if (j < piece.rejects.length) {
        const take = Math.min(room, piece.rejects.length - j);
        for (let k = 0; k < take; k++) rejects.push(piece.rejects[j + k]!);
        j += take;
      } else {
        const take = Math.min(room, piece.rows.length - r);
        for (let k = 0; k < take; k++) rows.push(piece.rows[r + k]!);
        r += take;
      }
      if (rows.length + rejects.length >= size) {
        yield { rows, rejects };
        rows = [];
        rejects = [];
      }
    }
  }
  if (rows.length || rejects.length) yield { rows, rejects };
}

/** Every slice of a pull in one piece (tests, and consumers that need it whole). */
export async function gather(slices: AsyncIterable<PullSlice>): Promise<PullSlice> {
  const rows: SourceRow[] = [];
  const rejects: Reject[] = [];
  for await (const s of slices) {
    // one at a time: a large pull's rows would overflow the stack as spread arguments
    for (const r of s.rows) rows.push(r);
    for (const r of s.rejects) rejects.push(r);
  }
  return { rows, rejects };
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
