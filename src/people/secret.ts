import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Secrets are hashed with scrypt; the parameters live in the hash so they can change later.
 * Trainee PINs use a cost that keeps a whole class signing in at once fast on a Pi (~10 ms here,
 * ~40 ms on a Pi 4): a PIN has little entropy anyway, so the per-username rate limit is what protects it.
 * Coordinator passwords use a higher cost.
 */
const COST = { pin: 4096, password: 16384 } as const;

function scryptAsync(secret: string, salt: Buffer, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret.normalize('NFKC'), salt, 32, { N: n, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashSecret(secret: string, kind: keyof typeof COST): Promise<string> {
  const salt = randomBytes(16);
  const n = COST[kind];
  const key = await scryptAsync(secret, salt, n);
  return `scrypt$${n}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), Number(n));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash that never verifies, compared against when the username is unknown (same timing). */
export const DUMMY_HASH = `scrypt$${COST.pin}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;
