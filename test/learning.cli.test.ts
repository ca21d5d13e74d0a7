import { spawnSync } from 'node:child_process';
import { openSync, closeSync, writeSync, writeFileSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../src/core/config.js';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { silentLogger } from '../src/core/logger.js';
import { openContext, type AppContext } from '../src/app/context.js';
import type { XapiStatement } from '../src/contract/vocabulary.js';
import { tempDir } from './helpers/context.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');

/** Run the built CLI as a user would. */
function cli(args: string[], env: Record<string, string> = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin/fieldclass.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, FIELDCLASS_INSTALL_SAMPLES: 'false', ...env },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function open(dir: string, overrides: Record<string, unknown> = {}): AppContext {
  return openContext(testConfig({ dataDir: dir, installSampleCourses: false, ...overrides }), {
    logger: silentLogger,
  });
}

function derived(db: Database.Database) {
  return {
    progress: db.prepare('SELECT * FROM progress ORDER BY person_id, course_id, activity_id').all(),
    attempts: db
      .prepare('SELECT * FROM attempts ORDER BY person_id, course_id, activity_id, attempt_no')
      .all(),
    ratings: db.prepare('SELECT * FROM ratings ORDER BY person_id, course_id').all(),
  };
}

describe('fieldclass progress', () => {
  it("prints a trainee's progress per activity and their statements, as JSON and as a table", async () => {
    const t = tempDir();
    try {
      const ctx = open(t.dir);
      ctx.content.installFolder(FIXTURE);
      const awa = await ctx.people.addTrainee({
        username: 'awa',
        pin: '4821',
        displayName: 'Awa Diallo',
        externalId: 'PN-1',
      });
      await ctx.learning.openLesson(awa, 'fixture-course', 'intro', 'fr');
      await ctx.learning.completeLesson(awa, 'fixture-course', 'intro', 'fr');
      await ctx.learning.submitQuiz(awa, 'fixture-course', 'final-quiz', 'en', {
        q1: ['a'],
        q2: ['a'],
        q3: ['false'],
        q4: ['112'],
      });
      await ctx.learning.submitQuiz(awa, 'fixture-course', 'final-quiz', 'en', {
        q1: ['b'],
        q2: ['a', 'c'],
        q3: ['false'],
        q4: [' 112 '],
      });
      ctx.close();

      const r = cli(['progress', 'awa', '--json', '--data', t.dir]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out) as {
        trainee: { username: string; displayName: string; externalId: string };
        progress: {
          course: string;
          activity: string;
          status: string;
          bestScore: number | null;
          attempts: number;
          updated: string;
        }[];
        statements: XapiStatement[];
      };
      expect(j.trainee).toMatchObject({ username: 'awa', displayName: 'Awa Diallo', externalId: 'PN-1' });
      expect(j.progress.map((p) => [p.course, p.activity, p.status, p.bestScore, p.attempts])).toEqual([
        ['fixture-course', '', 'started', null, 0],
        ['fixture-course', 'final-quiz', 'passed', 1, 2],
        ['fixture-course', 'intro', 'completed', null, 0],
      ]);
      expect(j.progress.every((p) => /^\d{4}-\d\d-\d\dT/.test(p.updated))).toBe(true);
      // launched, experienced, completed, 2 x (4 answered + failed/passed): oldest first
      expect(j.statements.map((s) => s.verb.display['en-US'])).toEqual([
        'launched',
        'experienced',
        'completed',
        'answered',
        'answered',
        'answered',
        'answered',
        'failed',
        'answered',
        'answered',
        'answered',
        'answered',
        'passed',
      ]);
      expect(j.statements.at(-1)!.result!.score!.scaled).toBe(1);

      const table = cli(['progress', 'awa', '--data', t.dir]);
      expect(table.code).toBe(0);
      expect(table.out).toMatch(/Awa Diallo \(awa\) #PN-1/);
      expect(table.out).toMatch(/fixture-course\s+final-quiz\s+passed\s+100%\s+2/);
      expect(table.out).toMatch(/13 statement\(s\)/);

      const missing = cli(['progress', 'nobody', '--json', '--data', t.dir]);
      expect(missing.code).toBe(1);
      expect(missing.err).toMatch(/trainee "nobody" not found/);
    } finally {
      t.cleanup();
    }
  });
});

describe('fieldclass demo seed', () => {
  it('adds trainees with exactly M statements each, through the service rules, with PIN 0000', async () => {
    const t = tempDir();
    try {
      const ctx0 = open(t.dir);
      ctx0.content.installFolder(FIXTURE);
      ctx0.close();
      const r = cli(['demo', 'seed', '--trainees', '40', '--statements-per-trainee', '30', '--data', t.dir]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^demo seed: 40 trainees, 1200 statements in/);
      expect(r.out).toMatch(/courses: fixture-course/);
      expect(r.out).toMatch(/PIN 0000/);

      const ctx = open(t.dir);
      try {
        const db = ctx.db.records;
        expect(ctx.people.count('trainee')).toBe(40);
        const perActor = db
          .prepare(
            `SELECT json_extract(body, '$.actor.account.name') AS p, count(*) AS n FROM journal WHERE kind = 'statement' GROUP BY 1`,
          )
          .all() as { p: string; n: number }[];
        expect(perActor).toHaveLength(40);
        expect(perActor.every((x) => x.n === 30)).toBe(true);
        const people = db
          .prepare(`SELECT display_name, agency, gender, external_id, language FROM people`)
          .all() as Record<string, string | null>[];
        expect(new Set(people.map((p) => p['external_id'])).size).toBe(40);
        expect(people.every((p) => p['agency'] && p['gender'] && p['language'] && p['display_name'])).toBe(
          true,
        );
        expect(new Set(people.map((p) => p['language'])).size).toBeGreaterThan(1);
        // Realistic activity: some quizzes passed, some failed, some courses completed and rated.
        const verbs = Object.fromEntries(
          (
            db
              .prepare(
                `SELECT json_extract(body, '$.verb.display.en-US') AS v, count(*) AS n FROM journal WHERE kind = 'statement' GROUP BY 1`,
              )
              .all() as { v: string; n: number }[]
          ).map((x) => [x.v, x.n]),
        );
        expect(verbs['passed']).toBeGreaterThan(0);
        expect(verbs['failed']).toBeGreaterThan(0);
        expect(verbs['answered']).toBeGreaterThan(0);
        expect(verbs['rated']).toBeGreaterThan(0);
        // Attempts never exceed what the quiz allows (3 in the fixture).
        const maxAttempt = db.prepare('SELECT max(attempt_no) FROM attempts').pluck().get() as number;
        expect(maxAttempt).toBeLessThanOrEqual(3);
        // The derived state is what the journal says, in any order.
        const seeded = derived(db);
        ctx.learning.rebuildDerived((rows) => [...rows].reverse());
        expect(derived(db)).toEqual(seeded);
        // Every demo trainee signs in with PIN 0000.
        const someone = ctx.people.search({ role: 'trainee', limit: 1 }).rows[0]!;
        expect(await ctx.people.authenticate(someone.username, '0000')).toMatchObject({ id: someone.id });
        const max = db.prepare('SELECT max(seq) AS m, count(*) AS n FROM journal').get() as {
          m: number;
          n: number;
        };
        expect(max.m).toBe(max.n);
      } finally {
        ctx.close();
      }

      // A second run adds more trainees beside the first ones.
      expect(
        cli(['demo', 'seed', '--trainees', '5', '--statements-per-trainee', '3', '--data', t.dir]).code,
      ).toBe(0);
      const ctx2 = open(t.dir);
      expect(ctx2.people.count('trainee')).toBe(45);
      ctx2.close();
    } finally {
      t.cleanup();
    }
  });

  it('refuses bad input and a data dir without courses, naming the problem', () => {
    const t = tempDir();
    try {
      const bad = cli([
        'demo',
        'seed',
        '--trainees',
        'ten',
        '--statements-per-trainee',
        '5',
        '--data',
        t.dir,
      ]);
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(/--trainees: must be a whole number/);
      const none = cli(['demo', 'seed', '--trainees', '3', '--statements-per-trainee', '5', '--data', t.dir]);
      expect(none.code).toBe(1);
      expect(none.err).toMatch(/no courses are installed/);
      const ctx = open(t.dir);
      expect(ctx.people.count('trainee')).toBe(0);
      ctx.close();
    } finally {
      t.cleanup();
    }
  });
});

describe('fieldclass doctor', () => {
  function goodDir(): { dir: string; cleanup(): void } {
    const t = tempDir();
    const ctx = open(t.dir);
    ctx.content.installFolder(FIXTURE);
    ctx.close();
    expect(
      cli(['demo', 'seed', '--trainees', '30', '--statements-per-trainee', '20', '--data', t.dir]).code,
    ).toBe(0);
    return t;
  }
  const line = (out: string, name: string) => out.split('\n').find((l) => l.slice(6).startsWith(name)) ?? '';

  it('says OK for a healthy data dir', () => {
    const t = goodDir();
    try {
      const r = cli(['doctor', '--data', t.dir]);
      expect(r.code).toBe(0);
      for (const name of [
        'config',
        'data dir',
        'disk',
        'records',
        'durability',
        'journal',
        'export',
        'content',
        'courses',
      ])
        expect(line(r.out, name)).toMatch(/^OK /);
      expect(line(r.out, 'journal')).toMatch(/631 entries, seq 1\.\.631, gap-free/);
      expect(line(r.out, 'courses')).toMatch(/1 course/);
      expect(r.out).toMatch(/healthy/);
      const j = JSON.parse(cli(['doctor', '--json', '--data', t.dir]).out) as { level: string }[];
      expect(j.every((c) => c.level === 'OK')).toBe(true);
    } finally {
      t.cleanup();
    }
  });

  it('fails on a corrupted records.db and says what to do', () => {
    const t = goodDir();
    try {
      const file = join(t.dir, 'records.db');
      const size = statSync(file).size;
      const fd = openSync(file, 'r+');
      // Scribble over pages in the middle of the file (not the header): what a bad SD card does.
      writeSync(fd, Buffer.alloc(4096 * 3, 0xa5), 0, 4096 * 3, Math.floor(size / 4096 / 2) * 4096);
      closeSync(fd);
      const r = cli(['doctor', '--data', t.dir]);
      expect(r.code).toBe(1);
      expect(line(r.out, 'records')).toMatch(/^FAIL .*records\.db.*restore it from .*backups/);
      expect(line(r.out, 'content')).toMatch(/^OK /);
      expect(r.out).toMatch(/problem\(s\) to fix/);
    } finally {
      t.cleanup();
    }
  });

  it('fails on a journal gap, an export cursor past the journal, and an invalid config naming the field', () => {
    const t = goodDir();
    try {
      const db = new Database(join(t.dir, 'records.db'));
      db.exec(`DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE seq = 10;`);
      db.prepare(`INSERT INTO meta (key, value) VALUES ('export_cursor', '5000')`).run();
      db.close();
      writeFileSync(join(t.dir, 'config.json'), JSON.stringify({ port: 'eighty' }));
      const r = cli(['doctor', '--data', t.dir]);
      expect(r.code).toBe(1);
      expect(line(r.out, 'config')).toMatch(/^FAIL .*port/);
      expect(line(r.out, 'journal')).toMatch(/^FAIL .*not gap-free: 630 rows but seq 1\.\.631/);
      expect(line(r.out, 'export')).toMatch(/^FAIL .*export cursor 5000 is past the last journal seq 631/);
      expect(line(r.out, 'records')).toMatch(/^OK /);
    } finally {
      t.cleanup();
    }
  });

  it('fails when the data dir or records.db is missing', () => {
    const t = tempDir();
    try {
      const missing = cli(['doctor', '--data', join(t.dir, 'nope')]);
      expect(missing.code).toBe(1);
      expect(line(missing.out, 'data dir')).toMatch(/^FAIL .*does not exist/);
      rmSync(join(t.dir, 'records.db'), { force: true });
      const empty = cli(['doctor', '--data', t.dir]);
      expect(empty.code).toBe(1);
      expect(line(empty.out, 'records')).toMatch(/^FAIL .*records\.db is missing/);
      expect(line(empty.out, 'content')).toMatch(/^WARN /);
    } finally {
      t.cleanup();
    }
  });
});
