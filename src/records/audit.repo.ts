import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

export interface AuditRow {
  id: number;
  at: string;
  actor_id: string | null;
  action: string;
  target: string | null;
  details: string | null;
  actor_username: string | null;
}

/** SQL for the `audit` table of records.db (append-only by use: nothing here updates or deletes). */
export class AuditRepo {
  private readonly insertStmt: Statement;
  private readonly pageStmt: Statement;
  private readonly countStmt: Statement;
  private readonly lastStmt: Statement;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO audit (at, actor_id, action, target, details) VALUES (?, ?, ?, ?, ?)',
    );
    this.pageStmt = db.prepare(
      `SELECT a.*, p.username AS actor_username FROM audit a LEFT JOIN people p ON p.id = a.actor_id
        ORDER BY a.id DESC LIMIT ? OFFSET ?`,
    );
    this.countStmt = db.prepare('SELECT count(*) FROM audit').pluck();
    this.lastStmt = db.prepare(
      `SELECT a.*, p.username AS actor_username FROM audit a LEFT JOIN people p ON p.id = a.actor_id
        WHERE a.action = ? ORDER BY a.id DESC LIMIT 1`,
    );
  }

  insert(at: string, actorId: string | null, action: string, target: string | null, details: string | null) {
    return Number(this.insertStmt.run(at, actorId, action, target, details).lastInsertRowid);
  }

  page(limit: number, offset: number): AuditRow[] {
    return this.pageStmt.all(limit, offset) as AuditRow[];
  }

  count(): number {
    return this.countStmt.get() as number;
  }

  last(action: string): AuditRow | undefined {
    return this.lastStmt.get(action) as AuditRow | undefined;
  }
}
