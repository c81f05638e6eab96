/** Small helpers shared by the pages. */
import { ApiError } from './api/client.js';
import type { T } from './i18n/index.js';

/** A message a person can act on: the server's own message, prefixed by what kind of failure it was. */
export function errorText(t: T, e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t('error.network');
    if (e.status === 403) return `${t('error.forbidden')}${e.message ? ` (${e.message})` : ''}`;
    if (e.status === 404 && e.code === 'CLOUD_NOT_FOUND') return t('error.notAvailable');
    if (e.status === 429) return t('error.rateLimited');
    return `${e.message || e.code} [${e.code}]`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** The route is not on the server (yet): the page says so instead of failing. */
export function isMissingRoute(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && e.code === 'CLOUD_NOT_FOUND';
}

export function toMs(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    return Number.isFinite(n) ? n : null;
  }
  if (v && typeof v === 'object' && 'valueOf' in v) {
    const n = Number((v as { valueOf(): unknown }).valueOf());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}
