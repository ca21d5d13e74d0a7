/**
 * Made for thumbs, on every page a trainee can reach: a walk of the whole trainee site at 360 px in
 * en, fr and ar (RTL), in Chromium loading it as http://class.lan. From the start page (signed out, then
 * signed in), every link and every "open" button of the site is followed, breadth first; on each page
 * every tap target is at least 44 px high (links inside lesson text excepted, as WCAG 2.5.8 does) and
 * nothing is wider than the screen. The box has what a new user meets: the sample courses, a course
 * with a video and a quiz, one kept for offline reading, and a SCORM package; plus the states that only
 * the page script shows: steps saved on the phone, and a step too old to send without asking.
 * Screenshots of the banner states go to $FIELDCLASS_SCREENSHOTS (to be looked at).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importContent } from '../../src/content/course-bundle.js';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { LAN_HOSTS, launchChromium, phoneContext, signInTrainee } from '../helpers/browser.js';
import { testServer } from '../helpers/context.js';
import { SCORM_FIXTURES, zipFolder } from '../fixtures/scorm/make-zip.js';

const COURSES = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses');
const SHOTS = process.env['FIELDCLASS_SCREENSHOTS'];
const SITE = `http://${LAN_HOSTS.app}`;
const SLOW = { timeout: 15_000 };

/** What is too small or too wide on the page shown now (empty when it is made for thumbs). */
async function problems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const sel = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, label.choice';
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(sel))) {
      if (el.closest('.lesson-body')) continue; // inline links in lesson text (WCAG 2.5.8's exception)
      if (el.matches('label.choice input')) continue; // the row around it is the target
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not rendered (a closed <details>, hidden)
      if (r.height < 44)
        out.push(
          `${el.tagName.toLowerCase()}.${el.className} "${el.textContent?.trim().slice(0, 30)}" ${r.height}px`,
        );
    }
    const wide = document.documentElement.scrollWidth;
    if (wide > window.innerWidth) out.push(`page is ${wide}px wide`);
    return out;
  });
}

