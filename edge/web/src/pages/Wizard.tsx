/**
 * One survey, step by step: overview → drafts → density → ballast → deductibles → photos →
 * compute & review → sign & report. Each step reads and changes the session through the API;
 * manual entries made while the gateway is unreachable are queued on the tablet.
 */
import { useCallback, useEffect, useState } from 'react';
import { API, getJson, type InstrumentView, type SessionView, type VesselRecordView } from '../api.js';
import { useI18n, type TKey } from '../i18n.js';
import { onQueueChange, pendingRequests, type QueuedRequest } from '../queue.js';
import { ErrorBox, fmt, time } from '../ui.js';
import { DraftsStep } from './steps/Drafts.js';
import { DensityStep } from './steps/Density.js';
import { BallastStep } from './steps/Ballast.js';
import { DeductiblesStep } from './steps/Deductibles.js';
import { PhotosStep } from './steps/Photos.js';
import { ReviewStep } from './steps/Review.js';
import { SignStep } from './steps/Sign.js';

export const STEPS = ['overview', 'drafts', 'density', 'ballast', 'deductibles', 'photos', 'compute', 'sign'] as const;
export type Step = (typeof STEPS)[number];

export interface StepProps {
  session: SessionView;
  setSession(s: SessionView): void;
  reload(): Promise<void>;
  vessel: VesselRecordView;
  instruments: InstrumentView[];
  pending: QueuedRequest[];
  locked: boolean;
}

export function WizardPage({ id, step }: { id: string; step: string }) {
  const { t } = useI18n();
  const [session, setSession] = useState<SessionView | undefined>();
  const [vessel, setVessel] = useState<VesselRecordView | undefined>();
  const [instruments, setInstruments] = useState<InstrumentView[]>([]);
  const [pending, setPending] = useState<QueuedRequest[]>([]);
  const [error, setError] = useState<unknown>();
  const current: Step = (STEPS as readonly string[]).includes(step) ? (step as Step) : 'overview';

  const reload = useCallback(async () => {
    try {
      const s = await getJson<SessionView>(`${API}/sessions/${encodeURIComponent(id)}`);
      setSession(s);
      setError(undefined);
      if (!vessel || vessel.summary.imo !== s.vessel.imo || vessel.summary.version !== s.vessel.version) {
        setVessel(await getJson<VesselRecordView>(`${API}/vessels/${s.vessel.imo}?version=${s.vessel.version}`));
      }
    } catch (e) {
      setError(e);
    }
  }, [id, vessel]);

  useEffect(() => {
    void reload();
    getJson<{ instruments: InstrumentView[] }>(`${API}/instruments`).then((r) => setInstruments(r.instruments), () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  useEffect(() => {
    const load = () => void pendingRequests().then((all) => setPending(all.filter((p) => p.sessionId === id)), () => setPending([]));
    load();
    const off = onQueueChange(load);
    const synced = () => void reload();
    window.addEventListener('qs-synced', synced);
    return () => {
      off();
      window.removeEventListener('qs-synced', synced);
    };
  }, [id, reload]);

  if (!session || !vessel) {
    return <div className="page">{error ? <ErrorBox error={error} /> : <p>{t('loading')}</p>}</div>;
  }
  const locked = session.status === 'signed';
  const props: StepProps = { session, setSession, reload, vessel, instruments, pending, locked };
  const index = STEPS.indexOf(current);

  return (
    <div className="page wizard">
      <div className="survey-head">
        <div>
          <h1>
            {session.vessel.name} <span className="muted">IMO {session.vessel.imo} · v{session.vessel.version}</span>
          </h1>
          <div className="survey-meta">
            <span className="tag tag-stage">{t(`stage_${session.stage}` as TKey)}</span>
            <span className={`tag tag-status-${session.status}`} data-testid="session-status">
              {t(`status_${session.status}` as TKey)}
            </span>
            <span className="muted">
              {session.operator} · {time(session.created)}
            </span>
            {session.trim_m !== null ? <span>{t('trim_line', { trim: fmt(session.trim_m, 3) })}</span> : null}
            {session.list_deg !== null ? <span>{t('list_line', { deg: fmt(session.list_deg, 2) })}</span> : null}
          </div>
        </div>
        <div className={session.missing.length ? 'missing' : 'complete'}>
          {session.missing.length ? t('missing', { list: session.missing.map((m) => (m === 'density' ? t('step_density') : t(`mark_${m}` as TKey))).join('、') }) : t('complete')}
        </div>
      </div>
      <nav className="steps">
        {STEPS.map((s, i) => (
          <a key={s} href={`#/survey/${id}/${s}`} className={`${s === current ? 'active' : ''} ${i < index ? 'done' : ''}`} data-testid={`step-${s}`}>
            <span className="step-no">{i + 1}</span> {t(`step_${s}` as TKey)}
          </a>
        ))}
      </nav>
      {locked ? <div className="ok-box">{t('locked')}</div> : null}
      {pending.length ? (
        <div className="pending-box" data-testid="pending-list">
          <strong>{t('pending', { n: pending.length })}</strong>
          <ul>
            {pending.map((p) => (
              <li key={p.id}>{p.label}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <ErrorBox error={error} onClose={() => setError(undefined)} />
      {current === 'overview' ? <Overview {...props} /> : null}
      {current === 'drafts' ? <DraftsStep {...props} /> : null}
      {current === 'density' ? <DensityStep {...props} /> : null}
      {current === 'ballast' ? <BallastStep {...props} /> : null}
      {current === 'deductibles' ? <DeductiblesStep {...props} /> : null}
      {current === 'photos' ? <PhotosStep {...props} /> : null}
      {current === 'compute' ? <ReviewStep {...props} /> : null}
      {current === 'sign' ? <SignStep {...props} /> : null}
      <div className="actions step-nav">
        {index > 0 ? (
          <a className="button" href={`#/survey/${id}/${STEPS[index - 1]}`}>
            ← {t('back')}
          </a>
        ) : (
          <span />
        )}
        {index < STEPS.length - 1 ? (
          <a className="button primary" href={`#/survey/${id}/${STEPS[index + 1]}`} data-testid="next-step">
            {t('next')} →
          </a>
        ) : null}
      </div>
    </div>
  );
}

function Overview({ session, vessel }: StepProps) {
  const { t } = useI18n();
  const p = vessel.record.particulars;
  return (
    <section className="card">
      <div className="overview">
        <div>
          <div className="muted">{t('vessel_name')}</div>
          <div className="big">{p.name}</div>
        </div>
        <div>
          <div className="muted">{t('vessel_lbp')}</div>
          <div className="big">{p.lbp_m} m</div>
        </div>
        <div>
          <div className="muted">{t('new_survey_stage')}</div>
          <div className="big">{t(`stage_${session.stage}` as TKey)}</div>
        </div>
        <div>
          <div className="muted">{t('new_survey_case')}</div>
          <div className="big">{session.case_id.slice(0, 8)}</div>
        </div>
        <div>
          <div className="muted">{t('new_survey_rounding')}</div>
          <div className="big">{session.data.rounding === 'form3' ? t('rounding_form3') : t('rounding_none')}</div>
        </div>
        <div>
          <div className="muted">{t('vessel_tanks')}</div>
          <div className="big">{vessel.record.tanks.length}</div>
        </div>
      </div>
    </section>
  );
}
