/** The vessel library: what is stored, and importing a ship's files (CSV set or one XLSX workbook). */
import { useEffect, useState } from 'react';
import { API, getJson, sendJson, ApiError, type VesselSummary } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorBox, Section, time, useApp } from '../ui.js';

interface ImportAnswer {
  vessel: VesselSummary;
  created: boolean;
  warnings: { text: string }[];
}

const today = () => new Date().toISOString().slice(0, 10);

export function VesselsPage() {
  const { t } = useI18n();
  const app = useApp();
  const [vessels, setVessels] = useState<VesselSummary[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [importError, setImportError] = useState<unknown>();
  const [result, setResult] = useState<ImportAnswer | undefined>();
  const [busy, setBusy] = useState(false);
  const [files, setFiles] = useState<{ particulars?: File; hydrostatics?: File; tanks?: File; tables: File[]; xlsx?: File }>({ tables: [] });
  const [validFrom, setValidFrom] = useState(today());
  const [note, setNote] = useState('');

  const load = () => getJson<{ vessels: VesselSummary[] }>(`${API}/vessels`).then((r) => setVessels(r.vessels), setError);
  useEffect(() => void load(), []);

  async function submit() {
    const operator = app.requireOperator();
    if (!operator) return;
    setImportError(undefined);
    setResult(undefined);
    setBusy(true);
    try {
      let answer: ImportAnswer;
      if (files.xlsx) {
        const q = new URLSearchParams({ valid_from: validFrom, operator, file_name: files.xlsx.name, ...(note ? { note } : {}) });
        const res = await fetch(`${API}/vessels/import-xlsx?${q}`, { method: 'POST', headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, body: files.xlsx });
        const body = (await res.json()) as ImportAnswer & { error?: { code: string; message: string; issues?: { code: string; message: string; text: string }[] } };
        if (!res.ok) throw new ApiError(res.status, body.error?.code ?? 'HTTP', body.error?.message ?? '', body.error?.issues ?? []);
        answer = body;
      } else {
        if (!files.particulars || !files.hydrostatics) {
          app.notify('warn', t('import_pick'));
          return;
        }
        const read = async (f: File) => ({ name: f.name, text: await f.text() });
        answer = await sendJson<ImportAnswer>('POST', `${API}/vessels/import-csv`, {
          valid_from: validFrom,
          operator,
          ...(note ? { note } : {}),
          files: {
            particulars: await read(files.particulars),
            hydrostatics: await read(files.hydrostatics),
            ...(files.tanks ? { tanks: await read(files.tanks) } : {}),
            ...(files.tables.length ? { tank_tables: await Promise.all(files.tables.map(read)) } : {}),
          },
        });
      }
      setResult(answer);
      app.notify('ok', t(answer.created ? 'import_ok' : 'import_same', { name: answer.vessel.name, version: answer.vessel.version }));
      await load();
    } catch (e) {
      setImportError(e);
    } finally {
      setBusy(false);
    }
  }

  const pick = (key: 'particulars' | 'hydrostatics' | 'tanks' | 'xlsx') => (e: React.ChangeEvent<HTMLInputElement>) => setFiles((f) => ({ ...f, [key]: e.target.files?.[0] }));

  return (
    <div className="page">
      <Section title={t('vessels_title')}>
        <ErrorBox error={error} />
        {vessels === undefined ? (
          <p>{t('loading')}</p>
        ) : vessels.length === 0 ? (
          <p className="muted">{t('vessels_empty')}</p>
        ) : (
          <table className="table" data-testid="vessel-list">
            <thead>
              <tr>
                <th>{t('vessel_name')}</th>
                <th>{t('vessel_imo')}</th>
                <th>{t('vessel_version')}</th>
                <th>{t('vessel_valid_from')}</th>
                <th>{t('vessel_lbp')}</th>
                <th>{t('vessel_table')}</th>
                <th>{t('vessel_tanks')}</th>
              </tr>
            </thead>
            <tbody>
              {vessels.map((v) => (
                <tr key={v.imo}>
                  <td>
                    <strong>{v.name}</strong>
                  </td>
                  <td>{v.imo}</td>
                  <td>
                    v{v.version} <span className="muted">({v.versions.join(', ')})</span>
                  </td>
                  <td>{v.valid_from}</td>
                  <td>{v.lbp_m} m</td>
                  <td>
                    {v.hydrostatics_range_m[0]}–{v.hydrostatics_range_m[1]} m
                  </td>
                  <td>{v.tanks.map((x) => x.name).join('、')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title={t('import_title')}>
        <p className="muted">{t('import_hint')}</p>
        <div className="form-grid">
          <label className="field">
            <span>{t('import_particulars')}</span>
            <input type="file" accept=".csv,text/csv" data-testid="file-particulars" onChange={pick('particulars')} />
          </label>
          <label className="field">
            <span>{t('import_hydrostatics')}</span>
            <input type="file" accept=".csv,text/csv" data-testid="file-hydrostatics" onChange={pick('hydrostatics')} />
          </label>
          <label className="field">
            <span>{t('import_tanks')}</span>
            <input type="file" accept=".csv,text/csv" data-testid="file-tanks" onChange={pick('tanks')} />
          </label>
          <label className="field">
            <span>{t('import_tank_tables')}</span>
            <input type="file" accept=".csv,text/csv" multiple data-testid="file-tables" onChange={(e) => setFiles((f) => ({ ...f, tables: [...(e.target.files ?? [])] }))} />
          </label>
          <label className="field">
            <span>{t('import_xlsx')}</span>
            <input type="file" accept=".xlsx" data-testid="file-xlsx" onChange={pick('xlsx')} />
          </label>
          <label className="field">
            <span>{t('vessel_valid_from')}</span>
            <input type="date" value={validFrom} onChange={(e) => setValidFrom(e.target.value)} />
          </label>
          <label className="field wide">
            <span>{t('import_note')}</span>
            <input value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
        </div>
        <div className="actions">
          <button className="primary" disabled={busy} onClick={() => void submit()} data-testid="import-submit">
            {t('import_submit')}
          </button>
        </div>
        {importError instanceof ApiError && importError.issues.length > 0 ? (
          <div className="error-box" role="alert" data-testid="import-errors">
            <div className="error-head">
              <strong>{t('import_errors', { n: importError.issues.length })}</strong>
              <code>{importError.code}</code>
            </div>
            <ul className="issues">
              {importError.issues.map((i, k) => (
                <li key={k}>{i.text}</li>
              ))}
            </ul>
          </div>
        ) : (
          <ErrorBox error={importError} />
        )}
        {result ? (
          <div className="ok-box" data-testid="import-result">
            {t(result.created ? 'import_ok' : 'import_same', { name: result.vessel.name, version: result.vessel.version })} · {time(result.vessel.imported_at)}
            {result.warnings.length ? (
              <ul className="issues">
                {result.warnings.map((w, k) => (
                  <li key={k}>{w.text}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </Section>
    </div>
  );
}
