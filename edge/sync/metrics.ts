/** Sync metrics as Prometheus text (format 0.0.4), to append to the gateway's /metrics. */
import type { SyncMetrics } from './index.js';

export function renderSyncMetrics(m: SyncMetrics): string {
  const out: string[] = [];
  const fam = (name: string, help: string, type: 'counter' | 'gauge', value: number, labels?: Record<string, string>) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    const l = labels ? `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : '';
    out.push(`${name}${l} ${Number.isFinite(value) ? value : 0}`);
  };
  fam('quayside_sync_connected', 'Whether the gateway is connected to the cloud broker.', 'gauge', m.connected ? 1 : 0);
  fam('quayside_sync_backlog_readings', 'Readings the cloud has not committed yet.', 'gauge', m.backlogReadings);
  fam('quayside_sync_open_batches', 'Outbox batches not yet committed (or refused) by the cloud.', 'gauge', m.openBatches);
  fam('quayside_sync_oldest_unacked_age_seconds', 'Age of the oldest reading the cloud has not committed.', 'gauge', m.oldestUnackedAgeMs / 1000);
  fam('quayside_sync_batches_in_flight', 'Batches sent and waiting for the commit ack.', 'gauge', m.inFlight);
  fam('quayside_sync_batches_sent_total', 'Envelopes published (first sends and resends).', 'counter', m.loop.batches_sent_total);
  fam('quayside_sync_readings_sent_total', 'Items published (resends included).', 'counter', m.loop.items_sent_total);
  fam('quayside_sync_bytes_sent_total', 'Envelope bytes published.', 'counter', m.loop.bytes_sent_total);
  fam('quayside_sync_acks_total', 'Batches committed by the cloud.', 'counter', m.loop.acks_total + m.loop.acks_unknown_total);
  fam('quayside_sync_resends_total', 'Batches sent again (timeout, reconnect, restart).', 'counter', m.loop.resends_total);
  fam('quayside_sync_rejected_total', 'Batches the cloud refused for good (dead-lettered there).', 'counter', m.loop.rejected_total);
  fam('quayside_sync_commit_seconds_sum', 'Sum of first-send-to-commit times.', 'counter', m.loop.commit_ms_sum / 1000);
  fam('quayside_sync_commit_seconds_count', 'Batches timed for commit.', 'counter', m.loop.commit_ms_count);
  fam('quayside_sync_store_used_bytes', 'Bytes of the edge store in use (last budget check).', 'gauge', m.usedBytes);
  fam('quayside_sync_store_budget_bytes', 'Disk budget of the edge store.', 'gauge', m.budgetBytes);
  fam('quayside_sync_dropped_unsent_readings_total', 'Unsent readings dropped because the store exceeded its disk budget.', 'counter', m.retention.unsent_dropped_total);
  fam('quayside_sync_commands_total', 'Commands received on down/cmd.', 'counter', m.commands.received_total);
  fam('quayside_sync_commands_executed_total', 'Commands whose effect ran and succeeded.', 'counter', m.commands.executed_total);
  fam('quayside_sync_commands_duplicate_total', 'Command ids seen again (answered from the store).', 'counter', m.commands.duplicates_total);
  return `${out.join('\n')}\n`;
}
