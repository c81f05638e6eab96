/**
 * Local inspection appointments (属地查检): an enterprise user books a slot for goods at its premises;
 * customs accepts, reschedules (new slot) or rejects; acceptance creates the inspection task.
 */
import { CalendarOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Descriptions, Form, Input, Modal, Popconfirm, Segmented, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../api/client.js';
import type { Appointment, AppointmentStatus, User } from '../api/types.js';
import { PageHeader, Problem } from '../components/Page.js';
import { StateTag } from '../components/Status.js';
import { useFetch } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { errorText, toMs } from '../util.js';

const COLOURS: Record<AppointmentStatus, string> = { requested: 'gold', accepted: 'green', rescheduled: 'cyan', rejected: 'red', cancelled: 'default', done: 'blue' };
type Range = [{ valueOf(): number }, { valueOf(): number }];

function BookModal({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ goods: string; location: string; slot: Range; contactPhone?: string; note?: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      await api.post('/api/appointments', {
        goods: v.goods.trim(),
        location: v.location.trim(),
        slotStart: toMs(v.slot[0]),
        slotEnd: toMs(v.slot[1]),
        ...(v.contactPhone?.trim() ? { contactPhone: v.contactPhone.trim() } : {}),
        ...(v.note?.trim() ? { note: v.note.trim() } : {}),
      });
      void message.success(t('appt.booked'));
      form.resetFields();
      onDone();
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={t('appt.book')} onCancel={onClose} onOk={() => void submit()} confirmLoading={busy} okText={t('appt.submit')} destroyOnHidden width={560} okButtonProps={{ 'data-testid': 'appt-submit' }}>
      <Form form={form} layout="vertical">
        <Form.Item name="goods" label={t('appt.goods')} rules={[{ required: true, whitespace: true }]}>
          <Input placeholder={t('appt.goodsPlaceholder')} data-testid="appt-goods" />
        </Form.Item>
        <Form.Item name="location" label={t('appt.location')} rules={[{ required: true, whitespace: true }]}>
          <Input placeholder={t('appt.locationPlaceholder')} data-testid="appt-location" />
        </Form.Item>
        <Form.Item name="slot" label={t('appt.slot')} rules={[{ required: true }]}>
          <DatePicker.RangePicker showTime={{ format: 'HH:mm', minuteStep: 15 }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} className="qs-appt-slot" />
        </Form.Item>
        <Form.Item name="contactPhone" label={t('appt.phone')} rules={[{ pattern: /^[0-9+\-\s]{5,20}$/, message: t('appt.phoneRule') }]}>
          <Input data-testid="appt-phone" />
        </Form.Item>
        <Form.Item name="note" label={t('common.note')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function DecideModal({ appt, onClose, onDone }: { appt: Appointment | null; onClose(): void; onDone(): void }) {
  const { t, slot } = useI18n();
  const { message } = App.useApp();
  const [decision, setDecision] = useState<'accept' | 'reschedule' | 'reject'>('accept');
  const [form] = Form.useForm<{ slot?: Range; note?: string; assigneeId?: string }>();
  const users = useFetch<User[]>('/api/users', { role: 'inspector', status: 'active' }, { enabled: !!appt });
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!appt) return;
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      await api.post(`/api/appointments/${encodeURIComponent(appt.id)}/decision`, {
        decision,
        ...(decision === 'reschedule' && v.slot ? { slotStart: toMs(v.slot[0]), slotEnd: toMs(v.slot[1]) } : {}),
        ...(v.note?.trim() ? { note: v.note.trim() } : {}),
        ...(decision !== 'reject' && v.assigneeId ? { assigneeId: v.assigneeId } : {}),
      });
      void message.success(t('appt.decided'));
      form.resetFields();
      onDone();
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={!!appt} title={t('appt.decide')} onCancel={onClose} onOk={() => void submit()} confirmLoading={busy} destroyOnHidden width={560}>
      {appt && (
        <Descriptions size="small" column={1} style={{ marginBottom: 12 }}>
          <Descriptions.Item label={t('appt.enterprise')}>{appt.enterpriseName}</Descriptions.Item>
          <Descriptions.Item label={t('appt.goods')}>{appt.goods}</Descriptions.Item>
          <Descriptions.Item label={t('appt.slot')}>{slot(appt.slotStart, appt.slotEnd)}</Descriptions.Item>
        </Descriptions>
      )}
      <Segmented
        block
        value={decision}
        onChange={(v) => setDecision(v as typeof decision)}
        options={[
          { value: 'accept', label: t('appt.accept') },
          { value: 'reschedule', label: t('appt.reschedule') },
          { value: 'reject', label: t('appt.reject') },
        ]}
        style={{ marginBottom: 16 }}
      />
      <Form form={form} layout="vertical">
        {decision === 'reschedule' && (
          <Form.Item name="slot" label={t('appt.newSlot')} rules={[{ required: true }]}>
            <DatePicker.RangePicker showTime={{ format: 'HH:mm', minuteStep: 15 }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
          </Form.Item>
        )}
        {decision !== 'reject' && (
          <Form.Item name="assigneeId" label={t('task.assignee')}>
            {users.error ? <Input placeholder={t('task.assigneeId')} data-testid="appt-assignee" /> : <Select data-testid="appt-assignee" allowClear showSearch optionFilterProp="label" placeholder={t('task.pickInspector')} options={(users.data ?? []).map((u) => ({ value: u.id, label: `${u.displayName || u.username} (${u.username})` }))} />}
          </Form.Item>
        )}
        <Form.Item name="note" label={t('appt.decisionNote')} rules={decision === 'reject' ? [{ required: true, whitespace: true }] : []}>
          <Input.TextArea rows={2} data-testid="appt-decision-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function Appointments() {
  const { t, dt, slot } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const [params] = useSearchParams();
  const [status, setStatus] = useState<string>('all');
  const list = useFetch<Appointment[]>('/api/appointments', status === 'all' ? undefined : { status }, { live: ['appointment', 'task'] });
  const [booking, setBooking] = useState(false);
  const [deciding, setDeciding] = useState<Appointment | null>(null);
  const highlight = params.get('id');

  const cancel = async (a: Appointment) => {
    try {
      await api.post(`/api/appointments/${encodeURIComponent(a.id)}/cancel`);
      void message.success(t('appt.cancelled'));
      list.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };

  return (
    <>
      <PageHeader
        title={t('nav.appointments')}
        sub={list.data ? t('common.count', { n: list.data.length }) : null}
        extra={
          <Space wrap>
            <Select
              size="small"
              value={status}
              onChange={setStatus}
              style={{ width: 130 }}
              options={[{ value: 'all', label: t('common.all') }, ...(['requested', 'accepted', 'rescheduled', 'rejected', 'cancelled', 'done'] as const).map((s) => ({ value: s, label: t(`apptStatus.${s}`) }))]}
            />
            <Button icon={<ReloadOutlined />} onClick={list.reload} />
            {can('appointments.book') && (
              <Button type="primary" icon={<CalendarOutlined />} onClick={() => setBooking(true)} data-testid="appt-book">
                {t('appt.book')}
              </Button>
            )}
          </Space>
        }
      />
      <Problem error={list.error} />
      <Card>
        <Table<Appointment>
          rowKey="id"
          size="middle"
          loading={list.loading && !list.data}
          dataSource={list.data ?? []}
          scroll={{ x: 900 }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          rowClassName={(a) => (a.id === highlight ? 'qs-row-selected' : '')}
          expandable={{
            expandedRowRender: (a) => (
              <Descriptions size="small" column={{ xs: 1, md: 2 }}>
                <Descriptions.Item label={t('appt.phone')}>{a.contactPhone ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('common.note')}>{a.note ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('appt.decisionNote')}>{a.decisionNote ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('appt.decidedAt')}>{dt(a.decidedAt)}</Descriptions.Item>
              </Descriptions>
            ),
          }}
          columns={[
            { title: t('appt.enterprise'), dataIndex: 'enterpriseName' },
            { title: t('appt.goods'), dataIndex: 'goods', render: (g: string) => <span data-testid="appt-row-goods">{g}</span> },
            { title: t('appt.location'), dataIndex: 'location' },
            {
              title: t('appt.slot'),
              key: 'slot',
              width: 200,
              render: (_, a) => <span className="qs-nowrap">{slot(a.slotStart, a.slotEnd)}</span>,
            },
            { title: t('common.status'), dataIndex: 'status', width: 100, render: (s: AppointmentStatus) => <StateTag prefix="apptStatus" value={s} colours={COLOURS} /> },
            { title: t('appt.task'), dataIndex: 'taskId', width: 100, render: (id: string | null) => (id && can('tasks.read') ? <Link to={`/tasks/${encodeURIComponent(id)}`}>{t('appt.viewTask')}</Link> : '—') },
            {
              title: t('common.actions'),
              key: 'actions',
              fixed: 'right',
              width: 150,
              render: (_, a) => (
                <Space>
                  {can('appointments.decide') && (a.status === 'requested' || a.status === 'rescheduled' || a.status === 'accepted') && (
                    <Button size="small" type="primary" ghost onClick={() => setDeciding(a)} data-testid={`appt-decide-${a.id}`}>
                      {t('appt.decide')}
                    </Button>
                  )}
                  {can('appointments.book') && a.status === 'requested' && (
                    <Popconfirm title={t('appt.cancelConfirm')} onConfirm={() => cancel(a)}>
                      <Button size="small" danger>
                        {t('appt.cancel')}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <BookModal
        open={booking}
        onClose={() => setBooking(false)}
        onDone={() => {
          setBooking(false);
          list.reload();
        }}
      />
      <DecideModal
        appt={deciding}
        onClose={() => setDeciding(null)}
        onDone={() => {
          setDeciding(null);
          list.reload();
        }}
      />
    </>
  );
}
