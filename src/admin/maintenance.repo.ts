import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

/** Housekeeping SQL for the cleanup job: expired sessions and old job runs. */
export class MaintenanceRepo {
  private readonly sessions: Statement;
  private readonly jobRuns: Statement;

  constructor(db: Db) {
    this.sessions = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
    this.jobRuns = db.prepare('DELETE FROM job_runs WHERE finished_at IS NOT NULL AND started_at < ?');
  }

  deleteExpiredSessions(now: string): number {
    return this.sessions.run(now).changes;
  }

  deleteJobRunsBefore(iso: string): number {
    return this.jobRuns.run(iso).changes;
  }
}
