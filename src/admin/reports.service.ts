import type { Language } from '../core/config.js';
import { notFound } from '../core/errors.js';
import type { ContentService } from '../content/content.service.js';
import type { CourseOutline } from '../content/content.types.js';
import type { Db } from '../db/connection.js';
import type { LearningService } from '../learning/learning.service.js';
import type { CohortService } from '../people/cohorts.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { Person } from '../people/people.types.js';
import type { RecordsService } from '../records/records.service.js';
import type { XapiStatement } from '../contract/vocabulary.js';
import { courseBodySchema, type CourseBody } from '../contract/journal.js';
import {
  activityOutcome,
  courseOutcome,
  latestCourse,
  tally,
  type ActivityFacts,
  type CourseEntry,
  type CourseFigures,
  type CourseResult,
} from '../contract/outcomes.js';
import { courseBody } from '../learning/course-record.js';
import { progressFacts } from '../learning/learning.service.js';
import { AdminReportsRepo, unpackFacts } from './reports.repo.js';

export type ReportSort = 'progress' | 'score' | 'last' | 'name';

export interface CourseReportLine {
  personId: string;
  username: string;
  displayName: string;
  externalId: string | null;
  agency: string | null;
  gender: string | null;
  active: boolean;
  enrolled: boolean;
  /** Did anything in the course (the outcomes module's `started`). */
  started: boolean;
  /** 0..100 of the course's items done. */
  percent: number;
  /** Items completed (a submitted quiz counts, passed or not). */
  done: number;
  completed: boolean;
  /** passed, failed, pending (assessed, not decided yet), not_assessed ("—"); '' when not started. */
  result: CourseResult | '';
  /** The course score: mean best score (0..1) of the assessed activities that have one, or null. */
  score: number | null;
  /** Attempts at the assessed activities. */
  attempts: number;
  /** Their rating of the course 1..5, or null. */
  rating: number | null;
  lastActivityAt: string | null;
}

export interface CourseReport {
  course: CourseOutline;
  activities: number;
  lines: CourseReportLine[];
  /**
   * The course's figures counted by the outcomes module, as HQ counts them (enrolled apart; started,
   * completed, passed, failed over trainees who did anything; pass rate; ratings, good-or-excellent).
   */
  figures: CourseFigures;
  /** Trainees per progress band, for the chart: not started, 1-24, 25-49, 50-74, 75-99, completed. */
  bands: number[];
  /** The ratings of the report's trainees: how many gave each mark (1..5) and the comments, newest first. */
  ratings: {
    distribution: [number, number, number, number, number];
    comments: RatingComment[];
  };
  perActivity: {
    activityId: string;
    title: string;
    started: number;
    done: number;
    passed: number;
    failed: number;
    score: number | null;
  }[];
}

/** A trainee's comment on the course (their name is shown only when the box's setting says so). */
export interface RatingComment {
  personId: string;
  username: string;
  displayName: string;
  rating: number;
  comment: string;
  ratedAt: string;
}

/** Which trainees a report covers: all, or the members of one class (cohort). */
export interface ReportFilter {
  cohortId?: string | null | undefined;
}

const BAND_LABELS = ['0%', '1–24%', '25–49%', '50–74%', '75–99%', '100%'] as const;
export { BAND_LABELS };

function bandOf(l: CourseReportLine): number {
  if (l.completed || l.percent >= 100) return 5;
  if (l.percent === 0) return 0;
  return 1 + Math.min(3, Math.floor(l.percent / 25));
}

// Plain code-unit order: localeCompare (Intl) costs ~10x more per comparison over thousands of lines.
const byName = (a: CourseReportLine, b: CourseReportLine) =>
  a.username < b.username ? -1 : a.username > b.username ? 1 : 0;
