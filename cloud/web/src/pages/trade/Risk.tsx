/**
 * Risk rules (风险规则): the rule-set versions (draft → tested → active → retired, cloud/trade/risk/),
 * a version's rules, thresholds, random selection and lists, its back-test (lanes, hits and hit rate
 * per rule, precision and recall against known findings); creating a new version in a structured or a
 * JSON editor with the server's validation errors shown per field; back-test and activation
 * (trade.manage); and evaluating one declaration with the active (or a chosen) version.
 */
import { ExperimentOutlined, PlusOutlined, ReloadOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Descriptions, Drawer, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api, ApiError } from '../../api/client.js';
import { problems, trade, TRADE_PATHS, type Backtest, type Decision, type EnterpriseRow, type RuleSet, type RuleSetBody } from '../../api/trade.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useFetch } from '../../hooks.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText } from '../../util.js';
import { LaneTag, tk, useMeta, useNumber } from './common.js';

const STATUS_COLOURS: Record<RuleSet['status'], string> = { draft: 'default', tested: 'blue', active: 'green', retired: 'default' };

function RsStatus({ status }: { status: RuleSet['status'] }) {
  const { t } = useI18n();
  return (
    <Tag color={STATUS_COLOURS[status]} data-testid="ruleset-status" data-status={status}>
      {tk(t, 'trade.rs', status)}
    </Tag>
  );
}

/** A condition as one line (the server explains hits the same way). */
function describe(c: unknown): string {
  if (!c || typeof c !== 'object') return String(c);
  const o = c as Record<string, unknown>;
  if (Array.isArray(o['all'])) return `(${(o['all'] as unknown[]).map(describe).join(' AND ')})`;
  if (Array.isArray(o['any'])) return `(${(o['any'] as unknown[]).map(describe).join(' OR ')})`;
  if (o['not']) return `NOT ${describe(o['not'])}`;
  switch (o['op']) {
    case 'eq':
      return `${String(o['field'])} = ${JSON.stringify(o['value'])}`;
    case 'in':
      return `${String(o['field'])} ∈ [${(o['values'] as unknown[]).join(', ')}]`;
    case 'range':
      return `${String(o['field'])} ∈ [${String(o['min'] ?? '−∞')}, ${String(o['max'] ?? '∞')}]`;
    case 'regex':
      return `${String(o['field'])} ~ /${String(o['pattern'])}/`;
    case 'ref-list':
      return `${String(o['field'])} ∈ list:${String(o['list'])}`;
    case 'price-anomaly':
      return `price |z| ≥ ${String(o['minZ'])}${o['direction'] ? ` (${String(o['direction'])})` : ''}`;
    case 'history-count':
      return `history(${String(o['of'])}, ${String(o['windowDays'])}d) ∈ [${String(o['min'] ?? 0)}, ${String(o['max'] ?? '∞')}]`;
    default:
      return JSON.stringify(c);
  }
}

