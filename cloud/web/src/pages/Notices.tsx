/** Notices (通知): the caller's in-app notices, marked read one by one; command staff may send one. */
import { CheckOutlined, SendOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Form, Input, List, Modal, Space, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../api/client.js';
import type { Notice } from '../api/types.js';
import { PageHeader, Problem } from '../components/Page.js';
import { useFetch } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { errorText } from '../util.js';

export default function Notices() {
  const { t, dt } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const list = useFetch<Notice[]>('/api/notices', undefined, { live: ['notice'] });
  const [sending, setSending] = useState(false);
  const [form] = Form.useForm<{ enterpriseId?: string; userId?: string; title: string; body: string }>();

  const read = async (n: Notice) => {
    try {
      await api.post(`/api/notices/${encodeURIComponent(n.id)}/read`);
      list.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };
  return (
    <>
      <PageHeader
        title={t('nav.notices')}
        sub={list.data ? t('notice.unread', { n: list.data.filter((n) => !n.readAt).length }) : null}
        extra={
          can('notices.send') && (
            <Button type="primary" icon={<SendOutlined />} onClick={() => setSending(true)}>
              {t('notice.send')}
            </Button>
          )
        }
      />
      <Problem error={list.error} />
      <Card>
        <List
          dataSource={list.data ?? []}
          loading={list.loading && !list.data}
          locale={{ emptyText: t('notice.none') }}
          renderItem={(n) => (
            <List.Item
              data-testid="notice-item"
              actions={
                n.readAt
                  ? []
                  : [
                      <Button key="r" size="small" icon={<CheckOutlined />} onClick={() => void read(n)}>
                        {t('notice.markRead')}
                      </Button>,
                    ]
              }
            >
              <List.Item.Meta
                title={
                  <Space>
                    {!n.readAt && <Badge status="processing" />}
                    <Typography.Text strong={!n.readAt}>{n.title}</Typography.Text>
                  </Space>
                }
                description={
                  <>
                    <div>{n.body}</div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {dt(n.createdAt)}
                    </Typography.Text>
                  </>
                }
              />
            </List.Item>
          )}
        />
      </Card>
      <Modal
        open={sending}
        title={t('notice.send')}
        onCancel={() => setSending(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await form.validateFields().catch(() => null);
          if (!v) return;
          try {
            await api.post('/api/notices', { title: v.title.trim(), body: v.body.trim(), ...(v.enterpriseId?.trim() ? { enterpriseId: v.enterpriseId.trim() } : {}), ...(v.userId?.trim() ? { userId: v.userId.trim() } : {}) });
            void message.success(t('notice.sent'));
            form.resetFields();
            setSending(false);
          } catch (e) {
            void message.error(errorText(t, e));
          }
        }}
      >
        <Form form={form} layout="vertical">
          <div className="qs-form-row">
            <Form.Item name="enterpriseId" label={t('notice.toEnterprise')}>
              <Input />
            </Form.Item>
            <Form.Item name="userId" label={t('notice.toUser')}>
              <Input />
            </Form.Item>
          </div>
          <Form.Item name="title" label={t('notice.title')} rules={[{ required: true, whitespace: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="body" label={t('notice.body')} rules={[{ required: true, whitespace: true }]}>
            <Input.TextArea rows={4} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
