import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { launchChromium, phoneContext } from '../helpers/browser.js';
import { testServer } from '../helpers/context.js';

const COURSE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'offline-course');
const SHOTS = process.env['FIELDCLASS_SCREENSHOTS'];
const SITE = 'http://class.lan';
/** Waits on the network and IndexedDB: generous, as the machine may be busy (never a timing assertion). */
const SLOW = { timeout: 15_000 };

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

  const heading = (page: Page) => page.locator('article.lesson h1').first().textContent();

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

      // Back on the Wi-Fi: the queue is sent, in the order the trainee acted, each once.
      await context.setOffline(false);
      await expect.poll(() => page.locator('#fc-banner').textContent(), SLOW).toContain('Sent');
      expect(completed('awa')).toEqual(['l1', 'l2', 'l3']);
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
