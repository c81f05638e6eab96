/**
 * Video patrol (视频巡查): the cameras, a live view in the browser when the camera has an HLS stream
 * (RTSP → HLS by ffmpeg at the cloud or edge; Chromium and Safari play HLS in a plain <video>), each
 * viewing logged as a patrol session, and the patrol log with the usage rate.
 */
import { EditOutlined, PlusOutlined, ReloadOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { App, Button, Card, Empty, Form, Input, List, Modal, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api/client.js';
import type { Camera, PatrolLog } from '../api/types.js';
import { PageHeader, Problem } from '../components/Page.js';
import { useFetch } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { errorText } from '../util.js';

const DAY = 24 * 3600_000;

/** Plays a camera and logs the viewing: a session starts when playback starts and ends when it stops. */
function Player({ camera, onSession }: { camera: Camera; onSession(): void }) {
  const { t } = useI18n();
  const session = useRef<string | null>(null);
  const [state, setState] = useState<'loading' | 'playing' | 'error'>('loading');

  const endSession = (id: string) => void api.post(`/api/patrol/sessions/${encodeURIComponent(id)}/end`).then(onSession, () => undefined);
  const end = () => {
    const id = session.current;
    session.current = null;
    if (id && id !== 'starting') endSession(id);
  };
  const start = () => {
    if (session.current) return;
    session.current = 'starting';
    api.post<{ id: string | number }>('/api/patrol/sessions', { camera: camera.id }).then(
      (s) => {
        // Stopped (or switched camera) while the session was being opened: close it at once.
        if (session.current !== 'starting') return endSession(String(s.id));
        session.current = String(s.id);
        onSession();
      },
      () => {
        if (session.current === 'starting') session.current = null;
      },
    );
  };
  useEffect(() => {
    setState('loading');
    return end;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [camera.id]);
  useEffect(() => {
    const onHide = () => end();
    window.addEventListener('pagehide', onHide);
    return () => window.removeEventListener('pagehide', onHide);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (!camera.hlsUrl) return <Empty image={<VideoCameraOutlined style={{ fontSize: 48, color: '#bfbfbf' }} />} description={t('video.noStream')} />;
  return (
    <div>
      <video
        key={camera.id}
        className="qs-video"
        src={camera.hlsUrl}
        controls
        autoPlay
        muted
        playsInline
        data-testid="video-player"
        onPlaying={() => {
          setState('playing');
          start();
        }}
        onPause={end}
        onEnded={end}
        onError={() => setState('error')}
      />
      <Space style={{ marginTop: 8 }}>
        <Tag color={state === 'playing' ? 'green' : state === 'error' ? 'red' : 'blue'}>{t(`video.${state}`)}</Tag>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {camera.gw ? `${camera.gw} / ${camera.device ?? '—'}` : ''}
        </Typography.Text>
      </Space>
    </div>
  );
}

function CameraModal({ camera, onClose, onDone }: { camera: Camera | 'new' | null; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Camera>();
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      await api.put(`/api/patrol/cameras/${encodeURIComponent(v.id.trim())}`, {
        name: v.name.trim(),
        ...(v.gw?.trim() ? { gw: v.gw.trim() } : {}),
        ...(v.device?.trim() ? { device: v.device.trim() } : {}),
        ...(v.hlsUrl?.trim() ? { hlsUrl: v.hlsUrl.trim() } : {}),
      });
      onDone();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };
  return (
    <Modal open={camera !== null} title={t('video.camera')} onCancel={onClose} onOk={() => void submit()} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={camera && camera !== 'new' ? camera : {}}>
        <Form.Item name="id" label={t('video.cameraId')} rules={[{ required: true, whitespace: true }]}>
          <Input disabled={camera !== 'new'} placeholder="cam-gate-1" />
        </Form.Item>
        <Form.Item name="name" label={t('video.cameraName')} rules={[{ required: true, whitespace: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="gw" label={t('gw.gateway')}>
          <Input />
        </Form.Item>
        <Form.Item name="device" label={t('gw.device')}>
          <Input />
        </Form.Item>
        <Form.Item name="hlsUrl" label={t('video.hlsUrl')} extra={t('video.hlsHint')}>
          <Input placeholder="/hls/cam-gate-1/index.m3u8" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function Video() {
  const { t, dt, num } = useI18n();
  const { can } = useSession();
  const canView = can('patrol.view');
  // Administrators manage cameras without watching them; the list is asked for either way.
  const cameras = useFetch<Camera[]>('/api/patrol/cameras', undefined, { enabled: canView || can('patrol.manage') });
  const from = useMemo(() => Date.now() - 30 * DAY, []);
  const log = useFetch<PatrolLog>('/api/patrol/log', { from }, { enabled: can('patrol.read'), live: ['patrol'] });
  const [selected, setSelected] = useState<string | null>(null);
  const [editing, setEditing] = useState<Camera | 'new' | null>(null);
  const camera = (cameras.data ?? []).find((c) => c.id === selected) ?? null;
  const names = new Map((cameras.data ?? []).map((c) => [c.id, c.name]));
  const usage = log.data?.usage;

  return (
    <>
      <PageHeader
        title={t('nav.video')}
        extra={
          <Space>
            <Button
              icon={<ReloadOutlined />}
              onClick={() => {
                cameras.reload();
                log.reload();
              }}
            />
            {can('patrol.manage') && (
              <Button icon={<PlusOutlined />} onClick={() => setEditing('new')}>
                {t('video.addCamera')}
              </Button>
            )}
          </Space>
        }
      />
      {!canView && can('patrol.manage') && (
        <Card size="small" title={`${t('video.cameras')} (${cameras.data?.length ?? 0})`} style={{ marginBottom: 16 }}>
          <Problem error={cameras.error} />
          <Table
            size="small"
            rowKey="id"
            dataSource={cameras.data ?? []}
            pagination={false}
            columns={[
              { title: t('video.cameraId'), dataIndex: 'id' },
              { title: t('video.cameraName'), dataIndex: 'name' },
              { title: t('gw.gateway'), dataIndex: 'gw', render: (v: string | null) => v ?? '—' },
              { title: t('video.hlsUrl'), dataIndex: 'hlsUrl', render: (v: string | null) => v ?? '—' },
              { title: t('common.actions'), key: 'a', render: (_: unknown, c: Camera) => <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(c)} /> },
            ]}
          />
        </Card>
      )}
      {canView && (
        <>
          <Problem error={cameras.error} />
          <div className="qs-grid-3" style={{ marginBottom: 16 }}>
            <Card size="small" title={camera ? camera.name : t('video.pick')}>
              {camera ? <Player camera={camera} onSession={log.reload} /> : <Empty description={t('video.pick')} />}
            </Card>
            <Card size="small" title={`${t('video.cameras')} (${cameras.data?.length ?? 0})`}>
              <List
                size="small"
                dataSource={cameras.data ?? []}
                locale={{ emptyText: t('video.noCameras') }}
                renderItem={(c) => (
                  <List.Item
                    onClick={() => setSelected(c.id)}
                    style={{ cursor: 'pointer', background: c.id === selected ? '#e6f4ff' : undefined, paddingLeft: 8 }}
                    data-testid={`camera-${c.id}`}
                    actions={can('patrol.manage') ? [<Button key="e" size="small" type="text" icon={<EditOutlined />} onClick={(e) => (e.stopPropagation(), setEditing(c))} />] : []}
                  >
                    <List.Item.Meta avatar={<VideoCameraOutlined style={{ color: c.hlsUrl ? '#1d4f91' : '#bfbfbf', fontSize: 18 }} />} title={c.name} description={c.hlsUrl ? t('video.live') : t('video.noStreamShort')} />
                  </List.Item>
                )}
              />
            </Card>
          </div>
        </>
      )}
      {can('patrol.read') && (
        <Card size="small" title={t('video.log')}>
          <Problem error={log.error} />
          <Space size="large" wrap style={{ marginBottom: 12 }}>
            <Statistic title={t('video.usageRate')} value={usage?.rate === null || usage?.rate === undefined ? '—' : Math.round(usage.rate * 1000) / 10} suffix={usage?.rate === null || usage?.rate === undefined ? undefined : '%'} />
            <Statistic title={t('video.watched')} value={usage ? `${usage.watched} / ${usage.cameras}` : '—'} />
            <Statistic title={t('video.minutes')} value={usage ? num(usage.minutes, 1) : '—'} />
          </Space>
          <Table
            size="small"
            rowKey="id"
            dataSource={log.data?.entries ?? []}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: 560 }}
            columns={[
              { title: t('video.viewer'), dataIndex: 'userName' },
              { title: t('video.camera'), dataIndex: 'camera', render: (c: string) => names.get(c) ?? c },
              { title: t('video.started'), dataIndex: 'startedAt', render: (v: number) => dt(v) },
              { title: t('video.ended'), dataIndex: 'endedAt', render: (v: number | null) => (v ? dt(v) : <Tag color="green">{t('video.watching')}</Tag>) },
              { title: t('video.duration'), dataIndex: 'durationMs', render: (v: number | null) => (v === null ? '—' : `${num(v / 60000, 1)} ${t('unit.minutesShort')}`) },
            ]}
          />
        </Card>
      )}
      <CameraModal
        camera={editing}
        onClose={() => setEditing(null)}
        onDone={() => {
          setEditing(null);
          cameras.reload();
        }}
      />
    </>
  );
}
