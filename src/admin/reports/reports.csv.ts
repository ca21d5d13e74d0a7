import type { Cell } from '../../core/csv.js';
import type { Language } from '../../core/language.js';
import { courseResultKey } from '../../contract/outcomes.js';
import { spreadsheetInstant } from '../../core/time-zone.js';
import { tAdmin, type AdminKey } from '../admin.messages.js';
import { verbLabel } from '../kit/widgets.js';
import type { AdminReportsService, CourseReport } from '../reports.service.js';

/** The coordinator's words for a CSV: headers, yes/no (values stay as stored: ids, numbers, times). */
const words = (lang: Language) => {
  const t = (k: AdminKey) => tAdmin(lang, k);
  return { t, yes: (b: boolean) => t(b ? 'csv_yes' : 'csv_no') };
};

/** A trainee's course result as the catalog says it; not assessed is blank. */
export const resultText = (r: string, t: (k: AdminKey) => string) => {
  const k = courseResultKey(r);
  return k ? t(k) : '';
};

type TraineeHistory = ReturnType<AdminReportsService['traineeHistory']>;

/** A CSV's columns and rows, written by core/csv.ts (web/csv-response.ts sends it). */
export interface CsvTable {
  header: string[];
  rows: Cell[][];
}

/** A date column's header names the box's time zone its times are in: "Last activity (Africa/Dakar)". */
const zoned = (header: string, timeZone: string) => `${header} (${timeZone})`;

/** A course report as a spreadsheet: one row per trainee, in the report's order; times in the box's zone. */
export function courseReportCsv(r: CourseReport, lang: Language, timeZone: string): CsvTable {
  const { t, yes } = words(lang);
  return {
    header: (
      [
        'csv_username',
        'csv_name',
        'csv_externalId',
        'csv_agency',
        'csv_gender',
        'csv_enrolled',
        'csv_started',
        'csv_active',
        'csv_activitiesDone',
        'csv_activities',
        'csv_progress',
        'csv_completed',
        'csv_result',
        'csv_score',
        'csv_lastActivity',
      ] as const
    ).map((k) => (k === 'csv_lastActivity' ? zoned(t(k), timeZone) : t(k))),
    rows: r.lines.map((l) => [
      l.username,
      l.displayName,
      l.externalId,
      l.agency,
      l.gender,
      yes(l.enrolled),
      yes(l.started),
      yes(l.active),
      l.done,
      r.activities,
      l.percent,
      yes(l.completed),
      resultText(l.result, t),
      l.score === null ? '' : Math.round(l.score * 1000) / 10,
      spreadsheetInstant(l.lastActivityAt, timeZone),
    ]),
  };
}

/** A trainee's statements as a spreadsheet, oldest first; times in the box's zone. */
export function historyCsv(h: TraineeHistory, lang: Language, timeZone: string): CsvTable {
  const { t, yes } = words(lang);
  return {
    header: (
      [
        'csv_timestamp',
        'csv_verb',
        'csv_activity',
        'csv_title',
        'csv_score',
        'csv_success',
        'csv_completion',
      ] as const
    ).map((k) => (k === 'csv_timestamp' ? zoned(t(k), timeZone) : t(k))),
    rows: [...h.statements]
      .reverse()
      .map((s) => [
        spreadsheetInstant(s.timestamp, timeZone),
        verbLabel({ lang }, s.verb.id),
        s.object.id,
        Object.values(s.object.definition?.name ?? {})[0] ?? '',
        s.result?.score?.scaled ?? '',
        s.result?.success === undefined ? '' : yes(s.result.success),
        s.result?.completion === undefined ? '' : yes(s.result.completion),
      ]),
  };
}
