/** Sign the computed survey (SM2 over the canonical JSON), verify it, open the PDF, export the case file. */
import { useState } from 'react';
import { getJson, sendJson, sessionUrl, type SessionView } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { ErrorBox, Section, time, useApp } from '../../ui.js';
import type { StepProps } from '../Wizard.js';
import { useAction } from './common.js';

interface Verification {
  ok: boolean;
  reason?: string;
  message?: string;
  gateway_key: boolean;
}

export function SignStep({ session, setSession }: StepProps) {
  const { t } = useI18n();
  const app = useApp();
  const [signer, setSigner] = useState(app.operator);
  const [verified, setVerified] = useState<Verification | undefined>();
  const action = useAction();
  const sig = session.signature;
  const computed = session.status === 'computed' || session.status === 'signed';

  const sign = () =>
    action.run(async () => {
      const operator = app.requireOperator();
      if (!operator) return;
      setSession(await sendJson<SessionView>('POST', sessionUrl(session.id, '/sign'), { signer: signer || operator, operator }));
    });
  const verify = () =>
    action.run(async () => {
      setVerified(await getJson<Verification>(sessionUrl(session.id, '/verify')));
    });

  return (
    <Section title={t('sign_title')}>
      <ErrorBox error={action.error} onClose={action.clear} />
      {!computed ? <div className="warn-box">{t('sign_needs_compute')}</div> : null}
      {sig ? (
        <div className="signature" data-testid="signature">
          <div className="big">{t('signed_by', { who: sig.signer, t: time(sig.signed_at) })}</div>
          <dl>
            <dt>{t('fingerprint')}</dt>
            <dd className="mono">{sig.public_key_fingerprint}</dd>
            <dt>{t('payload_sm3')}</dt>
            <dd className="mono">{sig.payload_sm3}</dd>
            <dt>SM2 (DER)</dt>
            <dd className="mono wrap">{sig.signature_der_hex}</dd>
          </dl>
          <button className="secondary" onClick={() => void verify()} data-testid="verify">
            {t('verify')}
          </button>
          {verified ? (
            <div className={verified.ok ? 'ok-box' : 'error-box'} data-testid="verify-result">
              {verified.ok ? t('verify_ok') : t('verify_bad', { m: verified.message ?? '' })} · {verified.gateway_key ? t('gateway_key') : t('other_key')}
            </div>
          ) : null}
          <p className="muted">{t('uplink_note')}</p>
        </div>
      ) : (
        <div className="form-grid">
          <label className="field">
            <span>{t('signer')}</span>
            <input value={signer} onChange={(e) => setSigner(e.target.value)} data-testid="signer" />
          </label>
          <div className="field">
            <span>&nbsp;</span>
            <button className="primary big-button" disabled={session.status !== 'computed' || action.busy || !app.online} onClick={() => void sign()} data-testid="sign">
              {t('sign')}
            </button>
          </div>
        </div>
      )}
      {computed ? (
        <div className="actions">
          <a className="button primary" href={sessionUrl(session.id, '/report.pdf')} target="_blank" rel="noreferrer" data-testid="pdf">
            {t('pdf')}
          </a>
          <a className="button" href={sessionUrl(session.id, '/case.json')} download data-testid="export">
            {t('export_case')}
          </a>
        </div>
      ) : null}
    </Section>
  );
}
