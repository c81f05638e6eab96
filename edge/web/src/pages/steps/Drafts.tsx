/** Six draft marks: live gauge values with their spread, capture of an average over N s, manual override with a reason. */
import { useEffect, useState } from 'react';
import { sendJson, sendOrQueue, sessionUrl, type SessionView } from '../../api.js';
import { useI18n, type TKey } from '../../i18n.js';
import { ErrorBox, fmt, Section, SourceTag, useApp } from '../../ui.js';
import type { StepProps } from '../Wizard.js';
import { DevicePicker, LiveError, point, useAction, useCountdown, useLive, WindowPicker } from './common.js';

const MARKS = ['fwd_port', 'fwd_stbd', 'mid_port', 'mid_stbd', 'aft_port', 'aft_stbd'] as const;

export function DraftsStep({ session, setSession, instruments, pending, locked }: StepProps) {
  const { t } = useI18n();
  const app = useApp();
  const [device, setDevice] = useState(() => session.data.drafts.fwd_port?.device ?? instruments.find((i) => i.kind === 'draft-gauge')?.id ?? '');
  const [windowS, setWindowS] = useState(10);
  const { live, error: liveError } = useLive(device, windowS);
  const action = useAction();
  const countdown = useCountdown();
  const [editing, setEditing] = useState<string | undefined>();

  useEffect(() => {
    if (!device) setDevice(instruments.find((i) => i.kind === 'draft-gauge')?.id ?? '');
  }, [instruments, device]);

  const pendingDraft = (m: string) => {
    const p = [...pending].reverse().find((x) => x.method === 'PUT' && x.url.endsWith(`/drafts/${m}`) && typeof x.body === 'string');
    return p ? (JSON.parse(p.body as string) as { value_m: number; reason: string }) : undefined;
  };

  const capture = () =>
    action.run(async () => {
      const operator = app.requireOperator();
      if (!operator) return;
      countdown.start(windowS);
      try {
        setSession(await sendJson<SessionView>('POST', sessionUrl(session.id, '/drafts/capture'), { device, window_s: windowS, mode: 'next', operator }));
      } finally {
        countdown.stop();
      }
    });

  return (
    <Section title={t('drafts_title')}>
      <div className="toolbar">
        <label className="field inline">
          <span>{t('gauge')}</span>
          <DevicePicker kind="draft-gauge" instruments={instruments} value={device} onChange={setDevice} testId="gauge" />
        </label>
        <label className="field inline">
          <span>{t('window')}</span>
          <WindowPicker value={windowS} onChange={setWindowS} />
        </label>
        <button className="primary big-button" disabled={locked || !device || action.busy || !app.online} onClick={() => void capture()} data-testid="capture-drafts">
          {countdown.left > 0 ? t('capturing', { n: countdown.left }) : t('capture_avg', { n: windowS })}
        </button>
      </div>
      {countdown.left > 0 ? <progress className="progress" max={windowS} value={windowS - countdown.left} /> : null}
      <ErrorBox error={action.error} onClose={action.clear} />
      <LiveError error={liveError} />
      <table className="table drafts" data-testid="drafts-table">
        <thead>
          <tr>
            <th>{t('col_mark')}</th>
            <th className="num">{t('col_live')}</th>
            <th className="num">
              {t('col_mean')} <span className="muted">({t('live_window', { n: windowS })})</span>
            </th>
            <th className="num">{t('col_spread')}</th>
            <th className="num">{t('col_std')}</th>
            <th className="num">{t('col_n')}</th>
            <th className="num">{t('col_recorded')}</th>
            <th>{t('col_source')}</th>
            <th>{t('col_action')}</th>
          </tr>
        </thead>
        <tbody>
          {MARKS.map((m) => {
            const lp = point(live, `draft_${m}`);
            const entry = session.data.drafts[m];
            const queued = pendingDraft(m);
            return (
              <tr key={m} data-testid={`mark-${m}`}>
                <td>
                  <strong>{t(`mark_${m}` as TKey)}</strong>
                </td>
                <td className="num">{fmt(lp?.latest?.value, 3)}</td>
                <td className="num">{fmt(lp?.stats?.mean, 3)}</td>
                <td className="num">{fmt(lp?.stats?.spread, 3)}</td>
                <td className="num">{fmt(lp?.stats?.std, 4)}</td>
                <td className="num">{lp?.stats?.n ?? '—'}</td>
                <td className="num strong" data-testid={`recorded-${m}`}>
                  {queued ? fmt(queued.value_m, 3) : fmt(entry?.value_m, 3)}
                  {entry?.stats && !queued ? <div className="sub">σ {fmt(entry.stats.std, 4)} · n {entry.stats.n}</div> : null}
                  {entry?.reason && !queued ? <div className="sub">{entry.reason}</div> : null}
                </td>
                <td>{queued ? <SourceTag source="manual" pending /> : entry ? <SourceTag source={entry.source} /> : '—'}</td>
                <td>
                  <button className="secondary" disabled={locked} onClick={() => setEditing(editing === m ? undefined : m)} data-testid={`override-${m}`}>
                    {t('override')}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {editing ? (
        <ManualDraft
          key={editing}
          mark={editing}
          initial={session.data.drafts[editing as (typeof MARKS)[number]]?.value_m}
          sessionId={session.id}
          onDone={(s) => {
            if (s) setSession(s);
            setEditing(undefined);
          }}
        />
      ) : null}
    </Section>
  );
}

function ManualDraft({ mark, initial, sessionId, onDone }: { mark: string; initial: number | undefined; sessionId: string; onDone(s?: SessionView): void }) {
  const { t } = useI18n();
  const app = useApp();
  const [value, setValue] = useState(initial !== undefined ? String(initial) : '');
  const [reason, setReason] = useState('');
  const action = useAction();
  const save = () =>
    action.run(async () => {
      const operator = app.requireOperator();
      if (!operator) return;
      if (!reason.trim()) throw new Error(t('reason_required'));
      const label = `${t(`mark_${mark}` as TKey)} = ${value} m (${reason})`;
      const r = await sendOrQueue<SessionView>('PUT', sessionUrl(sessionId, `/drafts/${mark}`), { value_m: Number(value), reason, operator }, label, sessionId);
      if (r.queued) {
        app.notify('warn', t('queued_offline'));
        app.refreshPending();
        onDone();
      } else onDone(r.value);
    });
  return (
    <div className="editor" data-testid="manual-draft">
      <h3>
        {t('override')} · {t(`mark_${mark}` as TKey)}
      </h3>
      <div className="form-grid">
        <label className="field">
          <span>{t('manual_value')}</span>
          <input type="number" inputMode="decimal" step="0.001" value={value} onChange={(e) => setValue(e.target.value)} data-testid="manual-value" />
        </label>
        <label className="field wide">
          <span>{t('reason')}</span>
          <input value={reason} placeholder={t('reason_placeholder')} onChange={(e) => setReason(e.target.value)} data-testid="manual-reason" />
        </label>
      </div>
      <div className="actions">
        <button className="primary" disabled={action.busy} onClick={() => void save()} data-testid="manual-save">
          {t('save')}
        </button>
        <button className="secondary" onClick={() => onDone()}>
          {t('cancel')}
        </button>
      </div>
      <ErrorBox error={action.error} onClose={action.clear} />
    </div>
  );
}
