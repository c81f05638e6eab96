/**
 * `npm run demo`: simulated quay instruments + an edge gateway polling them, on loopback.
 * Prints the gateway's API URL and the simulator's control URL; Ctrl-C stops everything.
 *   --seconds N   stop by itself after N seconds (a smoke run)
 *   --port P      gateway API port (default 18080; 0 = any free port)
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, gatewayConfig, startDaemon, startSimulator, type Daemon, type Simulator } from './lib/stack.js';

const { values: args } = parseArgs({ options: { seconds: { type: 'string' }, port: { type: 'string', default: '18080' } } });
const dir = path.join(ROOT, '.tmp', 'demo');
fs.mkdirSync(dir, { recursive: true });

const simConfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'edge/simulators/demo.json'), 'utf8'));
let sim: Simulator | undefined;
let gw: Daemon | undefined;

async function stop(): Promise<void> {
  await gw?.stop();
  await sim?.stop();
}

try {
  sim = await startSimulator(dir, simConfig);
  const cfg = { ...gatewayConfig(sim.endpoints, { dataDir: path.join(dir, 'data'), logLevel: 'info', apiPort: Number(args.port) }), gateway: { id: 'gw-demo-quay3', name: '演示码头 3 号泊位 / Demo quay 3' } };
  const cfgFile = path.join(dir, 'gateway.json');
  fs.writeFileSync(cfgFile, JSON.stringify(cfg, null, 2));
  gw = await startDaemon(cfgFile);
} catch (e) {
  console.error(`demo: cannot start: ${(e as Error).message}`);
  await stop();
  process.exit(1);
}

console.log(`
Quayside demo is running.
  Edge gateway API   ${gw.url}/api/health
                     ${gw.url}/api/devices
                     ${gw.url}/api/devices/draft-gauge/latest
                     ${gw.url}/metrics
  Simulator control  ${sim.control}/devices   (inject faults: POST /devices/:id/faults {"timeout":true})
  Gateway config     ${path.relative(ROOT, path.join(dir, 'gateway.json'))}   data: ${path.relative(ROOT, path.join(dir, 'data'))}
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
  console.log(JSON.stringify(health?.devices?.map((d: { id: string; state: string }) => `${d.id}:${d.state}`) ?? health));
}
await stop();
