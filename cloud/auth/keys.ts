/**
 * The console's two secrets: the session secret (keys stored session ids with HMAC-SM3) and the SM4
 * field key (sensitive fields at rest). Taken from the config when set there — several replicas must
 * share them — otherwise created once under dataDir/keys (mode 0600) and read back at every start.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface ConsoleKeys {
  sessionSecret: Buffer;
  fieldKey: Buffer;
}

function fileSecret(file: string, bytes: number): Buffer {
  try {
    const hex = fs.readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]+$/i.test(hex) && hex.length === bytes * 2) return Buffer.from(hex, 'hex');
    throw new Error(`${file} does not hold ${bytes} bytes as hex`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = crypto.randomBytes(bytes);
  try {
    fs.writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (e) {
    // Another process wrote it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return fileSecret(file, bytes);
    throw e;
  }
}

export function loadConsoleKeys(opts: { dataDir: string; sessionSecret?: string | undefined; fieldKey?: string | undefined }): ConsoleKeys {
  return {
    sessionSecret: opts.sessionSecret ? Buffer.from(opts.sessionSecret, 'utf8') : fileSecret(path.join(opts.dataDir, 'keys', 'session-secret.hex'), 32),
    fieldKey: opts.fieldKey ? Buffer.from(opts.fieldKey, 'hex') : fileSecret(path.join(opts.dataDir, 'keys', 'field-sm4.hex'), 16),
  };
}
