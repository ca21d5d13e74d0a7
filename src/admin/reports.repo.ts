import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

/** One trainee's line in a course report (aggregated from `progress`). */
export interface CourseReportRow {
  person_id: string;
  username: string;
  display_name: string;
  external_id: string | null;
  agency: string | null;
  gender: string | null;
  active: number;
  enrolled: number;
  course_status: string | null;
  done: number;
  score: number | null;
  last_at: string | null;
}

/**
 * SQL behind the admin reports and dashboard. The course report is one query: the course's progress rows
 * grouped by person (index progress_course), joined with enrolments (index enrolments_course) and people
 * (primary key). Dashboard counts read only the tail of the journal, found by a binary search on seq.
 */
export class AdminReportsRepo {
  private readonly s: Record<string, Statement>;

  constructor(private readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      course: p(
        `WITH agg AS (
           SELECT person_id,
                  sum(activity_id <> '' AND status IN ('completed', 'passed')) AS done,
                  avg(CASE WHEN activity_id <> '' THEN best_score END) AS score,
                  max(updated_at) AS last_at,
                  max(CASE WHEN activity_id = '' THEN status END) AS course_status
             FROM progress WHERE course_id = @course GROUP BY person_id),
         who AS (
           SELECT person_id FROM enrolments WHERE course_id = @course
           UNION SELECT person_id FROM agg)
         SELECT p.id AS person_id, p.username, p.display_name, p.external_id, p.agency, p.gender, p.active,
                (e.person_id IS NOT NULL) AS enrolled, a.course_status, coalesce(a.done, 0) AS done, a.score, a.last_at
           FROM who w JOIN people p ON p.id = w.person_id
           LEFT JOIN agg a ON a.person_id = w.person_id
           LEFT JOIN enrolments e ON e.person_id = w.person_id AND e.course_id = @course
          WHERE p.role = 'trainee'`,
      ),
      perActivity: p(
        `SELECT activity_id, count(*) AS started, sum(status IN ('completed', 'passed')) AS done,
                avg(best_score) AS score
           FROM progress WHERE course_id = ? AND activity_id <> '' GROUP BY activity_id`,
      ),
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

  courseReport(courseId: string): CourseReportRow[] {
    return this.s['course']!.all({ course: courseId }) as CourseReportRow[];
  }

  perActivity(
    courseId: string,
  ): { activity_id: string; started: number; done: number; score: number | null }[] {
    return this.s['perActivity']!.all(courseId) as {
      activity_id: string;
      started: number;
      done: number;
      score: number | null;
    }[];
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
