/**
 * One operation id: the quiz form carries one (put there by the box; the page script may replace it).
 * A double tap, or a resend after the answer was lost, records one attempt; a malformed id or an id
 * reused for another trainee or quiz is a clear error and writes nothing. Real server, real SQLite.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { testServer } from './helpers/context.js';
import { Browserless } from './helpers/http.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
const QUIZ = '/courses/fixture-course/quizzes/final-quiz';
const OTHER_QUIZ = '/courses/public-integrity/quizzes/check-quiz';
const WRONG = { q_q1: 'a', q_q2: ['b'], q_q3: 'true', q_q4: '17' };

describe('operation ids on quiz submissions (HTTP)', () => {
  let s: Awaited<ReturnType<typeof testServer>>;
  let n = 0;
  beforeAll(async () => {
    s = await testServer({ installSampleCourses: true });
    s.ctx.content.installFolder(FIXTURE);
  });
  afterAll(async () => s.cleanup());

  async function trainee(): Promise<{ b: Browserless; id: string }> {
    const username = `op${++n}`;
    const p = await s.ctx.people.addTrainee({ username, pin: '1234', displayName: `Trainee ${n}` });
    const b = new Browserless(s.url);
    expect((await b.submit('/', '/signin', { username, pin: '1234' })).status).toBe(303);
    return { b, id: p.id };
  }

  /** The quiz page's form fields: CSRF token and the operation id the box put in it. */
  async function form(b: Browserless, path = QUIZ): Promise<{ _csrf: string; op: string }> {
    const html = (await b.page(path)).html;
    const op = /name="op" value="([0-9a-f-]{36})"/.exec(html)?.[1];
    expect(op).toBeDefined();
    return { _csrf: Browserless.csrfOf(html), op: op! };
  }

  const attempts = (personId: string) =>
    s.ctx.db.records
      .prepare("SELECT count(*) FROM attempts WHERE person_id = ? AND kind = 'quiz'")
      .pluck()
      .get(personId);
  const journalRows = () => s.ctx.db.records.prepare('SELECT count(*) FROM journal').pluck().get();

  it('the same form sent twice at once records one attempt; both answers lead to the result', async () => {
    const { b, id } = await trainee();
    const f = await form(b);
    const [r1, r2] = await Promise.all([b.post(QUIZ, { ...f, ...WRONG }), b.post(QUIZ, { ...f, ...WRONG })]);
    expect([r1.status, r2.status]).toEqual([303, 303]);
    expect(r1.headers.get('location')).toBe(`${QUIZ}/result`);
    expect(r2.headers.get('location')).toBe(`${QUIZ}/result`);
    expect(attempts(id)).toBe(1);
    expect((await b.page(QUIZ)).html).toContain('Attempts left: 2');
    // A new form (a new id) is a new attempt.
    expect((await b.post(QUIZ, { ...(await form(b)), ...WRONG })).status).toBe(303);
    expect(attempts(id)).toBe(2);
  });

  it('a resend after the answer was lost (timeout) records one attempt', async () => {
    const { b, id } = await trainee();
    const f = await form(b);
    // Send the form and drop the connection without reading the answer, as a phone losing Wi-Fi would.
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...f, ...WRONG }))
      for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    await new Promise<void>((resolve) => {
      const req = request(s.url + QUIZ, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: s.url,
          cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        },
      });
      req.on('error', () => resolve());
      req.end(body.toString(), () => {
        req.destroy();
        resolve();
      });
    });
    // The server finishes the write it received.
    for (let i = 0; i < 100 && attempts(id) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(attempts(id)).toBe(1);
    const before = journalRows();
    const again = await b.post(QUIZ, { ...f, ...WRONG });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`${QUIZ}/result`);
    expect(attempts(id)).toBe(1);
    expect(journalRows()).toBe(before);
  });

  it('a malformed id is 400, an id reused for another quiz or trainee is 409: nothing written', async () => {
    const { b, id } = await trainee();
    const f = await form(b);
    const before = journalRows();
    const bad = await b.post(QUIZ, { ...f, op: 'not-a-uuid', ...WRONG }, { accept: 'application/json' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/operation_id_invalid|operation id/);
    expect(journalRows()).toBe(before);

    expect((await b.post(QUIZ, { ...f, ...WRONG })).status).toBe(303);
    const t2 = await trainee();
    const f2 = await form(t2.b);
    const after = journalRows();
    // The same id for another quiz of the same trainee.
    const other = await form(b, OTHER_QUIZ);
    const r = await b.post(OTHER_QUIZ, { ...other, op: f.op, q_q1: 'a' });
    expect(r.status).toBe(409);
    // The same id sent by another trainee.
    expect((await t2.b.post(QUIZ, { ...f2, op: f.op, ...WRONG })).status).toBe(409);
    expect(journalRows()).toBe(after);
    expect(attempts(id)).toBe(1);
    expect(attempts(t2.id)).toBe(0);
  });
});
