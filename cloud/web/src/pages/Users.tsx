/**
 * Users and roles (system administrators): accounts with their roles, status (activate a pending OIDC
 * account, disable), lockout and password reset; organisations — customs departments and enterprises,
 * whose unified social credit code is checked here (shared/ids/uscc.ts) and again on the server.
 */
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Dropdown, Form, Input, Modal, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { parseUscc } from '../../../../shared/ids/uscc.js';
import { api } from '../api/client.js';
import { ROLES, type Org, type Role, type User } from '../api/types.js';
import { PageHeader, Problem } from '../components/Page.js';
import { useFetch } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { useSession } from '../session.js';
import { errorText } from '../util.js';

const ROLE_COLOURS: Record<Role, string> = { sysadmin: 'magenta', command: 'geekblue', inspector: 'green', enterprise: 'orange', auditor: 'purple' };
const STATUS_COLOURS: Record<User['status'], string> = { active: 'green', pending: 'gold', disabled: 'default' };

function UserModal({ user, orgs, onClose, onDone }: { user: User | 'new' | null; orgs: Org[]; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ username: string; displayName: string; email?: string; phone?: string; password?: string; roles: Role[]; orgId?: string }>();
  const roles = Form.useWatch('roles', form) ?? [];
  const isNew = user === 'new';
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      if (isNew) {
        await api.post('/api/users', {
          username: v.username.trim(),
          displayName: v.displayName.trim(),
          ...(v.email?.trim() ? { email: v.email.trim() } : {}),
          ...(v.phone?.trim() ? { phone: v.phone.trim() } : {}),
          ...(v.password ? { password: v.password } : {}),
          roles: v.roles,
          ...(v.orgId ? { orgId: v.orgId } : {}),
        });
      } else if (user) {
        await api.patch(`/api/users/${encodeURIComponent(user.id)}`, { displayName: v.displayName.trim(), email: v.email?.trim() || null, phone: v.phone?.trim() || null });
        await api.put(`/api/users/${encodeURIComponent(user.id)}/roles`, { roles: v.roles, ...(v.orgId ? { orgId: v.orgId } : {}) });
      }
      void message.success(t('users.saved'));
      onDone();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };
  const initial = user && user !== 'new' ? { username: user.username, displayName: user.displayName, email: user.email ?? '', phone: user.phone ?? '', roles: user.roles, orgId: user.org?.id } : { roles: [] as Role[] };
  return (
    <Modal open={user !== null} title={isNew ? t('users.create') : t('users.edit')} onCancel={onClose} onOk={() => void submit()} destroyOnHidden width={560}>
      <Form form={form} layout="vertical" initialValues={initial}>
        <div className="qs-form-row">
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true, pattern: /^[A-Za-z0-9._@-]{3,64}$/ }]}>
            <Input disabled={!isNew} />
          </Form.Item>
          <Form.Item name="displayName" label={t('users.displayName')} rules={[{ required: true, whitespace: true }]}>
            <Input />
          </Form.Item>
        </div>
        <div className="qs-form-row">
          <Form.Item name="email" label={t('users.email')} rules={[{ type: 'email' }]}>
            <Input />
          </Form.Item>
          <Form.Item name="phone" label={t('users.phone')}>
            <Input />
          </Form.Item>
        </div>
        {isNew && (
          <Form.Item name="password" label={t('login.password')} extra={t('users.passwordRules')}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        )}
        <Form.Item name="roles" label={t('users.roles')} rules={[{ required: true, type: 'array', min: 1 }]} extra={t('users.enterpriseRule')}>
          <Select mode="multiple" options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        </Form.Item>
        <Form.Item name="orgId" label={t('users.org')} rules={roles.includes('enterprise') ? [{ required: true }] : []}>
          <Select allowClear showSearch optionFilterProp="label" options={orgs.filter((o) => !roles.includes('enterprise') || o.kind === 'enterprise').map((o) => ({ value: o.id, label: `${o.name}${o.uscc ? ` · ${o.uscc}` : ''}` }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function PasswordModal({ user, onClose }: { user: User | null; onClose(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ password: string }>();
  return (
    <Modal
      open={!!user}
      title={user ? t('users.resetFor', { name: user.displayName || user.username }) : ''}
      onCancel={onClose}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields().catch(() => null);
        if (!v) return;
        try {
          await api.post(`/api/users/${encodeURIComponent(user!.id)}/password`, { password: v.password });
          void message.success(t('users.passwordReset'));
          onClose();
        } catch (e) {
          void message.error(errorText(t, e));
        }
      }}
    >
      <Form form={form} layout="vertical">
        <Form.Item name="password" label={t('users.newPassword')} rules={[{ required: true, min: 10 }]} extra={t('users.passwordRules')}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function UsersTab({ orgs }: { orgs: Org[] }) {
  const { t, dt } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const [q, setQ] = useState({ q: '', role: '', status: '' });
  const [draft, setDraft] = useState('');
  const users = useFetch<User[]>('/api/users', q);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const manage = can('users.manage');

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      void message.success(t('users.saved'));
      users.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };

  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder={t('users.search')} value={draft} onChange={(e) => setDraft(e.target.value)} onSearch={(v) => setQ({ ...q, q: v.trim() })} style={{ width: 220 }} />
        <Select allowClear placeholder={t('users.roles')} style={{ width: 150 }} value={q.role || undefined} onChange={(v?: string) => setQ({ ...q, role: v ?? '' })} options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        <Select allowClear placeholder={t('common.status')} style={{ width: 120 }} value={q.status || undefined} onChange={(v?: string) => setQ({ ...q, status: v ?? '' })} options={(['active', 'pending', 'disabled'] as const).map((s) => ({ value: s, label: t(`userStatus.${s}`) }))} />
        <Button icon={<ReloadOutlined />} onClick={users.reload} />
        {manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('users.create')}
          </Button>
        )}
      </Space>
      <Problem error={users.error} />
      <Table<User>
        rowKey="id"
        size="middle"
        loading={users.loading && !users.data}
        dataSource={users.data ?? []}
        scroll={{ x: 980 }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          {
            title: t('login.username'),
            key: 'name',
            render: (_, u) => (
              <Space direction="vertical" size={0}>
                <Typography.Text strong>{u.displayName}</Typography.Text>
                <Typography.Text type="secondary">{u.username}</Typography.Text>
              </Space>
            ),
          },
          { title: t('users.roles'), dataIndex: 'roles', render: (rs: Role[]) => rs.map((r) => <Tag key={r} color={ROLE_COLOURS[r]}>{t(`role.${r}`)}</Tag>) },
          { title: t('users.org'), key: 'org', render: (_, u) => u.org?.name ?? '—' },
          {
            title: t('common.status'),
            key: 'status',
            render: (_, u) => (
              <Space size={4} wrap>
                <Tag color={STATUS_COLOURS[u.status]}>{t(`userStatus.${u.status}`)}</Tag>
                {u.lockedUntil && u.lockedUntil > Date.now() && <Tag color="red">{t('users.locked')}</Tag>}
                {(u.identities?.length ?? 0) > 0 && <Tag color="blue">OIDC</Tag>}
              </Space>
            ),
          },
          { title: t('users.lastLogin'), dataIndex: 'lastLoginAt', render: (v?: number | null) => dt(v ?? null) },
          ...(manage
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, u: User) => (
                    <Space>
                      <Button size="small" onClick={() => setEditing(u)}>
                        {t('common.edit')}
                      </Button>
                      <Dropdown
                        menu={{
                          items: [
                            ...(u.status !== 'active' ? [{ key: 'activate', label: t('users.activate') }] : [{ key: 'disable', label: t('users.disable'), danger: true }]),
                            ...(u.lockedUntil && u.lockedUntil > Date.now() ? [{ key: 'unlock', label: t('users.unlock') }] : []),
                            { key: 'password', label: t('users.resetPassword') },
                          ],
                          onClick: (i) => {
                            const base = `/api/users/${encodeURIComponent(u.id)}`;
                            if (i.key === 'activate') void act(() => api.patch(base, { status: 'active' }));
                            else if (i.key === 'disable') void act(() => api.patch(base, { status: 'disabled' }));
                            else if (i.key === 'unlock') void act(() => api.post(`${base}/unlock`));
                            else if (i.key === 'password') setResetting(u);
                          },
                        }}
                      >
                        <Button size="small">{t('common.more')}</Button>
                      </Dropdown>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <UserModal
        user={editing}
        orgs={orgs}
        onClose={() => setEditing(null)}
        onDone={() => {
          setEditing(null);
          users.reload();
        }}
      />
      <PasswordModal user={resetting} onClose={() => setResetting(null)} />
    </>
  );
}

function OrgsTab({ orgs, reload }: { orgs: Org[]; reload(): void }) {
  const { t, dt } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<{ kind: Org['kind']; name: string; uscc?: string }>();
  const kind = Form.useWatch('kind', form) ?? 'enterprise';
  return (
    <>
      {can('orgs.manage') && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} style={{ marginBottom: 12 }}>
          {t('orgs.create')}
        </Button>
      )}
      <Table<Org>
        rowKey="id"
        size="middle"
        dataSource={orgs}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 640 }}
        columns={[
          { title: t('orgs.name'), dataIndex: 'name' },
          { title: t('orgs.kind'), dataIndex: 'kind', render: (k: Org['kind']) => <Tag color={k === 'customs' ? 'geekblue' : 'orange'}>{t(`orgKind.${k}`)}</Tag> },
          { title: t('orgs.uscc'), dataIndex: 'uscc', render: (v: string | null) => (v ? <Typography.Text code>{v}</Typography.Text> : '—') },
          { title: t('common.created'), dataIndex: 'createdAt', render: (v?: number) => dt(v ?? null) },
        ]}
      />
      <Modal
        open={creating}
        title={t('orgs.create')}
        onCancel={() => setCreating(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await form.validateFields().catch(() => null);
          if (!v) return;
          try {
            await api.post('/api/orgs', { kind: v.kind, name: v.name.trim(), ...(v.uscc?.trim() ? { uscc: v.uscc.trim().toUpperCase() } : {}) });
            setCreating(false);
            reload();
          } catch (e) {
            void message.error(errorText(t, e));
          }
        }}
      >
        <Form form={form} layout="vertical" initialValues={{ kind: 'enterprise' }}>
          <Form.Item name="kind" label={t('orgs.kind')}>
            <Select options={(['enterprise', 'customs'] as const).map((k) => ({ value: k, label: t(`orgKind.${k}`) }))} />
          </Form.Item>
          <Form.Item name="name" label={t('orgs.name')} rules={[{ required: true, whitespace: true }]}>
            <Input data-testid="org-name" />
          </Form.Item>
          <Form.Item
            name="uscc"
            label={t('orgs.uscc')}
            rules={[
              { required: kind === 'enterprise' },
              {
                validator: (_, v?: string) => {
                  if (!v) return Promise.resolve();
                  const r = parseUscc(v);
                  return r.ok ? Promise.resolve() : Promise.reject(new Error(r.reason === 'check_char' ? t('orgs.usccCheck') : t('orgs.usccFormat')));
                },
              },
            ]}
          >
            <Input maxLength={18} placeholder="91310115MA1K4XXXXX" data-testid="org-uscc" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

export default function Users() {
  const { t } = useI18n();
  const orgs = useFetch<Org[]>('/api/orgs');
  return (
    <>
      <PageHeader title={t('nav.users')} />
      <Card>
        <Tabs
          items={[
            { key: 'users', label: t('users.tab'), children: <UsersTab orgs={orgs.data ?? []} /> },
            { key: 'orgs', label: t('orgs.tab'), children: <OrgsTab orgs={orgs.data ?? []} reload={orgs.reload} /> },
          ]}
        />
      </Card>
    </>
  );
}
