import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Db } from '../db/connection.js';
import type { RecordsService } from '../records/records.service.js';
import { SessionRepo } from './auth.repo.js';
import type { PeopleService } from './people.service.js';
import type { Person, Role, SessionUser } from './people.types.js';
import { usernameKey } from './people.schema.js';

/** The session cookie. HttpOnly, SameSite=Lax, Path=/; no Secure: the box serves plain HTTP on its LAN. */
export const SESSION_COOKIE = 'fc_session';

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** Compare two strings in constant time (for CSRF tokens and class codes). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Sessions in records.db. The browser holds a random token; the table holds only its SHA-256, so a copy
 * of the database (a backup on a USB stick) cannot be replayed as a cookie. Each session has its own CSRF
 * secret, which is the token every form of that session carries.
 */
export class SessionService {
  private readonly repo: SessionRepo;
  private lastSweep = 0;

  constructor(
    db: Db,
    private readonly records: RecordsService,
    private readonly people: PeopleService,
    private readonly clock: Clock,
    private readonly ttlHours: number,
  ) {
    this.repo = new SessionRepo(db);
  }

  /** Check a username and secret for a role; the person or undefined (wrong secret, inactive, other role). */
  async verify(username: string, secret: string, role: Role): Promise<Person | undefined> {
    const person = await this.people.authenticate(username, secret);
    return person && person.role === role ? person : undefined;
  }

  /**
   * Open a session for a person; resolves once the row is durable (group commit, so a class signing in
   * at once shares a few commits). Returns the cookie token (never stored) and the session's user.
   */
  async create(person: Person): Promise<{ token: string; user: SessionUser; maxAgeSeconds: number }> {
    const token = randomToken();
    const tokenHash = sha256Hex(token);
    const csrfSecret = randomToken();
    const now = this.clock.now();
    const maxAgeSeconds = Math.round(this.ttlHours * 3600);
    const expiresAt = new Date(now.getTime() + maxAgeSeconds * 1000).toISOString();
    const sweep = now.getTime() - this.lastSweep > 3_600_000;
    if (sweep) this.lastSweep = now.getTime();
    await this.records.write(() => {
      if (sweep) this.repo.deleteExpired(now.toISOString());
      this.repo.insert({
        tokenHash,
        personId: person.id,
        role: person.role,
        csrfSecret,
        createdAt: now.toISOString(),
        expiresAt,
      });
    });
    return { token, user: { person, csrfToken: csrfSecret, tokenHash }, maxAgeSeconds };
  }

  /** The user of a cookie token: undefined when unknown, expired, or the person was deactivated. */
  lookup(token: string): (SessionUser & { role: Role }) | undefined {
    if (!token || token.length > 200) return undefined;
    const tokenHash = sha256Hex(token);
    const s = this.repo.lookup(tokenHash);
    if (!s || !s.person.active || s.role !== s.person.role) return undefined;
    if (s.expiresAt <= this.clock.now().toISOString()) return undefined;
    return { person: s.person, csrfToken: s.csrfSecret, tokenHash, role: s.role };
  }

  /** Sign out: remove the session; durable before the browser is told. */
  async destroy(tokenHash: string): Promise<void> {
    await this.records.write(() => this.repo.delete(tokenHash));
  }

  /** End every session of a person (deactivated, PIN reset). */
  destroyAll(personId: string): number {
    return this.records.writeNow(() => this.repo.deleteForPerson(personId));
  }
}

/**
 * Sign-in throttle: a sliding window of failed attempts per address and per username, in memory (a
 * restart forgets it, which is fine: it only slows guessing). A success clears the username's window.
 */
export class SigninLimiter {
  private readonly byAddress = new Map<string, number[]>();
  private readonly byUsername = new Map<string, number[]>();
  private readonly windowMs = 60_000;

  constructor(
    private readonly limits: { perAddressPerMinute: number; perUsernamePerMinute: number },
    private readonly now: () => number = Date.now,
  ) {}

  private recent(map: Map<string, number[]>, key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (map.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) map.set(key, list);
    else map.delete(key);
    return list;
  }

  /** Which limit, if any, blocks an attempt now. */
  check(address: string, username: string): 'address' | 'username' | null {
    if (this.recent(this.byAddress, address).length >= this.limits.perAddressPerMinute) return 'address';
    if (this.recent(this.byUsername, usernameKey(username)).length >= this.limits.perUsernamePerMinute)
      return 'username';
    return null;
  }

  fail(address: string, username: string): void {
    const t = this.now();
    this.byAddress.set(address, [...this.recent(this.byAddress, address), t]);
    const key = usernameKey(username);
    this.byUsername.set(key, [...this.recent(this.byUsername, key), t]);
    // Keep memory bounded if someone sprays usernames.
    if (this.byUsername.size > 50_000) this.byUsername.clear();
    if (this.byAddress.size > 50_000) this.byAddress.clear();
  }

  succeed(username: string): void {
    this.byUsername.delete(usernameKey(username));
  }
}
