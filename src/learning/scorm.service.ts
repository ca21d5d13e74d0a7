import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Language } from '../core/config.js';
import { notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { ContentService } from '../content/content.service.js';
import type { CourseOutline, OutlineItem } from '../content/content.types.js';
import type {
  ScormActivityInfo,
  ScormActivityNode,
  ScormPackageInfo,
} from '../content/scorm/scorm-package.js';
import type { AdjustmentBody } from '../contract/journal.js';
import type { Db } from '../db/connection.js';
import type { PeopleService } from '../people/people.service.js';
import type { Person } from '../people/people.types.js';
import type { AuditService } from '../records/audit.service.js';
import type { RecordsService } from '../records/records.service.js';
import { EXT, SCORM_EXT, type VerbKey, type XapiResult } from '../contract/vocabulary.js';
import { LaunchTokens, type LaunchClaims } from './content-launch.js';
import { scormError } from './scorm.errors.js';
import { LearningRepo } from './learning.repo.js';
import type { LearningService } from './learning.service.js';
import {
  controlModeRules,
  evaluateSequencing,
  loadSequencingEngine,
  rollupTree,
  sequence,
  type NavRequest,
  type ScoState,
  type Sequenced,
  type SequencingView,
} from './scorm.sequencing.js';
import { ScormRepo } from './scorm.repo.js';

function keepLast<T>(m: Record<string, T>): Record<string, T> {
  const e = Object.entries(m);
  return e.length > KEEP_LAUNCHES ? Object.fromEntries(e.slice(-KEEP_LAUNCHES)) : m;
}

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
  /** Session (launch) id -> seconds reported by that session (total time is their sum). */
  sessions: Record<string, number>;
  /** The attempt is over (see `endsAttempt`): the next launch starts a new attempt. */
  ended: boolean;
  /** Verbs already recorded in this attempt (completed once; passed/failed when it changes). */
  recorded: { completed?: boolean; success?: 'passed' | 'failed' };
  /** The launch still running (no Terminate yet), or null. */
  open?: string | null;
  /** The newest launch of this attempt (a commit from an older one is refused). */
  latest?: string;
  /** Per launch: the highest commit number applied and its answer (a lower or equal number gets it back). */
  launches?: Record<string, { seq: number; answer: CommitOutcome }>;
  /** The SCO set cmi.exit (core.exit) itself, in the latest launch. */
  exitSet?: boolean;
  /** cmi.entry (cmi.core.entry) given to the latest launch. */
  entry?: string;
  /** A coordinator's reset ended this attempt: it does not count against the SCO's attemptLimit. */
  reset?: boolean;
  /**
   * A post-condition retry of a cluster above the SCO (retry on a cluster, retryAll) began a new attempt
   * there after this one: ended, and not attempted in the cluster's new attempt (see ScoState).
   */
  superseded?: boolean;
  /** The cluster this attempt's end retried (its post-conditions, evaluated when it ended). */
  retried?: string;
}

/** What the package-origin runtime loads before the SCO starts (POST /rt/launch). */
export interface LaunchData {
  courseId: string;
  activityId: string;
  version: 'scorm12' | 'scorm2004';
  scormType: 'sco' | 'asset';
  /** Path (and query) under the package root. */
  launch: string;
  /** `/p/<course>/<version>/`: where the package's files are on the package origin. */
  base: string;
  attemptNo: number;
  sessionId: string;
  /** Flattened CMI to load into the runtime before the SCO starts. */
  cmi: Record<string, string>;
  info: ScormActivityInfo;
}

/** Where the player's navigation leads from one SCO (see ScormService.navigation). */
export interface ScormNavigation {
  continue: string | null;
  previous: string | null;
  /** SCOs a Choice (the table of contents) may open. */
  choice: string[];
  /** SCOs that may be delivered at all (by flow or a jump). */
  deliverable: string[];
  flow: boolean;
  choiceAllowed: boolean;
  /**
   * What follows when this SCO has ended with no navigation request of its own: its post-condition
   * rules may deliver a SCO (retry, continue, previous) or end the session (exitAll, exitParent up to
   * the root); `none` leaves the trainee on the player with its links.
   */
  afterEnd: Sequenced;
  sequencing?: SequencingView;
}

/** What the app's player page gets: a launch token for this trainee, activity and attempt. */
export interface PreparedLaunch {
  token: string;
  attemptNo: number;
  sessionId: string;
  info: ScormActivityInfo;
  version: 'scorm12' | 'scorm2004';
}

export interface CommitOutcome {
  attemptNo: number;
  /** The commit number this answer is for (the highest applied). */
  seq: number;
  status: string;
  statements: VerbKey[];
}

/**
 * The package origin's two calls as they arrive (JSON, or a beacon's text/plain body), read by the one
 * `validate(schema)`. The token is checked by the service (401 launch_invalid, also when missing); CMI
 * element names and sizes by `checkCmiSet`.
 */
const token = z.string().max(4096).default('');
export const launchRequestSchema = z.object({ token });
export const commitRequestSchema = z.object({
  token,
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  set: z.record(z.string(), z.unknown()).optional(),
  terminate: z.boolean().default(false),
  exitSet: z.boolean().default(false),
  asset: z.boolean().default(false),
  elapsed: z.number().min(0).optional(),
});

