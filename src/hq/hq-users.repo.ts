import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

export interface HqUserRow {
  id: string;
  username: string;
  secret_hash: string;
  active: number;
}

export interface HqSessionRow {
  token_hash: string;
  csrf_secret: string;
  id: string;
  username: string;
}

/** SQL on HQ's `users` and `sessions` (hq.db); statements prepared once. */
export class HqUsersRepo {
  private readonly insertUser: Statement;
  private readonly userByKey: Statement;
  private readonly updateSecret: Statement;
  private readonly insertSession: Statement;
  private readonly liveSession: Statement;
  private readonly deleteSession: Statement;
  private readonly deleteExpired: Statement;

  constructor(db: Db) {
    this.insertUser = db.prepare(
      'INSERT INTO users (id, username, username_key, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.userByKey = db.prepare('SELECT id, username, secret_hash, active FROM users WHERE username_key = ?');
    this.updateSecret = db.prepare('UPDATE users SET secret_hash = ? WHERE id = ?');
    this.insertSession = db.prepare(
      'INSERT INTO sessions (token_hash, user_id, csrf_secret, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.liveSession = db.prepare(
      `SELECT s.token_hash, s.csrf_secret, u.id, u.username FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = 1`,
    );
    this.deleteSession = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
    this.deleteExpired = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  }

  userByUsernameKey(key: string): HqUserRow | undefined {
    return this.userByKey.get(key) as HqUserRow | undefined;
  }

  addUser(id: string, username: string, key: string, secretHash: string, at: string): void {
    this.insertUser.run(id, username, key, secretHash, at);
  }

  setSecret(userId: string, secretHash: string): void {
    this.updateSecret.run(secretHash, userId);
  }

  addSession(tokenHash: string, userId: string, csrfSecret: string, at: string, expiresAt: string): void {
    this.insertSession.run(tokenHash, userId, csrfSecret, at, expiresAt);
  }

  /** The session of this token hash, unexpired at `now` and of an active user. */
  session(tokenHash: string, now: string): HqSessionRow | undefined {
    return this.liveSession.get(tokenHash, now) as HqSessionRow | undefined;
  }

  endSession(tokenHash: string): void {
    this.deleteSession.run(tokenHash);
  }

  deleteExpiredSessions(now: string): void {
    this.deleteExpired.run(now);
  }
}
