import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { testServer } from './helpers/context.js';
import { Browserless } from './helpers/http.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
const QUIZ = '/courses/fixture-course/quizzes/final-quiz';
const RIGHT = { q_q1: 'b', q_q2: ['a', 'c'], q_q3: 'false', q_q4: 'One One Two' };
const WRONG = { q_q1: 'a', q_q2: ['b'], q_q3: 'true', q_q4: '17' };

/** Bytes on the wire (fetch would decompress them). */
function wireBytes(
  url: string,
  headers: Record<string, string>,
): Promise<{ bytes: number; encoding: string | undefined }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ bytes, encoding: res.headers['content-encoding'] }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('trainee pages over HTTP (real server, real SQLite, sample and fixture courses)', () => {
  let s: Awaited<ReturnType<typeof testServer>>;
  let n = 0;
  beforeAll(async () => {
    s = await testServer({ installSampleCourses: true });
    s.ctx.content.installFolder(FIXTURE);
  });
  afterAll(async () => s.cleanup());

  /** A new trainee, signed in, in a language. */
  async function trainee(lang = 'en'): Promise<{ b: Browserless; id: string }> {
    const username = `t${++n}`;
    const p = await s.ctx.people.addTrainee({ username, pin: '1234', displayName: `Trainee ${n}` });
    const b = new Browserless(s.url, { 'accept-language': lang });
    const r = await b.submit('/', '/signin', { username, pin: '1234' });
    expect(r.status).toBe(303);
    return { b, id: p.id };
  }

  const statements = (personId: string) =>
    (
      s.ctx.db.records
        .prepare(
          `SELECT json_extract(body, '$.verb.display.en-US') AS verb, json_extract(body, '$.object.id') AS object
             FROM journal WHERE kind = 'statement' AND json_extract(body, '$.actor.account.name') = ? ORDER BY seq`,
        )
        .all(personId) as { verb: string; object: string }[]
    ).map((r) => `${r.verb} ${r.object.replace('urn:fieldclass:course:', '')}`);

  it('renders My courses, the outline, a lesson and a quiz in en, fr and ar', async () => {
    const expected = {
      en: ['My courses', 'Mark as done and continue', 'Send my answers', 'ltr'],
      fr: ['Mes cours', 'J’ai terminé, continuer', 'Envoyer mes réponses', 'ltr'],
      ar: ['دوراتي', 'تحديد كمكتمل والمتابعة', 'أرسل إجاباتي', 'rtl'],
    } as const;
    for (const [lang, [courses, done, send, dir]] of Object.entries(expected)) {
      const { b } = await trainee(lang);
      const home = await b.page('/');
      expect(home.status).toBe(200);
      expect(home.html).toContain(`<html lang="${lang}" dir="${dir}">`);
      expect(home.html).toContain(courses);
      expect(home.html).toContain('href="/courses/public-integrity"');
      expect(home.html).toContain('role="progressbar"');
      const outline = await b.page('/courses/public-integrity');
      expect(outline.status).toBe(200);
      expect(outline.html).toContain('data-activity="what-is-corruption"');
      const lesson = await b.page('/courses/public-integrity/lessons/what-is-corruption');
      expect(lesson.status).toBe(200);
      expect(lesson.html).toContain(done);
      expect(lesson.html).toContain(
        `<article class="lesson" lang="${lang}" dir="${dir}" data-progress-course=`,
      );
      const quiz = await b.page('/courses/public-integrity/quizzes/check-quiz');
      expect(quiz.status).toBe(200);
      expect(quiz.html).toContain(send);
    }
  });

  it('answers signed-out visitors with the sign-in page and unknown courses with 404', async () => {
    const anon = new Browserless(s.url);
    const r = await anon.get('/courses/fixture-course');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/');
    const { b } = await trainee();
    expect((await b.page('/courses/nope')).status).toBe(404);
    expect((await b.page('/courses/fixture-course/lessons/nope')).status).toBe(404);
    expect((await b.page('/courses/fixture-course/quizzes/intro')).status).toBe(404);
  });

  it('serves a quiz page that holds no correct answer, feedback or accepted answer', async () => {
    const { b } = await trainee();
    const { html } = await b.page(QUIZ);
    expect(html).toContain('What comes first?');
    expect(html).toContain('name="q_q1"');
    for (const secret of [
      'Secure the scene first.',
      'Names and times.',
      'It is 112.',
      '112',
      'one one two',
      'Yes.',
    ])
      expect(html).not.toContain(secret);
    expect(html).not.toMatch(/checked/);
  });

  it('opens and completes lessons by POST, leading to the next activity, and records statements', async () => {
    const { b, id } = await trainee();
    // GET changes nothing.
    await b.page('/courses/fixture-course/lessons/intro');
    expect(statements(id)).toEqual([]);
    const open = await b.submit('/courses/fixture-course', '/courses/fixture-course/lessons/intro/open', {});
    expect(open.status).toBe(303);
    expect(open.headers.get('location')).toBe('/courses/fixture-course/lessons/intro');
    expect(statements(id)).toEqual(['launched fixture-course', 'experienced fixture-course/intro']);
    const done = await b.submit(
      '/courses/fixture-course/lessons/intro',
      '/courses/fixture-course/lessons/intro/done',
      {},
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/courses/fixture-course/lessons/video');
    expect(statements(id).slice(2)).toEqual([
      'completed fixture-course/intro',
      'experienced fixture-course/video',
    ]);
    const outline = await b.page('/courses/fixture-course');
    expect(outline.html).toContain('data-activity="intro" data-status="completed"');
    expect(outline.html).toContain('33% done');
    // Continue where you left off: the video lesson.
    const home = await b.page('/');
    expect(home.html).toContain('Continue where you left off');
    expect(home.html).toContain('action="/courses/fixture-course/lessons/video/open"');
    // Without the CSRF token nothing is recorded.
    const before = statements(id).length;
    const refused = await b.post('/courses/fixture-course/lessons/video/done', {});
    expect(refused.status).toBe(403);
    expect(statements(id).length).toBe(before);
  });

  it('grades a quiz on the server: result page with score, feedback, attempts left and retry', async () => {
    const { b, id } = await trainee();
    const failed = await b.submit(QUIZ, QUIZ, WRONG);
    expect(failed.status).toBe(303);
    expect(failed.headers.get('location')).toBe(`${QUIZ}/result`);
    let r = await b.page(`${QUIZ}/result`);
    expect(r.html).toContain('Your score: 0%');
    expect(r.html).toContain('Not passed');
    expect(r.html).toContain('Secure the scene first.');
    expect(r.html).toContain('Attempts left: 2');
    expect(r.html).toContain(`href="${QUIZ}">Try again</a>`);
    expect(statements(id).filter((x) => x.startsWith('answered')).length).toBe(4);
    expect(statements(id)).toContain('failed fixture-course/final-quiz');

    await b.submit(QUIZ, QUIZ, RIGHT);
    r = await b.page(`${QUIZ}/result`);
    expect(r.html).toContain('Your score: 100%');
    expect(r.html).toContain('Passed');
    expect(r.html).toContain('Attempts left: 1');
    expect(statements(id)).toContain('passed fixture-course/final-quiz');
    // Best score shows on the quiz page and in the outline.
    expect((await b.page(QUIZ)).html).toContain('Your best score so far: 100%');

    await b.submit(QUIZ, QUIZ, WRONG);
    const out = await b.page(QUIZ);
    expect(out.html).toContain('You have used all your attempts');
    expect(out.html).not.toContain('name="q_q1"');
    const refused = await b.post(QUIZ, { _csrf: Browserless.csrfOf(out.html), ...RIGHT });
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe(QUIZ);
    expect(s.ctx.learning.quizStatus(id, 'fixture-course', 'final-quiz')).toMatchObject({
      attemptsUsed: 3,
      attemptsLeft: 0,
      passed: true,
      bestScore: 1,
    });
  });

  it('completes a course, then shows, takes and edits the rating', async () => {
    const { b, id } = await trainee('fr');
    const outline0 = await b.page('/courses/fixture-course');
    expect(outline0.html).not.toContain('name="rating"');
    const early = await b.submit('/courses/fixture-course', '/courses/fixture-course/rating', {
      rating: '5',
    });
    expect(early.status).toBe(409);

    for (const l of ['intro', 'video']) {
      await b.submit('/courses/fixture-course', `/courses/fixture-course/lessons/${l}/done`, {});
    }
    await b.submit(QUIZ, QUIZ, RIGHT);
    const result = await b.page(`${QUIZ}/result`);
    expect(result.html).toContain('Vous avez terminé ce cours. Félicitations\u00a0!');
    expect(statements(id)).toContain('completed fixture-course');

    const outline = await b.page('/courses/fixture-course');
    expect(outline.html).toContain('Notez ce cours');
    expect(outline.html).toContain('name="rating"');
    // The box hides names by default (admin.ratingNames), and the form says so before the trainee rates.
    expect(outline.html).toContain('data-rating-names="hidden"');
    expect(outline.html).toContain('Votre note et votre commentaire sont anonymes');
    const bad = await b.submit('/courses/fixture-course', '/courses/fixture-course/rating', { rating: '9' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Choisissez une note de 1 à 5.');
    expect(s.ctx.learning.getRating(id, 'fixture-course')).toBeNull();

    const ok = await b.submit('/courses/fixture-course', '/courses/fixture-course/rating', {
      rating: '4',
      comment: 'Utile <b>vraiment</b>',
    });
    expect(ok.status).toBe(303);
    const after = await b.page('/courses/fixture-course?rated=1');
    expect(after.html).toContain('Merci pour votre note.');
    expect(after.html).toContain('Votre note\u00a0: 4 sur 5');
    expect(after.html).toContain('Utile &lt;b>vraiment&lt;/b>');
    await b.submit('/courses/fixture-course', '/courses/fixture-course/rating', { rating: '5', comment: '' });
    expect(s.ctx.learning.getRating(id, 'fixture-course')).toEqual({ rating: 5, comment: '' });
    expect(statements(id).filter((x) => x.startsWith('rated')).length).toBe(2);
    const home = await b.page('/');
    expect(home.html).toContain('100\u00a0% terminé');
  });

  it('compresses pages by Accept-Encoding, and a lesson page with its CSS stays under 30 KB', async () => {
    const { b } = await trainee();
    const path = '/courses/public-integrity/lessons/what-is-corruption';
    const br = await b.get(path, { 'accept-encoding': 'br, gzip' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toContain('Accept-Encoding');
    await br.arrayBuffer();
    const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const page = await wireBytes(s.url + path, { cookie, 'accept-encoding': 'br' });
    expect(page.encoding).toBe('br');
    const gz = await b.get(path, { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const plain = await b.get(path, { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const html = await plain.text();
    const css = /href="(\/static\/app\.[0-9a-f]+\.css)"/.exec(html)![1]!;
    const cssBr = await wireBytes(s.url + css, { 'accept-encoding': 'br' });
    expect(cssBr.encoding).toBe('br');
    // Scripts come from this box only: reading progress, the trainee's store and the offline layer, and
    // the offline layer's settings as JSON data (never run: the CSP allows no inline script).
    const scripts = [...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toHaveLength(4);
    expect(scripts.filter((t) => t.includes('type="application/json"'))).toHaveLength(1);
    const srcs = scripts.flatMap((t) => /src="([^"]+)"/.exec(t)?.[1] ?? []);
    expect(srcs.map((u) => u.replace(/\.[0-9a-f]{12}\.js$/, ''))).toEqual([
      '/static/lesson',
      '/static/store',
      '/static/offline',
    ]);
    let jsBytes = 0;
    for (const u of srcs) jsBytes += (await wireBytes(s.url + u, { 'accept-encoding': 'br' })).bytes;
    console.log(
      `lesson page: html ${page.bytes} B + css ${cssBr.bytes} B + js ${jsBytes} B brotli (html ${html.length} B raw)`,
    );
    expect(page.bytes).toBeLessThan(html.length / 2);
    expect(page.bytes + cssBr.bytes + jsBytes).toBeLessThan(30 * 1024);
  });
});
