import { createHash } from 'node:crypto';
import type { Language } from '../core/config.js';
import { notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { ContentReader, CourseOutline, OutlineItem, QuizKey } from '../content/content.types.js';
import type { Db } from '../db/connection.js';
import type { PeopleService } from '../people/people.service.js';
import type { Person } from '../people/people.types.js';
import type { RecordsService } from '../records/records.service.js';
import {
  EXT,
  SCORM_PROFILE,
  VERBS,
  type ActivityTypeKey,
  type VerbKey,
  type XapiResult,
  type XapiStatement,
} from '../contract/vocabulary.js';
import type { AdjustmentBody, CourseBody } from '../contract/journal.js';
import {
  courseOutcome,
  statementEffect,
  type ActivityFacts,
  type CourseResult,
} from '../contract/outcomes.js';
import { learningError } from './learning.errors.js';
import { gradeQuiz, validateAnswers, type GradedQuiz } from './grading.js';
import { LearningRepo, type ProgressRow, type StoredStatus } from './learning.repo.js';

// Pages of other features show these rows; they import the type from here, never from the repo.
export type { ProgressRow };
import {
  type ActivityProgress,
  type ContinueTarget,
  type CourseProgress,
  type CourseProgressSummary,
  type QuizResult,
  type QuizStatus,
} from './learning.types.js';

/** Namespace of the name-based (v5) registration UUIDs: one stable registration per (person, course). */
const REGISTRATION_NS = Buffer.from('3b0f6d2e8c9a4e51a1f7c2d4e6b8a0c1', 'hex');

let lastRegistration = { key: '', value: '' };

/** A stable UUID (RFC 4122 version 5) for the xAPI registration of `personId` in `courseId`. */
export function registrationFor(personId: string, courseId: string): string {
  // One action emits several statements for the same pair: skip the hash for the repeats.
  const memo = `${personId}\n${courseId}`;
  if (lastRegistration.key === memo) return lastRegistration.value;
  const value = computeRegistration(personId, courseId);
  lastRegistration = { key: memo, value };
  return value;
}

function computeRegistration(personId: string, courseId: string): string {
  const h = createHash('sha1').update(REGISTRATION_NS).update(`${personId}\n${courseId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export const COMMENT_MAX = 2000;

/** Who acts: the few fields of a Person a statement needs. */
type Actor = Pick<Person, 'id' | 'displayName'>;

/**
 * One learning event as every kind of content reports it (native lessons and quizzes, SCORM): who,
 * which course and activity ('' = the course itself), the verb, its result and extensions.
 */
export interface Emit {
  person: Actor;
  course: CourseOutline;
  lang: Language;
  verb: VerbKey;
  activityId: string;
  activityType: ActivityTypeKey;
  activityName: string;
  result?: XapiResult;
  extensions?: Record<string, unknown>;
}

/**
 * Lessons, quizzes, progress and ratings. Each trainee action appends its xAPI statements to the journal
 * and updates the derived state (progress, attempts, ratings) in ONE `records.write` call (group commit):
 * the promise resolves once both are durable. Derived state is computed by `applyStatement` from the
 * statement alone, with absolute values (best score = max, status by rank, position from the highest
 * seq), so replaying the journal in any order gives the same rows (`rebuildDerived`).
 *
 * The `*Tx` methods do the same work synchronously inside a transaction the caller holds (bulk seeding).
 */
/**
 * What a trainee's action carries besides its input: its operation id (a repeat is applied once) and,
 * for an action done earlier on a phone without Wi-Fi, when they acted. Both optional: see `once`.
 */
export interface Act {
  opId?: string | undefined;
  actedAt?: string | undefined;
}

export class LearningService {
  private readonly repo: LearningRepo;

  constructor(
    db: Db,
    private readonly records: RecordsService,
    private readonly content: ContentReader,
    private readonly people: PeopleService,
  ) {
    this.repo = new LearningRepo(db);
  }

  // ---- reading ------------------------------------------------------------------------------------

  /** Progress of a person in one course, activity by activity, in outline order. */
  courseProgress(personId: string, course: CourseOutline): CourseProgress {
    const rows = new Map(this.repo.progressForCourse(personId, course.id).map((r) => [r.activity_id, r]));
    const activities: Record<string, ActivityProgress> = {};
    let done = 0;
    let total = 0;
    let next: CourseProgress['next'] = null;
    for (const item of items(course)) {
      const r = rows.get(item.id);
      activities[item.id] = toActivityProgress(course.id, item.id, r);
      total++;
      if (r && isDone(r)) done++;
      else if (!next) next = { activityId: item.id, type: item.type };
    }
    const courseRow = rows.get('');
    let last: string | null = null;
    for (const r of rows.values()) if (last === null || r.updated_at > last) last = r.updated_at;
    return {
      courseId: course.id,
      percent: total === 0 ? 0 : Math.round((done / total) * 100),
      completed: courseRow?.completed === 1 || (total > 0 && done === total),
      result: courseResult(
        course,
        rows,
        course.kind === 'scorm12' ? this.content.masteryScores(course.id) : undefined,
      ),
      activities,
      next,
      lastActivityAt: last,
    };
  }

  /** Every active installed course with the person's percent done (0 when untouched). */
  progressSummary(personId: string): Record<string, CourseProgressSummary> {
    const out: Record<string, CourseProgressSummary> = {};
    for (const c of this.content.listCourses('en')) {
      const outline = this.content.getCourse(c.id, c.language);
      if (!outline) continue;
      const p = this.courseProgress(personId, outline);
      out[c.id] = { percent: p.percent, completed: p.completed, lastActivityAt: p.lastActivityAt };
    }
    return out;
  }

  /**
   * The activity to go back to: in the most recently touched course not yet completed, the activity last
   * opened when it is not done yet, otherwise the first activity not done. null when there is none.
   */
  continueWhereLeft(personId: string, lang: Language): ContinueTarget | null {
    for (const row of this.repo.courseRows(personId)) {
      if (row.status === 'completed') continue;
      const course = this.content.getCourse(row.course_id, lang);
      if (!course) continue;
      const p = this.courseProgress(personId, course);
      if (p.completed) continue;
      const all = items(course);
      const atPosition = all.find((i) => i.id === row.position);
      const pick =
        atPosition && !p.activities[atPosition.id]?.completed
          ? atPosition
          : all.find((i) => i.id === p.next?.activityId);
      if (!pick) continue;
      return {
        courseId: course.id,
        activityId: pick.id,
        type: pick.type,
        title: pick.title,
        courseTitle: course.title,
      };
    }
    return null;
  }

  /** Attempts used and left, best score and whether the quiz was passed. */
  quizStatus(personId: string, courseId: string, activityId: string): QuizStatus {
    const key = this.content.getQuizKey(courseId, activityId, 'en');
    if (!key) throw notFound(`quiz ${courseId}/${activityId}`);
    const used = this.repo.attemptsUsed(personId, courseId, activityId);
    const row = this.repo.progress(personId, courseId, activityId);
    return {
      attemptsUsed: used,
      attemptsLeft: this.attemptsLeft(key, personId, courseId, activityId, used),
      bestScore: row?.best_score ?? null,
      passed: row?.status === 'passed',
    };
  }

  /** The result of the person's last attempt at a quiz (for reloading a result page), with feedback. */
  lastQuizResult(personId: string, courseId: string, activityId: string, lang: Language): QuizResult | null {
    const attempt = this.repo.lastAttempt(personId, courseId, activityId);
    if (!attempt) return null;
    const key = this.content.getQuizKey(courseId, activityId, lang);
    if (!key) return null;
    const answers = JSON.parse(attempt.state) as Record<string, string[]>;
    const graded = gradeQuiz(key, answers);
    const courseRow = this.repo.progress(personId, courseId, '');
    const left = this.attemptsLeft(
      key,
      personId,
      courseId,
      activityId,
      this.repo.attemptsUsed(personId, courseId, activityId),
    );
    const everPassed = this.repo.progress(personId, courseId, activityId)?.status === 'passed';
    return {
      courseId,
      activityId,
      attemptNo: attempt.attempt_no,
      score: attempt.score ?? graded.score,
      passed: attempt.status === 'passed',
      attemptsLeft: left,
      ...quizReview(key, graded, everPassed, left),
      courseCompleted: courseRow?.status === 'completed',
    };
  }

  getRating(personId: string, courseId: string): { rating: number; comment: string } | null {
    const r = this.repo.rating(personId, courseId);
    return r ? { rating: r.rating, comment: r.comment } : null;
  }

  /** Progress rows of a person, every course and activity ('' is the course itself), for the CLI. */
  progressRows(personId: string): ProgressRow[] {
    return this.repo.progressForPerson(personId);
  }

  /** A trainee's progress rows and latest statements by username (CLI `progress`). */
  report(
    username: string,
    statementLimit = 500,
  ): {
    person: Person;
    progress: ProgressRow[];
    statements: XapiStatement[];
  } {
    const person = this.people.require(username);
    return {
      person,
      progress: this.repo.progressForPerson(person.id),
      statements: this.records.statementsFor(person.id, statementLimit).reverse(),
    };
  }

  // ---- actions ------------------------------------------------------------------------------------

  /** A lesson was opened: 'experienced' (and 'launched' for the course on first touch). */
  async openLesson(
    person: Person,
    courseId: string,
    activityId: string,
    lang: Language,
    act: Act = {},
  ): Promise<void> {
    const { course, item } = this.activity(courseId, activityId, lang, 'lesson');
    await this.once(person, 'lesson.open', `${courseId}/${activityId}`, act, () =>
      this.openLessonTx(person, course, item, lang),
    );
  }

  /** A lesson was finished: 'completed' for it, and for the course (once) when that was the last activity. */
  async completeLesson(
    person: Person,
    courseId: string,
    activityId: string,
    lang: Language,
    act: Act = {},
  ): Promise<{ courseCompleted: boolean }> {
    const { course, item } = this.activity(courseId, activityId, lang, 'lesson');
    return await this.once(person, 'lesson.complete', `${courseId}/${activityId}`, act, () => ({
      courseCompleted: this.completeLessonTx(person, course, item, lang),
    }));
  }

  /**
   * "Mark as done and continue": the lesson completed and, when the next item to do is a lesson, that one
   * opened, in one write guarded by the operation id (a resend from the phone applies neither twice).
   * `next` is where the trainee goes: null when nothing is left (the course's rating).
   */
  async completeLessonAndContinue(
    person: Person,
    courseId: string,
    activityId: string,
    lang: Language,
    act: Act = {},
  ): Promise<{ courseCompleted: boolean; next: CourseProgress['next'] }> {
    const { course, item } = this.activity(courseId, activityId, lang, 'lesson');
    return await this.once(person, 'lesson.complete', `${courseId}/${activityId}`, act, () => {
      const courseCompleted = this.completeLessonTx(person, course, item, lang);
      const next = courseCompleted ? null : this.courseProgress(person.id, course).next;
      const nextItem =
        next?.type === 'lesson' ? items(course).find((i) => i.id === next.activityId) : undefined;
      if (nextItem) this.openLessonTx(person, course, nextItem, lang);
      return { courseCompleted, next: next ? { activityId: next.activityId, type: next.type } : null };
    });
  }

  /**
   * Grade a quiz on the server and record it: one 'answered' per question, 'passed' or 'failed' for the
   * quiz, then the course 'completed' when that finished it. Refuses with 409 'no_attempts_left' when
   * the attempts allowed are used up (checked inside the write, so two concurrent submissions cannot
   * both take the last attempt).
   */
  async submitQuiz(
    person: Person,
    courseId: string,
    activityId: string,
    lang: Language,
    answers: Record<string, string[]>,
    /** The submission's operation id (the form's): a repeat gets the first result, no new attempt. */
    act: Act = {},
    /**
     * The course version the answers were given to (the form says it). The box keeps one version of a
     * course: answers to a version replaced since (sent late from a phone's queue, or an old tab) are
     * refused with course_replaced rather than graded against other questions.
     */
    answeredVersion?: string,
  ): Promise<QuizResult> {
    const { course, item } = this.activity(courseId, activityId, lang, 'quiz');
    if (answeredVersion !== undefined && answeredVersion !== course.version)
      throw learningError('course_replaced', { course: courseId });
    const key = this.content.getQuizKey(courseId, activityId, lang);
    if (!key) throw notFound(`quiz ${courseId}/${activityId}`);
    const graded = gradeQuiz(key, validateAnswers(key, answers));
    return await this.once(person, 'quiz.submit', `${courseId}/${activityId}`, act, () =>
      this.submitQuizTx(person, course, item, lang, key, graded),
    );
  }

  /**
   * How far into a lesson the trainee has read (0..100), sent by the lesson page's script as they scroll:
   * 'progressed' with the cmi5 progress extension; the lesson's position becomes that figure. Lessons
   * are still completed only by "Mark as done".
   */
  async saveProgress(
    person: Person,
    courseId: string,
    activityId: string,
    lang: Language,
    progress: number,
    act: Act = {},
  ): Promise<void> {
    if (!Number.isInteger(progress) || progress < 0 || progress > 100)
      throw learningError('progress_invalid', { got: String(progress) });
    const { course, item } = this.activity(courseId, activityId, lang, 'lesson');
    await this.once(person, 'lesson.progress', `${courseId}/${activityId}`, act, () => {
      this.launchIfFirst(person, course, item, lang);
      this.emit({
        person,
        course,
        lang,
        verb: 'progressed',
        activityId: item.id,
        activityType: 'lesson',
        activityName: item.title,
        result: { extensions: { [EXT.progress]: progress } },
      });
    });
  }

  /** Rate a course 1..5 with an optional comment; a new rating replaces the previous one. */
  async rateCourse(
    person: Person,
    courseId: string,
    rating: number,
    comment: string,
    act: Act = {},
  ): Promise<void> {
    const { rating: r, comment: c } = validateRating(rating, comment);
    const course = this.content.getCourse(courseId, person.language ?? 'en');
    if (!course) throw notFound(`course ${courseId}`);
    if (!this.courseProgress(person.id, course).completed) throw learningError('not_completed');
    await this.once(person, 'course.rate', courseId, act, () =>
      this.rateCourseTx(person, course, course.language, r, c),
    );
  }

  /**
   * A trainee's write guarded by its operation id (src/records/operations.ts): a repeat of the same id
   * (a double tap, a resend from the phone's queue) gets the first result and writes nothing. Without an
   * id (a caller with nothing to repeat: the CLI, a test) a new one is made.
   */
  private async once<T>(person: Person, action: string, target: string, act: Act, fn: () => T): Promise<T> {
    const op = { id: act.opId ?? newId(), personId: person.id, action, target, actedAt: act.actedAt };
    return (await this.records.writeOnce(op, fn)).result;
  }

  // ---- the same actions inside a transaction the caller holds --------------------------------------

  /** Inside records.write/writeNow only. */
  openLessonTx(person: Actor, course: CourseOutline, item: OutlineItem, lang: Language): void {
    this.launchIfFirst(person, course, item, lang);
    this.emit({
      person,
      course,
      lang,
      verb: 'experienced',
      activityId: item.id,
      activityType: 'lesson',
      activityName: item.title,
    });
  }

  /** Inside records.write/writeNow only. Returns whether this completed the course. */
  completeLessonTx(person: Actor, course: CourseOutline, item: OutlineItem, lang: Language): boolean {
    this.launchIfFirst(person, course, item, lang);
    this.emit({
      person,
      course,
      lang,
      verb: 'completed',
      activityId: item.id,
      activityType: 'lesson',
      activityName: item.title,
      result: { completion: true },
    });
    return this.completeCourseIfDone(person, course, item, lang);
  }

  /** Inside records.write/writeNow only. */
  submitQuizTx(
    person: Actor,
    course: CourseOutline,
    item: OutlineItem,
    lang: Language,
    key: QuizKey,
    graded: GradedQuiz,
  ): QuizResult {
    const used = this.repo.attemptsUsed(person.id, course.id, item.id);
    if (this.attemptsLeft(key, person.id, course.id, item.id, used) === 0) {
      throw learningError('no_attempts_left', {
        n: key.attemptsAllowed + this.repo.granted(person.id, course.id, item.id),
        quiz: `${course.id}/${item.id}`,
      });
    }
    const attemptNo = used + 1;
    const passedBefore = this.repo.progress(person.id, course.id, item.id)?.status === 'passed';
    this.launchIfFirst(person, course, item, lang);
    const types = new Map(key.questions.map((q) => [q.id, q.type]));
    for (const q of graded.questions) {
      this.emit({
        person,
        course,
        lang,
        verb: 'answered',
        activityId: `${item.id}/${q.id}`,
        activityType: 'question',
        activityName: `${item.title}: ${q.id}`,
        result: {
          success: q.correct,
          response: q.given.join('[,]'),
          extensions: { [EXT.answers]: q.given },
        },
        extensions: {
          [EXT.quizId]: item.id,
          [EXT.questionId]: q.id,
          [EXT.questionType]: types.get(q.id),
          [EXT.attempt]: attemptNo,
        },
      });
    }
    this.emit({
      person,
      course,
      lang,
      verb: graded.passed ? 'passed' : 'failed',
      activityId: item.id,
      activityType: 'assessment',
      activityName: item.title,
      result: {
        score: { scaled: graded.score, raw: graded.correctCount, min: 0, max: graded.total },
        success: graded.passed,
        completion: true,
        extensions: {
          [EXT.answers]: Object.fromEntries(graded.questions.map((q) => [q.id, q.given])),
        },
      },
      extensions: { [EXT.attempt]: attemptNo },
    });
    // A submitted quiz is completed whatever its score (outcomes module): it may complete the course.
    const courseCompleted = this.completeCourseIfDone(person, course, item, lang);
    const left = this.attemptsLeft(key, person.id, course.id, item.id, attemptNo);
    return {
      courseId: course.id,
      activityId: item.id,
      attemptNo,
      score: graded.score,
      passed: graded.passed,
      attemptsLeft: left,
      ...quizReview(key, graded, passedBefore || graded.passed, left),
      courseCompleted,
    };
  }

  /** Inside records.write/writeNow only; `rating` and `comment` already validated. */
  rateCourseTx(person: Actor, course: CourseOutline, lang: Language, rating: number, comment: string): void {
    this.emit({
      person,
      course,
      lang,
      verb: 'rated',
      activityId: '',
      activityType: 'course',
      activityName: course.title,
      result: { score: { raw: rating, min: 1, max: 5 }, response: comment },
    });
  }

  // ---- derived state ------------------------------------------------------------------------------

  /**
   * Update progress, attempts and ratings from one journal statement. The only writer of derived state;
   * called for every statement the feature appends, by ScormService for SCORM statements, and by
   * `rebuildDerived`, so a rebuild replays SCORM progress the same way live commits made it. Statements
   * of other verbs (progressed, terminated, imports) that carry no learning meaning here are ignored.
   */
  applyStatement(seq: number, s: XapiStatement): void {
    // What the statement means is the shared outcomes module's reading (the one HQ applies too).
    const meaning = statementEffect(s);
    if (!meaning) return;
    const at = s.timestamp;
    if (meaning.type === 'rating') {
      const r = meaning.effect;
      this.repo.upsertRating(r.personId, r.courseId, r.rating, r.comment, at);
      return;
    }
    const e = meaning.effect;
    const ext = s.context.extensions ?? {};
    const row = (
      id: string,
      status: StoredStatus,
      completed: boolean,
      position: string,
      score: number | null,
      attempts: number,
    ) =>
      this.repo.mergeProgress({
        personId: e.personId,
        courseId: e.courseId,
        activityId: id,
        status,
        completed,
        score,
        attempts,
        position,
        seq,
        at,
      });
    const status: StoredStatus = e.passed
      ? 'passed'
      : e.failed
        ? 'failed'
        : e.completed
          ? 'completed'
          : 'started';
    if (e.activityId === '') {
      const p = ext[EXT.position];
      row('', status, e.completed, typeof p === 'string' ? p : '', e.score, e.attempt);
      return;
    }
    const p = s.result?.extensions?.[EXT.progress];
    const position = s.verb.id === VERBS.progressed && typeof p === 'number' ? String(p) : e.activityId;
    row(e.activityId, status, e.completed, position, e.score, e.attempt);
    row('', 'started', false, e.activityId, null, 0);
    const attemptNo = Number(ext[EXT.attempt] ?? 0);
    if ((e.passed || e.failed) && attemptNo) {
      const answers = s.result?.extensions?.[EXT.answers];
      this.repo.finishAttempt({
        personId: e.personId,
        courseId: e.courseId,
        activityId: e.activityId,
        attemptNo,
        score: e.score,
        status: e.passed ? 'passed' : 'failed',
        answers: typeof answers === 'object' && answers !== null ? (answers as Record<string, string[]>) : {},
        at,
      });
    }
  }

  /**
   * Recompute progress, quiz attempts and ratings from the journal (after a repair, or to check that
   * derived state agrees with it). `order` lets tests replay in another order: the result is the same.
   * Ratings keep the statement with the highest seq whatever the order.
   */
  rebuildDerived(
    order: (rows: { seq: number; body: string }[]) => { seq: number; body: string }[] = (r) => r,
  ): void {
    this.records.writeNow(() => {
      this.repo.clearDerived();
      const rows: { seq: number; body: string }[] = [];
      const adjustments: string[] = [];
      for (const r of this.records.iterateJournal(0)) {
        if (r.kind === 'statement') rows.push({ seq: r.seq, body: r.body });
        else if (r.kind === 'adjustment') adjustments.push(r.body);
      }
      for (const a of adjustments) this.applyAdjustment(JSON.parse(a) as AdjustmentBody);
      const ratingSeq = new Map<string, number>();
      for (const r of order(rows)) {
        const s = JSON.parse(r.body) as XapiStatement;
        if (s.verb.id === VERBS.rated) {
          const k = `${s.actor.account.name}\n${String(s.context.extensions?.[EXT.courseId])}`;
          if ((ratingSeq.get(k) ?? 0) > r.seq) continue;
          ratingSeq.set(k, r.seq);
        }
        this.applyStatement(r.seq, s);
      }
    });
  }

  /**
   * Apply a coordinator's adjustment (journal kind 'adjustment') to derived state: an attempt grant raises
   * the quiz's allowance for the person. Nothing recorded is undone. Inside records.write/writeNow only.
   */
  applyAdjustment(a: AdjustmentBody): void {
    if (a.type === 'attempt_grant') this.repo.addGrant(a.personId, a.courseId, a.activityId, a.add);
  }

  // ---- internals ----------------------------------------------------------------------------------

  /** Attempts left at a quiz: the quiz's allowance plus what coordinators granted, less those used. */
  private attemptsLeft(key: QuizKey, personId: string, courseId: string, activityId: string, used: number) {
    if (key.attemptsAllowed === 0) return null;
    return Math.max(0, key.attemptsAllowed + this.repo.granted(personId, courseId, activityId) - used);
  }

  private activity(
    courseId: string,
    activityId: string,
    lang: Language,
    type: 'lesson' | 'quiz',
  ): { course: CourseOutline; item: OutlineItem } {
    const course = this.content.getCourse(courseId, lang);
    if (!course) throw notFound(`course ${courseId}`);
    const item = items(course).find((i) => i.id === activityId);
    if (!item || item.type !== type) throw notFound(`${type} ${courseId}/${activityId}`);
    return { course, item };
  }

  /**
   * THE emitter: every kind of content (native, SCORM) records a learning event here. The statement is
   * built from the one vocabulary, appended to the journal and projected into derived state by
   * `applyStatement` (the one projector, also what `rebuildDerived` replays), in the caller's
   * records.write transaction. Returns the journal sequence number.
   */
  emit(e: Emit): number {
    const stmt = this.records.buildStatement({
      person: e.person,
      verb: e.verb,
      courseId: e.course.id,
      activityId: e.activityId,
      activityType: e.activityType,
      activityName: e.activityName,
      courseVersion: e.course.version,
      language: e.lang,
      registration: registrationFor(e.person.id, e.course.id),
      ...(e.result ? { result: e.result } : {}),
      ...(e.extensions ? { extensions: e.extensions } : {}),
      // A SCORM course's statements (its SCOs' and its own) follow the ADL SCORM profile.
      ...(e.course.kind !== 'native' ? { category: [SCORM_PROFILE] } : {}),
    });
    const seq = this.records.appendStatement(stmt);
    this.applyStatement(seq, stmt);
    return seq;
  }

  private launchIfFirst(person: Actor, course: CourseOutline, item: OutlineItem, lang: Language): void {
    if (this.repo.has(person.id, course.id, '')) return;
    this.emit({
      person,
      course,
      lang,
      verb: 'launched',
      activityId: '',
      activityType: 'course',
      activityName: course.title,
      extensions: { [EXT.position]: item.id },
    });
  }

  /** Record the course 'completed' once, when every activity is completed or passed. */
  private completeCourseIfDone(
    person: Actor,
    course: CourseOutline,
    item: OutlineItem,
    lang: Language,
  ): boolean {
    const all = items(course);
    // Cheap count first: most actions leave the course unfinished.
    if (all.length === 0 || this.repo.doneCount(person.id, course.id) < all.length) return false;
    const rows = new Map(this.repo.progressForCourse(person.id, course.id).map((r) => [r.activity_id, r]));
    if (rows.get('')?.completed) return false;
    if (!all.every((i) => isDone(rows.get(i.id)))) return false;
    this.emit({
      person,
      course,
      lang,
      verb: 'completed',
      activityId: '',
      activityType: 'course',
      activityName: course.title,
      result: { completion: true },
      extensions: { [EXT.position]: item.id },
    });
    return true;
  }
}

/**
 * The course's pass/fail by the outcomes module, as HQ computes it from the journal's `course` row:
 * native courses by their assessed items, SCORM 1.2 by its SCOs (mastery scores), SCORM 2004 by the
 * root's rollup (the course-level statements the runtime records).
 */
function courseResult(
  course: CourseOutline,
  rows: ReadonlyMap<string, ProgressRow>,
  mastery: ReadonlyMap<string, number> = new Map(),
): CourseResult {
  const all = items(course);
  const def: CourseBody = {
    id: course.id,
    version: course.version,
    kind: course.kind,
    titles: {},
    activities: all.map((i) => {
      const m = mastery.get(i.id);
      return { id: i.id, type: i.type, titles: {}, ...(m !== undefined ? { masteryScore: m / 100 } : {}) };
    }),
    assessed:
      course.kind === 'native'
        ? (course.assessed ?? all.filter((i) => i.type === 'quiz').map((i) => i.id))
        : [],
  };
  const facts = new Map<string, ActivityFacts>();
  for (const [id, r] of rows) facts.set(id, progressFacts(r));
  return courseOutcome(def, facts)?.result ?? 'pending';
}

/**
 * A stored progress row as the outcomes module's facts (one journal: attempts = the highest attempt).
 * The status keeps only the strongest of passed/failed, which is all activityOutcome reads; `completed`
 * is the flag as recorded (HQ's facts carry the same). The coordinator's reports read rows through this.
 */
export function progressFacts(
  r: Pick<ProgressRow, 'status' | 'completed' | 'attempts' | 'best_score'>,
): ActivityFacts {
  return {
    completed: r.completed === 1,
    passed: r.status === 'passed',
    failed: r.status === 'failed',
    attempts: r.attempts,
    bestScore: r.best_score,
  };
}

/** Done = completed (a submitted quiz, even failed, is completed) or passed: the outcomes module's rule. */
const isDone = (r: ProgressRow | undefined): boolean => !!r && (r.completed === 1 || r.status === 'passed');

function items(course: CourseOutline): OutlineItem[] {
  return course.modules.flatMap((m) => m.items);
}

/**
 * The review of an attempt: per question what the trainee gave and whether it was right, the score as a
 * count, and the right answers only when the course allows it (course.json `showCorrectAnswers`): by
 * default once the quiz is passed or no attempt is left, so that a retry is not copied from the review.
 */
function quizReview(
  key: QuizKey,
  graded: GradedQuiz,
  everPassed: boolean,
  left: number | null,
): Pick<QuizResult, 'questions' | 'correctCount' | 'total' | 'answersShown'> {
  const answersShown = key.showCorrectAnswers === 'always' || everPassed || left === 0;
  const keys = new Map(key.questions.map((q) => [q.id, q]));
  return {
    correctCount: graded.correctCount,
    total: graded.total,
    answersShown,
    questions: graded.questions.map((q) => {
      const k = keys.get(q.id);
      // A short question shows its first accepted answer: the others are variants of it.
      const expected = k?.type === 'short' ? (k.accepted ?? []).slice(0, 1) : (k?.correct ?? []);
      return {
        id: q.id,
        correct: q.correct,
        feedback: q.feedback,
        given: q.given,
        expected: answersShown ? expected : null,
      };
    }),
  };
}

function toActivityProgress(
  courseId: string,
  activityId: string,
  r: ProgressRow | undefined,
): ActivityProgress {
  return {
    courseId,
    activityId,
    status: r?.status ?? 'not_started',
    completed: isDone(r),
    bestScore: r?.best_score ?? null,
    attempts: r?.attempts ?? 0,
    position: r?.position ?? null,
    updatedAt: r?.updated_at ?? null,
  };
}

/** Check a rating: an integer 1..5 and a comment of at most COMMENT_MAX characters (trimmed). */
export function validateRating(rating: unknown, comment: unknown): { rating: number; comment: string } {
  if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5)
    throw learningError('rating_invalid');
  if (typeof comment !== 'string') throw learningError('comment_invalid', { max: COMMENT_MAX });
  const c = comment.trim();
  if (c.length > COMMENT_MAX) throw learningError('comment_invalid', { max: COMMENT_MAX });
  return { rating, comment: c };
}
