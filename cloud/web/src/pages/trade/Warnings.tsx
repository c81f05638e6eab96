/**
 * Early warnings (预警): the stored warnings of the six detectors (cloud/trade/warnings.ts), filtered by
 * status, detector, severity, subject and month; a warning's detail with its evidence; handling it
 * (confirm / dismiss / reopen, with a note — trade.manage) and running the detectors (trade.manage).
 * `?id=N` opens a warning directly (links from the enterprise profile).
 */
import { PlayCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Descriptions, Drawer, Form, Input, Modal, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { DETECTORS, trade, TRADE_PATHS, WARNING_STATUSES, type Detector, type TradeWarning, type WarningRun, type WarningStatus } from '../../api/trade.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useFetch } from '../../hooks.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText } from '../../util.js';
import { monthsBetween, tk, useMeta, useNumber } from './common.js';

const STATUS_COLOURS: Record<WarningStatus, string> = { new: 'red', confirmed: 'orange', dismissed: 'default' };
const SEVERITY_COLOURS: Record<string, string> = { alert: 'magenta', warn: 'gold' };

export function WarningStatusTag({ status }: { status: WarningStatus }) {
  const { t } = useI18n();
  return (
    <Tag color={STATUS_COLOURS[status]} data-testid="warning-status" data-status={status}>
      {tk(t, 'trade.wstatus', status)}
    </Tag>
  );
}

export function SeverityTag({ severity }: { severity: string }) {
  const { t } = useI18n();
  return <Tag color={SEVERITY_COLOURS[severity] ?? 'default'}>{tk(t, 'trade.sev', severity)}</Tag>;
}

/** The enterprise a warning is about, when it is about one (its USCC leads the subject key). */
export function warningEnterprise(w: { subjectType?: string; subjectKey?: string }): string | null {
  if (w.subjectType !== 'enterprise' && w.subjectType !== 'enterprise_hs_country') return null;
  return w.subjectKey?.split('|')[0] ?? null;
}

function Evidence({ evidence }: { evidence: Record<string, unknown> }) {
  const fmt = useNumber();
  const simple = Object.entries(evidence).filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
  const complex = Object.entries(evidence).filter(([, v]) => v !== null && typeof v === 'object');
  return (
    <>
      <Descriptions size="small" column={1} bordered>
        {simple.map(([k, v]) => (
          <Descriptions.Item key={k} label={k}>
            {typeof v === 'number' ? (Number.isInteger(v) ? fmt.int(v) : fmt.dec(v, Math.abs(v) < 100 ? 4 : 2)) : String(v)}
          </Descriptions.Item>
        ))}
      </Descriptions>
      {complex.length > 0 && <pre className="qs-pre" style={{ marginTop: 8 }}>{JSON.stringify(Object.fromEntries(complex), null, 2)}</pre>}
    </>
  );
}

