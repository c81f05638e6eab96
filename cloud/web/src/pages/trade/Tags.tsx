/**
 * Enterprise tags (企业标签): every tag rule with how many enterprises carry it, the enterprises of a
 * tag (paged on the server), enterprise search by USCC, customs code or name, and the way to each
 * enterprise's profile. Recomputing all tags is for trade.manage.
 */
import { ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { App, Button, Card, Empty, Input, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { trade, TRADE_PATHS, type EnterpriseRow, type TagSummary } from '../../api/trade.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useFetch } from '../../hooks.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText } from '../../util.js';
import { tk, useNumber } from './common.js';

export const CATEGORY_COLOURS: Record<string, string> = { 信用: 'gold', 基础属性: 'blue', 贸易行为: 'cyan', 合规: 'red', 政策: 'purple' };

export function EnterpriseTable({ rows, loading, testId }: { rows: EnterpriseRow[]; loading?: boolean; testId?: string }) {
  const { t } = useI18n();
  return (
    <Table<EnterpriseRow>
      size="small"
      rowKey="uscc"
      loading={loading}
      dataSource={rows}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      scroll={{ x: 'max-content' }}
      data-testid={testId}
      columns={[
        { title: t('trade.ent.name'), dataIndex: 'name', render: (v: string, r) => <Link to={`/trade/enterprises/${r.uscc}`}>{v}</Link> },
        { title: t('trade.ent.uscc'), dataIndex: 'uscc', className: 'qs-mono-cell' },
        { title: t('trade.ent.customsCode'), dataIndex: 'customs_code', className: 'qs-mono-cell' },
        { title: t('trade.ent.credit'), dataIndex: 'credit_rating', render: (v: string) => tk(t, 'trade.credit', v) },
        { title: 'AEO', dataIndex: 'aeo', render: (v: boolean) => (v ? <Tag color="gold">AEO</Tag> : '—') },
      ]}
    />
  );
}

export default function Tags() {
  const { t } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const fmt = useNumber();
  const [params, setParams] = useSearchParams();
  const tag = params.get('tag');
  const [page, setPage] = useState(1);
  const [q, setQ] = useState('');
  const [busy, setBusy] = useState(false);
  const tags = useFetch<{ items: TagSummary[]; computedAt: string | null }>(TRADE_PATHS.tags);
  const members = useFetch<{ total: number; items: { uscc: string; name: string; value: string | null }[] }>(tag ? TRADE_PATHS.tagEnterprises(tag) : null, { limit: 20, offset: (page - 1) * 20 });
  const found = useFetch<{ items: EnterpriseRow[] }>(q ? TRADE_PATHS.enterprises : null, { q, limit: 100 });
  const current = useMemo(() => tags.data?.items.find((x) => x.tag === tag), [tags.data, tag]);

  const pick = (code: string) => {
    setPage(1);
    setParams({ tag: code }, { replace: true });
  };

  const recompute = async () => {
    setBusy(true);
    try {
      const r = await trade.recomputeTags();
      void message.success(t('trade.tags.recomputed', { enterprises: r.enterprises, tags: r.tags, ms: r.ms }));
      tags.reload();
      members.reload();
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title={t('trade.tab.tags')}
        sub={tags.data ? (tags.data.computedAt ? t('trade.tags.computedAt', { at: tags.data.computedAt.slice(0, 19).replace('T', ' ') }) : t('trade.tags.never')) : null}
        extra={
          <Space>
            {can('trade.manage') && (
              <Button type="primary" icon={<SyncOutlined />} loading={busy} onClick={() => void recompute()} data-testid="tags-recompute">
                {t('trade.tags.recompute')}
              </Button>
            )}
            <Button icon={<ReloadOutlined />} onClick={tags.reload} aria-label="reload" />
          </Space>
        }
      />
      <Problem error={tags.error} />
      <Card size="small" title={t('trade.ent.search')} style={{ marginBottom: 16 }}>
        <Input.Search allowClear enterButton placeholder={t('trade.ent.searchHint')} onSearch={(v) => setQ(v.trim())} style={{ maxWidth: 480 }} data-testid="ent-search" />
        {q && (
          <div style={{ marginTop: 12 }}>
            <Problem error={found.error} />
            <EnterpriseTable rows={found.data?.items ?? []} loading={found.loading} testId="ent-search-results" />
          </div>
        )}
      </Card>
      <div className="qs-grid-2">
        <Card size="small" title={t('trade.tags.list')}>
          <Table<TagSummary>
            size="small"
            rowKey="tag"
            loading={tags.loading && !tags.data}
            dataSource={tags.data?.items ?? []}
            pagination={false}
            rowClassName={(r) => (r.tag === tag ? 'qs-row-selected' : '')}
            onRow={(r) => ({ onClick: () => pick(r.tag), style: { cursor: 'pointer' } })}
            data-testid="tags-table"
            columns={[
              {
                title: t('trade.tags.category'),
                dataIndex: 'category',
                width: 90,
                render: (c: string) => <Tag color={CATEGORY_COLOURS[c] ?? 'default'}>{tk(t, 'trade.tagcat', c)}</Tag>,
                filters: [...new Set((tags.data?.items ?? []).map((x) => x.category))].map((c) => ({ text: tk(t, 'trade.tagcat', c), value: c })),
                onFilter: (v, r) => r.category === v,
              },
              {
                title: t('trade.tags.tag'),
                dataIndex: 'name',
                render: (v: string, r) => (
                  <Tooltip title={r.description}>
                    <span data-testid={`tag-${r.tag}`}>{v}</span>
                  </Tooltip>
                ),
              },
              {
                title: t('trade.tags.count'),
                dataIndex: 'enterprises',
                width: 90,
                align: 'right',
                sorter: (a, b) => a.enterprises - b.enterprises,
                render: (v: number, r) => (
                  <span data-testid={`tag-count-${r.tag}`} data-value={v}>
                    {fmt.int(v)}
                  </span>
                ),
              },
            ]}
          />
        </Card>
        <Card size="small" title={current ? t('trade.tags.members', { name: current.name }) : t('trade.tags.membersNone')} extra={current && <Typography.Text type="secondary">{current.description}</Typography.Text>}>
          {!tag ? (
            <Empty description={t('trade.tags.pick')} />
          ) : (
            <>
              <Problem error={members.error} />
              <Table
                size="small"
                rowKey="uscc"
                loading={members.loading}
                dataSource={members.data?.items ?? []}
                data-testid="tag-members"
                pagination={{ current: page, pageSize: 20, total: members.data?.total ?? 0, onChange: setPage, showTotal: (n) => t('common.count', { n }), showSizeChanger: false }}
                columns={[
                  { title: t('trade.ent.name'), dataIndex: 'name', render: (v: string, r) => <Link to={`/trade/enterprises/${r.uscc}`}>{v}</Link> },
                  { title: t('trade.ent.uscc'), dataIndex: 'uscc', className: 'qs-nowrap' },
                  { title: t('trade.tags.value'), dataIndex: 'value', render: (v: string | null) => v ?? '—' },
                ]}
              />
            </>
          )}
        </Card>
      </div>
    </>
  );
}
