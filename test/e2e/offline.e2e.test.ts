import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { launchChromium, phoneContext } from '../helpers/browser.js';
import { startServer, type RunningServer } from '../../src/app/box.app.js';
import { openContext, type AppContext } from '../../src/app/context.js';
import { testConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { tempDir, testServer } from '../helpers/context.js';

const COURSE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'offline-course');
/** A lesson and the quiz after it, in one module. */
const MODULE_QUIZ = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'module-quiz');
const SHOTS = process.env['FIELDCLASS_SCREENSHOTS'];
const SITE = 'http://class.lan';
/** Waits on the network and IndexedDB: generous, as the machine may be busy (never a timing assertion). */
const SLOW = { timeout: 15_000 };

const heading = (page: Page) => page.locator('article.lesson h1').first().textContent();

describe('reading goes on when the Wi-Fi drops (Chromium at 360 px as http://class.lan)', () => {
  let srv: Awaited<ReturnType<typeof testServer>>;
  let browser: Browser;

  beforeAll(async () => {
    srv = await testServer();
    srv.ctx.content.installFolder(COURSE);
    await srv.ctx.people.addTrainee({
      username: 'awa',
      pin: '2468',
      displayName: 'Awa Diallo',
      language: 'en',
    });
    await srv.ctx.people.addTrainee({
      username: 'marie',
      pin: '1357',
      displayName: 'Marie Dupont',
      language: 'fr',
    });
    browser = await launchChromium({ hosts: { 'class.lan': srv.url } });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.cleanup();
  });

  /** The lessons the box has recorded as completed for a trainee, in the order it recorded them. */
  const completed = (username: string) => {
    const person = srv.ctx.people.byUsername(username)!;
    return (
      srv.ctx.db.records
        .prepare(
          `SELECT json_extract(body, '$.object.id') AS id FROM journal
           WHERE kind = 'statement' AND json_extract(body, '$.actor.account.name') = ?
             AND json_extract(body, '$.verb.display.en-US') = 'completed' ORDER BY seq`,
        )
        .all(person.id) as { id: string }[]
    ).map((r) => r.id.split('/').pop());
  };

  async function signIn(page: Page, user: string, pin: string) {
    await page.goto(`${SITE}/`);
    await page.locator('#username').fill(user);
    await page.locator('#pin').fill(pin);
    await page.locator('form[action="/signin"] button[type="submit"]').click();
    await expect.poll(() => page.locator('.card.course').count()).toBe(1);
  }

  it('"Mark as done and continue" offline shows the next lessons kept on the phone; the completions arrive once, in order', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    try {
      await signIn(page, 'awa', '2468');
      await page.goto(`${SITE}/courses/offline-course`);
      await page.locator('[data-activity="l1"] button').click();
      await expect.poll(() => heading(page)).toBe('Lesson one');
      // While online the page keeps the rest of the module on the phone.
      await expect.poll(() => page.locator('article.lesson').getAttribute('data-kept'), SLOW).toBe('true');

      await context.setOffline(true);
      await page.getByRole('button', { name: 'Mark as done and continue' }).click();
      await expect.poll(() => heading(page)).toBe('Lesson two');
      expect(new URL(page.url()).pathname).toBe('/courses/offline-course/lessons/l2');
      await expect
        .poll(() => page.locator('#fc-banner').textContent())
        .toContain('1 step saved on this phone');
      // Its image comes from the phone's copy.
      const img = page.locator('.lesson-body img').first();
      await expect.poll(() => img.getAttribute('src')).toMatch(/^blob:/);
      await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'en-offline-lesson.png') });

      // A reload now cannot be answered (no service worker over plain HTTP, and Chromium never reloads a
      // page from its HTTP cache): the browser asks before leaving the kept lesson, and staying keeps it.
      let asked = '';
      page.once('dialog', (d) => {
        asked = d.type();
        void d.dismiss();
      });
      const reloading = page.reload({ timeout: 5_000 }).then(
        () => 'reloaded',
        () => 'stayed',
      );
      await expect.poll(() => asked, SLOW).toBe('beforeunload');
      expect(await reloading).toBe('stayed');
      expect(await heading(page)).toBe('Lesson two');
      expect(new URL(page.url()).pathname).toBe('/courses/offline-course/lessons/l2');

      await page.getByRole('button', { name: 'Mark as done and continue' }).click();
      await expect.poll(() => heading(page)).toBe('Lesson three');
      await expect
        .poll(() => page.locator('#fc-banner').textContent())
        .toContain('2 steps saved on this phone');

      // The next item is a quiz in another module, not kept: the page says so and stays.
      await page.getByRole('button', { name: 'Mark as done and continue' }).click();
      await expect.poll(() => page.locator('#fc-banner').textContent()).toContain('needs the class Wi-Fi');
      expect(await heading(page)).toBe('Lesson three');
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'en-offline-needs-wifi.png') });

      // Back goes to the kept lesson two, without the network.
      await page.goBack();
      await expect.poll(() => heading(page)).toBe('Lesson two');
      expect(completed('awa')).toEqual([]);

      // Back on the Wi-Fi (a while later): the queue is sent, in the order the trainee acted, each once.
      const backOnline = Date.now() + 1500;
      await page.waitForTimeout(1500);
      await context.setOffline(false);
      await expect.poll(() => page.locator('#fc-banner').textContent(), SLOW).toContain('Sent');
      expect(completed('awa')).toEqual(['l1', 'l2', 'l3']);
      // Each statement keeps when the trainee acted (offline, before the box received it); the journal
      // keeps when the box received it. Reading the kept lessons offline was recorded too.
      const rows = srv.ctx.db.records
        .prepare(
          `SELECT json_extract(body, '$.verb.display.en-US') AS verb, json_extract(body, '$.object.id') AS id,
                  json_extract(body, '$.timestamp') AS acted, recorded_at AS stored
             FROM journal WHERE kind = 'statement' AND json_extract(body, '$.actor.account.name') = ?
              AND json_extract(body, '$.verb.display.en-US') IN ('completed', 'progressed') ORDER BY seq`,
        )
        .all(srv.ctx.people.byUsername('awa')!.id) as {
        verb: string;
        id: string;
        acted: string;
        stored: string;
      }[];
      const offline = rows.filter((r) => Date.parse(r.stored) >= backOnline - 200);
      expect(offline.filter((r) => r.verb === 'completed')).toHaveLength(3);
      for (const r of offline) expect(Date.parse(r.acted)).toBeLessThan(backOnline - 1000);
      expect(offline.filter((r) => r.verb === 'progressed').map((r) => r.id.split('/').pop())).toEqual(
        expect.arrayContaining(['l1', 'l2']),
      );
      await page.reload();
      await page.waitForLoadState('networkidle');
      expect(completed('awa')).toEqual(['l1', 'l2', 'l3']);
    } finally {
      await context.close();
    }
  });

  it('says it in the trainee’s language', async () => {
    const context = await phoneContext(browser, { locale: 'fr-FR' });
    const page = await context.newPage();
    try {
      await signIn(page, 'marie', '1357');
      await page.goto(`${SITE}/courses/offline-course`);
      await page.locator('[data-activity="l1"] button').click();
      await expect.poll(() => page.locator('article.lesson').getAttribute('data-kept'), SLOW).toBe('true');
      await context.setOffline(true);
      await page.getByRole('button', { name: 'J’ai terminé, continuer' }).click();
      await expect.poll(() => heading(page)).toBe('Lesson two');
      await expect
        .poll(() => page.locator('#fc-banner').textContent())
        .toContain('1 étape enregistrée sur ce téléphone');
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'fr-offline-lesson.png') });
      await context.setOffline(false);
      await expect.poll(() => page.locator('#fc-banner').textContent(), SLOW).toContain('Envoyé');
      expect(completed('marie')).toEqual(['l1']);
    } finally {
      await context.close();
    }
  });
});