function BacktestView({ bt, rs }: { bt: Backtest; rs?: RuleSetBody }) {
  const { t } = useI18n();
  const fmt = useNumber();
  const selected = bt.lanes.red + bt.lanes.yellow;
  return (
    <div data-testid="backtest-result">
      <Descriptions size="small" column={{ xs: 1, md: 3 }} bordered style={{ marginBottom: 12 }}>
        <Descriptions.Item label={t('trade.risk.period')}>
          {bt.period.from} – {bt.period.to}
        </Descriptions.Item>
        <Descriptions.Item label={t('trade.risk.declarations')}>
          <span data-testid="backtest-declarations">{fmt.int(bt.declarations)}</span>
          {bt.sampled ? ` (${t('trade.risk.sampled')})` : ''}
        </Descriptions.Item>
        <Descriptions.Item label={t('trade.risk.items')}>{fmt.int(bt.items)}</Descriptions.Item>
        <Descriptions.Item label={t('trade.risk.lanes')}>
          <Space size={4}>
            <Tag color="red">{`${tk(t, 'trade.lane', 'red')} ${bt.lanes.red}`}</Tag>
            <Tag color="gold">{`${tk(t, 'trade.lane', 'yellow')} ${bt.lanes.yellow}`}</Tag>
            <Tag color="green">{`${tk(t, 'trade.lane', 'green')} ${bt.lanes.green}`}</Tag>
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('trade.risk.selectedRate')}>
          <span data-testid="backtest-selected-rate">{bt.declarations ? fmt.pct(selected / bt.declarations, 2) : '—'}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('trade.risk.random')}>{fmt.int(bt.randomSelected)}</Descriptions.Item>
        {bt.findings && (
          <Descriptions.Item label={t('trade.risk.recall')} span={3}>
            {t('trade.risk.recallText', { selected: bt.findings.selected, known: bt.findings.known, recall: fmt.pct(bt.findings.recall) })}
          </Descriptions.Item>
        )}
      </Descriptions>
      <Table
        size="small"
        rowKey="ruleId"
        pagination={false}
        dataSource={bt.rules}
        data-testid="backtest-rules"
        columns={[
          { title: t('trade.risk.rule'), dataIndex: 'ruleId', width: 80 },
          { title: t('trade.risk.ruleName'), dataIndex: 'name' },
          { title: t('trade.risk.weight'), key: 'w', align: 'right', width: 70, render: (_, r) => rs?.rules.find((x) => x.id === r.ruleId)?.weight ?? '—' },
          { title: t('trade.risk.hits'), dataIndex: 'hits', align: 'right', width: 80, render: (v: number) => fmt.int(v), sorter: (a, b) => a.hits - b.hits },
          {
            title: t('trade.risk.hitRate'),
            dataIndex: 'hitRate',
            align: 'right',
            width: 100,
            sorter: (a, b) => a.hitRate - b.hitRate,
            render: (v: number, r) => (
              <span data-testid={`hitrate-${r.ruleId}`} data-value={v}>
                {fmt.pct(v, 2)}
              </span>
            ),
          },
          ...(bt.findings
            ? [
                { title: t('trade.risk.findingHits'), dataIndex: 'findings', align: 'right' as const, width: 90, render: (v: number | null) => v ?? '—' },
                { title: t('trade.risk.precision'), dataIndex: 'precision', align: 'right' as const, width: 90, render: (v: number | null) => fmt.pct(v) },
              ]
            : []),
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t('trade.queryMs', { ms: bt.ms })}
      </Typography.Paragraph>
    </div>
  );
}

function VersionView({ rs }: { rs: RuleSet }) {
  const { t } = useI18n();
  const b = rs.body;
  return (
    <Tabs
      defaultActiveKey={rs.backtest ? 'backtest' : 'rules'}
      items={[
        {
          key: 'rules',
          label: t('trade.risk.rules'),
          children: (
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={b.rules}
              scroll={{ x: 'max-content' }}
              columns={[
                { title: t('trade.risk.rule'), dataIndex: 'id', width: 70 },
                { title: t('trade.risk.ruleName'), dataIndex: 'name' },
                { title: t('trade.risk.weight'), dataIndex: 'weight', align: 'right', width: 70 },
                { title: t('trade.risk.forced'), dataIndex: 'lane', width: 80, render: (l: 'red' | 'yellow' | undefined) => (l ? <LaneTag lane={l} /> : '—') },
                { title: t('trade.risk.enabled'), dataIndex: 'enabled', width: 70, render: (v: boolean | undefined) => (v === false ? t('common.no') : t('common.yes')) },
                { title: t('trade.risk.condition'), dataIndex: 'when', render: (w: unknown) => <Typography.Text code>{describe(w)}</Typography.Text> },
              ]}
            />
          ),
        },
        {
          key: 'params',
          label: t('trade.risk.params'),
          children: (
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t('trade.risk.thresholds')}>{`${tk(t, 'trade.lane', 'red')} ≥ ${b.thresholds.red} · ${tk(t, 'trade.lane', 'yellow')} ≥ ${b.thresholds.yellow}`}</Descriptions.Item>
              <Descriptions.Item label={t('trade.risk.randomRates')}>{`${tk(t, 'trade.lane', 'red')} ${(b.random.red * 100).toFixed(2)}% · ${tk(t, 'trade.lane', 'yellow')} ${(b.random.yellow * 100).toFixed(2)}% · seed ${b.random.seed}`}</Descriptions.Item>
              {Object.entries(b.lists).map(([k, v]) => (
                <Descriptions.Item key={k} label={`${t('trade.risk.list')} ${k}`}>
                  {v.length ? v.join(', ') : '—'}
                </Descriptions.Item>
              ))}
            </Descriptions>
          ),
        },
        { key: 'backtest', label: t('trade.risk.backtest'), children: rs.backtest ? <BacktestView bt={rs.backtest} rs={b} /> : <Typography.Text type="secondary">{t('trade.risk.noBacktest')}</Typography.Text> },
        { key: 'json', label: 'JSON', children: <pre className="qs-pre" style={{ maxHeight: 520 }}>{JSON.stringify(b, null, 2)}</pre> },
      ]}
    />
  );
}

