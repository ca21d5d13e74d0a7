import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Person } from '../src/people/people.types.js';
import { registrationFor } from '../src/learning/learning.service.js';
import { EXT, VERBS, type XapiStatement } from '../src/contract/vocabulary.js';
import { testContext } from './helpers/context.js';

/** A small native course written to disk and installed through the real content store. */
function writeFixtureCourse(root: string, extra: { id?: string; showCorrectAnswers?: string } = {}): string {
  const dir = join(root, extra.id ?? 'fixture-course');
  mkdirSync(join(dir, 'lessons'), { recursive: true });
  mkdirSync(join(dir, 'quizzes'), { recursive: true });
  const t = (en: string) => ({ en, fr: `${en} (fr)` });
  writeFileSync(
    join(dir, 'course.json'),
    JSON.stringify({
      id: 'fixture-course',
      version: '1.0.0',
      language: 'en',
      languages: ['en', 'fr'],
      title: t('Fixture course'),
      description: t('A course for tests'),
      ...extra,
      modules: [
        {
          id: 'm1',
          title: t('Module one'),
          items: [
            { id: 'l1', type: 'lesson', title: t('Lesson one'), file: 'lessons/l1' },
            { id: 'l2', type: 'lesson', title: t('Lesson two'), file: 'lessons/l2' },
            { id: 'quiz', type: 'quiz', title: t('The quiz'), file: 'quizzes/quiz' },
          ],
        },
      ],
    }),
  );
  for (const l of ['l1', 'l2'])
    for (const lang of ['en', 'fr'])
      writeFileSync(join(dir, 'lessons', `${l}.${lang}.md`), `# ${l}\n\nText ${lang}.\n`);
  for (const lang of ['en', 'fr'])
    writeFileSync(
      join(dir, 'quizzes', `quiz.${lang}.json`),
      JSON.stringify({
        passMark: 0.75,
        attemptsAllowed: 3,
        questions: [
          {
            id: 'q1',
            type: 'single',
            prompt: 'Pick b',
            options: [
              { id: 'a', text: 'A' },
              { id: 'b', text: 'B' },
            ],
            answer: 'b',
            feedback: { correct: `right ${lang}`, incorrect: `wrong ${lang}` },
          },
          {
            id: 'q2',
            type: 'multiple',
            prompt: 'Pick a and c',
            options: [
              { id: 'a', text: 'A' },
              { id: 'b', text: 'B' },
              { id: 'c', text: 'C' },
            ],
            answer: ['a', 'c'],
          },
          { id: 'q3', type: 'truefalse', prompt: 'False?', answer: false },
          { id: 'q4', type: 'short', prompt: 'Say tape', accepted: ['Tape'] },
        ],
      }),
    );
  return dir;
}

const ALL_RIGHT = { q1: ['b'], q2: ['a', 'c'], q3: ['false'], q4: [' TAPE '] };
const HALF = { q1: ['b'], q2: ['a'], q3: ['true'], q4: ['tape'] };
const THREE = { q1: ['b'], q2: ['a', 'c'], q3: ['false'], q4: ['glue'] };

let ctx: ReturnType<typeof testContext>;
let awa: Person;
const course = () => ctx.content.getCourse('fixture-course', 'en')!;

function statements(personId: string): { seq: number; s: XapiStatement }[] {
  return (
    ctx.db.records.prepare(`SELECT seq, body FROM journal WHERE kind = 'statement' ORDER BY seq`).all() as {
      seq: number;
      body: string;
    }[]
  )
    .map((r) => ({ seq: r.seq, s: JSON.parse(r.body) as XapiStatement }))
    .filter((r) => r.s.actor.account.name === personId);
}
const verbs = (personId: string) =>
  statements(personId).map(
    ({ s }) => `${s.verb.display['en-US']} ${String(s.context.extensions?.[EXT.activityId])}`,
  );

function derived() {
  const db = ctx.db.records;
  return {
    progress: db.prepare('SELECT * FROM progress ORDER BY person_id, course_id, activity_id').all(),
    attempts: db
      .prepare('SELECT * FROM attempts ORDER BY person_id, course_id, activity_id, attempt_no')
      .all(),
    ratings: db.prepare('SELECT * FROM ratings ORDER BY person_id, course_id').all(),
  };
}

beforeEach(async () => {
  ctx = testContext();
  const r = ctx.content.installFolder(writeFixtureCourse(ctx.dir), { source: 'test' });
  expect(r.status).toBe('installed');
  awa = await ctx.people.addTrainee({ username: 'awa', pin: '4821', displayName: 'Awa Diallo' });
});
afterEach(() => ctx.cleanup());

