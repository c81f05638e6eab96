/**
 * 资源目录 (GB/T 21063 resource catalogue): published entries with their core metadata, filterable; an
 * entry's detail with its information items; export of the published catalogue (CSV with the guide's
 * column names, or JSON); requests to use a shared resource (anyone with platform.read), approved or
 * rejected with a note by the data owner only (the server marks each request the caller may decide:
 * canDecide); the catalogue log. Managers also see drafts and withdrawn
 * entries and can publish or withdraw one.
 */
import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Descriptions, Drawer, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../api/client.js';
import { PF, platform, SHARING_TYPES, type AccessRequest, type CatalogueEntry, type CatalogueLogLine } from '../../api/platform.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useFetch } from '../../hooks.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText } from '../../util.js';
import { tk } from './common.js';

const SHARING_COLOURS: Record<string, string> = { unconditional: 'green', conditional: 'gold', none: 'default' };
const REQ_COLOURS: Record<string, string> = { pending: 'processing', approved: 'success', rejected: 'error', withdrawn: 'default' };

const classOf = (e: CatalogueEntry) => `${e.classification.category}${e.classification.item}${e.classification.catalog}${e.classification.detail ?? ''}`;

function EntryDrawer({ code, onClose, onChanged }: { code: string | null; onClose(): void; onChanged(): void }) {
  const { t, dt, d } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const manage = can('platform.manage');
  const e = useFetch<CatalogueEntry>(code ? PF.entry(code) : null);
  const [asking, setAsking] = useState(false);
  const [form] = Form.useForm<{ organisation: string; purpose: string }>();
  const E = e.data;
  const request = async () => {
    if (!code) return;
    const v = await form.validateFields();
    try {
      const r = await platform.requestAccess(code, v);
      void message.success(tk(t, 'pf.req', r.status));
      setAsking(false);
      form.resetFields();
      onChanged();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };
  const setStatus = async (action: 'publish' | 'withdraw') => {
    if (!code) return;
    try {
      await api.post(`${PF.entry(code)}/${action}`);
      e.reload();
      onChanged();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };
  return (
    <Drawer
      open={code !== null}
      onClose={onClose}
      width={Math.min(900, window.innerWidth - 48)}
      title={E ? `${E.name} · ${E.code}` : code}
      destroyOnHidden
      data-testid="pf-cat-drawer"
      extra={
        E && (
          <Space>
            {E.status === 'published' && E.sharing.type !== 'none' && (
              <Button type="primary" onClick={() => setAsking(true)} data-testid="pf-cat-request">
                {t('pf.cat.request')}
              </Button>
            )}
            {manage && E.status !== 'published' && <Button onClick={() => void setStatus('publish')} data-testid="pf-cat-publish">{t('pf.cat.publish')}</Button>}
            {manage && E.status === 'published' && <Button danger onClick={() => void setStatus('withdraw')} data-testid="pf-cat-withdraw">{t('pf.cat.withdraw')}</Button>}
          </Space>
        )
      }
    >
      <Problem error={e.error} />
      {E && (
        <>
          <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} data-testid="pf-cat-detail">
            <Descriptions.Item label={t('pf.cat.code')}>
              <span data-testid="pf-cat-code">{E.code}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.name')}>{E.name}</Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.class')}>
              {classOf(E)} ({tk(t, 'pf.cat.type', E.catalogueType)})
            </Descriptions.Item>
            <Descriptions.Item label={t('common.status')}>{tk(t, 'pf.cat.st', E.status)} · v{E.version}</Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.provider')}>{E.provider}</Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.providerCode')}>{E.providerCode || '—'}</Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.abstract')} span={2}>
              {E.abstract}
            </Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.format')}>{tk(t, 'pf.cat.fmt', E.format)}</Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.cycle')}>{tk(t, 'pf.cycle', E.updateCycle)}</Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.sharing')}>
              <Tag color={SHARING_COLOURS[E.sharing.type]} data-testid="pf-cat-sharing" data-sharing={E.sharing.type}>
                {tk(t, 'pf.share', E.sharing.type)}
              </Tag>
              {E.sharing.conditions}
            </Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.method')}>{E.sharing.method || '—'}</Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.open')}>
              {E.opening.open ? t('common.yes') : t('common.no')} {E.opening.conditions}
            </Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.published')}>{d(E.publishedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.related')}>{E.related.join('，') || '—'}</Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.keywords')}>{E.keywords.map((k) => <Tag key={k}>{k}</Tag>)}</Descriptions.Item>
            <Descriptions.Item label={t('pf.ds.name')}>{E.dataset ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('pf.cat.updated')}>{dt(E.updatedAt)} · {E.updatedBy}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('pf.cat.items')}
          </Typography.Title>
          <Table size="small" rowKey="name" pagination={false} dataSource={E.items} data-testid="pf-cat-items" columns={[{ title: t('pf.cat.itemName'), dataIndex: 'name' }, { title: t('pf.ds.type'), dataIndex: 'type' }]} />
        </>
      )}
      <Modal open={asking} title={t('pf.cat.request')} onCancel={() => setAsking(false)} onOk={() => void request()} okButtonProps={{ 'data-testid': 'pf-cat-request-ok' }} destroyOnHidden forceRender>
        <Form form={form} layout="vertical">
          <Form.Item name="organisation" label={t('pf.cat.organisation')} rules={[{ required: true, max: 200 }]}>
            <Input data-testid="pf-cat-org" />
          </Form.Item>
          <Form.Item name="purpose" label={t('pf.cat.purpose')} rules={[{ required: true, max: 2000 }]}>
            <Input.TextArea autoSize={{ minRows: 3 }} data-testid="pf-cat-purpose" />
          </Form.Item>
        </Form>
      </Modal>
    </Drawer>
  );
}

