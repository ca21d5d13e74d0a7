import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

/** One person per resolved id with the attributes of their most recent roster row. */
const PERSON_ATTRS = `
  pa AS (
    SELECT person_id, display_name, username, external_id, agency, gender FROM (
      SELECT person_id, display_name, username, external_id, agency, gender,
             row_number() OVER (PARTITION BY person_id
                                ORDER BY roster_seq IS NULL, updated_at DESC, appliance_no DESC, local_id DESC) AS rn
        FROM people)
     WHERE rn = 1)`;

/** Per (resolved person, course): what they did, their enrolment and their latest rating. */
const PERSON_FACTS = `
  facts AS (
    SELECT person_id, course_id,
           max(CASE WHEN activity_id = '' AND completed = 1 THEN 1 ELSE 0 END) AS completed,
           max(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS attempted,
           max(passed) AS passed,
           max(best_score) AS best_score,
           sum(CASE WHEN activity_id <> '' AND completed = 1 THEN 1 ELSE 0 END) AS activities_done,
           max(last_at) AS last_at
      FROM progress GROUP BY person_id, course_id),
  enr AS (
    SELECT DISTINCT pe.person_id, e.course_id FROM enrolments e
      JOIN people pe ON pe.appliance_no = e.appliance_no AND pe.local_id = e.local_id
     WHERE e.active = 1),
  rat AS (
    SELECT person_id, course_id, rating FROM (
      SELECT pe.person_id, r.course_id, r.rating,
             row_number() OVER (PARTITION BY pe.person_id, r.course_id
                                ORDER BY r.rated_at DESC, r.appliance_no DESC) AS rn
        FROM ratings r JOIN people pe ON pe.appliance_no = r.appliance_no AND pe.local_id = r.local_id)
     WHERE rn = 1),
  base AS (
    SELECT person_id, course_id FROM facts UNION SELECT person_id, course_id FROM enr
    UNION SELECT person_id, course_id FROM rat)`;

const COUNTS = `
  count(*) AS enrolled,
  sum(f.person_id IS NOT NULL) AS started,
  sum(coalesce(f.completed, 0)) AS completed,
  sum(coalesce(f.attempted, 0)) AS attempted,
  sum(coalesce(f.passed, 0) * coalesce(f.attempted, 0)) AS passed,
  count(r.rating) AS ratings,
  avg(r.rating) AS rating_avg,
  coalesce(sum(r.rating >= 4), 0) AS rating_good`;

export interface CourseCountsRow {
  course_id: string;
  grp: string | null;
  enrolled: number;
  started: number;
  completed: number;
  attempted: number;
  passed: number;
  ratings: number;
  rating_avg: number | null;
  rating_good: number;
}

export interface TraineeCourseRow {
  person_id: string;
  display_name: string | null;
  username: string | null;
  external_id: string | null;
  agency: string | null;
  gender: string | null;
  appliances: string;
  course_id: string;
  enrolled: number;
  started: number;
  completed: number;
  attempted: number;
  passed: number;
  best_score: number | null;
  activities_done: number;
  rating: number | null;
  last_at: string | null;
}

/** Report SQL over the derived tables (prepared once). */
export class ReportsRepo {
  private readonly byPersonDim: Record<'all' | 'gender' | 'agency', Statement>;
  private readonly byAppliance: Statement;
  private readonly trainees: Statement;
  private readonly countsPerAppliance: Statement;

