/**
 * Loads the demo's configured sources into a running platform:
 *   1. the six topic data sets (cloud/platform/topics);
 *   2. the data files of data/<folder>/ dropped into the inboxes <baseDir>/inbox/<folder>/;
 *   3. the key files the definitions name by reference, under <baseDir>/secrets/;
 *   4. the definition files here (*.json), their {{API}} / {{CLOUD}} / {{MQTT}} placeholders replaced
 *      with the simulated services' addresses, saved through importDefinitions;
 *   5. the exchange partner (exchange/partners.json) and one package from it: the enterprise's
 *      stock file, signed with the enterprise's SM2 key and sealed with the agreed SM4 key, dropped
 *      into exchange/incoming and verified (its data then lands through a file-inbox connector);
 *   6. a first run of every connector;
 *   7. the resource catalogue (catalogue/entries.json): one published entry per topic data set, and a
 *      pending access request to the enterprise entry, for its owner (企业管理科) to decide.
 * sourceHealth() says how many sources are configured and how many are healthy (enabled, and the
 * last run succeeded).
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateKeyPair, generateSm4Key, publicKeyToHex } from '../../../shared/crypto/index.js';
import { buildPackage } from '../exchange.js';
import { TOPICS_DIR, type PlatformService } from '../service.js';
import { DEMO_DATA_DIR } from './simulated-api.js';

export const DEMO_SOURCES_DIR = import.meta.dirname;

export interface DemoEndpoints {
  /** The simulated outside services (simulated-api.ts). */
  api: string;
  apiToken: string;
  /** The cloud's own REST API and a token it accepts (internal systems). */
  cloud: string;
  cloudToken: string;
  /** The cloud's MQTT broker and an internal client's credentials (the edge's own data). */
  mqtt: string;
  mqttUser: string;
  mqttPassword: string;
}

/** Inbox folders fed from data/<folder>/ (everything but the simulated services' and the exchanged data). */
const NOT_INBOXES = new Set(['api', 'exchange']);

function writeSecret(baseDir: string, name: string, value: string): void {
  const dir = path.join(baseDir, 'secrets');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dir, name), value, { mode: 0o600 });
}

async function pool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export async function loadDemoSources(platform: PlatformService, baseDir: string, ep: DemoEndpoints, by = 'demo'): Promise<{ connectors: string[]; exchanged: boolean }> {
  await platform.importDefinitions(TOPICS_DIR, by);

  for (const folder of fs.readdirSync(DEMO_DATA_DIR)) {
    if (NOT_INBOXES.has(folder)) continue;
    const to = path.join(baseDir, 'inbox', folder);
    fs.mkdirSync(to, { recursive: true });
    for (const f of fs.readdirSync(path.join(DEMO_DATA_DIR, folder))) fs.copyFileSync(path.join(DEMO_DATA_DIR, folder, f), path.join(to, f));
  }

  // the enterprise's keys exist only in the demo: its private key signs below, its public key is ours to verify with
  const yangshan = generateKeyPair();
  const sm4 = generateSm4Key();
  writeSecret(baseDir, 'demo-api-token', ep.apiToken);
  writeSecret(baseDir, 'demo-cloud-api', ep.cloudToken);
  writeSecret(baseDir, 'demo-mqtt-user', ep.mqttUser);
  writeSecret(baseDir, 'demo-mqtt-password', ep.mqttPassword);
  writeSecret(baseDir, 'demo-yangshan-public-key', publicKeyToHex(yangshan.publicKey));
  writeSecret(baseDir, 'demo-yangshan-sm4', sm4.toString('hex'));

  const rendered = path.join(baseDir, 'demo-definitions');
  fs.mkdirSync(rendered, { recursive: true });
  for (const name of fs.readdirSync(DEMO_SOURCES_DIR).filter((n) => n.endsWith('.json'))) {
    const text = fs.readFileSync(path.join(DEMO_SOURCES_DIR, name), 'utf8').replaceAll('{{API}}', ep.api).replaceAll('{{CLOUD}}', ep.cloud).replaceAll('{{MQTT}}', ep.mqtt);
    fs.writeFileSync(path.join(rendered, name), text);
  }
  const saved = await platform.importDefinitions(rendered, by);
  await platform.exchange.importFolder(path.join(DEMO_SOURCES_DIR, 'exchange'), by);

  // the enterprise sends its bonded-warehouse stock through the exchange
  const stockDir = path.join(DEMO_DATA_DIR, 'exchange', 'yangshan-stock');
  let exchanged = false;
  for (const f of fs.readdirSync(stockDir)) {
    const data = fs.readFileSync(path.join(stockDir, f));
    const lines = data.toString('utf8').trim().split(/\r?\n/);
    const { bytes, manifest } = buildPackage({
      sender: 'ent-yangshan-logistics',
      receiver: 'pudong-customs',
      exchange: 'bonded-stock-daily',
      dataset: '保税仓库存',
      columns: lines[0]!.split(','),
      rows: lines.length - 1,
      dataFormat: 'csv',
      data,
      signingKey: yangshan,
      sm4Key: sm4,
    });
    const incoming = platform.exchange.incomingDir();
    fs.mkdirSync(incoming, { recursive: true });
    fs.writeFileSync(path.join(incoming, `${manifest.packageId}.qsx.json`), bytes);
  }
  for (const r of await platform.exchange.scanIncoming()) exchanged ||= r.accepted;

  const connectors = saved.filter((s) => s.kind === 'connector').map((s) => s.id);
  // a first run of each (several at once: the MQTT windows overlap the file loads)
  await pool(connectors, 4, async (id) => {
    await platform.runConnector(id, { trigger: 'manual' }).catch(() => undefined);
  });
  await loadDemoCatalogue(platform, by);
  return { connectors, exchanged };
}

/** Creates and publishes the demo's catalogue entries (once: entries already there by name are left alone). */
async function loadDemoCatalogue(platform: PlatformService, by: string): Promise<void> {
  const { entries } = JSON.parse(fs.readFileSync(path.join(DEMO_SOURCES_DIR, 'catalogue', 'entries.json'), 'utf8')) as { entries: unknown[] };
  const existing = new Set((await platform.catalogue.list()).map((e) => e.name));
  for (const input of entries) {
    if (existing.has((input as { name: string }).name)) continue;
    const e = await platform.catalogue.create(input, by);
    await platform.catalogue.setStatus(e.code, 'published', by);
    if (e.dataset === 'topic_enterprise') await platform.catalogue.requestAccess(e.code, { organisation: '上海海事局', purpose: '核对靠港船舶代理企业的信用等级' }, 'msa.liaison');
  }
}

export interface SourceHealth {
  configured: number;
  healthy: number;
  sources: { id: string; kind: string; healthy: boolean; lastRun: { status: string; rowsIn: number; rowsInserted: number; error: string | null } | null }[];
}

/** Configured connectors, and which are healthy: enabled, and their last run succeeded. */
export async function sourceHealth(platform: PlatformService): Promise<SourceHealth> {
  const sources: SourceHealth['sources'] = [];
  for (const c of await platform.list('connector')) {
    const last = (await platform.runs({ connectorId: c.id, limit: 1 })).items[0];
    const healthy = c.definition.enabled && last?.status === 'succeeded';
    sources.push({ id: c.id, kind: c.definition.source.kind, healthy, lastRun: last ? { status: last.status, rowsIn: last.rowsIn, rowsInserted: last.rowsInserted, error: last.error } : null });
  }
  return { configured: sources.length, healthy: sources.filter((s) => s.healthy).length, sources };
}
