import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

/** One person per resolved id with the attributes of their most recent roster row. */
const PERSON_ATTRS = `
  pa AS (
    SELECT person_id, display_name, username, external_id, agency, gender FROM (
      SELECT person_id, display_name, username, external_id, agency, gender,
             row_number() OVER (PARTITION BY person_id
                                ORDER BY roster_seq IS NULL, updated_at DESC, appliance_no DESC, local_id DESC) AS rn
        FROM people)
     WHERE rn = 1)`;

/** Resolved person -> the names of the appliances they were seen on. */
const APPS = `
  apps AS (
    SELECT pe.person_id, group_concat(a.name, '; ') AS appliances FROM (
      SELECT DISTINCT person_id, appliance_no FROM people) pe
      JOIN appliances a ON a.no = pe.appliance_no
     GROUP BY pe.person_id)`;

/** One activity row of a person (resolved, or local to a box) in a course, as the outcomes module reads it. */
export interface ActivityFactsRow {
  /** The resolved person id, or `<appliance_no>\t<local id>` for a box's local person. */
  who: string;
  course_id: string;
  activity_id: string;
  attempts: number;
  best_score: number | null;
  completed: number;
  passed: number;
  failed: number;
  last_at: string;
}

export interface PersonAttrsRow {
  person_id: string;
  display_name: string | null;
  username: string | null;
  external_id: string | null;
  agency: string | null;
  gender: string | null;
  appliances: string;
}

/**
 * Report SQL over the derived tables (prepared once): it only reads rows; what they mean (completed,
 * passed, failed, rates) is decided by the outcomes module in ReportsService.
 */
export class ReportsRepo {
  private readonly s: Record<string, Statement>;

