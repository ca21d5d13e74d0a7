/**
 * HQ's tables on a phone (360 px) in a real Chromium, in French and Arabic: a table keeps readable
 * columns and its box scrolls sideways (the page itself does not), and a shadow on the side where more
 * of the table lies shows that it scrolls - on the inline end at first (the right in French, the left in
 * Arabic), on the other side once scrolled to the end. The shadow is read from the pixels of a
 * screenshot, with the table hidden so that only what the CSS paints behind it is measured.
 * FIELDCLASS_SCREENSHOTS=<dir> keeps the full pages.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, ElementHandle, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHqServer, type RunningHqServer } from '../../src/app/hq.app.js';
import { LANGUAGE_NAMES } from '../../src/web/i18n.js';
import { LAN_HOSTS, launchChromium, phoneContext } from '../helpers/browser.js';
import { Journal, makeBox, testHq, writeBundle } from '../hq.fixtures.js';

const SHOTS = process.env['FIELDCLASS_SCREENSHOTS'];
const SITE = `http://${LAN_HOSTS.app}`;

let hq: ReturnType<typeof testHq>;
let server: RunningHqServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  hq = testHq();
  dir = mkdtempSync(join(tmpdir(), 'fc-hq-phone-'));
  const box = makeBox('Boîtier Dakar', 'Dakar');
  hq.appliances.enrol(box.enrolRequest);
  await hq.users.add('amina', 'correct horse battery');
  const j = new Journal();
  j.course('c1', { en: 'Crime scene basics', fr: 'Bases de la scène de crime', ar: 'أساسيات مسرح الجريمة' });
  ['Awa Diop', 'Élodie Ndiaye', 'أمينة بنعلي', 'Stagiaire 2', 'Stagiaire 10'].forEach((name, i) => {
    j.person({ id: `p${i}`, displayName: name, externalId: `OFF-${i}`, agency: 'Police', gender: 'female' });
    j.statement({ person: `p${i}`, course: 'c1', activity: 'l1', verb: 'experienced' });
  });
  const b = await writeBundle(box, dir, { bundleSeq: 1, rows: j.rows });
  expect((await hq.imports.importFile(b.path)).status).toBe('imported');
  server = await startHqServer(hq);
  browser = await launchChromium({ hosts: { [LAN_HOSTS.app]: server.url } });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  hq?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Staff sign in on a phone, in `lang` chosen with the header's language buttons. */
async function signIn(page: Page, lang: 'fr' | 'ar'): Promise<void> {
  await page.goto(`${SITE}/signin`);
  await page.getByRole('button', { name: LANGUAGE_NAMES[lang], exact: true }).click();
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(lang);
  await page.locator('#username').fill('amina');
  await page.locator('#password').fill('correct horse battery');
  await page.locator('form[action="/signin"] button[type="submit"]').click();
  await page.locator('form[action="/signin"]').waitFor({ state: 'detached', timeout: 20_000 });
}

/** Mean brightness (0-255) of the `px` columns at the left and right edges of a PNG, decoded by Chromium. */
async function edgeBrightness(scratch: Page, png: Buffer, px = 6): Promise<{ left: number; right: number }> {
  return scratch.evaluate(
    async ({ b64, px }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bmp.width, bmp.height);
      const g = canvas.getContext('2d')!;
      g.drawImage(bmp, 0, 0);
      const mean = (x0: number) => {
        const d = g.getImageData(x0, 0, px, bmp.height).data;
        let sum = 0;
        for (let i = 0; i < d.length; i += 4) sum += (d[i]! + d[i + 1]! + d[i + 2]!) / 3;
        return sum / (d.length / 4);
      };
      return { left: mean(0), right: mean(bmp.width - px) };
    },
    { b64: png.toString('base64'), px },
  );
}

describe('HQ tables on a phone', () => {
  for (const lang of ['fr', 'ar'] as const) {
    it(`scroll sideways inside their box and show it with a shadow (${lang}, 360 px)`, async () => {
      // An English browser: the language is chosen on the page, as staff would.
      const ctx = await phoneContext(browser, { locale: 'en-US' });
      const page = await ctx.newPage();
      const scratch = await ctx.newPage();
      await signIn(page, lang);
      for (const path of ['/', '/reports/courses', '/reports/trainees']) {
        await page.goto(`${SITE}${path}`);
        expect(await page.locator('html').getAttribute('dir')).toBe(lang === 'ar' ? 'rtl' : 'ltr');
        const box = page.locator('.scroll').first();
        const size = await box.evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
        // The table is wider than its box, and the box (not the page) scrolls.
        expect(size.scroll).toBeGreaterThan(size.client);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(
          true,
        );
        if (SHOTS) {
          mkdirSync(SHOTS, { recursive: true });
          const name = path === '/' ? 'appliances' : path.split('/').pop()!;
          await page.screenshot({ path: join(SHOTS, `hq-${lang}-360-${name}.png`), fullPage: true });
        }
      }

      // The cue on the Trainees table: only the box's background painted (the table hidden, its space kept).
      const hidden = await page.addStyleTag({ content: '.scroll > table { visibility: hidden }' });
      const el = (await page.locator('.scroll').first().elementHandle()) as ElementHandle<HTMLElement>;
      const rtl = lang === 'ar';
      const atStart = await edgeBrightness(scratch, await el.screenshot());
      // Scroll to the far end (negative scrollLeft in RTL) and wait until the box is there.
      await el.evaluate((e, rtl) => e.scrollTo({ left: rtl ? -e.scrollWidth : e.scrollWidth }), rtl);
      await expect
        .poll(() => el.evaluate((e) => e.scrollWidth - e.clientWidth - Math.abs(e.scrollLeft)))
        .toBeLessThanOrEqual(1);
      const atEnd = await edgeBrightness(scratch, await el.screenshot());
      const [startSide, endSide] = rtl ? (['right', 'left'] as const) : (['left', 'right'] as const);
      // At first: the end side is shaded (more table there), the start side is plain card white.
      expect(atStart[endSide]).toBeLessThan(235);
      expect(atStart[startSide]).toBeGreaterThan(250);
      // At the end: the other way round.
      expect(atEnd[startSide]).toBeLessThan(235);
      expect(atEnd[endSide]).toBeGreaterThan(250);
      await hidden.evaluate((s) => (s as Element).remove());
      if (SHOTS)
        await page.screenshot({ path: join(SHOTS, `hq-${lang}-360-trainees-scrolled.png`), fullPage: true });
      await ctx.close();
    });
  }
});
