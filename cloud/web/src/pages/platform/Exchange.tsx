/**
 * 数据交换 (data exchange with enterprises and departments): the partners (keys configured, encryption,
 * SFTP pull), the outbound exchanges (data set / fields / filters, format, delivery, schedule) and the
 * exchange log with its filters. With platform.manage: run an outbound exchange now (spinner while it
 * runs, then delivered / failed with the detail), pull a partner's packages now and scan the incoming
 * folder (each package accepted or refused, with the reason).
 */
import { CloudDownloadOutlined, InboxOutlined, PlayCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Drawer, Progress, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { EXCHANGE_RESULTS, PF, platform, type ExchangeDef, type ExchangeLogEntry, type ExchangeOutbound, type ExchangePartner, type InboundResult } from '../../api/platform.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useFetch } from '../../hooks.js';
import { useI18n, type T } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText } from '../../util.js';
import { NameCell, scheduleText, tk, useNumber } from './common.js';

const RESULT_COLOURS: Record<string, string> = { delivered: 'green', accepted: 'blue', failed: 'red', refused: 'orange' };
const PAGE = 20;

/** A refusal or failure reason in words, its code beside it. */
function Reason({ reason }: { reason: string | null }) {
  const { t } = useI18n();
  if (!reason) return <>—</>;
  return (
    <span data-testid="pf-xchg-reason" data-reason={reason}>
      {tk(t, 'pf.xreason', reason)} <Typography.Text type="secondary" className="qs-mono-cell">({reason})</Typography.Text>
    </span>
  );
}

const ResultTag = ({ t, result }: { t: T; result: string }) => <Tag color={RESULT_COLOURS[result]} data-testid="pf-xchg-result" data-result={result}>{tk(t, 'pf.xchg.res', result)}</Tag>;

const sftpUrl = (d: { host: string; port?: number; username: string; remoteDir: string }) => `sftp://${d.username}@${d.host}:${d.port ?? 22}${d.remoteDir.startsWith('/') ? '' : '/'}${d.remoteDir}`;

/** The packages a pull or a scan found: each accepted or refused, with the reason. */
function ResultsDrawer({ results, onClose }: { results: { title: string; items: InboundResult[] } | null; onClose(): void }) {
  const { t } = useI18n();
  const fmt = useNumber();
  return (
    <Drawer open={results !== null} onClose={onClose} width={Math.min(900, window.innerWidth - 48)} title={results?.title} destroyOnHidden data-testid="pf-xchg-results">
      <Table<InboundResult>
        size="small"
        rowKey="logId"
        pagination={false}
        dataSource={results?.items ?? []}
        locale={{ emptyText: t('pf.xchg.noPackages') }}
        onRow={(r) => ({ 'data-testid': 'pf-xchg-result-row', 'data-accepted': String(r.accepted), 'data-package': r.packageId ?? '', 'data-reason': r.accepted ? '' : r.reason }) as object}
        columns={[
          { title: t('pf.xchg.package'), dataIndex: 'packageId', className: 'qs-mono-cell', render: (v: string | null) => v ?? '—' },
          { title: t('pf.xchg.partner'), dataIndex: 'partner', render: (v: string | null) => v ?? '—' },
          { title: t('pf.xchg.result'), key: 'r', render: (_: unknown, r) => <ResultTag t={t} result={r.accepted ? 'accepted' : 'refused'} /> },
          { title: t('pf.xchg.rows'), key: 'rows', align: 'right', render: (_: unknown, r) => (r.accepted ? fmt.int(r.rows) : '—') },
          { title: t('pf.xchg.reason'), key: 'reason', render: (_: unknown, r) => (r.accepted ? '—' : <Reason reason={r.reason} />) },
          { title: t('pf.cat.detail'), key: 'detail', render: (_: unknown, r) => (r.accepted ? r.file : r.message) },
        ]}
      />
    </Drawer>
  );
}

