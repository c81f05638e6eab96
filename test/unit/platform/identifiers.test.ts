/** Identifier checks shared by pipeline validation, enrich joins and quality rules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkIdentifier } from '../../../cloud/platform/identifiers.js';
import { completeUscc } from '../../../shared/ids/uscc.js';

describe('checkIdentifier', () => {
  it('verifies check digits and normalises what it accepts', () => {
    const uscc = completeUscc('91310115MA1K4ABC0');
    assert.deepEqual(checkIdentifier('uscc', ` ${uscc.toLowerCase()} `), { ok: true, value: uscc });
    const wrong = uscc.slice(0, 17) + (uscc[17] === '1' ? '2' : '1');
    assert.equal((checkIdentifier('uscc', wrong) as { reason: string }).reason, 'check_digit');
    assert.equal((checkIdentifier('uscc', 'ABC') as { reason: string }).reason, 'format');
    assert.deepEqual(checkIdentifier('imo', 'IMO 9074729'), { ok: true, value: '9074729' });
    assert.equal((checkIdentifier('imo', 9074728) as { reason: string }).reason, 'check_digit');
    assert.deepEqual(checkIdentifier('container_no', 'csqu 3054383'), { ok: true, value: 'CSQU3054383' });
    assert.equal((checkIdentifier('container_no', 'CSQU3054384') as { reason: string }).reason, 'check_digit');
    assert.equal((checkIdentifier('container_no', 'CSQ3054384') as { reason: string }).reason, 'format');
    assert.equal(checkIdentifier('plate', '沪A12345').ok, true);
    assert.equal(checkIdentifier('plate', '沪12345').ok, false);
    assert.equal(checkIdentifier('customs_code', '3122940001').ok, true);
    assert.equal(checkIdentifier('entry_id', '222520261000000001').ok, true);
    assert.equal(checkIdentifier('entry_id', '2225202610000000XX').ok, false);
    assert.equal(checkIdentifier('hs', '84713000').ok, true);
    assert.equal(checkIdentifier('hs', '847').ok, false);
  });
});