  constructor(db: Db) {
    const dim = (expr: string) =>
      db.prepare(
        `WITH ${PERSON_ATTRS}, ${PERSON_FACTS}
         SELECT b.course_id, ${expr} AS grp, ${COUNTS}
           FROM base b
           LEFT JOIN facts f ON f.person_id = b.person_id AND f.course_id = b.course_id
           LEFT JOIN rat r ON r.person_id = b.person_id AND r.course_id = b.course_id
           LEFT JOIN pa ON pa.person_id = b.person_id
          GROUP BY b.course_id, grp ORDER BY b.course_id, grp`,
      );
    this.byPersonDim = {
      all: dim('NULL'),
      gender: dim(`coalesce(pa.gender, 'undisclosed')`),
      agency: dim(`coalesce(nullif(pa.agency, ''), '')`),
    };
    this.byAppliance = db.prepare(
      `WITH
         f AS (
           SELECT appliance_no, local_id, course_id,
                  max(CASE WHEN activity_id = '' AND completed = 1 THEN 1 ELSE 0 END) AS completed,
                  max(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS attempted,
                  max(passed) AS passed
             FROM local_progress GROUP BY appliance_no, local_id, course_id),
         base AS (
           SELECT appliance_no, local_id, course_id FROM f
           UNION SELECT appliance_no, local_id, course_id FROM enrolments WHERE active = 1
           UNION SELECT appliance_no, local_id, course_id FROM ratings)
       SELECT b.course_id, a.id AS grp, a.name AS appliance_name, a.location AS location,
              count(*) AS enrolled,
              sum(f.local_id IS NOT NULL) AS started,
              sum(coalesce(f.completed, 0)) AS completed,
              sum(coalesce(f.attempted, 0)) AS attempted,
              sum(coalesce(f.passed, 0) * coalesce(f.attempted, 0)) AS passed,
              count(r.rating) AS ratings, avg(r.rating) AS rating_avg, coalesce(sum(r.rating >= 4), 0) AS rating_good
         FROM base b
         JOIN appliances a ON a.no = b.appliance_no
         LEFT JOIN f ON f.appliance_no = b.appliance_no AND f.local_id = b.local_id AND f.course_id = b.course_id
         LEFT JOIN ratings r
                ON r.appliance_no = b.appliance_no AND r.local_id = b.local_id AND r.course_id = b.course_id
        GROUP BY b.course_id, a.no ORDER BY b.course_id, a.name, a.id`,
    );
    this.trainees = db.prepare(
      `WITH ${PERSON_ATTRS}, ${PERSON_FACTS},
         apps AS (
           SELECT pe.person_id, group_concat(a.name, '; ') AS appliances FROM (
             SELECT DISTINCT person_id, appliance_no FROM people) pe
             JOIN appliances a ON a.no = pe.appliance_no
            GROUP BY pe.person_id)
       SELECT b.person_id, pa.display_name, pa.username, pa.external_id, pa.agency, pa.gender,
              coalesce(apps.appliances, '') AS appliances, b.course_id,
              (e.person_id IS NOT NULL) AS enrolled, (f.person_id IS NOT NULL) AS started,
              coalesce(f.completed, 0) AS completed, coalesce(f.attempted, 0) AS attempted,
              coalesce(f.passed, 0) AS passed, f.best_score, coalesce(f.activities_done, 0) AS activities_done,
              r.rating, f.last_at
         FROM base b
         LEFT JOIN facts f ON f.person_id = b.person_id AND f.course_id = b.course_id
         LEFT JOIN enr e ON e.person_id = b.person_id AND e.course_id = b.course_id
         LEFT JOIN rat r ON r.person_id = b.person_id AND r.course_id = b.course_id
         LEFT JOIN pa ON pa.person_id = b.person_id
         LEFT JOIN apps ON apps.person_id = b.person_id
        WHERE @person IS NULL OR b.person_id = @person
        ORDER BY coalesce(pa.display_name, pa.username, b.person_id), b.person_id, b.course_id`,
    );
    this.countsPerAppliance = db.prepare(
      `SELECT a.id,
              (SELECT count(*) FROM people p WHERE p.appliance_no = a.no) AS trainees,
              (SELECT count(*) FROM journal j WHERE j.appliance_no = a.no) AS journal_rows
         FROM appliances a`,
    );
  }

  coursesBy(dim: 'all' | 'gender' | 'agency'): CourseCountsRow[] {
    return this.byPersonDim[dim].all() as CourseCountsRow[];
  }

  coursesByAppliance(): (CourseCountsRow & { appliance_name: string; location: string })[] {
    return this.byAppliance.all() as (CourseCountsRow & { appliance_name: string; location: string })[];
  }

  traineeCourses(personId: string | null = null): TraineeCourseRow[] {
    return this.trainees.all({ person: personId }) as TraineeCourseRow[];
  }

  applianceCounts(): Map<string, { trainees: number; journalRows: number }> {
    const rows = this.countsPerAppliance.all() as { id: string; trainees: number; journal_rows: number }[];
    return new Map(rows.map((r) => [r.id, { trainees: r.trainees, journalRows: r.journal_rows }]));
  }
}
