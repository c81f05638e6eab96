/** What the data-platform pages share: labels by code, run status and health tags, the JSON view. */
import { Space, Tag, Typography } from 'antd';
import type { ConnectorRow, RunRecord } from '../../api/platform.js';
import { useI18n, type T } from '../../i18n/index.js';
import { tk } from '../trade/common.js';

export { tk, useNumber, saveBlob } from '../trade/common.js';

export const reasonLabel = (t: T, r: string) => tk(t, 'pf.reason', r);
export const indicatorLabel = (t: T, i: string) => tk(t, 'pf.ind', i);
export const issueStatusLabel = (t: T, s: string) => tk(t, 'pf.issue', s);

const RUN_COLOURS: Record<string, string> = { running: 'processing', succeeded: 'success', failed: 'error' };

export function RunStatus({ run, testId }: { run: RunRecord | null | undefined; testId?: string }) {
  const { t } = useI18n();
  if (!run) return <Tag data-testid={testId} data-status="none">{t('pf.run.never')}</Tag>;
  return (
    <Tag color={RUN_COLOURS[run.status]} data-testid={testId} data-status={run.status}>
      {tk(t, 'pf.run', run.status)}
    </Tag>
  );
}

export type Health = 'healthy' | 'failing' | 'unknown' | 'disabled' | 'degraded';

/** A connector's health from its last run: failed → failing, rows rejected → degraded, none finished → unknown. */
export function healthOf(c: ConnectorRow): Health {
  if (!c.definition.enabled) return 'disabled';
  const r = c.lastRun;
  if (!r || r.status === 'running') return 'unknown'; // nothing finished yet to judge by
  if (r.status === 'failed') return 'failing';
  return r.rowsRejected > 0 ? 'degraded' : 'healthy';
}

const HEALTH_COLOURS: Record<Health, string> = { healthy: 'green', degraded: 'gold', failing: 'red', unknown: 'default', disabled: 'default' };

export function HealthTag({ health, testId }: { health: Health; testId?: string }) {
  const { t } = useI18n();
  return (
    <Tag color={HEALTH_COLOURS[health]} data-testid={testId} data-health={health}>
      {tk(t, 'pf.health', health)}
    </Tag>
  );
}

export function scheduleText(t: T, s: { type: string; everySeconds?: number } | undefined): string {
  if (!s || s.type !== 'interval' || !s.everySeconds) return t('pf.schedule.manual');
  const n = s.everySeconds;
  const every = n % 86400 === 0 ? `${n / 86400} ${t('pf.unit.day')}` : n % 3600 === 0 ? `${n / 3600} ${t('pf.unit.hour')}` : n % 60 === 0 ? `${n / 60} ${t('pf.unit.minute')}` : `${n} ${t('pf.unit.second')}`;
  return t('pf.schedule.every', { every });
}

export function Json({ value, testId }: { value: unknown; testId?: string }) {
  return (
    <pre className="qs-pre" data-testid={testId} style={{ maxHeight: 420, overflow: 'auto' }}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** A server's validation message ("a.b: …; c: …") as one line per problem. */
export function ValidationList({ message }: { message: string }) {
  return (
    <ul style={{ margin: 0, paddingLeft: 18 }} data-testid="pf-validation">
      {message.split(/;\s+/).map((m, i) => (
        <li key={i}>
          <Typography.Text type="danger">{m}</Typography.Text>
        </li>
      ))}
    </ul>
  );
}

/** A table's first cell: the name in bold, the id (and whatever else identifies the row) below it. */
export function NameCell({ name, sub }: { name: string; sub: string }) {
  return (
    <Space direction="vertical" size={0}>
      <Typography.Text strong>{name}</Typography.Text>
      <Typography.Text type="secondary" className="qs-mono-cell">
        {sub}
      </Typography.Text>
    </Space>
  );
}
