import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { launchChromium, phoneContext } from '../helpers/browser.js';
import { testServer } from '../helpers/context.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
const LOGO = join(PACKAGE_ROOT, 'test', 'fixtures', 'brand', 'logo.svg');
/** Set FIELDCLASS_SCREENSHOTS=<dir> to keep the 360 px screenshots (they are meant to be looked at). */
const SHOTS = process.env['FIELDCLASS_SCREENSHOTS'];
const SITE = 'http://class.lan';
const ORG = 'National Police Academy';

/**
 * Every tap target on the page smaller than 44 CSS px high: links, buttons, fields, summaries, and the
 * rows of answer options (the row is the target: a tap anywhere on it picks the answer). Links inside
 * lesson text are inline and excepted, as WCAG 2.5.8 does.
 */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const sel = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, label.choice';
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(sel))) {
      if (el.closest('.lesson-body')) continue;
      if (el.matches('label.choice input')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not rendered (a closed <details>)
      if (r.height < 44)
        out.push(
          `${el.tagName.toLowerCase()}.${el.className} "${el.textContent?.trim().slice(0, 30)}" ${r.height}px`,
        );
    }
    return out;
  });
}

const noSideScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

/**
 * Where the percent sign of a score is drawn against its number: "after" when it stands to the right of
 * the digits, as "75%" and "75 %" are written, in Arabic text too (Western digits); "before" when the
 * text shows "%75" (a bare "75%" inside an Arabic sentence did).
 */
const percentSide = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      const sign = text.indexOf('%');
      if (sign < 0) continue;
      let digit = sign - 1;
      while (digit >= 0 && !/[0-9]/.test(text[digit]!)) digit--;
      const rect = (i: number) => {
        const r = document.createRange();
        r.setStart(node, i);
        r.setEnd(node, i + 1);
        return r.getBoundingClientRect();
      };
      return rect(sign).left >= rect(digit).right - 1 ? 'after' : 'before';
    }
    return 'no percent';
  });

