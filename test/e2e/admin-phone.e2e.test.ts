import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { LAN_HOSTS, launchChromium, phoneContext } from '../helpers/browser.js';
import { tempDir } from '../helpers/context.js';
import { adminServer, type AdminServer } from '../admin-helpers.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
/** Set FIELDCLASS_SCREENSHOTS=<dir> to keep the screenshots (dashboard and report, fr and ar, 360 px). */
const SHOTS = process.env['FIELDCLASS_SCREENSHOTS'];

/**
 * The coordinator's phone (360 px) in French and Arabic, at http://class.lan: the dashboard explains the box
 * (address, Wi-Fi, QR codes, how busy in words; "jamais" a word, not a column of letters) and the course
 * report's chart is readable and grows from the right in Arabic. Nothing is wider than the screen.
 */
describe('the admin on a coordinator’s phone (fr, ar)', () => {
  let s: AdminServer;
  let browser: Browser;
  const net = tempDir('fieldclass-net-');
  beforeAll(async () => {
    const conf = join(net.dir, 'network.conf');
    writeFileSync(conf, 'SSID=Salle-3\nPASSPHRASE=tigre-bleu-42\n');
    s = await adminServer({ allowedOrigins: ['http://class.lan'] }, { networkConf: conf });
    s.probe.values = { cpuLoad: 9.47 };
    s.ctx.content.installFolder(FIXTURE);
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    for (let i = 0; i < 4; i++) {
      const p = await s.ctx.people.addTrainee({ username: `t${i}`, pin: '2468' });
      if (i > 0) await s.ctx.learning.completeLesson(p, 'fixture-course', 'intro', 'en');
      if (i > 1) await s.ctx.learning.completeLesson(p, 'fixture-course', 'video', 'en');
    }
    browser = await launchChromium({ hosts: { [LAN_HOSTS.app]: s.url } });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.cleanup();
    net.cleanup();
  });

  const signIn = async (locale: string, user: string, password: string, button: string) => {
    const ctx = await phoneContext(browser, { locale });
    const page = await ctx.newPage();
    await page.goto(`http://${LAN_HOSTS.app}/admin/signin`);
    await page.locator('#username').fill(user);
    await page.locator('#password').fill(password);
    await page.getByRole('button', { name: button }).click();
    await page.waitForURL((u) => !u.pathname.endsWith('/signin'));
    return page;
  };
  const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  for (const [lang, locale, button, never, busy] of [
    ['fr', 'fr-FR', 'Se connecter', 'jamais', 'surchargé'],
    ['ar', 'ar', 'تسجيل الدخول', 'أبداً', 'مثقل'],
  ] as const) {
    it(`dashboard and course report at 360 px (${lang})`, async () => {
      const page = await signIn(locale, 'coord', 'long-password-1', button);
      await page.goto(`http://${LAN_HOSTS.app}/admin`);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      const connect = page.locator('#connect');
      await expect.poll(() => connect.locator('a[href="http://class.lan/"]').count()).toBe(1);
      expect(await connect.locator('svg').count()).toBe(2);
      const qr = await connect.locator('svg').first().boundingBox();
      expect(qr!.width).toBeGreaterThanOrEqual(120);
      expect(await page.locator('[data-load]').textContent()).toContain(busy);
      // "never" in the Sync card: on one line, its own width (it was one letter per line at 360 px).
      const neverBox = await page.locator('dd', { hasText: never }).first().boundingBox();
      expect(neverBox!.height).toBeLessThan(40);
      expect(await pageWidth(page)).toBeLessThanOrEqual(360);
      await shot(page, `dashboard-360-${lang}`);

      await page.goto(`http://${LAN_HOSTS.app}/admin/reports/courses/fixture-course`);
      const bars = page.locator('figure.chart .bars li');
      await expect.poll(() => bars.count()).toBe(6);
      // The band labels read at the page's size, not shrunk with a drawing.
      const fontSize = await page
        .locator('figure.chart .band')
        .first()
        .evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
      expect(fontSize).toBeGreaterThanOrEqual(13);
      // A non-empty bar starts at the track's inline start: its left in French, its right in Arabic.
      const band = bars.filter({ has: page.locator('.count', { hasText: /^[1-9]/ }) }).first();
      const bar = (await band.locator('.bar').boundingBox())!;
      const track = (await band.locator('.track').boundingBox())!;
      expect(bar.width).toBeGreaterThan(10);
      if (lang === 'ar') expect(Math.abs(bar.x + bar.width - (track.x + track.width))).toBeLessThan(1.5);
      else expect(Math.abs(bar.x - track.x)).toBeLessThan(1.5);
      expect(await pageWidth(page)).toBeLessThanOrEqual(360);
      await shot(page, `report-360-${lang}`);
      await page.context().close();
    });
  }

  for (const [lang, locale, button, event] of [
    ['fr', 'fr-FR', 'Se connecter', 'Tâche lancée'],
    ['ar', 'ar', 'تسجيل الدخول', 'تشغيل مهمة'],
  ] as const) {
    it(`the audit log at 360 px, filtered by event, details in full on screen (${lang})`, async () => {
      const coord = s.ctx.people.byUsername('coord')!;
      s.ctx.audit.record(
        coord.id,
        'course.install_refused',
        'upload:police-procedures-2026-final-version.zip',
        {
          code: 'course_manifest_invalid',
          bytes: 48_213_112,
          source: 'upload:police-procedures-2026-final-version.zip',
        },
      );
      for (let i = 0; i < 3; i++) s.ctx.audit.record(coord.id, 'job.run', 'cleanup');
      const page = await signIn(locale, 'coord', 'long-password-1', button);
      await page.goto(`http://${LAN_HOSTS.app}/admin/audit`);
      const refused = page
        .locator('.audit-log li', { has: page.locator('[data-action="course.install_refused"]') })
        .first();
      await expect.poll(() => refused.isVisible()).toBe(true);
      // The whole entry, details included, inside the screen: no column off to the side.
      const details = (await refused.locator('.audit-details').boundingBox())!;
      expect(details.x).toBeGreaterThanOrEqual(0);
      expect(details.x + details.width).toBeLessThanOrEqual(360);
      expect(await pageWidth(page)).toBeLessThanOrEqual(360);
      await shot(page, `audit-360-${lang}`);
      await page.locator('select[name="event"]').selectOption({ label: event });
      await page.locator('form[role="search"] button[type="submit"]').click();
      await page.waitForURL((u) => u.searchParams.get('event') === 'job.run');
      const shown = await page
        .locator('.audit-log [data-action]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
      expect(shown.length).toBeGreaterThanOrEqual(3);
      expect(new Set(shown)).toEqual(new Set(['job.run']));
      expect(await pageWidth(page)).toBeLessThanOrEqual(360);
      await page.context().close();
    });
  }

  for (const [lang, locale, button, change, weekly, timeError, monday, saved] of [
    [
      'fr',
      'fr-FR',
      'Se connecter',
      'Modifier la planification',
      'Certains jours de la semaine',
      'écrivez l’heure et les minutes',
      'lundi',
      'Chaque lundi à 18:30',
    ],
    [
      'ar',
      'ar',
      'تسجيل الدخول',
      'تغيير الموعد',
      'في أيام محددة من الأسبوع',
      'اكتب الساعة والدقائق',
      'الاثنين',
      'كل الاثنين الساعة 18:30',
    ],
  ] as const) {
    it(`a schedule changed in words at 360 px, a bad time kept beside its field (${lang})`, async () => {
      // Each language starts from the configured "every day at 01:30".
      s.ctx.records.writeNow(() => s.ctx.records.setMeta('job_schedule:backup', '30 1 * * *'));
      s.server.scheduler.reschedule('backup', '30 1 * * *');
      const page = await signIn(locale, 'coord', 'long-password-1', button);
      await page.goto(`http://${LAN_HOSTS.app}/admin/schedule`);
      const card = page.locator('section[data-job="backup"]');
      await card.locator('summary', { hasText: change }).click();
      const form = card.locator('form.schedule-form');
      // "Every day": the time shows, the days and the interval do not (admin.css, no script).
      await expect.poll(() => form.locator('.s-time').isVisible()).toBe(true);
      expect(await form.locator('.s-days').isVisible()).toBe(false);
      expect(await form.locator('.s-minutes').isVisible()).toBe(false);
      await form.locator('select[name="kind"]').selectOption({ label: weekly });
      await expect.poll(() => form.locator('.s-days').isVisible()).toBe(true);
      await form.locator('input[name="time"]').fill('25:00');
      await form.getByLabel(monday).check();
      await form.locator('button[type="submit"]').click();
      // Refused: the same card, open, the message under the time field, what was typed kept.
      const error = page.locator('#backup-time-error');
      await expect.poll(() => error.isVisible()).toBe(true);
      expect(await error.textContent()).toContain(timeError);
      const time = page.locator('#backup-time');
      expect(await time.inputValue()).toBe('25:00');
      expect(await page.locator('#backup-kind').inputValue()).toBe('weekly');
      expect(await page.locator('section[data-job="backup"]').getByLabel(monday).isChecked()).toBe(true);
      const input = (await time.boundingBox())!;
      const msg = (await error.boundingBox())!;
      expect(msg.y).toBeGreaterThan(input.y);
      expect(msg.y - (input.y + input.height)).toBeLessThan(80);
      expect(await pageWidth(page)).toBeLessThanOrEqual(360);
      await shot(page, `schedule-refused-360-${lang}`);
      await time.fill('18h30');
      await page.locator('section[data-job="backup"] form.schedule-form button[type="submit"]').click();
      await expect.poll(() => page.locator('[role="status"]').count()).toBe(1);
      expect(await page.locator('section[data-job="backup"] .schedule-now').textContent()).toContain(saved);
      expect(s.ctx.records.getMeta('job_schedule:backup')).toBe('30 18 * * 1');
      expect(await pageWidth(page)).toBeLessThanOrEqual(360);
      await shot(page, `schedule-360-${lang}`);
      await page.context().close();
    });
  }
});
