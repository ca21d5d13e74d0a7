import { excelCsv } from '../core/csv.js';
import type { Db } from '../db/connection.js';
import type { AppliancesService } from './appliances.service.js';
import { ReportsRepo, type CourseCountsRow } from './reports.repo.js';

export type Breakdown = 'all' | 'appliance' | 'gender' | 'agency';

/** One line of the course report: a course, overall or for one appliance / gender / agency. */
export interface CourseReportRow {
  course: string;
  breakdown: Breakdown;
  group: string;
  location: string;
  /** Trainees enrolled in the course, or who did anything in it (self-paced trainees have no enrolment). */
  enrolled: number;
  started: number;
  completed: number;
  /** Trainees with at least one graded attempt (passed or failed) in the course. */
  attempted: number;
  /** Of those, the ones who passed at least once. */
  passed: number;
  /** passed / attempted, 0..1; null when nobody attempted. */
  passRate: number | null;
  ratings: number;
  ratingAverage: number | null;
  /** Share of ratings that are 4 or 5 ("good or excellent"), 0..1. */
  ratingGoodShare: number | null;
}

export interface TraineeReportRow {
  person: string;
  name: string;
  username: string;
  externalId: string;
  agency: string;
  gender: string;
  appliances: string;
  course: string;
  enrolled: boolean;
  started: boolean;
  completed: boolean;
  passed: boolean;
  bestScore: number | null;
  activitiesDone: number;
  rating: number | null;
  lastActivityAt: string;
}

export interface ApplianceReportRow {
  appliance: string;
  name: string;
  location: string;
  enrolledAt: string;
  /** `epoch:seq` the key is revoked from, `all` when it is dead, empty while trusted. */
  revokedFrom: string;
  bundles: number;
  lastBundleSeq: number | null;
  lastSequence: number;
  lastImportAt: string;
  gaps: string;
  forks: number;
  trainees: number;
  journalRows: number;
}

const ratio = (n: number, d: number): number | null => (d > 0 ? Math.round((n / d) * 1000) / 1000 : null);

function courseRow(r: CourseCountsRow, breakdown: Breakdown, group: string, location = ''): CourseReportRow {
  return {
    course: r.course_id,
    breakdown,
    group,
    location,
    enrolled: r.enrolled,
    started: r.started,
    completed: r.completed,
    attempted: r.attempted,
    passed: r.passed,
    passRate: ratio(r.passed, r.attempted),
    ratings: r.ratings,
    ratingAverage: r.rating_avg === null ? null : Math.round(r.rating_avg * 100) / 100,
    ratingGoodShare: ratio(r.rating_good, r.ratings),
  };
}

/** Column order of each report (CSV header and text table). */
export const REPORT_COLUMNS = {
  courses: [
    'course',
    'breakdown',
    'group',
    'location',
    'enrolled',
    'started',
    'completed',
    'attempted',
    'passed',
    'passRate',
    'ratings',
    'ratingAverage',
    'ratingGoodShare',
  ],
  trainees: [
    'person',
    'name',
    'username',
    'externalId',
    'agency',
    'gender',
    'appliances',
    'course',
    'enrolled',
    'started',
    'completed',
    'passed',
    'bestScore',
    'activitiesDone',
    'rating',
    'lastActivityAt',
  ],
  appliances: [
    'appliance',
    'name',
    'location',
    'enrolledAt',
    'revokedFrom',
    'bundles',
    'lastBundleSeq',
    'lastSequence',
    'lastImportAt',
    'gaps',
    'forks',
    'trainees',
    'journalRows',
  ],
} as const;

export type ReportName = keyof typeof REPORT_COLUMNS;

/** CSV for Excel: UTF-8 with a byte-order mark, a header row, CRLF line ends. */
export function toCsv(columns: readonly string[], rows: readonly object[]): string {
  // The one CSV writer of the box and HQ (core/csv.ts): BOM, CRLF, and a text cell that a spreadsheet
  // would run as a formula (a trainee named =HYPERLINK(...)) kept as text.
  return excelCsv(
    [...columns],
    rows.map((r) => columns.map((c) => cell((r as Record<string, unknown>)[c]))),
  ).toString('utf8');
}

function cell(v: unknown): string | number {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** A plain aligned text table for the terminal. */
export function toTextTable(columns: readonly string[], rows: readonly object[]): string {
  const data = rows.map((r) => columns.map((c) => String(cell((r as Record<string, unknown>)[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...data.map((d) => d[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...data.map(line)].join('\n') + '\n';
}

/** HQ reports: per course (overall, per appliance, by gender, by agency), per trainee, per appliance. */
export class ReportsService {
  private readonly repo: ReportsRepo;

  constructor(
    db: Db,
    private readonly appliances: AppliancesService,
  ) {
    this.repo = new ReportsRepo(db);
  }

  courses(): CourseReportRow[] {
    const out: CourseReportRow[] = [];
    const all = this.repo.coursesBy('all');
    const byApp = this.repo.coursesByAppliance();
    const byGender = this.repo.coursesBy('gender');
    const byAgency = this.repo.coursesBy('agency');
    for (const c of all) {
      out.push(courseRow(c, 'all', ''));
      for (const r of byApp)
        if (r.course_id === c.course_id) out.push(courseRow(r, 'appliance', r.appliance_name, r.location));
      for (const r of byGender)
        if (r.course_id === c.course_id) out.push(courseRow(r, 'gender', r.grp ?? ''));
      for (const r of byAgency)
        if (r.course_id === c.course_id) out.push(courseRow(r, 'agency', r.grp ?? ''));
    }
    return out;
  }

  trainees(personId: string | null = null): TraineeReportRow[] {
    return this.repo.traineeCourses(personId).map((r) => ({
      person: r.person_id,
      name: r.display_name ?? '',
      username: r.username ?? '',
      externalId: r.external_id ?? '',
      agency: r.agency ?? '',
      gender: r.gender ?? '',
      appliances: r.appliances,
      course: r.course_id,
      enrolled: r.enrolled === 1,
      started: r.started === 1,
      completed: r.completed === 1,
      passed: r.passed === 1,
      bestScore: r.best_score,
      activitiesDone: r.activities_done,
      rating: r.rating,
      lastActivityAt: r.last_at ?? '',
    }));
  }

  appliancesReport(): ApplianceReportRow[] {
    const counts = this.repo.applianceCounts();
    return this.appliances.list().map((a) => ({
      appliance: a.id,
      name: a.name,
      location: a.location,
      enrolledAt: a.enrolledAt,
      revokedFrom: a.revocation
        ? a.revocation.keyRevoked
          ? 'all'
          : `${a.revocation.fromEpoch}:${a.revocation.fromSeq}`
        : '',
      bundles: a.bundles,
      lastBundleSeq: a.lastBundle?.bundleSeq ?? null,
      lastSequence: a.lastSequence,
      lastImportAt: a.lastImportAt ?? '',
      gaps: a.gaps.map((g) => (g.fromSeq === g.toSeq ? `${g.fromSeq}` : `${g.fromSeq}-${g.toSeq}`)).join(' '),
      forks: a.forks.length,
      trainees: counts.get(a.id)?.trainees ?? 0,
      journalRows: counts.get(a.id)?.journalRows ?? 0,
    }));
  }

  report(name: ReportName): object[] {
    return name === 'courses'
      ? this.courses()
      : name === 'trainees'
        ? this.trainees()
        : this.appliancesReport();
  }
}