describe('the queue on the phone: quiz and rating offline, a restarted box, a replaced course, shared phones', () => {
  const tmp = tempDir();
  let ctx: AppContext;
  let server: RunningServer;
  let browser: Browser;
  let port: number;

  beforeAll(async () => {
    // A fixed port, so that the box can be restarted where the phone's "class.lan" points.
    port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    ctx = openContext(
      // The packages' port any free one (not 8081, which a box running on this machine may hold).
      testConfig({
        dataDir: tmp.dir,
        port,
        host: '127.0.0.1',
        installSampleCourses: false,
        scorm: { port: 0 },
      }),
      { logger: silentLogger },
    );
    ctx.content.installFolder(COURSE);
    ctx.content.installFolder(MODULE_QUIZ);
    for (const [u, pin] of [
      ['sam', '1111'],
      ['tom', '2222'],
      ['ana', '3333'],
      ['kim', '4444'],
      ['lea', '5555'],
    ] as const)
      await ctx.people.addTrainee({ username: u, pin, displayName: u, language: 'en' });
    server = await startServer(ctx);
    browser = await launchChromium({ hosts: { 'class.lan': server.url } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    ctx?.close();
    tmp.cleanup();
  });

  /** Stop the box and start it again on the same data (databases closed and opened again). */
  async function restartBox() {
    await server.close();
    ctx.close();
    ctx = openContext(ctx.config, { logger: silentLogger });
    server = await startServer(ctx);
  }

  const verbs = (username: string, verb: string) => {
    const person = ctx.people.byUsername(username)!;
    return (
      ctx.db.records
        .prepare(
          `SELECT json_extract(body, '$.object.id') AS id, json_extract(body, '$.result.score.scaled') AS score
           FROM journal WHERE kind = 'statement' AND json_extract(body, '$.actor.account.name') = ?
             AND json_extract(body, '$.verb.display.en-US') = ? ORDER BY seq`,
        )
        .all(person.id, verb) as { id: string; score: number | null }[]
    ).map((r) => `${r.id.split('/').pop()}${r.score === null ? '' : ` ${r.score}`}`);
  };

  async function signIn(page: Page, user: string, pin: string) {
    await page.goto(`${SITE}/`);
    await page.locator('#username').fill(user);
    await page.locator('#pin').fill(pin);
    await page.locator('form[action="/signin"] button[type="submit"]').click();
    await expect.poll(() => page.locator('.card.course').count()).toBe(2);
  }

  async function answerAllRight(page: Page) {
    await page.locator('input[name="q_q1"][value="b"]').check();
    await page.locator('input[name="q_q2"][value="a"]').check();
    await page.locator('input[name="q_q2"][value="c"]').check();
    await page.locator('input[name="q_q3"][value="false"]').check();
    await page.locator('input[name="q_q4"]').fill('112');
  }
  const banner = (page: Page) => page.locator('#fc-banner').textContent();
  /** The steps waiting in the trainee's queue on this phone. */
  const queued = (page: Page, username: string) =>
    page.evaluate(async (person) => {
      const store = await (
        window as unknown as {
          fieldclassStore: {
            open(p: string): Promise<{ all(s: string): Promise<{ opId: string; actedAt: string }[]> }>;
          };
        }
      ).fieldclassStore.open(person);
      return store.all('queue');
    }, ctx.people.byUsername(username)!.id);
  /** An operation sent to the box that is a lesson's completion (reading progress goes there too). */
  const completion = (route: Route) =>
    (route.request().postDataJSON() as { action?: string } | null)?.action === 'lesson.complete';

  it('a quiz sent offline is graded when it reaches the box, after a restart, once; a later answer to a replaced course is refused with a clear message', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    try {
      await signIn(page, 'sam', '1111');
      await page.goto(`${SITE}/courses/offline-course/quizzes/final-quiz`);
      await answerAllRight(page);
      await context.setOffline(true);
      await page.getByRole('button', { name: 'Send my answers' }).click();
      await expect.poll(() => banner(page), SLOW).toContain('1 step saved on this phone');
      // A second tap while it waits is the same step (not a second attempt): it takes the waiting step's
      // place with the answers as they are now.
      const [first] = await queued(page, 'sam');
      await page.getByRole('button', { name: 'Send my answers' }).click();
      await expect
        .poll(async () => (await queued(page, 'sam')).map((q) => q.actedAt !== first!.actedAt), SLOW)
        .toEqual([true]);
      expect((await queued(page, 'sam'))[0]!.opId).toBe(first!.opId);
      expect(await banner(page)).toContain('1 step saved on this phone');
      // The answers stay on the page and on the phone; the box has nothing yet, and is restarted.
      expect(await page.locator('input[name="q_q4"]').inputValue()).toBe('112');
      expect(verbs('sam', 'passed')).toEqual([]);
      await restartBox();
      await context.setOffline(false);
      await expect.poll(() => banner(page), SLOW).toContain('your answers were graded: 100%');
      expect(await page.locator('#fc-banner a').getAttribute('href')).toBe(
        '/courses/offline-course/quizzes/final-quiz/result',
      );
      expect(verbs('sam', 'passed')).toEqual(['final-quiz 1']);
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'en-offline-graded.png') });

      // A second attempt queued offline, while HQ's new version of the course is installed: refused.
      await page.goto(`${SITE}/courses/offline-course/quizzes/final-quiz`);
      await answerAllRight(page);
      await context.setOffline(true);
      await page.getByRole('button', { name: 'Send my answers' }).click();
      await expect.poll(() => banner(page), SLOW).toContain('1 step saved on this phone');
      const v2 = join(tmp.dir, 'offline-course-v2');
      cpSync(COURSE, v2, { recursive: true });
      const cj = JSON.parse(readFileSync(join(v2, 'course.json'), 'utf8')) as { version: string };
      writeFileSync(join(v2, 'course.json'), JSON.stringify({ ...cj, version: '1.0.1' }));
      ctx.content.installFolder(v2);
      await context.setOffline(false);
      await expect.poll(() => banner(page), SLOW).toContain('the course was updated since you answered');
      expect(verbs('sam', 'passed')).toEqual(['final-quiz 1']);
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'en-offline-replaced.png') });

      // A rating sent offline arrives too.
      await page.goto(`${SITE}/courses/offline-course`);
      await page.locator('[data-activity="l1"] button').click();
      for (const l of ['l1', 'l2', 'l3']) {
        await expect
          .poll(() => page.locator('article.lesson').getAttribute('data-progress-activity'))
          .toBe(l);
        await page.getByRole('button', { name: 'Mark as done and continue' }).click();
      }
      await expect.poll(() => page.locator('#rating').count(), SLOW).toBe(1);
      await page.locator('input[name="rating"][value="5"]').check();
      await context.setOffline(true);
      await page.locator('#rating button[type="submit"]').click();
      await expect.poll(() => banner(page), SLOW).toContain('1 step saved on this phone');
      await context.setOffline(false);
      await expect.poll(() => banner(page), SLOW).toContain('Sent');
      expect(ctx.learning.getRating(ctx.people.byUsername('sam')!.id, 'offline-course')?.rating).toBe(5);
    } finally {
      await context.close();
    }
  });

  it('a quiz of the module never opened before the drop: kept while online, answered offline, graded when it reaches the box', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const quizUrl = '/courses/module-quiz/quizzes/check';
    try {
      await signIn(page, 'lea', '5555');
      await page.goto(`${SITE}/courses/module-quiz`);
      await page.locator('[data-activity="read"] button').click();
      await expect
        .poll(() => page.locator('article.lesson h1').first().textContent())
        .toBe('Before the check');
      // While online the page keeps the rest of the module: the quiz page too, never opened.
      await expect.poll(() => page.locator('article.lesson').getAttribute('data-kept'), SLOW).toBe('true');
      const quizzesOpened: string[] = [];
      page.on('request', (r) => {
        if (new URL(r.url()).pathname === quizUrl) quizzesOpened.push(r.method());
      });

      await context.setOffline(true);
      await page.getByRole('button', { name: 'Mark as done and continue' }).click();
      await expect.poll(() => page.locator('form.quiz').count()).toBe(1);
      expect(new URL(page.url()).pathname).toBe(quizUrl);
      expect(await page.locator('main h1').first().textContent()).toBe('Check');
      expect(await page.locator('article.lesson').count()).toBe(0);
      // Said with the count each time the queue is reported (the lesson's reading progress reports it too).
      await expect.poll(() => banner(page), SLOW).toContain('1 step saved on this phone');
      expect(await banner(page)).toContain('this quiz was kept on this phone');
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'en-offline-kept-quiz.png') });

      await page.locator('input[name="q_q1"][value="b"]').check();
      await page.locator('input[name="q_q2"]').fill('112');
      await page.getByRole('button', { name: 'Send my answers' }).click();
      await expect.poll(() => banner(page), SLOW).toContain('2 steps saved on this phone');
      const waiting = await queued(page, 'lea');
      // The steps, in order (the lesson's reading progress, queued when the quiz replaced it, goes too).
      const steps = waiting.map((q) => (q as unknown as { action: string }).action);
      expect(steps.filter((a) => a !== 'lesson.progress')).toEqual(['lesson.complete', 'quiz.submit']);
      expect(verbs('lea', 'completed')).toEqual([]);
      expect(verbs('lea', 'passed')).toEqual([]);
      // Nothing went to the box for the quiz while offline (the browser tried nothing).
      expect(quizzesOpened).toEqual([]);

      // Back on the Wi-Fi: the lesson's completion, then the answers, graded by the box, each once.
      await context.setOffline(false);
      await expect.poll(() => banner(page), SLOW).toContain('your answers were graded: 100%');
      // The lesson, then the course (the quiz finished it).
      expect(verbs('lea', 'completed')).toEqual(['read', 'urn:fieldclass:course:module-quiz']);
      expect(verbs('lea', 'passed')).toEqual(['check 1']);
      expect(await page.locator('#fc-banner a').getAttribute('href')).toBe(`${quizUrl}/result`);
      expect(await queued(page, 'lea')).toEqual([]);
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'en-offline-kept-quiz-graded.png') });

      // Back goes to the kept lesson (its own page again, without the network).
      await context.setOffline(true);
      await page.goBack();
      await expect
        .poll(() => page.locator('article.lesson h1').first().textContent())
        .toBe('Before the check');
      expect(await page.locator('form.quiz').count()).toBe(0);
      await context.setOffline(false);
    } finally {
      await context.close();
    }
  });

  it('the queue keeps the order, retries with backoff, sends a double tap once, and holds what is over 30 days old', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    try {
      await signIn(page, 'kim', '4444');
      // A weak signal: connected, but the box's answers to completions never arrive (each send is lost).
      let weak = true;
      let refused = 0;
      await page.route('**/api/operations', (route) =>
        completion(route) && weak && ++refused ? route.abort() : route.continue(),
      );
      await page.goto(`${SITE}/courses/offline-course`);
      await page.locator('[data-activity="l1"] button').click();
      await expect.poll(() => page.locator('article.lesson').getAttribute('data-kept'), SLOW).toBe('true');
      await page.getByRole('button', { name: 'Mark as done and continue' }).click();
      await expect.poll(() => heading(page), SLOW).toBe('Lesson two');
      await page.getByRole('button', { name: 'Mark as done and continue' }).click();
      await expect.poll(() => heading(page), SLOW).toBe('Lesson three');
      expect(refused).toBeGreaterThanOrEqual(2);
      expect(verbs('kim', 'completed')).toEqual([]);
      // The signal comes back: the retry timer (5 s, then 10 s...) sends both, in order, once each.
      weak = false;
      await expect
        .poll(() => verbs('kim', 'completed'), { timeout: 40_000, interval: 500 })
        .toEqual(['l1', 'l2']);
      await page.unroute('**/api/operations');

      // A double tap on "Send my answers" is one attempt.
      await page.goto(`${SITE}/courses/offline-course/quizzes/final-quiz`);
      await answerAllRight(page);
      await page.getByRole('button', { name: 'Send my answers' }).dblclick();
      await expect.poll(() => page.locator('.verdict').count(), SLOW).toBe(1);
      expect(verbs('kim', 'passed')).toEqual(['final-quiz 1']);

      // Something saved on the phone 31 days ago is not sent silently: the trainee sends or discards it.
      const old = new Date(Date.now() - 31 * 86_400_000).toISOString();
      const put = (activity: string) =>
        page.evaluate(
          async ({ person, activity, old }) => {
            const store = await (
              window as unknown as {
                fieldclassStore: {
                  open(p: string): Promise<{ put(s: string, v: unknown): Promise<unknown> }>;
                };
              }
            ).fieldclassStore.open(person);
            await store.put('queue', {
              opId: `00000000-0000-4000-8000-${String(Date.now()).padStart(12, '0').slice(-12)}`,
              action: 'lesson.complete',
              target: { courseId: 'offline-course', activityId: activity },
              page: '/',
              title: `Lesson ${activity}`,
              actedAt: old,
            });
          },
          { person: ctx.people.byUsername('kim')!.id, activity, old },
        );
      await put('l3');
      await page.goto(`${SITE}/`);
      await expect.poll(() => banner(page), SLOW).toContain('more than 30 days ago');
      expect(verbs('kim', 'completed')).toEqual(['l1', 'l2']);
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'en-offline-old.png') });
      await page.getByRole('button', { name: 'Discard it' }).click();
      await expect.poll(() => page.locator('#fc-banner').isVisible(), SLOW).toBe(false);
      await page.reload();
      await page.waitForLoadState('networkidle');
      expect(verbs('kim', 'completed')).toEqual(['l1', 'l2']);
      await put('l3');
      await page.reload();
      await page.getByRole('button', { name: 'Send it' }).click();
      // The last lesson completes the course (its quiz is passed): recorded once, after it.
      await expect
        .poll(() => verbs('kim', 'completed'), SLOW)
        .toEqual(['l1', 'l2', 'l3', 'urn:fieldclass:course:offline-course']);
    } finally {
      await context.close();
    }
  });

  it('two trainees on one phone: each one’s queue is their own; sign-out clears it once sent, or asks', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const databases = () =>
      page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).sort());
    try {
      await signIn(page, 'tom', '2222');
      const tom = `fieldclass:${ctx.people.byUsername('tom')!.id}`;
      const ana = `fieldclass:${ctx.people.byUsername('ana')!.id}`;
      await page.goto(`${SITE}/courses/offline-course`);
      await page.locator('[data-activity="l1"] button').click();
      await expect.poll(() => page.locator('article.lesson').getAttribute('data-kept'), SLOW).toBe('true');
      await context.setOffline(true);
      await page.getByRole('button', { name: 'Mark as done and continue' }).click();
      await expect.poll(() => banner(page), SLOW).toContain('1 step saved on this phone');
      // Tom's session ends while offline (the cookie is gone); Ana signs in on the same phone.
      await context.clearCookies();
      await context.setOffline(false);
      await signIn(page, 'ana', '3333');
      await page.waitForLoadState('networkidle');
      expect(await databases()).toEqual([ana, tom].sort());
      expect(verbs('tom', 'completed')).toEqual([]);
      expect(verbs('ana', 'completed')).toEqual([]);
      expect(await page.locator('#fc-banner').isHidden()).toBe(true);
      // Ana signs out with nothing waiting: her copy on the phone is removed, Tom's stays.
      await page.locator('form[action="/signout"] button').click();
      await expect.poll(() => page.locator('#username').count()).toBe(1);
      expect(await databases()).toEqual([tom]);
      // Tom signs in again: his queue is sent, under his name.
      await signIn(page, 'tom', '2222');
      await expect.poll(() => banner(page), SLOW).toContain('Sent');
      expect(verbs('tom', 'completed')).toEqual(['l1']);
      expect(verbs('ana', 'completed')).toEqual([]);

      // A step that cannot reach the box: signing out asks, and keeps it when the trainee says no.
      await page.route('**/api/operations', (route) =>
        completion(route) ? route.abort() : route.continue(),
      );
      await page.goto(`${SITE}/courses/offline-course`);
      await page.locator('[data-activity="l2"] button').click();
      await page.getByRole('button', { name: 'Mark as done and continue' }).click();
      await expect.poll(() => banner(page), SLOW).toContain('1 step saved on this phone');
      const asked: string[] = [];
      page.once('dialog', (d) => {
        asked.push(d.message());
        void d.dismiss();
      });
      await page.locator('form[action="/signout"] button').click();
      await expect.poll(() => asked.length, SLOW).toBe(1);
      expect(asked[0]).toContain('have not reached the box yet');
      expect(await page.locator('form[action="/signout"]').count()).toBe(1);
      expect(await databases()).toEqual([tom]);
      page.once('dialog', (d) => void d.accept());
      await page.locator('form[action="/signout"] button').click();
      await expect.poll(() => page.locator('#username').count(), SLOW).toBe(1);
      expect(await databases()).toEqual([]);
      expect(verbs('tom', 'completed')).toEqual(['l1']);
    } finally {
      await context.close();
    }
  });
});
