/**
 * The gateway's survey API from the tablet. Reads go straight to the API (the service worker
 * answers with the last copy when the gateway is unreachable). Manual entries may be queued when
 * the gateway cannot be reached (queue.ts); instrument captures, compute and sign need it.
 */
import type { AuditEntry, InstrumentView, LivePoint, PhotoView, SessionView, VesselSummary } from '../../survey/types.js';
import { enqueue } from './queue.js';

export type { AuditEntry, InstrumentView, LivePoint, PhotoView, SessionView, VesselSummary };

export interface Issue {
  code: string;
  message: string;
  text: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

/** The gateway did not answer (network error, or the service worker's offline answer). */
export class OfflineError extends Error {}

export const API = '/api/survey';

async function parse<T>(res: Response): Promise<T> {
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? ((await res.json()) as unknown) : await res.text();
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string; issues?: Issue[] } })?.error;
    if (res.status === 503 && e?.code === 'OFFLINE') throw new OfflineError('gateway unreachable');
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? String(body).slice(0, 300), e?.issues ?? []);
  }
  return body as T;
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new OfflineError('gateway unreachable');
  }
  return parse<T>(res);
}

export const getJson = <T>(url: string): Promise<T> => call<T>(url);

export function sendJson<T>(method: 'POST' | 'PUT' | 'DELETE', url: string, body: unknown): Promise<T> {
  return call<T>(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export type Sent<T> = { queued: false; value: T } | { queued: true };

/** Sends, or queues on the tablet when the gateway cannot be reached. */
export async function sendOrQueue<T>(method: 'POST' | 'PUT' | 'DELETE', url: string, body: unknown, label: string, sessionId?: string): Promise<Sent<T>> {
  try {
    return { queued: false, value: await sendJson<T>(method, url, body) };
  } catch (e) {
    if (!(e instanceof OfflineError)) throw e;
    await enqueue({ method, url, body: JSON.stringify(body), contentType: 'application/json', label, ...(sessionId ? { sessionId } : {}) });
    return { queued: true };
  }
}

/** Uploads a photo, or queues its bytes when offline. */
export async function uploadPhoto(sessionId: string, file: Blob, caption: string, operator: string, label: string): Promise<Sent<PhotoView>> {
  const url = `${API}/sessions/${sessionId}/photos?${new URLSearchParams({ caption, operator })}`;
  const type = file.type || 'application/octet-stream';
  try {
    return { queued: false, value: await call<PhotoView>(url, { method: 'POST', headers: { 'content-type': type }, body: file }) };
  } catch (e) {
    if (!(e instanceof OfflineError)) throw e;
    await enqueue({ method: 'POST', url, body: file, contentType: type, label, sessionId });
    return { queued: true };
  }
}

export const sessionUrl = (id: string, rest = '') => `${API}/sessions/${encodeURIComponent(id)}${rest}`;

export interface VesselRecordView {
  summary: VesselSummary;
  record: {
    particulars: { name: string; imo: string; lbp_m: number; breadth_m?: number; lightship_t?: number };
    tanks: { name: string; contents: string; reference_height_m?: number }[];
  };
}
