/** Photos of the marks, the hydrometer, the meters: taken with the tablet's camera or chosen from files; stored with their SM3 hash. */
import { useState } from 'react';
import { uploadPhoto } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { ErrorBox, Section, time, useApp } from '../../ui.js';
import type { StepProps } from '../Wizard.js';
import { useAction } from './common.js';

export function PhotosStep({ session, reload, pending, locked }: StepProps) {
  const { t } = useI18n();
  const app = useApp();
  const [file, setFile] = useState<File | undefined>();
  const [caption, setCaption] = useState('');
  const [inputKey, setInputKey] = useState(0);
  const action = useAction();
  const queued = pending.filter((p) => p.url.includes('/photos'));
  const upload = () =>
    action.run(async () => {
      const operator = app.requireOperator();
      if (!operator || !file) return;
      const r = await uploadPhoto(session.id, file, caption, operator, `${t('step_photos')}: ${caption || file.name}`);
      if (r.queued) {
        app.notify('warn', t('queued_offline'));
        app.refreshPending();
      } else await reload();
      setFile(undefined);
      setCaption('');
      setInputKey((k) => k + 1);
    });
  return (
    <Section title={t('photos_title')}>
      <div className="form-grid">
        <label className="field">
          <span>{t('photo_take')}</span>
          <input key={inputKey} type="file" accept="image/*" capture="environment" disabled={locked} onChange={(e) => setFile(e.target.files?.[0])} data-testid="photo-input" />
        </label>
        <label className="field wide">
          <span>{t('caption')}</span>
          <input value={caption} placeholder={t('caption_placeholder')} onChange={(e) => setCaption(e.target.value)} data-testid="photo-caption" />
        </label>
      </div>
      <div className="actions">
        <button className="primary" disabled={locked || !file || action.busy} onClick={() => void upload()} data-testid="photo-upload">
          {t('upload')}
        </button>
      </div>
      <ErrorBox error={action.error} onClose={action.clear} />
      {session.photos.length === 0 && queued.length === 0 ? <p className="muted">{t('photos_empty')}</p> : null}
      <div className="photos" data-testid="photos">
        {session.photos.map((p) => (
          <figure key={p.id}>
            <img src={p.url} alt={p.caption} loading="lazy" />
            <figcaption>
              {p.caption || '—'}
              <div className="sub">
                {p.operator} · {time(p.ts)} · SM3 {p.sm3.slice(0, 12)}…
              </div>
            </figcaption>
          </figure>
        ))}
      </div>
    </Section>
  );
}