/** A commit from the package-origin runtime (JSON or a beacon's text body). */
export interface CommitInput {
  token: string;
  /** Grows within a launch: a commit is applied only when higher than the last one applied. */
  seq: number;
  /** CMI values changed since the last commit the runtime knows was applied. */
  set?: Record<string, unknown>;
  terminate?: boolean;
  /** The SCO set cmi.exit (cmi.core.exit) itself during this launch. */
  exitSet?: boolean;
  /** Seconds since the runtime started (session time when the SCO reports none). */
  elapsed?: number;
  /** An asset (no API) was opened: opening it completes it. */
  asset?: boolean;
}

type Cmi = Record<string, string>;

/**
 * A commit's CMI values, as the package-origin runtime sends them: flat element names (`cmi.location`,
 * `cmi.interactions.3.id`) -> strings. Untrusted: names and sizes are checked.
 */
export function checkCmiSet(set: unknown): Cmi {
  if (set === undefined) return {};
  if (typeof set !== 'object' || set === null || Array.isArray(set))
    throw scormError('scorm_commit_invalid', { detail: 'it holds no CMI values' });
  const out: Cmi = {};
  let n = 0;
  for (const [k, v] of Object.entries(set as Record<string, unknown>)) {
    if (!/^(cmi|adl)(\.[A-Za-z0-9_]{1,64}){1,8}$/.test(k))
      throw scormError('scorm_commit_invalid', { detail: `CMI element "${k.slice(0, 60)}" is not valid` });
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    const value = String(v);
    if (value.length > MAX_VALUE)
      throw scormError('scorm_commit_too_large', { detail: `${k}: longer than ${MAX_VALUE} characters` });
    if (++n > MAX_KEYS)
      throw scormError('scorm_commit_too_large', { detail: `more than ${MAX_KEYS} CMI values` });
    out[k] = value;
  }
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

const clampSeconds = (n: unknown): number =>
  typeof n === 'number' && Number.isFinite(n) ? Math.max(0, Math.min(n, 24 * 3600)) : 0;

/**
 * Does this launch end the attempt? A SCO that terminated ends it unless it suspended, when it set its
 * exit itself (normal / "") or finished; a launch the box closes (never terminated) ends it only when the
 * SCO set a normal exit explicitly — otherwise it is kept as suspended, so the trainee resumes.
 */
function endsAttempt(terminated: boolean, exit: string, exitSet: boolean, completed: boolean): boolean {
  if (exit === 'suspend') return false;
  return terminated ? exitSet || completed : exitSet;
}

/** The launches kept per attempt (their last commit number and answer). */
const KEEP_LAUNCHES = 20;

/**
 * The SCORM runtime's server side. The app's player page prepares a launch (a token for one trainee,
 * activity and attempt: `prepareLaunch`); the runtime on the package origin starts it (`startLaunch`:
 * the CMI to load, `initialized`) and commits with it (`commitLaunch`). Every write is ONE
 * `records.write` (group commit, durable before it is answered): the attempt's CMI state in `attempts`
 * (kind 'scorm'), the xAPI statements of the ADL xAPI SCORM profile it implies (initialized, progressed,
 * completed, passed/failed, terminated/suspended) in the journal, and the derived progress through
 * LearningService.applyStatement, so SCORM courses show in My courses, the outline, reports and bundles
 * like native ones. Commit numbers make commits idempotent and ordered: a resent or overtaken commit
 * gets the answer of the highest one applied and writes nothing.
 */
export class ScormService {
  private readonly learningRepo: LearningRepo;
  private readonly repo: ScormRepo;
  private readonly tokens: LaunchTokens;

  constructor(
    db: Db,
    private readonly records: RecordsService,
    private readonly content: ContentService,
    private readonly learning: LearningService,
    private readonly people: Pick<PeopleService, 'get' | 'byUsername'>,
    clock: Clock,
    private readonly audit: Pick<AuditService, 'recordTx'>,
  ) {
    this.learningRepo = new LearningRepo(db);
    this.repo = new ScormRepo(db);
    const key = this.repo.metaOnce('content_launch_key', () => LaunchTokens.newKey());
    this.tokens = new LaunchTokens(Buffer.from(key, 'hex'), () => clock.now().getTime() / 1000);
  }

  /** The SCORM data of an active SCORM course, or undefined. */
  packageOf(courseId: string): ScormPackageInfo | undefined {
    return this.content.scormInfo(courseId) as ScormPackageInfo | undefined;
  }

  /** Items the manifest marks isvisible="false": left out of the outline and the contents, still delivered. */
  invisible(courseId: string): Set<string> {
    const out = new Set<string>();
    const walk = (nodes: ScormPackageInfo['toc']) =>
      nodes.forEach((n) => {
        if (n.visible === false) out.add(n.id);
        walk(n.children);
      });
    walk(this.packageOf(courseId)?.toc ?? []);
    return out;
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
  ): { attemptNo: number; state: ScormAttemptState; updatedAt: string } | undefined {
    const r = this.repo.latest(personId, courseId, activityId);
    return r
      ? { attemptNo: r.attempt_no, state: JSON.parse(r.state) as ScormAttemptState, updatedAt: r.updated_at }
      : undefined;
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

  /**
   * Synchronous evaluation (inside a records.write); the engine must be loaded. `tree` defaults to the
   * package's sequencing; the course rollup passes `rollupTree(pkg)` (the SN defaults without one).
   */
  private sequencingNow(
    personId: string,
    courseId: string,
    pkg: ScormPackageInfo,
    tree = pkg.sequencing!,
  ): SequencingView {
    const states = new Map<string, ScoState>();
    for (const [id, info] of Object.entries(pkg.activities)) {
      const cur = this.current(personId, courseId, id);
      if (!cur) continue;
      const j = judge(pkg.version, cur.state.cmi, info);
      const c = cur.state.cmi['cmi.completion_status'];
      states.set(id, {
        // A reset gives the attempt back: an attemptLimit counts the attempts the trainee used.
        attempts: cur.attemptNo - this.repo.resets(personId, courseId, id),
        inProgress: this.attemptFor(cur) === cur.attemptNo,
        completion: j.completed ? 'completed' : c === 'incomplete' ? 'incomplete' : 'unknown',
        success: j.success ?? 'unknown',
        ...(j.scaled !== undefined ? { scaled: j.scaled } : {}),
        ...(cur.state.superseded ? { superseded: true } : {}),
      });
    }
    return evaluateSequencing(tree, states);
  }

  /**
   * The one sequencer for the player's navigation (SN navigation requests), live from the stored
   * attempts: where Continue / Previous lead from `activityId`, which SCOs a Choice may open, and what
   * follows the SCO's end. When the SCO's attempt is over, its exit and post-condition rules act first
   * (retry, retryAll, continue, previous, exitParent, exitAll: `sequence`); flow passes over skipped
   * activities and stops at a disabled one or where the control mode refuses (flow="false", Previous
   * under forwardOnly); a Choice needs the control mode's `choice` and a SCO neither disabled nor hidden
   * from choice; a Jump needs a SCO that is not disabled. Packages without rules flow by control mode.
   */
  async navigation(
    personId: string,
    courseId: string,
    activityId: string,
    lang: Language,
    /** The player page is launching this SCO: its new attempt has not ended (no post-conditions yet). */
    launching = false,
  ): Promise<ScormNavigation & { go: (r: NavRequest) => Sequenced | 'as-requested' }> {
    const { course, pkg, info } = this.resolve(courseId, activityId, lang);
    const view = await this.sequencing(personId, courseId);
    const items = course.modules.flatMap((m) => m.items).map((i) => i.id);
    const mode = { ...pkg.controlMode, ...(info.controlMode ?? {}) };
    const disabled = view?.disabled ?? new Set<string>();
    const hidden = view?.hidden ?? new Set<string>();
    const deliverable = items.filter((id) => !disabled.has(id));
    const cur = this.current(personId, courseId, activityId);
    const over = !launching && !!cur && this.attemptFor(cur) > cur.attemptNo;
    const ended = over && cur.state.retried ? { retry: cur.state.retried } : over;
    const go = (r: NavRequest) =>
      sequence(
        rollupTree(pkg),
        view?.rules ?? controlModeRules(mode),
        (id) => deliverable.includes(id),
        activityId,
        r,
        ended,
      );
    const to = (r: NavRequest): string | null => {
      const s = go(r);
      return typeof s === 'object' && 'deliver' in s ? s.deliver : null;
    };
    const after = go('_none_');
    return {
      continue: to('continue'),
      previous: to('previous'),
      choice: mode.choice ? items.filter((id) => !disabled.has(id) && !hidden.has(id)) : [],
      deliverable,
      flow: mode.flow,
      choiceAllowed: mode.choice,
      afterEnd: after === 'as-requested' ? { none: true } : after,
      go,
      ...(view ? { sequencing: view } : {}),
    };
  }

  /**
   * Where the course starts or resumes for this trainee (the course page's entry for a package whose
   * control mode forbids choice): a SCO whose attempt is in progress (suspended) resumes, otherwise SN
   * Start flows into the tree from the root, passing over skipped activities. Null when nothing can be
   * delivered (every SCO disabled, or flow refused).
   */
  async entry(personId: string, courseId: string, lang: Language): Promise<string | null> {
    const course = this.content.getCourse(courseId, lang);
    const pkg = this.packageOf(courseId);
    if (!course || !pkg) return null;
    const items = course.modules.flatMap((m) => m.items).map((i) => i.id);
    const view = await this.sequencing(personId, courseId);
    const deliverable = items.filter((id) => !view?.disabled.has(id));
    const resume = deliverable.find((id) => {
      const cur = this.current(personId, courseId, id);
      return (
        cur !== undefined && this.attemptFor(cur) === cur.attemptNo && cur.state.cmi['cmi.exit'] === 'suspend'
      );
    });
    if (resume) return resume;
    const s = sequence(
      rollupTree(pkg),
      view?.rules ?? controlModeRules(pkg.controlMode),
      (id) => deliverable.includes(id),
      '',
      'start',
      false,
    );
    return typeof s === 'object' && 'deliver' in s ? s.deliver : null;
  }

  /** Resolve a navigation request to the SCO it delivers, or null (back to the course outline). */
  async navigate(
    personId: string,
    courseId: string,
    activityId: string,
    lang: Language,
    request: string,
    target: string | undefined,
  ): Promise<string | null> {
    const nav = await this.navigation(personId, courseId, activityId, lang);
    const known: readonly string[] = ['continue', 'previous', 'choice', 'jump', 'exit', 'exitAll', '_none_'];
    // suspendAll, abandon, abandonAll: back to the outline (nothing to sequence).
    if (!known.includes(request)) return null;
    const s = nav.go(request as NavRequest);
    if (s !== 'as-requested') return 'deliver' in s ? s.deliver : null;
    if (request === 'choice') return target && nav.choice.includes(target) ? target : null;
    return target && nav.deliverable.includes(target) ? target : null;
  }

  /** The attempt a new launch runs in: the current one, or the next when it is over (or the open launch ends it). */
  private attemptFor(cur: { attemptNo: number; state: ScormAttemptState } | undefined): number {
    if (!cur) return 1;
    const st = cur.state;
    const v12 = 'cmi.core.exit' in st.cmi;
    const exit = st.cmi[v12 ? 'cmi.core.exit' : 'cmi.exit'] ?? '';
    const closingEnds = !!st.open && endsAttempt(false, exit, !!st.exitSet, false);
    return st.ended || closingEnds ? cur.attemptNo + 1 : cur.attemptNo;
  }

  /**
   * The app's player page prepares a launch: 403 `scorm_not_available` when the package's sequencing
   * disables this SCO now (a pre-condition rule, an attempt limit); hidden-from-choice SCOs are
   * deliverable (by flow or a jump), only left out of the table of contents. Writes nothing: the
   * runtime starts the launch with the token (`startLaunch`).
   */
  async prepareLaunch(
    person: Pick<Person, 'id'>,
    courseId: string,
    activityId: string,
    lang: Language,
  ): Promise<{ launch: PreparedLaunch; sequencing?: SequencingView }> {
    const { item, pkg, info } = this.resolve(courseId, activityId, lang);
    const view = await this.sequencing(person.id, courseId);
    if (view?.disabled.has(activityId)) throw scormError('scorm_not_available', { title: item.title });
    const attemptNo = this.attemptFor(this.current(person.id, courseId, activityId));
    const sessionId = newId();
    const token = this.tokens.issue({ p: person.id, c: courseId, a: activityId, n: attemptNo, s: sessionId });
    return {
      launch: { token, attemptNo, sessionId, info, version: pkg.version },
      ...(view ? { sequencing: view } : {}),
    };
  }

  private claims(token: unknown): { claims: LaunchClaims; person: Person } {
    const claims = this.tokens.verify(token);
    const person = this.people.get(claims.p);
    if (!person || !person.active) throw scormError('launch_invalid', { why: 'names no active trainee' });
    return { claims, person };
  }

  /**
   * The runtime starts a launch: closes the activity's previous launch if it never terminated (as
   * suspended, or as a normal exit when the SCO set one), records `initialized`, and answers the CMI to
   * load (saved data of the attempt plus what the LMS sets: learner, entry, total time, the manifest's
   * limits and objectives). Starting the same launch again answers the same data and writes nothing new.
   */
  async startLaunch(token: unknown, fallback: Language): Promise<LaunchData> {
    const { claims, person } = this.claims(token);
    const lang = person.language ?? fallback;
    const { course, item, pkg, info } = this.resolve(claims.c, claims.a, lang);
    return this.records.write(() => {
      let cur = this.current(person.id, claims.c, claims.a);
      if (cur?.state.launches?.[claims.s])
        return this.launchData(person, course.id, course.version, pkg, info, claims, cur);
      if (cur?.state.open && cur.state.open !== claims.s) {
        this.closeLaunch(person, course, item, lang, pkg, info, cur.attemptNo, cur.state, 'next-launch');
        cur = this.current(person.id, claims.c, claims.a);
      }
      const attemptNo = this.attemptFor(cur);
      if (attemptNo !== claims.n) throw scormError('launch_superseded');
      const fresh = !cur || cur.attemptNo !== attemptNo;
      const state: ScormAttemptState = fresh
        ? { cmi: {}, sessions: {}, ended: false, recorded: {} }
        : { ...cur!.state };
      const entry = this.entryOf(pkg.version, fresh, state);
      // cmi.exit and adl.nav.request belong to one launch: the SCO sets them again.
      state.cmi = { ...state.cmi };
      delete state.cmi[pkg.version === 'scorm12' ? 'cmi.core.exit' : 'cmi.exit'];
      delete state.cmi['adl.nav.request'];
      state.open = claims.s;
      state.latest = claims.s;
      state.exitSet = false;
      state.entry = entry;
      state.launches = keepLast({
        ...(state.launches ?? {}),
        [claims.s]: { seq: 0, answer: { attemptNo, seq: 0, status: '', statements: [] } },
      });
      if (this.learning.courseProgress(person.id, course).lastActivityAt === null)
        this.emitCourse(person, course, lang, 'launched', item.id);
      this.emit({
        person,
        course,
        item,
        lang,
        attemptNo,
        sessionId: claims.s,
        version: pkg.version,
        verb: 'initialized',
      });
      this.store(person.id, course.id, item.id, attemptNo, state, pkg, info);
      return this.launchData(person, course.id, course.version, pkg, info, claims, { attemptNo, state });
    });
  }

  /** cmi.entry: ab-initio on a new attempt; resume after a suspend (or a launch closed without an exit). */
  private entryOf(version: 'scorm12' | 'scorm2004', fresh: boolean, st: ScormAttemptState): string {
    if (fresh) return 'ab-initio';
    const exit = st.cmi[version === 'scorm12' ? 'cmi.core.exit' : 'cmi.exit'] ?? '';
    return exit === 'suspend' || !st.exitSet ? 'resume' : '';
  }

  private launchData(
    person: Pick<Person, 'id' | 'displayName'>,
    courseId: string,
    courseVersion: string,
    pkg: ScormPackageInfo,
    info: ScormActivityInfo,
    claims: LaunchClaims,
    cur: { attemptNo: number; state: ScormAttemptState },
  ): LaunchData {
    const st = cur.state;
    const v12 = pkg.version === 'scorm12';
    const saved: Cmi = { ...st.cmi };
    // cmi.exit is write-only and per launch; the SCO sets it again.
    delete saved[v12 ? 'cmi.core.exit' : 'cmi.exit'];
    delete saved['adl.nav.request'];
    const total = Object.entries(st.sessions)
      .filter(([sid]) => sid !== claims.s)
      .reduce((a, [, b]) => a + b, 0);
    const entry = st.entry ?? 'ab-initio';
    const lms: Cmi = v12
      ? {
          'cmi.core.student_id': person.id,
          'cmi.core.student_name': person.displayName,
          'cmi.core.credit': 'credit',
          'cmi.core.lesson_mode': 'normal',
          'cmi.core.entry': entry,
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
          'cmi.entry': entry,
          'cmi.total_time': iso(total),
          ...(info.completionThreshold !== undefined
            ? { 'cmi.completion_threshold': String(info.completionThreshold) }
            : {}),
          ...(info.scaledPassingScore !== undefined
            ? { 'cmi.scaled_passing_score': String(info.scaledPassingScore) }
            : {}),
          ...(info.maxTimeAllowed ? { 'cmi.max_time_allowed': info.maxTimeAllowed } : {}),
          ...(info.timeLimitAction ? { 'cmi.time_limit_action': info.timeLimitAction } : {}),
          ...(info.dataFromLms ? { 'cmi.launch_data': info.dataFromLms } : {}),
        };
    // SCORM 2004 RTE 4.2.17: the LMS initialises cmi.objectives with the ids of the SCO's objectives
    // from the manifest; content looks them up by id and would find nothing otherwise.
    const objectives: Cmi = {};
    if (!v12) {
      const have = new Set(
        Object.entries(saved)
          .filter(([k]) => /^cmi\.objectives\.\d+\.id$/.test(k))
          .map(([, v]) => v),
      );
      let n = Object.keys(saved).filter((k) => /^cmi\.objectives\.\d+\.id$/.test(k)).length;
      for (const id of info.objectiveIds ?? [])
        if (!have.has(id)) objectives[`cmi.objectives.${n++}.id`] = id;
    }
    return {
      courseId,
      activityId: claims.a,
      version: pkg.version,
      scormType: info.scormType,
      launch: info.launch,
      base: `/p/${encodeURIComponent(courseId)}/${encodeURIComponent(courseVersion)}/`,
      attemptNo: cur.attemptNo,
      sessionId: claims.s,
      cmi: { ...saved, ...objectives, ...lms },
      info,
    };
  }

  /**
   * Close a launch that never terminated (inside a records.write): `suspended`, or `terminated` when the
   * SCO had set a normal exit (which ends the attempt).
   */
  private closeLaunch(
    person: Pick<Person, 'id' | 'displayName'>,
    course: CourseOutline,
    item: OutlineItem,
    lang: Language,
    pkg: ScormPackageInfo,
    info: ScormActivityInfo,
    attemptNo: number,
    prev: ScormAttemptState,
    closedBy: 'next-launch' | 'timeout' | 'reset',
  ): void {
    const sid = prev.open;
    if (!sid) return;
    const exit = prev.cmi[pkg.version === 'scorm12' ? 'cmi.core.exit' : 'cmi.exit'] ?? '';
    // A coordinator's reset ends the attempt whatever the SCO asked for; so did a retry of its cluster.
    const ended =
      closedBy === 'reset' || !!prev.superseded || endsAttempt(false, exit, !!prev.exitSet, false);
    const state: ScormAttemptState = { ...prev, open: null, ended };
    this.emit({
      person,
      course,
      item,
      lang,
      attemptNo,
      sessionId: sid,
      version: pkg.version,
      verb: ended ? 'terminated' : 'suspended',
      result: { duration: iso(prev.sessions[sid] ?? 0) },
      closedBy,
    });
    this.store(person.id, course.id, item.id, attemptNo, state, pkg, info);
  }

  private store(
    personId: string,
    courseId: string,
    activityId: string,
    attemptNo: number,
    state: ScormAttemptState,
    pkg: ScormPackageInfo,
    info: ScormActivityInfo,
  ): void {
    const size = JSON.stringify(state).length;
    if (size > MAX_STATE_BYTES)
      throw scormError('scorm_commit_too_large', {
        detail: `${size} bytes of data (at most ${MAX_STATE_BYTES})`,
      });
    const j = judge(pkg.version, state.cmi, info);
    this.repo.upsert({
      person: personId,
      course: courseId,
      activity: activityId,
      attempt: attemptNo,
      state: JSON.stringify(state),
      score: j.scaled ?? null,
      status: j.status,
      at: this.records.now(),
    });
  }

  /**
   * A commit from the package-origin runtime, authenticated by its launch token only (no session, no
   * CSRF: the package origin never sees them). Applied only when its number is higher than the last one
   * applied for the launch; otherwise the stored answer comes back and nothing is written. A commit to a
   * launch closed by the timeout reopens it unless a newer launch exists (then 409). Resolves once durable.
   */
  async commitLaunch(input: CommitInput, fallback: Language): Promise<CommitOutcome> {
    const { claims, person } = this.claims(input.token);
    const lang = person.language ?? fallback;
    const { course, item, pkg, info } = this.resolve(claims.c, claims.a, lang);
    if (!Number.isSafeInteger(input.seq) || input.seq < 1)
      throw scormError('scorm_commit_invalid', { detail: 'seq: not a commit number' });
    const incoming = input.asset ? {} : checkCmiSet(input.set);
    // The 2004 course outcome is the root's rollup, evaluated inside the write.
    if (pkg.version === 'scorm2004') await loadSequencingEngine();
    return this.records.write(() => {
      const cur = this.current(person.id, claims.c, claims.a);
      const launch = cur?.attemptNo === claims.n ? cur.state.launches?.[claims.s] : undefined;
      if (!cur || !launch) throw scormError('launch_superseded');
      if (input.seq <= launch.seq) return launch.answer;
      const prev = cur.state;
      if (prev.open !== claims.s && prev.latest !== claims.s) throw scormError('launch_superseded');
      const attemptNo = cur.attemptNo;
      const v12 = pkg.version === 'scorm12';
      const exitKey = v12 ? 'cmi.core.exit' : 'cmi.exit';
      const cmi: Cmi = { ...prev.cmi };
      for (const [k, v] of Object.entries(incoming))
        if (!LMS_OWNED.test(k) && !/\._(count|children|version)$/.test(k) && k !== 'adl.nav.request')
          cmi[k] = v;
      if (input.asset) cmi[v12 ? 'cmi.core.lesson_status' : 'cmi.completion_status'] = 'completed';
      const exitSet = !!prev.exitSet || !!input.exitSet;
      // SN: the End Attempt Process leaves a suspended activity's state alone.
      if (!v12 && (input.terminate || input.asset) && cmi[exitKey] !== 'suspend')
        this.endAttemptProcess(cmi, info);
      const reported = durationSeconds(incoming[v12 ? 'cmi.core.session_time' : 'cmi.session_time']);
      const sessionSeconds = reported > 0 ? reported : clampSeconds(input.elapsed);
      const sessions = {
        ...prev.sessions,
        [claims.s]: Math.max(prev.sessions[claims.s] ?? 0, sessionSeconds),
      };
      const j = judge(pkg.version, cmi, info);
      const exit = cmi[exitKey] ?? '';
      const terminated = !!input.terminate || !!input.asset;
      const state: ScormAttemptState = {
        ...prev,
        cmi,
        sessions,
        exitSet,
        open: terminated ? null : claims.s,
        ended: terminated ? endsAttempt(true, exit, exitSet, j.completed) : prev.ended,
        recorded: { ...prev.recorded },
      };

      const verbs: VerbKey[] = [];
      const base = { person, course, item, lang, attemptNo, sessionId: claims.s, version: pkg.version };
      const locKey = v12 ? 'cmi.core.lesson_location' : 'cmi.location';
      const changed =
        cmi[locKey] !== prev.cmi[locKey] ||
        cmi['cmi.suspend_data'] !== prev.cmi['cmi.suspend_data'] ||
        cmi['cmi.progress_measure'] !== prev.cmi['cmi.progress_measure'];
      if (changed && !input.asset) {
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
      if (terminated) {
        const suspended = exit === 'suspend';
        this.emit({
          ...base,
          verb: suspended ? 'suspended' : 'terminated',
          result: { duration: iso(sessions[claims.s] ?? 0) },
        });
        verbs.push(suspended ? 'suspended' : 'terminated');
      }
      const answer: CommitOutcome = { attemptNo, seq: input.seq, status: j.status, statements: verbs };
      state.launches = keepLast({ ...(prev.launches ?? {}), [claims.s]: { seq: input.seq, answer } });
      this.store(person.id, course.id, item.id, attemptNo, state, pkg, info);
      if (pkg.version === 'scorm2004') {
        // The course outcome is the root's rollup (HQ never runs a sequencer: it reads these statements).
        if (verbs.some((v) => v === 'completed' || v === 'passed' || v === 'failed'))
          this.recordCourseRollup(person, course, lang, item.id, pkg);
        if (state.ended) this.retryClusterIfRuled(person.id, course, item.id, pkg, attemptNo, state, info);
      } else if (verbs.includes('completed') || verbs.includes('passed'))
        this.completeCourseIfDone(person, course, lang, item.id);
      return answer;
    });
  }

  /**
   * The SCO's attempt has just ended (inside its commit's write): when its post-condition rules retry a
   * cluster above it (retry on a cluster reached by exitParent or an exit rule, retryAll at the root),
   * that cluster begins a new attempt, so the latest attempt of every SCO under it is superseded (ended,
   * and not attempted in the new one: earlier results no longer roll up, only their global objectives
   * stay). The ending SCO keeps which cluster it retried, so the player's navigation from it follows that
   * decision instead of evaluating the rules again over the new attempt.
   */
  private retryClusterIfRuled(
    personId: string,
    course: CourseOutline,
    activityId: string,
    pkg: ScormPackageInfo,
    attemptNo: number,
    state: ScormAttemptState,
    info: ScormActivityInfo,
  ): void {
    if (!pkg.sequencing) return;
    const view = this.sequencingNow(personId, course.id, pkg);
    const tree = rollupTree(pkg);
    const items = Object.keys(pkg.activities);
    const after = sequence(tree, view.rules, (id) => !view.disabled.has(id), activityId, '_none_', true);
    if (typeof after !== 'object' || !('retried' in after) || !after.retried) return;
    const find = (n: ScormActivityNode): ScormActivityNode | undefined =>
      n.id === after.retried ? n : n.children.map(find).find((x) => x !== undefined);
    const leaves = (n: ScormActivityNode): string[] =>
      n.children.length ? n.children.flatMap(leaves) : [n.id];
    const cluster = find(tree);
    for (const id of cluster ? leaves(cluster) : []) {
      if (!items.includes(id)) continue;
      if (id === activityId) {
        this.store(
          personId,
          course.id,
          id,
          attemptNo,
          { ...state, superseded: true, retried: after.retried },
          pkg,
          info,
        );
        continue;
      }
      const cur = this.current(personId, course.id, id);
      if (!cur || cur.state.superseded) continue;
      this.store(
        personId,
        course.id,
        id,
        cur.attemptNo,
        { ...cur.state, ended: true, superseded: true },
        pkg,
        pkg.activities[id]!,
      );
    }
  }

  /**
   * SCORM 2004 SN End Attempt Process: with the delivery controls' completionSetByContent /
   * objectiveSetByContent false (their default), an attempt the SCO ends without reporting completion
   * (success) is completed (satisfied) by the LMS, so a SCO that only calls Initialize and Terminate
   * still finishes.
   */
  private endAttemptProcess(cmi: Cmi, info: ScormActivityInfo): void {
    const c = cmi['cmi.completion_status'];
    if (!info.completionSetByContent && (c === undefined || c === 'unknown' || c === 'not attempted'))
      cmi['cmi.completion_status'] = 'completed';
    const s = cmi['cmi.success_status'];
    if (!info.objectiveSetByContent && (s === undefined || s === 'unknown'))
      cmi['cmi.success_status'] = 'passed';
  }

  /**
   * Close launches quiet for `minutes` that never terminated (the box's sweep; the next launch of the
   * activity closes its own). A commit arriving later reopens the launch when no newer one exists.
   */
  async closeStaleLaunches(minutes: number): Promise<number> {
    const before = new Date(Date.parse(this.records.now()) - minutes * 60_000).toISOString();
    let closed = 0;
    for (const r of this.repo.openSince(before)) {
      const person = this.people.get(r.person_id);
      const lang = person?.language ?? 'en';
      const course = person ? this.content.getCourse(r.course_id, lang) : undefined;
      const pkg = course ? this.packageOf(r.course_id) : undefined;
      const item = course?.modules.flatMap((m) => m.items).find((i) => i.id === r.activity_id);
      const info = pkg?.activities[r.activity_id];
      if (!person || !course || !pkg || !item || !info) continue;
      await this.records.write(() => {
        const cur = this.current(r.person_id, r.course_id, r.activity_id);
        if (!cur?.state.open || cur.updatedAt >= before) return;
        this.closeLaunch(person, course, item, lang, pkg, info, cur.attemptNo, cur.state, 'timeout');
        closed++;
      });
    }
    return closed;
  }

  /**
   * A coordinator resets a trainee's SCORM attempt at one SCO: the attempt in progress ends (a launch
   * still open is closed, its later commits refused), so the next launch starts a new attempt from the
   * beginning (cmi.entry ab-initio, no saved data). ONE write: the journal's `adjustment` row
   * (`scorm_reset`, which HQ keeps), the attempt's state, the audit row. Nothing recorded is undone: a
   * pass stays a pass, statements and progress stay. 404 for an unknown trainee or SCO; 409 when no
   * attempt is in progress (the next launch already starts a new one).
   */
  resetAttempt(opts: { username: string; courseId: string; activityId: string; by: string | null }): {
    resetId: string;
    username: string;
    courseId: string;
    activityId: string;
    /** The attempt that was ended; the next launch starts attemptNo + 1. */
    attemptNo: number;
  } {
    const { username, courseId, activityId, by } = opts;
    const person = this.people.byUsername(username);
    if (!person || person.role !== 'trainee') throw notFound(`trainee "${username}"`);
    const lang = person.language ?? 'en';
    const { course, item, pkg, info } = this.resolve(courseId, activityId, lang);
    const resetId = newId();
    const attemptNo = this.records.writeNow(() => {
      const cur = this.current(person.id, courseId, activityId);
      if (!cur || this.attemptFor(cur) !== cur.attemptNo)
        throw scormError('scorm_reset_nothing', { username, activity: `${courseId}/${activityId}` });
      if (cur.state.open)
        this.closeLaunch(person, course, item, lang, pkg, info, cur.attemptNo, cur.state, 'reset');
      const st = this.current(person.id, courseId, activityId)!.state;
      // `latest` gone: a commit still on its way from the old launch is refused (409), never applied.
      const state: ScormAttemptState = { ...st, open: null, ended: true, reset: true };
      delete state.latest;
      this.store(person.id, courseId, activityId, cur.attemptNo, state, pkg, info);
      const body: AdjustmentBody = {
        type: 'scorm_reset',
        id: resetId,
        personId: person.id,
        courseId,
        activityId,
        by,
        at: this.records.now(),
      };
      this.records.appendJournal('adjustment', resetId, body);
      this.learning.applyAdjustment(body);
      this.audit.recordTx(by, 'scorm.reset', person.id, {
        courseId,
        activityId,
        attemptNo: cur.attemptNo,
        resetId,
      });
      return cur.attemptNo;
    });
    return { resetId, username: person.username, courseId, activityId, attemptNo };
  }

  /** The CMI state of the latest attempt (tests, admin). */
  attemptState(
    personId: string,
    courseId: string,
    activityId: string,
  ): { attemptNo: number; state: ScormAttemptState } | undefined {
    const c = this.current(personId, courseId, activityId);
    return c ? { attemptNo: c.attemptNo, state: c.state } : undefined;
  }

  /** A SCO's statement through the one emitter, with the SCORM profile's extensions (attempt, session). */
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
    /** The box closed a launch that never terminated (the next launch, or the timeout). */
    closedBy?: 'next-launch' | 'timeout' | 'reset';
  }): void {
    this.learning.emit({
      person: e.person,
      course: e.course,
      lang: e.lang,
      verb: e.verb,
      activityId: e.item.id,
      activityType: 'sco',
      activityName: e.item.title,
      ...(e.result ? { result: e.result } : {}),
      extensions: {
        [SCORM_EXT.attempt]: e.attemptNo,
        [SCORM_EXT.session]: e.sessionId,
        [SCORM_EXT.scormVersion]: e.version,
        ...(e.closedBy ? { [SCORM_EXT.closedBy]: e.closedBy } : {}),
      },
    });
  }

  /** A course-level statement (launched; completed, passed, failed by the rollup) through the one emitter. */
  private emitCourse(
    person: Pick<Person, 'id' | 'displayName'>,
    course: CourseOutline,
    lang: Language,
    verb: 'launched' | 'completed' | 'passed' | 'failed',
    position: string,
    result?: XapiResult,
  ): void {
    this.learning.emit({
      person,
      course,
      lang,
      verb,
      activityId: '',
      activityType: 'course',
      activityName: course.title,
      ...(result ? { result } : verb === 'completed' ? { result: { completion: true } } : {}),
      extensions: { [EXT.position]: position },
    });
  }

  /**
   * SCORM 2004: the course outcome is the root's rollup (the package's rules, or the SN defaults),
   * journalled as course-level statements whenever it moves up: `completed` once; `passed` when the
   * root is satisfied, `failed` when it is known not satisfied (never after a pass: a recorded pass
   * stands, as in the outcomes module). Inside the commit's records.write.
   */
  private recordCourseRollup(
    person: Pick<Person, 'id' | 'displayName'>,
    course: CourseOutline,
    lang: Language,
    position: string,
    pkg: ScormPackageInfo,
  ): void {
    const view = this.sequencingNow(person.id, course.id, pkg, rollupTree(pkg));
    const row = this.learningRepo.progressForCourse(person.id, course.id).find((r) => r.activity_id === '');
    const score = view.measure !== undefined ? { score: { scaled: view.measure } } : {};
    if (view.completed && !row?.completed) this.emitCourse(person, course, lang, 'completed', position);
    const judged = view.satisfied ? 'passed' : view.notSatisfied ? 'failed' : undefined;
    if (judged && row?.status !== 'passed' && row?.status !== judged)
      this.emitCourse(person, course, lang, judged, position, {
        success: judged === 'passed',
        completion: view.completed,
        ...score,
      });
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
