import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

/** Which rows a page of the log shows: one event (action), one person (actor id), or the box's own (no actor). */
export interface AuditFilter {
  action?: string | undefined;
  actorId?: string | undefined;
  /** Only rows no person did (the command line, the box itself). */
  noActor?: boolean | undefined;
}

/** A person who did something in the log (for the person filter). */
export interface AuditActor {
  id: string;
  username: string;
  displayName: string | null;
}

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
  private readonly actionsStmt: Statement;
  private readonly actorsStmt: Statement;
  private readonly anyNoActorStmt: Statement;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO audit (at, actor_id, action, target, details) VALUES (?, ?, ?, ?, ?)',
    );
    // One statement for every filter: a blank parameter lets every row through.
    const where = `WHERE (@action IS NULL OR a.action = @action)
        AND (@actor IS NULL OR a.actor_id = @actor) AND (@noActor = 0 OR a.actor_id IS NULL)`;
    this.pageStmt = db.prepare(
      `SELECT a.*, p.username AS actor_username FROM audit a LEFT JOIN people p ON p.id = a.actor_id
        ${where} ORDER BY a.id DESC LIMIT @limit OFFSET @offset`,
    );
    this.countStmt = db.prepare(`SELECT count(*) FROM audit a ${where}`).pluck();
    this.actionsStmt = db.prepare('SELECT DISTINCT action FROM audit ORDER BY action').pluck();
    this.actorsStmt = db.prepare(
      `SELECT p.id, p.username, p.display_name AS displayName FROM people p
        WHERE p.id IN (SELECT DISTINCT actor_id FROM audit WHERE actor_id IS NOT NULL) ORDER BY p.username`,
    );
    this.anyNoActorStmt = db.prepare('SELECT 1 FROM audit WHERE actor_id IS NULL LIMIT 1').pluck();
    this.lastStmt = db.prepare(
      `SELECT a.*, p.username AS actor_username FROM audit a LEFT JOIN people p ON p.id = a.actor_id
        WHERE a.action = ? ORDER BY a.id DESC LIMIT 1`,
    );
  }

  insert(at: string, actorId: string | null, action: string, target: string | null, details: string | null) {
    return Number(this.insertStmt.run(at, actorId, action, target, details).lastInsertRowid);
  }

  page(limit: number, offset: number, filter: AuditFilter = {}): AuditRow[] {
    return this.pageStmt.all({ ...params(filter), limit, offset }) as AuditRow[];
  }

  count(filter: AuditFilter = {}): number {
    return this.countStmt.get(params(filter)) as number;
  }

  /** Every event the log holds, for the event filter. */
  actions(): string[] {
    return this.actionsStmt.all() as string[];
  }

  /** The people who did something in the log, and whether some rows have no person (CLI, the box). */
  actors(): { people: AuditActor[]; noActor: boolean } {
    return { people: this.actorsStmt.all() as AuditActor[], noActor: this.anyNoActorStmt.get() === 1 };
  }

  last(action: string): AuditRow | undefined {
    return this.lastStmt.get(action) as AuditRow | undefined;
  }
}

const params = (f: AuditFilter) => ({
  action: f.action ?? null,
  actor: f.actorId ?? null,
  noActor: f.noActor ? 1 : 0,
});
