/**
 * Downlink commands (../shared/DESIGN.md §3): `qs/v1/{gw}/down/cmd` → validate → run once → answer
 * `{id, status, detail}` on `up/ack`.
 *
 * Exactly one answer per id, the effect at most once, even across restarts and redeliveries:
 *   - the commands table is looked up first: a known id gets its stored answer again (or nothing yet,
 *     while it still runs in this process);
 *   - a new id is written `running` BEFORE its effect starts, then answered; a row still `running` at the
 *     next start was interrupted by a crash: it is answered `rejected` and never run again (the effect may
 *     or may not have happened, so running it again could double it);
 *   - answers the broker has not taken (link down) are kept and published on the next connect.
 * A command whose `expiresAt` has passed is answered `expired` and not run. An invalid command with a
 * readable id is answered `rejected` with the reason; one without an id is only logged.
 *
 * Operations:
 *   led.text    target: an LED display;    args {text, line?: 1|2 (1)}               → writes line1/line2
 *   queue.call  target: a queue terminal;  args {window, ticket, text?, led?, ledLine?} → terminal display, and the LED
 *   config.set  target: a device, or "gateway"; args {key, value}, whitelisted:
 *                 device pollIntervalMs (50…3600000), device enabled (true/false), gateway log.level
 *               persisted (kv) and applied at once where the running gateway can, else at the next start.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { commandSchema, type Command, type CommandResult, type CommandStatus } from '../../shared/contracts/command.js';
import type { RecordItem } from '../../shared/contracts/envelope.js';
import { isQuaysideError } from '../../shared/errors.js';
import { fieldErrors } from '../../shared/validation.js';
import type { WriteValue } from '../devices/scheduler.js';
import type { WriteResult } from '../devices/types.js';
import { LOG_LEVELS, type LogLevel } from '../logger.js';
import type { CommandStore } from '../store/commands.js';
import { saveDeviceOverride, saveLogLevel, type KvStore } from './overrides.js';

/** What commands may act on: the running gateway, seen through a narrow port. */
export interface CommandTargets {
  /** The profile kind of a device ("led-display", "queue-terminal", …), undefined when there is no such device. */
  deviceKind(id: string): string | undefined;
  /** True for devices read on a schedule (pollIntervalMs applies). */
  isPolled(id: string): boolean;
  /** Through the scheduler, ahead of the device's next poll. */
  write(deviceId: string, point: string, value: WriteValue): Promise<WriteResult>;
  setLogLevel?(level: LogLevel): void;
  /** Applies a device setting to the running gateway; false when it can only apply at the next start. */
  applyDeviceSetting?(deviceId: string, key: 'pollIntervalMs' | 'enabled', value: number | boolean): boolean;
  /**
   * Commands other modules answer (the flows' `flows.*` ops and `flow:<name>` targets): the detail of a
   * `done` answer, or undefined when the command is not theirs. Throws (or rejects) for `rejected`.
   */
  dispatch?(cmd: Command): Promise<string> | undefined;
}

export interface CommandHandlerOptions {
  store: CommandStore;
  kv: KvStore;
  targets: CommandTargets;
  /** Publishes an answer on up/ack (QoS 1); resolves on PUBACK. Rejects when the link is down. */
  publish(result: CommandResult): Promise<void>;
  /** Keeps a business record of an executed command (sent up as a `record`). */
  record?(item: RecordItem): void;
  log: Logger;
  now?: () => number;
  /** Longest a command's effect may take before it is answered rejected (default 30 s). */
  execTimeoutMs?: number;
}

const ledTextArgs = z.object({ text: z.string().max(64), line: z.union([z.literal(1), z.literal(2)]).default(1) }).strict();
const queueCallArgs = z
  .object({
    window: z.number().int().min(1).max(999),
    ticket: z.string().min(1).max(8),
    text: z.string().min(1).max(32).optional(),
    /** An LED display that shows the call too. */
    led: z.string().min(1).max(128).optional(),
    ledLine: z.union([z.literal(1), z.literal(2)]).default(1),
  })
  .strict();
const configSetArgs = z.discriminatedUnion('key', [
  z.object({ key: z.literal('pollIntervalMs'), value: z.number().int().min(50).max(3_600_000) }).strict(),
  z.object({ key: z.literal('enabled'), value: z.boolean() }).strict(),
  z.object({ key: z.literal('log.level'), value: z.enum(LOG_LEVELS) }).strict(),
]);

export const COMMAND_OPS = ['led.text', 'queue.call', 'config.set'] as const;

class Refusal extends Error {}

function argsError(e: z.ZodError): string {
  return fieldErrors(e)
    .map((x) => `args.${x.path === '(root)' ? '' : x.path}: ${x.message}`.replace('args.: ', 'args: '))
    .join('; ');
}

export interface CommandCounters {
  received_total: number;
  executed_total: number;
  duplicates_total: number;
  expired_total: number;
  rejected_total: number;
  invalid_total: number;
  answers_published_total: number;
}

