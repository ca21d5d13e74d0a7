import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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
  private deviceKey: Buffer | undefined;
  /** Device cookies for the sign-in throttle; their key is made once and kept in records meta. */
  readonly devices = new DeviceTrust(() => (this.deviceKey ??= this.loadDeviceKey()));

  constructor(
    db: Db,
    private readonly records: RecordsService,
    private readonly people: PeopleService,
    private readonly clock: Clock,
    private readonly ttlHours: number,
  ) {
    this.repo = new SessionRepo(db);
  }

  private loadDeviceKey(): Buffer {
    const hex =
      this.records.getMeta('device_key') ??
      this.records.writeNow(() => {
        const made = this.records.getMeta('device_key') ?? randomBytes(32).toString('hex');
        this.records.setMeta('device_key', made);
        return made;
      });
    return Buffer.from(hex, 'hex');
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
 * Sign-in throttle. It must stop guessing without locking out the person who knows the secret:
 *
 * - a browser that holds a device cookie for a username (set after a successful sign-in there, see
 *   {@link DeviceTrust}) is never refused for that username, whatever others do;
 * - any other browser gets `perUsernamePerMinute` failures per username **from its address**, then only
 *   that address is refused for that username (an attacker elsewhere never locks the trainee out);
 * - an address gets `perAddressPerMinute` failures over all usernames (sized for a class of 40 behind one
 *   NAT address, where each trainee may mistype a few times);
 * - codes (class code at sign-up, setup code) are throttled per address only, never globally.
 *
 * Windows run on a monotonic clock (a wall-clock jump must neither keep people out nor free an
 * attacker), and the keys live in a bounded LRU: spraying usernames evicts the oldest windows one at a
 * time (each spray costs the sprayer's own address window) instead of clearing everything. In memory: a
 * restart forgets it, which only gives a guesser one more minute.
 */
export class SigninLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly windowMs = 60_000;

  constructor(
    private readonly limits: {
      perAddressPerMinute: number;
      perUsernamePerMinute: number;
      codesPerAddressPerMinute?: number;
    },
    private readonly now: () => number = () => performance.now(),
    private readonly maxKeys = 20_000,
  ) {}

  /** Failures of a key still in the window (the key becomes the most recently used). */
  private recent(key: string): number[] {
    const list = this.windows.get(key);
    if (!list) return [];
    const cutoff = this.now() - this.windowMs;
    const kept = list.filter((t) => t > cutoff);
    this.windows.delete(key);
    if (kept.length) this.windows.set(key, kept);
    return kept;
  }

  private add(key: string, limit: number): void {
    const list = this.recent(key);
    list.push(this.now());
    // A window never needs more than its limit: older failures would leave it first anyway.
    this.windows.set(key, list.length > limit ? list.slice(-limit) : list);
    while (this.windows.size > this.maxKeys) {
      const oldest = this.windows.keys().next().value as string;
      this.windows.delete(oldest);
    }
  }

  private static userKey(address: string, username: string): string {
    return `u\u0000${usernameKey(username)}\u0000${address}`;
  }

  /**
   * Which limit, if any, blocks a sign-in attempt now. `trusted`: the browser holds a device cookie for
   * this username ({@link DeviceTrust.trusts}); it is never blocked.
   */
  check(address: string, username: string, trusted = false): 'address' | 'username' | null {
    if (trusted) return null;
    if (this.recent(SigninLimiter.userKey(address, username)).length >= this.limits.perUsernamePerMinute)
      return 'username';
    if (this.recent(`a\u0000${address}`).length >= this.limits.perAddressPerMinute) return 'address';
    return null;
  }

  /** A wrong secret. A trusted browser's typo counts against nobody (it can never be refused anyway). */
  fail(address: string, username: string, trusted = false): void {
    if (trusted) return;
    this.add(SigninLimiter.userKey(address, username), this.limits.perUsernamePerMinute);
    this.add(`a\u0000${address}`, this.limits.perAddressPerMinute);
  }

  /** The right secret: that username's window from that address starts again. */
  succeed(username: string, address?: string): void {
    if (address !== undefined) this.windows.delete(SigninLimiter.userKey(address, username));
  }

  private get codeLimit(): number {
    return this.limits.codesPerAddressPerMinute ?? this.limits.perUsernamePerMinute;
  }

  /** Whether an address may try a code (class code, setup code) now. */
  checkCode(address: string): boolean {
    return this.recent(`c\u0000${address}`).length < this.codeLimit;
  }

  /** A wrong code from an address. */
  failCode(address: string): void {
    this.add(`c\u0000${address}`, this.codeLimit);
  }

  /** How many keys are held (tests: the LRU stays bounded). */
  get size(): number {
    return this.windows.size;
  }
}

/** The cookie that marks a browser where a person has signed in before (see DeviceTrust). */
export const DEVICE_COOKIE = 'fc_device';
/** How many usernames one device cookie remembers (a phone shared by a few trainees). */
const DEVICE_USERNAMES = 8;

/**
 * Device trust: after a successful sign-in, the browser gets a cookie naming the usernames that signed
 * in on it, with an HMAC under a key kept in records meta (so it survives restarts and cannot be forged
 * or moved to another username). The sign-in throttle never refuses such a browser for those usernames.
 */
export class DeviceTrust {
  constructor(private readonly key: () => Buffer) {}

  private mac(payload: string): string {
    return createHmac('sha256', this.key()).update(`fieldclass-device-v1\n${payload}`).digest('base64url');
  }

  private usernames(cookie: string | undefined): string[] {
    if (!cookie || cookie.length > 2000) return [];
    const dot = cookie.lastIndexOf('.');
    if (dot < 1) return [];
    const payload = cookie.slice(0, dot);
    if (!safeEqual(cookie.slice(dot + 1), this.mac(payload))) return [];
    try {
      const list: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      return Array.isArray(list) ? list.filter((u): u is string => typeof u === 'string') : [];
    } catch {
      return [];
    }
  }

  /** Whether this cookie proves an earlier successful sign-in of this username in this browser. */
  trusts(cookie: string | undefined, username: string): boolean {
    return this.usernames(cookie).includes(usernameKey(username));
  }

  /** The cookie value after this username signed in (most recent first, a few kept). */
  add(cookie: string | undefined, username: string): string {
    const key = usernameKey(username);
    const list = [key, ...this.usernames(cookie).filter((u) => u !== key)].slice(0, DEVICE_USERNAMES);
    const payload = Buffer.from(JSON.stringify(list), 'utf8').toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }
}
