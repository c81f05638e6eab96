/** CompactStringMap (compact-map.ts) answers as a Map would, through growth, overwrites and any text. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompactStringMap } from '../../../cloud/platform/compact-map.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PARTS = ['', 'a', 'K', '1', '["222520261000000001",1]', '中文', 'é', '🚢', ' ', '"', '\n'];

describe('CompactStringMap', () => {
  it('matches a Map over 200 000 random gets, sets and overwrites', () => {
    const rand = rng(3);
    const text = (n: number) => {
      let s = '';
      for (let i = Math.floor(rand() * n); i > 0; i--) s += PARTS[Math.floor(rand() * PARTS.length)];
      return s;
    };
    const want = new Map<string, string>();
    const got = new CompactStringMap();
    const keys: string[] = [];
    for (let n = 0; n < 200_000; n++) {
      // mostly new keys (the index grows many times), some old ones looked up or overwritten
      const key = keys.length && rand() < 0.4 ? keys[Math.floor(rand() * keys.length)]! : `${text(4)}#${n}`;
      if (rand() < 0.5) {
        assert.equal(got.get(key), want.get(key), JSON.stringify(key));
        assert.equal(got.has(key), want.has(key));
      } else {
        const value = text(6);
        got.set(key, value);
        want.set(key, value);
        keys.push(key);
      }
    }
    assert.equal(got.size, want.size);
    for (const [k, v] of want) assert.equal(got.get(k), v);
    assert.equal(got.get('never set'), undefined);
  });

  it('keeps the empty key and empty values apart from missing ones; long keys and values', () => {
    const m = new CompactStringMap();
    assert.equal(m.get(''), undefined);
    m.set('', '');
    m.set('x', '');
    assert.deepEqual([m.get(''), m.get('x'), m.get('y'), m.size], ['', '', undefined, 2]);
    m.set('x', 'long value '.repeat(1000));
    assert.equal(m.get('x'), 'long value '.repeat(1000));
    const longKey = '键'.repeat(5000);
    m.set(longKey, 'v');
    assert.deepEqual([m.get(longKey), m.get(longKey.slice(1)), m.size], ['v', undefined, 3]);
  });
});
