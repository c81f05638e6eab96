/**
 * The console's live-update bus: modules publish typed events with an audience (the permission a reader
 * needs, and the enterprise or user the event belongs to); each server-sent-events client gets only what
 * its principal may see — an enterprise user only its own enterprise's events. The last `keep` events stay
 * in a ring so a reconnecting client (Last-Event-ID) misses nothing. A subscriber that throws is dropped;
 * the publisher never sees its failure.
 */
import type { Permission } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';

export const EVENT_TYPES = ['alarm', 'gateway', 'task', 'appointment', 'quarantine', 'queue', 'notice'] as const;
export type ConsoleEventType = (typeof EVENT_TYPES)[number];

export interface Audience {
  /** What a reader must hold. */
  permission: Permission;
  /** The enterprise the event concerns: enterprise users see only events of their own. Null: customs only. */
  enterpriseId: string | null;
  /** Addressed to one user only (notices). */
  userId?: string | null;
}

export interface ConsoleEvent {
  id: number;
  type: ConsoleEventType;
  data: unknown;
  audience: Audience;
  /** The SSE frame, built once. */
  frame: string;
}

export interface Subscriber {
  principal: Principal;
  send(frame: string): void;
}

/** May this principal see this event? */
export function visibleTo(p: Principal, a: Audience): boolean {
  if (!p.permissions.has(a.permission)) return false;
  if (a.userId) return p.userId === a.userId;
  if (p.enterpriseId !== null) return a.enterpriseId === p.enterpriseId;
  // Customs staff see everything of a permission they hold, except notices meant for an enterprise.
  return a.permission !== 'auth.self' || a.enterpriseId === null;
}

export class EventHub {
  private nextId = 1;
  private readonly ring: ConsoleEvent[] = [];
  private readonly subs = new Set<Subscriber>();
  private published = 0;

  constructor(private readonly keep = 500) {}

  publish(type: ConsoleEventType, data: unknown, audience: Audience): ConsoleEvent {
    const id = this.nextId++;
    const frame = `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    const evt: ConsoleEvent = { id, type, data, audience, frame };
    this.ring.push(evt);
    if (this.ring.length > this.keep) this.ring.shift();
    this.published++;
    for (const s of this.subs) {
      if (!visibleTo(s.principal, audience)) continue;
      try {
        s.send(frame);
      } catch {
        this.subs.delete(s);
      }
    }
    return evt;
  }

  /** Subscribes; events after `lastEventId` still in the ring are sent first. Returns the unsubscribe. */
  subscribe(s: Subscriber, lastEventId?: number): () => void {
    if (lastEventId !== undefined && Number.isFinite(lastEventId)) {
      for (const e of this.ring) if (e.id > lastEventId && visibleTo(s.principal, e.audience)) s.send(e.frame);
    }
    this.subs.add(s);
    return () => this.subs.delete(s);
  }

  get clients(): number {
    return this.subs.size;
  }

  /** Distinct users with a live stream. */
  get streamingUsers(): number {
    return new Set([...this.subs].map((s) => s.principal.userId ?? s.principal.username)).size;
  }

  get count(): number {
    return this.published;
  }
}
