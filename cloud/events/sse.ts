/**
 * GET /api/events/stream — server-sent events for the console. One stream per browser tab; the hub
 * filters per principal. Frames arriving together are written together (one write per stream every
 * `coalesceMs`, 50 ms by default) so a burst to hundreds of streams costs few system calls. A `: ping`
 * comment every 20 s keeps proxies from closing idle streams; a client that cannot keep up (more than
 * 1 MiB unsent) is disconnected and reconnects with Last-Event-ID.
 */
import { Router } from 'express';
import { permit, requirePrincipal } from '../auth/http.js';
import type { EventHub } from './hub.js';

const MAX_BUFFERED = 1024 * 1024;

export function eventsRouter(hub: EventHub, opts: { pingMs?: number; coalesceMs?: number } = {}): Router {
  const coalesceMs = opts.coalesceMs ?? 50;
  const r = Router();
  r.get('/stream', permit('auth.self'), (req, res) => {
    const p = requirePrincipal(res);
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    res.write(`retry: 3000\nevent: hello\ndata: ${JSON.stringify({ userId: p.userId, username: p.username, permissions: [...p.permissions] })}\n\n`);
    let closed = false;
    let pending: string[] = [];
    let timer: NodeJS.Timeout | null = null;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(ping);
      if (timer) clearTimeout(timer);
      unsubscribe();
      res.end();
    };
    const flush = () => {
      timer = null;
      if (closed || pending.length === 0) return;
      const out = pending.length === 1 ? pending[0]! : pending.join('');
      pending = [];
      res.write(out);
    };
    const send = (frame: string) => {
      if (closed) return;
      if (res.writableLength > MAX_BUFFERED) return close();
      pending.push(frame);
      timer ??= setTimeout(flush, coalesceMs);
    };
    const last = Number(req.get('last-event-id') ?? req.query['lastEventId']);
    const unsubscribe = hub.subscribe({ principal: p, send }, Number.isFinite(last) ? last : undefined);
    const ping = setInterval(() => send(': ping\n\n'), opts.pingMs ?? 20_000);
    ping.unref();
    req.on('close', close);
    res.on('error', close);
  });
  return r;
}
