import type { Language } from '../core/config.js';
import { AppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { ContentService } from '../content/content.service.js';
import type { CourseOutline, OutlineItem } from '../content/content.types.js';
import type { ScormActivityInfo, ScormPackageInfo } from '../content/scorm/scorm-package.js';
import type { Db } from '../db/connection.js';
import type { Person } from '../people/people.types.js';
import type { RecordsService } from '../records/records.service.js';
import { EXT, SCORM_EXT, type VerbKey, type XapiResult, type XapiStatement } from '../contract/vocabulary.js';
import { LearningRepo } from './learning.repo.js';
import { registrationFor, type LearningService } from './learning.service.js';
import {
  evaluateSequencing,
  loadSequencingEngine,
  type ScoState,
  type SequencingView,
} from './scorm.sequencing.js';

/** Limits on what a SCO may store (it is untrusted code). */
const MAX_KEYS = 5000;
const MAX_VALUE = 64_000;
const MAX_STATE_BYTES = 512 * 1024;

/** CMI elements the LMS sets at launch, never kept from a commit. */
const LMS_OWNED =
  /^cmi\.(core\.(student_id|student_name|credit|entry|lesson_mode|total_time|session_time)|student_data\.|launch_data|comments_from_lms|learner_id|learner_name|credit|entry|mode|total_time|session_time|completion_threshold|scaled_passing_score|max_time_allowed|time_limit_action)/;

export interface ScormAttemptState {
  /** Flattened persistent CMI (`cmi.core.lesson_location` -> value). */
  cmi: Record<string, string>;
  /** Session id -> seconds reported by that session (total time is their sum). */
  sessions: Record<string, number>;
  /** The SCO terminated with a non-suspend exit after finishing: the next launch starts a new attempt. */
  ended: boolean;
  /** Verbs already recorded in this attempt (completed once; passed/failed when it changes). */
  recorded: { completed?: boolean; success?: 'passed' | 'failed' };
}

export interface LaunchData {
  courseId: string;
  activityId: string;
  version: 'scorm12' | 'scorm2004';
  scormType: 'sco' | 'asset';
  launch: string;
  attemptNo: number;
  sessionId: string;
  /** Flattened CMI to load into scorm-again before the SCO starts. */
  cmi: Record<string, string>;
  info: ScormActivityInfo;
}

export interface CommitOutcome {
  attemptNo: number;
  status: string;
  statements: VerbKey[];
}

type Cmi = Record<string, string>;

/** Flatten scorm-again's nested commit (`{cmi: {core: {...}, interactions: {0: {...}}}}`). */
export function flattenCmi(body: unknown): Cmi {
  const out: Cmi = {};
  let n = 0;
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > 8) throw new AppError('scorm_commit_invalid', 'CMI data nested too deeply', 400);
    if (v === null || v === undefined) return;
    if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (!/^[A-Za-z0-9_]{1,64}$/.test(k))
          throw new AppError('scorm_commit_invalid', `CMI key "${k.slice(0, 40)}" is not valid`, 400);
        walk(x, `${path}.${k}`, depth + 1);
      }
      return;
    }
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return;
    const s = String(v);
    if (s.length > MAX_VALUE)
      throw new AppError('scorm_commit_invalid', `${path}: longer than ${MAX_VALUE} characters`, 413);
    if (++n > MAX_KEYS) throw new AppError('scorm_commit_invalid', `more than ${MAX_KEYS} CMI values`, 413);
    out[path] = s;
  };
  const cmi = (body as { cmi?: unknown } | null)?.cmi;
  if (typeof cmi !== 'object' || cmi === null)
    throw new AppError('scorm_commit_invalid', 'the commit holds no cmi object', 400);
  walk(cmi, 'cmi', 0);
  return out;
}

