/**
 * Loading (数据加载, trade.load): a JSON batch from the browser (a JSON array or NDJSON file), a file
 * already in the server's inbox (<dataDir>/trade/inbox) loaded as a job with its progress, the list of
 * loads, and the rejects of a load with their reasons and raw rows. Loads are idempotent on the server:
 * the same content again answers "already loaded".
 */
import { CloudUploadOutlined, InboxOutlined, PlayCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Drawer, Form, Input, Progress, Radio, Space, Table, Tag, Typography, Upload } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { trade, TRADE_PATHS, type LoadFileRow, type LoadJob, type LoadResult, type LoadTarget, type Rejects } from '../../api/trade.js';
import { PageHeader, Problem } from '../../components/Page.js';
import { useFetch } from '../../hooks.js';
import { useI18n } from '../../i18n/index.js';
import { errorText } from '../../util.js';
import { tk, useNumber } from './common.js';

/** A JSON array, or one JSON value per line (NDJSON). */
export function parseRecords(text: string): unknown[] {
  const s = text.replace(/^\uFEFF/, '').trim();
  if (!s) return [];
  if (s.startsWith('[')) {
    const v = JSON.parse(s) as unknown;
    if (!Array.isArray(v)) throw new Error('not an array');
    return v;
  }
  return s
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch (e) {
        throw new Error(`line ${i + 1}: ${(e as Error).message}`);
      }
    });
}

function ResultView({ r, onRejects }: { r: LoadResult; onRejects(id: number): void }) {
  const { t } = useI18n();
  const fmt = useNumber();
  return (
    <Descriptions size="small" column={{ xs: 1, md: 3 }} bordered style={{ marginTop: 12 }} data-testid="load-result" data-status={r.status}>
      <Descriptions.Item label={t('common.status')}>
        <Tag color={r.status === 'loaded' ? 'green' : 'default'}>{tk(t, 'trade.load.st', r.status)}</Tag>
        <Typography.Text type="secondary">#{r.fileId}</Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label={t('trade.load.rowsTotal')}>{fmt.int(r.rowsTotal)}</Descriptions.Item>
      <Descriptions.Item label={t('trade.load.rowsLoaded')}>
        <span data-testid="load-loaded">{fmt.int(r.rowsLoaded)}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('trade.load.rowsRejected')}>
        {r.rowsRejected ? (
          <Typography.Link onClick={() => onRejects(r.fileId)} data-testid="load-rejected">
            {fmt.int(r.rowsRejected)}
          </Typography.Link>
        ) : (
          <span data-testid="load-rejected">0</span>
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('trade.load.rowsDuplicate')}>{fmt.int(r.rowsDuplicate)}</Descriptions.Item>
      <Descriptions.Item label={t('trade.load.ms')}>{fmt.int(r.ms)} ms</Descriptions.Item>
      {Object.keys(r.rejectsByReason).length > 0 && (
        <Descriptions.Item label={t('trade.load.reasons')} span={3}>
          {Object.entries(r.rejectsByReason).map(([k, n]) => (
            <Tag key={k} color="red">
              {tk(t, 'trade.reason', k)} × {n}
            </Tag>
          ))}
        </Descriptions.Item>
      )}
    </Descriptions>
  );
}

function RejectsDrawer({ fileId, onClose }: { fileId: number | null; onClose(): void }) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  useEffect(() => setPage(1), [fileId]);
  const r = useFetch<Rejects>(fileId === null ? null : TRADE_PATHS.rejects(fileId), { limit: 50, offset: (page - 1) * 50 });
  return (
    <Drawer open={fileId !== null} width={Math.min(980, window.innerWidth - 48)} onClose={onClose} title={t('trade.load.rejectsOf', { id: fileId ?? '' })} destroyOnHidden data-testid="rejects-drawer">
      <Problem error={r.error} />
      {r.data && (
        <>
          <Space wrap style={{ marginBottom: 12 }}>
            {Object.entries(r.data.byReason).map(([k, n]) => (
              <Tag key={k} color="red" data-testid={`reject-reason-${k}`}>
                {tk(t, 'trade.reason', k)} <Typography.Text code>{k}</Typography.Text> × {n}
              </Tag>
            ))}
          </Space>
          <Table
            size="small"
            rowKey={(x) => `${x.line_no ?? ''}-${x.entry_id ?? ''}-${x.g_no ?? ''}-${x.reason}`}
            loading={r.loading}
            dataSource={r.data.items}
            scroll={{ x: 'max-content' }}
            data-testid="rejects-table"
            pagination={{ current: page, pageSize: 50, total: r.data.total, onChange: setPage, showTotal: (n) => t('common.count', { n }), showSizeChanger: false }}
            expandable={{ expandedRowRender: (x) => <pre className="qs-pre">{prettyRaw(x.raw)}</pre>, rowExpandable: (x) => !!x.raw }}
            columns={[
              { title: t('trade.load.line'), dataIndex: 'line_no', width: 70, render: (v: number | null) => v ?? '—' },
              { title: t('trade.load.entryId'), dataIndex: 'entry_id', render: (v: string | null) => v ?? '—', className: 'qs-mono-cell' },
              { title: t('trade.load.gNo'), dataIndex: 'g_no', width: 60, render: (v: string | null) => v ?? '—' },
              { title: t('trade.load.reason'), dataIndex: 'reason', render: (v: string) => <span data-testid="reject-reason">{tk(t, 'trade.reason', v)}</span> },
              { title: t('trade.load.detail'), dataIndex: 'detail', render: (v: string | null) => v ?? '—' },
            ]}
          />
        </>
      )}
    </Drawer>
  );
}

