import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

/** A trainee enrolled in a course, or with progress or a rating in it. */
export interface CoursePersonRow {
  person_id: string;
  username: string;
  display_name: string;
  external_id: string | null;
  agency: string | null;
  gender: string | null;
  active: number;
  enrolled: number;
}

/** A trainee's rating of a course, with their comment ('' when none). */
export interface CourseRatingRow {
  person_id: string;
  rating: number;
  comment: string;
  rated_at: string;
}

/** One stored progress row of a course ('' = the course itself), as the outcomes module reads it. */
export interface CourseFactRow {
  person_id: string;
  activity_id: string;
  status: 'started' | 'completed' | 'failed' | 'passed';
  completed: number;
  attempts: number;
  best_score: number | null;
  updated_at: string;
}

/**
 * SQL behind the admin reports and dashboard. It only reads rows: what they mean (completed, passed,
 * failed, score, rates) is decided by the outcomes module (src/contract/outcomes.ts) in the service, as
 * at HQ. Dashboard counts read only the tail of the journal, found by a binary search on seq.
 */
export class AdminReportsRepo {
  private readonly s: Record<string, Statement>;

  constructor(private readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      // The people of a course: progress (covering index progress_course), enrolments (enrolments_course)
      // and ratings; each person by primary key.
      people: p(
        `SELECT p.id AS person_id, p.username, p.display_name, p.external_id, p.agency, p.gender, p.active,
                EXISTS (SELECT 1 FROM enrolments e WHERE e.person_id = p.id AND e.course_id = @course) AS enrolled
           FROM (SELECT person_id FROM progress WHERE course_id = @course
                 UNION SELECT person_id FROM enrolments WHERE course_id = @course
                 UNION SELECT person_id FROM ratings WHERE course_id = @course) x
           JOIN people p ON p.id = x.person_id
          WHERE p.role = 'trainee'`,
      ),
      facts: p(
        `SELECT person_id, activity_id, status, completed, attempts, best_score, updated_at
           FROM progress WHERE course_id = ?`,
      ),
      ratings: p('SELECT person_id, rating, comment, rated_at FROM ratings WHERE course_id = ?'),
      // The course's definitions as journalled for HQ (ref `<course>@<version>`, index journal_ref).
      courseDefs: p(
        `SELECT body FROM journal WHERE kind = 'course' AND ref > ? || '@' AND ref < ? || char(65)`,
      ).pluck(),
      seqAt: p('SELECT recorded_at FROM journal WHERE seq = ?').pluck(),
      activeSince: p(
        `SELECT count(DISTINCT json_extract(body, '$.actor.account.name')) FROM journal
          WHERE seq >= ? AND kind = 'statement'`,
      ).pluck(),
      completionsSince: p(
        `SELECT count(*) FROM journal WHERE seq >= ? AND kind = 'statement'
            AND json_extract(body, '$.verb.id') = 'http://adlnet.gov/expapi/verbs/completed'
            AND json_extract(body, '$.object.id') NOT LIKE 'urn:fieldclass:course:%/%'`,
      ).pluck(),
      maxSeq: p('SELECT coalesce(max(seq), 0) FROM journal').pluck(),
      traineeCount: p("SELECT count(*) FROM people WHERE role = 'trainee' AND active = 1").pluck(),
    };
  }

  /** Every trainee enrolled in the course, or with progress or a rating in it. */
  coursePeople(courseId: string): CoursePersonRow[] {
    return this.s['people']!.all({ course: courseId }) as CoursePersonRow[];
  }

  /** Every progress row of the course (people of any role: the service keeps its trainees). */
  courseFacts(courseId: string): IterableIterator<CourseFactRow> {
    return this.s['facts']!.iterate(courseId) as IterableIterator<CourseFactRow>;
  }

  courseRatings(courseId: string): CourseRatingRow[] {
    return this.s['ratings']!.all(courseId) as CourseRatingRow[];
  }

  /** The bodies (JSON) of the course's `course` journal rows, one per version installed on this box. */
  courseDefs(courseId: string): string[] {
    return this.s['courseDefs']!.all(courseId, courseId) as string[];
  }

  /**
   * The first journal seq recorded at or after `iso`, by binary search (seq order follows time except
   * when the box clock was changed, which only blurs a dashboard count). maxSeq+1 when none.
   */
  firstSeqSince(iso: string): number {
    let lo = 1;
    let hi = this.s['maxSeq']!.get() as number;
    let ans = hi + 1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const at = this.s['seqAt']!.get(mid) as string | undefined;
      if (at !== undefined && at >= iso) {
        ans = mid;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return ans;
  }

  activeTraineesSince(iso: string): number {
    return this.s['activeSince']!.get(this.firstSeqSince(iso)) as number;
  }

  courseCompletionsSince(iso: string): number {
    return this.s['completionsSince']!.get(this.firstSeqSince(iso)) as number;
  }

  traineeCount(): number {
    return this.s['traineeCount']!.get() as number;
  }
}
