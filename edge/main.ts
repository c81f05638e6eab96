/**
 * Quayside edge daemon — the composition root.
 *   node --import tsx edge/main.ts --config gateway.json
 * Loads and validates the config and profiles (every mistake printed at once → exit 1), opens the
 * store, builds drivers and the scheduler, starts the API and prints its URL. SIGINT/SIGTERM: stop
 * polling, commit what the writer holds, close drivers and the database, exit 0.
 */
import { parseArgs } from 'node:util';
import { isQuaysideError } from '../shared/errors.js';
import { startGateway, type Gateway } from './app.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\nusage: edge/main.ts --config FILE\n`);
    return 2;
  }
  if (args.help || !args.config) {
    process.stderr.write('usage: edge/main.ts --config FILE\n');
    return args.help ? 0 : 2;
  }

  let gateway: Gateway;
  try {
    gateway = await startGateway({ configPath: args.config });
  } catch (e) {
    const code = isQuaysideError(e) ? `${e.code}: ` : '';
    process.stderr.write(`quayside edge: cannot start\n${code}${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`Quayside edge API listening on ${gateway.url}\n`);

  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) {
        process.stderr.write(`${sig} again: exiting without a clean stop\n`);
        process.exit(1);
      }
      gateway.logger.root.info({ signal: sig }, 'signal received');
      void gateway.stop().then(resolve, resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return 0;
}

process.exitCode = await main();
// Sockets, serial ports and timers are closed; exit now in case a library left a handle open.
process.exit(process.exitCode);