const SORTS: Record<ReportSort, (a: CourseReportLine, b: CourseReportLine) => number> = {
  progress: (a, b) => b.percent - a.percent || byName(a, b),
  score: (a, b) => (b.score ?? -1) - (a.score ?? -1) || byName(a, b),
  last: (a, b) => (b.lastActivityAt ?? '').localeCompare(a.lastActivityAt ?? '') || byName(a, b),
  name: byName,
};

/** Reports for the coordinator: per course, per trainee, and the dashboard counts. */
export class AdminReportsService {
  private readonly repo: AdminReportsRepo;

  constructor(
    db: Db,
    private readonly content: ContentService,
    private readonly learning: LearningService,
    private readonly people: PeopleService,
    private readonly cohorts: CohortService,
    private readonly records: RecordsService,
  ) {
    this.repo = new AdminReportsRepo(db);
  }

  /** The dashboard's counts: trainees active since each time, course completions since `week`, trainees. */
  activity(since: { fifteenMin: string; today: string; week: string }): {
    activeNow: number;
    activeToday: number;
    completionsThisWeek: number;
    trainees: number;
  } {
    return {
      activeNow: this.repo.activeTraineesSince(since.fifteenMin),
      activeToday: this.repo.activeTraineesSince(since.today),
      completionsThisWeek: this.repo.courseCompletionsSince(since.week),
      trainees: this.repo.traineeCount(),
    };
  }

  /** The outline of a course, disabled ones included (reports outlive a disabled course). */
  private outline(courseId: string, lang: Language): CourseOutline {
    const o = this.content.getCourse(courseId, lang);
    if (o) return o;
    const installed = this.content
      .listCourses(lang, { includeInactive: true })
      .find((c) => c.id === courseId);
    if (!installed) throw notFound(`course ${courseId}`);
    // Disabled: the store does not serve its outline; report with the counts it has.
    return { ...installed, modules: [] };
  }

  /**
   * The course's definition: its latest `course` journal row (the one HQ receives, so both read the same
   * items, assessed activities and pass marks), else what the content store says, else none (then the
   * outcomes module judges by the activities seen, as for a format 1 bundle).
   */
  private definition(courseId: string): CourseBody | null {
    const defs = this.repo.courseDefs(courseId).map((b) => courseBodySchema.parse(JSON.parse(b)));
    return latestCourse(defs) ?? courseBody(this.content, courseId);
  }

