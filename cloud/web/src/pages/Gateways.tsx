/**
 * Gateways and devices: the registry with online state, enrolment tokens (create / reissue) and revoke
 * for system admins; a gateway's live values per device; a device point's history chart; the commands
 * sent down to the gateway with their results.
 */
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Descriptions, Empty, Form, Input, Modal, Popconfirm, Radio, Space, Table, Tag, Typography, type ButtonProps } from 'antd';
import { useMemo, useState, type HTMLAttributes } from 'react';
import { Route, Routes, useNavigate, useParams } from 'react-router-dom';
import { api } from '../api/client.js';
import type { CommandRow, DeviceHealth, DeviceState, EnrolmentTicket, Gateway, HistoryResponse, SeriesRow } from '../api/types.js';
import { Chart, type ChartOption } from '../components/Chart.js';
import { PageHeader, Problem } from '../components/Page.js';
import { CommandStatus } from '../components/Status.js';
import { useFetch } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { errorText } from '../util.js';

export default function GatewaysPage() {
  return (
    <Routes>
      <Route index element={<GatewayList />} />
      <Route path=":gw" element={<GatewayDetail />} />
    </Routes>
  );
}

function OnlineBadge({ g }: { g: Gateway }) {
  const { t } = useI18n();
  if (g.revokedAt !== null) return <Tag color="red">{t('gw.revoked')}</Tag>;
  if (g.enrolPending && g.enrolledAt === null) return <Tag color="gold">{t('gw.awaitingEnrolment')}</Tag>;
  return <Badge status={g.online ? 'success' : 'default'} text={g.online ? t('gw.online') : t('gw.offline')} />;
}

function TicketModal({ ticket, onClose }: { ticket: EnrolmentTicket | null; onClose(): void }) {
  const { t, dt } = useI18n();
  return (
    <Modal open={!!ticket} title={t('gw.tokenTitle')} onCancel={onClose} onOk={onClose} cancelButtonProps={{ style: { display: 'none' } }} destroyOnHidden>
      {ticket && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph>{t('gw.tokenOnce')}</Typography.Paragraph>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('gw.id')}>{ticket.id}</Descriptions.Item>
            <Descriptions.Item label={t('gw.token')}>
              <Typography.Text code copyable data-testid="enrol-token">
                {ticket.enrolToken}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('gw.tokenExpires')}>{dt(ticket.expiresAt)}</Descriptions.Item>
          </Descriptions>
        </Space>
      )}
    </Modal>
  );
}

