import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

export interface ScormAttemptRow {
  person_id: string;
  course_id: string;
  activity_id: string;
  attempt_no: number;
  state: string;
  updated_at: string;
}

/** SQL of the SCORM runtime: the CMI state of each attempt (attempts, kind 'scorm') and the launch key. */
export class ScormRepo {
  private readonly sLatest: Statement;
  private readonly sUpsert: Statement;
  private readonly sStale: Statement;
  private readonly sResets: Statement;
  private readonly sMetaGet: Statement;
  private readonly sMetaInsert: Statement;

  constructor(db: Db) {
    this.sLatest = db.prepare(
      `SELECT person_id, course_id, activity_id, attempt_no, state, updated_at FROM attempts
       WHERE person_id = ? AND course_id = ? AND activity_id = ? AND kind = 'scorm'
       ORDER BY attempt_no DESC LIMIT 1`,
    );
    this.sUpsert = db.prepare(
      `INSERT INTO attempts (person_id, course_id, activity_id, attempt_no, kind, state, score, status, started_at, updated_at)
       VALUES (@person, @course, @activity, @attempt, 'scorm', @state, @score, @status, @at, @at)
       ON CONFLICT (person_id, course_id, activity_id, attempt_no) DO UPDATE SET
         state = excluded.state, score = excluded.score, status = excluded.status, updated_at = excluded.updated_at`,
    );
    // Launches still open (no Terminate) and quiet since before a time: the stale-launch sweep.
    this.sStale = db.prepare(
      `SELECT person_id, course_id, activity_id, attempt_no, state, updated_at FROM attempts
       WHERE kind = 'scorm' AND updated_at < ? AND json_extract(state, '$.open') IS NOT NULL`,
    );
    // Attempts a coordinator's reset ended (ScormService.resetAttempt): not counted against an attemptLimit.
    this.sResets = db
      .prepare(
        `SELECT count(*) FROM attempts WHERE person_id = ? AND course_id = ? AND activity_id = ?
         AND kind = 'scorm' AND json_extract(state, '$.reset') = 1`,
      )
      .pluck();
    this.sMetaGet = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
    this.sMetaInsert = db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)');
  }

  latest(personId: string, courseId: string, activityId: string): ScormAttemptRow | undefined {
    return this.sLatest.get(personId, courseId, activityId) as ScormAttemptRow | undefined;
  }

  upsert(r: {
    person: string;
    course: string;
    activity: string;
    attempt: number;
    state: string;
    score: number | null;
    status: string;
    at: string;
  }): void {
    this.sUpsert.run(r);
  }

  resets(personId: string, courseId: string, activityId: string): number {
    return this.sResets.get(personId, courseId, activityId) as number;
  }

  openSince(before: string): ScormAttemptRow[] {
    return this.sStale.all(before) as ScormAttemptRow[];
  }

  /** A meta value, made once by `make` (INSERT OR IGNORE: two processes agree on the first one). */
  metaOnce(key: string, make: () => string): string {
    this.sMetaInsert.run(key, make());
    return this.sMetaGet.get(key) as string;
  }
}
