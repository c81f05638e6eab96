/** Reading typed parameters out of a profile's / config's loose `params` record. */
export type ParamValue = number | string | boolean;
export type Params = Readonly<Record<string, ParamValue | undefined>>;

export function num(p: Params, key: string, fallback: number): number {
  const v = p[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return fallback;
}

export function str(p: Params, key: string, fallback: string): string {
  const v = p[key];
  return v === undefined ? fallback : String(v);
}

export function bool(p: Params, key: string, fallback: boolean): boolean {
  const v = p[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1) return true;
  if (v === 'false' || v === 0) return false;
  return fallback;
}

export function clamp(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}

export function lerp(a: number, b: number, f: number): number {
  return a + (b - a) * f;
}

export const HOUR_MS = 3_600_000;
/** Standard gravity (m/s²); level probes are configured with it. */
export const G = 9.80665;
