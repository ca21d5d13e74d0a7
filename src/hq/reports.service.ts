import { excelCsv } from '../core/csv.js';
import type { Language } from '../core/language.js';
import { foldKey, searchFold, tidyText } from '../core/text-keys.js';
import type { Db } from '../db/connection.js';
import type { AppliancesService } from './appliances.service.js';
import type { CourseBody } from '../contract/journal.js';
import { tally, type CountedEntry, type CourseFigures, type CourseResult } from '../contract/outcomes.js';
import { latestDefinitions } from './course-results.js';
import { FIGURE_DEFINITIONS, tHq } from './hq.messages.js';
import { ReportsRepo, type TraineeRow } from './reports.repo.js';

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
  /** SCORM attempts coordinators reset in this course (each started the SCO over; no pass undone). */
  scormResets: number;
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

/** One page of the trainee report: its rows, how many match, and the filter's choices. */
export interface TraineePage {
  rows: TraineeReportRow[];
  total: number;
  options: { agencies: string[]; genders: string[]; courses: string[] };
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
    'scormResets',
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

/**
 * CSV for Excel: UTF-8 with a byte-order mark, a header row, CRLF line ends; `notes` (the figures'
 * definitions, in the reader's language) as comment lines above the header. The bytes, as they are
 * sent or written (the whole trainee report is megabytes: not decoded into a string again).
 */
export function toCsv(
  columns: readonly string[],
  rows: readonly object[],
  notes: readonly string[] = [],
): Buffer {
  // The one CSV writer of the box and HQ (core/csv.ts): BOM, CRLF, and a text cell that a spreadsheet
  // would run as a formula (a trainee named =HYPERLINK(...)) kept as text.
  return excelCsv(
    [...columns],
    rows.map((r) => columns.map((c) => cell((r as Record<string, unknown>)[c]))),
    { notes },
  );
}

/** The note above a report's CSV header: what its figures mean, in `lang` (the appliances report has none). */
export function csvNotes(report: ReportName, lang: Language): string[] {
  return report === 'appliances' ? [] : FIGURE_DEFINITIONS.map((k) => tHq(lang, k));
}

function cell(v: unknown): string | number {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** Ratios printed as percentages in the terminal, as the pages show them (CSV and JSON keep the fraction). */
const PERCENT_COLUMNS = new Set(['passRate', 'ratingGoodShare', 'score']);
/** Columns left out first when a table is wider than the terminal (least needed first). */
const DROP_ORDER = [
  'person',
  'location',
  'username',
  'attemptsGranted',
  'scormResets',
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
    /** reports.showRatingNames: a trainee's own rating is shown per person only when on (a survey). */
    private readonly ratingNames = false,
  ) {
    this.repo = new ReportsRepo(db);
  }

  /** Each course's latest definition (the `course` journal rows); absent for format 1 boxes. */
  private definitions(): Map<string, CourseBody> {
    return latestDefinitions(this.repo.courseDefs());
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

  /**
   * Per course: overall, per appliance, by gender and by agency. Each (person, course)'s outcome was
   * computed by the outcomes module at import (person_courses, local_courses: hq/course-results.ts); SQL
   * gathers equal entries per group and the outcomes module's tally counts them.
   */
  courses(): CourseReportRow[] {
    const agencies = this.agencyNames();
    const groups = new Map<
      string,
      { course: string; breakdown: Breakdown; group: string; location: string; entries: CountedEntry[] }
    >();
    for (const r of this.repo.courseGroups()) {
      const k = `${r.course}\n${r.breakdown}\n${r.grp}\n${r.location}`;
      let g = groups.get(k);
      if (!g)
        groups.set(
          k,
          (g = {
            course: r.course,
            breakdown: r.breakdown,
            group: r.breakdown === 'agency' ? (agencies.get(r.grp) ?? r.grp) : r.grp,
            location: r.location,
            entries: [],
          }),
        );
      g.entries.push({
        enrolled: r.enrolled === 1,
        outcome:
          r.result === ''
            ? null
            : { started: r.started === 1, completed: r.completed === 1, result: r.result as CourseResult },
        rating: r.rating,
        times: r.n,
      });
    }
    const ORDER: Breakdown[] = ['all', 'appliance', 'gender', 'agency'];
    const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    return [...groups.values()]
      .sort(
        (x, y) =>
          cmp(x.course, y.course) ||
          ORDER.indexOf(x.breakdown) - ORDER.indexOf(y.breakdown) ||
          cmp(x.group, y.group) ||
          cmp(x.location, y.location),
      )
      .map((g) => courseRow(g.course, tally(g.entries), g.breakdown, g.group, g.location));
  }

  /**
   * The name shown for each agency key (persons.agency_key, folded as the claim key folds it): the
   * spelling most persons wrote (tidied: NFKC, spaces collapsed), ties to the first in code-point order.
   * The most frequent, not the first seen: which box's bundle HQ imported first must not change what
   * the reports say (any import order gives one state), and what most boxes wrote is what staff expect.
   */
  agencyNames(): Map<string, string> {
    const counts = new Map<string, Map<string, number>>();
    for (const r of this.repo.agencySpellings()) {
      const spelling = tidyText(r.spelling);
      let m = counts.get(r.key);
      if (!m) counts.set(r.key, (m = new Map<string, number>()));
      m.set(spelling, (m.get(spelling) ?? 0) + r.n);
    }
    const names = new Map<string, string>();
    for (const [key, m] of counts) {
      let best = '';
      let bestN = -1;
      for (const [spelling, n] of m)
        if (n > bestN || (n === bestN && spelling < best)) [best, bestN] = [spelling, n];
      names.set(key, best);
    }
    return names;
  }

  /** Per trainee and course (or one trainee's courses), ordered by name. */
  trainees(personId: string | null = null): TraineeReportRow[] {
    return this.repo.trainees(query({}, personId), -1, 0).map((r) => traineeRow(r, this.ratingNames));
  }

  /**
   * One page of the trainee report: search (name, username, external id; case and accents ignored) and
   * filters applied in SQL over person_courses, so a page costs the page, not the whole report.
   */
  traineePage(filter: TraineeFilter, pageNo: number, pageSize: number): TraineePage {
    const q = query(filter, null);
    // One choice per agency key, named as the course report names it (agencyNames); the filter folds
    // what it is given (query), so the choice's name finds every spelling of the agency.
    const options = {
      agencies: [...this.agencyNames().values()],
      genders: [] as string[],
      courses: [] as string[],
    };
    for (const o of this.repo.traineeOptions())
      if (o.value) (o.kind === 'gender' ? options.genders : options.courses).push(o.value);
    for (const list of Object.values(options)) list.sort();
    return {
      rows: this.repo
        .trainees(q, pageSize, (pageNo - 1) * pageSize)
        .map((r) => traineeRow(r, this.ratingNames)),
      total: this.repo.traineeCount(q),
      options,
    };
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

function query(f: TraineeFilter, person: string | null): Parameters<ReportsRepo['traineeCount']>[0] {
  const q = f.q ? searchFold(f.q.trim()) : '';
  return {
    person,
    q: q || null,
    appliance: f.appliance || null,
    agency: foldKey(f.agency) || null,
    gender: f.gender || null,
    course: f.course || null,
    result: f.result || null,
  };
}

function traineeRow(r: TraineeRow, ratingNames: boolean): TraineeReportRow {
  const started = r.started === 1;
  return {
    person: r.person,
    name: r.name,
    username: r.username,
    externalId: r.external_id,
    agency: r.agency,
    gender: r.gender,
    appliances: r.appliances,
    course: r.course,
    enrolled: r.enrolled === 1,
    started,
    completed: r.completed === 1,
    result: r.result as CourseResult | '',
    passed: r.result === 'passed',
    score: r.score,
    attempts: r.attempts,
    attemptsGranted: r.attempts_granted,
    scormResets: r.scorm_resets,
    activitiesDone: r.done,
    // Ratings are a survey: per person only where HQ's reports.showRatingNames is on.
    rating: ratingNames ? r.rating : null,
    lastActivityAt: r.last_at,
  };
}
