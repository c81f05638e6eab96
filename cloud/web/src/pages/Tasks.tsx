/**
 * Inspection tasks (监管辅助作业): list with filters and the priority-inspection (优先查检) fulfilment
 * rate against its 95 % target; creation and assignment for command staff; the detail page where the
 * assigned inspector starts the task, ticks the checklist, adds evidence (photos, edge readings, notes)
 * and records the result.
 */
import { CameraOutlined, CheckCircleOutlined, FileTextOutlined, PlayCircleOutlined, PlusOutlined, ReloadOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { App, Button, Card, Checkbox, DatePicker, Descriptions, Empty, Form, Image, Input, InputNumber, List, Modal, Progress, Radio, Segmented, Select, Space, Statistic, Switch, Table, Tag, Tooltip, Typography, Upload } from 'antd';
import { useMemo, useState } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router-dom';
import { api } from '../api/client.js';
import type { Evidence, PriorityStats, Task, TaskResult, TaskStatus, User } from '../api/types.js';
import { PageHeader, Problem } from '../components/Page.js';
import { StateTag } from '../components/Status.js';
import { useFetch } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { errorText, toMs } from '../util.js';

export const TASK_STATUS_COLOURS: Record<TaskStatus, string> = { open: 'default', assigned: 'blue', in_progress: 'processing', done: 'success', cancelled: 'default' };
const RESULT_COLOURS: Record<TaskResult, string> = { pass: 'green', fail: 'red', anomaly: 'orange' };

export default function TasksPage() {
  return (
    <Routes>
      <Route index element={<TaskList />} />
      <Route path=":id" element={<TaskDetail />} />
    </Routes>
  );
}

export function Deadline({ task }: { task: Pick<Task, 'deadlineAt' | 'status' | 'completedAt' | 'onTime' | 'priority'> }) {
  const { t, dt } = useI18n();
  if (!task.deadlineAt) return <span>—</span>;
  const done = task.status === 'done' || task.status === 'cancelled';
  const late = done ? task.onTime === false : Date.now() > task.deadlineAt;
  return (
    <Space size={4} wrap>
      <span>{dt(task.deadlineAt)}</span>
      {done ? task.onTime === true ? <Tag color="green">{t('task.onTime')}</Tag> : task.onTime === false ? <Tag color="red">{t('task.late')}</Tag> : null : late ? <Tag color="red">{t('task.overdue')}</Tag> : null}
    </Space>
  );
}

function PriorityCard() {
  const { t } = useI18n();
  const stats = useFetch<PriorityStats>('/api/tasks/priority/stats', undefined, { live: ['task'] });
  const s = stats.data;
  const pct = s && s.rate !== null ? Math.round(s.rate * 1000) / 10 : null;
  const target = Math.round((s?.target ?? 0.95) * 100);
  return (
    <Card size="small" style={{ marginBottom: 16 }} data-testid="priority-card">
      <div className="qs-priority">
        <Space size="large" wrap>
          <Statistic title={t('task.priorityRate')} value={pct ?? '—'} suffix={pct === null ? undefined : '%'} precision={pct === null ? undefined : 1} valueStyle={{ color: pct === null ? undefined : pct >= target ? '#389e0d' : '#cf1322' }} />
          <Tooltip title={t('ops.targetHint')}>
            <Progress type="dashboard" size={72} percent={pct ?? 0} success={{ percent: 0 }} strokeColor={pct !== null && pct >= target ? '#52c41a' : '#ff4d4f'} format={() => `≥${target}%`} />
          </Tooltip>
          <Statistic title={t('task.priorityTotal')} value={s?.total ?? '—'} />
          <Statistic title={t('task.onTime')} value={s?.onTime ?? '—'} />
          <Statistic title={t('task.late')} value={s?.late ?? '—'} />
          <Statistic title={t('task.overdueOpen')} value={s?.overdueOpen ?? '—'} valueStyle={s?.overdueOpen ? { color: '#cf1322' } : undefined} />
          <Statistic title={t('task.openPriority')} value={s?.open ?? '—'} />
        </Space>
      </div>
      <Problem error={stats.error} />
    </Card>
  );
}

/** Inspectors to assign to: the user list when the caller may read it, otherwise an id typed in. */
function useInspectors(enabled: boolean) {
  const users = useFetch<User[]>('/api/users', { role: 'inspector', status: 'active' }, { enabled });
  return { options: (users.data ?? []).map((u) => ({ value: u.id, label: `${u.displayName || u.username} (${u.username})` })), failed: !!users.error };
}

function AssigneeInput({ value, onChange, options, failed }: { value?: string; onChange?: (v: string) => void; options: { value: string; label: string }[]; failed: boolean }) {
  const { t } = useI18n();
  if (failed) return <Input value={value} onChange={(e) => onChange?.(e.target.value)} placeholder={t('task.assigneeId')} />;
  return <Select value={value} onChange={onChange} options={options} showSearch optionFilterProp="label" allowClear placeholder={t('task.pickInspector')} data-testid="assignee-select" />;
}

function CreateTaskModal({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(t: Task): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { can } = useSession();
  const inspectors = useInspectors(open && can('tasks.assign'));
  const [form] = Form.useForm<{ title: string; kind: Task['kind']; checklist: string; priority: boolean; deadline?: { valueOf(): number }; assigneeId?: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const task = await api.post<Task>('/api/tasks', {
        title: v.title.trim(),
        kind: v.kind,
        checklist: v.checklist
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
        priority: v.priority,
        ...(v.deadline ? { deadlineAt: toMs(v.deadline) } : {}),
        ...(v.assigneeId ? { assigneeId: v.assigneeId } : {}),
      });
      form.resetFields();
      onDone(task);
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={t('task.create')} onCancel={onClose} onOk={() => void submit()} confirmLoading={busy} okText={t('common.create')} destroyOnHidden width={560}>
      <Form form={form} layout="vertical" initialValues={{ kind: 'inspection', priority: false }}>
        <Form.Item name="title" label={t('task.title')} rules={[{ required: true, whitespace: true }]}>
          <Input data-testid="task-title" />
        </Form.Item>
        <Form.Item name="kind" label={t('task.kind')}>
          <Segmented options={(['inspection', 'local', 'quarantine'] as const).map((k) => ({ value: k, label: t(`taskKind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="checklist" label={t('task.checklist')} extra={t('task.checklistHint')} rules={[{ required: true, whitespace: true }]}>
          <Input.TextArea rows={4} data-testid="task-checklist" />
        </Form.Item>
        <Space size="large" wrap>
          <Form.Item name="priority" label={t('task.priority')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="deadline" label={t('task.deadline')}>
            <DatePicker showTime format="YYYY-MM-DD HH:mm" />
          </Form.Item>
        </Space>
        {can('tasks.assign') && (
          <Form.Item name="assigneeId" label={t('task.assignee')}>
            <AssigneeInput options={inspectors.options} failed={inspectors.failed} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function TaskList() {
  const { t, dt } = useI18n();
  const { can, is } = useSession();
  const navigate = useNavigate();
  const inspector = is('inspector');
  const [status, setStatus] = useState<string>('active');
  const [mine, setMine] = useState<boolean>(inspector);
  const [priorityOnly, setPriorityOnly] = useState(false);
  const [creating, setCreating] = useState(false);
  const query = { ...(status !== 'active' && status !== 'all' ? { status } : {}), ...(mine ? { assignee: 'me' } : {}), ...(priorityOnly ? { priority: 1 } : {}), limit: 500 };
  const list = useFetch<Task[]>('/api/tasks', query, { live: ['task'] });
  const rows = useMemo(() => (list.data ?? []).filter((x) => status !== 'active' || (x.status !== 'done' && x.status !== 'cancelled')), [list.data, status]);

  return (
    <>
      <PageHeader
        title={t('nav.tasks')}
        sub={t('common.count', { n: rows.length })}
        extra={
          <Space wrap>
            <Select
              size="small"
              value={status}
              onChange={setStatus}
              style={{ width: 130 }}
              options={[
                { value: 'active', label: t('task.active') },
                ...(['open', 'assigned', 'in_progress', 'done', 'cancelled'] as const).map((s) => ({ value: s, label: t(`taskStatus.${s}`) })),
                { value: 'all', label: t('common.all') },
              ]}
            />
            <Checkbox checked={mine} onChange={(e) => setMine(e.target.checked)}>
              {t('task.mine')}
            </Checkbox>
            <Checkbox checked={priorityOnly} onChange={(e) => setPriorityOnly(e.target.checked)}>
              {t('task.priorityOnly')}
            </Checkbox>
            <Button icon={<ReloadOutlined />} onClick={list.reload} />
            {can('tasks.create') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="task-create">
                {t('task.create')}
              </Button>
            )}
          </Space>
        }
      />
      <PriorityCard />
      <Problem error={list.error} />
      <Card>
        <Table<Task>
          rowKey="id"
          size="middle"
          loading={list.loading && !list.data}
          dataSource={rows}
          scroll={{ x: 900 }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          onRow={(x) => ({ onClick: () => navigate(encodeURIComponent(x.id)), style: { cursor: 'pointer' } })}
          columns={[
            {
              title: t('task.title'),
              dataIndex: 'title',
              render: (v: string, x) => (
                <Space size={4} wrap>
                  {x.priority && (
                    <Tag color="volcano" icon={<ThunderboltOutlined />}>
                      {t('task.priorityShort')}
                    </Tag>
                  )}
                  <Link to={encodeURIComponent(x.id)} data-testid={`task-link-${x.id}`}>
                    {v}
                  </Link>
                </Space>
              ),
            },
            { title: t('task.kind'), dataIndex: 'kind', render: (k: Task['kind']) => t(`taskKind.${k}`), width: 110 },
            { title: t('task.source'), dataIndex: 'source', render: (k: Task['source']) => t(`taskSource.${k}`), width: 100 },
            { title: t('common.status'), dataIndex: 'status', render: (s: TaskStatus) => <StateTag prefix="taskStatus" value={s} colours={TASK_STATUS_COLOURS} />, width: 100 },
            { title: t('task.assignee'), dataIndex: 'assigneeName', render: (v: string | null) => v ?? '—' },
            { title: t('task.deadline'), key: 'deadline', render: (_, x) => <Deadline task={x} /> },
            { title: t('task.checklist'), key: 'progress', width: 120, render: (_, x) => <Progress size="small" percent={x.checklist.length ? Math.round((x.checklist.filter((c) => c.done).length / x.checklist.length) * 100) : 0} /> },
            { title: t('task.result'), dataIndex: 'result', render: (r: TaskResult | null) => (r ? <Tag color={RESULT_COLOURS[r]}>{t(`taskResult.${r}`)}</Tag> : '—'), width: 90 },
            { title: t('common.created'), dataIndex: 'createdAt', render: (v: number) => dt(v), width: 170 },
          ]}
        />
      </Card>
      <CreateTaskModal
        open={creating}
        onClose={() => setCreating(false)}
        onDone={(x) => {
          setCreating(false);
          navigate(encodeURIComponent(x.id));
        }}
      />
    </>
  );
}

function EvidenceItem({ task, e }: { task: Task; e: Evidence }) {
  const { t, dt } = useI18n();
  const d = e.data;
  const str = (k: string) => (d[k] === undefined || d[k] === null ? '' : String(d[k]));
  let body;
  if (e.kind === 'photo') {
    body = (
      <Space align="start">
        <Image width={96} height={72} style={{ objectFit: 'cover', borderRadius: 4 }} src={`/api/tasks/${encodeURIComponent(task.id)}/evidence/${encodeURIComponent(String(e.id))}/file`} alt={str('name')} data-testid="evidence-photo" />
        <Space direction="vertical" size={0}>
          <span>{str('name')}</span>
          <Typography.Text type="secondary">
            {str('mime')} · {Math.round(Number(d['bytes'] ?? 0) / 1024)} KB
          </Typography.Text>
        </Space>
      </Space>
    );
  } else if (e.kind === 'reading') {
    body = (
      <span>
        {[str('gw'), str('device'), str('point')].filter(Boolean).join(' / ')} = <Typography.Text strong>{str('value')}</Typography.Text> {str('unit')}
        {d['ts'] ? <Typography.Text type="secondary"> · {dt(Number(d['ts']))}</Typography.Text> : null}
      </span>
    );
  } else if (e.kind === 'survey') {
    body = <span>{t('evidence.survey')}: {str('surveyId')}</span>;
  } else {
    body = <span>{str('text')}</span>;
  }
  return (
    <List.Item data-testid="evidence-item">
      <List.Item.Meta
        avatar={<Tag>{t(`evidenceKind.${e.kind}`)}</Tag>}
        title={body}
        description={
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {dt(e.createdAt)}
            {e.sm3 && (
              <>
                {' · SM3 '}
                <Typography.Text code copyable={{ text: e.sm3 }}>
                  {e.sm3.slice(0, 16)}…
                </Typography.Text>
              </>
            )}
          </Typography.Text>
        }
      />
    </List.Item>
  );
}

function EvidencePanel({ task, canWork, onChange }: { task: Task; canWork: boolean; onChange(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [kind, setKind] = useState<'edge' | 'manual' | 'note'>('edge');
  const [form] = Form.useForm<{ gw?: string; device?: string; point?: string; value?: number; unit?: string; text?: string }>();
  const [busy, setBusy] = useState(false);
  const base = `/api/tasks/${encodeURIComponent(task.id)}`;
  const add = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const body =
        kind === 'edge'
          ? { kind: 'reading', gw: v.gw, device: v.device, point: v.point }
          : kind === 'manual'
            ? { kind: 'reading', device: v.device, point: v.point, value: v.value, unit: v.unit ?? '' }
            : { kind: 'note', text: v.text };
      await api.post(`${base}/evidence`, body);
      form.resetFields();
      onChange();
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const evidence = task.evidence ?? [];
  return (
    <Card size="small" title={`${t('task.evidence')} (${evidence.length})`}>
      {evidence.length === 0 ? <Empty description={t('evidence.none')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> : <List size="small" dataSource={evidence} renderItem={(e) => <EvidenceItem task={task} e={e} />} />}
      {canWork && (
        <>
          <Upload
            accept="image/jpeg,image/png,image/webp"
            showUploadList={false}
            customRequest={(opt) => {
              const file = opt.file as File;
              api
                .upload(`${base}/photos?name=${encodeURIComponent(file.name)}`, file)
                .then(
                  (r) => {
                    opt.onSuccess?.(r);
                    onChange();
                  },
                  (e: unknown) => {
                    opt.onError?.(e as Error);
                    void message.error(errorText(t, e));
                  },
                );
            }}
          >
            <Button icon={<CameraOutlined />} style={{ marginTop: 12 }} data-testid="evidence-photo-upload">
              {t('evidence.uploadPhoto')}
            </Button>
          </Upload>
          <div style={{ marginTop: 16 }}>
            <Segmented
              value={kind}
              onChange={(v) => setKind(v as typeof kind)}
              options={[
                { value: 'edge', label: t('evidence.edgeReading') },
                { value: 'manual', label: t('evidence.manualReading') },
                { value: 'note', label: t('evidence.note') },
              ]}
              data-testid="evidence-kind"
            />
            <Form form={form} layout="inline" style={{ marginTop: 12, rowGap: 8 }}>
              {kind === 'edge' && (
                <Form.Item name="gw" rules={[{ required: true }]}>
                  <Input placeholder={t('gw.gateway')} style={{ width: 120 }} data-testid="evidence-gw" />
                </Form.Item>
              )}
              {kind !== 'note' && (
                <>
                  <Form.Item name="device" rules={[{ required: true }]}>
                    <Input placeholder={t('gw.device')} style={{ width: 130 }} data-testid="evidence-device" />
                  </Form.Item>
                  <Form.Item name="point" rules={[{ required: true }]}>
                    <Input placeholder={t('gw.point')} style={{ width: 110 }} data-testid="evidence-point" />
                  </Form.Item>
                </>
              )}
              {kind === 'manual' && (
                <>
                  <Form.Item name="value" rules={[{ required: true }]}>
                    <InputNumber placeholder={t('gw.value')} style={{ width: 110 }} data-testid="evidence-value" />
                  </Form.Item>
                  <Form.Item name="unit">
                    <Input placeholder={t('evidence.unit')} style={{ width: 80 }} />
                  </Form.Item>
                </>
              )}
              {kind === 'note' && (
                <Form.Item name="text" rules={[{ required: true, whitespace: true }]} style={{ flex: 1, minWidth: 220 }}>
                  <Input.TextArea rows={2} placeholder={t('evidence.noteText')} data-testid="evidence-note" />
                </Form.Item>
              )}
              <Form.Item>
                <Button onClick={() => void add()} loading={busy} icon={<FileTextOutlined />} data-testid="evidence-add">
                  {t('evidence.add')}
                </Button>
              </Form.Item>
            </Form>
          </div>
        </>
      )}
    </Card>
  );
}

function TaskDetail() {
  const { t, dt } = useI18n();
  const { me, can } = useSession();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const id = useParams()['id'] ?? '';
  const base = `/api/tasks/${encodeURIComponent(id)}`;
  const task = useFetch<Task>(base, undefined, { live: ['task'] });
  const [completing, setCompleting] = useState(false);
  const [assigning, setAssigning] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [cancelForm] = Form.useForm<{ reason: string }>();
  const inspectors = useInspectors(assigning);
  const [completeForm] = Form.useForm<{ result: TaskResult; note?: string }>();
  const [assignForm] = Form.useForm<{ assigneeId: string }>();
  const x = task.data;

  const act = async (fn: () => Promise<unknown>, ok: string | null) => {
    try {
      await fn();
      if (ok) void message.success(ok);
      task.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };

  if (!x) {
    return (
      <>
        <PageHeader title={t('nav.tasks')} onBack={() => navigate('/tasks')} />
        <Problem error={task.error} />
        {task.loading && <Card loading />}
      </>
    );
  }

  const mine = !!me && x.assigneeId === me.id;
  const canWork = can('tasks.work') && mine && x.status === 'in_progress';
  const allDone = x.checklist.every((c) => c.done);
  const active = x.status !== 'done' && x.status !== 'cancelled';

  return (
    <>
      <PageHeader
        title={
          <Space wrap>
            {x.priority && (
              <Tag color="volcano" icon={<ThunderboltOutlined />}>
                {t('task.priorityShort')}
              </Tag>
            )}
            <span>{x.title}</span>
          </Space>
        }
        sub={<StateTag prefix="taskStatus" value={x.status} colours={TASK_STATUS_COLOURS} />}
        onBack={() => navigate('/tasks')}
        extra={
          <Space wrap>
            {can('tasks.assign') && active && x.status !== 'in_progress' && (
              <Button onClick={() => setAssigning(true)} data-testid="task-assign">
                {t('task.assign')}
              </Button>
            )}
            {can('tasks.assign') && active && (
              <Button danger onClick={() => setCancelling(true)}>
                {t('task.cancel')}
              </Button>
            )}
            {can('tasks.work') && mine && x.status === 'assigned' && (
              <Button type="primary" icon={<PlayCircleOutlined />} onClick={() => void act(() => api.post(`${base}/start`), t('task.started'))} data-testid="task-start">
                {t('task.start')}
              </Button>
            )}
            {canWork && (
              <Tooltip title={allDone ? '' : t('task.checklistFirst')}>
                <Button type="primary" icon={<CheckCircleOutlined />} disabled={!allDone} onClick={() => setCompleting(true)} data-testid="task-complete">
                  {t('task.complete')}
                </Button>
              </Tooltip>
            )}
          </Space>
        }
      />
      <Problem error={task.error} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
          <Descriptions.Item label={t('task.kind')}>{t(`taskKind.${x.kind}`)}</Descriptions.Item>
          <Descriptions.Item label={t('task.source')}>{t(`taskSource.${x.source}`)}</Descriptions.Item>
          <Descriptions.Item label={t('task.assignee')}>{x.assigneeName ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('task.deadline')}>
            <Deadline task={x} />
          </Descriptions.Item>
          <Descriptions.Item label={t('common.created')}>{dt(x.createdAt)}</Descriptions.Item>
          <Descriptions.Item label={t('task.startedAt')}>{dt(x.startedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('task.completedAt')}>{dt(x.completedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('task.result')}>
            {x.result ? (
              <span data-testid="task-result">
                <Tag color={RESULT_COLOURS[x.result]}>{t(`taskResult.${x.result}`)}</Tag>
                {x.resultNote}
              </span>
            ) : (
              '—'
            )}
          </Descriptions.Item>
          {x.appointmentId && (
            <Descriptions.Item label={t('nav.appointments')}>
              <Link to={`/appointments?id=${encodeURIComponent(x.appointmentId)}`}>{x.appointmentId}</Link>
            </Descriptions.Item>
          )}
          {x.quarantineId && (
            <Descriptions.Item label={t('nav.quarantine')}>
              <Link to={`/quarantine/${encodeURIComponent(x.quarantineId)}`}>{x.quarantineId}</Link>
            </Descriptions.Item>
          )}
          {x.subject && Object.keys(x.subject).length > 0 && (
            <Descriptions.Item label={t('task.subject')} span={3}>
              <Typography.Text code className="qs-mono-cell">
                {JSON.stringify(x.subject)}
              </Typography.Text>
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>
      <div className="qs-grid-2">
        <Card size="small" title={`${t('task.checklist')} (${x.checklist.filter((c) => c.done).length}/${x.checklist.length})`}>
          <List
            size="small"
            dataSource={x.checklist}
            renderItem={(c) => (
              <List.Item>
                <Checkbox
                  checked={c.done}
                  disabled={!canWork}
                  className="qs-check"
                  data-testid={`check-${c.id}`}
                  onChange={(e) => void act(() => api.patch(`${base}/checklist/${encodeURIComponent(c.id)}`, { done: e.target.checked }), null)}
                >
                  {c.label}
                </Checkbox>
                {c.note && <Typography.Text type="secondary">{c.note}</Typography.Text>}
              </List.Item>
            )}
          />
        </Card>
        <EvidencePanel task={x} canWork={canWork} onChange={task.reload} />
      </div>
      <Modal
        open={completing}
        title={t('task.complete')}
        onCancel={() => setCompleting(false)}
        okText={t('task.complete')}
        destroyOnHidden
        onOk={async () => {
          const v = await completeForm.validateFields().catch(() => null);
          if (!v) return;
          await act(() => api.post(`${base}/complete`, { result: v.result, ...(v.note?.trim() ? { note: v.note.trim() } : {}) }), t('task.completedOk'));
          setCompleting(false);
        }}
      >
        <Form form={completeForm} layout="vertical" initialValues={{ result: 'pass' }}>
          <Form.Item name="result" label={t('task.result')} rules={[{ required: true }]}>
            <Radio.Group data-testid="task-result-choice">
              {(['pass', 'fail', 'anomaly'] as const).map((r) => (
                <Radio.Button key={r} value={r}>
                  {t(`taskResult.${r}`)}
                </Radio.Button>
              ))}
            </Radio.Group>
          </Form.Item>
          <Form.Item name="note" label={t('task.resultNote')}>
            <Input.TextArea rows={3} data-testid="task-result-note" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={cancelling}
        title={t('task.cancelConfirm')}
        onCancel={() => setCancelling(false)}
        okButtonProps={{ danger: true }}
        okText={t('task.cancel')}
        destroyOnHidden
        onOk={async () => {
          const v = await cancelForm.validateFields().catch(() => null);
          if (!v) return;
          await act(() => api.post(`${base}/cancel`, { reason: v.reason.trim() }), t('task.cancelled'));
          setCancelling(false);
        }}
      >
        <Form form={cancelForm} layout="vertical">
          <Form.Item name="reason" label={t('task.cancelReason')} rules={[{ required: true, whitespace: true }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={assigning}
        title={t('task.assign')}
        onCancel={() => setAssigning(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await assignForm.validateFields().catch(() => null);
          if (!v) return;
          await act(() => api.post(`${base}/assign`, { assigneeId: v.assigneeId }), t('task.assigned'));
          setAssigning(false);
        }}
      >
        <Form form={assignForm} layout="vertical">
          <Form.Item name="assigneeId" label={t('task.assignee')} rules={[{ required: true }]}>
            <AssigneeInput options={inspectors.options} failed={inspectors.failed} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
