/**
 * Who may open the flows editor and admin API. Node-RED's own `adminAuth` only knows bcrypt hashes in
 * its settings; we give it a `users` and an `authenticate` function instead (Node-RED's "custom user
 * authentication"), backed by an `AdminAccounts` port. Today the port is the config's `flows.adminUsers`
 * list, whose hashes are scrypt in the same `scrypt$N$r$p$salt$hash` format as the cloud's 4A accounts
 * (or bcrypt, so a hash made by `node-red admin hash-pw` also works). When the gateway grows its own
 * account store, only the adapter changes.
 */
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (password: crypto.BinaryLike, salt: crypto.BinaryLike, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

export type FlowsPermission = '*' | 'read';

export interface FlowsAdmin {
  username: string;
  permissions: FlowsPermission;
}

/** The accounts that may administer flows. */
export interface AdminAccounts {
  /** The account, without any secret; undefined when unknown. */
  get(username: string): FlowsAdmin | undefined;
  /** The account when the password is right, else undefined. Takes about as long either way. */
  verify(username: string, password: string): Promise<FlowsAdmin | undefined>;
}

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

/** Hashes a password the way the config expects it (scrypt, the cloud's 4A format). */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

let bcryptCompare: ((password: string, hash: string) => Promise<boolean>) | undefined;
/** bcrypt comes with Node-RED (its own dependency: @node-rs/bcrypt, else bcryptjs); resolved from there. */
function bcrypt(): (password: string, hash: string) => Promise<boolean> {
  if (bcryptCompare) return bcryptCompare;
  const req = createRequire(createRequire(import.meta.url).resolve('@node-red/editor-api/package.json'));
  let mod: { compare(p: string, h: string): Promise<boolean> };
  try {
    mod = req('@node-rs/bcrypt') as typeof mod;
  } catch {
    mod = req('bcryptjs') as typeof mod;
  }
  bcryptCompare = (p, h) => mod.compare(p, h);
  return bcryptCompare;
}

/** True when `password` matches a scrypt or bcrypt hash; false for anything else (never throws). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  try {
    if (stored.startsWith('scrypt$')) {
      const parts = stored.split('$');
      if (parts.length !== 6) return false;
      const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
      const expected = Buffer.from(hashB64, 'base64');
      if (expected.length < 16) return false;
      const actual = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 });
      return crypto.timingSafeEqual(actual, expected);
    }
    if (/^\$2[aby]\$/.test(stored)) return await bcrypt()(password, stored);
    return false;
  } catch {
    return false;
  }
}

/** A fixed hash to compare against for unknown users, so a wrong username costs as long as a wrong password. */
const DUMMY = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** The config's `flows.adminUsers` as AdminAccounts. */
export function configAccounts(users: readonly { username: string; passwordHash: string; permissions: FlowsPermission }[]): AdminAccounts {
  const byName = new Map(users.map((u) => [u.username, u]));
  return {
    get(username) {
      const u = byName.get(username);
      return u ? { username: u.username, permissions: u.permissions } : undefined;
    },
    async verify(username, password) {
      const u = byName.get(username);
      const ok = await verifyPassword(password, u?.passwordHash ?? DUMMY);
      return u && ok ? { username: u.username, permissions: u.permissions } : undefined;
    },
  };
}

/** Node-RED's `adminAuth` over AdminAccounts (no anonymous access: there is no `default` user). */
export function nodeRedAdminAuth(accounts: AdminAccounts, opts: { sessionExpiryS: number; onLogin?: (username: string, ok: boolean) => void }) {
  return {
    type: 'credentials' as const,
    sessionExpiryTime: opts.sessionExpiryS,
    users: (username: string) => Promise.resolve(accounts.get(username) ?? null),
    authenticate: async (username: string, password: string) => {
      const u = await accounts.verify(username, password);
      opts.onLogin?.(username, u !== undefined);
      return u ?? null;
    },
  };
}
