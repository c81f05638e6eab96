/**
 * Prints the scrypt hash of a flows admin's password for the config's `flows.adminUsers[].passwordHash`.
 *   node --import tsx edge/flows/hash-password.ts            (asks on stdin, no echo when it is a terminal)
 *   printf '%s' "$PW" | node --import tsx edge/flows/hash-password.ts
 */
import readline from 'node:readline';
import { hashPassword } from './auth.js';

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  process.stderr.write('password: ');
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  const pw = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return pw;
}

const pw = await readPassword();
if (pw.length < 8) {
  process.stderr.write('a flows admin password has at least 8 characters\n');
  process.exit(2);
}
process.stdout.write(`${await hashPassword(pw)}\n`);
