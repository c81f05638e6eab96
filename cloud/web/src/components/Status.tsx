/** Coloured tags for the states the pages show. */
import { Tag, Tooltip } from 'antd';
import { useI18n, type MessageKey } from '../i18n/index.js';

const COMMAND_COLOURS: Record<string, string> = { pending: 'processing', done: 'success', rejected: 'error', expired: 'default', sent: 'processing' };

export function CommandStatus({ status, detail }: { status: string; detail?: string | null | undefined }) {
  const { t } = useI18n();
  const key = `cmdStatus.${status}` as MessageKey;
  const label = t(key) === key ? status : t(key);
  const tag = (
    <Tag color={COMMAND_COLOURS[status] ?? 'default'} data-testid="command-status" data-status={status}>
      {label}
    </Tag>
  );
  return detail ? <Tooltip title={detail}>{tag}</Tooltip> : tag;
}

/** A state tag from a dictionary prefix: `<StateTag prefix="taskStatus" value="done" />`. */
export function StateTag({ prefix, value, colours }: { prefix: string; value: string | null | undefined; colours?: Record<string, string> }) {
  const { t } = useI18n();
  if (!value) return <Tag>—</Tag>;
  const key = `${prefix}.${value}` as MessageKey;
  const label = t(key);
  return <Tag color={colours?.[value] ?? 'default'}>{label === key ? value : label}</Tag>;
}
