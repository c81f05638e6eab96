/** Compute with the shared engine on the gateway, then review line by line as on the paper form (排水量计算单). */
import { sendJson, sessionUrl, type SessionView } from '../../api.js';
import { useI18n, type TKey } from '../../i18n.js';
import { ErrorBox, fmt, Section, SourceTag, time, useApp } from '../../ui.js';
import { COMPUTATION_LINES, decimalsFor, fixed, RESULT_LINES, type LineDef } from '../../../../survey/report/lines.js';
import type { StepProps } from '../Wizard.js';
import { useAction } from './common.js';

const MARKS = ['fwd_port', 'fwd_stbd', 'mid_port', 'mid_stbd', 'aft_port', 'aft_stbd'] as const;

export function ReviewStep({ session, setSession, locked }: StepProps) {
  const { lang, t } = useI18n();
  const app = useApp();
  const action = useAction();
  const r = session.result;
  const compute = () =>
    action.run(async () => {
      const operator = app.requireOperator();
      if (!operator) return;
      setSession(await sendJson<SessionView>('POST', sessionUrl(session.id, '/compute'), { operator }));
    });

  const line = (l: LineDef) => {
    const v = r?.values[l.key];
    if (v === undefined) return null;
    return (
      <tr key={l.key} className={l.strong ? 'strong-row' : ''} data-testid={`line-${l.key}`}>
        <td>
          {lang === 'zh' ? l.zh : l.en}
          {lang === 'zh' ? <div className="sub">{l.en}</div> : null}
        </td>
        <td className="muted">{l.form ?? ''}</td>
        <td className="num">{fixed(v, decimalsFor(l, session.data.rounding))}</td>
        <td className="muted">{l.unit}</td>
      </tr>
    );
  };

  return (
    <Section
      title={t('review_title')}
      extra={
        <button className="primary big-button" disabled={locked || action.busy || session.missing.length > 0 || !app.online} onClick={() => void compute()} data-testid="compute">
          {r ? t('recompute') : t('compute')}
        </button>
      }
    >
      <ErrorBox error={action.error} onClose={action.clear} />
      {session.missing.length ? <div className="warn-box">{t('missing', { list: session.missing.join(', ') })}</div> : null}
      {!r ? (
        <p className="muted">{t('not_computed')}</p>
      ) : (
        <>
          <p className="muted">{t('computed_at', { t: time(session.computed_at) })}</p>
          {r.warnings.length ? (
            <div className="warn-box" data-testid="warnings">
              <strong>{t('warnings')}</strong>
              <ul>
                {r.warnings.map((w, i) => {
                  const code = /^(SURVEY_WARN_[A-Z_]+)/.exec(w)?.[1];
                  const known = code && ['SURVEY_WARN_HOG_SAG', 'SURVEY_WARN_LIST', 'SURVEY_WARN_SECOND_TRIM_NEGATIVE', 'SURVEY_WARN_DENSITY', 'SURVEY_WARN_MTC_PAIR_DRAFTS'].includes(code);
                  return (
                    <li key={i}>
                      {known ? t(`warn_${code}` as TKey) : w}
                      {known ? <div className="sub">{w}</div> : null}
                    </li>
                  );
                })}
              </ul>
            </div>
          ) : null}
          <h3>{t('inputs')}</h3>
          <table className="table compact">
            <tbody>
              <tr>
                {MARKS.map((m) => (
                  <td key={m}>
                    <div className="muted">{t(`mark_${m}` as TKey)}</div>
                    <strong>{fmt(session.data.drafts[m]?.value_m, 3)}</strong> m {session.data.drafts[m] ? <SourceTag source={session.data.drafts[m]!.source} /> : null}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
          <p>
            {t('density_used', { v: fmt(session.data.density?.value_t_m3, 4), src: session.data.density ? t(`source_${session.data.density.source}` as TKey) : '—' })}
          </p>
          <table className="table form-c" data-testid="form-c">
            <thead>
              <tr>
                <th>{t('col_line')}</th>
                <th>{t('col_form')}</th>
                <th className="num">{t('col_value')}</th>
                <th>{t('col_unit')}</th>
              </tr>
            </thead>
            <tbody>
              {COMPUTATION_LINES.map(line)}
              {Object.values(session.data.tanks).map((tk) => (
                <tr key={tk.tank}>
                  <td>
                    {t(`contents_${tk.contents}` as TKey)} · {tk.tank}
                    <div className="sub">
                      {fmt(tk.volume_m3, 3)} m³ × {tk.density_t_m3} t/m³
                    </div>
                  </td>
                  <td />
                  <td className="num">{fmt(tk.weight_t, 3)}</td>
                  <td className="muted">t</td>
                </tr>
              ))}
              {Object.values(session.data.deductibles).map((d) => (
                <tr key={d.name}>
                  <td>
                    {(['fresh_water', 'fuel_oil', 'diesel_oil', 'lube_oil', 'others'] as const).includes(d.name as 'others') ? t(`ded_${d.name}` as TKey) : d.name}
                    <div className="sub">{d.reason}</div>
                  </td>
                  <td />
                  <td className="num">{fmt(d.weight_t, 3)}</td>
                  <td className="muted">t</td>
                </tr>
              ))}
              {RESULT_LINES.map(line)}
            </tbody>
          </table>
          {r.cargo.length ? (
            <div className="cargo" data-testid="cargo">
              <h3>{t('cargo')}</h3>
              {r.cargo.map((c) => (
                <div key={`${c.from}-${c.to}`} className="big">
                  {t('cargo_line', { from: c.from, to: c.to, t: fmt(c.cargo_t, 3) })}
                </div>
              ))}
            </div>
          ) : null}
        </>
      )}
    </Section>
  );
}
