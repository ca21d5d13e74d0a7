/**
 * THE outcomes: what "started", "completed", "passed", "failed", "score" and "attempts" mean for an
 * activity and for a course, and how a course's figures and rates are counted. The box (learning
 * progress, the coordinator's reports) and HQ (import, reports) both compute through this module, so
 * their numbers cannot disagree; docs/course-format.md and docs/bundle-format.md say the same in prose.
 *
 * Every rule is a union (or, max, sum over distinct journals), never "the last statement wins", so the
 * answer does not depend on the order statements or bundles arrive in.
 */
import type { CourseBody } from './journal.js';
import { compareVersions } from './journal.js';
import { EXT, SCORM_EXT, VERBS, type XapiStatement } from './vocabulary.js';

// ---- what one statement says -----------------------------------------------------------------------

/** The learning meaning of one statement for one (person, course, activity); '' is the course itself. */
export interface StatementEffect {
  personId: string;
  courseId: string;
  activityId: string;
  completed: boolean;
  passed: boolean;
  failed: boolean;
  /** The attempt a passed/failed statement closes (1 when the statement names none); else 0. */
  attempt: number;
  /** result.score.scaled of a passed/failed/completed statement; null when none was reported. */
  score: number | null;
}

export interface RatingEffect {
  personId: string;
  courseId: string;
  rating: number;
  comment: string;
}

