/**
 * A virtual serial cable: two linked PTYs made by socat (`pty,raw,echo=0` on both ends). Whatever is
 * written to one end comes out of the other; a PTY ignores the baud rate. Used by the RTU tests, the
 * simulators (the device opens `b`, the gateway opens `a`) and the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PtyPair {
  /** Path of one end (a stable symlink to its /dev/pts/N). */
  a: string;
  /** Path of the other end. */
  b: string;
  /** The /dev/pts devices behind `a` and `b`. */
  devices: [string, string];
  /** Stops socat and removes the links. */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** Folder for the `a`/`b` links (default: a new temporary folder, removed on close). */
  dir?: string;
  /** How long to wait for socat (default 5000 ms). */
  timeoutMs?: number;
  /** The socat binary (default `socat` on PATH). */
  socat?: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that crashes must not leave socat processes behind.
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export async function createPtyPair(opts: PtyPairOptions = {}): Promise<PtyPair> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(path.join(tmpdir(), 'quayside-pty-')));
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const timeoutMs = opts.timeoutMs ?? 5000;
  installExitHook();
  const child = spawn(opts.socat ?? 'socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve()); // spawn failed: there will be no 'exit'
  });
  child.once('exit', () => live.delete(child));

  let stderr = '';
  const devices: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socat did not start within ${timeoutMs} ms: ${stderr.trim()}`)), timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot run socat: ${err.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`socat exited (${code}) before the PTYs were ready: ${stderr.trim()}`));
      });
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (s: string) => {
        if (stderr.length < 8192) stderr += s;
        for (const m of s.matchAll(/PTY is (\/dev\/\S+)/g)) devices.push(m[1]!);
        if (/starting data transfer loop/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await Promise.all([access(a), access(b)]);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw err;
  }
  child.stderr!.resume(); // keep draining socat's log

  let closing: Promise<void> | undefined;
  return {
    a,
    b,
    devices: [devices[0] ?? a, devices[1] ?? b],
    close: () =>
      (closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 1000);
          await exited;
          clearTimeout(t);
        }
        if (ownDir) await rm(dir, { recursive: true, force: true });
      })()),
  };
}