describe('LearningService on a real records.db', () => {
  it('opening a lesson records launched (first touch only) and experienced, and marks it started', async () => {
    await ctx.learning.openLesson(awa, 'fixture-course', 'l1', 'fr');
    await ctx.learning.openLesson(awa, 'fixture-course', 'l2', 'en');
    await ctx.learning.openLesson(awa, 'fixture-course', 'l1', 'en');
    expect(verbs(awa.id)).toEqual(['launched ', 'experienced l1', 'experienced l2', 'experienced l1']);
    const [launched, first] = statements(awa.id).map((x) => x.s);
    expect(launched!.verb.id).toBe(VERBS.launched);
    expect(first!.object.id).toBe('urn:fieldclass:course:fixture-course/l1');
    expect(first!.object.definition?.name).toEqual({ fr: 'Lesson one (fr)' });
    expect(first!.context.language).toBe('fr');
    expect(first!.context.registration).toBe(registrationFor(awa.id, 'fixture-course'));
    expect(first!.context.registration).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(registrationFor(awa.id, 'other')).not.toBe(first!.context.registration);
    const p = ctx.learning.courseProgress(awa.id, course());
    expect(p.activities['l1']).toMatchObject({ status: 'started', attempts: 0, bestScore: null });
    expect(p.activities['quiz']!.status).toBe('not_started');
    expect(p).toMatchObject({ percent: 0, completed: false, next: { activityId: 'l1', type: 'lesson' } });
    expect(ctx.learning.continueWhereLeft(awa.id, 'en')).toEqual({
      courseId: 'fixture-course',
      activityId: 'l1',
      type: 'lesson',
      title: 'Lesson one',
      courseTitle: 'Fixture course',
    });
  });

  it('a write is durable when the promise resolves, with statements and progress in the same commit', async () => {
    const commits = ctx.records.committer.commits;
    await Promise.all([
      ctx.learning.openLesson(awa, 'fixture-course', 'l1', 'en'),
      ctx.learning.completeLesson(awa, 'fixture-course', 'l1', 'en'),
    ]);
    expect(ctx.records.committer.commits - commits).toBe(1);
    const row = ctx.db.records
      .prepare(`SELECT status, last_seq FROM progress WHERE person_id = ? AND activity_id = 'l1'`)
      .get(awa.id) as { status: string; last_seq: number };
    expect(row.status).toBe('completed');
    expect(row.last_seq).toBe(ctx.records.lastSeq());
  });

  it('refuses unknown courses and activities and activities of the wrong type, storing nothing', async () => {
    const before = ctx.records.lastSeq();
    await expect(ctx.learning.openLesson(awa, 'nope', 'l1', 'en')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(ctx.learning.openLesson(awa, 'fixture-course', 'quiz', 'en')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(ctx.learning.submitQuiz(awa, 'fixture-course', 'l1', 'en', {})).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', { q9: ['a'] })).rejects.toThrow(
      /q9/,
    );
    await expect(ctx.learning.rateCourse(awa, 'fixture-course', 6, '')).rejects.toThrow(/rating/);
    await expect(ctx.learning.rateCourse(awa, 'fixture-course', 2.5, '')).rejects.toThrow(/rating/);
    expect(ctx.records.lastSeq()).toBe(before);
    expect(derived().progress).toEqual([]);
  });

  it('a quiz records answered per question then passed/failed, with scores, attempts and feedback', async () => {
    const r1 = await ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'fr', HALF);
    expect(r1).toMatchObject({
      attemptNo: 1,
      score: 0.5,
      passed: false,
      attemptsLeft: 2,
      courseCompleted: false,
    });
    // Not passed and attempts left: the review shows what was given, not the right answers.
    expect(r1).toMatchObject({ correctCount: 2, total: 4, answersShown: false });
    expect(r1.questions).toEqual([
      { id: 'q1', correct: true, feedback: 'right fr', given: ['b'], expected: null },
      { id: 'q2', correct: false, feedback: '', given: ['a'], expected: null },
      { id: 'q3', correct: false, feedback: '', given: ['true'], expected: null },
      { id: 'q4', correct: true, feedback: '', given: ['tape'], expected: null },
    ]);
    expect(verbs(awa.id)).toEqual([
      'launched ',
      'answered quiz/q1',
      'answered quiz/q2',
      'answered quiz/q3',
      'answered quiz/q4',
      'failed quiz',
    ]);
    const st = statements(awa.id).map((x) => x.s);
    expect(st[2]!.result).toMatchObject({ success: false, response: 'a' });
    expect(st[2]!.context.extensions?.[EXT.attempt]).toBe(1);
    expect(st[5]!.result).toEqual({
      score: { scaled: 0.5, raw: 2, min: 0, max: 4 },
      success: false,
      completion: true,
      extensions: { [EXT.answers]: { q1: ['b'], q2: ['a'], q3: ['true'], q4: ['tape'] } },
    });
    const r2 = await ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', ALL_RIGHT);
    expect(r2).toMatchObject({ attemptNo: 2, score: 1, passed: true, attemptsLeft: 1, answersShown: true });
    expect(statements(awa.id).at(-1)!.s.verb.id).toBe(VERBS.passed);
    // A worse third attempt keeps the best score and the passed status.
    const r3 = await ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', HALF);
    expect(r3).toMatchObject({ attemptNo: 3, passed: false, attemptsLeft: 0 });
    expect(ctx.learning.quizStatus(awa.id, 'fixture-course', 'quiz')).toEqual({
      attemptsUsed: 3,
      attemptsLeft: 0,
      bestScore: 1,
      passed: true,
    });
    expect(ctx.learning.courseProgress(awa.id, course()).activities['quiz']).toMatchObject({
      status: 'passed',
      bestScore: 1,
      attempts: 3,
    });
    const last = ctx.learning.lastQuizResult(awa.id, 'fixture-course', 'quiz', 'fr')!;
    expect(last).toMatchObject({ attemptNo: 3, score: 0.5, passed: false, attemptsLeft: 0 });
    // Passed once (and no attempt left): the review of a later failed attempt shows the right answers.
    expect(last).toMatchObject({ correctCount: 2, total: 4, answersShown: true });
    expect(last.questions[0]).toEqual({
      id: 'q1',
      correct: true,
      feedback: 'right fr',
      given: ['b'],
      expected: ['b'],
    });
    expect(last.questions.map((q) => q.expected)).toEqual([['b'], ['a', 'c'], ['false'], ['Tape']]);
    const attempt = ctx.db.records
      .prepare(`SELECT state, score, status FROM attempts WHERE person_id = ? AND attempt_no = 2`)
      .get(awa.id) as { state: string; score: number; status: string };
    expect(JSON.parse(attempt.state)).toEqual({ q1: ['b'], q2: ['a', 'c'], q3: ['false'], q4: [' TAPE '] });
    expect(attempt).toMatchObject({ score: 1, status: 'passed' });
  });

  it('a course with showCorrectAnswers "always" shows the right answers after a failed attempt', async () => {
    const dir = writeFixtureCourse(join(ctx.dir, 'src'), { id: 'open-course', showCorrectAnswers: 'always' });
    ctx.content.installFolder(dir, { source: 'test' });
    const r = await ctx.learning.submitQuiz(awa, 'open-course', 'quiz', 'en', HALF);
    expect(r).toMatchObject({ passed: false, attemptsLeft: 2, answersShown: true });
    expect(r.questions[1]).toMatchObject({ given: ['a'], expected: ['a', 'c'] });
  });

  it('refuses a quiz beyond the attempts allowed, even when submissions race', async () => {
    await ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', HALF);
    const racing = await Promise.allSettled([
      ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', HALF),
      ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', HALF),
      ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', ALL_RIGHT),
    ]);
    expect(racing.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((racing[2] as PromiseRejectedResult).reason).toMatchObject({
      code: 'no_attempts_left',
      status: 409,
    });
    const seq = ctx.records.lastSeq();
    await expect(
      ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', ALL_RIGHT),
    ).rejects.toMatchObject({
      code: 'no_attempts_left',
    });
    expect(ctx.records.lastSeq()).toBe(seq);
    const max = ctx.db.records.prepare('SELECT max(seq) AS m, count(*) AS n FROM journal').get() as {
      m: number;
      n: number;
    };
    expect(max.m).toBe(max.n);
    expect(ctx.learning.quizStatus(awa.id, 'fixture-course', 'quiz')).toMatchObject({
      attemptsUsed: 3,
      passed: false,
    });
  });

  it('completes the course once, when the last activity is done, and reports it', async () => {
    expect(await ctx.learning.completeLesson(awa, 'fixture-course', 'l1', 'en')).toEqual({
      courseCompleted: false,
    });
    const q = await ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', THREE);
    expect(q).toMatchObject({ passed: true, score: 0.75, courseCompleted: false });
    expect(ctx.learning.continueWhereLeft(awa.id, 'en')).toMatchObject({ activityId: 'l2' });
    expect(ctx.learning.progressSummary(awa.id)['fixture-course']).toMatchObject({
      percent: 67,
      completed: false,
    });
    expect(await ctx.learning.completeLesson(awa, 'fixture-course', 'l2', 'en')).toEqual({
      courseCompleted: true,
    });
    // Doing things again never completes the course a second time.
    expect(await ctx.learning.completeLesson(awa, 'fixture-course', 'l2', 'en')).toEqual({
      courseCompleted: false,
    });
    const q2 = await ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', ALL_RIGHT);
    expect(q2.courseCompleted).toBe(false);
    const courseCompletions = statements(awa.id).filter(
      ({ s }) => s.verb.id === VERBS.completed && s.context.extensions?.[EXT.activityId] === '',
    );
    expect(courseCompletions).toHaveLength(1);
    expect(courseCompletions[0]!.s.object).toMatchObject({ id: 'urn:fieldclass:course:fixture-course' });
    const p = ctx.learning.courseProgress(awa.id, course());
    expect(p).toMatchObject({ percent: 100, completed: true, next: null });
    expect(ctx.learning.progressSummary(awa.id)['fixture-course']).toMatchObject({
      percent: 100,
      completed: true,
    });
    expect(ctx.learning.continueWhereLeft(awa.id, 'en')).toBeNull();
    expect(ctx.learning.lastQuizResult(awa.id, 'fixture-course', 'quiz', 'en')!.courseCompleted).toBe(true);
  });

  it('records ratings as rated statements and keeps the latest, once the course is completed', async () => {
    const rater = await ctx.people.addTrainee({ username: 'rater', pin: '1234' });
    expect(ctx.learning.getRating(rater.id, 'fixture-course')).toBeNull();
    const seq = ctx.records.lastSeq();
    await expect(ctx.learning.rateCourse(rater, 'fixture-course', 4, 'Too early')).rejects.toMatchObject({
      code: 'not_completed',
      status: 409,
    });
    expect(ctx.records.lastSeq()).toBe(seq);
    await ctx.learning.completeLesson(rater, 'fixture-course', 'l1', 'en');
    await ctx.learning.completeLesson(rater, 'fixture-course', 'l2', 'en');
    await ctx.learning.submitQuiz(rater, 'fixture-course', 'quiz', 'en', HALF);
    await ctx.learning.rateCourse(rater, 'fixture-course', 4, '  Useful  ');
    await ctx.learning.rateCourse(rater, 'fixture-course', 5, 'Even better the second time');
    expect(ctx.learning.getRating(rater.id, 'fixture-course')).toEqual({
      rating: 5,
      comment: 'Even better the second time',
    });
    const rated = statements(rater.id).filter(({ s }) => s.verb.id === VERBS.rated);
    expect(rated.map(({ s }) => s.result)).toEqual([
      { score: { raw: 4, min: 1, max: 5 }, response: 'Useful' },
      { score: { raw: 5, min: 1, max: 5 }, response: 'Even better the second time' },
    ]);
    expect(rated[0]!.s.object.id).toBe('urn:fieldclass:course:fixture-course');
  });

  it('derived state rebuilt from the journal in any order equals what the actions wrote', async () => {
    const ben = await ctx.people.addTrainee({ username: 'ben', pin: '1234' });
    await ctx.learning.openLesson(awa, 'fixture-course', 'l1', 'en');
    await ctx.learning.submitQuiz(ben, 'fixture-course', 'quiz', 'en', ALL_RIGHT);
    await ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', HALF);
    await ctx.learning.completeLesson(awa, 'fixture-course', 'l1', 'en');
    await ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', THREE);
    await ctx.learning.openLesson(ben, 'fixture-course', 'l2', 'en');
    await ctx.learning.completeLesson(awa, 'fixture-course', 'l2', 'en');
    await ctx.learning.openLesson(awa, 'fixture-course', 'l1', 'en');
    await ctx.learning.rateCourse(awa, 'fixture-course', 3, 'ok');
    await ctx.learning.rateCourse(awa, 'fixture-course', 5, 'great');
    await ctx.learning.submitQuiz(awa, 'fixture-course', 'quiz', 'en', HALF);
    const live = derived();
    expect(live.progress.length).toBeGreaterThan(5);

    ctx.learning.rebuildDerived();
    expect(derived()).toEqual(live);
    ctx.learning.rebuildDerived((rows) => [...rows].reverse());
    expect(derived()).toEqual(live);
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 5; i++) {
      ctx.learning.rebuildDerived((rows) =>
        rows
          .map((r) => ({ r, k: rand() }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.r),
      );
      expect(derived()).toEqual(live);
    }
    expect(ctx.learning.getRating(awa.id, 'fixture-course')).toEqual({ rating: 5, comment: 'great' });
    expect(ctx.learning.continueWhereLeft(awa.id, 'en')).toBeNull();
  });
});
