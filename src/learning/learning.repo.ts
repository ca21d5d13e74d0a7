import type { Statement } from 'better-sqlite3';
import { STATUS_RANK } from '../contract/outcomes.js';
import type { Db } from '../db/connection.js';

/** Status as stored (derived); `not_started` is the absence of a row. */
export type StoredStatus = 'started' | 'completed' | 'failed' | 'passed';

export interface ProgressRow {
  person_id: string;
  course_id: string;
  activity_id: string;
  status: StoredStatus;
  /** 1 once completed (a failed quiz or SCO can be completed: status says pass/fail, this says done). */
  completed: number;
  best_score: number | null;
  attempts: number;
  position: string | null;
  last_seq: number;
  updated_at: string;
}

export interface AttemptRow {
  person_id: string;
  course_id: string;
  activity_id: string;
  attempt_no: number;
  kind: 'quiz' | 'scorm';
  state: string;
  score: number | null;
  status: string | null;
  started_at: string;
  updated_at: string;
}

export interface RatingRow {
  person_id: string;
  course_id: string;
  rating: number;
  comment: string;
  rated_at: string;
}

export interface ProgressMerge {
  personId: string;
  courseId: string;
  activityId: string;
  status: StoredStatus;
  completed: boolean;
  score: number | null;
  attempts: number;
  /** Kept from the statement with the highest seq that touches the row. */
  position: string;
  seq: number;
  at: string;
}

/**
 * started < completed < failed < passed (STATUS_RANK of src/contract/outcomes.ts): a status only ever
 * moves up, whatever the order of replay, and is then the outcomes module's status of the merged facts.
 */
const RANK = (col: string) =>
  `(CASE ${col} ${Object.entries(STATUS_RANK)
    .map(([k, v]) => `WHEN '${k}' THEN ${v}`)
    .join(' ')} ELSE 0 END)`;

/**
 * SQL for the derived learning state beside the journal: progress, quiz attempts, ratings. Every merge
 * takes absolute values (best score = max, status by rank, position/updated from the highest seq), so
 * applying the same statements in any order gives the same rows.
 */
export class LearningRepo {
  private readonly s: Record<string, Statement>;

