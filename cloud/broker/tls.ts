/**
 * TLS material for the embedded broker: the configured certificate and key, or a self-signed
 * certificate generated once under `dataDir/tls` (names: localhost, 127.0.0.1 and `certNames`). The
 * self-signed certificate is its own CA: gateways receive it at enrolment and pin it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { QuaysideError } from '../../shared/errors.js';
import type { EmbeddedBrokerConfig } from '../config/schema.js';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** What clients should trust. */
  ca: string;
  generated: boolean;
}

export function loadOrCreateTls(config: EmbeddedBrokerConfig, dataDir: string): TlsMaterial {
  if (config.tls) {
    try {
      const cert = fs.readFileSync(config.tls.certFile, 'utf8');
      const key = fs.readFileSync(config.tls.keyFile, 'utf8');
      const ca = config.tls.caFile ? fs.readFileSync(config.tls.caFile, 'utf8') : cert;
      return { key, cert, ca, generated: false };
    } catch (e) {
      throw new QuaysideError('CLOUD_TLS', (e as Error).message, { cause: e });
    }
  }
  const dir = path.join(dataDir, 'tls');
  const certFile = path.join(dir, 'server.crt');
  const keyFile = path.join(dir, 'server.key');
  const namesFile = path.join(dir, 'names.json');
  const names = [...new Set(['localhost', '127.0.0.1', ...config.certNames])];
  const sameNames = fs.existsSync(namesFile) && fs.readFileSync(namesFile, 'utf8') === JSON.stringify(names);
  if (!(fs.existsSync(certFile) && fs.existsSync(keyFile) && sameNames)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const san = names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '825', '-subj', '/CN=quayside-cloud', '-addext', `subjectAltName=${san}`, '-keyout', keyFile, '-out', certFile],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
      throw new QuaysideError('CLOUD_TLS', `openssl could not generate a certificate: ${stderr || (e as Error).message}`, { cause: e });
    }
    fs.chmodSync(keyFile, 0o600);
    fs.writeFileSync(namesFile, JSON.stringify(names));
  }
  const cert = fs.readFileSync(certFile, 'utf8');
  return { key: fs.readFileSync(keyFile, 'utf8'), cert, ca: cert, generated: true };
}
