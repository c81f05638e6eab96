/**
 * `npm run demo`: the cloud (embedded broker, SQLite store, embedded time-series), simulated quay
 * instruments, and an edge gateway that polls them and syncs to the cloud — all on loopback.
 * The gateway enrols with a one-time token, as a real one does. Prints every URL; Ctrl-C stops all.
 * The data platform gets its demo sources (cloud/platform/demo-sources): inbox files, simulated
 * outside services (a local HTTP/JSON API), the edge's own data over MQTT, the cloud's own API, and
 * a signed and sealed package exchanged with an enterprise; it prints how many are healthy.
 *   --seconds N   stop by itself after N seconds (a smoke run; prints what the cloud received)
 *   --port P      gateway API port (default 18080; 0 = any free port)
 *   --cloud-port P  cloud API and console port (default 18090)
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { startCloud, type RunningCloud } from '../cloud/main.js';
import { hashPassword } from '../edge/flows/auth.js';
import { ROOT, gatewayConfig, startDaemon, startSimulator, type Daemon, type Simulator } from './lib/stack.js';
import { plateVideo } from '../edge/vision/synthetic/plate-scene.js';
import { loadDemoSources, sourceHealth } from '../cloud/platform/demo-sources/load.js';
import { startSimulatedApi, type SimulatedApi } from '../cloud/platform/demo-sources/simulated-api.js';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string' }, port: { type: 'string', default: '18080' }, 'cloud-port': { type: 'string', default: '18090' }, dir: { type: 'string' } },
});
const dir = path.resolve(args.dir ?? path.join(ROOT, '.tmp', 'demo'));
// Every demo starts from a clean quay: a new cloud, a gateway that enrols afresh.
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const GATEWAY_ID = 'gw-demo-quay3';
const adminToken = randomBytes(18).toString('base64url');
const consoleAdmin = { username: 'admin', password: 'Quayside-demo-2026' };
let cloud: RunningCloud | undefined;
let api: SimulatedApi | undefined;
const apiToken = randomBytes(18).toString('base64url');
const mqttAdmin = { username: '_platform', password: randomBytes(18).toString('base64url') };

const simConfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'edge/simulators/demo.json'), 'utf8'));
let sim: Simulator | undefined;
let gw: Daemon | undefined;

async function stop(): Promise<void> {
  await gw?.stop();
  await sim?.stop();
  await cloud?.stop();
  await api?.stop();
}

/** The topic data sets' owners as customs departments, and one of their staff who decides access requests. */
const dataOwner = { username: 'qian.qi', displayName: '钱七', org: '企业管理科' };
async function addDataOwners(): Promise<void> {
  const call = async (p: string, body: unknown) => {
    const res = await fetch(`${cloud!.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify(body) });
    if (res.status !== 201 && res.status !== 200) throw new Error(`POST ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
  const owners = [...new Set((await cloud!.platform.list('dataset')).map((d) => d.definition.owner))].filter((o) => /[\u4e00-\u9fff]/.test(o));
  for (const name of owners) {
    const org = await call('/api/orgs', { kind: 'customs', name });
    if (name === dataOwner.org) await call('/api/users', { username: dataOwner.username, displayName: dataOwner.displayName, roles: ['command'], orgId: org.id, password: consoleAdmin.password });
  }
}

/** The published catalogue, and what the data owner may decide, seen through the owner's own log-in. */
async function catalogueLine(): Promise<string> {
  const published = (await cloud!.platform.catalogue.list({ status: 'published' })).length;
  const login = await fetch(`${cloud!.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: dataOwner.username, password: consoleAdmin.password }) });
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const res = await fetch(`${cloud!.url}/api/platform/access-requests?status=pending`, { headers: { cookie } });
  const items = res.ok ? ((await res.json()) as { items: { canDecide: boolean }[] }).items : [];
  return `catalogue: ${published} published; ${dataOwner.username} (${dataOwner.org}) can decide ${items.filter((i) => i.canDecide).length} of ${items.length} pending access requests${res.ok ? '' : ` (HTTP ${res.status})`}`;
}

async function sourcesLine(): Promise<string> {
  const h = await sourceHealth(cloud!.platform);
  const sick = h.sources.filter((s) => !s.healthy).map((s) => `${s.id} (${s.lastRun?.error ?? s.lastRun?.status ?? 'never run'})`);
  return `data sources: ${h.configured} configured, ${h.healthy} healthy${sick.length ? `; not healthy: ${sick.join(', ')}` : ''}`;
}

try {
  cloud = await startCloud(
    {
      version: 1,
      dataDir: path.join(dir, 'cloud'),
      log: { level: 'info' },
      api: { host: '127.0.0.1', port: Number(args['cloud-port']) },
      admin: { token: adminToken },
      broker: { mode: 'embedded', host: '127.0.0.1', port: 0, tlsPort: 0, admin: mqttAdmin },
      auth: { bootstrapAdmin: consoleAdmin },
    },
    { logDestination: pino.destination({ dest: path.join(dir, 'cloud.log'), mkdir: true, sync: false }) },
  );
  const created = await fetch(`${cloud.url}/api/gateways`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ id: GATEWAY_ID, name: '演示码头 3 号泊位 / Demo quay 3' }),
  });
  if (created.status !== 201) throw new Error(`cloud refused to create the gateway: ${created.status} ${await created.text()}`);
  const { enrolToken } = (await created.json()) as { enrolToken: string };

  sim = await startSimulator(dir, simConfig);
  // The gate camera: a looping synthetic scene with a plate, read at one frame every 2 s.
  const gateVideo = await plateVideo(dir, 4);
  const cfg = {
    ...gatewayConfig(sim.endpoints, { dataDir: path.join(dir, 'data'), logLevel: 'info', apiPort: Number(args.port) }),
    gateway: { id: GATEWAY_ID, name: '演示码头 3 号泊位 / Demo quay 3' },
    cloud: { enrolment: { url: cloud.url, token: enrolToken } },
    flows: {
      enabled: true,
      credentialSecret: randomBytes(18).toString('base64url'),
      adminUsers: [{ username: 'admin', passwordHash: await hashPassword(consoleAdmin.password) }],
    },
    cameras: [{ id: 'gate-cam-1', url: gateVideo, fps: 0.5, width: 640, height: 360, analyses: ['plate'], queue: 1, loop: true }],
  };
  const cfgFile = path.join(dir, 'gateway.json');
  fs.writeFileSync(cfgFile, JSON.stringify(cfg, null, 2));
  gw = await startDaemon(cfgFile);
  // The demo ship's particulars, hydrostatics and tank tables, so a survey can start at once
  // (importing the same files again returns the stored version).
  const file = (name: string) => ({ name, text: fs.readFileSync(path.join(ROOT, 'test/fixtures/edge-survey', name), 'utf8') });
  const imported = await gw.post('/api/survey/vessels/import-csv', {
    valid_from: '2026-01-01',
    operator: 'demo',
    files: {
      particulars: file('particulars.csv'),
      hydrostatics: file('hydrostatics.csv'),
      tanks: file('tanks.csv'),
      tank_tables: [file('tank-tables.csv'), file('fpt-level.csv'), file('fw-level.csv')],
    },
  });
  if (imported.status >= 300) throw new Error(`vessel import failed: ${JSON.stringify(imported.body)}`);

  // The data platform's sources: simulated outside services, inbox files, MQTT, the cloud's own API, the exchange.
  api = await startSimulatedApi({ token: apiToken });
  await loadDemoSources(cloud.platform, path.join(dir, 'cloud', 'platform'), {
    api: api.url,
    apiToken,
    cloud: cloud.url,
    cloudToken: adminToken,
    mqtt: `mqtt://127.0.0.1:${cloud.mqttPort}`,
    mqttUser: mqttAdmin.username,
    mqttPassword: mqttAdmin.password,
  });
  await addDataOwners();
} catch (e) {
  console.error(`demo: cannot start: ${(e as Error).message}`);
  await stop();
  process.exit(1);
}

console.log(`
Quayside demo is running.
  Cloud console      ${cloud!.url}/            (log in as ${consoleAdmin.username} / ${consoleAdmin.password})
                     data owner ${dataOwner.org}: ${dataOwner.username} / ${consoleAdmin.password}  (decides access requests: 数据资源平台 → 资源目录)
  Cloud API          ${cloud!.url}/api/gateways/${GATEWAY_ID}/latest   (Authorization: Bearer ${adminToken})
  Node-RED editor    ${gw.url}/flows/admin/   (admin / ${consoleAdmin.password})
  Inspector's tablet ${gw.url}/            (draft survey 水尺计重; vessel CHANGJIANG PIONEER is loaded)
  Edge gateway API   ${gw.url}/api/health
                     ${gw.url}/api/devices
                     ${gw.url}/api/devices/draft-gauge/latest
                     ${gw.url}/api/cameras/events   (plates read by the gate camera)
                     ${gw.url}/metrics
  Simulator control  ${sim.control}/devices   (inject faults: POST /devices/:id/faults {"timeout":true})
  Gateway config     ${path.relative(ROOT, path.join(dir, 'gateway.json'))}   data: ${path.relative(ROOT, path.join(dir, 'data'))}
  Data platform      ${cloud!.url}/api/platform/connectors   (sources; inbox files under ${path.relative(ROOT, path.join(dir, 'cloud', 'platform', 'inbox'))})
                     ${cloud!.url}/api/platform/exchange/log  (data exchange)
  ${await sourcesLine()}
Press Ctrl-C to stop.`);

const done = new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
  if (args.seconds) setTimeout(resolve, Number(args.seconds) * 1000).unref();
  void gw!.exited.then(() => resolve());
  void sim!.exited.then(() => resolve());
});
await done;
if (args.seconds) {
  const health = await gw.get('/api/health').catch(() => undefined);
  console.log('edge devices:', JSON.stringify(health?.devices?.map((d: { id: string; state: string }) => `${d.id}:${d.state}`) ?? health));
  const auth = { authorization: `Bearer ${adminToken}` };
  const gateway = await fetch(`${cloud!.url}/api/gateways/${GATEWAY_ID}`, { headers: auth }).then((r) => r.json());
  const latest = (await fetch(`${cloud!.url}/api/gateways/${GATEWAY_ID}/latest`, { headers: auth }).then((r) => r.json())) as unknown;
  const rows = (latest as { rows?: unknown[] })?.rows ?? [];
  console.log('cloud gateway:', JSON.stringify(gateway));
  console.log(`cloud latest values: ${rows.length} points`, JSON.stringify(rows.slice(0, 3)));
  const plates = (await gw.get('/api/cameras/events?kind=plate&limit=3').catch(() => [])) as Array<{ value: string; confidence: number }>;
  console.log('gate camera plates:', JSON.stringify(plates.map((p) => `${p.value} (${p.confidence})`)));
  console.log(await sourcesLine());
  console.log(await catalogueLine());
}
await stop();
