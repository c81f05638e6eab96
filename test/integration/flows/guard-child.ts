/**
 * A process that installs the flows' FlowGuard and then fails in the way argv[2] names
 * (driven by guard.test.ts): the guard must contain the flows' errors and let the daemon's own kill it.
 */
import vm from 'node:vm';
import { pino } from 'pino';
import { FlowGuard } from '../../../edge/flows/guard.js';

const log = pino({ level: 'info' }, pino.destination({ dest: 2, sync: true }));
let tripped = 0;
const guard = new FlowGuard({ log, roots: ['/nonexistent-flows-root'], tripAfter: 3, onTrip: () => void tripped++ });
guard.install();
const mode = process.argv[2];

if (mode === 'scope') {
  // Raised inside the flows' async scope: a timer and an unhandled rejection.
  guard.run('test', () => {
    setTimeout(() => {
      throw new Error('flow timer throw');
    }, 5);
    void Promise.reject(new Error('flow rejection'));
  });
} else if (mode === 'stack') {
  // Outside the scope, but thrown by a Function node's script (Node-RED names it "Function node:<id>").
  const script = new vm.Script('setTimeout(() => { throw new Error("from a function node") }, 5)', { filename: 'Function node:abc123 [demo]' });
  guard.outside(() => script.runInNewContext({ setTimeout }));
} else if (mode === 'core') {
  // The gateway's own bug: must still end the process with exit code 1.
  setTimeout(() => {
    throw new Error('core bug');
  }, 5);
} else if (mode === 'core-after-flow-call') {
  // Gateway work a flow asked for runs outside the scope: its failures are the gateway's.
  guard.run('test', () => guard.outside(() => setTimeout(() => Promise.reject(new Error('core rejection')), 5)));
} else if (mode === 'trip') {
  for (let i = 0; i < 4; i++) guard.run('test', () => setTimeout(() => Promise.reject(new Error(`rejection ${i}`)), 5 + i));
}

setTimeout(() => {
  process.stdout.write(`alive contained=${guard.stats.contained} tripped=${tripped}\n`);
  process.exit(0);
}, 200);