/** Client-side checks before sending (the server validates everything again and has the last word). */
function localProblems(text: string, t: ReturnType<typeof useI18n>['t']): { body: RuleSetBody | null; errors: string[] } {
  let body: RuleSetBody;
  try {
    body = JSON.parse(text) as RuleSetBody;
  } catch (e) {
    return { body: null, errors: [t('trade.risk.jsonError', { message: (e as Error).message })] };
  }
  const errors: string[] = [];
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { body: null, errors: [t('trade.risk.notObject')] };
  if (typeof body.id !== 'string' || !/^[a-z0-9_-]{1,40}$/.test(body.id)) errors.push(`id: ${t('trade.risk.idRule')}`);
  if (body.thresholds && !(body.thresholds.red > body.thresholds.yellow)) errors.push(`thresholds: ${t('trade.risk.thresholdRule')}`);
  if (body.random && body.random.red + body.random.yellow > 1) errors.push(`random: ${t('trade.risk.randomRule')}`);
  if (!Array.isArray(body.rules) || !body.rules.length) errors.push(`rules: ${t('trade.risk.rulesRule')}`);
  else {
    const seen = new Set<string>();
    body.rules.forEach((r, i) => {
      if (seen.has(r.id)) errors.push(`rules.${i}.id: ${t('trade.risk.dupRule', { id: r.id })}`);
      seen.add(r.id);
    });
  }
  return { body, errors };
}