  constructor(private readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      merge: p(
        `INSERT INTO progress (person_id, course_id, activity_id, status, completed, best_score, attempts, position, last_seq, updated_at)
         VALUES (@personId, @courseId, @activityId, @status, @completed, @score, @attempts, @position, @seq, @at)
         ON CONFLICT (person_id, course_id, activity_id) DO UPDATE SET
           status = CASE WHEN ${RANK('excluded.status')} > ${RANK('status')} THEN excluded.status ELSE status END,
           completed = max(completed, excluded.completed),
           best_score = CASE WHEN best_score IS NULL THEN excluded.best_score
                             WHEN excluded.best_score IS NULL THEN best_score
                             ELSE max(best_score, excluded.best_score) END,
           attempts = max(attempts, excluded.attempts),
           position = CASE WHEN excluded.last_seq > last_seq THEN excluded.position ELSE position END,
           updated_at = CASE WHEN excluded.last_seq > last_seq THEN excluded.updated_at ELSE updated_at END,
           last_seq = max(last_seq, excluded.last_seq)`,
      ),
      one: p('SELECT * FROM progress WHERE person_id = ? AND course_id = ? AND activity_id = ?'),
      course: p('SELECT * FROM progress WHERE person_id = ? AND course_id = ?'),
      exists: p('SELECT 1 FROM progress WHERE person_id = ? AND course_id = ? AND activity_id = ?').pluck(),
      doneCount: p(
        `SELECT count(*) FROM progress WHERE person_id = ? AND course_id = ? AND activity_id != ''
           AND (completed = 1 OR status = 'passed')`,
      ).pluck(),
      person: p('SELECT * FROM progress WHERE person_id = ? ORDER BY course_id, activity_id'),
      courseRows: p(`SELECT * FROM progress WHERE person_id = ? AND activity_id = '' ORDER BY last_seq DESC`),
      finish: p(
        `INSERT INTO attempts (person_id, course_id, activity_id, attempt_no, kind, state, score, status, started_at, updated_at)
         VALUES (@personId, @courseId, @activityId, @attemptNo, 'quiz', @state, @score, @status, @at, @at)
         ON CONFLICT (person_id, course_id, activity_id, attempt_no) DO UPDATE SET
           state = excluded.state, score = excluded.score, status = excluded.status, updated_at = excluded.updated_at`,
      ),
      attemptsUsed: p(
        `SELECT count(*) FROM attempts WHERE person_id = ? AND course_id = ? AND activity_id = ? AND kind = 'quiz'`,
      ).pluck(),
      lastAttempt: p(
        `SELECT * FROM attempts WHERE person_id = ? AND course_id = ? AND activity_id = ? AND kind = 'quiz'
           AND status IS NOT NULL ORDER BY attempt_no DESC LIMIT 1`,
      ),
      rate: p(
        `INSERT INTO ratings (person_id, course_id, rating, comment, rated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (person_id, course_id) DO UPDATE SET
           rating = excluded.rating, comment = excluded.comment, rated_at = excluded.rated_at`,
      ),
      rating: p('SELECT * FROM ratings WHERE person_id = ? AND course_id = ?'),
      grant: p(
        `INSERT INTO attempt_grants (person_id, course_id, activity_id, granted) VALUES (?, ?, ?, ?)
         ON CONFLICT (person_id, course_id, activity_id) DO UPDATE SET granted = granted + excluded.granted`,
      ),
      granted: p(
        'SELECT granted FROM attempt_grants WHERE person_id = ? AND course_id = ? AND activity_id = ?',
      ).pluck(),
    };
  }

  /** Empty every derived table (rebuildDerived refills them from the journal, in its transaction). */
  clearDerived(): void {
    this.db.exec(
      `DELETE FROM progress; DELETE FROM attempts WHERE kind = 'quiz'; DELETE FROM ratings; DELETE FROM attempt_grants;`,
    );
  }

  mergeProgress(m: ProgressMerge): void {
    this.s['merge']!.run({ ...m, completed: m.completed ? 1 : 0 });
  }

  progress(personId: string, courseId: string, activityId: string): ProgressRow | undefined {
    return this.s['one']!.get(personId, courseId, activityId) as ProgressRow | undefined;
  }

  has(personId: string, courseId: string, activityId: string): boolean {
    return this.s['exists']!.get(personId, courseId, activityId) !== undefined;
  }

  /** How many activities of a course (rows other than the course's own) are completed or passed. */
  doneCount(personId: string, courseId: string): number {
    return this.s['doneCount']!.get(personId, courseId) as number;
  }

  progressForCourse(personId: string, courseId: string): ProgressRow[] {
    return this.s['course']!.all(personId, courseId) as ProgressRow[];
  }

  progressForPerson(personId: string): ProgressRow[] {
    return this.s['person']!.all(personId) as ProgressRow[];
  }

  /** The person's course rows (activity ''), most recently touched first. */
  courseRows(personId: string): ProgressRow[] {
    return this.s['courseRows']!.all(personId) as ProgressRow[];
  }

  finishAttempt(a: {
    personId: string;
    courseId: string;
    activityId: string;
    attemptNo: number;
    /** null when the attempt reported no score. */
    score: number | null;
    status: 'passed' | 'failed';
    /** The answers given, question id -> values. */
    answers: Record<string, string[]>;
    at: string;
  }): void {
    const { answers, ...rest } = a;
    this.s['finish']!.run({ ...rest, state: JSON.stringify(answers) });
  }

  attemptsUsed(personId: string, courseId: string, activityId: string): number {
    return this.s['attemptsUsed']!.get(personId, courseId, activityId) as number;
  }

  lastAttempt(personId: string, courseId: string, activityId: string): AttemptRow | undefined {
    return this.s['lastAttempt']!.get(personId, courseId, activityId) as AttemptRow | undefined;
  }

  upsertRating(personId: string, courseId: string, rating: number, comment: string, at: string): void {
    this.s['rate']!.run(personId, courseId, rating, comment, at);
  }

  /** Add `n` granted attempts (attempt grants add up; the journal keeps each one). */
  addGrant(personId: string, courseId: string, activityId: string, n: number): void {
    this.s['grant']!.run(personId, courseId, activityId, n);
  }

  granted(personId: string, courseId: string, activityId: string): number {
    return (this.s['granted']!.get(personId, courseId, activityId) as number | undefined) ?? 0;
  }

  rating(personId: string, courseId: string): RatingRow | undefined {
    return this.s['rating']!.get(personId, courseId) as RatingRow | undefined;
  }
}
