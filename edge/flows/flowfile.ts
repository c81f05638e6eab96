/**
 * Flow files: Node-RED's flow JSON (an array of node objects), checked before it reaches the runtime,
 * plus the shipped default flows in `flows/` at the project root.
 *
 * Every flow that enters the runtime (first-start defaults, the admin API, a cloud deploy, a rollback)
 * passes `capFunctionTimeouts`: a Function node's own `timeout` may be shorter than the gateway's
 * `functionTimeoutS`, never longer or off, so an endless loop is always stopped.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QuaysideError } from '../../shared/errors.js';

/** One node of a flow file (tab, node, config node, subflow, group…). */
export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  [key: string]: unknown;
}

/** The project's default flows. */
export const DEFAULT_FLOWS_DIR = fileURLToPath(new URL('../../flows/', import.meta.url));

/** Most nodes a flow file may have (a large gateway has a few hundred). */
export const MAX_FLOW_NODES = 5000;

/** Types every flow may use besides the registered node types. */
const STRUCTURAL = new Set(['tab', 'subflow', 'group', 'junction']);

/**
 * Checks the shape of a flow file: an array of objects with string `id` and `type`, unique ids,
 * `z` pointing at a tab or subflow of the file, and (when `knownTypes` is given) only types the
 * runtime has (a flow with a missing type would sit half-started). Throws EDGE_FLOWS_INVALID.
 */
export function validateFlowFile(input: unknown, knownTypes?: ReadonlySet<string>): FlowNode[] {
  const problems: string[] = [];
  if (!Array.isArray(input)) throw new QuaysideError('EDGE_FLOWS_INVALID', 'a flow file is a JSON array of nodes');
  if (input.length > MAX_FLOW_NODES) throw new QuaysideError('EDGE_FLOWS_INVALID', `${input.length} nodes; at most ${MAX_FLOW_NODES}`);
  const ids = new Set<string>();
  const containers = new Set<string>();
  input.forEach((n: unknown, i) => {
    if (typeof n !== 'object' || n === null || Array.isArray(n)) {
      problems.push(`[${i}]: not an object`);
      return;
    }
    const node = n as Record<string, unknown>;
    if (typeof node['id'] !== 'string' || !node['id'] || (node['id'] as string).length > 64) problems.push(`[${i}].id: a string of 1–64 characters`);
    if (typeof node['type'] !== 'string' || !node['type']) problems.push(`[${i}].type: a non-empty string`);
    if (typeof node['id'] === 'string') {
      if (ids.has(node['id'])) problems.push(`[${i}].id: duplicate "${node['id']}"`);
      ids.add(node['id']);
      if (node['type'] === 'tab' || node['type'] === 'subflow') containers.add(node['id']);
    }
  });
  if (problems.length === 0) {
    const unknown = new Set<string>();
    for (const [i, n] of (input as FlowNode[]).entries()) {
      if (n.z !== undefined && n.z !== '' && !containers.has(String(n.z))) problems.push(`[${i}] "${n.id}": z "${String(n.z)}" is no tab or subflow of this file`);
      if (knownTypes && !STRUCTURAL.has(n.type) && !(n.type.startsWith('subflow:') && containers.has(n.type.slice(8))) && !knownTypes.has(n.type)) unknown.add(n.type);
    }
    if (unknown.size) problems.push(`node types this gateway does not have: ${[...unknown].sort().join(', ')}`);
  }
  if (problems.length) {
    const shown = problems.slice(0, 12).join('; ');
    throw new QuaysideError('EDGE_FLOWS_INVALID', problems.length > 12 ? `${shown}; … ${problems.length - 12} more` : shown);
  }
  return input as FlowNode[];
}

/** Caps every Function node's timeout at `maxS` seconds (0 or missing = the cap). Returns a copy and how many changed. */
export function capFunctionTimeouts(flows: readonly FlowNode[], maxS: number): { flows: FlowNode[]; capped: number } {
  let capped = 0;
  const out = flows.map((n) => {
    if (n.type !== 'function') return n;
    const t = Number(n['timeout']);
    if (Number.isFinite(t) && t > 0 && t <= maxS) return n;
    capped++;
    return { ...n, timeout: maxS };
  });
  return { flows: out, capped };
}

/** JSON with object keys sorted, for hashing. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** SHA-256 of a flow file, independent of node order and key order (credentials left out). */
export function flowHash(flows: readonly FlowNode[]): string {
  const sorted = [...flows].map(({ credentials: _c, ...rest }) => rest).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return crypto.createHash('sha256').update(canonical(sorted)).digest('hex');
}

/** The default flow files (`flows/*.json`), each one tab, joined into one flow file. */
export function loadDefaultFlows(dir = DEFAULT_FLOWS_DIR): { flows: FlowNode[]; files: string[]; tabs: string[] } {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const flows: FlowNode[] = [];
  for (const f of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    } catch (e) {
      throw new QuaysideError('EDGE_FLOWS_INVALID', `${f}: not JSON (${(e as Error).message})`);
    }
    try {
      flows.push(...validateFlowFile(parsed));
    } catch (e) {
      throw new QuaysideError('EDGE_FLOWS_INVALID', `${f}: ${(e as Error).message}`);
    }
  }
  const all = validateFlowFile(flows);
  return { flows: all, files, tabs: all.filter((n) => n.type === 'tab').map((n) => n.id) };
}

/**
 * Puts the default tabs into a flow file: `replace` = defaults only; `merge` = the current flows with
 * each default tab (and its nodes) replaced by the shipped one, other tabs untouched.
 */
export function withDefaults(current: readonly FlowNode[], defaults: readonly FlowNode[], mode: 'merge' | 'replace'): FlowNode[] {
  if (mode === 'replace') return [...defaults];
  const ids = new Set(defaults.map((n) => n.id));
  const tabs = new Set(defaults.filter((n) => n.type === 'tab').map((n) => n.id));
  const kept = current.filter((n) => !ids.has(n.id) && !(n.z !== undefined && tabs.has(String(n.z))));
  return [...kept, ...defaults];
}