function Editor({ base, onClose, onCreated }: { base: RuleSetBody | null; onClose(): void; onCreated(rs: RuleSet): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [text, setText] = useState('');
  const [serverErrors, setServerErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [tab, setTab] = useState('form');
  useEffect(() => {
    setText(base ? JSON.stringify(base, null, 2) : '');
    setServerErrors([]);
    setTab('form');
  }, [base]);
  const { body, errors } = useMemo(() => localProblems(text, t), [text, t]);
  const update = (fn: (b: RuleSetBody) => void) => {
    if (!body) return;
    const copy = JSON.parse(JSON.stringify(body)) as RuleSetBody;
    fn(copy);
    setText(JSON.stringify(copy, null, 2));
  };
  const save = async () => {
    if (!body) return;
    setBusy(true);
    try {
      const rs = await trade.createRuleset(body);
      void message.success(t('trade.risk.created', { id: rs.id, version: rs.version }));
      onCreated(rs);
    } catch (e) {
      const list = problems(e);
      setServerErrors(list.length ? list : [errorText(t, e)]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={base !== null}
      width={1040}
      title={t('trade.risk.newVersion')}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('trade.risk.saveDraft')}
      okButtonProps={{ disabled: !body, 'data-testid': 'ruleset-save' }}
      confirmLoading={busy}
      destroyOnHidden
    >
      {(errors.length > 0 || serverErrors.length > 0) && (
        <Alert
          type={serverErrors.length ? 'error' : 'warning'}
          showIcon
          style={{ marginBottom: 12 }}
          message={serverErrors.length ? t('trade.risk.serverRefused') : t('trade.risk.checkFirst')}
          description={
            <ul style={{ margin: 0, paddingLeft: 18 }} data-testid="ruleset-errors">
              {[...serverErrors, ...errors].map((e, i) => (
                <li key={i}>{e}</li>
              ))}
            </ul>
          }
        />
      )}
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: 'form',
            label: t('trade.risk.structured'),
            children: !body ? (
              <Typography.Text type="warning">{t('trade.risk.fixJson')}</Typography.Text>
            ) : (
              <>
                <div className="qs-form-row">
                  <Form.Item label="ID" layout="vertical">
                    <Input value={body.id} onChange={(e) => update((b) => void (b.id = e.target.value))} data-testid="ruleset-id" />
                  </Form.Item>
                  <Form.Item label={t('trade.risk.name')} layout="vertical">
                    <Input value={body.name} onChange={(e) => update((b) => void (b.name = e.target.value))} data-testid="ruleset-name" />
                  </Form.Item>
                  <Form.Item label={`${t('trade.risk.thresholds')} (${tk(t, 'trade.lane', 'red')} / ${tk(t, 'trade.lane', 'yellow')})`} layout="vertical">
                    <Space.Compact>
                      <InputNumber value={body.thresholds?.red} onChange={(v) => update((b) => void (b.thresholds.red = v ?? 0))} data-testid="ruleset-red" />
                      <InputNumber value={body.thresholds?.yellow} onChange={(v) => update((b) => void (b.thresholds.yellow = v ?? 0))} data-testid="ruleset-yellow" />
                    </Space.Compact>
                  </Form.Item>
                  <Form.Item label={`${t('trade.risk.randomRates')} (%)`} layout="vertical">
                    <Space.Compact>
                      <InputNumber style={{ width: 72 }} min={0} max={100} step={0.1} value={(body.random?.red ?? 0) * 100} onChange={(v) => update((b) => void (b.random.red = (v ?? 0) / 100))} />
                      <InputNumber style={{ width: 72 }} min={0} max={100} step={0.1} value={(body.random?.yellow ?? 0) * 100} onChange={(v) => update((b) => void (b.random.yellow = (v ?? 0) / 100))} />
                      <Input style={{ width: 96 }} value={body.random?.seed} onChange={(e) => update((b) => void (b.random.seed = e.target.value))} placeholder="seed" />
                    </Space.Compact>
                  </Form.Item>
                </div>
                <Table
                  size="small"
                  rowKey={(_, i) => String(i)}
                  pagination={false}
                  dataSource={body.rules ?? []}
                  scroll={{ x: 'max-content', y: 320 }}
                  data-testid="ruleset-rules-editor"
                  columns={[
                    { title: t('trade.risk.rule'), dataIndex: 'id', width: 70 },
                    {
                      title: t('trade.risk.ruleName'),
                      key: 'name',
                      width: 220,
                      render: (_, r, i) => <Input size="small" value={r.name} onChange={(e) => update((b) => void (b.rules[i]!.name = e.target.value))} />,
                    },
                    {
                      title: t('trade.risk.weight'),
                      key: 'weight',
                      width: 100,
                      render: (_, r, i) => <InputNumber size="small" min={-1000} max={1000} value={r.weight} onChange={(v) => update((b) => void (b.rules[i]!.weight = v ?? 0))} data-testid={`rule-weight-${r.id}`} />,
                    },
                    {
                      title: t('trade.risk.forced'),
                      key: 'lane',
                      width: 130,
                      render: (_, r, i) => (
                        <Select
                          size="small"
                          allowClear
                          style={{ width: 116 }}
                          value={r.lane}
                          onChange={(v: 'red' | 'yellow' | undefined) =>
                            update((b) => {
                              if (v) b.rules[i]!.lane = v;
                              else delete b.rules[i]!.lane;
                            })
                          }
                          options={(['red', 'yellow'] as const).map((l) => ({ value: l, label: tk(t, 'trade.lane', l) }))}
                        />
                      ),
                    },
                    {
                      title: t('trade.risk.enabled'),
                      key: 'enabled',
                      width: 70,
                      render: (_, r, i) => <Switch size="small" checked={r.enabled !== false} onChange={(v) => update((b) => void (b.rules[i]!.enabled = v))} />,
                    },
                    { title: t('trade.risk.condition'), dataIndex: 'when', render: (w: unknown) => <Typography.Text code>{describe(w)}</Typography.Text> },
                    {
                      title: '',
                      key: 'del',
                      width: 50,
                      render: (_, _r, i) => (
                        <Button size="small" type="link" danger onClick={() => update((b) => void b.rules.splice(i, 1))}>
                          ✕
                        </Button>
                      ),
                    },
                  ]}
                />
                <Typography.Title level={5} style={{ marginTop: 12 }}>
                  {t('trade.risk.lists')}
                </Typography.Title>
                {Object.entries(body.lists ?? {}).map(([k, v]) => (
                  <Form.Item key={k} label={k} layout="vertical" style={{ marginBottom: 8 }}>
                    <Select mode="tags" value={v} tokenSeparators={[',', ' ', '，']} onChange={(vals: string[]) => update((b) => void (b.lists[k] = vals))} data-testid={`ruleset-list-${k}`} />
                  </Form.Item>
                ))}
                <Typography.Paragraph type="secondary">{t('trade.risk.conditionsInJson')}</Typography.Paragraph>
              </>
            ),
          },
          {
            key: 'json',
            label: 'JSON',
            children: <Input.TextArea value={text} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 18, maxRows: 30 }} spellCheck={false} style={{ fontFamily: 'monospace', fontSize: 12 }} data-testid="ruleset-json" />,
          },
        ]}
      />
    </Modal>
  );
}