const VERB_KEY = new Map<string, string>(Object.entries(VERBS).map(([k, v]) => [v, k]));
/** Verbs that say a person did something in an activity; others (terminated, answered...) add nothing. */
const LEARNING_VERBS = new Set([
  'launched',
  'initialized',
  'experienced',
  'progressed',
  'completed',
  'passed',
  'failed',
]);

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * What a statement means for the outcomes: an activity effect, a rating, or nothing (null). One answered
 * question is not an activity of the course (the quiz's passed/failed carries the attempt), and
 * terminated/suspended add nothing to what initialized already said.
 */
export function statementEffect(
  s: Pick<XapiStatement, 'actor' | 'verb' | 'result' | 'context'>,
): { type: 'activity'; effect: StatementEffect } | { type: 'rating'; effect: RatingEffect } | null {
  const ext = s.context.extensions ?? {};
  const courseId = ext[EXT.courseId];
  const activityId = ext[EXT.activityId];
  const personId = s.actor.account.name;
  if (typeof courseId !== 'string' || typeof activityId !== 'string' || !personId) return null;
  const verb = VERB_KEY.get(s.verb.id);
  if (verb === 'rated') {
    const raw = num(s.result?.score?.raw);
    if (raw === null || !Number.isInteger(raw) || raw < 1 || raw > 5) return null;
    return { type: 'rating', effect: { personId, courseId, rating: raw, comment: s.result?.response ?? '' } };
  }
  if (verb === undefined || !LEARNING_VERBS.has(verb)) return null;
  const passed = verb === 'passed';
  const failed = verb === 'failed';
  const judged = passed || failed;
  const attemptNo = num(ext[EXT.attempt]) ?? num(ext[SCORM_EXT.attempt]) ?? 1;
  return {
    type: 'activity',
    effect: {
      personId,
      courseId,
      activityId,
      completed: verb === 'completed' || (judged && s.result?.completion === true),
      passed,
      failed,
      attempt: judged ? Math.max(1, Math.trunc(attemptNo)) : 0,
      // A passed/failed without a score is not a score of 0: it has no score.
      score: judged || verb === 'completed' ? num(s.result?.score?.scaled) : null,
    },
  };
}

// ---- one activity ------------------------------------------------------------------------------------

/**
 * What the statements of one (person, course, activity) add up to. Within one journal `attempts` is the
 * highest attempt closed; over several journals (one person on two boxes) attempts add up.
 */
export interface ActivityFacts {
  completed: boolean;
  passed: boolean;
  failed: boolean;
  attempts: number;
  bestScore: number | null;
}

export const noFacts = (): ActivityFacts => ({
  completed: false,
  passed: false,
  failed: false,
  attempts: 0,
  bestScore: null,
});

const maxScore = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** Add one statement's effect to the facts of the same journal. */
export function foldEffect(f: ActivityFacts, e: StatementEffect): ActivityFacts {
  return {
    completed: f.completed || e.completed,
    passed: f.passed || e.passed,
    failed: f.failed || e.failed,
    attempts: Math.max(f.attempts, e.attempt),
    bestScore: maxScore(f.bestScore, e.score),
  };
}

/** The facts of one activity over several journals (boxes): flags or'ed, best score, attempts summed. */
export function unionJournals(list: Iterable<ActivityFacts>): ActivityFacts {
  let out = noFacts();
  for (const f of list)
    out = {
      completed: out.completed || f.completed,
      passed: out.passed || f.passed,
      failed: out.failed || f.failed,
      attempts: out.attempts + f.attempts,
      bestScore: maxScore(out.bestScore, f.bestScore),
    };
  return out;
}

export type ActivityStatus = 'not_started' | 'started' | 'completed' | 'failed' | 'passed';

export interface ActivityOutcome {
  status: ActivityStatus;
  completed: boolean;
  /** Any attempt passed. */
  passed: boolean;
  /** It has attempts (or a failed) and none passed. */
  failed: boolean;
  /** Best scaled score; null when none was reported (never 0 by default). */
  score: number | null;
  attempts: number;
}

/**
 * An activity's outcome. A submitted quiz is completed whatever its score (its passed/failed says
 * completion); status shows the strongest fact: passed > failed > completed > started.
 */
export function activityOutcome(f: ActivityFacts | undefined): ActivityOutcome {
  if (!f)
    return {
      status: 'not_started',
      completed: false,
      passed: false,
      failed: false,
      score: null,
      attempts: 0,
    };
  const failed = !f.passed && (f.attempts > 0 || f.failed);
  return {
    status: f.passed ? 'passed' : failed ? 'failed' : f.completed ? 'completed' : 'started',
    completed: f.completed,
    passed: f.passed,
    failed,
    score: f.bestScore,
    attempts: f.attempts,
  };
}

/**
 * The rank of a status (started 0 < completed 1 < failed 2 < passed 3): merging statuses by the higher
 * rank gives `activityOutcome(...).status` of the merged facts, whatever the order.
 */
export const STATUS_RANK: Record<Exclude<ActivityStatus, 'not_started'>, number> = {
  started: 0,
  completed: 1,
  failed: 2,
  passed: 3,
};

// ---- one course ----------------------------------------------------------------------------------------

export type CourseResult = 'passed' | 'failed' | 'pending' | 'not_assessed';

/**
 * A decided or pending course result's message key, the same key in every catalog that shows results (the
 * box's admin and HQ); not assessed has none (shown as "—" or a blank cell).
 */
export const COURSE_RESULT_KEYS = {
  passed: 'resultPassed',
  failed: 'resultFailed',
  pending: 'resultPending',
} as const satisfies Partial<Record<CourseResult, string>>;
export type CourseResultKey = (typeof COURSE_RESULT_KEYS)[keyof typeof COURSE_RESULT_KEYS];

/** The message key of a result as stored (any text), or undefined when there is nothing to say. */
export function courseResultKey(result: string): CourseResultKey | undefined {
  return Object.hasOwn(COURSE_RESULT_KEYS, result)
    ? COURSE_RESULT_KEYS[result as keyof typeof COURSE_RESULT_KEYS]
    : undefined;
}

export interface CourseOutcome {
  started: boolean;
  completed: boolean;
  /** passed / failed / assessed but not decided yet / nothing decides pass or fail ("—"). */
  result: CourseResult;
  /** Mean best score of the assessed activities that have one (SCORM 2004: the root's measure). */
  score: number | null;
  /** Items completed, of `items`. */
  done: number;
  items: number;
  /** Attempts over the assessed activities. */
  attempts: number;
}

/** The definition to use when several versions were seen: the highest version. */
export function latestCourse(defs: Iterable<CourseBody>): CourseBody | null {
  let best: CourseBody | null = null;
  for (const d of defs) if (!best || compareVersions(d.version, best.version) > 0) best = d;
  return best;
}

/** Default `assessed` of a native course: every quiz. */
export const defaultAssessed = (activities: CourseBody['activities']): string[] =>
  activities.filter((a) => a.type === 'quiz').map((a) => a.id);

function mean(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * A person's outcome in a course from the facts of its activities ('' = the course itself), with the
 * course's definition (null for rows from format 1 bundles, which carry none: then the items are the
 * activities seen, completion is the box's course 'completed' statement and the assessed activities are
 * those attempted). Returns null when the person did nothing in the course.
 */
export function courseOutcome(
  def: CourseBody | null,
  acts: ReadonlyMap<string, ActivityFacts>,
): CourseOutcome | null {
  if (acts.size === 0) return null;
  const course = activityOutcome(acts.get(''));
  const out = (ids: string[], assessed: string[]) => {
    const o = ids.map((id) => activityOutcome(acts.get(id)));
    const a = assessed.map((id) => activityOutcome(acts.get(id)));
    return {
      done: o.filter((x) => x.completed || x.passed).length,
      items: ids.length,
      assessed: a,
      attempts: a.reduce((s, x) => s + x.attempts, 0),
      score: mean(a.flatMap((x) => (x.score === null ? [] : [x.score]))),
    };
  };
  if (!def) {
    const ids = [...acts.keys()].filter((k) => k !== '');
    const o = out(
      ids,
      ids.filter((id) => (acts.get(id)?.attempts ?? 0) > 0),
    );
    return {
      started: true,
      completed: course.completed,
      result: decide(o.assessed),
      score: o.score,
      done: o.done,
      items: o.items,
      attempts: o.attempts,
    };
  }
  const ids = def.activities.map((a) => a.id);
  if (def.kind === 'scorm2004') {
    // The root's rollup, which the box records as course-level statements.
    const o = out(ids, ids);
    return {
      started: true,
      completed: course.completed,
      result: course.passed ? 'passed' : course.failed ? 'failed' : 'not_assessed',
      score: course.score,
      done: o.done,
      items: o.items,
      attempts: o.attempts,
    };
  }
  if (def.kind === 'scorm12') {
    const scos = ids.map((id) => activityOutcome(acts.get(id)));
    const o = out(ids, ids);
    const assessed =
      def.activities.some((a) => a.masteryScore !== undefined) || scos.some((s) => s.passed || s.failed);
    let result: CourseResult = 'not_assessed';
    if (assessed) {
      if (scos.some((s) => s.failed)) result = 'failed';
      else if (scos.every((s) => s.passed || s.completed) && scos.some((s) => s.passed)) result = 'passed';
      else result = 'pending';
    }
    return {
      started: true,
      completed: ids.length > 0 && scos.every((s) => s.completed || s.passed),
      result,
      score: o.score,
      done: o.done,
      items: o.items,
      attempts: o.attempts,
    };
  }
  const o = out(ids, def.assessed);
  return {
    started: true,
    completed: ids.length > 0 && o.done === ids.length,
    result: decide(o.assessed),
    score: o.score,
    done: o.done,
    items: o.items,
    attempts: o.attempts,
  };
}

/** Passed when every assessed activity passed, failed when one failed, else pending; none: not assessed. */
function decide(assessed: ActivityOutcome[]): CourseResult {
  if (assessed.length === 0) return 'not_assessed';
  if (assessed.every((a) => a.passed)) return 'passed';
  if (assessed.some((a) => a.failed)) return 'failed';
  return 'pending';
}

// ---- counting ----------------------------------------------------------------------------------------

/** One person in one course (or `times` people with equal entries), as counted. */
export interface CountedEntry {
  enrolled: boolean;
  outcome: Pick<CourseOutcome, 'started' | 'completed' | 'result'> | null;
  /** Their latest rating 1..5, or null. */
  rating: number | null;
  /** How many people this entry stands for (HQ gathers equal entries in SQL); 1 when absent. */
  times?: number;
}

/** One person in one course with their whole outcome. */
export interface CourseEntry extends CountedEntry {
  outcome: CourseOutcome | null;
}

export interface CourseFigures {
  /** Counted separately: enrolled whether or not they started. */
  enrolled: number;
  /** Over trainees with any activity in the course. */
  started: number;
  completed: number;
  passed: number;
  failed: number;
  /** passed / (passed + failed); null when nobody is decided. */
  passRate: number | null;
  ratings: number;
  ratingAverage: number | null;
  /** Ratings 4 and 5. */
  ratingGood: number;
  /** "Good or excellent": ratings 4 and 5 over all ratings; null without ratings. */
  ratingGoodShare: number | null;
}

export function tally(entries: Iterable<CountedEntry>): CourseFigures {
  const f: CourseFigures = {
    enrolled: 0,
    started: 0,
    completed: 0,
    passed: 0,
    failed: 0,
    passRate: null,
    ratings: 0,
    ratingAverage: null,
    ratingGood: 0,
    ratingGoodShare: null,
  };
  let ratingSum = 0;
  for (const e of entries) {
    const n = e.times ?? 1;
    if (e.enrolled) f.enrolled += n;
    if (e.outcome?.started) {
      f.started += n;
      if (e.outcome.completed) f.completed += n;
      if (e.outcome.result === 'passed') f.passed += n;
      if (e.outcome.result === 'failed') f.failed += n;
    }
    if (e.rating !== null) {
      f.ratings += n;
      ratingSum += n * e.rating;
      if (e.rating >= 4) f.ratingGood += n;
    }
  }
  if (f.passed + f.failed > 0) f.passRate = f.passed / (f.passed + f.failed);
  if (f.ratings > 0) {
    f.ratingAverage = ratingSum / f.ratings;
    f.ratingGoodShare = f.ratingGood / f.ratings;
  }
  return f;
}
