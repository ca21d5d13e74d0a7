import type { Statement } from 'better-sqlite3';
import type { Params } from '../core/language.js';
import type { Db } from '../db/connection.js';

export interface JobRunRow {
  id: number;
  job: string;
  started_at: string;
  finished_at: string | null;
  outcome: 'ok' | 'error' | null;
  /** English (the log, the CLI; the only text of runs recorded before message keys). */
  message: string | null;
  /** A jobs catalog key (outcome ok) or an error code (outcome error); null on older rows. */
  message_key: string | null;
  /** The key's params as JSON. */
  message_params: string | null;
  duration_ms: number | null;
}

/** How a run ended, as job_runs keeps it. */
export interface JobRunEnd {
  at: string;
  outcome: 'ok' | 'error';
  message: string;
  messageKey: string | null;
  messageParams: Params | null;
  durationMs: number;
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
      `UPDATE job_runs SET finished_at = ?, outcome = ?, message = ?, message_key = ?, message_params = ?,
              duration_ms = ? WHERE id = ?`,
    );
    this.recentStmt = db.prepare('SELECT * FROM job_runs WHERE job = ? ORDER BY id DESC LIMIT ?');
    this.lastStmt = db.prepare('SELECT * FROM job_runs WHERE job = ? ORDER BY id DESC LIMIT 1');
  }

  start(job: string, at: string): number {
    return Number(this.startStmt.run(job, at).lastInsertRowid);
  }
  finish(id: number, end: JobRunEnd): void {
    const params = end.messageParams ? JSON.stringify(end.messageParams) : null;
    this.finishStmt.run(end.at, end.outcome, end.message, end.messageKey, params, end.durationMs, id);
  }
  recent(job: string, limit = 20): JobRunRow[] {
    return this.recentStmt.all(job, limit) as JobRunRow[];
  }
  last(job: string): JobRunRow | undefined {
    return this.lastStmt.get(job) as JobRunRow | undefined;
  }
}