/** The pages of this site the page links to or opens with a button ("Open" posts, then shows the GET). */
async function linksOn(page: Page): Promise<string[]> {
  return page.evaluate((site) => {
    const urls = new Set<string>();
    for (const a of Array.from(document.querySelectorAll<HTMLAnchorElement>('a[href]'))) urls.add(a.href);
    for (const f of Array.from(document.querySelectorAll<HTMLFormElement>('form[action$="/open"]')))
      urls.add(f.action.replace(/\/open$/, ''));
    return [...urls]
      .map((u) => new URL(u, location.href))
      .filter((u) => u.origin === site && !/^\/(c|static|scorm-rt)\//.test(u.pathname))
      .filter((u) => !/\.(csv|zip|mp4|webm|pdf)$/.test(u.pathname))
      .map((u) => u.pathname + u.search);
  }, SITE);
}

describe('every trainee page at 360 px is made for thumbs (a walk of the site, en/fr/ar)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fc-thumbs-'));
  let srv: Awaited<ReturnType<typeof testServer>>;
  let browser: Browser;

  beforeAll(async () => {
    const pkgPort = await new Promise<number>((resolve) => {
      void import('node:net').then(({ createServer }) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => resolve(p));
        });
      });
    });
    srv = await testServer({
      installSampleCourses: true,
      selfSignup: { enabled: true, classCode: 'CLASS1' },
      scorm: { port: pkgPort, publicOrigin: `http://${LAN_HOSTS.packages}` },
    });
    srv.ctx.content.installFolder(join(COURSES, 'fixture-course'));
    srv.ctx.content.installFolder(join(COURSES, 'offline-course'));
    await importContent(
      srv.ctx.content,
      zipFolder(join(SCORM_FIXTURES, 'scorm2004-multi'), join(tmp, 'multi.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'checkpoint' },
    );
    browser = await launchChromium({
      hosts: { [LAN_HOSTS.app]: srv.url, [LAN_HOSTS.packages]: `http://127.0.0.1:${pkgPort}` },
    });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  const cases = [
    { lang: 'en', locale: 'en-US', user: 'walker-en', done: /Mark as done/ },
    { lang: 'fr', locale: 'fr-FR', user: 'walker-fr', done: /J’ai terminé/ },
    { lang: 'ar', locale: 'ar', user: 'walker-ar', done: /تحديد كمكتمل/ },
  ] as const;

  for (const c of cases)
    it(
      `signed out and signed in, every page reached from the start page (${c.lang})`,
      { timeout: 300_000 },
      async () => {
        await srv.ctx.people.addTrainee({
          username: c.user,
          pin: '2468',
          displayName: c.user,
          language: c.lang,
        });
        const context = await phoneContext(browser, { locale: c.locale });
        const page = await context.newPage();
        const found: Record<string, string[]> = {};
        const visited: string[] = [];
        /** Visit every page reachable from `start` that `keep` allows; note what is wrong on each. */
        const walk = async (start: string[], keep: (path: string) => boolean) => {
          const queue = [...start];
          const seen = new Set(queue);
          while (queue.length) {
            const path = queue.shift()!;
            const res = await page.goto(`${SITE}${path}`);
            expect(res?.status(), path).toBeLessThan(500);
            await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(c.lang);
            expect(await page.locator('html').getAttribute('dir')).toBe(c.lang === 'ar' ? 'rtl' : 'ltr');
            const p = await problems(page);
            if (p.length) found[path] = p;
            visited.push(path);
            for (const next of await linksOn(page))
              if (!seen.has(next) && keep(next)) {
                seen.add(next);
                queue.push(next);
              }
          }
        };
        try {
          // Signed out: the sign-in page, sign-up, a page that does not exist.
          await page.goto(`${SITE}/`);
          if ((await page.locator('html').getAttribute('lang')) !== c.lang)
            await page.locator(`form[action="/language"] button[value="${c.lang}"]`).click();
          await walk(['/', '/signup', '/no-such-page'], (p) => !p.startsWith('/admin'));

          await signInTrainee(page, SITE, c.user);
          await expect.poll(() => page.locator('.card.course').count()).toBeGreaterThan(3);
          // Signed in: everything reachable, and pages that are not there (an unknown course, a lesson).
          await walk(
            ['/', '/courses/no-such-course', '/courses/offline-course/lessons/no-such-lesson'],
            (p) => !p.startsWith('/admin') && !p.endsWith('/nav') && p !== '/signup',
          );
          expect(visited.filter((p) => /\/lessons\//.test(p)).length).toBeGreaterThan(5);
          expect(visited.filter((p) => /\/quizzes\//.test(p)).length).toBeGreaterThan(2);
          expect(visited.filter((p) => /\/scorm\//.test(p)).length).toBeGreaterThan(0);

          // What only the page script shows: a step saved on the phone while the Wi-Fi is gone...
          await page.goto(`${SITE}/courses/offline-course/lessons/l1`);
          await expect
            .poll(() => page.locator('article.lesson').getAttribute('data-kept'), SLOW)
            .toBe('true');
          await context.setOffline(true);
          await page.getByRole('button', { name: c.done }).click();
          await expect.poll(() => page.locator('#fc-banner').isVisible(), SLOW).toBe(true);
          await expect
            .poll(() => page.locator('article.lesson').getAttribute('data-progress-activity'))
            .toBe('l2');
          const queued = await problems(page);
          if (queued.length) found['(offline: a step saved on the phone)'] = queued;
          if (SHOTS) await page.screenshot({ path: join(SHOTS, `walk-${c.lang}-offline-queued.png`) });
          await context.setOffline(false);
          await expect.poll(() => page.locator('#fc-banner.sent').count(), SLOW).toBe(1);
          if (SHOTS) await page.screenshot({ path: join(SHOTS, `walk-${c.lang}-offline-sent.png`) });

          // ... and a step saved more than 30 days ago: send or discard, two buttons in the banner.
          const person = srv.ctx.people.byUsername(c.user)!.id;
          await page.evaluate(
            async ({ person, old }) => {
              const w = window as unknown as {
                fieldclassStore: {
                  open(p: string): Promise<{ put(s: string, v: unknown): Promise<unknown> }>;
                };
              };
              const store = await w.fieldclassStore.open(person);
              await store.put('queue', {
                opId: '00000000-0000-4000-8000-000000000031',
                action: 'lesson.complete',
                target: { courseId: 'offline-course', activityId: 'l3' },
                page: '/',
                title: 'Lesson three',
                actedAt: old,
              });
            },
            { person, old: new Date(Date.now() - 31 * 86_400_000).toISOString() },
          );
          await page.goto(`${SITE}/`);
          await expect.poll(() => page.locator('#fc-banner button').count(), SLOW).toBe(2);
          const old = await problems(page);
          if (old.length) found['(a step over 30 days old)'] = old;
          if (SHOTS) await page.screenshot({ path: join(SHOTS, `walk-${c.lang}-offline-old.png`) });

          expect(found).toEqual({});
        } finally {
          await context.close();
        }
      },
    );
});
