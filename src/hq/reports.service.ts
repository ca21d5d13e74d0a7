import { excelCsv } from '../core/csv.js';
import type { Db } from '../db/connection.js';
import type { AppliancesService } from './appliances.service.js';
import { courseBodySchema, type CourseBody } from '../contract/journal.js';
import {
  courseOutcome,
  latestCourse,
  tally,
  type ActivityFacts,
  type CourseFigures,
  type CourseOutcome,
  type CourseResult,
} from '../contract/outcomes.js';
import { ReportsRepo } from './reports.repo.js';

export type Breakdown = 'all' | 'appliance' | 'gender' | 'agency';

/** One line of the course report: a course, overall or for one appliance / gender / agency. */
/** A course's figures (src/contract/outcomes.ts, the one definition) for one group of a breakdown. */
export interface CourseReportRow extends Omit<CourseFigures, 'ratingGood'> {
  course: string;
  breakdown: Breakdown;
  group: string;
  location: string;
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
  /** passed, failed, pending (assessed, not decided yet) or not_assessed (the course has no pass/fail). */
  result: CourseResult | '';
  passed: boolean;
  /** Mean best score over the assessed activities (null when none reported one). */
  score: number | null;
  /** Attempts at the assessed activities, summed over boxes. */
  attempts: number;
  /** Extra attempts coordinators granted in this course. */
  attemptsGranted: number;
  activitiesDone: number;
  rating: number | null;
  lastActivityAt: string;
}

export interface RatingComment {
  course: string;
  rating: number;
  comment: string;
  ratedAt: string;
  /** Empty unless HQ's setting reports.showRatingNames is on. */
  name: string;
}

/** What the Trainees page filters on (every field optional; `q` searches name, username, external id). */
export interface TraineeFilter {
  q?: string;
  appliance?: string;
  agency?: string;
  gender?: string;
  course?: string;
  result?: string;
}

