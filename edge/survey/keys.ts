/**
 * The gateway's SM2 signing key pair for survey records: generated once, kept in the data dir
 * (`survey/keys/gateway-sm2.key.pem`, mode 0600, and the public key beside it), loaded on start.
 * The public key is published by the API so that anyone can verify a signed record later.
 */
import fs from 'node:fs';
import path from 'node:path';
import { QuaysideError } from '../../shared/errors.js';
import {
  generateKeyPair,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyFingerprint,
  publicKeyToHex,
  publicKeyToPem,
  type Sm2PrivateKey,
} from '../../shared/crypto/sm2.js';

export interface GatewayKey {
  key: Sm2PrivateKey;
  publicKeyHex: string;
  publicKeyPem: string;
  fingerprint: string;
  file: string;
  /** True when this call generated the pair. */
  created: boolean;
}

export function keyFiles(dataDir: string): { dir: string; privateFile: string; publicFile: string } {
  const dir = path.join(dataDir, 'survey', 'keys');
  return { dir, privateFile: path.join(dir, 'gateway-sm2.key.pem'), publicFile: path.join(dir, 'gateway-sm2.pub.pem') };
}

/** Loads the gateway key pair, generating and saving it the first time. */
export function loadOrCreateGatewayKey(dataDir: string): GatewayKey {
  const { dir, privateFile, publicFile } = keyFiles(dataDir);
  let key: Sm2PrivateKey;
  let created = false;
  try {
    if (fs.existsSync(privateFile)) {
      key = privateKeyFromPem(fs.readFileSync(privateFile, 'utf8'));
    } else {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      key = generateKeyPair();
      // Write to a temporary name and rename, so a crash never leaves half a key behind.
      const tmp = `${privateFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, privateKeyToPem(key), { mode: 0o600 });
      fs.renameSync(tmp, privateFile);
      created = true;
    }
    const publicKeyPem = publicKeyToPem(key.publicKey);
    if (!fs.existsSync(publicFile) || fs.readFileSync(publicFile, 'utf8') !== publicKeyPem) fs.writeFileSync(publicFile, publicKeyPem);
    return { key, publicKeyHex: publicKeyToHex(key.publicKey), publicKeyPem, fingerprint: publicKeyFingerprint(key.publicKey), file: privateFile, created };
  } catch (error) {
    if (error instanceof QuaysideError) throw error;
    throw new QuaysideError('EDGE_SURVEY_KEY', `${privateFile}: ${(error as Error).message}`, { cause: error });
  }
}
