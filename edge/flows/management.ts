/**
 * Flow management from the cloud (downlink commands, issue 6 §4): list the gateway's flows, deploy a
 * reviewed flow file as a named version, roll back.
 *
 * Versions live in the userDir (`quayside-versions/`): one file per version (`<version>.json`, the flow
 * file as deployed) and `index.json` with each version's hash, source and time, plus the stack of
 * deployed versions (deploy pushes, rollback pops). Before a deploy or rollback replaces flows that an
 * admin changed in the editor since the last versioned deploy, those flows are kept as a version
 * `local-<time>`, so a rollback can bring the admin's work back. A version's content never changes: a
 * deploy under an existing name with different content is refused.
 *
 * `flowCommandHandlers` adapts this to the sync module's command dispatcher (edge/sync/commands.ts):
 *   op "flows.list"      target "gateway"|"flows"  args {}                                  → JSON summary
 *   op "flows.deploy"    target "gateway"|"flows"  args {version, flows: [...], note?}       → deployed
 *   op "flows.rollback"  target "gateway"|"flows"  args {version?}                          → rolled back
 *   any op               target "flow:<name>"                                                → delivered to that
 *                        flow's `quay command in` nodes (rejected when none listens)
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { QuaysideError } from '../../shared/errors.js';
import { fieldErrors } from '../../shared/validation.js';
import { capFunctionTimeouts, flowHash, validateFlowFile, withDefaults, type FlowNode } from './flowfile.js';

/** What management needs of the running Node-RED (runtime.ts implements it over RED.runtime). */
export interface FlowRuntimePort {
  getFlows(): Promise<{ flows: FlowNode[]; rev: string }>;
  /** Full deploy; resolves with the new revision once the flows are saved and (re)started. */
  setFlows(flows: FlowNode[], user: string): Promise<{ rev: string }>;
  /** Every node type the runtime has (core, quay palette). */
  knownTypes(): Promise<ReadonlySet<string>>;
}

export type VersionSource = 'cloud' | 'defaults' | 'snapshot' | 'admin' | 'rollback';

export interface FlowVersion {
  version: string;
  sha256: string;
  savedAt: number;
  source: VersionSource;
  nodes: number;
  tabs: number;
  note?: string;
}

interface VersionIndex {
  versions: FlowVersion[];
  /** Deployed versions, oldest first; the last one is what should be running. */
  stack: string[];
}

export interface FlowSummary {
  id: string;
  label: string;
  disabled: boolean;
  nodes: number;
}

export interface FlowList {
  current: { version: string | null; modified: boolean; rev: string; sha256: string };
  flows: FlowSummary[];
  versions: FlowVersion[];
  stack: string[];
}

export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

export interface FlowManagerOptions {
  userDir: string;
  runtime: FlowRuntimePort;
  functionTimeoutS: number;
  keepVersions: number;
  now?: () => number;
}

export class FlowManager {
  private readonly dir: string;
  /** One deploy/rollback at a time. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: FlowManagerOptions) {
    this.dir = path.join(o.userDir, 'quayside-versions');
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  // ------------------------------------------------------------------ the index

  private readIndex(): VersionIndex {
    try {
      const raw = JSON.parse(fs.readFileSync(path.join(this.dir, 'index.json'), 'utf8')) as VersionIndex;
      return { versions: Array.isArray(raw.versions) ? raw.versions : [], stack: Array.isArray(raw.stack) ? raw.stack : [] };
    } catch {
      return { versions: [], stack: [] };
    }
  }

  private writeIndex(ix: VersionIndex): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const tmp = path.join(this.dir, `index.json.${process.pid}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(ix, null, 2));
    fs.renameSync(tmp, path.join(this.dir, 'index.json'));
  }

  private fileOf(version: string): string {
    return path.join(this.dir, `${version}.json`);
  }

  /** Stores a version (idempotent for the same content). */
  private save(ix: VersionIndex, version: string, flows: FlowNode[], source: VersionSource, note?: string): FlowVersion {
    const sha256 = flowHash(flows);
    const known = ix.versions.find((v) => v.version === version);
    if (known) {
      if (known.sha256 !== sha256) throw new QuaysideError('EDGE_FLOWS_INVALID', `version "${version}" exists with other content; give the new flows a new version`);
      return known;
    }
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(this.fileOf(version), JSON.stringify(flows, null, 2));
    const v: FlowVersion = { version, sha256, savedAt: this.now(), source, nodes: flows.length, tabs: flows.filter((n) => n.type === 'tab').length, ...(note ? { note } : {}) };
    ix.versions.push(v);
    return v;
  }

