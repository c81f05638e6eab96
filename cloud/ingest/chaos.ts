/**
 * Fault injection for the chaos tests, off unless its environment variable is set:
 *
 *   QS_CHAOS_KILL_AFTER_SERIES_WRITES=N   the process kills itself (SIGKILL) right after the Nth telemetry
 *                                         batch reached the time-series store, before its SQL commit and
 *                                         its ack — the worst moment for exactly-once ingest.
 *
 * test/integration/sync/cloud-kill.test.ts uses it to show that the resent batch does not double.
 */
export function chaosAfterSeriesWrite(env: NodeJS.ProcessEnv): (() => void) | undefined {
  const raw = env['QS_CHAOS_KILL_AFTER_SERIES_WRITES'];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`QS_CHAOS_KILL_AFTER_SERIES_WRITES must be a positive integer, not ${JSON.stringify(raw)}`);
  let writes = 0;
  return () => {
    if (++writes >= n) process.kill(process.pid, 'SIGKILL');
  };
}
