/**
 * The SCORM player on a 360 px phone, in real Chromium, the app as http://class.lan and the package on
 * http://classpkg.lan (their own site, as provisioned): the whole screen, Exit and Next within reach,
 * the saved state visible in a word and the title whole; Exit saves what the SCO changed without a Commit
 * before leaving; without the class Wi-Fi it says "not saved" (the banner says why, once) and lets the
 * trainee leave anyway. In en, fr and ar (mirrored).
 * Screenshots go to $FIELDCLASS_SCREENSHOTS (or the temp dir) to be looked at.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAN_HOSTS, phoneContext, signInTrainee } from '../helpers/browser.js';
import { scormClassroom } from '../helpers/scorm.js';

const tmp = mkdtempSync(join(tmpdir(), 'fc-scorm-player-'));
const shots = process.env['FIELDCLASS_SCREENSHOTS'] ?? join(tmp, 'shots');
mkdirSync(shots, { recursive: true });

describe('the SCORM player on a 360 px phone', () => {
  let room: Awaited<ReturnType<typeof scormClassroom>>;
  let srv: typeof room.srv;
  let browser: Browser;
  const url = `http://${LAN_HOSTS.app}`;

  beforeAll(async () => {
    room = await scormClassroom({ checkpoint: 'scorm2004-multi' }, tmp);
    ({ srv, browser } = room);
  });
  afterAll(async () => {
    await room?.close();
    if (!process.env['FIELDCLASS_SCREENSHOTS']) rmSync(tmp, { recursive: true, force: true });
  });

  async function open(username: string, language: 'en' | 'fr' | 'ar'): Promise<Page> {
    await srv.ctx.people.addTrainee({ username, pin: '2468', displayName: username, language });
    const page = await (await phoneContext(browser)).newPage();
    await signInTrainee(page, url, username);
    await page.goto(`${url}/courses/checkpoint/scorm/sco-brief`);
    await expect
      .poll(() => page.locator('#scorm-status').getAttribute('data-state'), { timeout: 20_000 })
      .toBe('saved');
    // "saved" is told once the runtime is ready, before the SCO has loaded and called Initialize; a
    // SetValue before that is refused (error 132), so wait for the SCO to show what it read.
    await expect
      .poll(
        async () =>
          (await sco(page)
            ?.locator('#entry')
            .textContent()
            .catch(() => '')) ?? '',
        {
          timeout: 20_000,
        },
      )
      .not.toBe('');
    return page;
  }
  /** The wrapper page on the package origin, where the SCO finds the API. */
  const runtime = (page: Page) => page.frames().find((f) => f.url().includes('/w/scorm2004'))!;
  /** The SCO's own page (the briefing), inside the wrapper. */
  const sco = (page: Page) => page.frames().find((f) => f.url().includes('brief.html'));
  const box = async (page: Page, sel: string) => (await page.locator(sel).boundingBox())!;
  /** Whether the player's title is cut: its text is wider or taller than the room it is shown in. */
  const titleCut = (page: Page) =>
    page.locator('.scorm-title').evaluate((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      const text = range.getBoundingClientRect();
      const room = el.getBoundingClientRect();
      return text.width > room.width + 1 || el.scrollHeight > el.clientHeight + 1;
    });
  /** How many times the player's visible text says a thing (the top bar and the banner together). */
  const times = async (page: Page, what: string) =>
    (await page.locator('#scorm-player').innerText()).split(what).length - 1;

  for (const [username, lang, exitText, savedText] of [
    ['awa', 'en', 'Exit', 'Saved'],
    ['bea', 'fr', 'Quitter', 'Enregistré'],
    ['chadi', 'ar', 'خروج', 'تم الحفظ'],
  ] as const) {
    it(`fills the screen with Exit, the saved state and Next in reach (${lang})`, async () => {
      const page = await open(username, lang);
      expect(await page.locator('html').getAttribute('dir')).toBe(lang === 'ar' ? 'rtl' : 'ltr');
      expect((await page.locator('#scorm-exit').textContent())?.trim()).toBe(exitText);
      expect(await page.locator('#scorm-status').textContent()).toBe(savedText);
      const frame = await box(page, '#scorm-frame');
      const exit = await box(page, '#scorm-exit');
      const next = await box(page, '#scorm-next');
      // The frame spans the width and most of the height; nothing needs a scroll.
      expect(frame.width).toBe(360);
      expect(frame.height).toBeGreaterThan(740 * 0.75);
      expect(exit.y).toBeGreaterThanOrEqual(0);
      expect(next.y + next.height).toBeLessThanOrEqual(740);
      for (const b of [exit, next]) expect(Math.min(b.width, b.height)).toBeGreaterThanOrEqual(44);
      // The title is read whole beside Exit and the state (it was cut to "Brie…").
      expect(await page.locator('.scorm-title').textContent()).toBe('Briefing');
      expect(await titleCut(page)).toBe(false);
      // Mirrored in Arabic: Exit at the start of the line (right), Next at the end (left).
      if (lang === 'ar') {
        expect(exit.x).toBeGreaterThan(180);
        expect(next.x).toBeLessThan(180);
      } else {
        expect(exit.x).toBeLessThan(180);
        expect(next.x).toBeGreaterThan(180);
      }
      await page.screenshot({ path: join(shots, `scorm-player-360-${lang}.png`) });
      await page.context().close();
    });
  }

  it('Exit saves what the SCO changed without a Commit, then goes back to the course', async () => {
    const page = await open('dede', 'en');
    const person = srv.ctx.people.byUsername('dede')!;
    const set = await runtime(page).evaluate(() => {
      const api = (window as unknown as { API_1484_11: { SetValue(k: string, v: string): string } })
        .API_1484_11;
      return api.SetValue('cmi.location', 'slide-9');
    });
    expect(set).toBe('true');
    await page.locator('#scorm-exit').click();
    await page.waitForURL(`${url}/courses/checkpoint`);
    expect(srv.ctx.scorm.attemptState(person.id, 'checkpoint', 'sco-brief')!.state.cmi['cmi.location']).toBe(
      'slide-9',
    );
    await page.context().close();
  });

  it('without the class Wi-Fi, Exit says "not saved" and a second tap leaves anyway', async () => {
    const page = await open('eli', 'en');
    await page.context().route(`http://${LAN_HOSTS.packages}/rt/commit`, (r) => r.abort());
    const set = await runtime(page).evaluate(() => {
      const api = (window as unknown as { API_1484_11: { SetValue(k: string, v: string): string } })
        .API_1484_11;
      return api.SetValue('cmi.location', 'slide-4');
    });
    expect(set).toBe('true');
    await page.locator('#scorm-exit').click();
    await expect.poll(() => page.locator('#scorm-status').getAttribute('data-state')).toBe('unsaved');
    expect(await page.locator('#scorm-status').textContent()).toBe('Not saved');
    // Why, and what to do, is said once: by the banner under the bar, not by the bar too.
    await expect.poll(() => page.locator('#fc-banner').textContent()).toContain('needs the class Wi-Fi');
    expect(await times(page, 'Wi-Fi')).toBe(1);
    expect(await titleCut(page)).toBe(false);
    expect(await page.locator('#scorm-exit').textContent()).toBe('Exit without saving');
    expect(page.url()).toMatch(/\/scorm\/sco-brief$/);
    await page.screenshot({ path: join(shots, 'scorm-player-360-not-saved.png') });
    await page.locator('#scorm-exit').click();
    await page.waitForURL(`${url}/courses/checkpoint`);
    await page.context().close();
  });

  for (const [username, lang, needsWifi] of [
    ['fanny', 'fr', 'Ce cours a besoin du Wi-Fi de la salle'],
    ['ghada', 'ar', 'تحتاج هذه الدورة إلى شبكة Wi-Fi'],
  ] as const)
    it(`with the connection gone, the page's banner says the course needs the class Wi-Fi; back in range, it saves and the line goes (${lang})`, async () => {
      const page = await open(username, lang);
      const person = srv.ctx.people.byUsername(username)!;
      const banner = page.locator('#fc-banner');
      expect(await banner.isHidden()).toBe(true);
      await page.context().setOffline(true);
      await expect.poll(() => banner.textContent()).toContain(needsWifi);
      // The banner is inside the player, between its top bar and the package frame, in view.
      const b = (await banner.boundingBox())!;
      const bar = await box(page, '.scorm-bar:not(.scorm-bottom)');
      const frame = await box(page, '#scorm-frame');
      expect(b.y).toBeGreaterThanOrEqual(bar.y + bar.height - 1);
      expect(b.y + b.height).toBeLessThanOrEqual(frame.y + 1);
      expect(b.width).toBe(360);
      // What the trainee does meanwhile is kept by the runtime: its save fails, the player says so.
      const committed = await runtime(page).evaluate(() => {
        const api = (
          window as unknown as {
            API_1484_11: { SetValue(k: string, v: string): string; Commit(p: string): string };
          }
        ).API_1484_11;
        return [api.SetValue('cmi.location', 'slide-7'), api.Commit('')];
      });
      expect(committed).toEqual(['true', 'true']);
      await expect.poll(() => page.locator('#scorm-status').getAttribute('data-state')).toBe('unsaved');
      expect(await banner.textContent()).toContain(needsWifi);
      // One status: the bar says the state in a word, the banner says why; the title stays whole.
      expect(await times(page, 'Wi-Fi')).toBe(1);
      expect(await titleCut(page)).toBe(false);
      await page.screenshot({ path: join(shots, `scorm-player-360-offline-${lang}.png`) });
      // Back in range: the runtime's retry saves it, the player says so and the banner's line goes.
      await page.context().setOffline(false);
      await expect
        .poll(() => page.locator('#scorm-status').getAttribute('data-state'), { timeout: 30_000 })
        .toBe('saved');
      await expect.poll(() => banner.isHidden()).toBe(true);
      expect(
        srv.ctx.scorm.attemptState(person.id, 'checkpoint', 'sco-brief')!.state.cmi['cmi.location'],
      ).toBe('slide-7');
      await page.context().close();
    });
});
