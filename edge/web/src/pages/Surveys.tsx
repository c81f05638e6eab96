/** The surveys on this gateway, by case (ship call), and starting a new one. */
import { useEffect, useMemo, useState } from 'react';
import { API, getJson, sendJson, type SessionView, type VesselSummary } from '../api.js';
import { useI18n, type TKey } from '../i18n.js';
import { ErrorBox, fmt, Section, time, useApp } from '../ui.js';

export function SurveysPage() {
  const { t } = useI18n();
  const app = useApp();
  const [sessions, setSessions] = useState<SessionView[] | undefined>();
  const [vessels, setVessels] = useState<VesselSummary[]>([]);
  const [error, setError] = useState<unknown>();
  const [imo, setImo] = useState('');
  const [stage, setStage] = useState<'initial' | 'intermediate' | 'final'>('initial');
  const [caseId, setCaseId] = useState('');
  const [rounding, setRounding] = useState<'none' | 'form3'>('none');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    getJson<{ sessions: SessionView[] }>(`${API}/sessions`).then((r) => setSessions(r.sessions), setError);
    getJson<{ vessels: VesselSummary[] }>(`${API}/vessels`).then((r) => {
      setVessels(r.vessels);
      if (r.vessels[0]) setImo((cur) => cur || r.vessels[0]!.imo);
    }, setError);
  }, []);

  const cases = useMemo(() => {
    const m = new Map<string, SessionView[]>();
    for (const s of [...(sessions ?? [])].reverse()) m.set(s.case_id, [...(m.get(s.case_id) ?? []), s]);
    return [...m.entries()].reverse();
  }, [sessions]);
  const openCases = cases.filter(([, list]) => list[0]?.vessel.imo === imo && !list.some((s) => s.stage === 'final'));

  async function create() {
    const operator = app.requireOperator();
    if (!operator || !imo) return;
    setBusy(true);
    setError(undefined);
    try {
      const s = await sendJson<SessionView>('POST', `${API}/sessions`, { id: crypto.randomUUID(), imo, stage, operator, rounding, ...(caseId ? { case_id: caseId } : {}) });
      location.hash = `#/survey/${s.id}/drafts`;
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page">
      <Section title={t('new_survey')}>
        <div className="form-grid">
          <label className="field">
            <span>{t('new_survey_vessel')}</span>
            <select value={imo} onChange={(e) => setImo(e.target.value)} data-testid="new-vessel">
              {vessels.map((v) => (
                <option key={v.imo} value={v.imo}>
                  {v.name} · IMO {v.imo} · v{v.version}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('new_survey_stage')}</span>
            <select value={stage} onChange={(e) => setStage(e.target.value as typeof stage)} data-testid="new-stage">
              {(['initial', 'intermediate', 'final'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`stage_${s}` as TKey)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('new_survey_case')}</span>
            <select value={caseId} onChange={(e) => setCaseId(e.target.value)} data-testid="new-case">
              <option value="">{t('new_case')}</option>
              {openCases.map(([id, list]) => (
                <option key={id} value={id}>
                  {t('case_label', { id: id.slice(0, 8) })} · {list.map((s) => s.survey_id).join(' + ')} · {time(list[0]!.created)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('new_survey_rounding')}</span>
            <select value={rounding} onChange={(e) => setRounding(e.target.value as typeof rounding)} disabled={caseId !== ''}>
              <option value="none">{t('rounding_none')}</option>
              <option value="form3">{t('rounding_form3')}</option>
            </select>
          </label>
        </div>
        <div className="actions">
          <button className="primary" disabled={busy || !imo} onClick={() => void create()} data-testid="create-survey">
            {t('create')}
          </button>
        </div>
        <ErrorBox error={error} onClose={() => setError(undefined)} />
      </Section>

      <Section title={t('surveys_title')}>
        {sessions === undefined ? (
          <p>{t('loading')}</p>
        ) : sessions.length === 0 ? (
          <p className="muted">{t('surveys_empty')}</p>
        ) : (
          cases.map(([id, list]) => (
            <div className="case" key={id}>
              <div className="case-head">
                <strong>{list[0]!.vessel.name}</strong> <span className="muted">IMO {list[0]!.vessel.imo} · v{list[0]!.vessel.version} · {t('case_label', { id: id.slice(0, 8) })}</span>
              </div>
              <table className="table">
                <tbody>
                  {list.map((s) => (
                    <tr key={s.id}>
                      <td>{t(`stage_${s.stage}` as TKey)}</td>
                      <td>
                        <span className={`tag tag-status-${s.status}`}>{t(`status_${s.status}` as TKey)}</span>
                      </td>
                      <td>{s.operator}</td>
                      <td>{time(s.created)}</td>
                      <td className="num">{s.result ? `${fmt(s.result.values.net_displacement_t, 3)} t` : '—'}</td>
                      <td>
                        {s.result?.cargo
                          .filter((c) => c.to === s.survey_id)
                          .map((c) => t('cargo_line', { from: c.from, to: c.to, t: fmt(c.cargo_t, 3) }))
                          .join('；')}
                      </td>
                      <td>
                        <a className="button" href={`#/survey/${s.id}/overview`}>
                          {t('open')}
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))
        )}
      </Section>
    </div>
  );
}
