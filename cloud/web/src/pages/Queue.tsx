/**
 * Queue calling (排队叫号): tickets for trucks and enterprise visitors; a call sends a `queue.call`
 * command down to the window's gateway (queue terminal and LED display), and the ticket shows that
 * command's state as the edge answers; windows are configured by command staff.
 */
import { NotificationOutlined, PlusOutlined, ReloadOutlined, SettingOutlined } from '@ant-design/icons';
import { App, Button, Card, Dropdown, Empty, Form, Input, InputNumber, Modal, Segmented, Select, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { api } from '../api/client.js';
import type { QueueWindow, Ticket, TicketStatus } from '../api/types.js';
import { PageHeader, Problem } from '../components/Page.js';
import { CommandStatus, StateTag } from '../components/Status.js';
import { useFetch } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { errorText } from '../util.js';

const COLOURS: Record<TicketStatus, string> = { waiting: 'gold', called: 'processing', served: 'green', no_show: 'red', cancelled: 'default' };

function TicketModal({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { is } = useSession();
  const [form] = Form.useForm<{ kind: Ticket['kind']; plate?: string; name?: string; enterpriseId?: string }>();
  const kind = Form.useWatch('kind', form) ?? 'truck';
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const tk = await api.post<Ticket>('/api/queue/tickets', {
        kind: v.kind,
        ...(v.plate?.trim() ? { plate: v.plate.trim().toUpperCase() } : {}),
        ...(v.name?.trim() ? { name: v.name.trim() } : {}),
        ...(v.enterpriseId?.trim() ? { enterpriseId: v.enterpriseId.trim() } : {}),
      });
      void message.success(t('queue.ticketTaken', { number: tk.number }));
      form.resetFields();
      onDone();
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={t('queue.take')} onCancel={onClose} onOk={() => void submit()} confirmLoading={busy} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ kind: 'truck' }}>
        <Form.Item name="kind" label={t('queue.kind')}>
          <Segmented options={(['truck', 'visitor'] as const).map((k) => ({ value: k, label: t(`ticketKind.${k}`) }))} />
        </Form.Item>
        {kind === 'truck' ? (
          <Form.Item name="plate" label={t('queue.plate')} rules={[{ required: true, whitespace: true }]}>
            <Input placeholder="沪A12345" data-testid="ticket-plate" />
          </Form.Item>
        ) : (
          <Form.Item name="name" label={t('queue.visitor')} rules={[{ required: true, whitespace: true }]}>
            <Input data-testid="ticket-name" />
          </Form.Item>
        )}
        {!is('enterprise') && (
          <Form.Item name="enterpriseId" label={t('queue.enterpriseId')}>
            <Input />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function WindowModal({ win, onClose, onDone }: { win: QueueWindow | 'new' | null; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<QueueWindow>();
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      await api.put(`/api/queue/windows/${v.window}`, { gw: v.gw.trim(), terminal: v.terminal.trim(), ...(v.led?.trim() ? { led: v.led.trim() } : {}), ...(v.label?.trim() ? { label: v.label.trim() } : {}) });
      onDone();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };
  return (
    <Modal open={win !== null} title={t('queue.window')} onCancel={onClose} onOk={() => void submit()} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={win && win !== 'new' ? win : {}}>
        <Form.Item name="window" label={t('queue.windowId')} rules={[{ required: true, whitespace: true }]}>
          <InputNumber min={1} max={999} disabled={win !== 'new'} placeholder="1" />
        </Form.Item>
        <Form.Item name="label" label={t('queue.windowLabel')}>
          <Input placeholder={t('queue.windowLabelPlaceholder')} />
        </Form.Item>
        <Form.Item name="gw" label={t('gw.gateway')} rules={[{ required: true, whitespace: true }]}>
          <Input placeholder="quay-1" />
        </Form.Item>
        <Form.Item name="terminal" label={t('queue.terminal')} rules={[{ required: true, whitespace: true }]}>
          <Input placeholder="queue-1" />
        </Form.Item>
        <Form.Item name="led" label={t('queue.led')}>
          <Input placeholder="led-1" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function Queue() {
  const { t, dts } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const [status, setStatus] = useState<string>('open');
  const tickets = useFetch<Ticket[]>('/api/queue/tickets', status === 'open' || status === 'all' ? undefined : { status }, { live: ['queue'] });
  const windows = useFetch<QueueWindow[]>('/api/queue/windows');
  const [taking, setTaking] = useState(false);
  const [editing, setEditing] = useState<QueueWindow | 'new' | null>(null);
  const [calling, setCalling] = useState<Ticket | null>(null);
  const [callForm] = Form.useForm<{ window: number; text?: string }>();

  const rows = useMemo(() => (tickets.data ?? []).filter((x) => status !== 'open' || x.status === 'waiting' || x.status === 'called'), [tickets.data, status]);
  const nowCalling = useMemo(() => {
    const m = new Map<number, Ticket>();
    for (const x of tickets.data ?? []) if (x.status === 'called' && x.window && (!m.has(x.window) || (m.get(x.window)!.calledAt ?? 0) < (x.calledAt ?? 0))) m.set(x.window, x);
    return [...m.values()];
  }, [tickets.data]);
  const windowLabel = (w: number | null) => {
    const win = windows.data?.find((x) => x.window === w);
    return win?.label ? win.label : w === null ? '—' : t('queue.windowN', { n: w });
  };

  const call = async () => {
    if (!calling) return;
    const v = await callForm.validateFields().catch(() => null);
    if (!v) return;
    try {
      const tk = await api.post<Ticket>(`/api/queue/tickets/${encodeURIComponent(calling.id)}/call`, { window: v.window, ...(v.text?.trim() ? { text: v.text.trim() } : {}) });
      void message.success(t('queue.calledOk', { number: tk.number, window: windowLabel(tk.window) }));
      setCalling(null);
      tickets.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };
  const setTicketStatus = async (x: Ticket, s: 'served' | 'no_show' | 'cancelled') => {
    try {
      await api.post(`/api/queue/tickets/${encodeURIComponent(x.id)}/status`, { status: s });
      tickets.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };

  return (
    <>
      <PageHeader
        title={t('nav.queue')}
        sub={t('queue.waitingCount', { n: (tickets.data ?? []).filter((x) => x.status === 'waiting').length })}
        extra={
          <Space wrap>
            <Select
              size="small"
              value={status}
              onChange={setStatus}
              style={{ width: 150 }}
              options={[{ value: 'open', label: t('queue.open') }, ...(['waiting', 'called', 'served', 'no_show', 'cancelled'] as const).map((s) => ({ value: s, label: t(`ticketStatus.${s}`) })), { value: 'all', label: t('common.all') }]}
            />
            <Button icon={<ReloadOutlined />} onClick={tickets.reload} />
            {can('queue.ticket') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setTaking(true)} data-testid="ticket-take">
                {t('queue.take')}
              </Button>
            )}
          </Space>
        }
      />
      <Problem error={tickets.error} />
      <div className="qs-grid-side">
        <Card>
          <Table<Ticket>
            rowKey="id"
            size="middle"
            loading={tickets.loading && !tickets.data}
            dataSource={rows}
            className="qs-table-nowrap"
            scroll={{ x: 'max-content' }}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            columns={[
              { title: t('queue.number'), dataIndex: 'number', render: (n: string) => <Typography.Text strong style={{ fontSize: 16 }} data-testid="ticket-number">{n}</Typography.Text> },
              { title: t('queue.kind'), dataIndex: 'kind', render: (k: Ticket['kind']) => t(`ticketKind.${k}`) },
              { title: t('queue.who'), key: 'who', render: (_, x) => x.plate ?? x.name ?? '—' },
              { title: t('common.status'), dataIndex: 'status', render: (s: TicketStatus) => <StateTag prefix="ticketStatus" value={s} colours={COLOURS} /> },
              { title: t('queue.window'), dataIndex: 'window', render: (w: number | null) => windowLabel(w) },
              { title: t('queue.downlink'), key: 'cmd', render: (_, x) => (x.command ? <CommandStatus status={x.command.status} detail={x.command.detail} /> : '—') },
              { title: t('common.created'), dataIndex: 'createdAt', render: (v: number) => <span className="qs-nowrap">{dts(v)}</span> },
              ...(can('queue.call')
                ? [
                    {
                      title: t('common.actions'),
                      key: 'actions',
                      fixed: 'right' as const,
                      render: (_: unknown, x: Ticket) =>
                        x.status === 'waiting' || x.status === 'called' ? (
                          <Space>
                            <Button
                              size="small"
                              type="primary"
                              icon={<NotificationOutlined />}
                              data-testid={`call-${x.number}`}
                              onClick={() => {
                                callForm.setFieldsValue({ window: x.window ?? windows.data?.[0]?.window });
                                setCalling(x);
                              }}
                            >
                              {x.status === 'called' ? t('queue.recall') : t('queue.call')}
                            </Button>
                            <Dropdown
                              menu={{
                                items: (['served', 'no_show', 'cancelled'] as const).map((s) => ({ key: s, label: t(`ticketStatus.${s}`) })),
                                onClick: (i) => void setTicketStatus(x, i.key as 'served' | 'no_show' | 'cancelled'),
                              }}
                            >
                              <Button size="small">{t('queue.mark')}</Button>
                            </Dropdown>
                          </Space>
                        ) : null,
                    },
                  ]
                : []),
            ]}
          />
        </Card>
        <Space direction="vertical" style={{ width: '100%' }} size={16}>
          <Card size="small" title={t('queue.nowCalling')}>
            {nowCalling.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('queue.nobodyCalled')} />
            ) : (
              <div className="qs-calling">
                {nowCalling.map((x) => (
                  <div key={x.id} className="qs-calling-item">
                    <span className="qs-calling-number">{x.number}</span>
                    <span>→ {windowLabel(x.window)}</span>
                    {x.command && <CommandStatus status={x.command.status} detail={x.command.detail} />}
                  </div>
                ))}
              </div>
            )}
          </Card>
          <Card
            size="small"
            title={t('queue.windows')}
            extra={
              can('queue.manage') && (
                <Button size="small" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
                  {t('common.add')}
                </Button>
              )
            }
          >
            <Problem error={windows.error} />
            {(windows.data ?? []).map((w) => (
              <div key={w.window} className="qs-window-row">
                <Space direction="vertical" size={0}>
                  <Typography.Text strong>{w.label ?? w.window}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {w.gw} · {w.terminal}
                    {w.led ? ` · ${w.led}` : ''}
                  </Typography.Text>
                </Space>
                {can('queue.manage') && <Button size="small" type="text" icon={<SettingOutlined />} onClick={() => setEditing(w)} />}
              </div>
            ))}
            {windows.data && windows.data.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('queue.noWindows')} />}
          </Card>
        </Space>
      </div>
      <TicketModal
        open={taking}
        onClose={() => setTaking(false)}
        onDone={() => {
          setTaking(false);
          tickets.reload();
        }}
      />
      <WindowModal
        win={editing}
        onClose={() => setEditing(null)}
        onDone={() => {
          setEditing(null);
          windows.reload();
        }}
      />
      <Modal open={!!calling} title={calling ? t('queue.callTitle', { number: calling.number }) : ''} onCancel={() => setCalling(null)} onOk={() => void call()} okText={t('queue.call')} destroyOnHidden okButtonProps={{ 'data-testid': 'call-confirm' }}>
        <Form form={callForm} layout="vertical">
          <Form.Item name="window" label={t('queue.window')} rules={[{ required: true }]}>
            <Select options={(windows.data ?? []).map((w) => ({ value: w.window, label: w.label ? `${w.label} (${w.window})` : t('queue.windowN', { n: w.window }) }))} data-testid="call-window" />
          </Form.Item>
          <Form.Item name="text" label={t('queue.ledText')} extra={t('queue.ledTextHint')}>
            <Input maxLength={64} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

