import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Language } from '../../src/core/language.js';
import { LANGUAGE_NAMES } from '../../src/web/i18n.js';
import { seedDemo } from '../../src/cli/demo.command.js';
import { LAN_HOSTS, launchChromium, phoneContext } from '../helpers/browser.js';
import { allCatalogTexts } from '../helpers/catalogs.js';
import { adminServer, type AdminServer } from '../admin-helpers.js';

/** Set FIELDCLASS_SCREENSHOTS=<dir> to keep a 360 px screenshot of every page scanned, per language. */
const SHOTS = process.env['FIELDCLASS_SCREENSHOTS'];

/**
 * Abbreviations and names a French or Arabic coordinator reads as they are (no translation exists or is
 * wanted): formats, the product's name, the spreadsheet's name, units.
 */
const ALLOWED = new Set(
  [
    'CSV',
    'SCORM',
    'USB',
    'PIN',
    'QR',
    'Wi',
    'Fi',
    'xAPI',
    'UTC',
    'HQ',
    'zip',
    'fieldclass',
    'Excel',
    'ms',
    'KB',
    'MB',
    'GB',
  ].map((w) => w.toLowerCase()),
);

/** Latin words of a text (French elisions split: "l’apprenant" -> l, apprenant). */
const latinWords = (s: string): string[] => s.match(/\p{Script=Latin}+/gu) ?? [];

/**
 * The English a French or Arabic admin page must not show: every word of the English catalogs that no
 * French text of the catalogs uses ("Score", "Total" and "Version" are French too), plus the raw values
 * that leak when a vocabulary is not translated (statuses, verbs, states) and English grammar words.
 */
async function englishWords(): Promise<Set<string>> {
  const texts = await allCatalogTexts();
  const strip = (s: string) => s.replace(/\{\w+\}/g, ' ');
  const fr = new Set(texts.flatMap((t) => latinWords(strip(t.fr)).map((w) => w.toLowerCase())));
  const en = new Set(texts.flatMap((t) => latinWords(strip(t.en)).map((w) => w.toLowerCase())));
  for (const w of [
    'the',
    'and',
    'of',
    'to',
    'is',
    'was',
    'not',
    'with',
    'for',
    'from',
    'has',
    'have',
    'this',
    'that',
    'none',
    'nothing',
    'pending',
    'written',
    'copied',
    'acknowledged',
    'refused',
    'completed',
    'passed',
    'failed',
    'started',
    'launched',
    'experienced',
    'progressed',
    'answered',
    'attempted',
    'initialized',
    'terminated',
    'suspended',
    'resumed',
    'rated',
    'error',
    'ok',
    'open',
    'closed',
    'removed',
    'expired',
    'session',
    'sessions',
    'stick',
    'launch',
    'launches',
    'load',
    'disk',
    'free',
    'old',
    'runs',
    'run',
  ])
    en.add(w);
  for (const w of fr) en.delete(w);
  for (const w of ALLOWED) en.delete(w);
  for (const w of en) if (w.length < 2) en.delete(w);
  return en;
}

/**
 * Everything a coordinator reads on the page: the visible text (with every <details> opened and every
 * select's options), the tab title, and the texts of placeholders, tooltips, labels for screen readers
 * and button values. <code> holds codes (cron, file names), read as they are.
 */
async function readableText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    for (const d of document.querySelectorAll('details')) d.open = true;
    for (const c of document.querySelectorAll('code, kbd, samp')) c.remove();
    const out = [document.title, document.body.innerText];
    for (const o of document.querySelectorAll('option')) out.push(o.textContent ?? '');
    for (const el of document.querySelectorAll('[placeholder], [title], [aria-label], [alt]'))
      for (const a of ['placeholder', 'title', 'aria-label', 'alt']) {
        const v = el.getAttribute(a);
        if (v) out.push(v);
      }
    for (const b of document.querySelectorAll<HTMLInputElement>('input[type=submit], input[type=button]'))
      out.push(b.value);
    return out;
  });
}

