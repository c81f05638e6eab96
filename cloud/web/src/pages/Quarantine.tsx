/**
 * Ship health quarantine (船舶卫生检疫): arrival declarations (vessel, crew health, last ports), the
 * boarding / remote / free-pratique decision with the server's suggestion, and ballast water reports
 * with density and salinity (typed or taken from an edge density meter) and the flag for an exchange
 * at sea that the salinity does not support.
 */
import { ExperimentOutlined, PlusOutlined, ReloadOutlined, WarningOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Descriptions, Form, Input, InputNumber, Modal, Segmented, Select, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router-dom';
import { api } from '../api/client.js';
import type { BallastReport, Declaration, QuarantineDecision } from '../api/types.js';
import { PageHeader, Problem } from '../components/Page.js';
import { useFetch } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { errorText, toMs } from '../util.js';

const DECISION_COLOURS: Record<QuarantineDecision, string> = { boarding: 'red', remote: 'blue', free_pratique: 'green' };

/** IMO number: 7 digits, the last a check digit (weights 7…2 on the first six, sum mod 10). */
export function imoValid(s: string): boolean {
  const m = /^(?:IMO\s?)?(\d{7})$/i.exec(s.trim());
  if (!m) return false;
  const d = m[1]!.split('').map(Number);
  const sum = d.slice(0, 6).reduce((a, x, i) => a + x * (7 - i), 0);
  return sum % 10 === d[6];
}

export default function QuarantinePage() {
  return (
    <Routes>
      <Route index element={<DeclarationList />} />
      <Route path=":id" element={<DeclarationDetail />} />
    </Routes>
  );
}

function DecisionTag({ d }: { d: QuarantineDecision | null | undefined }) {
  const { t } = useI18n();
  if (!d) return <Tag>{t('quarantine.undecided')}</Tag>;
  return <Tag color={DECISION_COLOURS[d]}>{t(`qdecision.${d}`)}</Tag>;
}

function DeclareModal({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(d: Declaration): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { is } = useSession();
  const [form] = Form.useForm<{ vesselName: string; imo: string; voyage?: string; eta: { valueOf(): number }; lastPorts: string[]; crewCount: number; illCrew: number; illDetails?: string; enterpriseId?: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const d = await api.post<Declaration>('/api/quarantine', {
        vesselName: v.vesselName.trim(),
        imo: v.imo.trim().replace(/^IMO\s?/i, ''),
        ...(v.voyage?.trim() ? { voyage: v.voyage.trim() } : {}),
        eta: toMs(v.eta),
        lastPorts: v.lastPorts ?? [],
        crewCount: v.crewCount,
        illCrew: v.illCrew,
        ...(v.illDetails?.trim() ? { illDetails: v.illDetails.trim() } : {}),
        ...(v.enterpriseId?.trim() ? { enterpriseId: v.enterpriseId.trim() } : {}),
      });
      form.resetFields();
      onDone(d);
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={t('quarantine.declare')} onCancel={onClose} onOk={() => void submit()} confirmLoading={busy} okText={t('common.submit')} destroyOnHidden width={600}>
      <Form form={form} layout="vertical" initialValues={{ crewCount: 20, illCrew: 0, lastPorts: [] }}>
        <div className="qs-form-row">
          <Form.Item name="vesselName" label={t('quarantine.vessel')} rules={[{ required: true, whitespace: true }]}>
            <Input data-testid="q-vessel" />
          </Form.Item>
          <Form.Item name="imo" label="IMO" rules={[{ required: true }, { validator: (_, v: string) => (!v || imoValid(v) ? Promise.resolve() : Promise.reject(new Error(t('quarantine.imoRule')))) }]}>
            <Input placeholder="9074729" data-testid="q-imo" />
          </Form.Item>
        </div>
        <div className="qs-form-row">
          <Form.Item name="voyage" label={t('quarantine.voyage')}>
            <Input />
          </Form.Item>
          <Form.Item name="eta" label={t('quarantine.eta')} rules={[{ required: true }]}>
            <DatePicker showTime format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
          </Form.Item>
        </div>
        <Form.Item name="lastPorts" label={t('quarantine.lastPorts')} extra={t('quarantine.lastPortsHint')}>
          <Select mode="tags" tokenSeparators={[',', '，', ' ']} open={false} />
        </Form.Item>
        <Space size="large" wrap>
          <Form.Item name="crewCount" label={t('quarantine.crew')} rules={[{ required: true }]}>
            <InputNumber min={0} max={10000} />
          </Form.Item>
          <Form.Item name="illCrew" label={t('quarantine.ill')} rules={[{ required: true }]}>
            <InputNumber min={0} max={10000} />
          </Form.Item>
        </Space>
        <Form.Item name="illDetails" label={t('quarantine.illDetails')}>
          <Input.TextArea rows={2} />
        </Form.Item>
        {!is('enterprise') && (
          <Form.Item name="enterpriseId" label={t('quarantine.agentId')}>
            <Input />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function DeclarationList() {
  const { t, dt } = useI18n();
  const { can } = useSession();
  const navigate = useNavigate();
  const list = useFetch<Declaration[]>('/api/quarantine', undefined, { live: ['quarantine'] });
  const [declaring, setDeclaring] = useState(false);
  return (
    <>
      <PageHeader
        title={t('nav.quarantine')}
        sub={list.data ? t('common.count', { n: list.data.length }) : null}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={list.reload} />
            {can('quarantine.declare') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setDeclaring(true)} data-testid="q-declare">
                {t('quarantine.declare')}
              </Button>
            )}
          </Space>
        }
      />
      <Problem error={list.error} />
      <Card>
        <Table<Declaration>
          rowKey="id"
          size="middle"
          loading={list.loading && !list.data}
          dataSource={list.data ?? []}
          scroll={{ x: 960 }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          onRow={(d) => ({ onClick: () => navigate(encodeURIComponent(d.id)), style: { cursor: 'pointer' } })}
          columns={[
            {
              title: t('quarantine.vessel'),
              key: 'vessel',
              render: (_, d) => (
                <Space direction="vertical" size={0}>
                  <Link to={encodeURIComponent(d.id)}>{d.vesselName}</Link>
                  <Typography.Text type="secondary">IMO {d.imo}{d.voyage ? ` · ${d.voyage}` : ''}</Typography.Text>
                </Space>
              ),
            },
            { title: t('quarantine.eta'), dataIndex: 'eta', render: (v: number) => dt(v) },
            { title: t('quarantine.lastPorts'), dataIndex: 'lastPorts', render: (p: string[]) => p.map((x) => <Tag key={x}>{x}</Tag>) },
            { title: t('quarantine.crewHealth'), key: 'crew', render: (_, d) => (d.illCrew > 0 ? <Tag color="red">{t('quarantine.illOf', { ill: d.illCrew, crew: d.crewCount })}</Tag> : <Tag color="green">{t('quarantine.allWell', { crew: d.crewCount })}</Tag>) },
            { title: t('quarantine.suggestion'), key: 'sugg', render: (_, d) => (d.suggestion ? <DecisionTag d={d.suggestion.decision} /> : '—') },
            { title: t('quarantine.decision'), dataIndex: 'decision', render: (x: QuarantineDecision | null) => <DecisionTag d={x} /> },
            {
              title: t('quarantine.ballast'),
              key: 'ballast',
              render: (_, d) => {
                const flags = (d.ballast ?? []).filter((b) => b.flag).length;
                return flags ? (
                  <Tag color="red" icon={<WarningOutlined />}>
                    {t('quarantine.flags', { n: flags })}
                  </Tag>
                ) : (
                  (d.ballast?.length ?? '—')
                );
              },
            },
          ]}
        />
      </Card>
      <DeclareModal
        open={declaring}
        onClose={() => setDeclaring(false)}
        onDone={(d) => {
          setDeclaring(false);
          navigate(encodeURIComponent(d.id));
        }}
      />
    </>
  );
}

function BallastModal({ decl, open, onClose, onDone }: { decl: Declaration; open: boolean; onClose(): void; onDone(r: BallastReport): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [source, setSource] = useState<'manual' | 'edge'>('manual');
  const [form] = Form.useForm<{ tank: string; exchangeClaimed: boolean; exchangeMethod?: string; exchangePosition?: string; densityKgM3?: number; temperatureC?: number; gw?: string; device?: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const r = await api.post<BallastReport>(`/api/quarantine/${encodeURIComponent(decl.id)}/ballast`, {
        tank: v.tank.trim(),
        exchangeClaimed: v.exchangeClaimed,
        ...(v.exchangeMethod ? { exchangeMethod: v.exchangeMethod } : {}),
        ...(v.exchangePosition?.trim() ? { exchangePosition: v.exchangePosition.trim() } : {}),
        ...(source === 'manual' ? { densityKgM3: v.densityKgM3, ...(v.temperatureC !== undefined && v.temperatureC !== null ? { temperatureC: v.temperatureC } : {}) } : { fromEdge: { gw: v.gw, device: v.device } }),
      });
      form.resetFields();
      onDone(r);
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={t('quarantine.ballastReport')} onCancel={onClose} onOk={() => void submit()} confirmLoading={busy} okText={t('common.submit')} destroyOnHidden width={560}>
      <Form form={form} layout="vertical" initialValues={{ exchangeClaimed: true, exchangeMethod: 'sequential', temperatureC: 20 }}>
        <Space size="large" wrap>
          <Form.Item name="tank" label={t('quarantine.tank')} rules={[{ required: true, whitespace: true }]}>
            <Input placeholder="WBT 3P" data-testid="ballast-tank" />
          </Form.Item>
          <Form.Item name="exchangeClaimed" label={t('quarantine.exchangeClaimed')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="exchangeMethod" label={t('quarantine.exchangeMethod')}>
            <Select style={{ width: 150 }} options={(['sequential', 'flow_through', 'dilution'] as const).map((m) => ({ value: m, label: t(`exchange.${m}`) }))} />
          </Form.Item>
        </Space>
        <Form.Item name="exchangePosition" label={t('quarantine.exchangePosition')}>
          <Input placeholder="32°10'N 126°40'E" />
        </Form.Item>
        <Segmented
          value={source}
          onChange={(v) => setSource(v as typeof source)}
          options={[
            { value: 'manual', label: t('quarantine.typed') },
            { value: 'edge', label: t('quarantine.fromEdge') },
          ]}
          style={{ marginBottom: 12 }}
        />
        {source === 'manual' ? (
          <Space size="large" wrap>
            <Form.Item name="densityKgM3" label={t('quarantine.density')} rules={[{ required: true }]}>
              <InputNumber min={990} max={1040} step={0.1} style={{ width: 160 }} addonAfter="kg/m³" data-testid="ballast-density" />
            </Form.Item>
            <Form.Item name="temperatureC" label={t('quarantine.temperature')}>
              <InputNumber min={-2} max={40} step={0.1} style={{ width: 130 }} addonAfter="°C" />
            </Form.Item>
          </Space>
        ) : (
          <Space size="large" wrap>
            <Form.Item name="gw" label={t('gw.gateway')} rules={[{ required: true }]}>
              <Input placeholder="quay-1" />
            </Form.Item>
            <Form.Item name="device" label={t('gw.device')} rules={[{ required: true }]}>
              <Input placeholder="density-1" />
            </Form.Item>
          </Space>
        )}
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }}>
          {t('quarantine.salinityHint')}
        </Typography.Paragraph>
      </Form>
    </Modal>
  );
}

function DeclarationDetail() {
  const { t, dt } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const id = useParams()['id'] ?? '';
  const base = `/api/quarantine/${encodeURIComponent(id)}`;
  const decl = useFetch<Declaration>(base, undefined, { live: ['quarantine'] });
  const [form] = Form.useForm<{ decision: QuarantineDecision; reasons: string[] }>();
  const [reporting, setReporting] = useState(false);
  const [lastFlag, setLastFlag] = useState<BallastReport | null>(null);
  const d = decl.data;
  if (!d) {
    return (
      <>
        <PageHeader title={t('nav.quarantine')} onBack={() => navigate('/quarantine')} />
        <Problem error={decl.error} />
        {decl.loading && <Card loading />}
      </>
    );
  }
  const decide = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      await api.post(`${base}/decision`, { decision: v.decision, reasons: v.reasons });
      void message.success(t('quarantine.decided'));
      decl.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };
  return (
    <>
      <PageHeader title={`${d.vesselName} · IMO ${d.imo}`} sub={<DecisionTag d={d.decision} />} onBack={() => navigate('/quarantine')} />
      <Problem error={decl.error} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
          <Descriptions.Item label={t('quarantine.voyage')}>{d.voyage ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('quarantine.eta')}>{dt(d.eta)}</Descriptions.Item>
          <Descriptions.Item label={t('quarantine.lastPorts')}>{d.lastPorts.join(' → ') || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('quarantine.crew')}>{d.crewCount}</Descriptions.Item>
          <Descriptions.Item label={t('quarantine.ill')}>{d.illCrew > 0 ? <Typography.Text type="danger">{d.illCrew}</Typography.Text> : 0}</Descriptions.Item>
          <Descriptions.Item label={t('quarantine.illDetails')}>{d.illDetails ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('common.created')}>{dt(d.createdAt)}</Descriptions.Item>
          <Descriptions.Item label={t('quarantine.decidedAt')}>{dt(d.decidedAt)}</Descriptions.Item>
          {d.taskId && (
            <Descriptions.Item label={t('appt.task')}>
              <Link to={`/tasks/${encodeURIComponent(d.taskId)}`}>{t('appt.viewTask')}</Link>
            </Descriptions.Item>
          )}
          {d.reasons.length > 0 && <Descriptions.Item label={t('quarantine.reasons')}>{d.reasons.join('；')}</Descriptions.Item>}
        </Descriptions>
      </Card>
      <div className="qs-grid-2">
        <Card size="small" title={t('quarantine.decision')}>
          {d.suggestion && (
            <Alert
              type={d.suggestion.decision === 'boarding' ? 'warning' : 'info'}
              showIcon
              style={{ marginBottom: 12 }}
              message={
                <span>
                  {t('quarantine.suggestion')}: <DecisionTag d={d.suggestion.decision} />
                </span>
              }
              description={d.suggestion.reasons.join('；') || undefined}
            />
          )}
          {can('quarantine.decide') && d.status === 'declared' ? (
            <Form form={form} layout="vertical" initialValues={{ decision: d.suggestion?.decision ?? 'remote', reasons: d.suggestion?.reasons ?? [] }}>
              <Form.Item name="decision" label={t('quarantine.decision')} rules={[{ required: true }]}>
                <Segmented options={(['boarding', 'remote', 'free_pratique'] as const).map((x) => ({ value: x, label: t(`qdecision.${x}`) }))} />
              </Form.Item>
              <Form.Item name="reasons" label={t('quarantine.reasons')} rules={[{ required: true, type: 'array', min: 1, message: t('quarantine.reasonsRule') }]}>
                <Select mode="tags" open={false} tokenSeparators={['；', ';']} />
              </Form.Item>
              <Button type="primary" onClick={() => void decide()} data-testid="q-decide">
                {t('quarantine.decide')}
              </Button>
            </Form>
          ) : (
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={t('quarantine.decision')}>
                <DecisionTag d={d.decision} />
              </Descriptions.Item>
            </Descriptions>
          )}
        </Card>
        <Card
          size="small"
          title={t('quarantine.ballast')}
          extra={
            can('quarantine.ballast') && (
              <Button size="small" icon={<ExperimentOutlined />} onClick={() => setReporting(true)} data-testid="ballast-add">
                {t('quarantine.ballastReport')}
              </Button>
            )
          }
        >
          {lastFlag && lastFlag.flag && <Alert type="error" showIcon style={{ marginBottom: 12 }} message={t('quarantine.flagAlert', { tank: lastFlag.tank, psu: lastFlag.salinityPsu?.toFixed(1) ?? '—' })} description={lastFlag.note ?? undefined} closable onClose={() => setLastFlag(null)} data-testid="ballast-flag-alert" />}
          <Table<BallastReport>
            size="small"
            rowKey="id"
            dataSource={d.ballast ?? []}
            pagination={false}
            className="qs-table-nowrap"
            scroll={{ x: 'max-content' }}
            columns={[
              {
                title: t('quarantine.tank'),
                dataIndex: 'tank',
                render: (tank: string, r) => (
                  <Tooltip title={r.sourceRef ? (typeof r.sourceRef === 'string' ? r.sourceRef : JSON.stringify(r.sourceRef)) : undefined}>
                    <Space size={4}>
                      <span>{tank}</span>
                      <Tag bordered={false}>{r.source === 'edge' ? t('quarantine.fromEdgeShort') : t('quarantine.typedShort')}</Tag>
                    </Space>
                  </Tooltip>
                ),
              },
              { title: t('quarantine.exchangeShort'), dataIndex: 'exchangeClaimed', render: (v: boolean) => (v ? t('common.yes') : t('common.no')) },
              { title: t('quarantine.densityShort'), dataIndex: 'densityKgM3', render: (v: number | null) => (v === null ? '—' : v.toFixed(1)) },
              { title: t('quarantine.salinity'), dataIndex: 'salinityPsu', render: (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} PSU`) },
              {
                title: t('quarantine.check'),
                dataIndex: 'flag',
                render: (f: boolean, r) =>
                  f ? (
                    <Tooltip title={r.note}>
                      <Tag color="red" icon={<WarningOutlined />} data-testid="ballast-flag">
                        {t('quarantine.implausible')}
                      </Tag>
                    </Tooltip>
                  ) : (
                    <Tag color="green">{t('quarantine.plausible')}</Tag>
                  ),
              },
            ]}
          />
        </Card>
      </div>
      <BallastModal
        decl={d}
        open={reporting}
        onClose={() => setReporting(false)}
        onDone={(r) => {
          setReporting(false);
          setLastFlag(r);
          if (!r.flag) void message.success(t('quarantine.ballastOk'));
          decl.reload();
        }}
      />
    </>
  );
}