  private load(version: string): FlowNode[] {
    try {
      return validateFlowFile(JSON.parse(fs.readFileSync(this.fileOf(version), 'utf8')));
    } catch (e) {
      throw new QuaysideError('EDGE_FLOWS_VERSION', `version "${version}" cannot be read: ${(e as Error).message}`);
    }
  }

  /** Drops the oldest versions beyond `keepVersions` that the last `keepVersions` stack entries do not use. */
  private trim(ix: VersionIndex): void {
    const keep = this.o.keepVersions;
    ix.stack = ix.stack.slice(-Math.max(keep * 2, keep));
    const used = new Set(ix.stack.slice(-keep));
    while (ix.versions.length > keep) {
      const victim = ix.versions.find((v) => !used.has(v.version));
      if (!victim) break;
      ix.versions = ix.versions.filter((v) => v !== victim);
      ix.stack = ix.stack.filter((s) => s !== victim.version);
      fs.rmSync(this.fileOf(victim.version), { force: true });
    }
  }

  /** Keeps the running flows as a version when they are not the top of the stack (edited in the editor). */
  private async snapshotIfModified(ix: VersionIndex): Promise<void> {
    const { flows } = await this.o.runtime.getFlows();
    const sha = flowHash(flows);
    const top = ix.stack[ix.stack.length - 1];
    const topV = ix.versions.find((v) => v.version === top);
    if (topV?.sha256 === sha) return;
    const same = ix.versions.find((v) => v.sha256 === sha);
    if (same) {
      ix.stack.push(same.version);
      return;
    }
    if (flows.length === 0 && !top) return;
    const name = `local-${new Date(this.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
    this.save(ix, name, flows, 'snapshot', 'flows changed in the editor, kept before a deploy');
    ix.stack.push(name);
  }

  // ------------------------------------------------------------------ the operations

  /** The flows running now, and the versions kept. */
  async list(): Promise<FlowList> {
    const { flows, rev } = await this.o.runtime.getFlows();
    const ix = this.readIndex();
    const sha = flowHash(flows);
    const top = ix.stack[ix.stack.length - 1] ?? null;
    const topV = ix.versions.find((v) => v.version === top);
    const tabs: FlowSummary[] = flows
      .filter((n) => n.type === 'tab')
      .map((t) => ({ id: t.id, label: String(t['label'] ?? t.id), disabled: t['disabled'] === true, nodes: flows.filter((n) => n.z === t.id).length }));
    return { current: { version: top, modified: topV ? topV.sha256 !== sha : flows.length > 0, rev, sha256: sha }, flows: tabs, versions: ix.versions, stack: ix.stack };
  }

  /** Validates, keeps and deploys a flow file under `version`. */
  deploy(flowJson: unknown, version: string, opts: { source?: VersionSource; note?: string; user?: string } = {}): Promise<{ version: string; rev: string; capped: number; unchanged: boolean }> {
    return this.serial(async () => {
      if (!VERSION_PATTERN.test(version)) throw new QuaysideError('EDGE_FLOWS_INVALID', `version "${version}": 1–64 letters, digits, ".", "_", "+" or "-"`);
      const known = await this.o.runtime.knownTypes();
      const { flows, capped } = capFunctionTimeouts(validateFlowFile(flowJson, known), this.o.functionTimeoutS);
      const ix = this.readIndex();
      const existing = ix.versions.find((v) => v.version === version);
      if (existing && existing.sha256 !== flowHash(flows)) throw new QuaysideError('EDGE_FLOWS_INVALID', `version "${version}" exists with other content; give the new flows a new version`);
      const running = await this.o.runtime.getFlows();
      if (ix.stack[ix.stack.length - 1] === version && flowHash(running.flows) === flowHash(flows)) return { version, rev: running.rev, capped, unchanged: true };
      await this.snapshotIfModified(ix);
      this.save(ix, version, flows, opts.source ?? 'cloud', opts.note);
      const { rev } = await this.setFlows(flows, opts.user ?? 'cloud');
      ix.stack.push(version);
      this.trim(ix);
      this.writeIndex(ix);
      return { version, rev, capped, unchanged: false };
    });
  }

  /** Back to the previous deployed version, or to a named one. */
  rollback(to?: string): Promise<{ version: string; from: string | null; rev: string }> {
    return this.serial(async () => {
      const ix = this.readIndex();
      await this.snapshotIfModified(ix);
      const from = ix.stack[ix.stack.length - 1] ?? null;
      let target: string;
      if (to === undefined) {
        // The current version (and repeats of it) come off the stack, down to the one before.
        let at = ix.stack.length - 1;
        while (at >= 0 && ix.stack[at] === from) at--;
        const prev = at >= 0 ? ix.stack[at] : undefined;
        if (!prev) {
          this.writeIndex(ix); // keeps a snapshot of editor changes, if one was just taken
          throw new QuaysideError('EDGE_FLOWS_VERSION', `no version before "${from ?? 'none'}" to roll back to`);
        }
        ix.stack.splice(at + 1);
        target = prev;
      } else {
        if (!ix.versions.some((v) => v.version === to)) throw new QuaysideError('EDGE_FLOWS_VERSION', `"${to}" (kept: ${ix.versions.map((v) => v.version).join(', ') || 'none'})`);
        target = to;
        const at = ix.stack.lastIndexOf(to);
        if (at >= 0) ix.stack.splice(at + 1);
        else ix.stack.push(to);
      }
      const flows = this.load(target);
      const { rev } = await this.setFlows(capFunctionTimeouts(flows, this.o.functionTimeoutS).flows, 'cloud');
      this.writeIndex(ix);
      return { version: target, from, rev };
    });
  }

  /** Puts the shipped default tabs back (merge: other tabs stay; replace: defaults only). */
  async restoreDefaults(defaults: FlowNode[], mode: 'merge' | 'replace', user: string): Promise<{ version: string; rev: string }> {
    const { flows } = await this.o.runtime.getFlows();
    const next = withDefaults(flows, defaults, mode);
    const ix = this.readIndex();
    const sha = flowHash(capFunctionTimeouts(next, this.o.functionTimeoutS).flows);
    const same = ix.versions.find((v) => v.sha256 === sha);
    const version = same?.version ?? (ix.versions.some((v) => v.version === 'defaults') ? `defaults-${this.now()}` : 'defaults');
    const r = await this.deploy(next, version, { source: 'defaults', note: `restore defaults (${mode})`, user });
    return { version: r.version, rev: r.rev };
  }

  /** Records the flows installed at first start as version "defaults" (no deploy: they are loaded from the file). */
  recordInstalledDefaults(flows: FlowNode[]): void {
    const ix = this.readIndex();
    this.save(ix, 'defaults', flows, 'defaults', 'installed at first start');
    if (ix.stack[ix.stack.length - 1] !== 'defaults') ix.stack.push('defaults');
    this.writeIndex(ix);
  }

  private async setFlows(flows: FlowNode[], user: string): Promise<{ rev: string }> {
    try {
      return await this.o.runtime.setFlows(flows, user);
    } catch (e) {
      throw new QuaysideError('EDGE_FLOWS_DEPLOY', (e as Error).message, { cause: e });
    }
  }
}

// ------------------------------------------------------------------ downlink command handlers

/** The part of a downlink command the handlers read (shared/contracts/command.ts). */
export interface FlowCommandInput {
  id: string;
  target: string;
  op: string;
  args: Record<string, unknown>;
  expiresAt: number;
}

/** Resolves with the `detail` of a `done` answer; throws (a QuaysideError) for a `rejected` one. */
export type FlowCommandHandler = (cmd: FlowCommandInput) => Promise<string>;

export const FLOW_COMMAND_OPS = ['flows.list', 'flows.deploy', 'flows.rollback'] as const;
export type FlowCommandOp = (typeof FLOW_COMMAND_OPS)[number];

const deployArgs = z
  .object({
    version: z.string().regex(VERSION_PATTERN, 'version: 1–64 letters, digits, ".", "_", "+" or "-"'),
    flows: z.array(z.record(z.string(), z.unknown())).min(1, 'flows: at least one node').max(5000),
    note: z.string().max(200).optional(),
  })
  .strict();
const rollbackArgs = z.object({ version: z.string().regex(VERSION_PATTERN).optional() }).strict();

function parseArgs<T>(schema: z.ZodType<T>, args: unknown): T {
  const r = schema.safeParse(args);
  if (!r.success) throw new QuaysideError('EDGE_BAD_REQUEST', fieldErrors(r.error).map((e) => `args.${e.path}: ${e.message}`).join('; '));
  return r.data;
}

function expectGatewayTarget(cmd: FlowCommandInput): void {
  if (cmd.target !== 'gateway' && cmd.target !== 'flows') throw new QuaysideError('EDGE_BAD_REQUEST', `${cmd.op} acts on the target "gateway" (or "flows"), not "${cmd.target}"`);
}

/** Delivers a command to the flows' `quay command in` nodes; resolves with the detail. */
export type FlowDispatch = (cmd: FlowCommandInput & { flow: string }) => string;

export interface FlowCommandHandlers {
  /** op → handler, for ops acting on the gateway's flows. */
  readonly ops: Readonly<Record<FlowCommandOp, FlowCommandHandler>>;
  /** True for commands these handlers answer: the ops above, or a target "flow:<name>" (any op). */
  handles(cmd: { target: string; op: string }): boolean;
  /** Runs a command `handles` accepted. */
  run: FlowCommandHandler;
}

/**
 * The handler map for the sync module's command dispatcher. Register it there with
 * `if (flows.handles(cmd)) return flows.run(cmd)` ahead of the "unknown op" refusal.
 */
export function flowCommandHandlers(manager: FlowManager, dispatch: FlowDispatch): FlowCommandHandlers {
  const ops: Record<FlowCommandOp, FlowCommandHandler> = {
    'flows.list': async (cmd) => {
      expectGatewayTarget(cmd);
      const l = await manager.list();
      const body = {
        current: l.current.version,
        modified: l.current.modified,
        rev: l.current.rev,
        flows: l.flows.map((f) => ({ label: f.label, nodes: f.nodes, disabled: f.disabled })),
        versions: l.versions.slice(-10).map((v) => v.version),
      };
      let text = JSON.stringify(body);
      while (text.length > 1000 && body.flows.length) {
        body.flows.pop();
        text = JSON.stringify({ ...body, truncated: true });
      }
      return text.slice(0, 1000);
    },
    'flows.deploy': async (cmd) => {
      expectGatewayTarget(cmd);
      const a = parseArgs(deployArgs, cmd.args);
      const r = await manager.deploy(a.flows, a.version, { source: 'cloud', ...(a.note ? { note: a.note } : {}), user: `cloud:${cmd.id}` });
      if (r.unchanged) return `version ${r.version} is already running (rev ${r.rev})`;
      return `deployed version ${r.version} (${a.flows.length} nodes, rev ${r.rev}${r.capped ? `, ${r.capped} Function node timeout(s) capped` : ''})`;
    },
    'flows.rollback': async (cmd) => {
      expectGatewayTarget(cmd);
      const a = parseArgs(rollbackArgs, cmd.args);
      const r = await manager.rollback(a.version);
      return `rolled back from ${r.from ?? 'none'} to version ${r.version} (rev ${r.rev})`;
    },
  };
  const flowOf = (target: string) => /^flow:([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/.exec(target)?.[1];
  return {
    ops,
    handles: (cmd) => (FLOW_COMMAND_OPS as readonly string[]).includes(cmd.op) || cmd.target.startsWith('flow:'),
    run: async (cmd) => {
      const op = ops[cmd.op as FlowCommandOp];
      if (op && !cmd.target.startsWith('flow:')) return op(cmd);
      const flow = flowOf(cmd.target);
      if (!flow) throw new QuaysideError('EDGE_BAD_REQUEST', `target "${cmd.target}": a flow is addressed as "flow:<name>" (letters, digits, ".", "_", "-")`);
      return dispatch({ ...cmd, flow });
    },
  };
}
