/**
 * Attempt grants: `fieldclass trainee attempts <username> <course> <quiz> --add N` gives a trainee more
 * attempts (journal 'adjustment' row, audit row, raised allowance); the locked quiz says the coordinator
 * can give another; HQ applies the grant; bad input is a clear error and writes nothing.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { runCli } from './helpers/cli.js';
import { testServer } from './helpers/context.js';
import { Browserless } from './helpers/http.js';
import { testHq } from './hq.fixtures.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
const QUIZ = '/courses/fixture-course/quizzes/final-quiz';
const WRONG = { q1: ['a'], q2: ['b'], q3: ['true'], q4: ['17'] };

describe('attempt grants', () => {
  let s: Awaited<ReturnType<typeof testServer>>;
  const prevSamples = process.env['FIELDCLASS_INSTALL_SAMPLES'];
  beforeAll(async () => {
    process.env['FIELDCLASS_INSTALL_SAMPLES'] = 'false';
    s = await testServer();
    s.ctx.content.installFolder(FIXTURE);
  });
  afterAll(async () => {
    await s.cleanup();
    if (prevSamples === undefined) delete process.env['FIELDCLASS_INSTALL_SAMPLES'];
    else process.env['FIELDCLASS_INSTALL_SAMPLES'] = prevSamples;
  });

  const journalRows = () => s.ctx.db.records.prepare('SELECT count(*) FROM journal').pluck().get();

  it('the CLI gives more attempts to a trainee who used them all; HQ applies the grant', async () => {
    const p = await s.ctx.people.addTrainee({ username: 'awa', pin: '1234', displayName: 'Awa' });
    for (let i = 0; i < 3; i++)
      await s.ctx.learning.submitQuiz(p, 'fixture-course', 'final-quiz', 'en', WRONG);
    expect(s.ctx.learning.quizStatus(p.id, 'fixture-course', 'final-quiz').attemptsLeft).toBe(0);

    // The locked quiz tells the trainee the coordinator can give another attempt (en and fr).
    const b = new Browserless(s.url);
    expect((await b.submit('/', '/signin', { username: 'awa', pin: '1234' })).status).toBe(303);
    expect((await b.page(QUIZ)).html).toContain('Your coordinator can give you another attempt');

    // The CLI opens the same data dir, as an operator would on the box.
    const r = await runCli(
      'trainee',
      'attempts',
      'awa',
      'fixture-course',
      'final-quiz',
      '--add',
      '2',
      '-d',
      s.ctx.config.dataDir,
    );
    expect(r.code, r.err.join('')).toBe(0);
    expect(r.out.join('')).toMatch(
      /gave awa 2 more attempt\(s\) at fixture-course\/final-quiz; attempts left: 2/,
    );
    // The running box sees the new allowance (same records.db).
    expect(s.ctx.learning.quizStatus(p.id, 'fixture-course', 'final-quiz')).toMatchObject({
      attemptsUsed: 3,
      attemptsLeft: 2,
    });
    const f = await b.page(QUIZ);
    expect(f.html).toContain('name="op"');
    const adj = s.ctx.db.records
      .prepare("SELECT body FROM journal WHERE kind = 'adjustment'")
      .pluck()
      .all() as string[];
    expect(adj.map((x) => JSON.parse(x) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ type: 'attempt_grant', personId: p.id, courseId: 'fixture-course', add: 2 }),
    ]);
    const audit = s.ctx.db.records
      .prepare("SELECT actor_id, action, target FROM audit WHERE action = 'attempts.grant'")
      .all();
    expect(audit).toEqual([{ actor_id: null, action: 'attempts.grant', target: p.id }]);
    // The allowance is derived from the journal: a rebuild keeps it.
    s.ctx.learning.rebuildDerived();
    expect(s.ctx.learning.quizStatus(p.id, 'fixture-course', 'final-quiz').attemptsLeft).toBe(2);

    // HQ applies the adjustment row.
    const out = join(s.ctx.config.dataDir, 'stick');
    const written = await s.ctx.bundles.exporter.export({ outDir: out });
    const hq = testHq();
    try {
      hq.appliances.enrol(s.ctx.identity.request());
      for (const w of written) expect((await hq.imports.importFile(w.path)).status).toBe('imported');
      const row = hq.reports.trainees().find((t) => t.username === 'awa' && t.course === 'fixture-course')!;
      expect(row).toMatchObject({ attemptsGranted: 2, attempts: 3, result: 'failed' });
    } finally {
      hq.cleanup();
    }
  });

  it('a grant after a pass leaves the pass alone', async () => {
    const p = await s.ctx.people.addTrainee({ username: 'bintou', pin: '1234' });
    const right = { q1: ['b'], q2: ['a', 'c'], q3: ['false'], q4: ['One One Two'] };
    expect((await s.ctx.learning.submitQuiz(p, 'fixture-course', 'final-quiz', 'en', right)).passed).toBe(
      true,
    );
    s.ctx.grants.grant({
      username: 'bintou',
      courseId: 'fixture-course',
      quizId: 'final-quiz',
      add: 1,
      by: null,
    });
    expect(s.ctx.learning.quizStatus(p.id, 'fixture-course', 'final-quiz')).toMatchObject({
      passed: true,
      attemptsLeft: 3,
    });
  });

  it('unknown trainee, unknown quiz, a negative or zero count: a clear error, nothing written', async () => {
    await s.ctx.people.addTrainee({ username: 'chloe', pin: '1234' });
    const before = journalRows();
    const dir = s.ctx.config.dataDir;
    const cases: [string[], RegExp][] = [
      [['nobody', 'fixture-course', 'final-quiz', '--add', '1'], /trainee "nobody" not found/],
      [
        ['chloe', 'fixture-course', 'no-quiz', '--add', '1'],
        /quiz "no-quiz" of course "fixture-course" not found/,
      ],
      [
        ['chloe', 'no-course', 'final-quiz', '--add', '1'],
        /quiz "final-quiz" of course "no-course" not found/,
      ],
      [['chloe', 'fixture-course', 'final-quiz', '--add', '-2'], /whole number from 1 to 100 \(got -2\)/],
      [['chloe', 'fixture-course', 'final-quiz', '--add', '0'], /whole number from 1 to 100/],
      [['chloe', 'fixture-course', 'final-quiz', '--add', 'two'], /whole number from 1 to 100/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli('trainee', 'attempts', ...args, '-d', dir);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err.join('') + r.out.join(''), args.join(' ')).toMatch(message);
    }
    expect(journalRows()).toBe(before);
    expect(
      s.ctx.db.records
        .prepare("SELECT count(*) FROM audit WHERE target IS NOT NULL AND action = 'attempts.grant'")
        .pluck()
        .get(),
    ).toBe(2);
  });
});
