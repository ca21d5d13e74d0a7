import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { newId, newToken } from '../core/ids.js';
import type { Db } from '../db/connection.js';
import { usernameKey, usernameSchema, passwordSchema } from '../people/people.schema.js';
import { DUMMY_HASH, hashSecret, verifySecret } from '../people/secret.js';
import { HqUsersRepo } from './hq-users.repo.js';
import { hqError } from './hq.errors.js';

export interface HqUser {
  id: string;
  username: string;
}

export interface HqSession {
  user: HqUser;
  csrfToken: string;
  tokenHash: string;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** HQ staff accounts (from `fieldclass hq user add`) and their sessions, both in hq.db. */
export class HqUsersService {
  private readonly repo: HqUsersRepo;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly ttlHours: number,
  ) {
    this.repo = new HqUsersRepo(db);
  }

  /** Add a staff account, or set the password of an existing one when `replace` is true. */
  async add(username: string, password: string, opts: { replace?: boolean } = {}): Promise<HqUser> {
    const u = usernameSchema.safeParse(username);
    if (!u.success) throw new AppError('invalid', `username: ${u.error.issues[0]?.message ?? 'invalid'}`);
    const p = passwordSchema.safeParse(password);
    if (!p.success) throw new AppError('invalid', `password: ${p.error.issues[0]?.message ?? 'invalid'}`);
    const hash = await hashSecret(p.data, 'password');
    return this.db.transaction(() => {
      const existing = this.repo.userByUsernameKey(usernameKey(u.data));
      if (existing) {
        if (!opts.replace) throw hqError('username_taken', { username: u.data });
        this.repo.setSecret(existing.id, hash);
        return { id: existing.id, username: existing.username };
      }
      const id = newId();
      this.repo.addUser(id, u.data, usernameKey(u.data), hash, this.clock.now().toISOString());
      return { id, username: u.data };
    })();
  }

  /** Check a username and password (same timing when the user does not exist). */
  async authenticate(username: string, password: string): Promise<HqUser | null> {
    const row = this.repo.userByUsernameKey(usernameKey(username));
    const ok = await verifySecret(password, row?.secret_hash ?? DUMMY_HASH);
    return ok && row && row.active === 1 ? { id: row.id, username: row.username } : null;
  }

  /** Start a session; returns the cookie token (only its hash is stored). */
  startSession(user: HqUser): string {
    const token = newToken();
    const now = this.clock.now();
    const expires = new Date(now.getTime() + this.ttlHours * 3600_000);
    this.db.transaction(() => {
      this.repo.deleteExpiredSessions(now.toISOString());
      this.repo.addSession(hashToken(token), user.id, newToken(24), now.toISOString(), expires.toISOString());
    })();
    return token;
  }

  session(token: string | undefined): HqSession | null {
    if (!token) return null;
    const row = this.repo.session(hashToken(token), this.clock.now().toISOString());
    if (!row) return null;
    return {
      user: { id: row.id, username: row.username },
      csrfToken: row.csrf_secret,
      tokenHash: row.token_hash,
    };
  }

  endSession(tokenHash: string): void {
    this.repo.endSession(tokenHash);
  }
}