export class CommandHandler {
  private readonly running = new Map<string, Promise<void>>();
  readonly counters: CommandCounters = { received_total: 0, executed_total: 0, duplicates_total: 0, expired_total: 0, rejected_total: 0, invalid_total: 0, answers_published_total: 0 };
  private stopped = false;

  constructor(private readonly o: CommandHandlerOptions) {}

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  /** At start: commands a previous process left running are answered rejected, never run again. */
  recover(): number {
    const rows = this.o.store.running();
    for (const r of rows) {
      this.o.store.answer(r.id, 'rejected', 'interrupted: the gateway stopped while this command ran; it is not run again (its effect may or may not have happened)', this.now());
      this.o.log.warn({ id: r.id, op: r.op, target: r.target }, 'command interrupted by a restart: answered rejected');
    }
    return rows.length;
  }

  /** A message on down/cmd. Never throws. */
  onMessage(payload: Buffer): void {
    if (this.stopped) return;
    this.counters.received_total++;
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch (e) {
      this.counters.invalid_total++;
      this.o.log.warn({ err: (e as Error).message, bytes: payload.length }, 'command is not JSON; ignored (no id to answer)');
      return;
    }
    const id = typeof body === 'object' && body !== null && typeof (body as { id?: unknown }).id === 'string' ? (body as { id: string }).id : undefined;
    if (id === undefined || id.length === 0 || id.length > 64) {
      this.counters.invalid_total++;
      this.o.log.warn({ body: JSON.stringify(body).slice(0, 300) }, 'command without a usable id; ignored');
      return;
    }
    try {
      const known = this.o.store.get(id);
      if (known) {
        this.counters.duplicates_total++;
        if (known.status === 'running') {
          this.o.log.info({ id }, 'command redelivered while it runs; it will be answered once');
          return;
        }
        this.o.log.info({ id, status: known.status }, 'command redelivered: the stored answer is sent again, the effect does not run again');
        this.publish({ id, status: known.status, detail: known.detail ?? '', ts: known.answeredAt ?? undefined });
        return;
      }
      const parsed = commandSchema.safeParse(body);
      if (!parsed.success) {
        this.counters.invalid_total++;
        const detail = fieldErrors(parsed.error)
          .map((e) => `${e.path}: ${e.message}`)
          .join('; ')
          .slice(0, 1000);
        this.answerNew({ id, op: null, target: null, args: undefined, expiresAt: null }, 'rejected', `invalid command: ${detail}`);
        return;
      }
      const cmd = parsed.data;
      const row = { id, op: cmd.op, target: cmd.target, args: cmd.args, expiresAt: cmd.expiresAt };
      const now = this.now();
      if (cmd.expiresAt <= now) {
        this.counters.expired_total++;
        this.answerNew(row, 'expired', `expired ${now - cmd.expiresAt} ms before it arrived (expiresAt ${new Date(cmd.expiresAt).toISOString()})`);
        return;
      }
      // Written before the effect runs: whatever happens next, this id never runs twice.
      if (!this.o.store.insert(row, now)) return;
      const p = this.execute(cmd).finally(() => this.running.delete(id));
      this.running.set(id, p);
    } catch (e) {
      this.o.log.error({ err: e, id }, 'command handling failed');
    }
  }

  private answerNew(row: { id: string; op: string | null; target: string | null; args: unknown; expiresAt: number | null }, status: CommandStatus, detail: string): void {
    const now = this.now();
    if (!this.o.store.insert(row, now, { status, detail })) return;
    if (status === 'rejected') this.counters.rejected_total++;
    this.o.log.info({ id: row.id, op: row.op, status, detail }, `command ${status}`);
    this.publish({ id: row.id, status, detail, ts: now });
  }