/** Seconds in a SCORM 1.2 timespan (HHHH:MM:SS.SS) or a SCORM 2004 ISO 8601 duration (PT1H2M3.5S). */
export function durationSeconds(v: string | undefined): number {
  if (!v) return 0;
  const a = /^(\d{1,4}):(\d{2}):(\d{2}(?:\.\d{1,2})?)$/.exec(v.trim());
  if (a) return Number(a[1]) * 3600 + Number(a[2]) * 60 + Number(a[3]);
  const b =
    /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      v.trim(),
    );
  if (!b) return 0;
  const f = (i: number) => Number(b[i] ?? 0);
  return f(1) * 31536000 + f(2) * 2592000 + f(3) * 86400 + f(4) * 3600 + f(5) * 60 + f(6);
}

const pad = (n: number) => String(Math.floor(n)).padStart(2, '0');
function timespan12(s: number): string {
  return `${pad(s / 3600).padStart(4, '0')}:${pad((s % 3600) / 60)}:${pad(s % 60)}`;
}
function iso(s: number): string {
  return `PT${Math.floor(s / 3600)}H${Math.floor((s % 3600) / 60)}M${Math.round((s % 60) * 100) / 100}S`;
}

const num = (v: string | undefined): number | undefined => {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** The tracking outcome of a CMI state, as the LMS judges it (mastery score, thresholds applied). */
export function judge(
  version: 'scorm12' | 'scorm2004',
  cmi: Cmi,
  info: ScormActivityInfo,
): {
  completed: boolean;
  success?: 'passed' | 'failed';
  scaled?: number;
  raw?: number;
  min?: number;
  max?: number;
  progress?: number;
  status: string;
} {
  if (version === 'scorm12') {
    let status = cmi['cmi.core.lesson_status'] ?? 'not attempted';
    const raw = num(cmi['cmi.core.score.raw']);
    const min = num(cmi['cmi.core.score.min']) ?? 0;
    const max = num(cmi['cmi.core.score.max']) ?? 100;
    // SCORM 1.2 RTE 3.4.4: with a mastery score and a raw score, the LMS sets passed or failed.
    if (
      info.masteryScore !== undefined &&
      raw !== undefined &&
      status !== 'not attempted' &&
      status !== 'browsed'
    )
      status = raw >= info.masteryScore ? 'passed' : 'failed';
    const scaled =
      raw !== undefined && max > min ? Math.max(0, Math.min(1, (raw - min) / (max - min))) : undefined;
    return {
      completed: status === 'completed' || status === 'passed' || status === 'failed',
      ...(status === 'passed' || status === 'failed' ? { success: status } : {}),
      ...(scaled !== undefined ? { scaled } : {}),
      ...(raw !== undefined ? { raw, min, max } : {}),
      status,
    };
  }
  let completion = cmi['cmi.completion_status'] ?? 'unknown';
  const progress = num(cmi['cmi.progress_measure']);
  // SCORM 2004 RTE 4.2.4.1: with a completion threshold and a progress measure, the measure decides.
  if (info.completionThreshold !== undefined && progress !== undefined)
    completion = progress >= info.completionThreshold ? 'completed' : 'incomplete';
  let success = cmi['cmi.success_status'] ?? 'unknown';
  const scaledRaw = num(cmi['cmi.score.scaled']);
  if (info.scaledPassingScore !== undefined && scaledRaw !== undefined)
    success = scaledRaw >= info.scaledPassingScore ? 'passed' : 'failed';
  const raw = num(cmi['cmi.score.raw']);
  return {
    completed: completion === 'completed',
    ...(success === 'passed' || success === 'failed' ? { success } : {}),
    ...(scaledRaw !== undefined ? { scaled: Math.max(-1, Math.min(1, scaledRaw)) } : {}),
    ...(raw !== undefined
      ? { raw, min: num(cmi['cmi.score.min']) ?? 0, max: num(cmi['cmi.score.max']) ?? 100 }
      : {}),
    ...(progress !== undefined ? { progress } : {}),
    status: success === 'passed' || success === 'failed' ? success : completion,
  };
}

interface AttemptRow {
  attempt_no: number;
  state: string;
}

/**
 * The SCORM runtime's server side: launch data (saved CMI, resume) and commits. Every commit is ONE
 * `records.write` (group commit, durable before the SCO is told "true"): the attempt's CMI state in
 * `attempts` (kind 'scorm'), the xAPI statements of the ADL xAPI SCORM profile it implies
 * (initialized, progressed, completed, passed/failed, terminated) in the journal, and the derived
 * progress through LearningService.applyStatement, so SCORM courses show in My courses, the outline,
 * reports and bundles like native ones.
 */
export class ScormService {
  private readonly learningRepo: LearningRepo;
  private readonly sAttempt;
  private readonly sUpsert;

  constructor(
    db: Db,
    private readonly records: RecordsService,
    private readonly content: ContentService,
    private readonly learning: LearningService,
  ) {
    this.learningRepo = new LearningRepo(db);
    this.sAttempt = db.prepare(
      `SELECT attempt_no, state FROM attempts WHERE person_id = ? AND course_id = ? AND activity_id = ? AND kind = 'scorm'
       ORDER BY attempt_no DESC LIMIT 1`,
    );
    this.sUpsert = db.prepare(
      `INSERT INTO attempts (person_id, course_id, activity_id, attempt_no, kind, state, score, status, started_at, updated_at)
       VALUES (@person, @course, @activity, @attempt, 'scorm', @state, @score, @status, @at, @at)
       ON CONFLICT (person_id, course_id, activity_id, attempt_no) DO UPDATE SET
         state = excluded.state, score = excluded.score, status = excluded.status, updated_at = excluded.updated_at`,
    );
  }

  /** The SCORM data of an active SCORM course, or undefined. */
  packageOf(courseId: string): ScormPackageInfo | undefined {
    return this.content.scormInfo(courseId) as ScormPackageInfo | undefined;
  }

  private resolve(
    courseId: string,
    activityId: string,
    lang: Language,
  ): { course: CourseOutline; item: OutlineItem; pkg: ScormPackageInfo; info: ScormActivityInfo } {
    const course = this.content.getCourse(courseId, lang);
    const pkg = course ? this.packageOf(courseId) : undefined;
    if (!course || !pkg) throw notFound(`SCORM course ${courseId}`);
    const item = course.modules.flatMap((m) => m.items).find((i) => i.id === activityId);
    const info = pkg.activities[activityId];
    if (!item || !info) throw notFound(`SCO ${courseId}/${activityId}`);
    return { course, item, pkg, info };
  }

  private current(
    personId: string,
    courseId: string,
    activityId: string,
  ): { attemptNo: number; state: ScormAttemptState } | undefined {
    const r = this.sAttempt.get(personId, courseId, activityId) as AttemptRow | undefined;
    return r ? { attemptNo: r.attempt_no, state: JSON.parse(r.state) as ScormAttemptState } : undefined;
  }

  /**
   * SCORM 2004 sequencing for one trainee (undefined when the package has none beyond control mode):
   * scorm-again's engine over the manifest's activity tree, fed the latest stored attempt of each SCO.
   */
  async sequencing(personId: string, courseId: string): Promise<SequencingView | undefined> {
    const pkg = this.packageOf(courseId);
    if (!pkg?.sequencing) return undefined;
    await loadSequencingEngine();
    return this.sequencingNow(personId, courseId, pkg);
  }

  /** Synchronous evaluation (inside a records.write); the engine must be loaded. */
  private sequencingNow(personId: string, courseId: string, pkg: ScormPackageInfo): SequencingView {
    const states = new Map<string, ScoState>();
    for (const [id, info] of Object.entries(pkg.activities)) {
      const cur = this.current(personId, courseId, id);
      if (!cur) continue;
      const j = judge(pkg.version, cur.state.cmi, info);
      const c = cur.state.cmi['cmi.completion_status'];
      states.set(id, {
        attempts: cur.attemptNo,
        completion: j.completed ? 'completed' : c === 'incomplete' ? 'incomplete' : 'unknown',
        success: j.success ?? 'unknown',
        ...(j.scaled !== undefined ? { scaled: j.scaled } : {}),
      });
    }
    return evaluateSequencing(pkg.sequencing!, states);
  }

  /**
   * Launch data for the player, after the package's sequencing allows it: a SCO its pre-condition rules
   * disable (or whose attempt limit is used up) is refused with 403 `scorm_not_available`.
   */
  async open(
    person: Pick<Person, 'id' | 'displayName'>,
    courseId: string,
    activityId: string,
    lang: Language,
  ): Promise<{ launch: LaunchData; sequencing?: SequencingView }> {
    const { item } = this.resolve(courseId, activityId, lang);
    const view = await this.sequencing(person.id, courseId);
    if (view?.disabled.has(activityId) || view?.hidden.has(activityId))
      throw new AppError(
        'scorm_not_available',
        `"${item.title}" is not available yet: the course's sequencing rules require other parts first`,
        403,
      );
    return { launch: this.launch(person, courseId, activityId, lang), ...(view ? { sequencing: view } : {}) };
  }

  /** What the player loads: the saved CMI of the current attempt (or a new one), and a new session id. */
  launch(
    person: Pick<Person, 'id' | 'displayName'>,
    courseId: string,
    activityId: string,
    lang: Language,
  ): LaunchData {
    const { pkg, info } = this.resolve(courseId, activityId, lang);
    const cur = this.current(person.id, courseId, activityId);
    const fresh = !cur || cur.state.ended;
    const attemptNo = !cur ? 1 : cur.state.ended ? cur.attemptNo + 1 : cur.attemptNo;
    const saved: Cmi = fresh ? {} : { ...cur.state.cmi };
    const total = fresh ? 0 : Object.values(cur.state.sessions).reduce((a, b) => a + b, 0);
    const v12 = pkg.version === 'scorm12';
    const exitKey = v12 ? 'cmi.core.exit' : 'cmi.exit';
    const resume = !fresh && saved[exitKey] === 'suspend';
    delete saved[exitKey];
    const lms: Cmi = v12
      ? {
          'cmi.core.student_id': person.id,
          'cmi.core.student_name': person.displayName,
          'cmi.core.credit': 'credit',
          'cmi.core.lesson_mode': 'normal',
          'cmi.core.entry': resume ? 'resume' : fresh ? 'ab-initio' : '',
          'cmi.core.total_time': timespan12(total),
          ...(info.masteryScore !== undefined
            ? { 'cmi.student_data.mastery_score': String(info.masteryScore) }
            : {}),
          ...(info.maxTimeAllowed ? { 'cmi.student_data.max_time_allowed': info.maxTimeAllowed } : {}),
          ...(info.timeLimitAction ? { 'cmi.student_data.time_limit_action': info.timeLimitAction } : {}),
          ...(info.dataFromLms ? { 'cmi.launch_data': info.dataFromLms } : {}),
        }
      : {
          'cmi.learner_id': person.id,
          'cmi.learner_name': person.displayName,
          'cmi.credit': 'credit',
          'cmi.mode': 'normal',
          'cmi.entry': resume ? 'resume' : 'ab-initio',
          'cmi.total_time': iso(total),
          ...(info.completionThreshold !== undefined
            ? { 'cmi.completion_threshold': String(info.completionThreshold) }
            : {}),
          ...(info.scaledPassingScore !== undefined
            ? { 'cmi.scaled_passing_score': String(info.scaledPassingScore) }
            : {}),
          ...(info.dataFromLms ? { 'cmi.launch_data': info.dataFromLms } : {}),
        };
    return {
      courseId,
      activityId,
      version: pkg.version,
      scormType: info.scormType,
      launch: info.launch,
      attemptNo,
      sessionId: newId(),
      cmi: { ...saved, ...lms },
      info,
    };
  }

  /**
   * Store a commit from the SCO (untrusted: sizes and keys are checked, LMS-owned elements ignored) and
   * record what it means. Resolves once durable. `asset`: an asset was opened (completed on launch).
   */
  async commit(
    person: Pick<Person, 'id' | 'displayName'>,
    courseId: string,
    activityId: string,
    lang: Language,
    c: { sessionId: string; attemptNo: number; body?: unknown; terminate?: boolean; asset?: boolean },
  ): Promise<CommitOutcome> {
    const { course, item, pkg, info } = this.resolve(courseId, activityId, lang);
    if (!/^[0-9a-f-]{36}$/.test(c.sessionId))
      throw new AppError('scorm_commit_invalid', 'session: not a session id', 400);
    const incoming = c.asset ? {} : flattenCmi(c.body);
    // Sequencing: a SCO never launched may not be started by a commit while the rules disable it.
    const view = await this.sequencing(person.id, courseId);
    if (view?.disabled.has(activityId) && !this.current(person.id, courseId, activityId))
      throw new AppError('scorm_not_available', `"${item.title}" is not available yet`, 403);
    return this.records.write(() => {
      const cur = this.current(person.id, courseId, activityId);
      const attemptNo = !cur
        ? 1
        : cur.state.ended && cur.attemptNo < c.attemptNo
          ? cur.attemptNo + 1
          : cur.attemptNo;
      const prev: ScormAttemptState =
        cur && cur.attemptNo === attemptNo
          ? cur.state
          : { cmi: {}, sessions: {}, ended: false, recorded: {} };
      const v12 = pkg.version === 'scorm12';
      const cmi: Cmi = { ...prev.cmi };
      for (const [k, v] of Object.entries(incoming))
        if (!LMS_OWNED.test(k) && !/\._(count|children|version)$/.test(k)) cmi[k] = v;
      if (c.asset) cmi[v12 ? 'cmi.core.lesson_status' : 'cmi.completion_status'] = 'completed';
      const sessionSeconds = durationSeconds(incoming[v12 ? 'cmi.core.session_time' : 'cmi.session_time']);
      const firstOfSession = !(c.sessionId in prev.sessions);
      const sessions = {
        ...prev.sessions,
        [c.sessionId]: Math.max(prev.sessions[c.sessionId] ?? 0, sessionSeconds),
      };
      const j = judge(pkg.version, cmi, info);
      const exit = cmi[v12 ? 'cmi.core.exit' : 'cmi.exit'] ?? '';
      const state: ScormAttemptState = {
        cmi,
        sessions,
        ended: !!c.terminate && exit !== 'suspend' && j.completed,
        recorded: { ...prev.recorded },
      };
      const size = JSON.stringify(state).length;
      if (size > MAX_STATE_BYTES)
        throw new AppError(
          'scorm_commit_invalid',
          `the SCO's data is ${size} bytes (at most ${MAX_STATE_BYTES})`,
          413,
        );

      const verbs: VerbKey[] = [];
      const base = { person, course, item, lang, attemptNo, sessionId: c.sessionId, version: pkg.version };
      if (firstOfSession) {
        if (this.learning.courseProgress(person.id, course).lastActivityAt === null)
          this.emitCourse(person, course, lang, 'launched', item.id);
        this.emit({ ...base, verb: 'initialized' });
        verbs.push('initialized');
      }
      const locKey = v12 ? 'cmi.core.lesson_location' : 'cmi.location';
      const changed =
        cmi[locKey] !== prev.cmi[locKey] ||
        cmi['cmi.suspend_data'] !== prev.cmi['cmi.suspend_data'] ||
        cmi['cmi.progress_measure'] !== prev.cmi['cmi.progress_measure'];
      if (changed && !c.asset) {
        this.emit({
          ...base,
          verb: 'progressed',
          result: {
            extensions: {
              // 0..100 like every other progress figure (cmi.progress_measure is 0..1).
              ...(j.progress !== undefined ? { [SCORM_EXT.progress]: j.progress * 100 } : {}),
              [SCORM_EXT.location]: cmi[locKey] ?? '',
            },
          },
        });
        verbs.push('progressed');
      }
      const score =
        j.scaled !== undefined
          ? { scaled: j.scaled, ...(j.raw !== undefined ? { raw: j.raw, min: j.min!, max: j.max! } : {}) }
          : undefined;
      if (j.completed && !state.recorded.completed) {
        state.recorded.completed = true;
        this.emit({ ...base, verb: 'completed', result: { completion: true, ...(score ? { score } : {}) } });
        verbs.push('completed');
      }
      if (j.success && state.recorded.success !== j.success) {
        state.recorded.success = j.success;
        this.emit({
          ...base,
          verb: j.success,
          result: { success: j.success === 'passed', completion: j.completed, ...(score ? { score } : {}) },
        });
        verbs.push(j.success);
      }
      if (c.terminate) {
        this.emit({ ...base, verb: 'terminated', result: { duration: iso(sessions[c.sessionId] ?? 0) } });
        verbs.push('terminated');
      }
      const at = this.records.now();
      this.sUpsert.run({
        person: person.id,
        course: course.id,
        activity: item.id,
        attempt: attemptNo,
        state: JSON.stringify(state),
        score: j.scaled ?? null,
        status: j.status,
        at,
      });
      if (pkg.sequencing) {
        // Sequenced: the course is complete when the activity tree's rollup says so.
        if (verbs.some((v) => v === 'completed' || v === 'passed' || v === 'failed'))
          this.completeCourseIfRolledUp(person, course, lang, item.id, pkg);
      } else if (verbs.includes('completed') || verbs.includes('passed'))
        this.completeCourseIfDone(person, course, lang, item.id);
      return { attemptNo, status: j.status, statements: verbs };
    });
  }

  /** The CMI state of the latest attempt (tests, admin). */
  attemptState(
    personId: string,
    courseId: string,
    activityId: string,
  ): { attemptNo: number; state: ScormAttemptState } | undefined {
    return this.current(personId, courseId, activityId);
  }

  private emit(e: {
    person: Pick<Person, 'id' | 'displayName'>;
    course: CourseOutline;
    item: OutlineItem;
    lang: Language;
    verb: VerbKey;
    attemptNo: number;
    sessionId: string;
    version: string;
    result?: XapiResult;
  }): void {
    const stmt = this.records.buildStatement({
      person: e.person,
      verb: e.verb,
      courseId: e.course.id,
      activityId: e.item.id,
      activityType: 'sco',
      activityName: e.item.title,
      courseVersion: e.course.version,
      language: e.lang,
      registration: registrationFor(e.person.id, e.course.id),
      ...(e.result ? { result: e.result } : {}),
      extensions: {
        [SCORM_EXT.attempt]: e.attemptNo,
        [SCORM_EXT.session]: e.sessionId,
        [SCORM_EXT.scormVersion]: e.version,
      },
    });
    this.apply(this.records.appendStatement(stmt), stmt);
  }

  private emitCourse(
    person: Pick<Person, 'id' | 'displayName'>,
    course: CourseOutline,
    lang: Language,
    verb: 'launched' | 'completed',
    position: string,
  ): void {
    const stmt = this.records.buildStatement({
      person,
      verb,
      courseId: course.id,
      activityId: '',
      activityType: 'course',
      activityName: course.title,
      courseVersion: course.version,
      language: lang,
      registration: registrationFor(person.id, course.id),
      ...(verb === 'completed' ? { result: { completion: true } } : {}),
      extensions: { [EXT.position]: position },
    });
    this.apply(this.records.appendStatement(stmt), stmt);
  }

  /**
   * Derived progress for a SCORM statement: LearningService.applyStatement's rules (initialized marks the
   * SCO and the course started; completed, passed, failed), the same code `rebuildDerived` replays.
   */
  apply(seq: number, s: XapiStatement): void {
    this.learning.applyStatement(seq, s);
  }

  private completeCourseIfRolledUp(
    person: Pick<Person, 'id' | 'displayName'>,
    course: CourseOutline,
    lang: Language,
    position: string,
    pkg: ScormPackageInfo,
  ): void {
    if (!this.sequencingNow(person.id, course.id, pkg).completed) return;
    const rows = this.learningRepo.progressForCourse(person.id, course.id);
    if (rows.find((r) => r.activity_id === '')?.completed) return;
    this.emitCourse(person, course, lang, 'completed', position);
  }

  private completeCourseIfDone(
    person: Pick<Person, 'id' | 'displayName'>,
    course: CourseOutline,
    lang: Language,
    position: string,
  ): void {
    const p = this.learning.courseProgress(person.id, course);
    const all = course.modules.flatMap((m) => m.items);
    if (all.length === 0 || !all.every((i) => p.activities[i.id]?.completed)) return;
    const rows = this.learningRepo.progressForCourse(person.id, course.id);
    if (rows.find((r) => r.activity_id === '')?.completed) return;
    this.emitCourse(person, course, lang, 'completed', position);
  }
}
