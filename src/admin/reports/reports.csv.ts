import type { Cell } from '../../core/csv.js';
import type { AdminReportsService, CourseReport } from '../reports.service.js';

type TraineeHistory = ReturnType<AdminReportsService['traineeHistory']>;

/** A CSV's columns and rows, written by core/csv.ts (web/csv-response.ts sends it). */
export interface CsvTable {
  header: string[];
  rows: Cell[][];
}

/** A course report as a spreadsheet: one row per trainee, in the report's order. */
export function courseReportCsv(r: CourseReport): CsvTable {
  return {
    header: [
      'username',
      'name',
      'external id',
      'agency',
      'gender',
      'enrolled',
      'started',
      'active',
      'activities done',
      'activities',
      'progress %',
      'completed',
      'result',
      'score %',
      'last activity',
    ],
    rows: r.lines.map((l) => [
      l.username,
      l.displayName,
      l.externalId,
      l.agency,
      l.gender,
      l.enrolled ? 'yes' : 'no',
      l.started ? 'yes' : 'no',
      l.active ? 'yes' : 'no',
      l.done,
      r.activities,
      l.percent,
      l.completed ? 'yes' : 'no',
      l.result,
      l.score === null ? '' : Math.round(l.score * 1000) / 10,
      l.lastActivityAt,
    ]),
  };
}

/** A trainee's statements as a spreadsheet, oldest first. */
export function historyCsv(h: TraineeHistory): CsvTable {
  return {
    header: ['timestamp', 'verb', 'activity', 'title', 'score', 'success', 'completion'],
    rows: [...h.statements]
      .reverse()
      .map((s) => [
        s.timestamp,
        s.verb.display['en-US'] ?? s.verb.id,
        s.object.id,
        Object.values(s.object.definition?.name ?? {})[0] ?? '',
        s.result?.score?.scaled ?? '',
        s.result?.success === undefined ? '' : String(s.result.success),
        s.result?.completion === undefined ? '' : String(s.result.completion),
      ]),
  };
}
