/**
 * An inbox folder: CSV, XLSX, JSON and NDJSON files dropped there are read in name order; once their
 * rows are landed they move to `archive/` (a file that cannot be read at all moves to `failed/`, and
 * its rejection is kept). Reloading the same file again changes nothing, as loads upsert by key.
 *
 * CSV and NDJSON files are read as streams, a piece per chunk of text, so a run holds a slice of a
 * large file rather than all of it; a CSV file's syntax is checked in a first pass, so a file that
 * cannot be read fails whole before any of its rows are used. XLSX and JSON files (small by nature,
 * and not readable in pieces) are parsed whole.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ConnectorSource } from '../definitions.js';
import { checkCsvFile, formatOf, globMatch, parseFile, readCsvFile, readNdjsonFile, type ParsedFile } from './files.js';
import type { PullContext, PullResult, PullSlice } from './types.js';

type FileInbox = Extract<ConnectorSource, { kind: 'file-inbox' }>;

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

function unreadable(name: string, detail: string, bytes: number): PullSlice {
  return { rows: [], rejects: [{ ref: name, step: -1, op: 'parse', reason: 'parse_error', field: null, detail, raw: { _file: name, _bytes: bytes } }] };
}

export async function pullFileInbox(src: FileInbox, ctx: PullContext): Promise<PullResult> {
  const dir = path.resolve(ctx.baseDir, src.dir);
  await fs.mkdir(dir, { recursive: true });
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && globMatch(src.pattern, e.name) && formatOf(e.name, src.format) !== undefined)
    .map((e) => e.name)
    .sort();
  const done: string[] = [];
  const failed: string[] = [];

  async function* read(): AsyncGenerator<PullSlice> {
    for (const name of names) {
      const file = path.join(dir, name);
      const format = formatOf(name, src.format)!;
      if (format === 'csv') {
        const error = await checkCsvFile(file, name);
        if (error !== null) {
          yield unreadable(name, error, (await fs.stat(file)).size);
          failed.push(name);
          continue;
        }
        yield* readCsvFile(file, name);
      } else if (format === 'ndjson') {
        yield* readNdjsonFile(file, name);
      } else {
        const bytes = await fs.readFile(file);
        let parsed: ParsedFile;
        try {
          parsed = await parseFile(name, bytes, format, { sheet: src.sheet });
        } catch (e) {
          yield unreadable(name, (e as Error).message, bytes.length);
          failed.push(name);
          continue;
        }
        yield parsed;
      }
      done.push(name);
    }
  }

  return {
    slices: read(),
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