function BacktestModal({ target, onClose, onDone }: { target: RuleSet | null; onClose(): void; onDone(rs: RuleSet): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { meta } = useMeta();
  const end = meta?.range ? lastDay(meta.range.to) : '';
  const start = meta?.range ? `${shiftMonth(meta.range.to, -2)}-01` : '';
  const [from, setFrom] = useState(start);
  const [to, setTo] = useState(end);
  const [findings, setFindings] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setFrom(start);
    setTo(end);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [target, meta]);
  const ids = findings.split(/[\s,，;]+/).filter(Boolean);
  const badIds = ids.filter((x) => !/^\d{4}(19|20)\d{2}[01IE]\d{9}$/.test(x));
  const go = async () => {
    if (!target) return;
    setBusy(true);
    try {
      await trade.backtest(target.id, target.version, { from, to, ...(ids.length ? { findings: ids } : {}) });
      onDone(await trade.ruleset(target.id, target.version));
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={!!target}
      title={target ? t('trade.risk.backtestOf', { id: target.id, version: target.version }) : ''}
      onCancel={onClose}
      onOk={() => void go()}
      okText={t('trade.risk.runBacktest')}
      okButtonProps={{ disabled: !from || !to || from > to || badIds.length > 0, 'data-testid': 'backtest-ok' }}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form layout="vertical">
        <Form.Item label={t('trade.risk.period')}>
          <Space.Compact>
            <Input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="backtest-from" />
            <Input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="backtest-to" />
          </Space.Compact>
        </Form.Item>
        <Form.Item label={t('trade.risk.findings')} extra={t('trade.risk.findingsHint')} validateStatus={badIds.length ? 'error' : undefined} help={badIds.length ? t('trade.risk.badIds', { ids: badIds.slice(0, 3).join(', ') }) : undefined}>
          <Input.TextArea rows={4} value={findings} onChange={(e) => setFindings(e.target.value)} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function shiftMonth(ym: string, by: number): string {
  const idx = Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1 + by;
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`;
}
function lastDay(ym: string): string {
  const d = new Date(Date.UTC(Number(ym.slice(0, 4)), Number(ym.slice(5, 7)), 0));
  return d.toISOString().slice(0, 10);
}

function Evaluate({ sets }: { sets: RuleSet[] }) {
  const { t } = useI18n();
  const { meta } = useMeta();
  const fmt = useNumber();
  const ids = [...new Set(sets.map((s) => s.id))];
  const [rulesetId, setRulesetId] = useState<string>('default');
  const [version, setVersion] = useState<number | undefined>();
  const [record, setRecord] = useState(false);
  const [text, setText] = useState('');
  const [out, setOut] = useState<Decision | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [entOptions, setEntOptions] = useState<EnterpriseRow[]>([]);
  const day = meta?.range ? lastDay(meta.range.to) : '2025-12-31';
  useEffect(() => {
    if (text) return;
    setText(
      JSON.stringify(
        {
          entry_id: `2248${day.slice(0, 4)}1000000001`,
          ie_flag: 'I',
          d_date: day,
          customs_code: '2248',
          i_e_port: '2248',
          trade_mode: '0110',
          traf_mode: '2',
          trade_co_customs: '3122940001',
          trade_co_uscc: '91310115MA1K4QWE5X',
          trade_country: 'HKG',
          items: [{ g_no: 1, hs_code: '2402200000', origin_country: 'USA', dest_country: 'CHN', qty1: 1000, unit1: '007', value_cny: 71000, value_usd: 10000 }],
        },
        null,
        2,
      ),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [day]);
  const searchEnt = (q: string) => {
    if (q.length < 2) return;
    api.get<{ items: EnterpriseRow[] }>(TRADE_PATHS.enterprises, { q, limit: 20 }).then(
      (j) => setEntOptions(j.items),
      () => setEntOptions([]),
    );
  };
  const pickEnt = (uscc: string) => {
    const e = entOptions.find((x) => x.uscc === uscc);
    if (!e) return;
    try {
      const d = JSON.parse(text) as Record<string, unknown>;
      d['trade_co_uscc'] = e.uscc;
      d['trade_co_customs'] = e.customs_code;
      setText(JSON.stringify(d, null, 2));
    } catch {
      /* the JSON is being edited; leave it */
    }
  };
  let parsed: unknown = null;
  let jsonError: string | null = null;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    jsonError = (e as Error).message;
  }
  const go = async () => {
    setBusy(true);
    try {
      setOut(await trade.evaluate({ declaration: parsed, rulesetId, ...(version ? { version } : {}), record }));
      setErr(null);
    } catch (e) {
      setOut(null);
      setErr(e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e)));
    } finally {
      setBusy(false);
    }
  };
  const versions = sets.filter((s) => s.id === rulesetId);
  return (
    <Card size="small" title={t('trade.risk.evaluate')} data-testid="risk-evaluate">
      <div className="qs-grid-2">
        <div>
          <Space wrap style={{ marginBottom: 8 }}>
            <Select value={rulesetId} onChange={setRulesetId} options={ids.map((i) => ({ value: i, label: i }))} style={{ width: 140 }} />
            <Select
              allowClear
              placeholder={t('trade.risk.activeVersion')}
              value={version}
              onChange={setVersion}
              style={{ width: 170 }}
              options={versions.map((s) => ({ value: s.version, label: `v${s.version} · ${tk(t, 'trade.rs', s.status)}` }))}
            />
            <Checkbox checked={record} onChange={(e) => setRecord(e.target.checked)}>
              {t('trade.risk.record')}
            </Checkbox>
          </Space>
          <Select
            showSearch
            allowClear
            filterOption={false}
            onSearch={searchEnt}
            onChange={(v: string | undefined) => v && pickEnt(v)}
            placeholder={t('trade.risk.pickEnterprise')}
            options={entOptions.map((e) => ({ value: e.uscc, label: `${e.name} (${e.uscc})` }))}
            style={{ width: '100%', marginBottom: 8 }}
          />
          <Input.TextArea value={text} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 14, maxRows: 24 }} spellCheck={false} style={{ fontFamily: 'monospace', fontSize: 12 }} status={jsonError ? 'error' : undefined} data-testid="evaluate-json" />
          {jsonError && <Typography.Text type="danger">{t('trade.risk.jsonError', { message: jsonError })}</Typography.Text>}
          <div style={{ marginTop: 8 }}>
            <Button type="primary" icon={<ThunderboltOutlined />} disabled={!!jsonError} loading={busy} onClick={() => void go()} data-testid="evaluate-run">
              {t('trade.risk.evaluateRun')}
            </Button>
          </div>
        </div>
        <div>
          {err && (
            <Alert
              type="error"
              showIcon
              message={errorText(t, err)}
              description={
                problems(err).length > 1 ? (
                  <ul style={{ margin: 0, paddingLeft: 18 }}>
                    {problems(err).map((p, i) => (
                      <li key={i}>{p}</li>
                    ))}
                  </ul>
                ) : undefined
              }
            />
          )}
          {out && (
            <div data-testid="evaluate-result">
              <Descriptions size="small" column={2} bordered style={{ marginBottom: 12 }}>
                <Descriptions.Item label={t('trade.risk.lane')}>
                  <LaneTag lane={out.lane} />
                </Descriptions.Item>
                <Descriptions.Item label={t('trade.risk.score')}>{fmt.dec(out.score, 0)}</Descriptions.Item>
                <Descriptions.Item label={t('trade.risk.byRules')}>
                  <LaneTag lane={out.byRules} />
                </Descriptions.Item>
                <Descriptions.Item label={t('trade.risk.draw')}>
                  {out.random.draw.toFixed(6)}
                  {out.random.selected ? ` → ${tk(t, 'trade.lane', out.random.selected)}` : ''}
                </Descriptions.Item>
                <Descriptions.Item label={t('trade.risk.version')} span={2}>
                  {out.rulesetId} v{out.version}
                </Descriptions.Item>
              </Descriptions>
              <Table
                size="small"
                rowKey="ruleId"
                pagination={false}
                dataSource={out.hits}
                locale={{ emptyText: t('trade.risk.noHits') }}
                columns={[
                  { title: t('trade.risk.rule'), dataIndex: 'ruleId', width: 70 },
                  { title: t('trade.risk.ruleName'), dataIndex: 'name' },
                  { title: t('trade.risk.weight'), dataIndex: 'weight', align: 'right', width: 60 },
                  { title: t('trade.risk.because'), dataIndex: 'because', render: (b: string[]) => b.join('; ') },
                ]}
              />
              <pre className="qs-pre" style={{ marginTop: 8 }}>
                {out.explanation}
              </pre>
            </div>
          )}
        </div>
      </div>
    </Card>
  );
}

export default function Risk() {
  const { t } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const fmt = useNumber();
  const manage = can('trade.manage');
  const list = useFetch<{ items: RuleSet[] }>(TRADE_PATHS.rulesets);
  const [viewing, setViewing] = useState<RuleSet | null>(null);
  const [editing, setEditing] = useState<RuleSetBody | null>(null);
  const [testing, setTesting] = useState<RuleSet | null>(null);
  const sets = list.data?.items ?? [];

  const activate = async (rs: RuleSet) => {
    try {
      const x = await trade.activate(rs.id, rs.version);
      void message.success(t('trade.risk.activated', { id: x.id, version: x.version }));
      list.reload();
      if (viewing?.id === x.id && viewing.version === x.version) setViewing(x);
    } catch (e) {
      void message.error(errorText(t, e));
    }
  };

  return (
    <>
      <PageHeader
        title={t('trade.tab.risk')}
        extra={
          <Space>
            {manage && (
              <Button type="primary" icon={<PlusOutlined />} disabled={!sets.length} onClick={() => setEditing(sets[0]?.body ?? null)} data-testid="ruleset-new">
                {t('trade.risk.newVersion')}
              </Button>
            )}
            <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label="reload" />
          </Space>
        }
      />
      <Problem error={list.error} />
      <Card size="small" title={t('trade.risk.versions')} style={{ marginBottom: 16 }}>
        <Table<RuleSet>
          size="small"
          rowKey={(r) => `${r.id}/${r.version}`}
          loading={list.loading && !list.data}
          dataSource={sets}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          className="qs-table-nowrap"
          data-testid="rulesets-table"
          columns={[
            { title: 'ID', dataIndex: 'id', width: 100 },
            { title: t('trade.risk.version'), dataIndex: 'version', width: 60, render: (v: number) => `v${v}` },
            { title: t('trade.risk.name'), key: 'name', render: (_, r) => r.body.name },
            { title: t('common.status'), dataIndex: 'status', width: 80, render: (s: RuleSet['status']) => <RsStatus status={s} /> },
            { title: t('trade.risk.rulesCount'), key: 'n', width: 70, align: 'right', render: (_, r) => r.body.rules.length },
            { title: t('trade.risk.author'), dataIndex: 'author', width: 100 },
            { title: t('common.created'), dataIndex: 'createdAt', width: 150, render: (v: string) => v.slice(0, 16).replace('T', ' ') },
            {
              title: t('trade.risk.backtest'),
              key: 'bt',
              width: 190,
              render: (_, r) =>
                r.backtest ? (
                  <span>
                    {t('trade.risk.btSummary', { n: fmt.int(r.backtest.declarations), rate: r.backtest.declarations ? fmt.pct((r.backtest.lanes.red + r.backtest.lanes.yellow) / r.backtest.declarations, 1) : '—' })}
                  </span>
                ) : (
                  '—'
                ),
            },
            { title: t('trade.risk.activatedBy'), key: 'act', width: 150, render: (_, r) => (r.activatedAt ? `${r.activatedBy ?? ''} · ${r.activatedAt.slice(0, 10)}` : '—') },
            {
              title: t('common.actions'),
              key: 'actions',
              width: manage ? 270 : 80,
              render: (_, r) => (
                <Space size={4} wrap>
                  <Button size="small" onClick={() => setViewing(r)} data-testid={`ruleset-view-${r.id}-${r.version}`}>
                    {t('trade.risk.view')}
                  </Button>
                  {manage && (
                    <Button size="small" icon={<ExperimentOutlined />} onClick={() => setTesting(r)} data-testid={`ruleset-backtest-${r.id}-${r.version}`}>
                      {t('trade.risk.backtest')}
                    </Button>
                  )}
                  {manage && r.status !== 'active' && (
                    <Popconfirm title={t('trade.risk.activateConfirm', { id: r.id, version: r.version })} onConfirm={() => void activate(r)} okButtonProps={{ 'data-testid': 'activate-confirm' }}>
                      <Button size="small" type="primary" ghost disabled={!r.backtest} data-testid={`ruleset-activate-${r.id}-${r.version}`} title={!r.backtest ? t('trade.risk.needBacktest') : undefined}>
                        {t('trade.risk.activate')}
                      </Button>
                    </Popconfirm>
                  )}
                  {manage && (
                    <Button size="small" type="link" onClick={() => setEditing(r.body)}>
                      {t('trade.risk.copy')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Evaluate sets={sets} />
      <Drawer
        open={!!viewing}
        width={Math.min(980, window.innerWidth - 48)}
        onClose={() => setViewing(null)}
        title={viewing ? `${viewing.body.name} · ${viewing.id} v${viewing.version}` : ''}
        extra={viewing && <RsStatus status={viewing.status} />}
        destroyOnHidden
        data-testid="ruleset-drawer"
      >
        {viewing && <VersionView key={`${viewing.id}/${viewing.version}/${viewing.testedAt ?? ''}`} rs={viewing} />}
      </Drawer>
      <Editor
        base={editing}
        onClose={() => setEditing(null)}
        onCreated={(rs) => {
          setEditing(null);
          list.reload();
          setViewing(rs);
        }}
      />
      <BacktestModal
        target={testing}
        onClose={() => setTesting(null)}
        onDone={(rs) => {
          setTesting(null);
          list.reload();
          setViewing(rs);
        }}
      />
    </>
  );
}