function GatewayList() {
  const { t, dt } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const list = useFetch<Gateway[]>('/api/monitor/gateways', undefined, { live: ['gateway', 'alarm'], pollMs: 30_000 });
  const [creating, setCreating] = useState(false);
  const [saving, setSaving] = useState(false);
  const [ticket, setTicket] = useState<EnrolmentTicket | null>(null);
  const [form] = Form.useForm<{ id: string; name?: string }>();
  const admin = can('gateways.manage');

  const reissue = async (id: string) => {
    try {
      setTicket(await api.post<EnrolmentTicket>(`/api/gateways/${encodeURIComponent(id)}/enrolment-token`));
      list.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };
  const revoke = async (id: string) => {
    try {
      await api.post(`/api/gateways/${encodeURIComponent(id)}/revoke`);
      void message.success(t('gw.revokedOk', { id }));
      list.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };
  const create = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setSaving(true);
    try {
      const tk = await api.post<EnrolmentTicket>('/api/gateways', { id: v.id.trim(), ...(v.name?.trim() ? { name: v.name.trim() } : {}) });
      setCreating(false);
      form.resetFields();
      setTicket(tk);
      list.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setSaving(false);
    }
  };

  const rows = list.data ?? [];
  const online = rows.filter((g) => g.online).length;

  return (
    <>
      <PageHeader
        title={t('nav.gateways')}
        sub={t('gw.summary', { total: rows.length, online })}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={list.reload} />
            {admin && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="gw-create">
                {t('gw.create')}
              </Button>
            )}
          </Space>
        }
      />
      <Problem error={list.error} />
      <Card>
        <Table<Gateway>
          rowKey="id"
          size="middle"
          loading={list.loading && !list.data}
          dataSource={rows}
          scroll={{ x: 760 }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          onRow={(g) => ({ onClick: () => navigate(encodeURIComponent(g.id)), style: { cursor: 'pointer' } })}
          columns={[
            { title: t('gw.id'), dataIndex: 'id', render: (id: string) => <Typography.Text strong>{id}</Typography.Text> },
            { title: t('gw.name'), dataIndex: 'name' },
            { title: t('gw.state'), key: 'state', render: (_, g) => <OnlineBadge g={g} /> },
            { title: t('gw.devices'), dataIndex: 'devices', align: 'right', render: (n?: number) => n ?? '—' },
            { title: t('gw.openAlarms'), dataIndex: 'openAlarms', align: 'right', render: (n?: number) => (n ? <Tag color="red">{n}</Tag> : (n ?? '—')) },
            { title: t('gw.version'), key: 'version', render: (_, g) => g.status?.version ?? '—' },
            { title: t('gw.lastSeen'), key: 'seen', render: (_, g) => dt(g.lastSeen ?? g.status?.updatedAt ?? null) },
            { title: t('gw.enrolled'), dataIndex: 'enrolledAt', render: (v: number | null) => dt(v) },
            ...(admin
              ? [
                  {
                    title: t('common.actions'),
                    key: 'actions',
                    render: (_: unknown, g: Gateway) => (
                      <Space onClick={(e) => e.stopPropagation()}>
                        <Button size="small" disabled={g.revokedAt !== null} onClick={() => void reissue(g.id)}>
                          {t('gw.newToken')}
                        </Button>
                        <Popconfirm title={t('gw.revokeConfirm', { id: g.id })} onConfirm={() => revoke(g.id)} okButtonProps={{ danger: true }}>
                          <Button size="small" danger disabled={g.revokedAt !== null}>
                            {t('gw.revoke')}
                          </Button>
                        </Popconfirm>
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Modal
        open={creating}
        title={t('gw.create')}
        onOk={() => void create()}
        onCancel={() => setCreating(false)}
        okText={t('common.create')}
        confirmLoading={saving}
        okButtonProps={{ 'data-testid': 'gw-create-ok' } as ButtonProps}
        destroyOnHidden
      >
        <Form form={form} layout="vertical">
          <Form.Item name="id" label={t('gw.id')} rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9-]{1,62}$/, message: t('gw.idRule') }]} extra={t('gw.idRule')}>
            <Input placeholder="quay-3" data-testid="gw-create-id" />
          </Form.Item>
          <Form.Item name="name" label={t('gw.name')}>
            <Input placeholder={t('gw.namePlaceholder')} />
          </Form.Item>
        </Form>
      </Modal>
      <TicketModal ticket={ticket} onClose={() => setTicket(null)} />
    </>
  );
}

const RANGES = { h1: 3600_000, h24: 24 * 3600_000, d7: 7 * 24 * 3600_000 } as const;
type RangeKey = keyof typeof RANGES;

function fmtValue(v: SeriesRow['value']): string {
  if (v === null) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 4 : 2);
  return v;
}

const HEALTH_COLOURS: Record<DeviceHealth, string> = { ok: 'green', degraded: 'gold', fault: 'red', stale: 'default' };

function fmtPointValue(v: SeriesRow['value'], unit: string): string {
  return `${fmtValue(v)}${unit ? ` ${unit}` : ''}`;
}

function GatewayDetail() {
  const { t, dt, dts } = useI18n();
  const navigate = useNavigate();
  const gw = useParams()['gw'] ?? '';
  const enc = encodeURIComponent(gw);
  const g = useFetch<Gateway>(`/api/gateways/${enc}`, undefined, { live: ['gateway'] });
  const devices = useFetch<DeviceState[]>(`/api/monitor/gateways/${enc}/devices`, undefined, { live: ['alarm', 'gateway'], pollMs: 10_000 });
  const commands = useFetch<CommandRow[]>(`/api/gateways/${enc}/commands`, undefined, { live: ['queue'], pollMs: 30_000 });
  const [sel, setSel] = useState<{ device: string; point: string } | null>(null);

  type PointRow = DeviceState['points'][number] & { device: string; health: DeviceHealth; first: boolean; span: number };
  const rows = useMemo<PointRow[]>(
    () =>
      (devices.data ?? []).flatMap((d) =>
        d.points.length === 0
          ? [{ device: d.device, health: d.health, first: true, span: 1, point: '—', value: null, unit: '', quality: 'bad' as const, ts: d.lastTs ?? 0 }]
          : d.points.map((p, i) => ({ ...p, device: d.device, health: d.health, first: i === 0, span: i === 0 ? d.points.length : 0 })),
      ),
    [devices.data],
  );

  return (
    <>
      <PageHeader
        title={`${t('gw.gateway')} ${gw}`}
        onBack={() => navigate('/gateways')}
        sub={g.data ? <OnlineBadge g={g.data} /> : null}
        extra={
          <Button
            icon={<ReloadOutlined />}
            onClick={() => {
              g.reload();
              devices.reload();
              commands.reload();
            }}
          />
        }
      />
      <Problem error={g.error ?? devices.error} />
      {g.data && (
        <Card size="small" style={{ marginBottom: 16 }}>
          <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 4 }}>
            <Descriptions.Item label={t('gw.name')}>{g.data.name}</Descriptions.Item>
            <Descriptions.Item label={t('gw.version')}>{g.data.status?.version ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('gw.created')}>{dt(g.data.createdAt)}</Descriptions.Item>
            <Descriptions.Item label={t('gw.lastSeen')}>{dt(g.data.status?.updatedAt ?? null)}</Descriptions.Item>
          </Descriptions>
        </Card>
      )}
      <div className="qs-grid-2">
        <Card title={t('gw.liveValues')} size="small" extra={<Typography.Text type="secondary">{t('gw.devicesCount', { n: devices.data?.length ?? 0 })}</Typography.Text>}>
          <Table<PointRow>
            size="small"
            rowKey={(r) => `${r.device}/${r.point}`}
            dataSource={rows}
            loading={devices.loading && !devices.data}
            pagination={false}
            scroll={{ y: 420, x: 520 }}
            locale={{ emptyText: <Empty description={t('gw.noValues')} /> }}
            rowClassName={(r) => (sel && sel.device === r.device && sel.point === r.point ? 'qs-row-selected' : '')}
            onRow={(r) => ({ onClick: () => r.point !== '—' && setSel({ device: r.device, point: r.point }), style: { cursor: 'pointer' }, 'data-testid': `point-${r.device}-${r.point}` }) as HTMLAttributes<HTMLElement>}
            columns={[
              {
                title: t('gw.device'),
                dataIndex: 'device',
                onCell: (r) => ({ rowSpan: r.span }),
                render: (d: string, r) => (
                  <Space direction="vertical" size={2}>
                    <Typography.Text strong>{d}</Typography.Text>
                    <Tag color={HEALTH_COLOURS[r.health]}>{t(`health.${r.health}`)}</Tag>
                  </Space>
                ),
              },
              { title: t('gw.point'), dataIndex: 'point' },
              { title: t('gw.value'), key: 'value', align: 'right', render: (_, r) => <Typography.Text strong className="qs-nowrap">{fmtPointValue(r.value, r.unit)}</Typography.Text> },
              { title: t('gw.quality'), key: 'q', render: (_, r) => (r.point === '—' ? null : <Tag color={r.quality === 'good' ? 'green' : r.quality === 'uncertain' ? 'gold' : 'red'}>{t(`quality.${r.quality}`)}{r.reason ? ` · ${r.reason}` : ''}</Tag>) },
              { title: t('gw.time'), dataIndex: 'ts', render: (v: number) => <span className="qs-nowrap">{dts(v || null)}</span> },
            ]}
          />
        </Card>
        <HistoryCard gw={gw} sel={sel} />
      </div>
      <Card title={t('gw.commands')} size="small" style={{ marginTop: 16 }}>
        <Table<CommandRow>
          size="small"
          rowKey="id"
          dataSource={commands.data ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 640 }}
          columns={[
            { title: t('gw.time'), dataIndex: 'createdAt', render: (v: number) => dt(v) },
            { title: t('cmd.target'), dataIndex: 'target' },
            { title: t('cmd.op'), dataIndex: 'op' },
            { title: t('cmd.args'), dataIndex: 'args', render: (a: unknown) => <Typography.Text code className="qs-mono-cell">{JSON.stringify(a)}</Typography.Text> },
            { title: t('cmd.status'), key: 'status', render: (_, c) => <CommandStatus status={c.status} detail={c.result?.detail} /> },
          ]}
        />
      </Card>
    </>
  );
}