  /**
   * Every trainee enrolled in the course or who did anything in it, sorted. Each line and the figures are
   * computed by the outcomes module (src/contract/outcomes.ts) from the stored progress, as HQ computes
   * its own from the imported journal.
   */
  courseReport(
    courseId: string,
    lang: Language,
    sort: ReportSort = 'progress',
    filter: ReportFilter = {},
  ): CourseReport {
    const course = this.outline(courseId, lang);
    const only = filter.cohortId ? new Set(this.cohorts.memberIds(filter.cohortId)) : null;
    const def = this.definition(courseId);
    const enrolled = this.repo.enrolledIds(courseId);
    const ratingRows = this.repo.courseRatings(courseId);
    const ratings = new Map(ratingRows.map((r) => [r.person_id, r.rating]));
    const acts = new Map<string, Map<string, ActivityFacts>>();
    const entries: CourseEntry[] = [];
    const people = this.repo.coursePeople(courseId).filter((r) => !only || only.has(r.person_id));
    const lines: CourseReportLine[] = people.map((r) => {
      const m = new Map<string, ActivityFacts>();
      for (const f of unpackFacts(r.acts)) m.set(f.activity_id, progressFacts(f));
      acts.set(r.person_id, m);
      const o = courseOutcome(def, m);
      const rating = ratings.get(r.person_id) ?? null;
      const isEnrolled = enrolled.has(r.person_id);
      entries.push({ enrolled: isEnrolled, outcome: o, rating });
      const percent = !o
        ? 0
        : o.completed
          ? 100
          : o.items
            ? Math.min(99, Math.round((o.done / o.items) * 100))
            : 0;
      return {
        personId: r.person_id,
        username: r.username,
        displayName: r.display_name,
        externalId: r.external_id,
        agency: r.agency,
        gender: r.gender,
        active: r.active === 1,
        enrolled: isEnrolled,
        started: o?.started ?? false,
        percent,
        done: o?.done ?? 0,
        completed: o?.completed ?? false,
        result: o?.result ?? '',
        score: o?.score ?? null,
        attempts: o?.attempts ?? 0,
        rating,
        lastActivityAt: r.last_at,
      };
    });
    lines.sort(SORTS[sort] ?? SORTS.progress);
    const bands = [0, 0, 0, 0, 0, 0];
    for (const l of lines) bands[bandOf(l)]!++;
    const titles = new Map(course.modules.flatMap((m) => m.items.map((i) => [i.id, i.title] as const)));
    const order = titles.size
      ? [...titles.keys()]
      : (def?.activities.map((a) => a.id) ??
        [...new Set([...acts.values()].flatMap((m) => [...m.keys()]))].filter((id) => id !== ''));
    const perActivity = order.map((id) => {
      const a = { activityId: id, title: titles.get(id) ?? id, started: 0, done: 0, passed: 0, failed: 0 };
      let scoreSum = 0;
      let scored = 0;
      for (const m of acts.values()) {
        const f = m.get(id);
        if (!f) continue;
        const o = activityOutcome(f);
        a.started++;
        if (o.completed || o.passed) a.done++;
        if (o.passed) a.passed++;
        if (o.failed) a.failed++;
        if (o.score !== null) {
          scoreSum += o.score;
          scored++;
        }
      }
      return { ...a, score: scored ? scoreSum / scored : null };
    });
    const distribution: [number, number, number, number, number] = [0, 0, 0, 0, 0];
    const byId = new Map(people.map((p) => [p.person_id, p]));
    const comments: RatingComment[] = [];
    for (const r of ratingRows) {
      const p = byId.get(r.person_id);
      if (!p) continue;
      distribution[r.rating - 1]!++;
      if (r.comment.trim())
        comments.push({
          personId: p.person_id,
          username: p.username,
          displayName: p.display_name,
          rating: r.rating,
          comment: r.comment,
          ratedAt: r.rated_at,
        });
    }
    comments.sort((a, b) => (a.ratedAt < b.ratedAt ? 1 : a.ratedAt > b.ratedAt ? -1 : 0));
    return {
      course,
      activities: def?.activities.length ?? course.activityCount,
      lines,
      figures: tally(entries),
      bands,
      ratings: { distribution, comments },
      perActivity,
    };
  }

  /** A trainee's whole history: courses with progress, activity rows, enrolments, cohorts, statements. */
  traineeHistory(personId: string, lang: Language) {
    const person: Person | undefined = this.people.get(personId);
    if (!person || person.role !== 'trainee') throw notFound('trainee');
    const rows = this.learning.progressRows(personId);
    const courseIds = [
      ...new Set([
        ...rows.map((r) => r.course_id),
        ...this.cohorts.enrolmentsOf(personId).map((e) => e.courseId),
      ]),
    ];
    const courses = courseIds.map((id) => {
      const outline = this.content.getCourse(id, lang);
      const p = outline ? this.learning.courseProgress(personId, outline) : undefined;
      return {
        courseId: id,
        title: outline?.title ?? id,
        percent: p?.percent ?? 0,
        completed:
          p?.completed ??
          rows.some((r) => r.course_id === id && r.activity_id === '' && r.status === 'completed'),
        lastActivityAt: p?.lastActivityAt ?? null,
        titles: new Map(outline?.modules.flatMap((m) => m.items.map((i) => [i.id, i.title] as const)) ?? []),
      };
    });
    const statements: XapiStatement[] = this.records.statementsFor(personId, 1000);
    return {
      person,
      courses,
      rows,
      enrolments: this.cohorts.enrolmentsOf(personId),
      cohorts: this.cohorts.cohortsOf(personId),
      statements,
    };
  }
}