function WarningDrawer({ id, onClose, onChanged }: { id: number | null; onClose(): void; onChanged(): void }) {
  const { t } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const fmt = useNumber();
  const [w, setW] = useState<TradeWarning | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [status, setStatus] = useState<WarningStatus>('confirmed');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setW(null);
    setErr(null);
    if (id === null) return;
    trade.warning(id).then(
      (x) => {
        setW(x);
        setStatus(x.status === 'new' ? 'confirmed' : x.status);
        setNote(x.note ?? '');
      },
      (e: unknown) => setErr(e),
    );
  }, [id]);
  const save = async () => {
    if (!w) return;
    setBusy(true);
    try {
      const x = await trade.handleWarning(w.id, { status, note: note.trim() });
      setW(x);
      void message.success(t('trade.warn.handled'));
      onChanged();
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const uscc = w ? warningEnterprise(w) : null;
  return (
    <Drawer open={id !== null} onClose={onClose} width={Math.min(640, window.innerWidth - 48)} title={w ? `${t('trade.warn.detail')} #${w.id}` : t('trade.warn.detail')} destroyOnHidden data-testid="warning-drawer">
      {err ? <Alert type="error" showIcon message={errorText(t, err)} /> : null}
      {w && (
        <>
          <Typography.Paragraph strong data-testid="warning-message">
            {w.message}
          </Typography.Paragraph>
          <Descriptions size="small" column={2} style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('trade.warn.detector')}>{tk(t, 'trade.det', w.detector)}</Descriptions.Item>
            <Descriptions.Item label={t('trade.warn.period')}>{w.period}</Descriptions.Item>
            <Descriptions.Item label={t('trade.warn.subject')} span={2}>
              {w.subjectName ?? '—'} <Typography.Text code>{w.subjectKey}</Typography.Text>
              {uscc && <Link to={`/trade/enterprises/${uscc}`}> {t('trade.ent.profile')}</Link>}
            </Descriptions.Item>
            <Descriptions.Item label={t('trade.warn.severity')}>
              <SeverityTag severity={w.severity} />
            </Descriptions.Item>
            <Descriptions.Item label={t('trade.warn.score')}>{fmt.dec(w.score, 2)}</Descriptions.Item>
            <Descriptions.Item label={t('common.status')}>
              <WarningStatusTag status={w.status} />
            </Descriptions.Item>
            <Descriptions.Item label={t('trade.warn.handler')}>
              <span data-testid="warning-handler">{w.handler ?? '—'}</span>
              {w.handledAt ? ` · ${w.handledAt.slice(0, 16).replace('T', ' ')}` : ''}
            </Descriptions.Item>
            <Descriptions.Item label={t('common.note')} span={2}>
              <span data-testid="warning-note">{w.note ?? '—'}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('trade.warn.created')} span={2}>
              {w.createdAt.slice(0, 19).replace('T', ' ')} · {w.runId}
            </Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5}>{t('trade.warn.evidence')}</Typography.Title>
          <Evidence evidence={w.evidence} />
          {can('trade.manage') && (
            <Card size="small" title={t('trade.warn.handle')} style={{ marginTop: 16 }} data-testid="warning-handle">
              <Form layout="vertical" size="small">
                <Form.Item label={t('trade.warn.decision')}>
                  <Radio.Group value={status} onChange={(e) => setStatus(e.target.value as WarningStatus)} optionType="button" data-testid="warning-decision">
                    <Radio.Button value="confirmed">{t('trade.warn.confirm')}</Radio.Button>
                    <Radio.Button value="dismissed">{t('trade.warn.dismiss')}</Radio.Button>
                    <Radio.Button value="new">{t('trade.warn.reopen')}</Radio.Button>
                  </Radio.Group>
                </Form.Item>
                <Form.Item label={t('common.note')}>
                  <Input.TextArea rows={3} maxLength={2000} showCount value={note} onChange={(e) => setNote(e.target.value)} data-testid="warning-note-input" />
                </Form.Item>
                <Button type="primary" loading={busy} onClick={() => void save()} data-testid="warning-save">
                  {t('common.submit')}
                </Button>
              </Form>
            </Card>
          )}
        </>
      )}
    </Drawer>
  );
}

