/**
 * Entries made while the gateway API is unreachable wait in IndexedDB (database
 * "quayside-tablet", store "outbox") and are replayed in order when it answers again. A replayed
 * entry that the gateway refuses (4xx) is dropped from the queue and reported; a network error
 * stops the replay until the next try.
 */
export interface QueuedRequest {
  id?: number;
  method: 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** JSON text, or the bytes of a photo. */
  body: string | Blob;
  contentType: string;
  /** What the inspector sees in the pending list. */
  label: string;
  sessionId?: string;
  created: number;
}

export interface ReplayFailure {
  item: QueuedRequest;
  status: number;
  message: string;
}

const DB = 'quayside-tablet';
const STORE = 'outbox';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB cannot be opened'));
  });
}

async function tx<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const r = run(t.objectStore(STORE));
      t.oncomplete = () => resolve(r.result);
      t.onerror = () => reject(t.error ?? new Error('IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}

const listeners = new Set<() => void>();
export function onQueueChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}
const changed = () => listeners.forEach((f) => f());

export async function enqueue(item: Omit<QueuedRequest, 'id' | 'created'>): Promise<void> {
  await tx('readwrite', (s) => s.add({ ...item, created: Date.now() }));
  changed();
}

export function pendingRequests(): Promise<QueuedRequest[]> {
  return tx('readonly', (s) => s.getAll() as IDBRequest<QueuedRequest[]>);
}

async function remove(id: number): Promise<void> {
  await tx('readwrite', (s) => s.delete(id));
}

let replaying: Promise<{ sent: number; failures: ReplayFailure[] }> | undefined;

/** Sends the queued requests in order; stops at the first network error. */
export function replay(): Promise<{ sent: number; failures: ReplayFailure[] }> {
  replaying ??= (async () => {
    let sent = 0;
    const failures: ReplayFailure[] = [];
    try {
      for (const item of await pendingRequests()) {
        let res: Response;
        try {
          res = await fetch(item.url, { method: item.method, headers: { 'content-type': item.contentType }, body: item.body });
        } catch {
          break; // still offline
        }
        if (res.status === 503 && res.headers.get('content-type')?.includes('json')) {
          const body = (await res.clone().json().catch(() => null)) as { error?: { code?: string } } | null;
          if (body?.error?.code === 'OFFLINE') break;
        }
        if (res.status >= 500) break; // the gateway is there but not well: try later
        if (!res.ok) {
          const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
          failures.push({ item, status: res.status, message: body?.error?.message ?? res.statusText });
        } else {
          sent++;
        }
        await remove(item.id!);
      }
    } finally {
      replaying = undefined;
      changed();
    }
    return { sent, failures };
  })();
  return replaying;
}