/**
 * The English words of a page's texts, once user data is taken out (names, usernames, agencies, classes,
 * comments, and course text in the page's language: the course's own, or its default language when it has
 * no translation). A token holding a digit, a dot, a slash or an @ is a code, a file name or an address.
 */
function findEnglish(texts: string[], lang: Language, data: string[], english: Set<string>): string[] {
  const found = new Set<string>();
  for (let text of texts) {
    for (const d of data) text = text.split(d).join(' ');
    for (const token of text.split(/\s+/)) {
      if (/[\d./@\\_=]/.test(token.replace(/[.,;:!?)»]+$/, ''))) continue;
      for (const w of latinWords(token)) {
        const lw = w.toLowerCase();
        if (ALLOWED.has(lw)) continue;
        // An Arabic page has no Latin interface word at all; a French one none of English's.
        if (lang === 'ar' ? lw.length > 1 || english.has(lw) : english.has(lw)) {
          // The word with what surrounds it, so that a failure says where to look.
          const at = text.indexOf(token);
          found.add(
            `${w} «${text.slice(Math.max(0, at - 30), at + token.length + 30).replace(/\s+/g, ' ')}»`,
          );
        }
      }
    }
  }
  return [...found];
}

describe('the French and Arabic admin shows no English (Chromium, 360 px, every admin page with data)', () => {
  let s: AdminServer;
  let browser: Browser;
  let english: Set<string>;
  const pages: { name: string; path: string }[] = [];

  beforeAll(async () => {
    // The sample courses (French and Arabic titles), 24 demo trainees with a history, ratings and comments.
    s = await adminServer({ installSampleCourses: true });
    await s.ctx.people.addCoordinator({
      username: 'amina',
      displayName: 'Amina Diallo',
      password: 'long-password-1',
    });
    const other = await s.ctx.people.addCoordinator({
      username: 'karim',
      displayName: 'Karim Benali',
      password: 'long-password-2',
    });
    await seedDemo(s.ctx, { t: Date.now() }, { trainees: 24, statementsPerTrainee: 40, seed: 12, days: 14 });
    const trainees = s.ctx.people.search({ role: 'trainee', limit: 100 }).rows;
    const course = s.ctx.content.listInstalled()[0]!;
    const cohort = s.ctx.cohorts.create('Brigade nord');
    s.ctx.cohorts.addMembers(
      cohort.id,
      trainees.slice(0, 10).map((p) => p.id),
    );
    s.ctx.cohorts.enrolCohort(cohort.id, course.id);
    // A trainee with a history: the one with the most statements (every demo trainee has some).
    const trainee = trainees[0]!;
    // A job run of each kind that leaves something: a bundle, a backup; cleanup and the SCORM sweep.
    for (const job of ['export', 'backup', 'cleanup', 'scorm-close-stale', 'usb-copy', 'health-snapshot'])
      expect((await s.server.scheduler.runNow(job)).outcome, job).toBe('ok');
    expect(s.ctx.bundles.exporter.list().length).toBeGreaterThan(0);
    s.ctx.audit.record(other.id, 'cohort.create', cohort.id, { name: cohort.name });

    pages.push(
      { name: 'dashboard', path: '/admin' },
      { name: 'trainees', path: '/admin/trainees' },
      { name: 'trainee-new', path: '/admin/trainees/new' },
      { name: 'trainee-import', path: '/admin/trainees/import' },
      { name: 'trainee', path: `/admin/trainees/${trainee.id}` },
      { name: 'trainee-history', path: `/admin/trainees/${trainee.id}/history` },
      { name: 'classes', path: '/admin/cohorts' },
      { name: 'class', path: `/admin/cohorts/${cohort.id}` },
      { name: 'courses', path: '/admin/courses' },
      { name: 'reports', path: '/admin/reports' },
      { name: 'course-report', path: `/admin/reports/courses/${course.id}` },
      { name: 'course-report-class', path: `/admin/reports/courses/${course.id}?cohort=${cohort.id}` },
      { name: 'sync', path: '/admin/sync' },
      { name: 'schedule', path: '/admin/schedule' },
      { name: 'backups', path: '/admin/backups' },
      { name: 'audit', path: '/admin/audit' },
      { name: 'coordinators', path: '/admin/coordinators' },
      { name: 'coordinator', path: `/admin/coordinators/${other.id}` },
    );
    english = await englishWords();
    browser = await launchChromium({ hosts: { [LAN_HOSTS.app]: s.url } });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.cleanup();
  });

  /** What the coordinator's data puts on a page in `lang`: taken out before the scan. */
  const dataOf = (lang: Language): string[] => {
    // The language picker names each language in itself ("English" on every page).
    const out: string[] = [
      'Amina Diallo',
      'Karim Benali',
      'amina',
      'karim',
      ...Object.values(LANGUAGE_NAMES),
    ];
    for (const p of s.ctx.people.search({ role: 'trainee', limit: 1000, includeInactive: true }).rows)
      out.push(p.displayName, p.username, p.agency ?? '', p.externalId ?? '');
    for (const c of s.ctx.cohorts.list()) out.push(c.name, c.classCode ?? '');
    for (const c of s.ctx.content.listInstalled()) {
      const o = s.ctx.content.getCourse(c.id, lang);
      if (!o) continue;
      out.push(o.title, o.description);
      for (const m of o.modules) out.push(m.title, ...m.items.map((i) => i.title));
    }
    const comments = s.ctx.db.records
      .prepare("SELECT comment FROM ratings WHERE comment <> ''")
      .pluck()
      .all();
    out.push(...(comments as string[]));
    // Longest first: a name inside a longer title goes with the title.
    return [...new Set(out.filter((x) => x.trim().length > 0))].sort((a, b) => b.length - a.length);
  };

  const signIn = async (page: Page) => {
    await page.goto(`http://${LAN_HOSTS.app}/admin/signin`);
    await page.locator('input[name=username]').fill('amina');
    await page.locator('input[name=password]').fill('long-password-1');
    await page.locator('form button[type=submit]').last().click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/admin');
  };

  for (const lang of ['fr', 'ar'] as const) {
    it(`${lang}: every admin page, and its unhappy paths, in ${lang} only`, async () => {
      const ctx = await phoneContext(browser, { locale: lang === 'fr' ? 'fr-FR' : 'ar' });
      const page = await ctx.newPage();
      const problems: string[] = [];
      const data = dataOf(lang);
      const scan = async (name: string) => {
        expect(await page.locator('html').getAttribute('lang'), name).toBe(lang);
        if (SHOTS) await page.screenshot({ path: join(SHOTS, `lang-${lang}-${name}.png`), fullPage: true });
        const words = findEnglish(await readableText(page), lang, data, english);
        if (words.length) problems.push(`${name}: ${words.join(' | ')}`);
      };

      // The sign-in page, then a wrong password.
      await page.goto(`http://${LAN_HOSTS.app}/admin/signin`);
      await scan('signin');
      await page.locator('input[name=username]').fill('amina');
      await page.locator('input[name=password]').fill('wrong-password');
      await page.locator('form button[type=submit]').last().click();
      await expect.poll(() => page.locator('.flash, .error, [role=alert]').count()).toBeGreaterThan(0);
      await scan('signin-refused');

      await signIn(page);
      for (const p of pages) {
        const r = await page.goto(`http://${LAN_HOSTS.app}${p.path}`);
        expect(r?.status(), p.path).toBe(200);
        await scan(p.name);
      }

      // Unhappy paths: a refused trainee form, a CSV that is not text, a course file that is not a course.
      await page.goto(`http://${LAN_HOSTS.app}/admin/trainees/new`);
      await page.locator('input[name=username]').fill('x');
      await page.locator('input[name=pin]').fill('12');
      // The server's answer is what is scanned, not the browser's own checks of the fields.
      await page.evaluate(() => document.querySelectorAll('form').forEach((f) => (f.noValidate = true)));
      await page.locator('main form button[type=submit]').last().click();
      await expect.poll(() => page.locator('[aria-invalid=true]').count()).toBeGreaterThan(0);
      await scan('trainee-new-refused');

      await page.goto(`http://${LAN_HOSTS.app}/admin/trainees/import`);
      await page.locator('input[type=file]').setInputFiles({
        name: 'class.xlsx',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0x08, 0, 1, 2, 3, 0, 0xff, 0xfe]),
      });
      await page.locator('main form button[type=submit]').first().click();
      await expect.poll(() => page.locator('.flash, .error, [role=alert]').count()).toBeGreaterThan(0);
      await scan('trainee-import-refused');

      // The dashboard's unhappy states: little disk left, a hot box, under-voltage, and this phone's clock
      // two hours off the box's (admin.js shows the clock warning).
      s.probe.values = {
        diskFreeBytes: 100 * 2 ** 20,
        cpuTempC: 85,
        throttling: {
          raw: 'throttled=0x50005',
          underVoltageNow: true,
          throttledNow: true,
          underVoltageSinceBoot: true,
          throttledSinceBoot: true,
        },
      };
      try {
        await page.clock.install({ time: new Date(Date.now() + 2 * 3600_000) });
        await page.goto(`http://${LAN_HOSTS.app}/admin`);
        await expect.poll(() => page.locator('#clock-warning').isVisible()).toBe(true);
        expect(await page.locator('[role=alert]').count()).toBeGreaterThanOrEqual(3);
        await scan('dashboard-unhappy');
      } finally {
        s.probe.values = {};
      }

      await ctx.close();
      expect(problems).toEqual([]);
    });
  }
});