function prettyRaw(raw: string | null): string {
  if (!raw) return '';
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

export default function Loads() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const fmt = useNumber();
  const loads = useFetch<{ items: LoadFileRow[] }>(TRADE_PATHS.loads, { limit: 200 });
  const [rejectsOf, setRejectsOf] = useState<number | null>(null);

  // a JSON batch from the browser
  const [bTarget, setBTarget] = useState<LoadTarget>('declarations');
  const [batch, setBatch] = useState<{ name: string; records: unknown[] } | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const [bBusy, setBBusy] = useState(false);
  const [bResult, setBResult] = useState<LoadResult | null>(null);

  // an inbox file as a job
  const [fTarget, setFTarget] = useState<LoadTarget>('declarations');
  const [fName, setFName] = useState('');
  const [job, setJob] = useState<LoadJob | null>(null);
  const [fError, setFError] = useState<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const readFile = async (file: File) => {
    setBResult(null);
    try {
      const records = parseRecords(await file.text());
      if (!records.length) throw new Error(t('trade.load.empty'));
      setBatch({ name: file.name, records });
      setParseError(null);
    } catch (e) {
      setBatch(null);
      setParseError((e as Error).message);
    }
  };

  const sendBatch = async () => {
    if (!batch) return;
    setBBusy(true);
    try {
      const r = await trade.loadBatch({ target: bTarget, records: batch.records, name: batch.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200) });
      setBResult(r);
      loads.reload();
      void message.success(tk(t, 'trade.load.st', r.status));
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setBBusy(false);
    }
  };

  const poll = (id: string) => {
    timer.current = setTimeout(() => {
      trade.job(id).then(
        (j) => {
          setJob(j);
          if (j.status === 'running') poll(id);
          else loads.reload();
        },
        (e: unknown) => setFError(e),
      );
    }, 500);
  };

  const startFile = async () => {
    setFError(null);
    setJob(null);
    try {
      const j = await trade.loadFile({ target: fTarget, name: fName.trim(), async: true });
      setJob(j);
      poll(j.id);
    } catch (e) {
      setFError(e);
    }
  };

  const pct = job ? Math.round((job.status === 'done' ? 1 : (job.progress?.fraction ?? 0)) * 100) : 0;

  return (
    <>
      <PageHeader title={t('trade.tab.loads')} extra={<Button icon={<ReloadOutlined />} onClick={loads.reload} aria-label="reload" />} />
      <div className="qs-grid-2" style={{ marginBottom: 16 }}>
        <Card size="small" title={t('trade.load.batch')} data-testid="load-batch">
          <Space direction="vertical" style={{ width: '100%' }}>
            <Radio.Group value={bTarget} onChange={(e) => setBTarget(e.target.value as LoadTarget)} optionType="button">
              <Radio.Button value="declarations">{t('trade.load.declarations')}</Radio.Button>
              <Radio.Button value="enterprises">{t('trade.load.enterprises')}</Radio.Button>
            </Radio.Group>
            <Upload.Dragger accept=".json,.ndjson,application/json" multiple={false} showUploadList={false} beforeUpload={(f) => {
                void readFile(f);
                return false; // read here and sent as a batch, never uploaded by antd itself
              }} data-testid="load-file-input">
              <p className="ant-upload-drag-icon">
                <InboxOutlined />
              </p>
              <p className="ant-upload-text">{t('trade.load.drop')}</p>
              <p className="ant-upload-hint">{t('trade.load.dropHint')}</p>
            </Upload.Dragger>
            {parseError && <Alert type="error" showIcon message={t('trade.load.parseError', { message: parseError })} />}
            {batch && (
              <Typography.Text data-testid="load-batch-ready">
                {t('trade.load.ready', { name: batch.name, n: fmt.int(batch.records.length) })}
              </Typography.Text>
            )}
            <Button type="primary" icon={<CloudUploadOutlined />} disabled={!batch} loading={bBusy} onClick={() => void sendBatch()} data-testid="load-batch-send">
              {t('trade.load.send')}
            </Button>
            {bResult && <ResultView r={bResult} onRejects={setRejectsOf} />}
          </Space>
        </Card>
        <Card size="small" title={t('trade.load.inbox')} data-testid="load-inbox">
          <Form layout="vertical">
            <Form.Item label={t('trade.load.target')}>
              <Radio.Group value={fTarget} onChange={(e) => setFTarget(e.target.value as LoadTarget)} optionType="button">
                <Radio.Button value="declarations">{t('trade.load.declarations')}</Radio.Button>
                <Radio.Button value="enterprises">{t('trade.load.enterprises')}</Radio.Button>
              </Radio.Group>
            </Form.Item>
            <Form.Item label={t('trade.load.fileName')} extra={t('trade.load.fileHint')}>
              <Input value={fName} onChange={(e) => setFName(e.target.value)} placeholder="decl-2025-01.csv" data-testid="load-inbox-name" />
            </Form.Item>
            <Button type="primary" icon={<PlayCircleOutlined />} disabled={!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(fName.trim()) || job?.status === 'running'} onClick={() => void startFile()} data-testid="load-inbox-start">
              {t('trade.load.start')}
            </Button>
          </Form>
          {fError ? <Alert type="error" showIcon style={{ marginTop: 12 }} message={errorText(t, fError)} /> : null}
          {job && (
            <div style={{ marginTop: 12 }} data-testid="load-job" data-status={job.status}>
              <Progress percent={pct} status={job.status === 'failed' ? 'exception' : job.status === 'done' ? 'success' : 'active'} />
              <Typography.Text type="secondary">
                {job.progress ? `${tk(t, 'trade.load.phase', job.progress.phase)} · ${job.progress.message}` : t('trade.load.queued')}
              </Typography.Text>
              {job.error && <Alert type="error" showIcon style={{ marginTop: 8 }} message={`${job.error.message} [${job.error.code}]`} />}
              {job.result && <ResultView r={job.result} onRejects={setRejectsOf} />}
            </div>
          )}
        </Card>
      </div>
      <Problem error={loads.error} />
      <Card size="small" title={t('trade.load.history')}>
        <Table<LoadFileRow>
          size="small"
          rowKey="id"
          loading={loads.loading && !loads.data}
          dataSource={loads.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          data-testid="loads-table"
          columns={[
            { title: '#', dataIndex: 'id', width: 60 },
            { title: t('trade.load.fileName'), dataIndex: 'name' },
            { title: t('trade.load.kind'), dataIndex: 'kind', width: 70 },
            { title: t('trade.load.target'), dataIndex: 'target', width: 100, render: (v: string) => tk(t, 'trade.load', v), filters: ['declarations', 'enterprises'].map((v) => ({ text: tk(t, 'trade.load', v), value: v })), onFilter: (v, r) => r.target === v },
            { title: t('trade.load.rowsTotal'), dataIndex: 'rows_total', align: 'right', render: (v: number) => fmt.int(v) },
            { title: t('trade.load.rowsLoaded'), dataIndex: 'rows_loaded', align: 'right', render: (v: number) => fmt.int(v) },
            {
              title: t('trade.load.rowsRejected'),
              dataIndex: 'rows_rejected',
              align: 'right',
              sorter: (a, b) => a.rows_rejected - b.rows_rejected,
              render: (v: number, r) =>
                v ? (
                  <Typography.Link type="danger" onClick={() => setRejectsOf(r.id)} data-testid={`load-rejects-${r.id}`}>
                    {fmt.int(v)}
                  </Typography.Link>
                ) : (
                  '0'
                ),
            },
            { title: t('trade.load.rowsDuplicate'), dataIndex: 'rows_duplicate', align: 'right', render: (v: number) => fmt.int(v) },
            { title: t('trade.load.loadedAt'), dataIndex: 'loaded_at', render: (v: string) => v.slice(0, 19).replace('T', ' ') },
            { title: t('trade.load.ms'), dataIndex: 'ms', align: 'right', render: (v: number) => `${fmt.int(v)} ms` },
          ]}
        />
      </Card>
      <RejectsDrawer fileId={rejectsOf} onClose={() => setRejectsOf(null)} />
    </>
  );
}
