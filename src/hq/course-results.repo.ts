import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

/** One activity row of a (person, course), as the outcomes module reads it. */
export interface ActivityRow {
  activity_id: string;
  completed: number;
  passed: number;
  failed: number;
  attempts: number;
  best_score: number | null;
  last_at: string;
}

/** A (person, course)'s derived outcome, as stored in person_courses / local_courses. */
export interface CourseResultRow {
  enrolled: number;
  rating: number | null;
  started: number;
  completed: number;
  /** passed | failed | pending | not_assessed; '' when the person did nothing in the course yet. */
  result: string;
  score: number | null;
  attempts: number;
  done: number;
  last_at: string | null;
}

/** A resolved person's attributes: their latest roster row over every box (persons, migration 7). */
export interface PersonAttrs {
  display_name: string | null;
  username: string | null;
  external_id: string | null;
  agency: string | null;
  gender: string | null;
}

const COLUMNS = 'enrolled, rating, started, completed, result, score, attempts, done, last_at';
const VALUES = '@enrolled, @rating, @started, @completed, @result, @score, @attempts, @done, @last_at';
const UPDATE = `enrolled = excluded.enrolled, rating = excluded.rating, started = excluded.started,
  completed = excluded.completed, result = excluded.result, score = excluded.score,
  attempts = excluded.attempts, done = excluded.done, last_at = excluded.last_at`;

/**
 * SQL of person_courses and local_courses (migration 6): the inputs of one (person, course)'s outcome
 * (activity rows, enrolment, latest rating) read by key, and the derived row written or removed.
 * Statements prepared once.
 */
export class CourseResultsRepo {
  private readonly s: Record<string, Statement>;

  constructor(private readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    const acts = 'activity_id, completed, passed, failed, attempts, best_score, last_at';
    const viaPeople = 'JOIN people pe ON pe.appliance_no = x.appliance_no AND pe.local_id = x.local_id';
    this.s = {
      personActs: p(`SELECT ${acts} FROM progress WHERE person_id = ? AND course_id = ?`),
      localActs: p(
        `SELECT ${acts} FROM local_progress WHERE appliance_no = ? AND local_id = ? AND course_id = ?`,
      ),
      personEnrolled: p(
        `SELECT 1 FROM enrolments x ${viaPeople}
          WHERE pe.person_id = ? AND x.course_id = ? AND x.active = 1 LIMIT 1`,
      ).pluck(),
      localEnrolled: p(
        'SELECT active FROM enrolments WHERE appliance_no = ? AND local_id = ? AND course_id = ?',
      ).pluck(),
      // A person's latest rating of a course over every box (by the box's time, then appliance).
      personRating: p(
        `SELECT x.rating FROM ratings x ${viaPeople} WHERE pe.person_id = ? AND x.course_id = ?
          ORDER BY x.rated_at DESC, x.appliance_no DESC LIMIT 1`,
      ).pluck(),
      localRating: p(
        'SELECT rating FROM ratings WHERE appliance_no = ? AND local_id = ? AND course_id = ?',
      ).pluck(),
      personCoursesOf: p(
        `SELECT course_id FROM progress WHERE person_id = @p
         UNION SELECT x.course_id FROM enrolments x ${viaPeople} WHERE pe.person_id = @p
         UNION SELECT x.course_id FROM ratings x ${viaPeople} WHERE pe.person_id = @p
         UNION SELECT course_id FROM person_courses WHERE person_id = @p`,
      ).pluck(),
      localCoursesOf: p(
        `SELECT course_id FROM local_progress WHERE appliance_no = @a AND local_id = @l
         UNION SELECT course_id FROM enrolments WHERE appliance_no = @a AND local_id = @l
         UNION SELECT course_id FROM ratings WHERE appliance_no = @a AND local_id = @l
         UNION SELECT course_id FROM local_courses WHERE appliance_no = @a AND local_id = @l`,
      ).pluck(),
      personsOfCourse: p('SELECT person_id FROM person_courses WHERE course_id = ?').pluck(),
      localsOfCourse: p('SELECT appliance_no, local_id FROM local_courses WHERE course_id = ?'),
      allPersonKeys: p(
        `SELECT person_id, course_id FROM progress
         UNION SELECT pe.person_id, x.course_id FROM enrolments x ${viaPeople}
         UNION SELECT pe.person_id, x.course_id FROM ratings x ${viaPeople}`,
      ),
      allLocalKeys: p(
        `SELECT appliance_no, local_id, course_id FROM local_progress
         UNION SELECT appliance_no, local_id, course_id FROM enrolments
         UNION SELECT appliance_no, local_id, course_id FROM ratings`,
      ),
      upsertPerson: p(
        `INSERT INTO person_courses (person_id, course_id, ${COLUMNS}) VALUES (@person_id, @course_id, ${VALUES})
         ON CONFLICT (person_id, course_id) DO UPDATE SET ${UPDATE}`,
      ),
      upsertLocal: p(
        `INSERT INTO local_courses (appliance_no, local_id, course_id, ${COLUMNS})
         VALUES (@appliance_no, @local_id, @course_id, ${VALUES})
         ON CONFLICT (appliance_no, local_id, course_id) DO UPDATE SET ${UPDATE}`,
      ),
      deletePerson: p('DELETE FROM person_courses WHERE person_id = ? AND course_id = ?'),
      deleteLocal: p('DELETE FROM local_courses WHERE appliance_no = ? AND local_id = ? AND course_id = ?'),
      courseDefs: p('SELECT body FROM course_defs').pluck(),
      // The latest roster row of a resolved person: by (epoch, seq) on its box, then the newest update
      // over boxes; a person known only from statements (no roster row yet) last.
      latestAttrs: p(
        `SELECT display_name, username, external_id, agency, gender FROM people WHERE person_id = ?
          ORDER BY roster_seq IS NULL, updated_at DESC, appliance_no DESC, local_id DESC LIMIT 1`,
      ),
      applianceNames: p(
        `SELECT DISTINCT a.no, a.name FROM people pe JOIN appliances a ON a.no = pe.appliance_no
          WHERE pe.person_id = ? ORDER BY a.no`,
      ),
      allPersonIds: p('SELECT DISTINCT person_id FROM people').pluck(),
      upsertAttrs: p(
        `INSERT INTO persons (person_id, display_name, username, external_id, agency, gender, appliances,
                              sort_name, search, agency_key)
         VALUES (@person_id, @display_name, @username, @external_id, @agency, @gender, @appliances,
                 @sort_name, @search, @agency_key)
         ON CONFLICT (person_id) DO UPDATE SET display_name = excluded.display_name,
           username = excluded.username, external_id = excluded.external_id, agency = excluded.agency,
           gender = excluded.gender, appliances = excluded.appliances, sort_name = excluded.sort_name,
           search = excluded.search, agency_key = excluded.agency_key`,
      ),
      deleteAttrs: p('DELETE FROM persons WHERE person_id = ?'),
      rebuildFlag: p("SELECT 1 FROM meta WHERE key = 'course_results_rebuild'").pluck(),
      clearFlag: p("DELETE FROM meta WHERE key = 'course_results_rebuild'"),
    };
  }

