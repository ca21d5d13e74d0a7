import type { Db } from '../db/connection.js';
import { foldKey, personSortKey, searchFold } from '../core/text-keys.js';
import { courseBodySchema, type CourseBody } from '../contract/journal.js';
import { courseOutcome, latestCourse, type ActivityFacts } from '../contract/outcomes.js';
import { CourseResultsRepo, type ActivityRow, type CourseResultRow } from './course-results.repo.js';

/** Each course's latest definition from the `course` rows' bodies (absent for format 1 boxes). */
export function latestDefinitions(bodies: Iterable<string>): Map<string, CourseBody> {
  const all = new Map<string, CourseBody[]>();
  for (const body of bodies) {
    const d = courseBodySchema.parse(JSON.parse(body));
    all.set(d.id, [...(all.get(d.id) ?? []), d]);
  }
  return new Map([...all].map(([id, ds]) => [id, latestCourse(ds)!]));
}

/** Keys are joined with NUL: no id HQ stores contains one. */
const SEP = '\0';

/**
 * person_courses and local_courses (migration 6): each (person, course)'s outcome, computed by the
 * outcomes module (courseOutcome, the one definition of started/completed/passed/failed) from the derived
 * activity rows, the enrolments, the latest rating and the course's latest definition. The import marks
 * what it touched (a person's course, all of a person's courses when the person moved, every row of a
 * course when a new definition arrived) and `flush` recomputes those keys inside the import's transaction,
 * so the rows always equal a recompute from scratch (`rebuild`), which the reports rely on.
 */
export class CourseResults {
  private readonly repo: CourseResultsRepo;
  private defs: Map<string, CourseBody> | null = null;
  private readonly persons = new Set<string>();
  private readonly locals = new Set<string>();
  private readonly wholePersons = new Set<string>();
  private readonly wholeLocals = new Set<string>();
  private readonly courses = new Set<string>();
  private readonly attrs = new Set<string>();

  constructor(db: Db) {
    this.repo = new CourseResultsRepo(db);
  }

  /**
   * Start from nothing marked and definitions read again: called at the start of each transaction, so
   * what a rolled-back import marked or read (a definition it inserted) is not carried into the next.
   */
  reset(): void {
    for (const s of [
      this.persons,
      this.locals,
      this.wholePersons,
      this.wholeLocals,
      this.courses,
      this.attrs,
    ])
      s.clear();
    this.defs = null;
  }

  /** A resolved person's course changed (activity, enrolment, rating). */
  person(personId: string, courseId: string): void {
    this.persons.add(personId + SEP + courseId);
  }

  /** A box's local person's course changed. */
  local(applianceNo: number, localId: string, courseId: string): void {
    this.locals.add(applianceNo + SEP + localId + SEP + courseId);
  }

  /** Every course of a resolved person (the person gained or lost a box's local person), and their attributes. */
  wholePerson(personId: string): void {
    this.wholePersons.add(personId);
    this.attrs.add(personId);
  }

  /** A resolved person's attributes may have changed (a roster row, a new box's local person). */
  personAttrs(personId: string): void {
    this.attrs.add(personId);
  }

  /** Every course of a box's local person (derived again from the journal). */
  wholeLocal(applianceNo: number, localId: string): void {
    this.wholeLocals.add(applianceNo + SEP + localId);
  }

  /** A course got a new definition: each of its rows is judged again. */
  course(courseId: string): void {
    this.courses.add(courseId);
    this.defs = null;
  }

  /** How many keys are marked (the import flushes past a bound, so memory does not grow with a bundle). */
  get marked(): number {
    return (
      this.persons.size + this.locals.size + this.wholePersons.size + this.wholeLocals.size + this.attrs.size
    );
  }

  /** Recompute every marked key (inside the caller's transaction). */
  flush(): void {
    for (const c of this.courses) {
      for (const p of this.repo.personsOfCourse(c)) this.person(p, c);
      for (const l of this.repo.localsOfCourse(c)) this.local(l.appliance_no, l.local_id, c);
    }
    this.courses.clear();
    for (const p of this.wholePersons) for (const c of this.repo.personCoursesOf(p)) this.person(p, c);
    this.wholePersons.clear();
    for (const k of this.wholeLocals) {
      const [no, localId] = k.split(SEP) as [string, string];
      for (const c of this.repo.localCoursesOf(Number(no), localId)) this.local(Number(no), localId, c);
    }
    this.wholeLocals.clear();
    for (const k of this.persons) {
      const [p, c] = k.split(SEP) as [string, string];
      this.repo.putPerson(
        p,
        c,
        this.result(
          c,
          this.repo.personActs(p, c),
          this.repo.personEnrolled(p, c),
          this.repo.personRating(p, c),
        ),
      );
    }
    this.persons.clear();
    for (const k of this.locals) {
      const [no, l, c] = k.split(SEP) as [string, string, string];
      const a = Number(no);
      this.repo.putLocal(
        a,
        l,
        c,
        this.result(
          c,
          this.repo.localActs(a, l, c),
          this.repo.localEnrolled(a, l, c),
          this.repo.localRating(a, l, c),
        ),
      );
    }
    this.locals.clear();
    for (const p of this.attrs) {
      const a = this.repo.latestAttrs(p);
      this.repo.putAttrs(
        p,
        a
          ? {
              ...a,
              appliances: this.repo.applianceNames(p).join('; '),
              agency_key: foldKey(a.agency),
              sort_name: personSortKey(a.display_name, a.username, p),
              search: [a.display_name, a.username, a.external_id].map((v) => searchFold(v ?? '')).join('\0'),
            }
          : null,
      );
    }
    this.attrs.clear();
  }

  /** Both tables computed again from scratch (an upgrade; tests compare it with what imports kept). */
  rebuild(): void {
    this.reset();
    this.repo.clearAll();
    for (const k of this.repo.allPersonKeys()) this.person(k.person_id, k.course_id);
    for (const k of this.repo.allLocalKeys()) this.local(k.appliance_no, k.local_id, k.course_id);
    for (const p of this.repo.allPersonIds()) this.personAttrs(p);
    this.flush();
    this.repo.clearRebuildFlag();
  }

  /** Whether a migration asked for `rebuild`. */
  rebuildPending(): boolean {
    return this.repo.rebuildPending();
  }

  /** Forget the rebuild request (a full rebuild from the journal filled the tables already). */
  rebuildDone(): void {
    this.repo.clearRebuildFlag();
  }

  /** The row of one (person, course): null when there is no activity, active enrolment nor rating. */
  private result(
    courseId: string,
    rows: ActivityRow[],
    enrolled: boolean,
    rating: number | null,
  ): CourseResultRow | null {
    const acts = new Map<string, ActivityFacts>();
    let lastAt: string | null = null;
    for (const r of rows) {
      acts.set(r.activity_id, {
        completed: r.completed === 1,
        passed: r.passed === 1,
        failed: r.failed === 1,
        attempts: r.attempts,
        bestScore: r.best_score,
      });
      if (lastAt === null || r.last_at > lastAt) lastAt = r.last_at;
    }
    this.defs ??= latestDefinitions(this.repo.courseDefs());
    const o = courseOutcome(this.defs.get(courseId) ?? null, acts);
    if (!o && !enrolled && rating === null) return null;
    return {
      enrolled: enrolled ? 1 : 0,
      rating,
      started: o?.started ? 1 : 0,
      completed: o?.completed ? 1 : 0,
      result: o?.result ?? '',
      score: o?.score ?? null,
      attempts: o?.attempts ?? 0,
      done: o?.done ?? 0,
      last_at: lastAt,
    };
  }
}
