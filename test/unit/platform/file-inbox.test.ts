/** The file-inbox connector on a large file: every record becomes a row, nothing overflows. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pullFileInbox } from '../../../cloud/platform/connectors/file-inbox.js';
import { gather, type PullContext } from '../../../cloud/platform/connectors/types.js';
import { ConnectorDefinition, DatasetDefinition } from '../../../cloud/platform/definitions.js';

describe('file-inbox connector', () => {
  it('reads a file of 300 000 records (more than fit in one call’s arguments), then archives it', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'qs-inbox-'));
    try {
      const dir = path.join(base, 'in');
      fs.mkdirSync(dir);
      const n = 300_000;
      const lines = ['id,v'];
      for (let i = 0; i < n; i++) lines.push(`${i},${i % 7}`);
      lines.push('x,1,extra'); // one unreadable record
      fs.writeFileSync(path.join(dir, 'big.csv'), lines.join('\n'));
      const definition = ConnectorDefinition.parse({ id: 'big', name: 'big', source: { kind: 'file-inbox', dir: 'in', pattern: '*.csv' }, target: { dataset: 'big' } });
      const target = DatasetDefinition.parse({ name: 'big', title: 'big', owner: 'o', fields: [{ name: 'id', type: 'text' }], key: ['id'] });
      const ctx: PullContext = {
        definition,
        cursor: null,
        secret: () => '',
        baseDir: base,
        signal: new AbortController().signal,
        target,
        readTarget: async function* () {},
      };
      const src = definition.source;
      assert.equal(src.kind, 'file-inbox');
      if (src.kind !== 'file-inbox') return;
      const pulled = await pullFileInbox(src, ctx);
      const got = { ...(await gather(pulled.slices)), commit: pulled.commit };
      assert.equal(got.rows.length, n);
      assert.deepEqual(got.rows[n - 1], { ref: `big.csv:${n + 1}`, data: { id: String(n - 1), v: String((n - 1) % 7) } });
      assert.deepEqual(
        got.rejects.map((r) => [r.ref, r.reason]),
        [[`big.csv:${n + 2}`, 'parse_error']],
      );
      await got.commit?.();
      assert.deepEqual(fs.readdirSync(dir).sort(), ['archive']);
      assert.equal(fs.readdirSync(path.join(dir, 'archive')).length, 1);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