  constructor(db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      personFacts: p(
        `SELECT person_id AS who, course_id, activity_id, attempts, best_score, completed, passed, failed, last_at
           FROM progress WHERE @person IS NULL OR person_id = @person ORDER BY person_id, course_id`,
      ),
      localFacts: p(
        `SELECT appliance_no || char(9) || local_id AS who, course_id, activity_id, attempts, best_score, completed,
                passed, failed, last_at
           FROM local_progress ORDER BY appliance_no, local_id, course_id`,
      ),
      personEnrolments: p(
        `SELECT DISTINCT pe.person_id AS who, e.course_id FROM enrolments e
           JOIN people pe ON pe.appliance_no = e.appliance_no AND pe.local_id = e.local_id
          WHERE e.active = 1 AND (@person IS NULL OR pe.person_id = @person)`,
      ),
      localEnrolments: p(
        `SELECT appliance_no || char(9) || local_id AS who, course_id FROM enrolments WHERE active = 1`,
      ),
      // A person's latest rating of a course over every box (by the box's time, then appliance).
      personRatings: p(
        `SELECT person_id AS who, course_id, rating FROM (
           SELECT pe.person_id, r.course_id, r.rating,
                  row_number() OVER (PARTITION BY pe.person_id, r.course_id
                                     ORDER BY r.rated_at DESC, r.appliance_no DESC) AS rn
             FROM ratings r JOIN people pe ON pe.appliance_no = r.appliance_no AND pe.local_id = r.local_id
            WHERE @person IS NULL OR pe.person_id = @person)
          WHERE rn = 1`,
      ),
      localRatings: p(`SELECT appliance_no || char(9) || local_id AS who, course_id, rating FROM ratings`),
      personAttrs: p(
        `WITH ${PERSON_ATTRS}, ${APPS}
         SELECT pa.person_id, pa.display_name, pa.username, pa.external_id, pa.agency, pa.gender,
                coalesce(apps.appliances, '') AS appliances
           FROM pa LEFT JOIN apps ON apps.person_id = pa.person_id
          WHERE @person IS NULL OR pa.person_id = @person`,
      ),
      courseDefs: p('SELECT body FROM course_defs').pluck(),
      // Rating comments, newest first; the name only when the caller may show it.
      comments: p(
        `SELECT r.course_id, r.rating, r.comment, r.rated_at,
                CASE WHEN @names THEN coalesce(pe.display_name, pe.username, '') ELSE '' END AS name
           FROM ratings r
           LEFT JOIN people pe ON pe.appliance_no = r.appliance_no AND pe.local_id = r.local_id
          WHERE r.comment <> ''
          ORDER BY r.rated_at DESC, r.appliance_no, r.local_id
          LIMIT @limit`,
      ),
      appliances: p('SELECT no, id, name, location FROM appliances'),
      grants: p(
        `SELECT pe.person_id AS who, a.course_id, sum(a.amount) AS granted FROM adjustments a
           JOIN people pe ON pe.appliance_no = a.appliance_no AND pe.local_id = a.local_id
          WHERE a.type = 'attempt_grant' AND (@person IS NULL OR pe.person_id = @person)
          GROUP BY pe.person_id, a.course_id`,
      ),
      countsPerAppliance: p(
        `SELECT a.id,
                (SELECT count(*) FROM people p WHERE p.appliance_no = a.no) AS trainees,
                (SELECT count(*) FROM journal j WHERE j.appliance_no = a.no) AS journal_rows
           FROM appliances a`,
      ),
    };
  }

  /** Activity rows per resolved person (all, or one person). */
  personFacts(person: string | null = null): IterableIterator<ActivityFactsRow> {
    return this.s['personFacts']!.iterate({ person }) as IterableIterator<ActivityFactsRow>;
  }

  /** Activity rows per local person of each box (`who` = appliance no + tab + local id). */
  localFacts(): IterableIterator<ActivityFactsRow> {
    return this.s['localFacts']!.iterate() as IterableIterator<ActivityFactsRow>;
  }

  enrolments(level: 'person' | 'local', person: string | null = null): { who: string; course_id: string }[] {
    return (
      level === 'person' ? this.s['personEnrolments']!.all({ person }) : this.s['localEnrolments']!.all()
    ) as { who: string; course_id: string }[];
  }

  ratings(
    level: 'person' | 'local',
    person: string | null = null,
  ): { who: string; course_id: string; rating: number }[] {
    return (
      level === 'person' ? this.s['personRatings']!.all({ person }) : this.s['localRatings']!.all()
    ) as { who: string; course_id: string; rating: number }[];
  }

  personAttrs(person: string | null = null): PersonAttrsRow[] {
    return this.s['personAttrs']!.all({ person }) as PersonAttrsRow[];
  }

  /** Rating comments (newest first); names empty unless `names`. */
  comments(
    names: boolean,
    limit: number,
  ): { course_id: string; rating: number; comment: string; rated_at: string; name: string }[] {
    return this.s['comments']!.all({ names: names ? 1 : 0, limit }) as {
      course_id: string;
      rating: number;
      comment: string;
      rated_at: string;
      name: string;
    }[];
  }

  /** Every course version's definition body (JSON) any box declared. */
  courseDefs(): string[] {
    return this.s['courseDefs']!.all() as string[];
  }

  appliancesList(): { no: number; id: string; name: string; location: string }[] {
    return this.s['appliances']!.all() as { no: number; id: string; name: string; location: string }[];
  }

  /** Extra attempts granted per resolved person and course. */
  grants(person: string | null = null): { who: string; course_id: string; granted: number }[] {
    return this.s['grants']!.all({ person }) as { who: string; course_id: string; granted: number }[];
  }

  applianceCounts(): Map<string, { trainees: number; journalRows: number }> {
    const rows = this.s['countsPerAppliance']!.all() as {
      id: string;
      trainees: number;
      journal_rows: number;
    }[];
    return new Map(rows.map((r) => [r.id, { trainees: r.trainees, journalRows: r.journal_rows }]));
  }
}
