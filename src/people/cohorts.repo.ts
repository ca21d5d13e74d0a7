import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

export interface CohortRow {
  id: string;
  name: string;
  class_code: string | null;
  created_at: string;
  updated_at: string;
  members: number;
}

/** SQL for cohorts, their members, the courses a cohort is enrolled in, and enrolments. */
export class CohortRepo {
  private readonly s: Record<string, Statement>;

  constructor(db: Db) {
    const p = (sql: string) => db.prepare(sql);
    const withCount = `SELECT c.*, (SELECT count(*) FROM cohort_members m WHERE m.cohort_id = c.id) AS members
                         FROM cohorts c`;
    this.s = {
      insert: p(
        'INSERT INTO cohorts (id, name, class_code, created_at, updated_at) VALUES (?, ?, NULL, ?, ?)',
      ),
      rename: p('UPDATE cohorts SET name = ?, updated_at = ? WHERE id = ?'),
      setCode: p('UPDATE cohorts SET class_code = ?, updated_at = ? WHERE id = ?'),
      byId: p(`${withCount} WHERE c.id = ?`),
      byName: p(`SELECT id FROM cohorts WHERE name = ? COLLATE NOCASE`).pluck(),
      byCode: p(`${withCount} WHERE c.class_code = ?`),
      list: p(`${withCount} ORDER BY c.name COLLATE NOCASE`),
      // On the sign-in page of every signed-out visit: one probe of the class_code unique index.
      anyCode: p('SELECT 1 FROM cohorts WHERE class_code IS NOT NULL LIMIT 1').pluck(),
      addMember: p('INSERT OR IGNORE INTO cohort_members (cohort_id, person_id, added_at) VALUES (?, ?, ?)'),
      removeMember: p('DELETE FROM cohort_members WHERE cohort_id = ? AND person_id = ?'),
      memberIds: p('SELECT person_id FROM cohort_members WHERE cohort_id = ?').pluck(),
      members: p(
        `SELECT p.id, p.username, p.display_name, p.active FROM cohort_members m JOIN people p ON p.id = m.person_id
          WHERE m.cohort_id = ? ORDER BY p.username_key LIMIT ? OFFSET ?`,
      ),
      cohortsOf: p(
        `SELECT c.id, c.name FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id WHERE m.person_id = ?
          ORDER BY c.name`,
      ),
      // A cohort's courses are its own journal rows (kind 'cohort', ref = cohort id, indexed by journal_ref):
      // the journal is what HQ reads, and it needs no table of its own.
      courses: p(
        `SELECT DISTINCT json_extract(body, '$.courseId') FROM journal
          WHERE kind = 'cohort' AND ref = ? AND json_extract(body, '$.type') = 'course' ORDER BY 1`,
      ).pluck(),
      enrol: p(
        `INSERT OR IGNORE INTO enrolments (person_id, course_id, cohort_id, created_at) VALUES (?, ?, ?, ?)`,
      ),
      enrolmentsOf: p(
        'SELECT course_id, cohort_id, created_at FROM enrolments WHERE person_id = ? ORDER BY course_id',
      ),
      enrolledCount: p('SELECT count(*) FROM enrolments WHERE course_id = ?').pluck(),
    };
  }

  private q(name: string): Statement {
    return this.s[name]!;
  }

  insert(id: string, name: string, at: string): void {
    this.q('insert').run(id, name, at, at);
  }
  rename(id: string, name: string, at: string): void {
    this.q('rename').run(name, at, id);
  }
  setCode(id: string, code: string | null, at: string): void {
    this.q('setCode').run(code, at, id);
  }
  byId(id: string): CohortRow | undefined {
    return this.q('byId').get(id) as CohortRow | undefined;
  }
  idByName(name: string): string | undefined {
    return this.q('byName').get(name) as string | undefined;
  }
  byCode(code: string): CohortRow | undefined {
    return this.q('byCode').get(code) as CohortRow | undefined;
  }
  anyCode(): boolean {
    return this.q('anyCode').get() !== undefined;
  }
  list(): CohortRow[] {
    return this.q('list').all() as CohortRow[];
  }
  /** True when the person was not a member yet. */
  addMember(cohortId: string, personId: string, at: string): boolean {
    return this.q('addMember').run(cohortId, personId, at).changes > 0;
  }
  removeMember(cohortId: string, personId: string): boolean {
    return this.q('removeMember').run(cohortId, personId).changes > 0;
  }
  memberIds(cohortId: string): string[] {
    return this.q('memberIds').all(cohortId) as string[];
  }
  members(
    cohortId: string,
    limit: number,
    offset: number,
  ): { id: string; username: string; display_name: string; active: number }[] {
    return this.q('members').all(cohortId, limit, offset) as {
      id: string;
      username: string;
      display_name: string;
      active: number;
    }[];
  }
  cohortsOf(personId: string): { id: string; name: string }[] {
    return this.q('cohortsOf').all(personId) as { id: string; name: string }[];
  }
  courses(cohortId: string): string[] {
    return this.q('courses').all(cohortId) as string[];
  }
  /** True when the person was not enrolled in the course yet. */
  enrol(personId: string, courseId: string, cohortId: string | null, at: string): boolean {
    return this.q('enrol').run(personId, courseId, cohortId, at).changes > 0;
  }
  enrolmentsOf(personId: string): { course_id: string; cohort_id: string | null; created_at: string }[] {
    return this.q('enrolmentsOf').all(personId) as {
      course_id: string;
      cohort_id: string | null;
      created_at: string;
    }[];
  }
  enrolledCount(courseId: string): number {
    return this.q('enrolledCount').get(courseId) as number;
  }
}
