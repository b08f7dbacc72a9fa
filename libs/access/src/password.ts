import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

/**
 * Passwords are hashed with scrypt (memory-hard, in Node's crypto, no native addon). The stored
 * form carries its parameters so they can be raised later without breaking old hashes:
 * `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`.
 */
// OWASP's Password Storage Cheat Sheet: N=2^17, r=8, p=1, or one of its equal-cost settings;
// N=2^15, r=8, p=3 is one of those and keeps a hash at 32 MiB of memory (2^17 would take 128 MiB
// per concurrent login, which a burst of logins turns into a memory problem). p=1 before.
const N = 2 ** 15;
const R = 8;
const P = 3;
const KEYLEN = 32;
// N * r * 128 bytes = 32 MiB per hash; Node's default maxmem (32 MiB) is just too small.
const MAXMEM = 64 * 1024 * 1024;

/** A stored hash made with weaker parameters than today's: rehash it at the next good login. */
export function needsRehash(stored: string): boolean {
  const [kind, n, r, p] = stored.split('$');
  return kind !== 'scrypt' || Number(n) < N || Number(r) < R || Number(p) < P;
}

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, KEYLEN, { N: n, r, p, maxmem: MAXMEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n > 2 ** 20) return false;
  const expected = Buffer.from(parts[5], 'base64');
  const key = await scrypt(password, Buffer.from(parts[4], 'base64'), n, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Rules a new password must meet; returns the reasons it does not. */
export function passwordProblems(password: string): string[] {
  const out: string[] = [];
  if (password.length < 10) out.push('must be at least 10 characters');
  if (password.length > 200) out.push('must be at most 200 characters');
  if (!/[A-Za-z]/.test(password) || !/[0-9]/.test(password))
    out.push('must mix letters and digits');
  return out;
}
