/** Dock-water density: the monitor's reading converted to the hydrometer basis (steps shown), or a hydrometer value with a reason. */
import { useState } from 'react';
import { sendJson, sendOrQueue, sessionUrl, type SessionView } from '../../api.js';
import { useI18n, type TKey } from '../../i18n.js';
import { ErrorBox, fmt, Section, SourceTag, useApp } from '../../ui.js';
import type { StepProps } from '../Wizard.js';
import { DevicePicker, LiveError, point, useAction, useCountdown, useLive, WindowPicker } from './common.js';

export function DensityStep({ session, setSession, instruments, pending, locked }: StepProps) {
  const { lang, t } = useI18n();
  const app = useApp();
  const d = session.data.density;
  const [device, setDevice] = useState(() => d?.monitor?.device ?? instruments.find((i) => i.kind === 'density-monitor')?.id ?? '');
  const [windowS, setWindowS] = useState(10);
  const { live, error: liveError } = useLive(device, windowS);
  const action = useAction();
  const manual = useAction();
  const countdown = useCountdown();
  const [hydrometer, setHydrometer] = useState('');
  const [reason, setReason] = useState('');
  const queued = pending.some((p) => p.url.endsWith('/density/manual'));

  const capture = () =>
    action.run(async () => {
      const operator = app.requireOperator();
      if (!operator) return;
      countdown.start(windowS);
      try {
        setSession(await sendJson<SessionView>('POST', sessionUrl(session.id, '/density/capture'), { device, window_s: windowS, mode: 'next', operator }));
      } finally {
        countdown.stop();
      }
    });
  const saveManual = () =>
    manual.run(async () => {
      const operator = app.requireOperator();
      if (!operator) return;
      if (!reason.trim()) throw new Error(t('reason_required'));
      const r = await sendOrQueue<SessionView>('PUT', sessionUrl(session.id, '/density/manual'), { hydrometer_t_m3: Number(hydrometer), reason, operator }, `${t('hydrometer')} ${hydrometer} (${reason})`, session.id);
      if (r.queued) {
        app.notify('warn', t('queued_offline'));
        app.refreshPending();
      } else setSession(r.value);
    });

  const rho = point(live, 'density');
  const temp = point(live, 'temperature');
  const sal = point(live, 'salinity');
  return (
    <Section title={t('density_title')}>
      <div className="toolbar">
        <label className="field inline">
          <span>{t('monitor')}</span>
          <DevicePicker kind="density-monitor" instruments={instruments} value={device} onChange={setDevice} testId="monitor" />
        </label>
        <label className="field inline">
          <span>{t('window')}</span>
          <WindowPicker value={windowS} onChange={setWindowS} />
        </label>
        <button className="primary big-button" disabled={locked || !device || action.busy || !app.online} onClick={() => void capture()} data-testid="capture-density">
          {countdown.left > 0 ? t('capturing', { n: countdown.left }) : t('capture_density', { n: windowS })}
        </button>
      </div>
      {countdown.left > 0 ? <progress className="progress" max={windowS} value={windowS - countdown.left} /> : null}
      {live ? <p className="live-line">{t('monitor_live', { rho: fmt(rho?.stats?.mean ?? rho?.latest?.value, 2), t: fmt(temp?.stats?.mean ?? temp?.latest?.value, 2), s: fmt(sal?.stats?.mean ?? sal?.latest?.value, 2) })}</p> : null}
      <ErrorBox error={action.error} onClose={action.clear} />
      <LiveError error={liveError} />

      {d ? (
        <div className="result-line" data-testid="density-used">
          {t('density_used', { v: fmt(d.value_t_m3, 4), src: t(`source_${d.source}` as TKey) })} <SourceTag source={d.source} />
          {d.reason ? <span className="muted"> · {d.reason}</span> : null}
          {d.difference_t_m3 !== undefined ? <span className="muted"> · {t('difference', { d: fmt(d.difference_t_m3, 4) })}</span> : null}
        </div>
      ) : null}
      {d?.monitor ? (
        <>
          <h3>{t('conversion')}</h3>
          <table className="table" data-testid="density-steps">
            <thead>
              <tr>
                <th>{t('col_step')}</th>
                <th>{t('col_formula')}</th>
                <th className="num">{t('col_value')}</th>
              </tr>
            </thead>
            <tbody>
              {d.monitor.steps.map((s, i) => (
                <tr key={i}>
                  <td>
                    {lang === 'zh' ? s.label_zh : s.label_en}
                    {lang === 'zh' ? <div className="sub">{s.label_en}</div> : null}
                  </td>
                  <td className="mono">{s.formula}</td>
                  <td className="num">
                    {s.unit === 'PSU' ? fmt(s.value, 3) : s.unit === 'kg/m³' ? fmt(s.value, 3) : fmt(s.value, 5)} {s.unit}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            n {d.monitor.density_kg_m3.n} · σ {fmt(d.monitor.density_kg_m3.std, 3)} kg/m³{d.monitor.salinity_psu !== undefined ? ` · S ${fmt(d.monitor.salinity_psu, 2)} PSU` : ''} · ≈ {fmt(d.monitor.hydrometer_equivalent_t_m3, 4)} t/m³ (0.0005)
          </p>
        </>
      ) : null}

      <div className="editor">
        <h3>
          {t('use_hydrometer')} {queued ? <SourceTag source="manual" pending /> : null}
        </h3>
        <div className="form-grid">
          <label className="field">
            <span>{t('hydrometer')}</span>
            <input type="number" inputMode="decimal" step="0.0005" value={hydrometer} onChange={(e) => setHydrometer(e.target.value)} data-testid="hydrometer" />
          </label>
          <label className="field wide">
            <span>{t('reason')}</span>
            <input value={reason} placeholder={t('reason_placeholder')} onChange={(e) => setReason(e.target.value)} data-testid="hydrometer-reason" />
          </label>
        </div>
        <div className="actions">
          <button className="secondary" disabled={locked || manual.busy || !hydrometer} onClick={() => void saveManual()} data-testid="hydrometer-save">
            {t('save')}
          </button>
        </div>
        <ErrorBox error={manual.error} onClose={manual.clear} />
      </div>
    </Section>
  );
}
