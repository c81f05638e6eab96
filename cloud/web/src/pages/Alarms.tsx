/** Alarms from the edge: open / acknowledged / all, acknowledged with a comment (alarms.ack). */
import { CheckOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Radio, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../api/client.js';
import type { Alarm } from '../api/types.js';
import { PageHeader, Problem } from '../components/Page.js';
import { useFetch } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { errorText } from '../util.js';

type StateFilter = 'open' | 'acked' | 'all';

export const SEVERITY_COLOURS: Record<string, string> = { critical: 'magenta', high: 'red', alarm: 'red', major: 'red', warning: 'orange', medium: 'orange', minor: 'gold', low: 'blue', info: 'blue' };

export function SeverityTag({ severity }: { severity: string }) {
  const { t } = useI18n();
  const key = `severity.${severity}` as Parameters<typeof t>[0];
  const label = t(key);
  return <Tag color={SEVERITY_COLOURS[severity] ?? 'default'}>{label === key ? severity : label}</Tag>;
}

export function AckModal({ alarm, onClose, onDone }: { alarm: Alarm | null; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ comment: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!alarm) return;
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      await api.post(`/api/monitor/alarms/${encodeURIComponent(alarm.gw)}/${encodeURIComponent(alarm.id)}/ack`, { comment: v.comment.trim() });
      void message.success(t('alarm.acked'));
      form.resetFields();
      onDone();
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={!!alarm} title={t('alarm.ackTitle')} onCancel={onClose} onOk={() => void submit()} confirmLoading={busy} okText={t('alarm.ack')} destroyOnHidden>
      {alarm && (
        <Typography.Paragraph>
          <SeverityTag severity={alarm.severity} /> {alarm.message}
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical">
        <Form.Item name="comment" label={t('alarm.comment')} rules={[{ required: true, whitespace: true, message: t('alarm.commentRequired') }, { max: 500 }]}>
          <Input.TextArea rows={3} maxLength={500} showCount data-testid="ack-comment" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function Alarms() {
  const { t, dt } = useI18n();
  const { can } = useSession();
  const [state, setState] = useState<StateFilter>('open');
  const list = useFetch<Alarm[]>('/api/monitor/alarms', { state, limit: 500 }, { live: ['alarm'] });
  const [acking, setAcking] = useState<Alarm | null>(null);
  const canAck = can('alarms.ack');

  return (
    <>
      <PageHeader
        title={t('nav.alarms')}
        sub={list.data ? t('common.count', { n: list.data.length }) : null}
        extra={
          <Space>
            <Radio.Group value={state} onChange={(e) => setState(e.target.value as StateFilter)} optionType="button" size="small">
              <Radio.Button value="open">{t('alarm.open')}</Radio.Button>
              <Radio.Button value="acked">{t('alarm.ackedState')}</Radio.Button>
              <Radio.Button value="all">{t('common.all')}</Radio.Button>
            </Radio.Group>
            <Button icon={<ReloadOutlined />} onClick={list.reload} />
          </Space>
        }
      />
      <Problem error={list.error} />
      <Card>
        <Table<Alarm>
          rowKey={(a) => `${a.gw}/${a.id}`}
          size="middle"
          loading={list.loading && !list.data}
          dataSource={list.data ?? []}
          scroll={{ x: 820 }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            { title: t('common.time'), dataIndex: 'ts', render: (v: number) => dt(v), width: 170 },
            { title: t('alarm.severity'), dataIndex: 'severity', render: (s: string) => <SeverityTag severity={s} />, width: 100 },
            { title: t('alarm.message'), dataIndex: 'message' },
            { title: t('alarm.source'), key: 'src', render: (_, a) => `${a.gw} / ${a.device ?? '—'}${a.point ? ` / ${a.point}` : ''}` },
            {
              title: t('alarm.ackBy'),
              key: 'ack',
              render: (_, a) =>
                a.ack ? (
                  <Space direction="vertical" size={0}>
                    <span>
                      {a.ack.byName} · {dt(a.ack.at)}
                    </span>
                    <Typography.Text type="secondary">{a.ack.comment}</Typography.Text>
                  </Space>
                ) : (
                  <Tag color="red">{t('alarm.open')}</Tag>
                ),
            },
            ...(canAck
              ? [
                  {
                    title: t('common.actions'),
                    key: 'actions',
                    width: 110,
                    render: (_: unknown, a: Alarm) =>
                      a.ack ? null : (
                        <Button size="small" type="primary" ghost icon={<CheckOutlined />} onClick={() => setAcking(a)} data-testid={`ack-${a.id}`}>
                          {t('alarm.ack')}
                        </Button>
                      ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <AckModal
        alarm={acking}
        onClose={() => setAcking(null)}
        onDone={() => {
          setAcking(null);
          list.reload();
        }}
      />
    </>
  );
}
