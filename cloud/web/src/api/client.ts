/**
 * The console's one way to the server: same-origin fetch with the session cookie, the CSRF header on
 * every state-changing request, JSON in and out, and the server's `{error:{code,message}}` turned into
 * an ApiError. A 401 tells the session layer (the user is sent back to the login page).
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The parsed JSON body of the answer, when it had one (some routes answer a failure with a result). */
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The header the server checks on POST/PUT/PATCH/DELETE, and the token it gave us. */
export const CSRF_HEADER = 'x-csrf-token';
let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

/** Also read from a readable `csrf` cookie, for a server that sets a double-submit cookie. */
function currentCsrf(): string | null {
  if (csrfToken) return csrfToken;
  const m = /(?:^|;\s*)(?:qs_csrf|csrf|XSRF-TOKEN)=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]!) : null;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, q?: Query): string {
  if (!q) return path;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

async function request<T>(method: string, path: string, body?: unknown, opts: { raw?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = currentCsrf();
    if (csrf) headers[CSRF_HEADER] = csrf;
  }
  if (body instanceof FormData) init.body = body;
  else if (body instanceof Blob) {
    headers['content-type'] = body.type || 'application/octet-stream';
    init.body = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'NETWORK', (e as Error).message);
  }
  if (res.status === 401 && onUnauthorized && !path.startsWith('/api/auth/')) onUnauthorized();
  if (!res.ok) {
    let code = `HTTP_${res.status}`;
    let message = res.statusText;
    let body: unknown = null;
    try {
      const j = (await res.json()) as { error?: { code?: string; message?: string } };
      body = j;
      if (j.error?.code) code = j.error.code;
      if (j.error?.message) message = j.error.message;
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, code, message, body);
  }
  if (opts.raw) return res as unknown as T;
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const api = {
  get: <T>(path: string, q?: Query) => request<T>('GET', withQuery(path, q)),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body ?? {}),
  del: <T>(path: string) => request<T>('DELETE', path),
  /** A file as the raw request body, its type as Content-Type (e.g. a photo). */
  upload: <T>(path: string, file: Blob) => request<T>('POST', path, file),
};
