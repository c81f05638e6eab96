/** GET /metrics: Prometheus text exposition (format 0.0.4), built on request from the live counters. */
import { Router } from 'express';
import type { GatewayView } from './context.js';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

class Exposition {
  private readonly out: string[] = [];
  family(name: string, help: string, type: 'counter' | 'gauge' | 'summary'): this {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, labels: Record<string, string> | undefined, value: number): this {
    const l = labels ? `{${Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}` : '';
    this.out.push(`${name}${l} ${Number.isFinite(value) ? value : 0}`);
    return this;
  }
  text(): string {
    return `${this.out.join('\n')}\n`;
  }
}

export function renderMetrics(gw: GatewayView): string {
  const m = new Exposition();
  const devices = gw.devices();
  const polled = devices.filter((d) => d.stats && d.entry.pollIntervalMs !== undefined);
  const perDevice = (name: string, help: string, pick: (s: NonNullable<(typeof devices)[number]['stats']>) => number, type: 'counter' | 'gauge' = 'counter') => {
    m.family(name, help, type);
    for (const d of polled) m.sample(name, { device: d.entry.id }, pick(d.stats!));
  };
  perDevice('quayside_polls_due_total', 'Poll slots that came due.', (s) => s.due);
  perDevice('quayside_polls_done_total', 'Polls that finished (good or not).', (s) => s.done);
  perDevice('quayside_polls_late_total', 'Polls started more than one interval after their slot.', (s) => s.late);
  perDevice('quayside_polls_missed_total', 'Poll slots skipped because the previous poll was still running.', (s) => s.missed);
  perDevice('quayside_polls_failed_total', 'Polls where the driver threw.', (s) => s.failed);
  m.family('quayside_poll_duration_seconds', 'Time a poll took.', 'summary');
  for (const d of polled) {
    m.sample('quayside_poll_duration_seconds_sum', { device: d.entry.id }, d.stats!.pollMsSum / 1000);
    m.sample('quayside_poll_duration_seconds_count', { device: d.entry.id }, d.stats!.done);
  }
  m.family('quayside_device_writes_total', 'Writes by outcome.', 'counter');
  for (const d of devices) {
    if (!d.stats) continue;
    m.sample('quayside_device_writes_total', { device: d.entry.id, outcome: 'ok' }, d.stats.writes);
    m.sample('quayside_device_writes_total', { device: d.entry.id, outcome: 'error' }, d.stats.writeErrors);
  }
  const streaming = devices.filter((d) => d.stats && d.entry.pollIntervalMs === undefined);
  m.family('quayside_stream_samples_total', 'Sample sets received from streaming devices.', 'counter');
  for (const d of streaming) m.sample('quayside_stream_samples_total', { device: d.entry.id }, d.stats!.received);
  m.family('quayside_stream_rejected_total', 'Frames rejected from streaming devices.', 'counter');
  for (const d of streaming) m.sample('quayside_stream_rejected_total', { device: d.entry.id }, d.stats!.rejected);

  m.family('quayside_device_health', 'Device health: 1 for the current state.', 'gauge');
  for (const d of devices) {
    const state = !d.entry.config.enabled ? 'disabled' : (d.health?.state ?? 'offline');
    for (const s of ['online', 'degraded', 'offline', 'disabled']) m.sample('quayside_device_health', { device: d.entry.id, state: s }, s === state ? 1 : 0);
  }

  const ws = gw.writerStats();
  m.family('quayside_readings_stored_total', 'Readings committed to the edge store by this process.', 'counter').sample('quayside_readings_stored_total', undefined, ws.committed);
  m.family('quayside_store_pending_readings', 'Readings waiting for their batch to commit.', 'gauge').sample('quayside_store_pending_readings', undefined, ws.pending);
  m.family('quayside_store_batch_seconds', 'Time to commit one batch.', 'summary')
    .sample('quayside_store_batch_seconds_sum', undefined, ws.batchMsSum / 1000)
    .sample('quayside_store_batch_seconds_count', undefined, ws.batches);
  m.family('quayside_store_batch_seconds_max', 'Longest batch commit since start.', 'gauge').sample('quayside_store_batch_seconds_max', undefined, ws.batchMsMax / 1000);
  m.family('quayside_store_errors_total', 'Failed batch commits.', 'counter').sample('quayside_store_errors_total', undefined, ws.errors);
  m.family('quayside_store_dropped_total', 'Readings dropped because commits kept failing.', 'counter').sample('quayside_store_dropped_total', undefined, ws.dropped);

  const transports = gw.transports();
  m.family('quayside_transport_requests_total', 'Modbus requests sent per transport.', 'counter');
  for (const t of transports) m.sample('quayside_transport_requests_total', { transport: t.id, type: t.kind }, t.transport.stats.requests);
  m.family('quayside_transport_errors_total', 'Modbus transport errors by kind.', 'counter');
  for (const t of transports) {
    const s = t.transport.stats;
    for (const [kind, v] of [['timeout', s.timeouts], ['crc', s.crcErrors], ['frame', s.frameErrors], ['reconnect', s.reconnects]] as const) {
      m.sample('quayside_transport_errors_total', { transport: t.id, type: t.kind, kind }, v);
    }
  }

  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  m.family('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge').sample('process_resident_memory_bytes', undefined, mem.rss);
  m.family('process_heap_bytes', 'V8 heap used in bytes.', 'gauge').sample('process_heap_bytes', undefined, mem.heapUsed);
  m.family('process_cpu_seconds_total', 'User and system CPU time spent in seconds.', 'counter').sample('process_cpu_seconds_total', undefined, (cpu.user + cpu.system) / 1e6);
  m.family('process_start_time_seconds', 'Start time of the process since the epoch in seconds.', 'gauge').sample('process_start_time_seconds', undefined, Math.floor(gw.info.startedAt / 1000));
  return m.text();
}

export function metricsRouter(gw: GatewayView): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    res.type('text/plain; version=0.0.4; charset=utf-8').send(renderMetrics(gw));
  });
  return r;
}
