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
import { AdminReportsRepo } from './reports.repo.js';

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
  /** 0..100 of the course's activities done. */
  percent: number;
  done: number;
  completed: boolean;
  /** Mean best score (0..1) over the activities with a score, or null. */
  score: number | null;
  lastActivityAt: string | null;
}

export interface CourseReport {
  course: CourseOutline;
  activities: number;
  lines: CourseReportLine[];
  /** Trainees per progress band, for the chart: not started, 1-24, 25-49, 50-74, 75-99, completed. */
  bands: number[];
  perActivity: { activityId: string; title: string; started: number; done: number; score: number | null }[];
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
  readonly repo: AdminReportsRepo;

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

  /** Every trainee enrolled in the course or who did anything in it, sorted. */
  courseReport(courseId: string, lang: Language, sort: ReportSort = 'progress'): CourseReport {
    const course = this.outline(courseId, lang);
    const total = course.activityCount;
    const { rows, perActivity: stats } = this.repo.courseReport(courseId);
    const lines: CourseReportLine[] = rows.map((r) => {
      const completed = r.course_status === 'completed' || (total > 0 && r.done >= total);
      return {
        personId: r.person_id,
        username: r.username,
        displayName: r.display_name,
        externalId: r.external_id,
        agency: r.agency,
        gender: r.gender,
        active: r.active === 1,
        enrolled: r.enrolled === 1,
        done: r.done,
        percent: completed ? 100 : total ? Math.min(99, Math.round((r.done / total) * 100)) : 0,
        completed,
        score: r.score,
        lastActivityAt: r.last_at,
      };
    });
    lines.sort(SORTS[sort] ?? SORTS.progress);
    const bands = [0, 0, 0, 0, 0, 0];
    for (const l of lines) bands[bandOf(l)]!++;
    const titles = new Map(course.modules.flatMap((m) => m.items.map((i) => [i.id, i.title] as const)));
    const order = titles.size ? [...titles.keys()] : [...stats.keys()];
    const perActivity = order.map((id) => {
      const a = stats.get(id);
      return {
        activityId: id,
        title: titles.get(id) ?? id,
        started: a?.started ?? 0,
        done: a?.done ?? 0,
        score: a && a.scored ? a.scoreSum / a.scored : null,
      };
    });
    return { course, activities: total, lines, bands, perActivity };
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

/** The completion chart: trainees per progress band, as an SVG bar chart drawn on the server. */
export function completionChartSvg(bands: number[], labels: { title: string; trainees: string }): string {
  const W = 640;
  const H = 260;
  const left = 44;
  const bottom = 40;
  const top = 40;
  const max = Math.max(1, ...bands);
  const step = (W - left - 10) / bands.length;
  const barW = step * 0.66;
  const esc = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const colors = ['#9aa3ad', '#c9a227', '#d9822b', '#3b82c4', '#2a6fb0', '#1a7f37'];
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" direction="ltr" role="img" aria-label="${esc(labels.title)}">`,
  );
  parts.push(`<title>${esc(labels.title)}</title>`);
  const ticks = 4;
  for (let i = 0; i <= ticks; i++) {
    const v = Math.round((max * i) / ticks);
    const y = H - bottom - ((H - bottom - top) * v) / max;
    parts.push(
      `<line x1="${left}" x2="${W - 6}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e3e6ea"/>`,
    );
    parts.push(
      `<text x="${left - 6}" y="${(y + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="#5b6470">${v}</text>`,
    );
  }
  bands.forEach((n, i) => {
    const h = ((H - bottom - top) * n) / max;
    const x = left + i * step + (step - barW) / 2;
    const y = H - bottom - h;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[i]}"><title>${esc(`${BAND_LABELS[i]}: ${n} ${labels.trainees}`)}</title></rect>`,
    );
    parts.push(
      `<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 5).toFixed(1)}" font-size="12" text-anchor="middle" fill="#1b1f23">${n}</text>`,
    );
    parts.push(
      `<text x="${(x + barW / 2).toFixed(1)}" y="${H - bottom + 16}" font-size="12" text-anchor="middle" fill="#1b1f23" direction="ltr">${esc(BAND_LABELS[i]!)}</text>`,
    );
  });
  parts.push(`<text x="4" y="14" font-size="12" fill="#5b6470">${esc(labels.trainees)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}
