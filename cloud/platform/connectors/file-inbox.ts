/**
 * An inbox folder: CSV, XLSX, JSON and NDJSON files dropped there are read in name order; once their
 * rows are landed they move to `archive/` (a file that cannot be read at all moves to `failed/`, and
 * its rejection is kept). Reloading the same file again changes nothing, as loads upsert by key.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ConnectorSource } from '../definitions.js';
import type { Reject, SourceRow } from '../pipeline.js';
import { formatOf, globMatch, parseFile } from './files.js';
import type { PullContext, PullResult } from './types.js';

type FileInbox = Extract<ConnectorSource, { kind: 'file-inbox' }>;

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

export async function pullFileInbox(src: FileInbox, ctx: PullContext): Promise<PullResult> {
  const dir = path.resolve(ctx.baseDir, src.dir);
  await fs.mkdir(dir, { recursive: true });
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && globMatch(src.pattern, e.name) && formatOf(e.name, src.format) !== undefined)
    .map((e) => e.name)
    .sort();
  const rows: SourceRow[] = [];
  const rejects: Reject[] = [];
  const done: string[] = [];
  const failed: string[] = [];
  for (const name of names) {
    const bytes = await fs.readFile(path.join(dir, name));
    try {
      const p = await parseFile(name, bytes, formatOf(name, src.format)!, { sheet: src.sheet });
      // one at a time: a large file's rows would overflow the stack as spread arguments
      for (const r of p.rows) rows.push(r);
      for (const r of p.rejects) rejects.push(r);
      done.push(name);
    } catch (e) {
      rejects.push({ ref: name, step: -1, op: 'parse', reason: 'parse_error', field: null, detail: (e as Error).message, raw: { _file: name, _bytes: bytes.length } });
      failed.push(name);
    }
  }
  return {
    rows,
    rejects,
    cursor: null,
    async commit() {
      const at = stamp();
      for (const [folder, list] of [['archive', done], ['failed', failed]] as const) {
        if (!list.length) continue;
        await fs.mkdir(path.join(dir, folder), { recursive: true });
        for (const name of list) await fs.rename(path.join(dir, name), path.join(dir, folder, `${at}-${name}`));
      }
    },
  };
}
