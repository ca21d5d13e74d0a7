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
  /** Their progress rows in the course, packed (see PACKED): null when they have none. */
  acts: string | null;
  last_at: string | null;
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
  activity_id: string;
  status: 'started' | 'completed' | 'failed' | 'passed';
  completed: number;
  attempts: number;
  best_score: number | null;
}

/**
 * A person's progress rows in one course packed as text, one line per activity: id, status, completed,
 * attempts, best score (17 significant digits: the same double back). One row per person crosses from
 * SQLite to JavaScript instead of one per activity: at 5,000 trainees x 40 activities, materialising
 * 200,000 row objects costs several times the whole query.
 */
const PACKED = `group_concat(activity_id || char(9) || status || char(9) || completed || char(9) || attempts
  || char(9) || coalesce(printf('%!.17g', best_score), ''), char(10))`;

/** Unpack one person's PACKED progress rows. */
export function unpackFacts(packed: string | null): CourseFactRow[] {
  if (!packed) return [];
  return packed.split('\n').map((line) => {
    const [activity_id = '', status, completed, attempts, score] = line.split('\t');
    return {
      activity_id,
      status: status as CourseFactRow['status'],
      completed: Number(completed),
      attempts: Number(attempts),
      best_score: score ? Number(score) : null,
    };
  });
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
      // ONE pass over the course's progress rows grouped by person, each person's rows packed.
      withProgress: p(
        `SELECT p.id AS person_id, p.username, p.display_name, p.external_id, p.agency, p.gender, p.active,
                a.acts, a.last_at
           FROM (SELECT person_id, ${PACKED} AS acts, max(updated_at) AS last_at
                   FROM progress WHERE course_id = @course GROUP BY person_id) a
           JOIN people p ON p.id = a.person_id
          WHERE p.role = 'trainee'`,
      ),
      // Enrolled or rated, nothing recorded: one primary-key probe of progress each.
      withoutProgress: p(
        `SELECT p.id AS person_id, p.username, p.display_name, p.external_id, p.agency, p.gender, p.active,
                NULL AS acts, NULL AS last_at
           FROM (SELECT person_id FROM enrolments WHERE course_id = @course
                 UNION SELECT person_id FROM ratings WHERE course_id = @course) x
           JOIN people p ON p.id = x.person_id
          WHERE p.role = 'trainee'
            AND NOT EXISTS (SELECT 1 FROM progress y WHERE y.person_id = x.person_id AND y.course_id = @course)`,
      ),
      enrolledIds: p('SELECT person_id FROM enrolments WHERE course_id = ?').pluck(),
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

  /** Every trainee with progress in the course (rows packed), enrolled in it, or who rated it. */
  coursePeople(courseId: string): CoursePersonRow[] {
    return [
      ...(this.s['withProgress']!.all({ course: courseId }) as CoursePersonRow[]),
      ...(this.s['withoutProgress']!.all({ course: courseId }) as CoursePersonRow[]),
    ];
  }

  enrolledIds(courseId: string): Set<string> {
    return new Set(this.s['enrolledIds']!.all(courseId) as string[]);
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