describe('the first-run setup page in French and Arabic shows no English (Chromium, 360 px, a box with no coordinator)', () => {
  let s: AdminServer;
  let browser: Browser;
  let english: Set<string>;
  beforeAll(async () => {
    s = await adminServer();
    english = await englishWords();
    browser = await launchChromium({ hosts: { [LAN_HOSTS.app]: s.url } });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.cleanup();
  });

  for (const lang of ['fr', 'ar'] as const) {
    it(`${lang}: the setup page, then a wrong code and a password typed twice differently`, async () => {
      const ctx = await phoneContext(browser, { locale: lang === 'fr' ? 'fr-FR' : 'ar' });
      const page = await ctx.newPage();
      const problems: string[] = [];
      const data = ['fieldclass', ...Object.values(LANGUAGE_NAMES)];
      const scan = async (name: string) => {
        expect(await page.locator('html').getAttribute('lang'), name).toBe(lang);
        if (SHOTS) await page.screenshot({ path: join(SHOTS, `lang-${lang}-${name}.png`), fullPage: true });
        const words = findEnglish(await readableText(page), lang, data, english);
        if (words.length) problems.push(`${name}: ${words.join(' | ')}`);
      };
      await page.goto(`http://${LAN_HOSTS.app}/admin`);
      await expect.poll(() => new URL(page.url()).pathname).toBe('/admin/setup');
      await scan('setup');
      await page.locator('input[name=code]').fill('WRONG-CODE-0000');
      await page.locator('input[name=username]').fill('amina');
      await page.locator('input[name=password]').fill('long-password-1');
      await page.locator('input[name=password2]').fill('long-password-2');
      await page.locator('main form button[type=submit]').last().click();
      await expect.poll(() => page.locator('[aria-invalid=true], [role=alert]').count()).toBeGreaterThan(0);
      await scan('setup-refused');
      expect(s.ctx.people.count('coordinator')).toBe(0);
      await ctx.close();
      expect(problems).toEqual([]);
    });
  }
});
