/**
 * 可视指挥调度 — the command view: a plan of the quay (berths, gates, inspection areas) with every
 * gateway's devices as live status markers, vessels expected at berth, open alarms and the inspectors'
 * tasks in progress. The plan is data (PLAN below); an administrator may replace the drawing with an
 * uploaded SVG (kept in this browser until the server stores plans), the markers stay on top.
 */
import { UploadOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Empty, List, Space, Tag, Tooltip, Typography, Upload } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../api/client.js';
import type { Alarm, Declaration, DeviceHealth, DeviceState, Gateway, Task } from '../api/types.js';
import { PageHeader, Problem } from '../components/Page.js';
import { StateTag } from '../components/Status.js';
import { useFetch } from '../hooks.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { useLive } from '../live.js';
import { useSession } from '../session.js';
import { SeverityTag } from './Alarms.js';
import { TASK_STATUS_COLOURS } from './Tasks.js';

interface Area {
  id: string;
  kind: 'berth' | 'gate' | 'inspection' | 'hall' | 'yard';
  label: MessageKey;
  x: number;
  y: number;
  w: number;
  h: number;
}

const W = 1000;
const H = 560;
const PLAN: readonly Area[] = [
  { id: 'B1', kind: 'berth', label: 'plan.berth1', x: 40, y: 120, w: 220, h: 70 },
  { id: 'B2', kind: 'berth', label: 'plan.berth2', x: 280, y: 120, w: 220, h: 70 },
  { id: 'B3', kind: 'berth', label: 'plan.berth3', x: 520, y: 120, w: 220, h: 70 },
  { id: 'B4', kind: 'berth', label: 'plan.berth4', x: 760, y: 120, w: 200, h: 70 },
  { id: 'Y1', kind: 'yard', label: 'plan.yard', x: 40, y: 220, w: 460, h: 130 },
  { id: 'I1', kind: 'inspection', label: 'plan.inspection', x: 520, y: 220, w: 240, h: 130 },
  { id: 'I2', kind: 'inspection', label: 'plan.localInspection', x: 780, y: 220, w: 180, h: 130 },
  { id: 'H1', kind: 'hall', label: 'plan.queueHall', x: 520, y: 380, w: 240, h: 100 },
  { id: 'G1', kind: 'gate', label: 'plan.gate1', x: 120, y: 440, w: 150, h: 70 },
  { id: 'G2', kind: 'gate', label: 'plan.gate2', x: 300, y: 440, w: 150, h: 70 },
  { id: 'C1', kind: 'hall', label: 'plan.centre', x: 780, y: 380, w: 180, h: 100 },
];

const AREA_FILL: Record<Area['kind'], string> = { berth: '#d6e4ff', gate: '#fff1b8', inspection: '#d9f7be', hall: '#efdbff', yard: '#f5f5f5' };
const HEALTH_FILL: Record<DeviceHealth | 'offline', string> = { ok: '#52c41a', degraded: '#faad14', fault: '#f5222d', stale: '#8c8c8c', offline: '#bfbfbf' };

/** Which area a device is drawn in: by its name (draft gauges at berths, queue terminals in the hall…), else its gateway's area. */
function areaFor(device: string, gwIndex: number): Area {
  const d = device.toLowerCase();
  const byId = (id: string) => PLAN.find((a) => a.id === id)!;
  if (/draft|draught|gauge|ballast|tank/.test(d)) return byId(['B1', 'B2', 'B3', 'B4'][gwIndex % 4]!);
  if (/queue|led|display|terminal/.test(d)) return byId('H1');
  if (/cam|video|plate|gate/.test(d)) return byId(gwIndex % 2 ? 'G2' : 'G1');
  if (/density|salin|water/.test(d)) return byId(['B1', 'B2', 'B3', 'B4'][gwIndex % 4]!);
  return byId(['I1', 'Y1', 'I2'][gwIndex % 3]!);
}

interface Marker {
  key: string;
  gw: string;
  device: string;
  health: DeviceHealth | 'offline';
  alarms: number;
  x: number;
  y: number;
}

const PLAN_KEY = 'qs.console.plan.svg';