function HistoryCard({ gw, sel }: { gw: string; sel: { device: string; point: string } | null }) {
  const { t, lang } = useI18n();
  const [range, setRange] = useState<RangeKey>('h24');
  const path = sel ? `/api/gateways/${encodeURIComponent(gw)}/devices/${encodeURIComponent(sel.device)}/history` : null;
  // The window starts when the range or the point is chosen (a moving `from` would refetch every render).
  const from = useMemo(() => Math.max(0, Date.now() - RANGES[range]), [range, sel?.device, sel?.point]);
  const hist = useFetch<HistoryResponse>(path, sel ? { point: sel.point, from, limit: 5000 } : undefined, { pollMs: 30_000 });
  const rows = hist.data?.rows ?? [];
  const unit = rows[0]?.unit ?? '';
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 56, right: 16, top: 24, bottom: 56 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', name: unit, scale: true },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
      series: [
        {
          type: 'line',
          name: sel?.point ?? '',
          showSymbol: rows.length < 60,
          data: rows.filter((r) => typeof r.value === 'number').map((r) => [r.ts, r.value]),
          lineStyle: { width: 1.6 },
          areaStyle: { opacity: 0.06 },
        },
      ],
    }),
    [rows, unit, sel?.point, lang],
  );
  return (
    <Card
      size="small"
      title={sel ? `${t('gw.history')} · ${sel.device} / ${sel.point}` : t('gw.history')}
      extra={
        <Radio.Group size="small" value={range} onChange={(e) => setRange(e.target.value as RangeKey)} optionType="button">
          <Radio.Button value="h1">{t('range.h1')}</Radio.Button>
          <Radio.Button value="h24">{t('range.h24')}</Radio.Button>
          <Radio.Button value="d7">{t('range.d7')}</Radio.Button>
        </Radio.Group>
      }
    >
      {!sel ? (
        <Empty description={t('gw.pickPoint')} style={{ padding: 48 }} />
      ) : rows.length === 0 && !hist.loading ? (
        <Empty description={t('gw.noHistory')} style={{ padding: 48 }} />
      ) : (
        <Chart option={option} height={420} testId="history-chart" />
      )}
    </Card>
  );
}
