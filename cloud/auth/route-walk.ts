/**
 * Lists every route an Express 4 app serves, with the access it declares: a `permit(…)` in the route's
 * own handlers, a `permit(…)` mounted together with its router (`app.use(path, permit(p), router)`),
 * or — for the older admin routers that guard themselves with `requireAdmin` — the entry of
 * LEGACY_ROUTE_PERMISSIONS for the route's method and full path. A route with none of these has
 * `access: null`: the route-walk test fails on it.
 */
import type { Express } from 'express';
import { legacyPermission, type RouteAccess } from './permissions.js';

export interface RouteEntry {
  method: string;
  path: string;
  access: RouteAccess | null;
  via: 'route' | 'mount' | 'legacy' | null;
}

interface Layer {
  name?: string;
  handle: ((...args: unknown[]) => unknown) & { stack?: Layer[]; access?: RouteAccess; legacyAdmin?: boolean };
  regexp?: RegExp & { fast_slash?: boolean };
  keys?: Array<{ name: string | number }>;
  route?: { path: string | RegExp; methods: Record<string, boolean>; stack: Layer[] };
}

/** The mount path of a router layer, recovered from its regexp (Express 4 keeps only that). */
function mountPath(layer: Layer): string {
  const re = layer.regexp;
  if (!re || re.fast_slash) return '';
  let src = re.source.replace(/^\^/, '').replace(/\\\/\?\(\?=\\\/\|\$\)$/i, '').replace(/\(\?=\\\/\|\$\)$/i, '');
  let k = 0;
  src = src.replace(/\(\?:\(\[\^\\\/\]\+\?\)\)/g, () => `:${String(layer.keys?.[k++]?.name ?? 'param')}`);
  return src.replace(/\\\//g, '/');
}

function walk(stack: Layer[], prefix: string, inherited: RouteAccess | null, out: RouteEntry[]): void {
  const mountedPermits = new Map<string, RouteAccess>();
  const legacy = stack.some((l) => l.handle.legacyAdmin === true);
  for (const layer of stack) {
    if (layer.route) {
      const path = prefix + (typeof layer.route.path === 'string' ? layer.route.path : String(layer.route.path));
      const own = layer.route.stack.find((l) => l.handle.access !== undefined)?.handle.access;
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (!on || method === '_all') continue;
        const m = method.toUpperCase();
        const fromLegacy = legacy ? legacyPermission(m, path.replace(/\/$/, '') || '/') : undefined;
        const access = own ?? inherited ?? fromLegacy ?? null;
        out.push({ method: m, path: path.length > 1 ? path.replace(/\/$/, '') : path, access, via: own ? 'route' : inherited ? 'mount' : fromLegacy ? 'legacy' : null });
      }
    } else if (layer.name === 'router' && layer.handle.stack) {
      const key = layer.regexp?.source ?? '';
      walk(layer.handle.stack, prefix + mountPath(layer), mountedPermits.get(key) ?? inherited, out);
    } else if (layer.handle.access !== undefined && layer.regexp) {
      mountedPermits.set(layer.regexp.source, layer.handle.access);
    }
  }
}

export function listRoutes(app: Express): RouteEntry[] {
  const router = (app as unknown as { _router?: { stack: Layer[] } })._router;
  const out: RouteEntry[] = [];
  if (router) walk(router.stack, '', null, out);
  return out;
}