function RunModal({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { meta } = useMeta();
  const [detectors, setDetectors] = useState<Detector[]>([...DETECTORS]);
  const [asOf, setAsOf] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [out, setOut] = useState<WarningRun | null>(null);
  const months = useMemo(() => (meta?.range ? monthsBetween(meta.range.from, meta.range.to).reverse() : []), [meta]);
  const go = async () => {
    setBusy(true);
    try {
      setOut(await trade.runWarnings({ detectors, ...(asOf ? { asOf } : {}) }));
      onDone();
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t('trade.warn.run')}
      onCancel={() => {
        setOut(null);
        onClose();
      }}
      onOk={() => void go()}
      okText={t('trade.warn.runOk')}
      okButtonProps={{ disabled: !detectors.length, 'data-testid': 'warning-run-ok' }}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form layout="vertical">
        <Form.Item label={t('trade.warn.detectors')}>
          <Checkbox.Group value={detectors} onChange={(v) => setDetectors(v as Detector[])} options={DETECTORS.map((d) => ({ value: d, label: tk(t, 'trade.det', d) }))} />
        </Form.Item>
        <Form.Item label={t('trade.warn.asOf')} extra={t('trade.warn.asOfHint')}>
          <Select allowClear value={asOf} onChange={setAsOf} options={months.map((m) => ({ value: m, label: m }))} style={{ width: 160 }} />
        </Form.Item>
      </Form>
      {out && (
        <Alert
          type="success"
          showIcon
          data-testid="warning-run-result"
          message={t('trade.warn.runDone', { inserted: out.inserted, from: out.window.from, to: out.window.to, ms: out.ms })}
          description={DETECTORS.filter((d) => d in out.found)
            .map((d) => `${tk(t, 'trade.det', d)} ${out.found[d]}`)
            .join(' · ')}
        />
      )}
    </Modal>
  );
}

export default function Warnings() {
  const { t } = useI18n();
  const { can } = useSession();
  const fmt = useNumber();
  const [params, setParams] = useSearchParams();
  const [status, setStatus] = useState<WarningStatus | undefined>('new');
  const [detector, setDetector] = useState<Detector | undefined>();
  const [severity, setSeverity] = useState<string | undefined>();
  const [subject, setSubject] = useState('');
  const [running, setRunning] = useState(false);
  const query = { status, detector, subject: /^[0-9A-Z|]{2,60}$/.test(subject.trim().toUpperCase()) ? subject.trim().toUpperCase() : undefined, limit: 1000 };
  const list = useFetch<{ total: number; items: TradeWarning[] }>(TRADE_PATHS.warnings, query);
  const rows = useMemo(() => (list.data?.items ?? []).filter((w) => !severity || w.severity === severity), [list.data, severity]);
  const open = params.get('id') ? Number(params.get('id')) : null;
  const setOpen = (id: number | null) => {
    const p = new URLSearchParams(params);
    if (id === null) p.delete('id');
    else p.set('id', String(id));
    setParams(p, { replace: true });
  };

  return (
    <>
      <PageHeader
        title={t('trade.tab.warnings')}
        sub={list.data ? t('trade.warn.total', { n: list.data.total }) : null}
        extra={
          <Space wrap>
            {can('trade.manage') && (
              <Button type="primary" icon={<PlayCircleOutlined />} onClick={() => setRunning(true)} data-testid="warning-run">
                {t('trade.warn.run')}
              </Button>
            )}
            <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label="reload" />
          </Space>
        }
      />
      <Problem error={list.error} />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space wrap>
          <Select allowClear placeholder={t('common.status')} style={{ width: 130 }} value={status} onChange={setStatus} options={WARNING_STATUSES.map((s) => ({ value: s, label: tk(t, 'trade.wstatus', s) }))} data-testid="warning-filter-status" />
          <Select allowClear placeholder={t('trade.warn.detector')} style={{ width: 160 }} value={detector} onChange={setDetector} options={DETECTORS.map((d) => ({ value: d, label: tk(t, 'trade.det', d) }))} data-testid="warning-filter-detector" />
          <Select allowClear placeholder={t('trade.warn.severity')} style={{ width: 120 }} value={severity} onChange={setSeverity} options={['alert', 'warn'].map((s) => ({ value: s, label: tk(t, 'trade.sev', s) }))} data-testid="warning-filter-severity" />
          <Input.Search allowClear placeholder={t('trade.warn.subjectSearch')} style={{ width: 260 }} onSearch={(v) => setSubject(v)} />
        </Space>
        {list.data && list.data.total > list.data.items.length && <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>{t('trade.warn.capped', { n: list.data.items.length, total: list.data.total })}</Typography.Paragraph>}
      </Card>
      <Card size="small">
        <Table<TradeWarning>
          rowKey="id"
          size="small"
          loading={list.loading && !list.data}
          dataSource={rows}
          scroll={{ x: 1000 }}
          pagination={{ pageSize: 20, showSizeChanger: true, hideOnSinglePage: true }}
          onRow={(w) => ({ onClick: () => setOpen(w.id), style: { cursor: 'pointer' } })}
          data-testid="warnings-table"
          columns={[
            { title: t('trade.warn.period'), dataIndex: 'period', width: 90, sorter: (a, b) => a.period.localeCompare(b.period) },
            { title: t('trade.warn.detector'), dataIndex: 'detector', width: 110, render: (d: string) => <Tag>{tk(t, 'trade.det', d)}</Tag> },
            { title: t('trade.warn.severity'), dataIndex: 'severity', width: 80, render: (s: string) => <SeverityTag severity={s} /> },
            {
              title: t('trade.warn.subject'),
              key: 'subject',
              render: (_, w) => {
                const uscc = warningEnterprise(w);
                return (
                  <Space direction="vertical" size={0}>
                    <span>{w.subjectName ?? w.subjectKey}</span>
                    {uscc ? (
                      <Link to={`/trade/enterprises/${uscc}`} onClick={(e) => e.stopPropagation()}>
                        <Typography.Text type="secondary" className="qs-mono-cell">
                          {w.subjectKey}
                        </Typography.Text>
                      </Link>
                    ) : (
                      <Typography.Text type="secondary" className="qs-mono-cell">
                        {w.subjectKey}
                      </Typography.Text>
                    )}
                  </Space>
                );
              },
            },
            { title: t('trade.warn.message'), dataIndex: 'message', ellipsis: true },
            { title: t('trade.warn.score'), dataIndex: 'score', width: 80, align: 'right', render: (v: number) => fmt.dec(v, 1), sorter: (a, b) => a.score - b.score },
            { title: t('common.status'), dataIndex: 'status', width: 90, render: (s: WarningStatus) => <WarningStatusTag status={s} /> },
            { title: t('trade.warn.handler'), dataIndex: 'handler', width: 110, render: (v: string | null) => v ?? '—' },
            {
              title: t('common.actions'),
              key: 'a',
              width: 90,
              render: (_, w) => (
                <Button size="small" onClick={(e) => (e.stopPropagation(), setOpen(w.id))} data-testid={`warning-open-${w.id}`}>
                  {can('trade.manage') ? t('trade.warn.handle') : t('trade.warn.view')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <WarningDrawer id={open} onClose={() => setOpen(null)} onChanged={list.reload} />
      <RunModal open={running} onClose={() => setRunning(false)} onDone={list.reload} />
    </>
  );
}