export default function CommandView() {
  const { t, dt } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const gateways = useFetch<Gateway[]>('/api/monitor/gateways', undefined, { live: ['gateway', 'alarm'], pollMs: 20_000 });
  const alarms = useFetch<Alarm[]>('/api/monitor/alarms', { state: 'open', limit: 50 }, { live: ['alarm'], enabled: can('alarms.read') });
  const tasks = useFetch<Task[]>('/api/tasks', { limit: 200 }, { live: ['task'], enabled: can('tasks.read') });
  const vessels = useFetch<Declaration[]>('/api/quarantine', undefined, { live: ['quarantine'], enabled: can('quarantine.read') });
  const [devices, setDevices] = useState<Record<string, DeviceState[]>>({});
  const [tick, setTick] = useState(0);
  const [customPlan, setCustomPlan] = useState<string | null>(() => {
    try {
      return localStorage.getItem(PLAN_KEY);
    } catch {
      return null;
    }
  });
  useLive(['alarm', 'gateway'], () => setTick((n) => n + 1));

  const gwIds = (gateways.data ?? []).filter((g) => g.revokedAt === null).map((g) => g.id);
  const gwKey = gwIds.join(',');
  useEffect(() => {
    let stop = false;
    const load = async () => {
      const entries = await Promise.all(gwIds.map(async (id) => [id, await api.get<DeviceState[]>(`/api/monitor/gateways/${encodeURIComponent(id)}/devices`).catch(() => [] as DeviceState[])] as const));
      if (!stop) setDevices(Object.fromEntries(entries));
    };
    void load();
    const h = setInterval(() => void load(), 15_000);
    return () => {
      stop = true;
      clearInterval(h);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [gwKey, tick]);

  const markers = useMemo<Marker[]>(() => {
    const perArea = new Map<string, number>();
    const out: Marker[] = [];
    (gateways.data ?? [])
      .filter((g) => g.revokedAt === null)
      .forEach((g, gi) => {
        for (const d of devices[g.id] ?? []) {
          const a = areaFor(d.device, gi);
          const n = perArea.get(a.id) ?? 0;
          perArea.set(a.id, n + 1);
          const cols = Math.max(1, Math.floor((a.w - 16) / 58));
          out.push({ key: `${g.id}/${d.device}`, gw: g.id, device: d.device, health: g.online ? d.health : 'offline', alarms: d.openAlarms, x: a.x + 36 + (n % cols) * 58, y: a.y + 40 + Math.floor(n / cols) * 34 });
        }
      });
    return out;
  }, [gateways.data, devices]);

  const now = Date.now();
  const atBerth = (vessels.data ?? []).filter((v) => v.eta <= now + 24 * 3600_000 && v.eta >= now - 3 * 24 * 3600_000);
  const working = (tasks.data ?? []).filter((x) => x.status === 'in_progress' || x.status === 'assigned');
  const counts = markers.reduce<Record<string, number>>((m, k) => ((m[k.health] = (m[k.health] ?? 0) + 1), m), {});

  return (
    <>
      <PageHeader
        title={t('nav.command')}
        sub={
          <Space size={12} wrap>
            {(['ok', 'degraded', 'fault', 'stale', 'offline'] as const).map((h) => (
              <Badge key={h} color={HEALTH_FILL[h]} text={`${t(`health.${h}`)} ${counts[h] ?? 0}`} />
            ))}
          </Space>
        }
        extra={
          can('gateways.manage') && (
            <Space>
              <Upload
                accept="image/svg+xml"
                showUploadList={false}
                beforeUpload={(file) => {
                  void file.text().then((txt) => {
                    if (!/<svg[\s>]/i.test(txt)) {
                      void message.error(t('plan.notSvg'));
                      return;
                    }
                    try {
                      localStorage.setItem(PLAN_KEY, txt);
                    } catch {
                      /* too big for storage: shown until reload */
                    }
                    setCustomPlan(txt);
                  });
                  return false;
                }}
              >
                <Button icon={<UploadOutlined />}>{t('plan.upload')}</Button>
              </Upload>
              {customPlan && (
                <Button
                  onClick={() => {
                    localStorage.removeItem(PLAN_KEY);
                    setCustomPlan(null);
                  }}
                >
                  {t('plan.reset')}
                </Button>
              )}
            </Space>
          )
        }
      />
      <Problem error={gateways.error} />
      <div className="qs-grid-3">
        <Card size="small" styles={{ body: { padding: 8 } }}>
          <svg className="qs-plan" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('nav.command')} data-testid="quay-plan">
            {customPlan ? (
              <image href={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(customPlan)}`} x={0} y={0} width={W} height={H} preserveAspectRatio="xMidYMid meet" />
            ) : (
              <>
                <rect x={0} y={0} width={W} height={100} fill="#91caff" />
                <path d={`M0 70 Q 250 55 500 70 T ${W} 70`} stroke="#e6f4ff" strokeWidth={2} fill="none" opacity={0.7} />
                <text x={20} y={34} fontSize={16} fill="#0b3a75">
                  {t('plan.channel')}
                </text>
                <rect x={0} y={100} width={W} height={H - 100} fill="#fafafa" />
                <line x1={0} y1={102} x2={W} y2={102} stroke="#595959" strokeWidth={4} />
                <text x={W - 20} y={94} fontSize={12} fill="#0b3a75" textAnchor="end">
                  {t('plan.quayLine')}
                </text>
                {PLAN.map((a) => (
                  <g key={a.id}>
                    <rect x={a.x} y={a.y} width={a.w} height={a.h} rx={6} fill={AREA_FILL[a.kind]} stroke="#8c8c8c" strokeDasharray={a.kind === 'yard' ? '6 4' : undefined} />
                    <text x={a.x + 10} y={a.y + 20} fontSize={14} fontWeight={600} fill="#262626">
                      {t(a.label)}
                    </text>
                  </g>
                ))}
                {atBerth.slice(0, 4).map((v, i) => {
                  const b = PLAN[i]!;
                  return (
                    <g key={v.id} transform={`translate(${b.x + 10}, 40)`}>
                      <path d={`M0 20 L${b.w - 50} 20 L${b.w - 30} 35 L${b.w - 50} 50 L0 50 Z`} fill="#1d4f91" opacity={0.85} />
                      <text x={12} y={40} fontSize={13} fill="#fff">
                        {v.vesselName}
                      </text>
                    </g>
                  );
                })}
              </>
            )}
            {markers.map((m) => (
              <Tooltip key={m.key} title={`${m.gw} / ${m.device} · ${t(`health.${m.health}`)}${m.alarms ? ` · ${t('plan.alarms', { n: m.alarms })}` : ''}`}>
                <g className="qs-marker" transform={`translate(${m.x}, ${m.y})`} onClick={() => navigate(`/gateways/${encodeURIComponent(m.gw)}`)} data-testid={`marker-${m.gw}-${m.device}`} data-health={m.health}>
                  {m.alarms > 0 && <circle r={14} fill="none" stroke="#f5222d" strokeWidth={2} className="qs-pulse" />}
                  <circle r={10} fill={HEALTH_FILL[m.health]} stroke="#fff" strokeWidth={2} />
                  <text y={22} fontSize={10} textAnchor="middle" fill="#434343">
                    {m.device.length > 10 ? `${m.device.slice(0, 9)}…` : m.device}
                  </text>
                </g>
              </Tooltip>
            ))}
          </svg>
          {markers.length === 0 && !gateways.loading && <Typography.Paragraph type="secondary" style={{ padding: '8px 12px', margin: 0 }}>{t('plan.noDevices')}</Typography.Paragraph>}
        </Card>
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          {can('alarms.read') && (<Card size="small" title={`${t('plan.openAlarms')} (${alarms.data?.length ?? 0})`} extra={<a onClick={() => navigate('/alarms')}>{t('common.more')}</a>}>
            {(alarms.data ?? []).length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('plan.noAlarms')} />
            ) : (
              <List
                size="small"
                dataSource={(alarms.data ?? []).slice(0, 8)}
                renderItem={(a) => (
                  <List.Item>
                    <Space direction="vertical" size={0}>
                      <span>
                        <SeverityTag severity={a.severity} />
                        {a.message}
                      </span>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {a.gw}/{a.device ?? '—'} · {dt(a.ts)}
                      </Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
            )}
          </Card>)}
          {can('tasks.read') && (<Card size="small" title={`${t('plan.tasks')} (${working.length})`} extra={<a onClick={() => navigate('/tasks')}>{t('common.more')}</a>}>
            {working.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('plan.noTasks')} />
            ) : (
              <List
                size="small"
                dataSource={working.slice(0, 8)}
                renderItem={(x) => (
                  <List.Item onClick={() => navigate(`/tasks/${encodeURIComponent(x.id)}`)} style={{ cursor: 'pointer' }}>
                    <Space direction="vertical" size={0}>
                      <span>
                        {x.priority && <Tag color="volcano">{t('task.priorityShort')}</Tag>}
                        {x.title}
                      </span>
                      <Space size={6}>
                        <StateTag prefix="taskStatus" value={x.status} colours={TASK_STATUS_COLOURS} />
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {x.assigneeName ?? '—'}
                        </Typography.Text>
                      </Space>
                    </Space>
                  </List.Item>
                )}
              />
            )}
          </Card>)}
          {can('quarantine.read') && (<Card size="small" title={`${t('plan.vessels')} (${atBerth.length})`}>
            {atBerth.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('plan.noVessels')} />
            ) : (
              <List
                size="small"
                dataSource={atBerth}
                renderItem={(v) => (
                  <List.Item>
                    <span>
                      {v.vesselName} <Typography.Text type="secondary">IMO {v.imo} · {dt(v.eta)}</Typography.Text>
                    </span>
                  </List.Item>
                )}
              />
            )}
          </Card>)}
        </Space>
      </div>
    </>
  );
}
