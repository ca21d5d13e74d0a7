import { z } from 'zod';
import { notFound } from '../core/errors.js';
import { invalidInput } from '../core/validation.js';
import { peopleError } from './people.errors.js';
import { newId, newToken } from '../core/ids.js';
import type { CohortBody, EnrolmentBody } from '../contract/journal.js';
import type { Db } from '../db/connection.js';
import type { RecordsService } from '../records/records.service.js';
import { CohortRepo, type CohortRow } from './cohorts.repo.js';
import type { PeopleService } from './people.service.js';

/** A class of trainees. */
export interface Cohort {
  id: string;
  name: string;
  classCode: string | null;
  members: number;
  courses: string[];
  createdAt: string;
  updatedAt: string;
}

const nameSchema = z.object({ name: z.string().trim().min(1).max(120) });
/** Class codes: 4 to 32 letters, digits or dashes; compared without regard to case. */
export const classCodeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{4,32}$/, 'classCodeFormat')
  .transform((s) => s.toUpperCase());

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A readable random class code such as "K7QM-3XPD". */
export function randomClassCode(): string {
  const bytes = Buffer.from(newToken(16), 'base64url');
  let s = '';
  for (let i = 0; i < 8; i++) s += CODE_ALPHABET[bytes[i]! % CODE_ALPHABET.length];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/**
 * Cohorts (classes), their members, their courses and enrolments. Every change is journalled (kinds
 * 'cohort' and 'enrolment') in the same transaction, so HQ can read who was enrolled in what. Nothing is
 * ever deleted from the journal; a removed member is a new 'member' row with active false.
 */
export class CohortService {
  private readonly repo: CohortRepo;

  constructor(
    db: Db,
    private readonly records: RecordsService,
    private readonly people: PeopleService,
  ) {
    this.repo = new CohortRepo(db);
  }

  private toCohort(r: CohortRow): Cohort {
    return {
      id: r.id,
      name: r.name,
      classCode: r.class_code,
      members: r.members,
      courses: this.repo.courses(r.id),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  list(): Cohort[] {
    return this.repo.list().map((r) => this.toCohort(r));
  }

  get(id: string): Cohort | undefined {
    const r = this.repo.byId(id);
    return r && this.toCohort(r);
  }

  require(id: string): Cohort {
    const c = this.get(id);
    if (!c) throw notFound('cohort');
    return c;
  }

  /** Only inside records.write/writeNow. */
  private journalCohort(body: CohortBody, cohortId: string): void {
    this.records.appendJournal('cohort', cohortId, body);
  }

  /** Only inside records.write/writeNow. */
  private enrolTx(personId: string, courseId: string, cohortId: string | null, at: string): boolean {
    if (!this.repo.enrol(personId, courseId, cohortId, at)) return false;
    const body: EnrolmentBody = { personId, courseId, cohortId, active: true };
    this.records.appendJournal('enrolment', `${personId}:${courseId}`, body);
    return true;
  }

  create(name: string): Cohort {
    const parsed = nameSchema.safeParse({ name });
    if (!parsed.success) throw invalidInput(parsed.error);
    return this.records.writeNow(() => this.createTx(parsed.data.name));
  }

  /** Only inside records.write/writeNow/writeOnce (the admin's form runs it under its operation id). */
  createTx(name: string): Cohort {
    const parsed = nameSchema.safeParse({ name });
    if (!parsed.success) throw invalidInput(parsed.error);
    const n = parsed.data.name;
    if (this.repo.idByName(n)) throw peopleError('cohort_exists', { name: n });
    const id = newId();
    const at = this.records.now();
    this.repo.insert(id, n, at);
    this.journalCohort({ type: 'cohort', id, name: n, updatedAt: at }, id);
    return this.require(id);
  }

  /** Set (or clear, with null) the class code trainees use to sign themselves up into this cohort. */
  setClassCode(cohortId: string, code: string | null): Cohort {
    let value: string | null = null;
    if (code !== null && code.trim() !== '') {
      const c = z.object({ code: classCodeSchema }).safeParse({ code });
      if (!c.success) throw invalidInput(c.error);
      value = c.data.code;
    }
    return this.records.writeNow(() => {
      this.require(cohortId);
      const other = value ? this.repo.byCode(value) : undefined;
      if (other && other.id !== cohortId)
        throw peopleError('code_taken', { code: value!, cohort: other.name });
      // The code is a secret of the room: it stays on the box (not journalled).
      this.repo.setCode(cohortId, value, this.records.now());
      return this.require(cohortId);
    });
  }

  /** The cohort whose class code this is (case-insensitive), if any. */
  byClassCode(code: string): Cohort | undefined {
    const c = classCodeSchema.safeParse(code);
    if (!c.success) return undefined;
    const r = this.repo.byCode(c.data);
    return r && this.toCohort(r);
  }

  /** Whether any cohort has a class code (then self sign-up is open for it). */
  anyClassCode(): boolean {
    return this.repo.anyCode();
  }

  /**
   * Add trainees to a cohort, and enrol each in the cohort's courses. Inside the caller's transaction when
   * called as `addMembersTx`. Returns how many were new members.
   */
  addMembers(cohortId: string, personIds: readonly string[]): number {
    return this.records.writeNow(() => this.addMembersTx(cohortId, personIds));
  }

  /** Only inside records.write/writeNow. */
  addMembersTx(cohortId: string, personIds: readonly string[]): number {
    const cohort = this.repo.byId(cohortId);
    if (!cohort) throw notFound('cohort');
    const courses = this.repo.courses(cohortId);
    const at = this.records.now();
    let added = 0;
    for (const pid of personIds) {
      const p = this.people.get(pid);
      if (!p || p.role !== 'trainee') throw notFound(`trainee ${pid}`);
      if (this.repo.addMember(cohortId, pid, at)) {
        added++;
        this.journalCohort({ type: 'member', cohortId, personId: pid, active: true }, cohortId);
      }
      for (const course of courses) this.enrolTx(pid, course, cohortId, at);
    }
    return added;
  }

  removeMember(cohortId: string, personId: string): boolean {
    return this.records.writeNow(() => {
      this.require(cohortId);
      if (!this.repo.removeMember(cohortId, personId)) return false;
      this.journalCohort({ type: 'member', cohortId, personId, active: false }, cohortId);
      return true;
    });
  }

  /** Members, by username, a page at a time. */
  members(cohortId: string, limit = 100, offset = 0) {
    return this.repo
      .members(cohortId, limit, offset)
      .map((m) => ({ id: m.id, username: m.username, displayName: m.display_name, active: m.active === 1 }));
  }

  /** Every member's id (a class report's filter). */
  memberIds(cohortId: string): string[] {
    return this.repo.memberIds(cohortId);
  }

  cohortsOf(personId: string): { id: string; name: string }[] {
    return this.repo.cohortsOf(personId);
  }

  /**
   * Enrol a cohort in a course: the course is remembered for the cohort (trainees added later are
   * enrolled too) and every current member is enrolled. Returns how many trainees were newly enrolled.
   */
  enrolCohort(cohortId: string, courseId: string): number {
    return this.records.writeNow(() => {
      this.require(cohortId);
      const at = this.records.now();
      if (!this.repo.courses(cohortId).includes(courseId))
        this.journalCohort({ type: 'course', cohortId, courseId }, cohortId);
      let n = 0;
      for (const pid of this.repo.memberIds(cohortId)) if (this.enrolTx(pid, courseId, cohortId, at)) n++;
      return n;
    });
  }

  /** Enrol one trainee in a course; false when already enrolled. */
  enrolTrainee(personId: string, courseId: string): boolean {
    return this.records.writeNow(() => {
      const p = this.people.get(personId);
      if (!p || p.role !== 'trainee') throw notFound('trainee');
      return this.enrolTx(personId, courseId, null, this.records.now());
    });
  }

  enrolmentsOf(personId: string) {
    return this.repo
      .enrolmentsOf(personId)
      .map((e) => ({ courseId: e.course_id, cohortId: e.cohort_id, createdAt: e.created_at }));
  }

  enrolledCount(courseId: string): number {
    return this.repo.enrolledCount(courseId);
  }
}
