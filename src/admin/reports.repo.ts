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
      // ONE pass over the course's progress rows, grouped by person, which also carries each person's
      // activities (id, done, score) packed as text, so the per-activity table needs no second pass (a
      // GROUP BY activity_id through progress_course costs a table lookup per row: ~10x slower).
      course: p(
        `SELECT p.id AS person_id, p.username, p.display_name, p.external_id, p.agency, p.gender, p.active,
                a.course_status, a.done, a.score, a.last_at, a.acts
           FROM (SELECT person_id,
                        sum(activity_id <> '' AND status IN ('completed', 'passed')) AS done,
                        avg(CASE WHEN activity_id <> '' THEN best_score END) AS score,
                        max(updated_at) AS last_at,
                        max(CASE WHEN activity_id = '' THEN status END) AS course_status,
                        group_concat(CASE WHEN activity_id <> '' THEN activity_id || char(9) ||
                          (status IN ('completed', 'passed')) || char(9) || coalesce(best_score, '') END, char(10)) AS acts
                   FROM progress WHERE course_id = ? GROUP BY person_id) a
           JOIN people p ON p.id = a.person_id
          WHERE p.role = 'trainee'`,
      ),
      enrolledIds: p('SELECT person_id FROM enrolments WHERE course_id = ?').pluck(),
      // Enrolled but not started: one primary-key probe of progress per enrolment.
      enrolledNotStarted: p(
        `SELECT p.id AS person_id, p.username, p.display_name, p.external_id, p.agency, p.gender, p.active
           FROM enrolments e JOIN people p ON p.id = e.person_id
          WHERE e.course_id = ? AND p.role = 'trainee'
            AND NOT EXISTS (SELECT 1 FROM progress x WHERE x.person_id = e.person_id AND x.course_id = e.course_id)`,
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

  /** Every trainee enrolled in the course or with progress in it, with per-activity stats. */
  courseReport(courseId: string): {
    rows: CourseReportRow[];
    perActivity: Map<string, { started: number; done: number; scoreSum: number; scored: number }>;
  } {
    const enrolled = new Set(this.s['enrolledIds']!.all(courseId) as string[]);
    const perActivity = new Map<
      string,
      { started: number; done: number; scoreSum: number; scored: number }
    >();
    const rows: CourseReportRow[] = [];
    for (const r of this.s['course']!.all(courseId) as (CourseReportRow & { acts: string | null })[]) {
      if (r.acts)
        for (const line of r.acts.split('\n')) {
          const [id = '', done, score] = line.split('\t');
          let a = perActivity.get(id);
          if (!a) perActivity.set(id, (a = { started: 0, done: 0, scoreSum: 0, scored: 0 }));
          a.started++;
          if (done === '1') a.done++;
          if (score) {
            a.scoreSum += Number(score);
            a.scored++;
          }
        }
      rows.push({ ...r, acts: undefined, enrolled: enrolled.has(r.person_id) ? 1 : 0 } as CourseReportRow);
    }
    for (const r of this.s['enrolledNotStarted']!.all(courseId) as CourseReportRow[])
      rows.push({ ...r, enrolled: 1, course_status: null, done: 0, score: null, last_at: null });
    return { rows, perActivity };
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
