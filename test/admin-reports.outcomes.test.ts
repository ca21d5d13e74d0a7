/**
 * The coordinator's course report is computed by the outcomes module (src/contract/outcomes.ts), like
 * HQ's: a quiz submitted and failed is done (and fails the course), a SCO completed and failed is
 * completed and failed; the box's figures equal HQ's for the same box once its bundle is imported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importContent } from '../src/content/course-bundle.js';
import type { CourseReport } from '../src/admin/reports.service.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { scormLaunch } from './helpers/scorm.js';
import { testContext } from './helpers/context.js';
import { testHq } from './hq.fixtures.js';

const COURSE = join(import.meta.dirname, 'fixtures/courses/fixture-course');
const RIGHT = { q1: ['b'], q2: ['a', 'c'], q3: ['false'], q4: ['112'] };
const WRONG = { q1: ['a'], q2: ['b'], q3: ['true'], q4: ['999'] };
const HALF = { q1: ['b'], q2: ['a', 'c'], q3: ['true'], q4: ['999'] };

describe('the coordinator course report, by the outcomes module', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fc-areport-'));
  let ctx: ReturnType<typeof testContext>;
  let hq: ReturnType<typeof testHq>;
  let native: CourseReport;
  let scorm: CourseReport;

  beforeAll(async () => {
    ctx = testContext();
    ctx.content.installFolder(COURSE);
    await importContent(
      ctx.content,
      zipFolder(join(SCORM_FIXTURES, 'scorm12-single'), join(tmp, 's.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'radio' },
    );
    const L = ctx.learning;
    const c = 'fixture-course';
    const awa = await ctx.people.addTrainee({ username: 'awa', pin: '2468' });
    const bintou = await ctx.people.addTrainee({ username: 'bintou', pin: '2468' });
    const chidi = await ctx.people.addTrainee({ username: 'chidi', pin: '2468' });
    const dede = await ctx.people.addTrainee({ username: 'dede', pin: '2468' });
    ctx.cohorts.enrolTrainee(dede.id, c);
    ctx.cohorts.enrolTrainee(awa.id, c);
    // awa: both lessons, the quiz submitted and failed (half right: 50% < 70%).
    await L.completeLesson(awa, c, 'intro', 'en');
    await L.completeLesson(awa, c, 'video', 'en');
    expect((await L.submitQuiz(awa, c, 'final-quiz', 'en', HALF)).passed).toBe(false);
    await L.rateCourse(awa, c, 3, '');
    // bintou: only the quiz, passed at once (not completed: a course is rated once completed).
    expect((await L.submitQuiz(bintou, c, 'final-quiz', 'en', RIGHT)).passed).toBe(true);
    // chidi: both lessons, fails, then passes on a retake.
    await L.completeLesson(chidi, c, 'intro', 'en');
    await L.completeLesson(chidi, c, 'video', 'en');
    await L.submitQuiz(chidi, c, 'final-quiz', 'en', WRONG);
    await L.submitQuiz(chidi, c, 'final-quiz', 'en', RIGHT);
    await L.rateCourse(chidi, c, 4, '');

    // SCORM 1.2, mastery score 80: awa completes at 70 (completed and failed), bintou at 85.
    for (const [who, raw] of [
      [awa, '70'],
      [bintou, '85'],
    ] as const) {
      const l = await scormLaunch(ctx.scorm, who, 'radio', 'radio-sco');
      await l.commit(
        { 'cmi.core.lesson_status': 'completed', 'cmi.core.score.raw': raw, 'cmi.core.exit': '' },
        { terminate: true, exitSet: true },
      );
    }
    native = ctx.adminReports.courseReport(c, 'en', 'name');
    scorm = ctx.adminReports.courseReport('radio', 'en', 'name');

    // Names on: HQ's trainee report then carries each trainee's own rating, compared with the box's.
    hq = testHq({ config: { reports: { showRatingNames: true } } });
    hq.appliances.enrol(ctx.identity.request());
    for (const w of await ctx.bundles.exporter.export({ outDir: join(tmp, 'stick') }))
      expect((await hq.imports.importFile(w.path)).status).toBe('imported');
  });
  afterAll(() => {
    hq?.cleanup();
    ctx?.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('counts a submitted-but-failed quiz as done and the course as failed', () => {
    const line = (u: string) => native.lines.find((l) => l.username === u)!;
    expect(native.activities).toBe(3);
    expect(line('awa')).toMatchObject({
      started: true,
      done: 3,
      completed: true,
      percent: 100,
      result: 'failed',
      score: 0.5,
      attempts: 1,
      rating: 3,
    });
    expect(line('bintou')).toMatchObject({ done: 1, completed: false, result: 'passed', score: 1 });
    expect(line('chidi')).toMatchObject({ result: 'passed', attempts: 2, score: 1, completed: true });
    expect(line('dede')).toMatchObject({ started: false, enrolled: true, result: '', percent: 0 });
    expect(native.figures).toEqual({
      enrolled: 2,
      started: 3,
      completed: 2,
      passed: 2,
      failed: 1,
      passRate: 2 / 3,
      ratings: 2,
      ratingAverage: 3.5,
      ratingGood: 1,
      ratingGoodShare: 0.5,
    });
    const quiz = native.perActivity.find((a) => a.activityId === 'final-quiz')!;
    expect(quiz).toMatchObject({ started: 3, done: 3, passed: 2, failed: 1 });
  });

  it('counts a completed-and-failed SCO as completed and failed', () => {
    const awa = scorm.lines.find((l) => l.username === 'awa')!;
    expect(awa).toMatchObject({ completed: true, result: 'failed', score: 0.7, done: 1 });
    expect(scorm.lines.find((l) => l.username === 'bintou')).toMatchObject({
      completed: true,
      result: 'passed',
    });
    expect(scorm.figures).toMatchObject({ started: 2, completed: 2, passed: 1, failed: 1, passRate: 0.5 });
  });

  it("gives the same figures as HQ's for this box, course by course and trainee by trainee", () => {
    const name = ctx.identity.request().name;
    for (const report of [native, scorm]) {
      const f = report.figures;
      const row = hq.reports
        .courses()
        .find((r) => r.course === report.course.id && r.breakdown === 'appliance' && r.group === name)!;
      const round = (x: number | null, d: number) => (x === null ? null : Math.round(x * d) / d);
      expect(row).toMatchObject({
        enrolled: f.enrolled,
        started: f.started,
        completed: f.completed,
        passed: f.passed,
        failed: f.failed,
        passRate: round(f.passRate, 1000),
        ratings: f.ratings,
        ratingAverage: round(f.ratingAverage, 100),
        ratingGoodShare: round(f.ratingGoodShare, 1000),
      });
      const trainees = hq.reports.trainees().filter((t) => t.course === report.course.id);
      for (const l of report.lines) {
        const t = trainees.find((x) => x.username === l.username);
        if (!l.started && !l.enrolled) continue;
        expect(t, l.username).toBeDefined();
        expect({
          started: t!.started,
          completed: t!.completed,
          result: t!.result,
          score: t!.score,
          attempts: t!.attempts,
          done: t!.activitiesDone,
          rating: t!.rating,
        }).toEqual({
          started: l.started,
          completed: l.completed,
          result: l.result,
          score: l.score,
          attempts: l.attempts,
          done: l.done,
          rating: l.rating,
        });
      }
    }
  });
});
