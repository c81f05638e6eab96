/** USCC (GB 32100) check character, the embedded GB 11714 organisation code, customs codes and declaration numbers. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { completeUscc, isValidUscc, orgCodeCheckChar, parseUscc, usccCheckChar } from '../../../shared/ids/uscc.js';
import { isValidCustomsCode, parseCustomsCode, parseEntryId } from '../../../shared/ids/customs-code.js';

describe('USCC', () => {
  it('accepts published and computed examples', () => {
    for (const s of ['913301007654812994', '91440300MA5FXKMD0M', '91110000100000000R']) assert.equal(isValidUscc(s), true, s);
    const p = parseUscc(' 913301007654812994 ');
    assert.ok(p.ok);
    assert.equal(p.region, '330100');
    assert.equal(p.orgCode, '765481299');
    assert.equal(p.orgCodeValid, true);
  });

  it('computes the check character with weights 3^i mod 31', () => {
    assert.equal(usccCheckChar('91330100765481299'), '4');
    assert.equal(usccCheckChar('91440300MA5FXKMD0'), 'M');
    assert.equal(usccCheckChar('9133010076548129I'), undefined, 'I is not in the charset');
    assert.equal(completeUscc('91310115MA1FL2B37'), '91310115MA1FL2B379');
  });

  it('rejects a wrong check character, with the expected one', () => {
    const p = parseUscc('913301007654812995');
    assert.equal(p.ok, false);
    assert.ok(!p.ok && p.reason === 'check_char' && p.message.includes('expected 4'));
    // a pilot-era code that is legal but fails the checksum (whitelisted in master data, never here)
    assert.equal(isValidUscc('91350100M0001TGQXM'), false);
  });

  it('rejects bad formats', () => {
    for (const s of ['', '91330100765481299', '9133010076548129945', '91330A007654812994', '9133010076548129O4', 42, null]) {
      const p = parseUscc(s);
      assert.ok(!p.ok && p.reason === 'format', String(s));
    }
  });

  it('checks the embedded organisation code (GB 11714)', () => {
    assert.equal(orgCodeCheckChar('76548129'), '9');
    assert.equal(orgCodeCheckChar('MA5FXKMD'), '0');
    assert.equal(orgCodeCheckChar('7654812'), undefined);
  });
});

describe('customs enterprise code and declaration number', () => {
  it('parses the 10-character customs code', () => {
    const p = parseCustomsCode('3122240001');
    assert.ok(p.ok);
    assert.equal(p.region, '3122');
    assert.equal(p.zone, '2');
    assert.equal(p.enterpriseType, '4');
    assert.equal(isValidCustomsCode('4419946995'), true);
    for (const s of ['312224000', '31222400011', 'A122240001', '3122-40001']) assert.equal(isValidCustomsCode(s), false, s);
  });

  it('parses 18-character declaration numbers', () => {
    const p = parseEntryId('222520191000153457');
    assert.ok(p.ok);
    assert.deepEqual([p.customs, p.year, p.flag], ['2225', 2019, 'I']);
    const e = parseEntryId('224820240000012345');
    assert.ok(e.ok && e.flag === 'E');
    assert.equal(parseEntryId('2248202400000123').ok, false);
    assert.equal(parseEntryId('224818240000012345').ok, false);
  });
});
