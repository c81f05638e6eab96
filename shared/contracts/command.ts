/**
 * Commands down to a gateway and their results up (../shared/DESIGN.md §3). The edge answers each
 * command id exactly once, even after a restart; the cloud stores the first answer and ignores repeats.
 */
import { z } from 'zod';

const tsSchema = z.number().int().nonnegative();

export const commandSchema = z
  .object({
    /** Unique per command (the cloud uses a UUID). */
    id: z.string().min(1).max(64),
    /** What the command acts on: a device id, or "gateway" for the gateway itself. */
    target: z.string().min(1).max(128),
    /** Operation name, e.g. "write", "led.text", "queue.call", "config.reload". */
    op: z.string().min(1).max(64),
    args: z.record(z.string(), z.json()),
    /** Milliseconds since the epoch after which the edge answers `expired` instead of acting. */
    expiresAt: tsSchema,
  })
  .strict();
export type Command = z.infer<typeof commandSchema>;

export const COMMAND_STATUSES = ['done', 'rejected', 'expired'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export const commandResultSchema = z
  .object({
    id: z.string().min(1).max(64),
    status: z.enum(COMMAND_STATUSES),
    detail: z.string().max(1000),
    /** When the edge decided, ms since the epoch (optional). */
    ts: tsSchema.optional(),
  })
  .strict();
export type CommandResult = z.infer<typeof commandResultSchema>;
