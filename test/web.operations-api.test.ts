/**
 * The trainee site's one JSON endpoint (POST /api/operations), as the phone's queue sends to it: each
 * operation applied once under its opId, statements stamped with when the trainee acted, refusals clear
 * (in the trainee's language) with nothing written. Real server, real SQLite.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { testServer } from './helpers/context.js';
import { Browserless } from './helpers/http.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
const COURSE = 'fixture-course';
const WRONG = { q1: ['a'], q2: ['b'], q3: ['true'], q4: ['17'] };

/** The endpoint's answer: `{ opId, result }`, or `{ error: { code, message, text } }`. */
const answer = async (r: Response) =>
  (await r.json()) as { opId?: string; result?: Record<string, unknown>; error?: Record<string, unknown> };

describe('POST /api/operations (real server, real SQLite)', () => {
  let s: Awaited<ReturnType<typeof testServer>>;
  let n = 0;
  beforeAll(async () => {
    s = await testServer();
    s.ctx.content.installFolder(FIXTURE);
  });
  afterAll(async () => s.cleanup());

  /** A signed-in trainee, with the CSRF token of a trainee page, as the page script has it. */
  async function trainee(language?: 'fr') {
    const username = `ops${++n}`;
    const p = await s.ctx.people.addTrainee({ username, pin: '1234', ...(language ? { language } : {}) });
    const b = new Browserless(s.url);
    expect((await b.submit('/', '/signin', { username, pin: '1234' })).status).toBe(303);
    const csrf = Browserless.csrfOf((await b.page(`/courses/${COURSE}`)).html);
    const op = (o: Record<string, unknown>, headers: Record<string, string> = {}) =>
      b.postJson('/api/operations', { opId: randomUUID(), ...o }, csrf, headers);
    return { b, id: p.id, csrf, op };
  }

  const journalRows = () => s.ctx.db.records.prepare('SELECT count(*) FROM journal').pluck().get() as number;
  const statements = (personId: string, verb: string) =>
    s.ctx.db.records
      .prepare(
        `SELECT json_extract(body, '$.timestamp') AS timestamp, recorded_at AS created_at FROM journal
          WHERE kind = 'statement' AND json_extract(body, '$.actor.account.name') = ?
            AND json_extract(body, '$.verb.id') LIKE '%/' || ? ORDER BY seq`,
      )
      .all(personId, verb) as { timestamp: string; created_at: string }[];
  const attempts = (personId: string) =>
    s.ctx.db.records
      .prepare("SELECT count(*) FROM attempts WHERE person_id = ? AND kind = 'quiz'")
      .pluck()
      .get(personId);

  it('reading progress: a progressed statement and the lesson position, once per opId', async () => {
    const t = await trainee();
    const body = {
      opId: randomUUID(),
      action: 'lesson.progress',
      target: { courseId: COURSE, activityId: 'intro' },
      body: { progress: 60 },
    };
    const [a, b2] = await Promise.all([t.op(body), t.op(body)]);
    expect([a.status, b2.status]).toEqual([200, 200]);
    expect(await answer(a)).toEqual({ opId: body.opId, result: {} });
    expect(statements(t.id, 'progressed')).toHaveLength(1);
    const row = s.ctx.db.records
      .prepare(`SELECT status, position FROM progress WHERE person_id = ? AND activity_id = 'intro'`)
      .get(t.id);
    expect(row).toEqual({ status: 'started', position: '60' });
  });

  it('each statement keeps when the trainee acted; the journal keeps the box time; no time from the future', async () => {
    const t = await trainee();
    const actedAt = new Date(Date.now() - 3 * 3600_000).toISOString();
    const r = await t.op({
      action: 'lesson.complete',
      target: { courseId: COURSE, activityId: 'intro' },
      actedAt,
    });
    expect(r.status).toBe(200);
    // "Mark as done and continue": where the form would go, and the next lesson opened in the same write.
    expect((await answer(r)).result).toEqual({
      courseCompleted: false,
      url: `/courses/${COURSE}/lessons/video`,
    });
    const done = statements(t.id, 'completed');
    expect(done.map((x) => x.timestamp)).toEqual([actedAt]);
    expect(Date.parse(done[0]!.created_at)).toBeGreaterThan(Date.parse(actedAt) + 3 * 3600_000 - 60_000);
    expect(statements(t.id, 'experienced').map((x) => x.timestamp)).toEqual([actedAt]);
    // A phone whose clock runs ahead of the box is not believed: the box's time is used.
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect(
      (
        await t.op({
          action: 'lesson.progress',
          target: { courseId: COURSE, activityId: 'video' },
          body: { progress: 10 },
          actedAt: future,
        })
      ).status,
    ).toBe(200);
    const p = statements(t.id, 'progressed')[0]!;
    expect(p.timestamp < future).toBe(true);
  });

  it('a quiz sent twice (a resend from the queue) is one attempt and the same grade', async () => {
    const t = await trainee();
    const q = {
      opId: randomUUID(),
      action: 'quiz.submit',
      target: { courseId: COURSE, activityId: 'final-quiz' },
      body: { courseVersion: '1.0.0', answers: WRONG },
      actedAt: new Date().toISOString(),
    };
    const first = await t.op(q);
    expect(first.status).toBe(200);
    const graded = (await answer(first)).result;
    expect(graded).toMatchObject({
      passed: false,
      attemptsLeft: 2,
      url: `/courses/${COURSE}/quizzes/final-quiz/result`,
    });
    const rows = journalRows();
    const again = await t.op(q);
    expect((await answer(again)).result).toEqual(graded);
    expect(attempts(t.id)).toBe(1);
    expect(journalRows()).toBe(rows);
  });

  it('refusals are clear, in the trainee’s language, and write nothing', async () => {
    const t = await trainee('fr');
    const rows = journalRows();
    const progress = {
      action: 'lesson.progress',
      target: { courseId: COURSE, activityId: 'intro' },
      body: { progress: 5 },
    };
    // Session, origin and CSRF as every write.
    expect((await t.op(progress, { 'x-csrf-token': 'nope' })).status).toBe(403);
    expect((await t.op(progress, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await t.op(progress, { cookie: '' })).status).toBe(403);
    // Input read by validate(): bad values, unknown actions, malformed ids and times.
    expect((await t.op({ ...progress, body: { progress: 101 } })).status).toBe(400);
    expect((await t.op({ ...progress, action: 'lesson.delete' })).status).toBe(400);
    const badId = await t.op({ ...progress, opId: 'not-a-uuid' });
    expect(badId.status).toBe(400);
    expect((await answer(badId)).error).toMatchObject({ code: 'operation_id_invalid' });
    expect((await t.op({ ...progress, actedAt: 'yesterday' })).status).toBe(400);
    // Things that do not exist.
    expect((await t.op({ ...progress, target: { courseId: COURSE, activityId: 'final-quiz' } })).status).toBe(
      404,
    );
    expect((await t.op({ ...progress, target: { courseId: 'nope', activityId: 'intro' } })).status).toBe(404);
    // Rating a course not completed yet.
    const rate = await t.op({ action: 'course.rate', target: { courseId: COURSE }, body: { rating: 5 } });
    expect(rate.status).toBe(409);
    expect((await answer(rate)).error).toMatchObject({
      code: 'not_completed',
      text: 'Vous pourrez évaluer le cours une fois celui-ci terminé.',
    });
    // Answers to a version of the course replaced since.
    const old = await t.op({
      action: 'quiz.submit',
      target: { courseId: COURSE, activityId: 'final-quiz' },
      body: { courseVersion: '0.9.0', answers: WRONG },
    });
    expect(old.status).toBe(409);
    expect((await answer(old)).error).toMatchObject({
      code: 'course_replaced',
      text: 'Le cours a été mis à jour depuis ces réponses\u00a0: reprenez le quiz.',
    });
    expect(journalRows()).toBe(rows);
    // An opId already used for another action or target.
    const opId = randomUUID();
    expect((await t.op({ ...progress, opId })).status).toBe(200);
    const after = journalRows();
    const reused = await t.op({ ...progress, opId, target: { courseId: COURSE, activityId: 'video' } });
    expect(reused.status).toBe(409);
    expect((await answer(reused)).error).toMatchObject({ code: 'operation_conflict' });
    expect(journalRows()).toBe(after);
  });

  it('the attempt limit reached before the answers arrived: 409 no_attempts_left, nothing written', async () => {
    const t = await trainee();
    const quiz = { action: 'quiz.submit', target: { courseId: COURSE, activityId: 'final-quiz' } };
    for (let i = 0; i < 3; i++) expect((await t.op({ ...quiz, body: { answers: WRONG } })).status).toBe(200);
    const rows = journalRows();
    const late = await t.op({ ...quiz, body: { answers: WRONG } });
    expect(late.status).toBe(409);
    expect((await answer(late)).error).toMatchObject({ code: 'no_attempts_left' });
    expect(journalRows()).toBe(rows);
  });

  it('a rating once the course is completed: applied once, answered with where the form goes', async () => {
    const t = await trainee();
    for (const activityId of ['intro', 'video'])
      expect(
        (await t.op({ action: 'lesson.complete', target: { courseId: COURSE, activityId } })).status,
      ).toBe(200);
    expect(
      (
        await t.op({
          action: 'quiz.submit',
          target: { courseId: COURSE, activityId: 'final-quiz' },
          body: { answers: WRONG },
        })
      ).status,
    ).toBe(200);
    const rate = {
      opId: randomUUID(),
      action: 'course.rate',
      target: { courseId: COURSE },
      body: { rating: 4, comment: 'Clair' },
    };
    const r = await t.op(rate);
    expect(r.status).toBe(200);
    expect((await answer(r)).result).toEqual({ url: `/courses/${COURSE}?rated=1#rating` });
    await t.op(rate);
    expect(statements(t.id, 'rated')).toHaveLength(1);
  });

  it('answers the session check with 204 and writes nothing', async () => {
    const t = await trainee();
    const before = journalRows();
    expect((await t.b.postJson('/api/ping', {}, t.csrf)).status).toBe(204);
    expect(journalRows()).toBe(before);
  });
});