function ExchangeLog({ partners, tick }: { partners: string[]; tick: number }) {
  const { t, dt } = useI18n();
  const fmt = useNumber();
  const [direction, setDirection] = useState<string | undefined>();
  const [partner, setPartner] = useState<string | undefined>();
  const [result, setResult] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const log = useFetch<{ items: ExchangeLogEntry[]; total: number }>(PF.exchangeLog, { direction, partner, result, limit: PAGE, offset: (page - 1) * PAGE }, { pollMs: 15_000 });
  const reloadLog = log.reload;
  useEffect(() => {
    if (tick) reloadLog();
  }, [tick, reloadLog]);
  const filter = <V,>(set: (v: V) => void) => (v: V) => {
    set(v);
    setPage(1);
  };
  return (
    <Card
      size="small"
      title={t('pf.xchg.log')}
      data-testid="pf-xchg-log"
      extra={
        <Space wrap>
          <Select allowClear style={{ width: 110 }} placeholder={t('pf.xchg.direction')} value={direction} onChange={filter(setDirection)} options={['outbound', 'inbound'].map((d) => ({ value: d, label: tk(t, 'pf.xchg.dir', d) }))} data-testid="pf-xchg-f-direction" />
          <Select allowClear style={{ width: 180 }} placeholder={t('pf.xchg.partner')} value={partner} onChange={filter(setPartner)} options={partners.map((p) => ({ value: p, label: p }))} data-testid="pf-xchg-f-partner" />
          <Select allowClear style={{ width: 120 }} placeholder={t('pf.xchg.result')} value={result} onChange={filter(setResult)} options={EXCHANGE_RESULTS.map((r) => ({ value: r, label: tk(t, 'pf.xchg.res', r) }))} data-testid="pf-xchg-f-result" />
          <Button icon={<ReloadOutlined />} onClick={log.reload} aria-label="reload" />
        </Space>
      }
    >
      <Problem error={log.error} />
      <Table<ExchangeLogEntry>
        size="small"
        rowKey="id"
        loading={log.loading && !log.data}
        dataSource={log.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ current: page, pageSize: PAGE, total: log.data?.total ?? 0, onChange: setPage, showSizeChanger: false, hideOnSinglePage: true, showTotal: (n) => t('common.count', { n }) }}
        data-testid="pf-xchg-log-table"
        onRow={(e) => ({ 'data-testid': 'pf-xchg-log-row', 'data-id': e.id, 'data-direction': e.direction, 'data-exchange': e.exchangeId ?? '', 'data-package': e.packageId ?? '', 'data-result': e.result, 'data-reason': e.reason ?? '', 'data-rows': e.rows ?? '' }) as object}
        columns={[
          { title: t('common.time'), dataIndex: 'at', render: (v: number) => dt(v) },
          { title: t('pf.xchg.direction'), dataIndex: 'direction', render: (v: string) => <Tag color={v === 'outbound' ? 'geekblue' : 'cyan'}>{tk(t, 'pf.xchg.dir', v)}</Tag> },
          { title: t('pf.xchg.partner'), dataIndex: 'partner' },
          { title: t('pf.xchg.exchange'), dataIndex: 'exchangeId', className: 'qs-mono-cell', render: (v: string | null) => v ?? '—' },
          { title: t('pf.xchg.package'), dataIndex: 'packageId', className: 'qs-mono-cell', render: (v: string | null) => v ?? '—' },
          { title: t('pf.xchg.rows'), dataIndex: 'rows', align: 'right', render: (v: number | null) => fmt.int(v) },
          { title: t('pf.xchg.bytes'), dataIndex: 'bytes', align: 'right', render: (v: number | null) => fmt.int(v) },
          { title: t('pf.xchg.encrypted'), dataIndex: 'encrypted', render: (v: boolean) => (v ? t('common.yes') : t('common.no')) },
          { title: t('pf.xchg.result'), dataIndex: 'result', render: (v: string) => <ResultTag t={t} result={v} /> },
          { title: t('pf.xchg.reason'), dataIndex: 'reason', render: (v: string | null) => <Reason reason={v} /> },
          { title: t('pf.xchg.channel'), dataIndex: 'channel', render: (v: string) => tk(t, 'pf.xchg.ch', v) },
          { title: t('pf.run.duration'), dataIndex: 'durationMs', align: 'right', render: (v: number) => `${fmt.int(v)} ms` },
          {
            title: t('pf.cat.detail'),
            dataIndex: 'detail',
            render: (v: string) => (
              <Tooltip title={v}>
                <Typography.Text ellipsis style={{ maxWidth: 280 }}>
                  {v || '—'}
                </Typography.Text>
              </Tooltip>
            ),
          },
        ]}
      />
    </Card>
  );
}

