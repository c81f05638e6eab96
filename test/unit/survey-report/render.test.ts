import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { findCjkFonts, renderSurveyReport } from '../../../edge/survey/report/index.js';
import { buildSample, type Sample } from './sample.js';

const hasPdftotext = spawnSync('pdftotext', ['-v']).error === undefined;
const hasFonts = findCjkFonts() !== undefined;

/** Page count from the page-tree objects (pdfkit writes no object streams). */
function pageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type \/Page[^s]/g) ?? []).length;
}

function text(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'qs-pdf-'));
  const file = join(dir, 'report.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

describe('draft-survey PDF report', () => {
  it('has a CJK font and pdftotext installed (scripts/setup-system.sh installs them)', () => {
    assert.ok(hasFonts, 'no CJK font installed (fonts-noto-cjk or fonts-wqy-zenhei)');
    assert.ok(hasPdftotext, 'pdftotext (poppler-utils) not installed');
  });
  let sample: Sample;
  let pdf: Buffer;
  before(async () => {
    sample = await buildSample();
    pdf = await renderSurveyReport(sample.input);
  });

  it('is a PDF with a header, a trailer and several pages', () => {
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.match(pdf.subarray(-8).toString('latin1'), /%%EOF/);
    const pages = pageCount(pdf);
    assert.ok(pages >= 3 && pages <= 10, `${pages} pages`);
  });

  it('holds the vessel, the net displacement, the Chinese labels and the signature check', () => {
    const t = text(pdf);
    assert.match(t, /QUAYSIDE PIONEER/);
    assert.match(t, /9074729/);
    assert.ok(t.includes(sample.netInitial.toFixed(3)), `net displacement ${sample.netInitial.toFixed(3)} missing`);
    assert.ok(t.includes(sample.netFinal.toFixed(3)), `net displacement ${sample.netFinal.toFixed(3)} missing`);
    for (const label of ['排水量计算', '净排水量', '第一次纵倾校正', '第二次纵倾校正', '港水密度校正', '六面水尺', '电子签名', '1.0196 − 0.0011']) {
      assert.ok(t.includes(label), `"${label}" missing`);
    }
    assert.match(t, /Signature verified/);
    assert.ok(t.includes(sample.input.signature!.signature.payload_sm3), 'SM3 of the canonical JSON missing');
    assert.match(t, /66598\.062/);
    assert.match(t, /Photo unreadable/);
  });

  it('says so when the record no longer matches its signature, or when there is none', async () => {
    const tampered = structuredClone(sample.input.signature!.record) as { result: { cargo: { cargo_t: number }[] } };
    tampered.result.cargo[0]!.cargo_t += 1;
    const bad = await renderSurveyReport({ ...sample.input, signature: { signature: sample.input.signature!.signature, record: tampered } });
    assert.match(text(bad), /verification FAILED/);
    const { signature: _s, ...unsigned } = sample.input;
    assert.match(text(await renderSurveyReport(unsigned)), /not signed/);
  });
});
