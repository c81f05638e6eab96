/** Tanks one by one: from a level meter (pressure → level → sounding → tank table at the trim → volume → weight) or sounded by hand with a reason. */
import { Fragment, useState } from 'react';
import { sendJson, sendOrQueue, sessionUrl, type InstrumentView, type SessionView } from '../../api.js';
import { useI18n, type TKey } from '../../i18n.js';
import { ErrorBox, fmt, Section, SourceTag, useApp } from '../../ui.js';
import type { StepProps } from '../Wizard.js';
import { DevicePicker, point, useAction, useCountdown, useLive, WindowPicker } from './common.js';

/** A meter whose id names the tank (ballast-db1p for DB1P) is proposed first. */
function meterFor(tank: string, instruments: InstrumentView[]): string {
  const key = tank.toLowerCase().replace(/[^a-z0-9]/g, '');
  const meters = instruments.filter((i) => i.kind === 'ballast-level-meter');
  return meters.find((m) => m.id.toLowerCase().replace(/[^a-z0-9]/g, '').endsWith(key))?.id ?? '';
}

export function BallastStep({ session, setSession, vessel, instruments, pending, locked }: StepProps) {
  const { t } = useI18n();
  const [open, setOpen] = useState<string | undefined>();
  const [steps, setSteps] = useState<string | undefined>();
  const tanks = vessel.record.tanks;
  if (session.trim_m === null) {
    return (
      <Section title={t('ballast_title')}>
        <div className="warn-box">{t('need_drafts_first')}</div>
      </Section>
    );
  }
  return (
    <Section title={t('ballast_title')}>
      <p className="muted">{t('ballast_hint')}</p>
      <table className="table" data-testid="tanks-table">
        <thead>
          <tr>
            <th>{t('col_tank')}</th>
            <th>{t('col_contents')}</th>
            <th className="num">{t('col_sounding')}</th>
            <th className="num">{t('col_volume')}</th>
            <th className="num">{t('col_density')}</th>
            <th className="num">{t('col_weight')}</th>
            <th>{t('col_source')}</th>
            <th>{t('col_action')}</th>
          </tr>
        </thead>
        <tbody>
          {tanks.map((tank) => {
            const e = session.data.tanks[tank.name];
            const queued = pending.some((p) => p.url.endsWith(`/tanks/${encodeURIComponent(tank.name)}`));
            return (
              <Fragment key={tank.name}>
                <tr data-testid={`tank-${tank.name}`}>
                  <td>
                    <strong>{tank.name}</strong>
                  </td>
                  <td>{t(`contents_${tank.contents}` as TKey)}</td>
                  <td className="num">{fmt(e?.calculation.corrected_sounding_m, 3)}</td>
                  <td className="num">{fmt(e?.volume_m3, 2)}</td>
                  <td className="num">{fmt(e?.density_t_m3, 4)}</td>
                  <td className="num strong">{fmt(e?.weight_t, 3)}</td>
                  <td>{queued ? <SourceTag source="manual" pending /> : e ? <SourceTag source={e.source} /> : '—'}</td>
                  <td className="row-actions">
                    <button className="secondary" disabled={locked} onClick={() => setOpen(open === tank.name ? undefined : tank.name)} data-testid={`edit-${tank.name}`}>
                      {t('enter_manual')}
                    </button>
                    {e ? (
                      <button className="link" onClick={() => setSteps(steps === tank.name ? undefined : tank.name)}>
                        {t('steps')}
                      </button>
                    ) : null}
                  </td>
                </tr>
                {steps === tank.name && e ? (
                  <tr className="detail">
                    <td colSpan={8}>
                      <ol className="calc-steps">
                        {[...(e.level_meter?.steps ?? []), ...e.calculation.steps, `${fmt(e.volume_m3, 3)} m³ × ${e.density_t_m3} t/m³ = ${fmt(e.weight_t, 3)} t`].map((s, i) => (
                          <li key={i}>{s}</li>
                        ))}
                      </ol>
                      {e.reason ? <div className="muted">{t('reason')}: {e.reason}</div> : null}
                    </td>
                  </tr>
                ) : null}
                {open === tank.name ? (
                  <tr className="detail">
                    <td colSpan={8}>
                      <TankEditor
                        sessionId={session.id}
                        tank={tank.name}
                        contents={tank.contents}
                        instruments={instruments}
                        onDone={(s) => {
                          if (s) setSession(s);
                          setOpen(undefined);
                        }}
                      />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </Section>
  );
}

function TankEditor({ sessionId, tank, contents, instruments, onDone }: { sessionId: string; tank: string; contents: string; instruments: InstrumentView[]; onDone(s?: SessionView): void }) {
  const { t } = useI18n();
  const app = useApp();
  const [device, setDevice] = useState(() => (contents === 'ballast' ? meterFor(tank, instruments) : ''));
  const [windowS, setWindowS] = useState(10);
  const [density, setDensity] = useState(contents === 'ballast' ? '1.025' : '1.000');
  const [probe, setProbe] = useState('0');
  const [sounding, setSounding] = useState('');
  const [reason, setReason] = useState('');
  const { live } = useLive(device, windowS);
  const meter = useAction();
  const manual = useAction();
  const countdown = useCountdown();
  const url = sessionUrl(sessionId, `/tanks/${encodeURIComponent(tank)}`);

  const capture = () =>
    meter.run(async () => {
      const operator = app.requireOperator();
      if (!operator) return;
      countdown.start(windowS);
      try {
        onDone(await sendJson<SessionView>('POST', `${url}/capture`, { device, window_s: windowS, mode: 'next', density_t_m3: Number(density), density_basis: 'air', probe_offset_m: Number(probe), operator }));
      } finally {
        countdown.stop();
      }
    });
  const save = () =>
    manual.run(async () => {
      const operator = app.requireOperator();
      if (!operator) return;
      if (!reason.trim()) throw new Error(t('reason_required'));
      const r = await sendOrQueue<SessionView>('PUT', url, { sounding_m: Number(sounding), density_t_m3: Number(density), reason, operator }, `${tank}: ${sounding} m (${reason})`, sessionId);
      if (r.queued) {
        app.notify('warn', t('queued_offline'));
        app.refreshPending();
        onDone();
      } else onDone(r.value);
    });

  const p = point(live, 'pressure');
  const lvl = point(live, 'level');
  return (
    <div className="editor" data-testid={`tank-editor-${tank}`}>
      <div className="form-grid">
        <label className="field">
          <span>{t('ballast_density')}</span>
          <input type="number" inputMode="decimal" step="0.001" value={density} onChange={(e) => setDensity(e.target.value)} data-testid="tank-density" />
        </label>
      </div>
      {contents === 'ballast' ? (
        <>
          <div className="toolbar">
            <label className="field inline">
              <span>{t('meter')}</span>
              <DevicePicker kind="ballast-level-meter" instruments={instruments} value={device} onChange={setDevice} testId="meter" />
            </label>
            <label className="field inline">
              <span>{t('window')}</span>
              <WindowPicker value={windowS} onChange={setWindowS} />
            </label>
            <label className="field inline">
              <span>{t('probe_offset')}</span>
              <input type="number" step="0.01" value={probe} onChange={(e) => setProbe(e.target.value)} />
            </label>
            <button className="primary big-button" disabled={!device || meter.busy || !app.online} onClick={() => void capture()} data-testid="capture-tank">
              {countdown.left > 0 ? t('capturing', { n: countdown.left }) : t('capture_tank')}
            </button>
          </div>
          {live ? (
            <p className="live-line">
              {fmt(p?.stats?.mean ?? p?.latest?.value, 2)} kPa · {fmt(lvl?.latest?.value, 3)} m · n {p?.stats?.n ?? 0}
            </p>
          ) : null}
          <ErrorBox error={meter.error} onClose={meter.clear} />
        </>
      ) : null}
      <div className="form-grid">
        <label className="field">
          <span>{t('manual_sounding')}</span>
          <input type="number" inputMode="decimal" step="0.001" value={sounding} onChange={(e) => setSounding(e.target.value)} data-testid="tank-sounding" />
        </label>
        <label className="field wide">
          <span>{t('reason')}</span>
          <input value={reason} placeholder={t('reason_placeholder')} onChange={(e) => setReason(e.target.value)} data-testid="tank-reason" />
        </label>
      </div>
      <div className="actions">
        <button className="secondary" disabled={manual.busy || sounding === ''} onClick={() => void save()} data-testid="tank-save">
          {t('save')}
        </button>
        <button className="link" onClick={() => onDone()}>
          {t('cancel')}
        </button>
      </div>
      <ErrorBox error={manual.error} onClose={manual.clear} />
    </div>
  );
}