  personActs(personId: string, courseId: string): ActivityRow[] {
    return this.s['personActs']!.all(personId, courseId) as ActivityRow[];
  }

  localActs(applianceNo: number, localId: string, courseId: string): ActivityRow[] {
    return this.s['localActs']!.all(applianceNo, localId, courseId) as ActivityRow[];
  }

  personEnrolled(personId: string, courseId: string): boolean {
    return this.s['personEnrolled']!.get(personId, courseId) !== undefined;
  }

  localEnrolled(applianceNo: number, localId: string, courseId: string): boolean {
    return this.s['localEnrolled']!.get(applianceNo, localId, courseId) === 1;
  }

  personRating(personId: string, courseId: string): number | null {
    return (this.s['personRating']!.get(personId, courseId) as number | undefined) ?? null;
  }

  localRating(applianceNo: number, localId: string, courseId: string): number | null {
    return (this.s['localRating']!.get(applianceNo, localId, courseId) as number | undefined) ?? null;
  }

  /** Every course a resolved person has a row, activity, enrolment or rating in. */
  personCoursesOf(personId: string): string[] {
    return this.s['personCoursesOf']!.all({ p: personId }) as string[];
  }

  localCoursesOf(applianceNo: number, localId: string): string[] {
    return this.s['localCoursesOf']!.all({ a: applianceNo, l: localId }) as string[];
  }

  personsOfCourse(courseId: string): string[] {
    return this.s['personsOfCourse']!.all(courseId) as string[];
  }

  localsOfCourse(courseId: string): { appliance_no: number; local_id: string }[] {
    return this.s['localsOfCourse']!.all(courseId) as { appliance_no: number; local_id: string }[];
  }

  /** Every (person, course) that has activity, an enrolment or a rating (a rebuild's keys). */
  allPersonKeys(): { person_id: string; course_id: string }[] {
    return this.s['allPersonKeys']!.all() as { person_id: string; course_id: string }[];
  }

  allLocalKeys(): { appliance_no: number; local_id: string; course_id: string }[] {
    return this.s['allLocalKeys']!.all() as { appliance_no: number; local_id: string; course_id: string }[];
  }

  putPerson(personId: string, courseId: string, r: CourseResultRow | null): void {
    if (r) this.s['upsertPerson']!.run({ person_id: personId, course_id: courseId, ...r });
    else this.s['deletePerson']!.run(personId, courseId);
  }

  putLocal(applianceNo: number, localId: string, courseId: string, r: CourseResultRow | null): void {
    if (r)
      this.s['upsertLocal']!.run({ appliance_no: applianceNo, local_id: localId, course_id: courseId, ...r });
    else this.s['deleteLocal']!.run(applianceNo, localId, courseId);
  }

  /** Every course version's definition body (JSON) any box declared. */
  courseDefs(): string[] {
    return this.s['courseDefs']!.all() as string[];
  }

  clearAll(): void {
    this.db.exec('DELETE FROM person_courses; DELETE FROM local_courses; DELETE FROM persons;');
  }

  latestAttrs(personId: string): PersonAttrs | undefined {
    return this.s['latestAttrs']!.get(personId) as PersonAttrs | undefined;
  }

  /** The names of the boxes a resolved person was seen on, in enrolment order. */
  applianceNames(personId: string): string[] {
    return (this.s['applianceNames']!.all(personId) as { name: string }[]).map((r) => r.name);
  }

  allPersonIds(): string[] {
    return this.s['allPersonIds']!.all() as string[];
  }

  putAttrs(
    personId: string,
    a: (PersonAttrs & { appliances: string; sort_name: string; search: string; agency_key: string }) | null,
  ): void {
    if (a) this.s['upsertAttrs']!.run({ person_id: personId, ...a });
    else this.s['deleteAttrs']!.run(personId);
  }

  /** Whether a migration asked for the course results to be filled (meta course_results_rebuild). */
  rebuildPending(): boolean {
    return this.s['rebuildFlag']!.get() !== undefined;
  }

  clearRebuildFlag(): void {
    this.s['clearFlag']!.run();
  }
}