function Requests({ tick, onChanged }: { tick: number; onChanged(): void }) {
  const { t, dt } = useI18n();
  const { message } = App.useApp();
  const [status, setStatus] = useState<string | undefined>();
  const list = useFetch<{ items: AccessRequest[] }>(PF.requests, { status });
  const reloadList = list.reload;
  useEffect(() => {
    if (tick) reloadList();
  }, [tick, reloadList]);
  const [deciding, setDeciding] = useState<{ r: AccessRequest; decision: 'approved' | 'rejected' } | null>(null);
  const [note, setNote] = useState('');
  const decide = async () => {
    if (!deciding) return;
    try {
      await platform.decide(deciding.r.id, deciding.decision, note);
      setDeciding(null);
      setNote('');
      list.reload();
      onChanged();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };
  return (
    <Card size="small" title={t('pf.cat.requests')} style={{ marginBottom: 16 }} extra={<Select allowClear style={{ width: 140 }} placeholder={t('common.status')} value={status} onChange={setStatus} options={['pending', 'approved', 'rejected', 'withdrawn'].map((s) => ({ value: s, label: tk(t, 'pf.req', s) }))} />} data-testid="pf-cat-requests">
      <Problem error={list.error} />
      <Table<AccessRequest>
        size="small"
        rowKey="id"
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        onRow={(r) => ({ 'data-testid': 'pf-req-row', 'data-id': r.id, 'data-status': r.status, 'data-owner': r.owner }) as object}
        columns={[
          { title: '#', dataIndex: 'id', width: 50 },
          { title: t('pf.cat.code'), dataIndex: 'code', className: 'qs-mono-cell' },
          { title: t('pf.cat.requester'), dataIndex: 'requester' },
          { title: t('pf.cat.organisation'), dataIndex: 'organisation' },
          { title: t('pf.cat.purpose'), dataIndex: 'purpose' },
          { title: t('pf.ds.owner'), dataIndex: 'owner' },
          { title: t('common.status'), dataIndex: 'status', render: (v: string) => <Tag color={REQ_COLOURS[v]} data-testid="pf-req-status">{tk(t, 'pf.req', v)}</Tag> },
          { title: t('common.created'), dataIndex: 'createdAt', render: (v: number) => dt(v) },
          { title: t('pf.cat.decidedBy'), key: 'd', render: (_: unknown, r) => (r.decidedBy ? `${r.decidedBy} · ${dt(r.decidedAt)}` : '—') },
          { title: t('common.note'), dataIndex: 'note', render: (v: string) => v || '—' },
          ...(list.data?.items.some((r) => r.canDecide)
            ? [
                {
                  title: t('common.actions'),
                  key: 'a',
                  render: (_: unknown, r: AccessRequest) =>
                    r.canDecide ? (
                      <Space size={4}>
                        <Button size="small" type="primary" onClick={() => setDeciding({ r, decision: 'approved' })} data-testid={`pf-req-approve-${r.id}`}>
                          {t('pf.cat.approve')}
                        </Button>
                        <Button size="small" danger onClick={() => setDeciding({ r, decision: 'rejected' })} data-testid={`pf-req-reject-${r.id}`}>
                          {t('pf.cat.reject')}
                        </Button>
                      </Space>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
      <Modal open={deciding !== null} title={deciding ? `${deciding.decision === 'approved' ? t('pf.cat.approve') : t('pf.cat.reject')} #${deciding.r.id}` : ''} onCancel={() => setDeciding(null)} onOk={() => void decide()} okButtonProps={{ 'data-testid': 'pf-req-decide-ok' }}>
        <Input.TextArea value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('common.note')} autoSize={{ minRows: 2 }} data-testid="pf-req-note" />
      </Modal>
    </Card>
  );
}

function Log({ tick }: { tick: number }) {
  const { t, dt } = useI18n();
  const log = useFetch<{ items: CatalogueLogLine[] }>(PF.log);
  const reloadLog = log.reload;
  useEffect(() => {
    if (tick) reloadLog();
  }, [tick, reloadLog]);
  return (
    <Card size="small" title={t('pf.cat.log')} data-testid="pf-cat-log">
      <Table<CatalogueLogLine>
        size="small"
        rowKey="id"
        dataSource={[...(log.data?.items ?? [])].sort((a, b) => b.id - a.id)}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        onRow={(l) => ({ 'data-testid': 'pf-log-row', 'data-action': l.action }) as object}
        columns={[
          { title: t('common.time'), dataIndex: 'at', render: (v: number) => dt(v) },
          { title: t('pf.cat.code'), dataIndex: 'code', className: 'qs-mono-cell' },
          { title: t('pf.cat.action'), dataIndex: 'action', render: (v: string) => tk(t, 'pf.logAct', v) },
          { title: t('pf.cat.actor'), dataIndex: 'actor' },
          { title: t('pf.cat.detail'), dataIndex: 'detail', render: (v: string, l) => `${l.requestId ? `#${l.requestId} ` : ''}${v}` },
        ]}
      />
    </Card>
  );
}

export default function Catalogue() {
  const { t, d } = useI18n();
  const { can } = useSession();
  const manage = can('platform.manage');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [sharing, setSharing] = useState<string | undefined>();
  const [status, setStatus] = useState<string | undefined>('published');
  const list = useFetch<{ items: CatalogueEntry[] }>(PF.catalogue, { q: query || undefined, sharing, status });
  const [open, setOpen] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const changed = () => {
    setTick((n) => n + 1);
    list.reload();
  };
  return (
    <>
      <PageHeader
        title={t('pf.tab.catalogue')}
        extra={
          <Space>
            <Button icon={<DownloadOutlined />} href={PF.exportUrl('csv')} download data-testid="pf-cat-export-csv">
              CSV
            </Button>
            <Button icon={<DownloadOutlined />} href={PF.exportUrl('json')} download data-testid="pf-cat-export-json">
              JSON
            </Button>
          </Space>
        }
      />
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search value={q} onChange={(e) => setQ(e.target.value)} onSearch={(v) => setQuery(v.trim())} placeholder={t('pf.cat.search')} style={{ width: 280 }} data-testid="pf-cat-q" />
        <Select allowClear style={{ width: 160 }} placeholder={t('pf.cat.sharing')} value={sharing} onChange={setSharing} options={SHARING_TYPES.map((s) => ({ value: s, label: tk(t, 'pf.share', s) }))} />
        {manage && <Select allowClear style={{ width: 140 }} placeholder={t('common.status')} value={status} onChange={setStatus} options={['draft', 'published', 'withdrawn'].map((s) => ({ value: s, label: tk(t, 'pf.cat.st', s) }))} data-testid="pf-cat-status" />}
      </Space>
      <Problem error={list.error} />
      <Table<CatalogueEntry>
        size="small"
        rowKey="code"
        loading={list.loading && !list.data}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        style={{ marginBottom: 16 }}
        data-testid="pf-cat-table"
        onRow={(e) => ({ 'data-testid': 'pf-cat-row', 'data-code': e.code, onClick: () => setOpen(e.code), style: { cursor: 'pointer' } }) as object}
        columns={[
          { title: t('pf.cat.code'), dataIndex: 'code', className: 'qs-mono-cell' },
          { title: t('pf.cat.name'), dataIndex: 'name', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
          { title: t('pf.cat.class'), key: 'cls', render: (_: unknown, e) => classOf(e) },
          { title: t('pf.cat.provider'), dataIndex: 'provider' },
          { title: t('pf.cat.format'), dataIndex: 'format', render: (v: string) => tk(t, 'pf.cat.fmt', v) },
          { title: t('pf.cat.sharing'), key: 'sh', render: (_: unknown, e) => <Tag color={SHARING_COLOURS[e.sharing.type]}>{tk(t, 'pf.share', e.sharing.type)}</Tag> },
          { title: t('pf.cat.open'), key: 'op', render: (_: unknown, e) => (e.opening.open ? t('common.yes') : t('common.no')) },
          { title: t('pf.cat.cycle'), dataIndex: 'updateCycle', render: (v: string) => tk(t, 'pf.cycle', v) },
          { title: t('pf.cat.published'), dataIndex: 'publishedAt', render: (v: number | null) => d(v) },
          { title: t('common.status'), dataIndex: 'status', render: (v: string) => tk(t, 'pf.cat.st', v) },
        ]}
      />
      <Requests tick={tick} onChanged={changed} />
      <Log tick={tick} />
      <EntryDrawer code={open} onClose={() => setOpen(null)} onChanged={changed} />
    </>
  );
}
