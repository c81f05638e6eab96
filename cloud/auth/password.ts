/**
 * Local passwords: the rules (length, character classes, not the username) and scrypt hashing with a
 * per-user random salt. The parameters travel with each hash (`scrypt$N$r$p$salt$hash`), so raising
 * the cost later does not lock anybody out: old hashes verify with their own parameters and are
 * re-hashed at the next successful login (`needsRehash`).
 */
import crypto from 'node:crypto';

export interface PasswordRules {
  minLength: number;
  /** Of: lower case, upper case, digits, other characters. */
  minClasses: number;
}

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_RULES: PasswordRules = { minLength: 10, minClasses: 3 };
export const DEFAULT_SCRYPT: ScryptParams = { N: 16384, r: 8, p: 1 };
const KEYLEN = 32;
const SALT_BYTES = 16;

/** Character classes present: lower, upper, digit, other (any other code point, CJK included). */
export function characterClasses(password: string): number {
  let lower = false;
  let upper = false;
  let digit = false;
  let other = false;
  for (const ch of password) {
    if (ch >= 'a' && ch <= 'z') lower = true;
    else if (ch >= 'A' && ch <= 'Z') upper = true;
    else if (ch >= '0' && ch <= '9') digit = true;
    else other = true;
  }
  return Number(lower) + Number(upper) + Number(digit) + Number(other);
}

/** Every rule the password breaks, in words (empty: acceptable). */
export function passwordProblems(password: string, username: string, rules: PasswordRules = DEFAULT_RULES): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < rules.minLength) problems.push(`at least ${rules.minLength} characters (has ${length})`);
  const classes = characterClasses(password);
  if (classes < rules.minClasses) problems.push(`at least ${rules.minClasses} of: lower case, upper case, digits, other characters (has ${classes})`);
  const u = username.trim().toLowerCase();
  if (u.length >= 3 && password.toLowerCase().includes(u)) problems.push('must not contain the username');
  if (u.length >= 3 && password.toLowerCase().includes([...u].reverse().join(''))) problems.push('must not contain the username reversed');
  return problems;
}

function scrypt(password: string, salt: Buffer, keylen: number, p: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: 128·N·r bytes plus slack, so N = 2^17 and r = 8 still fit.
    crypto.scrypt(password.normalize('NFC'), salt, keylen, { N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEYLEN, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

export function parsePasswordHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every((v) => Number.isSafeInteger(v) && v > 0)) return null;
  if ((params.N & (params.N - 1)) !== 0) return null;
  return { params, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

/** Constant-time check against a stored hash; a malformed hash never verifies. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parsePasswordHash(stored);
  if (!h || h.key.length === 0) return false;
  const actual = await scrypt(password, h.salt, h.key.length, h.params);
  return crypto.timingSafeEqual(actual, h.key);
}

export function needsRehash(stored: string, params: ScryptParams): boolean {
  const h = parsePasswordHash(stored);
  return !h || h.params.N !== params.N || h.params.r !== params.r || h.params.p !== params.p;
}

/** A hash of a random password: compared against when the user does not exist, so timing does not tell. */
let dummy: Promise<string> | null = null;
export function dummyHash(params: ScryptParams): Promise<string> {
  return (dummy ??= hashPassword(crypto.randomBytes(16).toString('hex'), params));
}