export default function Exchange() {
  const { t } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const manage = can('platform.manage');
  const partners = useFetch<{ items: ExchangeDef<ExchangePartner>[] }>(PF.partners);
  const outbounds = useFetch<{ items: ExchangeDef<ExchangeOutbound>[] }>(PF.outbounds);
  const [tick, setTick] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<ExchangeLogEntry | null>(null);
  const [results, setResults] = useState<{ title: string; items: InboundResult[] } | null>(null);
  const names = new Map((partners.data?.items ?? []).map((p) => [p.id, p.definition.name]));

  /** One change at a time: its button spins, the log reloads after it whatever the outcome. */
  const act = async (key: string, fn: () => Promise<void>) => {
    setBusy(key);
    try {
      await fn();
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(null);
      setTick((n) => n + 1);
    }
  };
  const run = (o: ExchangeOutbound) =>
    act(`run:${o.id}`, async () => {
      setOutcome(null);
      setOutcome(await platform.runOutbound(o.id, o.partner));
    });
  const pull = (p: ExchangePartner) =>
    act(`pull:${p.id}`, async () => {
      const r = await platform.pullPartner(p.id);
      if ('items' in r) setResults({ title: t('pf.xchg.pulled', { id: p.id }), items: r.items });
      else setOutcome(r);
    });
  const scan = () =>
    act('scan', async () => {
      const r = await platform.scanIncoming();
      setResults({ title: t('pf.xchg.scanned'), items: r.items });
    });

  return (
    <>
      <PageHeader
        title={t('pf.tab.exchange')}
        extra={
          <Space>
            {manage && (
              <Button icon={<InboxOutlined />} loading={busy === 'scan'} disabled={busy !== null && busy !== 'scan'} onClick={() => void scan()} data-testid="pf-xchg-scan">
                {t('pf.xchg.scan')}
              </Button>
            )}
            <Button
              icon={<ReloadOutlined />}
              onClick={() => {
                partners.reload();
                outbounds.reload();
                setTick((n) => n + 1);
              }}
              aria-label="reload"
            />
          </Space>
        }
      />
      {busy?.startsWith('run:') && (
        <Card size="small" style={{ marginBottom: 16 }} data-testid="pf-xchg-running" data-exchange={busy.slice(4)}>
          <Typography.Text strong>{t('pf.xchg.running', { id: busy.slice(4) })}</Typography.Text>
          <Progress percent={100} status="active" showInfo={false} size="small" />
        </Card>
      )}
      {outcome && (
        <Alert
          type={outcome.result === 'delivered' ? 'success' : 'error'}
          showIcon
          closable
          onClose={() => setOutcome(null)}
          style={{ marginBottom: 16 }}
          data-testid="pf-xchg-outcome"
          data-result={outcome.result}
          data-package={outcome.packageId ?? ''}
          data-log={outcome.id}
          message={
            <Space wrap>
              <Typography.Text strong>{outcome.exchangeId ?? outcome.partner}</Typography.Text>
              <ResultTag t={t} result={outcome.result} />
              {outcome.packageId && <Typography.Text className="qs-mono-cell">{outcome.packageId}</Typography.Text>}
              {outcome.rows !== null && t('pf.xchg.nRows', { n: outcome.rows })}
              {outcome.reason && <Reason reason={outcome.reason} />}
            </Space>
          }
          description={outcome.detail}
        />
      )}
      <Card size="small" title={t('pf.xchg.partners')} style={{ marginBottom: 16 }}>
        <Problem error={partners.error} />
        <Table<ExchangeDef<ExchangePartner>>
          size="small"
          rowKey="id"
          loading={partners.loading && !partners.data}
          dataSource={partners.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          data-testid="pf-xchg-partners"
          onRow={(p) => ({ 'data-testid': 'pf-xchg-partner-row', 'data-id': p.id, 'data-pull': String(!!p.definition.pull) }) as object}
          columns={[
            {
              title: t('pf.xchg.partner'),
              key: 'name',
              render: (_: unknown, p) => <NameCell name={p.definition.name} sub={p.id} />,
            },
            { title: t('pf.xchg.kind'), key: 'kind', render: (_: unknown, p) => <Tag>{tk(t, 'pf.xchg.kind', p.definition.kind)}</Tag> },
            { title: t('pf.xchg.selfId'), key: 'self', className: 'qs-mono-cell', render: (_: unknown, p) => p.definition.selfId },
            { title: t('pf.xchg.encrypt'), key: 'enc', render: (_: unknown, p) => (p.definition.encrypt ? <Tag color="green">{t('pf.xchg.on')}</Tag> : <Tag>{t('pf.xchg.off')}</Tag>) },
            { title: t('pf.xchg.verifyKey'), key: 'vk', render: (_: unknown, p) => (p.definition.verifyKey ? t('common.yes') : <Typography.Text type="warning">{t('common.no')}</Typography.Text>) },
            {
              title: t('pf.xchg.pull'),
              key: 'pull',
              render: (_: unknown, p) => {
                const pl = p.definition.pull;
                if (!pl) return t('common.no');
                return (
                  <Space direction="vertical" size={0}>
                    <Typography.Text className="qs-mono-cell">{sftpUrl(pl)}</Typography.Text>
                    <Typography.Text type="secondary">{scheduleText(t, pl.schedule)}</Typography.Text>
                  </Space>
                );
              },
            },
            { title: t('pf.xchg.enabled'), key: 'en', render: (_: unknown, p) => (p.definition.enabled ? t('common.yes') : <Tag>{t('common.no')}</Tag>) },
            ...(manage
              ? [
                  {
                    title: t('common.actions'),
                    key: 'a',
                    render: (_: unknown, p: ExchangeDef<ExchangePartner>) =>
                      p.definition.pull ? (
                        <Button size="small" icon={<CloudDownloadOutlined />} loading={busy === `pull:${p.id}`} disabled={busy !== null && busy !== `pull:${p.id}`} onClick={() => void pull(p.definition)} data-testid={`pf-xchg-pull-${p.id}`}>
                          {t('pf.xchg.pullNow')}
                        </Button>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Card size="small" title={t('pf.xchg.outbounds')} style={{ marginBottom: 16 }}>
        <Problem error={outbounds.error} />
        <Table<ExchangeDef<ExchangeOutbound>>
          size="small"
          rowKey="id"
          loading={outbounds.loading && !outbounds.data}
          dataSource={outbounds.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          data-testid="pf-xchg-outbounds"
          onRow={(o) => ({ 'data-testid': 'pf-xchg-outbound-row', 'data-id': o.id }) as object}
          columns={[
            {
              title: t('pf.xchg.exchange'),
              key: 'name',
              render: (_: unknown, o) => <NameCell name={o.definition.name} sub={o.id} />,
            },
            { title: t('pf.xchg.partner'), key: 'partner', render: (_: unknown, o) => `${names.get(o.definition.partner) ?? ''} (${o.definition.partner})` },
            {
              title: t('pf.xchg.source'),
              key: 'src',
              render: (_: unknown, o) => {
                const s = o.definition.source;
                return (
                  <Space direction="vertical" size={0} className="qs-mono-cell">
                    <span>{s.dataset}</span>
                    {s.fields && <Typography.Text type="secondary">{t('pf.xchg.fields')}: {s.fields.join(', ')}</Typography.Text>}
                    {s.where && <Typography.Text type="secondary">{t('pf.xchg.where')}: {Object.entries(s.where).map(([k, v]) => `${k}=${v}`).join(', ')}</Typography.Text>}
                    {s.limit !== undefined && <Typography.Text type="secondary">{t('pf.xchg.limit')}: {s.limit}</Typography.Text>}
                  </Space>
                );
              },
            },
            { title: t('pf.xchg.format'), key: 'fmt', render: (_: unknown, o) => o.definition.format.toUpperCase() },
            {
              title: t('pf.xchg.delivery'),
              key: 'del',
              render: (_: unknown, o) => {
                const d = o.definition.delivery;
                return (
                  <Space size={4}>
                    <Tag>{d.kind.toUpperCase()}</Tag>
                    <Typography.Text className="qs-mono-cell">{d.kind === 'http' ? d.url : sftpUrl(d)}</Typography.Text>
                  </Space>
                );
              },
            },
            { title: t('pf.src.schedule'), key: 'sch', render: (_: unknown, o) => scheduleText(t, o.definition.schedule) },
            { title: t('pf.xchg.enabled'), key: 'en', render: (_: unknown, o) => (o.definition.enabled ? t('common.yes') : <Tag>{t('common.no')}</Tag>) },
            ...(manage
              ? [
                  {
                    title: t('common.actions'),
                    key: 'a',
                    render: (_: unknown, o: ExchangeDef<ExchangeOutbound>) => (
                      <Button size="small" type="primary" icon={<PlayCircleOutlined />} loading={busy === `run:${o.id}`} disabled={busy !== null && busy !== `run:${o.id}`} onClick={() => void run(o.definition)} data-testid={`pf-xchg-run-${o.id}`}>
                        {t('pf.xchg.runNow')}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <ExchangeLog partners={(partners.data?.items ?? []).map((p) => p.id)} tick={tick} />
      <ResultsDrawer results={results} onClose={() => setResults(null)} />
    </>
  );
}
