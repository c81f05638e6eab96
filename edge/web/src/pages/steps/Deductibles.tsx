/** Deductibles other than ballast: weight and basis (the reason) for each; ballast counts tank by tank. */
import { useState } from 'react';
import { sendOrQueue, sessionUrl, type SessionView } from '../../api.js';
import { useI18n, type TKey } from '../../i18n.js';
import { ErrorBox, fmt, Section, SourceTag, useApp } from '../../ui.js';
import type { StepProps } from '../Wizard.js';
import { useAction } from './common.js';

const COMMON = ['fresh_water', 'fuel_oil', 'diesel_oil', 'lube_oil', 'others'] as const;

export function DeductiblesStep({ session, setSession, pending, locked }: StepProps) {
  const { t } = useI18n();
  const names = [...COMMON, ...Object.keys(session.data.deductibles).filter((n) => !(COMMON as readonly string[]).includes(n))];
  const ballast = Object.values(session.data.tanks);
  return (
    <Section title={t('deductibles_title')}>
      <p className="muted">{t('deductibles_hint')}</p>
      <table className="table" data-testid="deductibles-table">
        <thead>
          <tr>
            <th>{t('col_line')}</th>
            <th className="num">{t('weight_t')}</th>
            <th>{t('basis')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {names.map((n) => (
            <DeductibleRow key={n} name={n} session={session} setSession={setSession} locked={locked} queued={pending.some((p) => p.url.endsWith(`/deductibles/${encodeURIComponent(n)}`))} />
          ))}
          <CustomRow session={session} setSession={setSession} locked={locked} />
          {ballast.map((tank) => (
            <tr key={tank.tank} className="muted-row">
              <td>
                {t(`contents_${tank.contents}` as TKey)} · {tank.tank}
              </td>
              <td className="num">{fmt(tank.weight_t, 3)}</td>
              <td>
                <SourceTag source={tank.source} />
              </td>
              <td />
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function label(t: ReturnType<typeof useI18n>['t'], name: string): string {
  return (COMMON as readonly string[]).includes(name) ? t(`ded_${name}` as TKey) : name;
}

function DeductibleRow({ name, session, setSession, locked, queued }: { name: string; session: SessionView; setSession(s: SessionView): void; locked: boolean; queued: boolean }) {
  const { t } = useI18n();
  const app = useApp();
  const current = session.data.deductibles[name];
  const [weight, setWeight] = useState(current ? String(current.weight_t) : '');
  const [reason, setReason] = useState(current?.reason ?? '');
  const action = useAction();
  const save = () =>
    action.run(async () => {
      const operator = app.requireOperator();
      if (!operator) return;
      if (!reason.trim()) throw new Error(t('reason_required'));
      const r = await sendOrQueue<SessionView>('PUT', sessionUrl(session.id, `/deductibles/${encodeURIComponent(name)}`), { weight_t: Number(weight), reason, operator }, `${label(t, name)} ${weight} t (${reason})`, session.id);
      if (r.queued) {
        app.notify('warn', t('queued_offline'));
        app.refreshPending();
      } else setSession(r.value);
    });
  return (
    <>
      <tr data-testid={`ded-${name}`}>
        <td>
          <strong>{label(t, name)}</strong>
          {current ? <div className="sub">{fmt(current.weight_t, 3)} t · {current.operator}</div> : null}
        </td>
        <td className="num">
          <input type="number" inputMode="decimal" step="0.001" value={weight} onChange={(e) => setWeight(e.target.value)} disabled={locked} data-testid={`ded-weight-${name}`} />
        </td>
        <td>
          <input value={reason} placeholder={t('basis_placeholder')} onChange={(e) => setReason(e.target.value)} disabled={locked} data-testid={`ded-reason-${name}`} />
        </td>
        <td>
          <button className="secondary" disabled={locked || action.busy || weight === ''} onClick={() => void save()} data-testid={`ded-save-${name}`}>
            {t('save')}
          </button>
          {queued ? <SourceTag source="manual" pending /> : null}
        </td>
      </tr>
      {action.error ? (
        <tr>
          <td colSpan={4}>
            <ErrorBox error={action.error} onClose={action.clear} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function CustomRow({ session, setSession, locked }: { session: SessionView; setSession(s: SessionView): void; locked: boolean }) {
  const { t } = useI18n();
  const app = useApp();
  const [name, setName] = useState('');
  const [weight, setWeight] = useState('');
  const [reason, setReason] = useState('');
  const action = useAction();
  const save = () =>
    action.run(async () => {
      const operator = app.requireOperator();
      if (!operator) return;
      if (!reason.trim()) throw new Error(t('reason_required'));
      const r = await sendOrQueue<SessionView>('PUT', sessionUrl(session.id, `/deductibles/${encodeURIComponent(name.trim())}`), { weight_t: Number(weight), reason, operator }, `${name} ${weight} t (${reason})`, session.id);
      if (r.queued) {
        app.notify('warn', t('queued_offline'));
        app.refreshPending();
      } else setSession(r.value);
      setName('');
      setWeight('');
      setReason('');
    });
  return (
    <>
      <tr>
        <td>
          <input value={name} placeholder={t('ded_custom')} onChange={(e) => setName(e.target.value)} disabled={locked} />
        </td>
        <td className="num">
          <input type="number" inputMode="decimal" step="0.001" value={weight} onChange={(e) => setWeight(e.target.value)} disabled={locked} />
        </td>
        <td>
          <input value={reason} placeholder={t('basis_placeholder')} onChange={(e) => setReason(e.target.value)} disabled={locked} />
        </td>
        <td>
          <button className="secondary" disabled={locked || action.busy || !name.trim() || weight === ''} onClick={() => void save()}>
            {t('add')}
          </button>
        </td>
      </tr>
      {action.error ? (
        <tr>
          <td colSpan={4}>
            <ErrorBox error={action.error} onClose={action.clear} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
