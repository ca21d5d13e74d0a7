import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

/** A group of equal entries of the course report: one breakdown group, one outcome, counted in SQL. */
export interface CourseGroupRow {
  course: string;
  breakdown: 'all' | 'appliance' | 'gender' | 'agency';
  grp: string;
  location: string;
  enrolled: number;
  started: number;
  completed: number;
  result: string;
  rating: number | null;
  n: number;
}

/** One row of the trainee report: a person in a course (person_courses) with their attributes. */
export interface TraineeRow {
  person: string;
  name: string;
  username: string;
  external_id: string;
  agency: string;
  gender: string;
  appliances: string;
  course: string;
  enrolled: number;
  started: number;
  completed: number;
  result: string;
  score: number | null;
  attempts: number;
  attempts_granted: number;
  /** SCORM attempts a coordinator reset (journal adjustments `scorm_reset`) in this course. */
  scorm_resets: number;
  done: number;
  rating: number | null;
  last_at: string;
}

/**
 * What the trainee report is filtered on; null = any. `q` is already folded (core/text-keys searchFold),
 * `agency` is an agency key (core/text-keys foldKey, persons.agency_key).
 */
export interface TraineeQuery {
  person: string | null;
  q: string | null;
  appliance: string | null;
  agency: string | null;
  gender: string | null;
  course: string | null;
  result: string | null;
}

/**
 * The trainee report's rows and filter: person_courses with the person's attributes. Every person with a
 * person_courses row has a persons row (both kept by the import from the same people rows; the property
 * test checks it). CROSS JOIN keeps persons as the outer loop, read in name order from persons_sort: the
 * rows come out sorted (only each person's few courses are sorted), and a page stops reading once it has
 * its rows, instead of sorting every (person, course) first.
 */
const TRAINEE_FROM = `
  FROM persons pa CROSS JOIN person_courses pc ON pc.person_id = pa.person_id
 WHERE (@person IS NULL OR pc.person_id = @person)
   AND (@q IS NULL OR instr(pa.search, @q) > 0)
   AND (@appliance IS NULL OR EXISTS (
          SELECT 1 FROM people p2 JOIN appliances a2 ON a2.no = p2.appliance_no
           WHERE p2.person_id = pc.person_id AND a2.name = @appliance))
   AND (@agency IS NULL OR pa.agency_key = @agency)
   AND (@gender IS NULL OR coalesce(pa.gender, 'undisclosed') = @gender)
   AND (@course IS NULL OR pc.course_id = @course)
   AND (@result IS NULL OR pc.result = @result)`;

/**
 * Report SQL over the derived tables (prepared once): it only reads rows; what they mean (completed,
 * passed, failed, rates) is decided by the outcomes module in ReportsService.
 */
export class ReportsRepo {
  private readonly s: Record<string, Statement>;

