import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import { toPerson } from './people.repo.js';
import type { Person, Role } from './people.types.js';

export interface SessionRow {
  tokenHash: string;
  personId: string;
  role: Role;
  csrfSecret: string;
  createdAt: string;
  expiresAt: string;
}

/** SQL for the `sessions` table of records.db; statements prepared once. */
export class SessionRepo {
  private readonly insertStmt: Statement;
  private readonly lookupStmt: Statement;
  private readonly deleteStmt: Statement;
  private readonly deleteForPersonStmt: Statement;
  private readonly deleteExpiredStmt: Statement;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO sessions (token_hash, person_id, role, csrf_secret, created_at, expires_at)
       VALUES (@tokenHash, @personId, @role, @csrfSecret, @createdAt, @expiresAt)`,
    );
    // One indexed read per request: the session and its person together.
    this.lookupStmt = db.prepare(
      `SELECT s.role AS s_role, s.csrf_secret AS s_csrf, s.expires_at AS s_expires, p.*
         FROM sessions s JOIN people p ON p.id = s.person_id
        WHERE s.token_hash = ?`,
    );
    this.deleteStmt = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
    this.deleteForPersonStmt = db.prepare('DELETE FROM sessions WHERE person_id = ?');
    this.deleteExpiredStmt = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  }

  insert(row: SessionRow): void {
    this.insertStmt.run(row);
  }

  lookup(
    tokenHash: string,
  ): { person: Person; role: Role; csrfSecret: string; expiresAt: string } | undefined {
    const r = this.lookupStmt.get(tokenHash) as
      (Parameters<typeof toPerson>[0] & { s_role: Role; s_csrf: string; s_expires: string }) | undefined;
    return r && { person: toPerson(r), role: r.s_role, csrfSecret: r.s_csrf, expiresAt: r.s_expires };
  }

  delete(tokenHash: string): void {
    this.deleteStmt.run(tokenHash);
  }

  deleteForPerson(personId: string): number {
    return this.deleteForPersonStmt.run(personId).changes;
  }

  deleteExpired(now: string): number {
    return this.deleteExpiredStmt.run(now).changes;
  }
}
