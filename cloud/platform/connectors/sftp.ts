/**
 * SFTP (ssh2 client), both ways:
 *   pull  files matching the pattern in remoteDir, newer than the cursor (modification time, with the
 *         names already read at that second), parsed like inbox files, one file at a time as the run
 *         reads them (a piece each); deleted afterwards if asked
 *   push  the target data set written as one CSV file (uploaded under a temporary name, then renamed,
 *         so the receiver never sees half a file)
 * Authentication by private key or password, both by reference; the server's host key can be pinned.
 */
import crypto from 'node:crypto';
import path from 'node:path/posix';
import { Client, type SFTPWrapper, type FileEntryWithStats } from 'ssh2';
import type { ConnectorSource } from '../definitions.js';
import { formatOf, globMatch, parseFile, toCsv, type ParsedFile } from './files.js';
import { ConnectorError, inHand, type PullContext, type PullResult, type PullSlice } from './types.js';

type SftpSource = Extract<ConnectorSource, { kind: 'sftp' }>;

interface SftpCursor {
  mtime: number;
  names: string[];
}

export function p<T>(fn: (cb: (err: Error | null | undefined, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

/** Opens an SFTP session (also used by the data exchange to deliver packages). */
export async function connect(src: SftpSource, ctx: Pick<PullContext, 'secret'>): Promise<{ conn: Client; sftp: SFTPWrapper }> {
  const conn = new Client();
  const privateKey = src.privateKey ? ctx.secret(src.privateKey) : undefined;
  const password = src.password ? ctx.secret(src.password) : undefined;
  let hostKeyRefused = false;
  await new Promise<void>((resolve, reject) => {
    conn.once('ready', () => resolve());
    conn.once('error', (e: Error & { level?: string }) => {
      const auth = e.level === 'client-authentication';
      reject(new ConnectorError(hostKeyRefused ? `host key of ${src.host} does not match hostKeySha256` : `SFTP ${src.host}:${src.port}: ${e.message}`, !auth && !hostKeyRefused, { cause: e }));
    });
    conn.connect({
      host: src.host,
      port: src.port,
      username: src.username,
      readyTimeout: src.timeoutMs,
      ...(privateKey !== undefined ? { privateKey } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(src.hostKeySha256
        ? {
            hostVerifier: (key: Buffer) => {
              const fp = `SHA256:${crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
              hostKeyRefused = fp !== src.hostKeySha256;
              return !hostKeyRefused;
            },
          }
        : {}),
    });
  });
  try {
    const sftp = await p<SFTPWrapper>((cb) => conn.sftp(cb));
    return { conn, sftp };
  } catch (e) {
    conn.end();
    throw new ConnectorError(`SFTP subsystem refused on ${src.host}: ${(e as Error).message}`, true, { cause: e });
  }
}

function readCursor(c: string | null): SftpCursor {
  if (c === null) return { mtime: -1, names: [] };
  try {
    const v = JSON.parse(c) as SftpCursor;
    if (typeof v.mtime === 'number' && Array.isArray(v.names)) return v;
  } catch {
    /* fall through */
  }
  throw new ConnectorError(`cursor "${c}" is not an SFTP cursor`, false);
}

export async function pullSftp(src: SftpSource, ctx: PullContext): Promise<PullResult> {
  if (src.direction === 'push') return pushSftp(src, ctx);
  const since = readCursor(ctx.cursor);
  const { conn, sftp } = await connect(src, ctx);
  let handedOver = false;
  try {
    let list: FileEntryWithStats[];
    try {
      list = await p<FileEntryWithStats[]>((cb) => sftp.readdir(src.remoteDir, cb));
    } catch (e) {
      throw new ConnectorError(`cannot list ${src.remoteDir}: ${(e as Error).message}`, false, { cause: e });
    }
    const files = list
      .filter((f) => (f.attrs.mode & 0o170000) === 0o100000 && globMatch(src.pattern, f.filename) && formatOf(f.filename, src.format) !== undefined)
      .filter((f) => f.attrs.mtime > since.mtime || (f.attrs.mtime === since.mtime && !since.names.includes(f.filename)))
      .sort((a, b) => a.attrs.mtime - b.attrs.mtime || a.filename.localeCompare(b.filename));
    const next: SftpCursor = { mtime: since.mtime, names: [...since.names] };
    let cursor = ctx.cursor;
    async function* read(): AsyncGenerator<PullSlice> {
      for (const f of files) {
        const remote = path.join(src.remoteDir, f.filename);
        const bytes = await p<Buffer>((cb) => sftp.readFile(remote, cb));
        let parsed: ParsedFile;
        try {
          parsed = await parseFile(f.filename, bytes, formatOf(f.filename, src.format)!);
        } catch (e) {
          parsed = { rows: [], rejects: [{ ref: f.filename, step: -1, op: 'parse', reason: 'parse_error', field: null, detail: (e as Error).message, raw: { _file: f.filename, _bytes: bytes.length } }] };
        }
        yield parsed;
        if (f.attrs.mtime > next.mtime) {
          next.mtime = f.attrs.mtime;
          next.names = [];
        }
        next.names.push(f.filename);
      }
      if (files.length) cursor = JSON.stringify(next);
    }
    handedOver = true;
    return {
      slices: read(),
      get cursor() {
        return cursor;
      },
      async commit() {
        if (src.afterPull === 'delete') for (const f of files) await p<void>((cb) => sftp.unlink(path.join(src.remoteDir, f.filename), (e) => cb(e, undefined)));
      },
      async close() {
        conn.end();
      },
    };
  } finally {
    // Once handed over, close() ends the connection; before that, nobody else would.
    if (!handedOver) conn.end();
  }
}

async function pushSftp(src: SftpSource, ctx: PullContext): Promise<PullResult> {
  const columns = ctx.target.fields.map((f) => f.name);
  const all: Record<string, unknown>[] = [];
  for await (const page of ctx.readTarget()) all.push(...page);
  const csv = toCsv(columns, all);
  const name = `${ctx.target.name}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}.csv`;
  const { conn, sftp } = await connect(src, ctx);
  try {
    const tmp = path.join(src.remoteDir, `.${name}.part`);
    try {
      await p<void>((cb) => sftp.writeFile(tmp, Buffer.from(csv, 'utf8'), (e) => cb(e, undefined)));
      await p<void>((cb) => sftp.rename(tmp, path.join(src.remoteDir, name), (e) => cb(e, undefined)));
    } catch (e) {
      throw new ConnectorError(`cannot write ${name} to ${src.remoteDir}: ${(e as Error).message}`, true, { cause: e });
    }
  } finally {
    conn.end();
  }
  return { slices: inHand([]), cursor: ctx.cursor, pushed: all.length };
}
