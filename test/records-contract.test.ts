/**
 * The records contract across versions: a bundle written by a format 1 box (the fixture was written by
 * fieldclass before format 2) still imports, and HQ's figures are the outcomes module's; the journal
 * kind CHECK is widened in place on an existing database.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openBundle, singleKeyResolver } from '../src/contract/bundle-format.js';
import { parseJournalBody } from '../src/contract/journal.js';
import {
  courseOutcome,
  foldEffect,
  noFacts,
  statementEffect,
  tally,
  type ActivityFacts,
} from '../src/contract/outcomes.js';
import type { XapiStatement } from '../src/contract/vocabulary.js';
import { migrate } from '../src/db/migrate.js';
import { recordsMigrations } from '../src/db/migrations/records.js';
import { hqMigrations } from '../src/db/migrations/hq.js';
import { testConfig } from '../src/core/config.js';
import { silentLogger } from '../src/core/logger.js';
import { openContext } from '../src/app/context.js';
import { testContext } from './helpers/context.js';
import { testHq } from './hq.fixtures.js';

const FIXTURE = join(import.meta.dirname, 'fixtures/bundles/format-1');
const BUNDLE = join(FIXTURE, 'fieldclass-94d86414-e1-b000001.zip');
const enrol = JSON.parse(readFileSync(join(FIXTURE, 'enrol.json'), 'utf8')) as {
  applianceId: string;
  publicKey: string;
};
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('format 1 bundles (boxes already in the field)', () => {
  it('still import, and HQ counts the failed trainees as failed (the outcomes module over the rows)', async () => {
    // What the outcomes module says, read straight from the bundle's rows.
    const opened = await openBundle(BUNDLE, {
      resolveKey: singleKeyResolver({ publicKey: enrol.publicKey, applianceId: enrol.applianceId }),
    });
    expect(opened.manifest.format).toBe(1);
    const acts = new Map<string, Map<string, ActivityFacts>>();
    const enrolled = new Set<string>();
    const ratings = new Map<string, number>();
    for await (const r of opened.rows()) {
      if (r.kind === 'enrolment') {
        const e = parseJournalBody('enrolment', r.body);
        if (e.active) enrolled.add(`${e.personId}\n${e.courseId}`);
      }
      if (r.kind !== 'statement') continue;
      const m = statementEffect(parseJournalBody('statement', r.body) as unknown as XapiStatement);
      if (m?.type === 'rating') ratings.set(`${m.effect.personId}\n${m.effect.courseId}`, m.effect.rating);
      if (m?.type !== 'activity') continue;
      const k = `${m.effect.personId}\n${m.effect.courseId}`;
      const a = acts.get(k) ?? new Map<string, ActivityFacts>();
      a.set(m.effect.activityId, foldEffect(a.get(m.effect.activityId) ?? noFacts(), m.effect));
      acts.set(k, a);
    }
    opened.close();
    const course = 'crime-scene-preservation';
    const keys = new Set(
      [...acts.keys(), ...enrolled, ...ratings.keys()].filter((k) => k.endsWith(`\n${course}`)),
    );
    const expected = tally(
      [...keys].map((k) => ({
        enrolled: enrolled.has(k),
        outcome: courseOutcome(null, acts.get(k) ?? new Map()),
        rating: ratings.get(k) ?? null,
      })),
    );
    // The fixture's box reported quizzes failed: some trainees failed the course.
    expect(expected.failed).toBeGreaterThan(0);

    const hq = testHq();
    dirs.push(hq.dir);
    try {
      hq.appliances.enrol(enrol);
      const o = await hq.imports.importFile(BUNDLE);
      expect(o.status, o.status === 'refused' ? o.reason : '').toBe('imported');
      const row = hq.reports.courses().find((r) => r.course === course && r.breakdown === 'all')!;
      expect(row).toMatchObject({
        enrolled: expected.enrolled,
        started: expected.started,
        completed: expected.completed,
        passed: expected.passed,
        failed: expected.failed,
        ratings: expected.ratings,
      });
      expect(row.passRate).toBeLessThan(1);
    } finally {
      hq.cleanup();
    }
  });
});

describe('widening the journal kind CHECK in place (writable_schema)', () => {
  it('records.db and hq.db: old rows kept, new kinds accepted, integrity ok, unknown kinds still refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-widen-'));
    dirs.push(dir);
    const rec = new Database(join(dir, 'records.db'));
    migrate(rec, recordsMigrations.slice(0, 3));
    rec.prepare("INSERT INTO journal VALUES (1, 1, 'person', 'p1', '{}', 'now')").run();
    migrate(rec, recordsMigrations);
    rec.prepare("INSERT INTO journal VALUES (2, 1, 'course', 'c@1.0.0', '{}', 'now')").run();
    rec.prepare("INSERT INTO journal VALUES (3, 1, 'adjustment', 'a1', '{}', 'now')").run();
    expect(() => rec.prepare("INSERT INTO journal VALUES (4, 1, 'other', 'x', '{}', 'now')").run()).toThrow(
      /CHECK/,
    );
    expect(() => rec.prepare("UPDATE journal SET body = '[]'").run()).toThrow(/append-only/);
    expect(rec.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(rec.prepare('SELECT count(*) FROM journal').pluck().get()).toBe(3);
    rec.close();

    copyFileSync(join(dir, 'records.db'), join(dir, 'copy.db'));
    const reopened = new Database(join(dir, 'copy.db'));
    expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
    reopened.close();

    const hq = new Database(join(dir, 'hq.db'));
    migrate(hq, hqMigrations.slice(0, 1));
    hq.prepare("INSERT INTO journal VALUES (1, 1, 1, 'statement', 'x', '{}', 'now')").run();
    migrate(hq, hqMigrations);
    hq.prepare("INSERT INTO journal VALUES (1, 1, 2, 'course', 'c@1.0.0', '{}', 'now')").run();
    expect(hq.pragma('integrity_check', { simple: true })).toBe('ok');
    // The migration asks for derived state to be rebuilt from the journal it holds.
    expect(hq.prepare("SELECT value FROM meta WHERE key = 'derived_rebuild'").pluck().get()).toBe('1');
    hq.close();
  });
});

describe('the journal `course` row of a course disabled before it had one', () => {
  it('is written when the course is enabled, not only at the next start', () => {
    // A content store holding a disabled course, made on another data dir (its journal is not ours).
    const src = testContext();
    src.content.installFolder(join(import.meta.dirname, 'fixtures/courses/fixture-course'));
    src.content.setActive('fixture-course', false);
    src.db.content.pragma('wal_checkpoint(TRUNCATE)');
    const contentDb = join(src.dir, 'content.db');
    const dir = mkdtempSync(join(tmpdir(), 'fc-enable-'));
    dirs.push(dir);
    copyFileSync(contentDb, join(dir, 'content.db'));
    src.cleanup();

    const ctx = openContext(
      testConfig({ dataDir: dir, port: 0, host: '127.0.0.1', installSampleCourses: false }),
      { logger: silentLogger },
    );
    try {
      // At start-up the disabled course's outline cannot be read: no row yet.
      expect(ctx.records.hasJournalRow('course', 'fixture-course@1.0.0')).toBe(false);
      ctx.content.setActive('fixture-course', true);
      expect(ctx.records.hasJournalRow('course', 'fixture-course@1.0.0')).toBe(true);
      // Disabling and enabling again adds nothing.
      ctx.content.setActive('fixture-course', false);
      ctx.content.setActive('fixture-course', true);
      const n = ctx.db.records.prepare("SELECT count(*) FROM journal WHERE kind = 'course'").pluck().get();
      expect(n).toBe(1);
    } finally {
      ctx.close();
    }
  });
});

describe('records.db migration 5: failed outranks completed in stored progress', () => {
  it('a SCO stored completed that also failed becomes failed; completed-only and passed rows stay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-m5-'));
    dirs.push(dir);
    const db = new Database(join(dir, 'records.db'));
    migrate(db, recordsMigrations.slice(0, 4));
    const stmt = (seq: number, verb: string, activity: string) => {
      const body = {
        actor: { objectType: 'Agent', account: { homePage: 'http://box', name: 'p1' } },
        verb: { id: `http://adlnet.gov/expapi/verbs/${verb}`, display: { en: verb } },
        object: { objectType: 'Activity', id: `urn:fieldclass:course:c/${activity}` },
        context: {
          platform: 'fieldclass',
          extensions: { 'urn:fieldclass:ext:course-id': 'c', 'urn:fieldclass:ext:activity-id': activity },
        },
        timestamp: '2026-03-01T08:00:00.000Z',
      };
      db.prepare("INSERT INTO journal VALUES (?, 1, 'statement', ?, ?, 'now')").run(
        seq,
        `s${seq}`,
        JSON.stringify(body),
      );
    };
    // What the code before migration 4 stored: completed outranked failed.
    stmt(1, 'completed', 'sco1');
    stmt(2, 'failed', 'sco1');
    stmt(3, 'completed', 'sco2');
    stmt(4, 'failed', 'quiz');
    stmt(5, 'passed', 'quiz');
    const row = db.prepare(
      `INSERT INTO progress (person_id, course_id, activity_id, status, completed, attempts, last_seq, updated_at)
       VALUES ('p1', 'c', ?, ?, 1, 1, 1, 'now')`,
    );
    row.run('sco1', 'completed');
    row.run('sco2', 'completed');
    row.run('quiz', 'passed');
    migrate(db, recordsMigrations);
    expect(
      db.prepare('SELECT activity_id, status, completed FROM progress ORDER BY activity_id').all(),
    ).toEqual([
      { activity_id: 'quiz', status: 'passed', completed: 1 },
      { activity_id: 'sco1', status: 'failed', completed: 1 },
      { activity_id: 'sco2', status: 'completed', completed: 1 },
    ]);
    db.close();
  });
});
