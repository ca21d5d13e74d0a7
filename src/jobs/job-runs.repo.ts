import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

export interface JobRunRow {
  id: number;
  job: string;
  started_at: string;
  finished_at: string | null;
  outcome: 'ok' | 'error' | null;
  message: string | null;
  duration_ms: number | null;
}

/** SQL on records `job_runs`. */
export class JobRunsRepo {
  private readonly startStmt: Statement;
  private readonly finishStmt: Statement;
  private readonly recentStmt: Statement;
  private readonly lastStmt: Statement;

  constructor(db: Db) {
    this.startStmt = db.prepare('INSERT INTO job_runs (job, started_at) VALUES (?, ?)');
    this.finishStmt = db.prepare(
      'UPDATE job_runs SET finished_at = ?, outcome = ?, message = ?, duration_ms = ? WHERE id = ?',
    );
    this.recentStmt = db.prepare('SELECT * FROM job_runs WHERE job = ? ORDER BY id DESC LIMIT ?');
    this.lastStmt = db.prepare('SELECT * FROM job_runs WHERE job = ? ORDER BY id DESC LIMIT 1');
  }

  start(job: string, at: string): number {
    return Number(this.startStmt.run(job, at).lastInsertRowid);
  }
  finish(id: number, at: string, outcome: 'ok' | 'error', message: string, durationMs: number): void {
    this.finishStmt.run(at, outcome, message, durationMs, id);
  }
  recent(job: string, limit = 20): JobRunRow[] {
    return this.recentStmt.all(job, limit) as JobRunRow[];
  }
  last(job: string): JobRunRow | undefined {
    return this.lastStmt.get(job) as JobRunRow | undefined;
  }
}