  private async execute(cmd: Command): Promise<void> {
    let status: CommandStatus;
    let detail: string;
    const limit = this.o.execTimeoutMs ?? 30_000;
    let t: NodeJS.Timeout | undefined;
    try {
      detail = await Promise.race([
        this.effect(cmd),
        new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Refusal(`no result within ${limit} ms`)), limit))),
      ]);
      status = 'done';
      this.counters.executed_total++;
    } catch (e) {
      status = 'rejected';
      this.counters.rejected_total++;
      detail = e instanceof Refusal ? e.message : isQuaysideError(e) ? `${e.code}: ${e.message}` : `failed: ${(e as Error).message}`;
    } finally {
      if (t) clearTimeout(t);
    }
    detail = detail.slice(0, 1000);
    const now = this.now();
    try {
      this.o.store.answer(cmd.id, status, detail, now);
    } catch (e) {
      this.o.log.error({ err: e, id: cmd.id }, 'command answer could not be stored');
    }
    this.o.log.info({ id: cmd.id, op: cmd.op, target: cmd.target, status, detail }, `command ${status}`);
    if (status === 'done' && this.o.record) {
      try {
        this.o.record({ id: cmd.id, ts: now, type: cmd.op, data: { target: cmd.target, args: cmd.args, status, detail } });
      } catch (e) {
        this.o.log.warn({ err: e, id: cmd.id }, 'command record could not be queued');
      }
    }
    this.publish({ id: cmd.id, status, detail, ts: now });
  }

  /** Runs the effect; resolves with the detail of a `done` answer, throws (Refusal or a driver error) for `rejected`. */
  private async effect(cmd: Command): Promise<string> {
    const t = this.o.targets;
    switch (cmd.op) {
      case 'led.text': {
        const a = ledTextArgs.safeParse(cmd.args);
        if (!a.success) throw new Refusal(argsError(a.error));
        this.expectKind(cmd.target, 'led-display');
        const r = await t.write(cmd.target, `line${a.data.line}`, a.data.text);
        return `${cmd.target} line ${a.data.line} shows ${JSON.stringify(a.data.text)}${r.confirmed ? ' (confirmed by read-back)' : ''}`;
      }
      case 'queue.call': {
        const a = queueCallArgs.safeParse(cmd.args);
        if (!a.success) throw new Refusal(argsError(a.error));
        this.expectKind(cmd.target, 'queue-terminal');
        if (a.data.led !== undefined) this.expectKind(a.data.led, 'led-display');
        const text = a.data.text ?? `请 ${a.data.ticket} 到 ${a.data.window} 号窗口`;
        await t.write(cmd.target, 'display', { window: a.data.window, ticket: a.data.ticket, text });
        const shown = `${cmd.target} calls ${a.data.ticket} to window ${a.data.window}`;
        if (a.data.led === undefined) return shown;
        try {
          await t.write(a.data.led, `line${a.data.ledLine}`, text);
        } catch (e) {
          throw new Refusal(`${shown}, but the LED ${a.data.led} failed: ${isQuaysideError(e) ? `${e.code}: ${e.message}` : (e as Error).message}`);
        }
        return `${shown}; ${a.data.led} line ${a.data.ledLine} shows ${JSON.stringify(text)}`;
      }
      case 'config.set':
        return this.configSet(cmd);
      default: {
        const other = t.dispatch?.(cmd);
        if (other) return other;
        throw new Refusal(`unknown op ${JSON.stringify(cmd.op)} (known: ${COMMAND_OPS.join(', ')}${t.dispatch ? ', and flows.list, flows.deploy, flows.rollback or a "flow:<name>" target where flows run' : ''})`);
      }
    }
  }

  private configSet(cmd: Command): string {
    const a = configSetArgs.safeParse(cmd.args);
    if (!a.success) throw new Refusal(`${argsError(a.error)} (allowed keys: pollIntervalMs, enabled for a device; log.level for "gateway")`);
    const t = this.o.targets;
    const s = a.data;
    if (s.key === 'log.level') {
      if (cmd.target !== 'gateway') throw new Refusal('log.level is a setting of the target "gateway"');
      saveLogLevel(this.o.kv, s.value);
      t.setLogLevel?.(s.value);
      return `log.level set to ${s.value} (applied and saved)`;
    }
    if (t.deviceKind(cmd.target) === undefined) throw new Refusal(`no device ${JSON.stringify(cmd.target)}`);
    if (s.key === 'pollIntervalMs' && !t.isPolled(cmd.target)) throw new Refusal(`${cmd.target} streams by itself; pollIntervalMs does not apply`);
    saveDeviceOverride(this.o.kv, cmd.target, s.key, s.value);
    const live = t.applyDeviceSetting?.(cmd.target, s.key, s.value) ?? false;
    return `${cmd.target} ${s.key} set to ${String(s.value)} (saved; ${live ? 'applied now' : 'takes effect at the next start of the gateway'})`;
  }

  private expectKind(id: string, kind: string): void {
    const k = this.o.targets.deviceKind(id);
    if (k === undefined) throw new Refusal(`no device ${JSON.stringify(id)}`);
    if (k !== kind) throw new Refusal(`${id} is a ${k}, not a ${kind}`);
  }

  private publish(r: CommandResult): void {
    const result: CommandResult = r.ts === undefined ? { id: r.id, status: r.status, detail: r.detail } : r;
    this.o.publish(result).then(
      () => {
        this.counters.answers_published_total++;
        try {
          this.o.store.markPublished(r.id, this.now());
        } catch {
          /* the store is closing: the answer goes out again next time, and the cloud ignores repeats */
        }
      },
      () => undefined, // link down: publishPending() sends it on the next connect
    );
  }

  /** Sends every stored answer the broker has not taken yet (on connect). */
  publishPending(): number {
    const rows = this.o.store.unpublished();
    for (const r of rows) this.publish({ id: r.id, status: r.status as CommandStatus, detail: r.detail ?? '', ts: r.answeredAt ?? undefined });
    return rows.length;
  }

  /** Stops taking commands; waits (bounded) for those running. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopped = true;
    if (!this.running.size) return;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running.values()]), new Promise((r) => (t = setTimeout(r, timeoutMs)))]);
    if (t) clearTimeout(t);
  }
}
