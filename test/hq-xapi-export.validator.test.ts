/**
 * `hq export --xapi` writes statements a Learning Record Store accepts: every line of the export, made
 * from real bundles of a real box (native lessons, reading progress, quizzes passed and failed, ratings
 * with comments, a SCORM 1.2 SCO and a SCORM 2004 SCO run through the runtime), passes Learning
 * Locker's xAPI statement validator (npm `xapi-validation`, the LRS's own conformance-tested rules).
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importContent } from '../src/content/course-bundle.js';
import { VERBS } from '../src/contract/vocabulary.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { runCli } from './helpers/cli.js';
import { testContext } from './helpers/context.js';
import { scormLaunch } from './helpers/scorm.js';
import { testHq } from './hq.fixtures.js';

/** The validator is CommonJS (`exports.default`): load it as such. */
const validate = (
  createRequire(import.meta.url)('xapi-validation') as {
    default: (statement: unknown) => { path: string[]; message: string; constructor: { name: string } }[];
  }
).default;

const COURSE = join(import.meta.dirname, 'fixtures/courses/fixture-course');
const RIGHT = { q1: ['b'], q2: ['a', 'c'], q3: ['false'], q4: ['112'] };
const WRONG = { q1: ['a'], q2: ['b'], q3: ['true'], q4: ['999'] };

describe('hq export --xapi against a third-party xAPI validator', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fc-xapi-'));
  let lines: string[] = [];

  beforeAll(async () => {
    const ctx = testContext();
    try {
      ctx.content.installFolder(COURSE);
      for (const [fixture, id] of [
        ['scorm12-single', 'radio'],
        ['scorm2004-multi', 'multi'],
      ] as const)
        await importContent(
          ctx.content,
          zipFolder(join(SCORM_FIXTURES, fixture), join(tmp, `${id}.zip`)),
          { trustedKeys: [], allowUnsigned: true },
          { id },
        );
      const L = ctx.learning;
      const c = 'fixture-course';
      const awa = await ctx.people.addTrainee({
        username: 'awa',
        pin: '2468',
        displayName: 'Awa Diallo',
        externalId: 'POL-0042',
      });
      const ben = await ctx.people.addTrainee({ username: 'ben', pin: '2468', displayName: 'بن علي' });
      await L.openLesson(awa, c, 'intro', 'en');
      await L.saveProgress(awa, c, 'intro', 'en', 60);
      await L.completeLesson(awa, c, 'intro', 'en');
      await L.completeLesson(awa, c, 'video', 'fr');
      await L.submitQuiz(awa, c, 'final-quiz', 'en', WRONG);
      await L.submitQuiz(awa, c, 'final-quiz', 'en', RIGHT);
      await L.rateCourse(awa, c, 5, 'Très utile, merci « vraiment ».');
      await L.completeLesson(ben, c, 'intro', 'fr');
      await L.completeLesson(ben, c, 'video', 'fr');
      await L.submitQuiz(ben, c, 'final-quiz', 'fr', WRONG);
      await L.rateCourse(ben, c, 2, '');
      ctx.grants.grant({ username: 'ben', courseId: c, quizId: 'final-quiz', add: 1, by: null });

      const r = await scormLaunch(ctx.scorm, awa, 'radio', 'radio-sco');
      await r.commit(
        {
          'cmi.core.lesson_status': 'completed',
          'cmi.core.score.raw': '70',
          'cmi.core.session_time': '00:02:05',
          'cmi.core.exit': '',
        },
        { terminate: true, exitSet: true },
      );
      const info = ctx.content.scormInfo('multi') as { activities: Record<string, unknown> };
      const sco = Object.keys(info.activities)[0]!;
      const m = await scormLaunch(ctx.scorm, ben, 'multi', sco);
      await m.commit(
        {
          'cmi.completion_status': 'completed',
          'cmi.success_status': 'passed',
          'cmi.score.scaled': '0.9',
          'cmi.progress_measure': '1',
          'cmi.session_time': 'PT3M',
          'cmi.exit': 'normal',
        },
        { terminate: true, exitSet: true },
      );

      const hq = testHq();
      const data = hq.dir;
      try {
        hq.appliances.enrol(ctx.identity.request());
        for (const w of await ctx.bundles.exporter.export({ outDir: join(tmp, 'stick') }))
          expect((await hq.imports.importFile(w.path)).status).toBe('imported');
      } finally {
        hq.close();
      }
      const out = join(tmp, 'statements.ndjson');
      const res = await runCli('hq', 'export', '--xapi', '-o', out, '--data', data);
      expect(res.code, res.err.join('')).toBe(0);
      lines = readFileSync(out, 'utf8').trim().split('\n');
      rmSync(data, { recursive: true, force: true });
    } finally {
      ctx.cleanup();
    }
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('exports statements of every kind the box writes', () => {
    const verbs = new Set(lines.map((l) => (JSON.parse(l) as { verb: { id: string } }).verb.id));
    for (const v of [
      'launched',
      'experienced',
      'progressed',
      'completed',
      'answered',
      'passed',
      'failed',
      'rated',
    ] as const)
      expect(verbs, v).toContain(VERBS[v]);
    expect(verbs).toContain(VERBS.initialized);
    expect(verbs).toContain(VERBS.terminated);
  });

  it('every exported statement passes the validator', () => {
    expect(lines.length).toBeGreaterThan(20);
    const problems = lines.flatMap((l, i) =>
      validate(JSON.parse(l)).map(
        (w) => `line ${i + 1} ${w.path.join('.')}: ${w.constructor.name} ${w.message}`,
      ),
    );
    expect(problems).toEqual([]);
  });

  it('the validator is not lenient: a statement it must refuse is refused', () => {
    const s = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(validate({ ...s, verb: { id: 'not an iri', display: { en: 'x' } } })).not.toEqual([]);
    expect(validate({ ...s, actor: { objectType: 'Agent' } })).not.toEqual([]);
    expect(validate({ ...s, timestamp: 'yesterday' })).not.toEqual([]);
  });
});
