import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { launchChromium, phoneContext } from '../helpers/browser.js';
import { testServer } from '../helpers/context.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
/** Set FIELDCLASS_SCREENSHOTS=<dir> to keep phone-size screenshots of every page visited. */
const SHOTS = process.env['FIELDCLASS_SCREENSHOTS'];

describe('a trainee in a real Chromium at phone size', () => {
  let srv: Awaited<ReturnType<typeof testServer>>;
  let browser: Browser;

  beforeAll(async () => {
    srv = await testServer({ installSampleCourses: true });
    srv.ctx.content.installFolder(FIXTURE);
    await srv.ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' });
    await srv.ctx.people.addTrainee({ username: 'layla', pin: '1357', displayName: 'ليلى' });
    browser = await launchChromium();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.cleanup();
  });

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  async function signIn(page: Page, username: string, pin: string) {
    await page.goto(srv.url + '/');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('PIN').fill(pin);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs in, reads a lesson, passes the quiz and sees completion in the outline (JavaScript off)', async () => {
    const context = await phoneContext(browser, { locale: 'en-US', javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(srv.url + '/');
      await shot(page, 'en-signin');
      await signIn(page, 'awa', '2468');
      await expect.poll(() => page.locator('h1').textContent()).toBe('My courses');
      await shot(page, 'en-courses');

      await page.getByRole('link', { name: 'Fixture course' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Fixture course');
      await shot(page, 'en-outline-start');
      await page.getByRole('button', { name: 'Introduction' }).click();
      await expect.poll(() => page.locator('article.lesson h1').first().textContent()).toBe('Introduction');
      await shot(page, 'en-lesson');
      await page.getByRole('button', { name: 'Mark as done and continue' }).click();
      // The next activity is the video lesson.
      await expect.poll(() => page.locator('article.lesson h1').first().textContent()).toBe('Watch');
      expect(await page.locator('article.lesson video').count()).toBe(1);
      await page.getByRole('button', { name: 'Mark as done and continue' }).click();

      // The quiz: the page holds no answers; pass it.
      await expect.poll(() => page.locator('h1').textContent()).toBe('Final quiz');
      expect(await page.content()).not.toContain('Secure the scene first.');
      await shot(page, 'en-quiz');
      await page.getByLabel('Securing the scene').check();
      await page.getByLabel('Names').check();
      await page.getByLabel('Times').check();
      await page.getByLabel('False').check();
      await page.getByLabel('Your answer').fill(' 112 ');
      await page.getByRole('button', { name: 'Send my answers' }).click();
      await expect.poll(() => page.locator('.verdict .score').textContent()).toBe('Your score: 100%');
      expect(await page.locator('.verdict .status').textContent()).toBe('Passed');
      await shot(page, 'en-result');

      await page.getByRole('link', { name: 'Back to the course' }).first().click();
      await expect
        .poll(() => page.locator('.course-complete').textContent())
        .toContain('completed this course');
      expect(await page.locator('[data-activity="final-quiz"]').getAttribute('data-status')).toBe('passed');
      expect(await page.locator('[data-activity="intro"]').getAttribute('data-status')).toBe('completed');
      expect(await page.locator('.progress-row .percent').first().textContent()).toBe('100% done');
      await shot(page, 'en-outline-done');

      // Rate the course.
      await page.getByLabel('4 – Good').check();
      await page.getByLabel('Comment (optional)').fill('Clear and short.');
      await page.getByRole('button', { name: 'Send my rating' }).click();
      await expect.poll(() => page.locator('.rating').textContent()).toContain('Your rating: 4 out of 5');

      // What the box recorded.
      const person = srv.ctx.people.byUsername('awa')!;
      const verbs = (
        srv.ctx.db.records
          .prepare(
            "SELECT json_extract(body, '$.verb.display.en-US') AS v FROM journal WHERE kind = 'statement'",
          )
          .all() as { v: string }[]
      ).map((r) => r.v);
      expect(verbs).toEqual(
        expect.arrayContaining(['launched', 'experienced', 'completed', 'answered', 'passed', 'rated']),
      );
      expect(srv.ctx.learning.getRating(person.id, 'fixture-course')).toEqual({
        rating: 4,
        comment: 'Clear and short.',
      });
    } finally {
      await context.close();
    }
  });

  it('lays out Arabic right to left and continues where the trainee left off', async () => {
    const context = await phoneContext(browser, { locale: 'ar' });
    const page = await context.newPage();
    try {
      await page.goto(srv.url + '/');
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      await shot(page, 'ar-signin');
      await page.getByLabel('اسم المستخدم').fill('layla');
      await page.getByLabel('الرقم السري').fill('1357');
      await page.getByRole('button', { name: 'دخول' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('دوراتي');
      await shot(page, 'ar-courses-empty');
      // public-integrity has an Arabic variant: its text is Arabic and right to left too.
      const courseLink = page.locator('.card.course h2 a[href="/courses/public-integrity"]');
      const title = await courseLink.textContent();
      await courseLink.click();
      await expect.poll(() => page.locator('h1').textContent()).toBe(title);
      await shot(page, 'ar-outline');
      await page.locator('ol.items button.link').first().click();
      await expect.poll(() => page.locator('article.lesson').count()).toBe(1);
      expect(await page.locator('article.lesson').getAttribute('dir')).toBe('rtl');
      expect(await page.locator('article.lesson').getAttribute('lang')).toBe('ar');
      await shot(page, 'ar-lesson');
      // The header's start edge is on the right in RTL.
      const brand = await page.locator('header .brand').boundingBox();
      expect(brand!.x + brand!.width).toBeGreaterThan(330);
      expect(brand!.x).toBeGreaterThan(
        (await page.locator('header form[action="/signout"]').boundingBox())!.x,
      );
      await page.goto(srv.url + '/');
      await expect.poll(() => page.locator('.card.continue').count()).toBe(1);
      await shot(page, 'ar-courses');
      await page.locator('.card.continue button').click();
      await expect.poll(() => page.locator('article.lesson').count()).toBe(1);
      // A quiz page and its result, in Arabic.
      await page.goto(srv.url + '/courses/fixture-course/quizzes/final-quiz');
      await shot(page, 'ar-quiz');
      await page.locator('input[name="q_q1"][value="a"]').check();
      await page.locator('input[name="q_q3"][value="true"]').check();
      await page.getByRole('button', { name: 'أرسل إجاباتي' }).click();
      await expect.poll(() => page.locator('.verdict').count()).toBe(1);
      await shot(page, 'ar-result');
    } finally {
      await context.close();
    }
  });
});