describe('made for thumbs: trainee pages at 360 px as http://class.lan', () => {
  let srv: Awaited<ReturnType<typeof testServer>>;
  let browser: Browser;

  beforeAll(async () => {
    srv = await testServer({ organisation: { name: ORG, logo: LOGO } });
    srv.ctx.content.installFolder(FIXTURE);
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
    await srv.ctx.people.addTrainee({ username: 'layla', pin: '9753', displayName: 'ليلى', language: 'ar' });
    browser = await launchChromium({ hosts: { 'class.lan': srv.url } });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.cleanup();
  });

  // The fixture course has English and French variants; Arabic pages fall back to the English text.
  const EN = { photos: 'Photos', log: 'Names · Times', secure: 'Securing the scene' };
  const FR = { photos: 'Des photos', log: 'Les noms · Les heures', secure: 'Sécuriser la scène' };
  const cases = [
    {
      lang: 'en',
      locale: 'en-US',
      user: 'awa',
      pin: '2468',
      done: /Mark as done/,
      send: 'Send my answers',
      texts: EN,
    },
    {
      lang: 'fr',
      locale: 'fr-FR',
      user: 'marie',
      pin: '1357',
      done: /J’ai terminé/,
      send: 'Envoyer mes réponses',
      texts: FR,
    },
    {
      lang: 'ar',
      locale: 'ar',
      user: 'layla',
      pin: '9753',
      done: /تحديد كمكتمل/,
      send: 'أرسل إجاباتي',
      texts: EN,
    },
  ] as const;

  for (const c of cases)
    it(`every tap target is at least 44 px high, the review and the rating read right (${c.lang})`, async () => {
      const context = await phoneContext(browser, { locale: c.locale });
      const page = await context.newPage();
      const check = async (name: string) => {
        expect(await smallTargets(page), name).toEqual([]);
        expect(await noSideScroll(page), name).toBeLessThanOrEqual(360);
        if (SHOTS) await page.screenshot({ path: join(SHOTS, `${c.lang}-${name}.png`), fullPage: true });
      };
      try {
        await page.goto(`${SITE}/`);
        expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
        // The organisation from the config, its logo also the favicon; never "fieldclass".
        expect(await page.locator('header .brand').textContent()).toBe(ORG);
        expect(await page.title()).toContain(ORG);
        const logo = await page.locator('header .brand img').getAttribute('src');
        expect(logo).toMatch(/^\/static\/logo\.[0-9a-f]{12}\.svg$/);
        expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe(logo);
        await expect
          .poll(() => page.locator('header .brand img').evaluate((i: HTMLImageElement) => i.naturalWidth))
          .toBeGreaterThan(0);
        await check('signin');

        await page.locator('#username').fill(c.user);
        await page.locator('#pin').fill(c.pin);
        await page.locator('form[action="/signin"] button[type="submit"]').click();
        await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(c.lang);
        await expect.poll(() => page.locator('.card.course').count()).toBe(1);
        await check('courses');

        await page.locator('.card.course h2 a').click();
        await expect.poll(() => page.locator('ol.items').count()).toBe(2);
        await check('outline');

        await page.locator('[data-activity="intro"] button').click();
        await expect.poll(() => page.locator('article.lesson').count()).toBe(1);
        await check('lesson');
        await page.getByRole('button', { name: c.done }).click();
        await expect.poll(() => page.locator('article.lesson video').count()).toBe(1);
        await page.getByRole('button', { name: c.done }).click();
        await expect.poll(() => page.locator('form.quiz').count()).toBe(1);

        // Quiz options are full-width rows: as wide as their question card's content.
        const rows = await page.locator('label.choice').evaluateAll((els) =>
          els.map((e) => {
            const box = e.getBoundingClientRect();
            const card = e.closest('fieldset')!;
            const cs = getComputedStyle(card);
            const inner =
              card.getBoundingClientRect().width -
              parseFloat(cs.paddingLeft) -
              parseFloat(cs.paddingRight) -
              parseFloat(cs.borderLeftWidth) -
              parseFloat(cs.borderRightWidth);
            return { w: box.width, inner };
          }),
        );
        expect(rows.length).toBe(7);
        for (const r of rows) expect(r.w).toBeGreaterThanOrEqual(r.inner - 1);
        await check('quiz');

        // A first attempt that fails (2 of 4): the review shows what was given and what was right or
        // not, but not the right answers while attempts are left.
        await page.locator('input[name="q_q1"][value="a"]').check();
        await page.locator('input[name="q_q2"][value="a"]').check();
        await page.locator('input[name="q_q2"][value="c"]').check();
        await page.locator('input[name="q_q3"][value="true"]').check();
        await page.locator('input[name="q_q4"]').fill('112');
        await page.getByRole('button', { name: c.send }).click();
        await expect.poll(() => page.locator('.verdict').count()).toBe(1);
        expect(await page.locator('.verdict .count').textContent()).toMatch(/2\D+4/);
        expect(await page.locator('.feedback [data-question="q1"] .given').textContent()).toContain(
          c.texts.photos,
        );
        expect(await page.locator('.feedback [data-question="q2"] .given').textContent()).toContain(
          c.texts.log,
        );
        expect(await page.locator('.feedback .expected').count()).toBe(0);
        expect(await page.content()).not.toContain(c.texts.secure);
        await check('result-failed');

        // A second attempt that passes (3 of 4): now the right answer to the missed question is shown.
        await page.locator('.actions a.button').first().click();
        await expect.poll(() => page.locator('form.quiz').count()).toBe(1);
        await page.locator('input[name="q_q1"][value="a"]').check();
        await page.locator('input[name="q_q2"][value="a"]').check();
        await page.locator('input[name="q_q2"][value="c"]').check();
        await page.locator('input[name="q_q3"][value="false"]').check();
        await page.locator('input[name="q_q4"]').fill('112');
        await page.getByRole('button', { name: c.send }).click();
        await expect.poll(() => page.locator('.verdict.passed').count()).toBe(1);
        expect(await page.locator('.verdict .count').textContent()).toMatch(/3\D+4/);
        expect(await page.locator('.feedback .expected').count()).toBe(1);
        expect(await page.locator('.feedback [data-question="q1"] .expected').textContent()).toContain(
          c.texts.secure,
        );
        await check('result-passed');
        expect(await percentSide(page, '.verdict .score')).toBe('after');

        // Rate the course: the thank-you and the comment are shown back where the page lands.
        await page.locator('.actions a.button').first().click();
        await expect.poll(() => page.locator('#rating').count()).toBe(1);
        await check('outline-done');
        await page.locator('input[name="rating"][value="4"]').check();
        await page.locator('#comment').fill('Clear, short — بسيط.');
        await page.locator('#rating button[type="submit"]').click();
        await expect.poll(() => page.locator('.thanks').count()).toBe(1);
        const thanks = (await page.locator('.thanks').boundingBox())!;
        expect(thanks.y).toBeGreaterThanOrEqual(0);
        expect(thanks.y + thanks.height).toBeLessThanOrEqual(740);
        expect(await page.locator('.rating blockquote').textContent()).toBe('Clear, short — بسيط.');
        expect(await smallTargets(page)).toEqual([]);
        if (SHOTS) await page.screenshot({ path: join(SHOTS, `${c.lang}-rated.png`) });
      } finally {
        await context.close();
      }
    });
});
