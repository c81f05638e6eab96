/**
 * First start of a gateway: with `cloud.enrolment {url, token}` in its config and no stored credentials,
 * the gateway calls the cloud's `POST /api/enrol {gatewayId, token}` once and keeps what it gets (MQTT
 * username/password/client id, broker URLs, the CA to trust) in `{dataDir}/cloud-credentials.json`, mode
 * 0600, written atomically. Later starts read that file; the one-time token is burnt by then.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { z } from 'zod';
import { ERRORS, QuaysideError, type ErrorCode } from '../../shared/errors.js';

export const CREDENTIALS_FILE = 'cloud-credentials.json';

export const storedCredentialsSchema = z
  .object({
    gatewayId: z.string().min(1),
    username: z.string().min(1),
    password: z.string().min(1),
    clientId: z.string().min(1).max(64),
    mqtt: z.object({ tcp: z.string().nullable(), tls: z.string().nullable() }),
    ca: z.string().nullable(),
    enrolledAt: z.number().int(),
    cloud: z.string().min(1),
  })
  .strict();
export type StoredCredentials = z.infer<typeof storedCredentialsSchema>;

const enrolAnswerSchema = z.object({
  gatewayId: z.string().min(1),
  username: z.string().min(1),
  password: z.string().min(1),
  clientId: z.string().min(1).max(64),
  mqtt: z.object({ tcp: z.string().nullable(), tls: z.string().nullable() }),
  ca: z.string().nullable(),
});

export function credentialsPath(dataDir: string): string {
  return path.join(dataDir, CREDENTIALS_FILE);
}

/** The stored credentials, or undefined when there are none. A damaged file is an error (never silently re-enrol). */
export function readCredentials(dataDir: string): StoredCredentials | undefined {
  const file = credentialsPath(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new QuaysideError('CONFIG_UNREADABLE', `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new QuaysideError('CONFIG_UNREADABLE', `${file}: not JSON (${(e as Error).message})`, { cause: e });
  }
  const r = storedCredentialsSchema.safeParse(raw);
  if (!r.success) throw new QuaysideError('CONFIG_INVALID', `${file}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Writes the file with mode 0600 (temp file + rename, so a crash never leaves half a file). */
export function writeCredentials(dataDir: string, c: StoredCredentials): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = credentialsPath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(c, null, 2));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return file;
}

function post(url: URL, body: string, opts: { ca?: string; timeoutMs: number }): Promise<{ status: number; text: string }> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: opts.timeoutMs, ...(opts.ca ? { ca: opts.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface EnrolOptions {
  /** The cloud API base URL. */
  url: string;
  token: string;
  gatewayId: string;
  dataDir: string;
  /** Extra CA (PEM) for an https enrolment URL. */
  ca?: string;
  timeoutMs?: number;
}

/**
 * Enrols and stores the credentials. A refusal by the cloud (wrong, used or expired token) throws its
 * catalogue code (CLOUD_ENROL_TOKEN…) and is not worth retrying; a network failure throws a retryable error.
 */
export async function enrol(o: EnrolOptions): Promise<StoredCredentials> {
  const url = new URL('api/enrol', o.url.endsWith('/') ? o.url : `${o.url}/`);
  let res: { status: number; text: string };
  try {
    res = await post(url, JSON.stringify({ gatewayId: o.gatewayId, token: o.token }), { timeoutMs: o.timeoutMs ?? 15_000, ...(o.ca ? { ca: o.ca } : {}) });
  } catch (e) {
    throw new EnrolUnreachable(`${url.href}: ${(e as Error).message}`, e);
  }
  if (res.status !== 201 && res.status !== 200) {
    let code: string | undefined;
    let message = res.text.slice(0, 300);
    try {
      const b = JSON.parse(res.text) as { error?: { code?: string; message?: string } };
      code = b.error?.code;
      message = b.error?.message ?? message;
    } catch {
      /* not JSON */
    }
    if (res.status >= 500 || res.status === 429) throw new EnrolUnreachable(`${url.href}: HTTP ${res.status} ${message}`);
    const known: ErrorCode = code && code in ERRORS ? (code as ErrorCode) : 'CLOUD_ENROL_TOKEN';
    throw new QuaysideError(known, `enrolment of ${o.gatewayId} refused by ${url.origin} (HTTP ${res.status}): ${message}`);
  }
  let answer: z.infer<typeof enrolAnswerSchema>;
  try {
    answer = enrolAnswerSchema.parse(JSON.parse(res.text));
  } catch (e) {
    throw new EnrolUnreachable(`${url.href}: unexpected enrolment answer (${(e as Error).message.slice(0, 200)})`, e);
  }
  if (answer.gatewayId !== o.gatewayId) throw new QuaysideError('CLOUD_ENROL_TOKEN', `the cloud enrolled ${answer.gatewayId}, not ${o.gatewayId}`);
  const stored: StoredCredentials = { ...answer, enrolledAt: Date.now(), cloud: url.origin };
  writeCredentials(o.dataDir, stored);
  return stored;
}

/** The cloud could not be reached (or answered 5xx): try again later. */
export class EnrolUnreachable extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'EnrolUnreachable';
  }
}
