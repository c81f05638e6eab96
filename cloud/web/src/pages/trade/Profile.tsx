/**
 * The enterprise profile (企业画像, /trade/enterprises/:uscc): master data, tags, the metrics the tags
 * are computed from (last 12 months against the 12 before), 24 months of imports and exports, top
 * partners, chapters, trade modes and districts, and the enterprise's warnings.
 */
import { Card, Descriptions, Empty, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { TRADE_PATHS, type Profile as ProfileData, type TopShare, type WarningStatus } from '../../api/trade.js';
import { Chart, type ChartOption } from '../../components/Chart.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useFetch } from '../../hooks.js';
import { useI18n } from '../../i18n/index.js';
import { codeName, tk, useMeta, useNumber } from './common.js';
import { CATEGORY_COLOURS } from './Tags.js';
import { SeverityTag, WarningStatusTag } from './Warnings.js';

function TopTable({ title, rows, testId }: { title: string; rows: TopShare[]; testId?: string }) {
  const { t } = useI18n();
  const fmt = useNumber();
  return (
    <Card size="small" title={title}>
      <Table<TopShare>
        size="small"
        rowKey="code"
        pagination={false}
        dataSource={rows}
        data-testid={testId}
        columns={[
          { title: t('trade.ent.code'), dataIndex: 'code', width: 70 },
          { title: t('trade.ent.nameCol'), dataIndex: 'name', render: (v: string | null) => v ?? '—' },
          { title: t('trade.ent.usd'), dataIndex: 'value_usd', align: 'right', render: (v: number) => fmt.int(v) },
          { title: t('trade.ent.share'), dataIndex: 'share', align: 'right', width: 80, render: (v: number) => fmt.pct(v) },
        ]}
      />
    </Card>
  );
}

export default function Profile() {
  const { t, lang } = useI18n();
  const { uscc = '' } = useParams();
  const navigate = useNavigate();
  const fmt = useNumber();
  const { meta } = useMeta();
  const p = useFetch<ProfileData>(TRADE_PATHS.profile(uscc));
  const d = p.data;
  const m = (d?.metrics ?? {}) as Record<string, unknown>;

  const chart = useMemo<ChartOption | null>(() => {
    if (!d) return null;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 64, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: d.monthly.map((x) => x.month) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => (Math.abs(v) >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : String(v)) } },
      series: [
        { type: 'bar', name: t('trade.import'), stack: 'v', data: d.monthly.map((x) => x.import_usd), itemStyle: { color: '#1d4f91' } },
        { type: 'bar', name: t('trade.export'), stack: 'v', data: d.monthly.map((x) => x.export_usd), itemStyle: { color: '#13a8a8' } },
      ],
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [d, lang]);

  const e = d?.enterprise;
  return (
    <>
      <PageHeader
        title={e ? e.name : t('trade.ent.profile')}
        sub={e ? <Typography.Text code>{e.uscc}</Typography.Text> : null}
        onBack={() => navigate(-1)}
        extra={d?.asOf ? <Tag>{t('trade.ent.asOf', { month: d.asOf })}</Tag> : null}
      />
      <Problem error={p.error} />
      {d && e && (
        <>
          <Card size="small" style={{ marginBottom: 16 }} data-testid="profile-master">
            <Descriptions size="small" column={{ xs: 1, md: 3 }}>
              <Descriptions.Item label={t('trade.ent.uscc')}>{e.uscc}</Descriptions.Item>
              <Descriptions.Item label={t('trade.ent.customsCode')}>{e.customs_code}</Descriptions.Item>
              <Descriptions.Item label={t('trade.ent.type')}>{codeName(meta, 'ent_type', e.ent_type, t)}</Descriptions.Item>
              <Descriptions.Item label={t('trade.ent.region')}>{codeName(meta, 'region', e.region, t)}</Descriptions.Item>
              <Descriptions.Item label={t('trade.ent.credit')}>{tk(t, 'trade.credit', e.credit_rating)}</Descriptions.Item>
              <Descriptions.Item label="AEO">{e.aeo ? <Tag color="gold">AEO</Tag> : t('common.no')}</Descriptions.Item>
              {'registered' in e && <Descriptions.Item label={t('trade.ent.registered')}>{String(e['registered'] ?? '—')}</Descriptions.Item>}
            </Descriptions>
            <div style={{ marginTop: 8 }} data-testid="profile-tags">
              {d.tags.length === 0 ? (
                <Typography.Text type="secondary">{t('trade.ent.noTags')}</Typography.Text>
              ) : (
                d.tags.map((x) => (
                  <Tag key={x.tag} color={CATEGORY_COLOURS[x.category] ?? 'default'} data-tag={x.tag} style={{ marginBottom: 4 }}>
                    {x.name}
                    {x.value ? `：${x.value}` : ''}
                  </Tag>
                ))
              )}
            </div>
          </Card>
          <div className="qs-cards">
            <Card size="small" className="qs-figure">
              <Statistic title={t('trade.ent.v12')} value={fmt.int(m['v12'])} suffix="USD" />
            </Card>
            <Card size="small" className="qs-figure">
              <Statistic title={t('trade.ent.yoy')} value={fmt.pct(m['yoy'])} />
            </Card>
            <Card size="small" className="qs-figure">
              <Statistic title={t('trade.ent.impExp')} value={`${fmt.int(m['imp12'])} / ${fmt.int(m['exp12'])}`} />
            </Card>
            <Card size="small" className="qs-figure">
              <Statistic title={t('trade.ent.items12')} value={fmt.int(m['items12'])} />
              <div className="qs-figure-foot">{t('trade.ent.monthsActive', { n: String(m['months_active12'] ?? '—') })}</div>
            </Card>
            <Card size="small" className="qs-figure">
              <Statistic title={t('trade.ent.topCountry')} value={String(m['top_country_name'] ?? '—')} />
              <div className="qs-figure-foot">
                {fmt.pct(m['top_country_share'])} · HHI {typeof m['hhi_country'] === 'number' ? (m['hhi_country'] as number).toFixed(2) : '—'}
              </div>
            </Card>
          </div>
          <Card size="small" title={t('trade.ent.monthly')} style={{ marginBottom: 16 }}>
            {d.monthly.length ? chart && <Chart option={chart} height={260} testId="profile-chart" /> : <Empty />}
          </Card>
          <div className="qs-grid-2" style={{ marginBottom: 16 }}>
            <TopTable title={t('trade.ent.countries')} rows={d.countries} testId="profile-countries" />
            <TopTable title={t('trade.ent.chapters')} rows={d.chapters} />
          </div>
          <div className="qs-grid-2" style={{ marginBottom: 16 }}>
            <TopTable title={t('trade.ent.modes')} rows={d.tradeModes} />
            <TopTable title={t('trade.ent.districts')} rows={d.districts} />
          </div>
          <Card size="small" title={t('trade.ent.warnings')}>
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={d.warnings}
              columns={[
                { title: t('trade.warn.period'), dataIndex: 'period', width: 90 },
                { title: t('trade.warn.detector'), dataIndex: 'detector', width: 110, render: (v: string) => tk(t, 'trade.det', v) },
                { title: t('trade.warn.severity'), dataIndex: 'severity', width: 80, render: (v: string) => <SeverityTag severity={v} /> },
                { title: t('trade.warn.message'), dataIndex: 'message', render: (v: string, r) => <Link to={`/trade/warnings?id=${r.id}`}>{v}</Link> },
                { title: t('common.status'), dataIndex: 'status', width: 90, render: (v: WarningStatus) => <WarningStatusTag status={v} /> },
              ]}
            />
          </Card>
          <Space style={{ marginTop: 8 }} />
        </>
      )}
    </>
  );
}