  constructor(db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      // Equal entries of each course's breakdown groups counted once; the outcomes module's tally counts
      // them (CourseEntry.times), so what is counted is defined there only.
      courseGroups: p(
        `SELECT pc.course_id AS course, b.breakdown,
                CASE b.breakdown WHEN 'all' THEN '' WHEN 'gender' THEN coalesce(pa.gender, 'undisclosed')
                                 ELSE coalesce(pa.agency_key, '') END AS grp,
                '' AS location, pc.enrolled, pc.started, pc.completed, pc.result, pc.rating, count(*) AS n
           FROM person_courses pc
           JOIN (SELECT 'all' AS breakdown UNION ALL SELECT 'gender' UNION ALL SELECT 'agency') b
           LEFT JOIN persons pa ON pa.person_id = pc.person_id
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
         UNION ALL
         SELECT lc.course_id, 'appliance', a.name, a.location, lc.enrolled, lc.started, lc.completed,
                lc.result, lc.rating, count(*)
           FROM local_courses lc JOIN appliances a ON a.no = lc.appliance_no
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
      ),
      trainees: p(
        `SELECT pc.person_id AS person, pc.course_id AS course, pc.enrolled, pc.started, pc.completed,
                pc.result, pc.score, pc.attempts, pc.done, pc.rating, coalesce(pc.last_at, '') AS last_at,
                coalesce(pa.display_name, '') AS name, coalesce(pa.username, '') AS username,
                coalesce(pa.external_id, '') AS external_id, coalesce(pa.agency, '') AS agency,
                coalesce(pa.gender, '') AS gender, pa.appliances,
                (SELECT coalesce(sum(adj.amount), 0) FROM adjustments adj
                   JOIN people p4 ON p4.appliance_no = adj.appliance_no AND p4.local_id = adj.local_id
                  WHERE p4.person_id = pc.person_id AND adj.course_id = pc.course_id
                    AND adj.type = 'attempt_grant') AS attempts_granted,
                (SELECT count(*) FROM adjustments adj
                   JOIN people p4 ON p4.appliance_no = adj.appliance_no AND p4.local_id = adj.local_id
                  WHERE p4.person_id = pc.person_id AND adj.course_id = pc.course_id
                    AND adj.type = 'scorm_reset') AS scorm_resets
         ${TRAINEE_FROM}
          ORDER BY pa.sort_name, pa.person_id, pc.course_id
          LIMIT @limit OFFSET @offset`,
      ),
      traineeCount: p(`SELECT count(*) ${TRAINEE_FROM}`).pluck(),
      traineeOptions: p(
        `SELECT DISTINCT 'gender' AS kind, coalesce(pa.gender, 'undisclosed') AS value
           FROM person_courses pc LEFT JOIN persons pa ON pa.person_id = pc.person_id
         UNION SELECT DISTINCT 'course', course_id FROM person_courses`,
      ),
      // Each spelling of each agency (folded key) among the persons the reports show, with how many
      // persons wrote it: the service shows one spelling per key.
      agencySpellings: p(
        `SELECT pa.agency_key AS key, pa.agency AS spelling, count(*) AS n FROM persons pa
          WHERE pa.agency_key <> '' AND EXISTS (SELECT 1 FROM person_courses pc WHERE pc.person_id = pa.person_id)
          GROUP BY 1, 2`,
      ),
      courseDefs: p('SELECT body FROM course_defs').pluck(),
      // Rating comments, newest first; the name only when the caller may show it.
      comments: p(
        `SELECT r.course_id, r.rating, r.comment, r.rated_at,
                CASE WHEN @names THEN coalesce(pe.display_name, pe.username, '') ELSE '' END AS name
           FROM ratings r
           LEFT JOIN people pe ON pe.appliance_no = r.appliance_no AND pe.local_id = r.local_id
          WHERE r.comment <> ''
          ORDER BY r.rated_at DESC, r.appliance_no, r.local_id
          LIMIT @limit`,
      ),
      countsPerAppliance: p(
        `SELECT a.id,
                (SELECT count(*) FROM people p WHERE p.appliance_no = a.no) AS trainees,
                (SELECT count(*) FROM journal j WHERE j.appliance_no = a.no) AS journal_rows
           FROM appliances a`,
      ),
    };
  }

  /** The course report's groups of equal entries (see courseGroups). */
  courseGroups(): CourseGroupRow[] {
    return this.s['courseGroups']!.all() as CourseGroupRow[];
  }

  /** Trainee rows matching `q`, ordered by name, person, course; `limit` -1 = all. */
  trainees(q: TraineeQuery, limit: number, offset: number): TraineeRow[] {
    return this.s['trainees']!.all({ ...q, limit, offset }) as TraineeRow[];
  }

  traineeCount(q: TraineeQuery): number {
    return this.s['traineeCount']!.get(q) as number;
  }

  /** The distinct genders and courses of the trainee report (the page's filter choices). */
  traineeOptions(): { kind: 'gender' | 'course'; value: string }[] {
    return this.s['traineeOptions']!.all() as { kind: 'gender' | 'course'; value: string }[];
  }

  /** Each (agency key, spelling as written) of the persons with a course row, and how many persons. */
  agencySpellings(): { key: string; spelling: string; n: number }[] {
    return this.s['agencySpellings']!.all() as { key: string; spelling: string; n: number }[];
  }

  /** Rating comments (newest first); names empty unless `names`. */
  comments(
    names: boolean,
    limit: number,
  ): { course_id: string; rating: number; comment: string; rated_at: string; name: string }[] {
    return this.s['comments']!.all({ names: names ? 1 : 0, limit }) as {
      course_id: string;
      rating: number;
      comment: string;
      rated_at: string;
      name: string;
    }[];
  }

  /** Every course version's definition body (JSON) any box declared. */
  courseDefs(): string[] {
    return this.s['courseDefs']!.all() as string[];
  }

  applianceCounts(): Map<string, { trainees: number; journalRows: number }> {
    const rows = this.s['countsPerAppliance']!.all() as {
      id: string;
      trainees: number;
      journal_rows: number;
    }[];
    return new Map(rows.map((r) => [r.id, { trainees: r.trainees, journalRows: r.journal_rows }]));
  }
}
