/**
 * A quiz sent from a phone counts once (Chromium at 360 px as http://class.lan, not a secure context):
 * the page script gives each submission its own random operation id (crypto.randomUUID is missing
 * here), disables the button while sending, and a double tap records one attempt; with JavaScript off the
 * id the box put in the form does the same.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { doubleSubmit, launchChromium, phoneContext, signInTrainee } from '../helpers/browser.js';
import { testServer } from '../helpers/context.js';

const COURSE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'offline-course');
const SITE = 'http://class.lan';
const QUIZ = `${SITE}/courses/offline-course/quizzes/final-quiz`;

describe('one quiz submission, one attempt (Chromium, http://class.lan)', () => {
  let srv: Awaited<ReturnType<typeof testServer>>;
  let browser: Browser;

  beforeAll(async () => {
    srv = await testServer();
    srv.ctx.content.installFolder(COURSE);
    for (const u of ['kofi', 'lina'])
      await srv.ctx.people.addTrainee({ username: u, pin: '2468', displayName: u, language: 'en' });
    browser = await launchChromium({ hosts: { 'class.lan': srv.url } });
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.cleanup();
  });

  const attempts = (username: string) =>
    srv.ctx.db.records
      .prepare("SELECT count(*) FROM attempts WHERE person_id = ? AND kind = 'quiz'")
      .pluck()
      .get(srv.ctx.people.byUsername(username)!.id);
  const ops = (username: string) =>
    srv.ctx.db.records
      .prepare("SELECT id FROM operations WHERE person_id = ? AND action = 'quiz.submit'")
      .pluck()
      .all(srv.ctx.people.byUsername(username)!.id) as string[];

  async function answer(page: Page, user: string) {
    await signInTrainee(page, SITE, user);
    await page.goto(QUIZ);
    await page.locator('input[name="q_q1"][value="a"]').check();
    await page.locator('input[name="q_q2"][value="b"]').check();
    await page.locator('input[name="q_q3"][value="true"]').check();
    await page.locator('input[name="q_q4"]').fill('no idea');
  }

  it('with JavaScript: a double tap sends once, under a fresh random id', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    try {
      await answer(page, 'kofi');
      const fromBox = await page.locator('input[name="op"]').inputValue();
      await doubleSubmit(page, page.locator('form.quiz button[type="submit"]'), /\/result$/);
      expect(attempts('kofi')).toBe(1);
      const [used] = ops('kofi');
      expect(used).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(used).not.toBe(fromBox);
    } finally {
      await context.close();
    }
  });

  it('without JavaScript: the id the box put in the form; the same form sent again is one attempt', async () => {
    const context = await phoneContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await answer(page, 'lina');
      const fromBox = await page.locator('input[name="op"]').inputValue();
      const form = Object.fromEntries(
        await page.locator('form.quiz input').evaluateAll((els) =>
          els
            .filter((e) => (e as HTMLInputElement).type !== 'radio' || (e as HTMLInputElement).checked)
            .filter((e) => (e as HTMLInputElement).type !== 'checkbox' || (e as HTMLInputElement).checked)
            .map((e) => [(e as HTMLInputElement).name, (e as HTMLInputElement).value]),
        ),
      ) as Record<string, string>;
      await doubleSubmit(page, page.locator('form.quiz button[type="submit"]'), /\/result$/);
      // The same form sent again, as after a timeout: same cookies, same fields, to the same host.
      const cookie = (await context.cookies(SITE)).map((c) => `${c.name}=${c.value}`).join('; ');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${srv.url}/courses/offline-course/quizzes/final-quiz`, {
          method: 'POST',
          headers: {
            host: 'class.lan',
            origin: SITE,
            cookie,
            'content-type': 'application/x-www-form-urlencoded',
          },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(new URLSearchParams(form).toString());
      });
      expect(status).toBe(303);
      expect(attempts('lina')).toBe(1);
      expect(ops('lina')).toEqual([fromBox]);
    } finally {
      await context.close();
    }
  });
});