/** The rows that match a filter (case- and accent-insensitive search). */
export function filterTrainees(rows: readonly TraineeReportRow[], f: TraineeFilter): TraineeReportRow[] {
  const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const q = f.q ? fold(f.q.trim()) : '';
  return rows.filter(
    (r) =>
      (!q || [r.name, r.username, r.externalId].some((v) => fold(v).includes(q))) &&
      (!f.appliance || r.appliances.split('; ').includes(f.appliance)) &&
      (!f.agency || r.agency === f.agency) &&
      (!f.gender || r.gender === f.gender) &&
      (!f.course || r.course === f.course) &&
      (!f.result || r.result === f.result),
  );
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

function courseRow(
  course: string,
  f: CourseFigures,
  breakdown: Breakdown,
  group: string,
  location = '',
): CourseReportRow {
  return {
    course,
    breakdown,
    group,
    location,
    enrolled: f.enrolled,
    started: f.started,
    completed: f.completed,
    passed: f.passed,
    failed: f.failed,
    passRate: f.passRate === null ? null : Math.round(f.passRate * 1000) / 1000,
    ratings: f.ratings,
    ratingAverage: f.ratingAverage === null ? null : Math.round(f.ratingAverage * 100) / 100,
    ratingGoodShare: ratio(f.ratingGood, f.ratings),
  };
}

/** One person (resolved, or local to a box) in one course: what the outcomes module needs. */
interface Entry {
  who: string;
  course: string;
  enrolled: boolean;
  acts: Map<string, ActivityFacts>;
  rating: number | null;
  lastAt: string | null;
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
    'passed',
    'failed',
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
    'result',
    'score',
    'attempts',
    'attemptsGranted',
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

/** Ratios printed as percentages in the terminal (CSV and JSON keep the fraction). */
const PERCENT_COLUMNS = new Set(['passRate', 'ratingGoodShare']);
/** Columns left out first when a table is wider than the terminal (least needed first). */
const DROP_ORDER = [
  'person',
  'location',
  'username',
  'attemptsGranted',
  'activitiesDone',
  'journalRows',
  'enrolledAt',
  'lastActivityAt',
  'appliance',
  'passed',
  'failed',
  'ratings',
  'attempts',
];

/**
 * A plain aligned text table for the terminal: ratios as percentages; unless `wide`, columns are left
 * out (DROP_ORDER) and long cells cut with "…" until it fits `width` (120) columns.
 */
export function toTextTable(
  columns: readonly string[],
  rows: readonly object[],
  opts: { wide?: boolean; width?: number } = {},
): string {
  const width = opts.width ?? 120;
  const text = (c: string, v: unknown): string =>
    PERCENT_COLUMNS.has(c) && typeof v === 'number' ? `${Math.round(v * 100)} %` : String(cell(v));
  let cols = [...columns];
  let cap = Infinity;
  const measure = () => {
    const data = rows.map((r) =>
      cols.map((c) => {
        const v = text(c, (r as Record<string, unknown>)[c]);
        return v.length > cap ? v.slice(0, cap - 1) + '…' : v;
      }),
    );
    const widths = cols.map((c, i) => Math.max(c.length, ...data.map((d) => d[i]!.length)));
    return { data, widths, total: widths.reduce((a, b) => a + b, 0) + 2 * (cols.length - 1) };
  };
  let m = measure();
  if (!opts.wide) {
    for (const d of DROP_ORDER) {
      if (m.total <= width) break;
      if (cols.includes(d) && cols.length > 2) {
        cols = cols.filter((c) => c !== d);
        m = measure();
      }
    }
    for (cap = 40; m.total > width && cap > 8; cap -= 4) m = measure();
  }
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(m.widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(cols), line(m.widths.map((w) => '-'.repeat(w))), ...m.data.map(line)].join('\n') + '\n';
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

  /** Each course's latest definition (the `course` journal rows); absent for format 1 boxes. */
  private definitions(): Map<string, CourseBody> {
    const all = new Map<string, CourseBody[]>();
    for (const body of this.repo.courseDefs()) {
      const d = courseBodySchema.parse(JSON.parse(body));
      all.set(d.id, [...(all.get(d.id) ?? []), d]);
    }
    return new Map([...all].map(([id, ds]) => [id, latestCourse(ds)!]));
  }

  /** Each course's titles by language (from its latest definition); a course without one has none. */
  courseTitles(): Map<string, Record<string, string>> {
    return new Map([...this.definitions()].map(([id, d]) => [id, d.titles]));
  }

  /** Rating comments, newest first: a survey, so without trainee names unless `names`. */
  comments(names: boolean, limit = 200): RatingComment[] {
    return this.repo.comments(names, limit).map((c) => ({
      course: c.course_id,
      rating: c.rating,
      comment: c.comment,
      ratedAt: c.rated_at,
      name: c.name,
    }));
  }

  /** Every (person, course) with activity, an enrolment or a rating, at the resolved or the box level. */
  private entries(level: 'person' | 'local', person: string | null = null): Map<string, Entry> {
    const out = new Map<string, Entry>();
    const get = (who: string, course: string): Entry => {
      const k = `${who}\n${course}`;
      let e = out.get(k);
      if (!e) out.set(k, (e = { who, course, enrolled: false, acts: new Map(), rating: null, lastAt: null }));
      return e;
    };
    for (const r of level === 'person' ? this.repo.personFacts(person) : this.repo.localFacts()) {
      const e = get(r.who, r.course_id);
      e.acts.set(r.activity_id, {
        completed: r.completed === 1,
        passed: r.passed === 1,
        failed: r.failed === 1,
        attempts: r.attempts,
        bestScore: r.best_score,
      });
      if (e.lastAt === null || r.last_at > e.lastAt) e.lastAt = r.last_at;
    }
    for (const r of this.repo.enrolments(level, person)) get(r.who, r.course_id).enrolled = true;
    for (const r of this.repo.ratings(level, person)) get(r.who, r.course_id).rating = r.rating;
    return out;
  }

  private outcome(defs: Map<string, CourseBody>, e: Entry): CourseOutcome | null {
    return courseOutcome(defs.get(e.course) ?? null, e.acts);
  }

  /** Per course: overall, per appliance, by gender and by agency, each counted by the outcomes module. */
  courses(): CourseReportRow[] {
    const defs = this.definitions();
    const attrs = new Map(this.repo.personAttrs().map((a) => [a.person_id, a]));
    type Group = {
      breakdown: Breakdown;
      group: string;
      location: string;
      entries: { enrolled: boolean; outcome: CourseOutcome | null; rating: number | null }[];
    };
    const groups = new Map<string, Map<string, Group>>();
    const add = (course: string, breakdown: Breakdown, group: string, location: string, e: Entry) => {
      let byCourse = groups.get(course);
      if (!byCourse) groups.set(course, (byCourse = new Map<string, Group>()));
      const k = `${breakdown}\n${group}\n${location}`;
      let g = byCourse.get(k);
      if (!g) byCourse.set(k, (g = { breakdown, group, location, entries: [] }));
      g.entries.push({ enrolled: e.enrolled, outcome: this.outcome(defs, e), rating: e.rating });
    };
    for (const e of this.entries('person').values()) {
      const a = attrs.get(e.who);
      add(e.course, 'all', '', '', e);
      add(e.course, 'gender', a?.gender ?? 'undisclosed', '', e);
      add(e.course, 'agency', a?.agency ?? '', '', e);
    }
    const apps = new Map(this.repo.appliancesList().map((a) => [String(a.no), a]));
    for (const e of this.entries('local').values()) {
      const a = apps.get(e.who.slice(0, e.who.indexOf('\t')));
      if (a) add(e.course, 'appliance', a.name, a.location, { ...e, who: a.id });
    }
    const ORDER: Breakdown[] = ['all', 'appliance', 'gender', 'agency'];
    const out: CourseReportRow[] = [];
    for (const course of [...groups.keys()].sort()) {
      const gs = [...groups.get(course)!.values()].sort(
        (x, y) =>
          ORDER.indexOf(x.breakdown) - ORDER.indexOf(y.breakdown) ||
          (x.group < y.group ? -1 : x.group > y.group ? 1 : 0) ||
          (x.location < y.location ? -1 : x.location > y.location ? 1 : 0),
      );
      for (const g of gs) out.push(courseRow(course, tally(g.entries), g.breakdown, g.group, g.location));
    }
    return out;
  }

  /** Per trainee and course (or one trainee's courses). */
  trainees(personId: string | null = null): TraineeReportRow[] {
    const defs = this.definitions();
    const attrs = new Map(this.repo.personAttrs(personId).map((a) => [a.person_id, a]));
    const granted = new Map(this.repo.grants(personId).map((g) => [`${g.who}\n${g.course_id}`, g.granted]));
    const rows = [...this.entries('person', personId).values()].map((e) => {
      const a = attrs.get(e.who);
      const o = this.outcome(defs, e);
      return {
        person: e.who,
        name: a?.display_name ?? '',
        username: a?.username ?? '',
        externalId: a?.external_id ?? '',
        agency: a?.agency ?? '',
        gender: a?.gender ?? '',
        appliances: a?.appliances ?? '',
        course: e.course,
        enrolled: e.enrolled,
        started: o?.started ?? false,
        completed: o?.completed ?? false,
        result: o?.result ?? '',
        passed: o?.result === 'passed',
        score: o?.score ?? null,
        attempts: o?.attempts ?? 0,
        attemptsGranted: granted.get(`${e.who}\n${e.course}`) ?? 0,
        activitiesDone: o?.done ?? 0,
        rating: e.rating,
        lastActivityAt: e.lastAt ?? '',
      } satisfies TraineeReportRow;
    });
    const nameOf = (r: TraineeReportRow) => r.name || r.username || r.person;
    return rows.sort(
      (x, y) =>
        (nameOf(x) < nameOf(y) ? -1 : nameOf(x) > nameOf(y) ? 1 : 0) ||
        (x.person < y.person ? -1 : x.person > y.person ? 1 : 0) ||
        (x.course < y.course ? -1 : x.course > y.course ? 1 : 0),
    );
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
