import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAN_HOSTS, phoneContext, signInTrainee } from '../helpers/browser.js';
import { scormClassroom } from '../helpers/scorm.js';

const tmp = mkdtempSync(join(tmpdir(), 'fc-scorm-golf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * The golf "Simple Remediation" shape (test/fixtures/scorm/scorm2004-remediation) played to the end in
 * Chromium at phone size, the app on class.lan and packages on classpkg.lan: flow-only navigation
 * (choice="false"), content SCOs that ask to continue, quizzes that end with no request, skip rules, the
 * last quiz's exitParent and the wrapper's retry / exitAll post-conditions, the outcome recorded.
 */
describe('a sequenced golf-sample package in a real Chromium: the trainee is never stranded', () => {
  let browser: Browser;
  let page: Page;
  let room: Awaited<ReturnType<typeof scormClassroom>>;
  let srv: typeof room.srv;
  let personId: string;
  const url = `http://${LAN_HOSTS.app}`;

  beforeAll(async () => {
    room = await scormClassroom({ golf: 'scorm2004-remediation' }, tmp);
    ({ srv, browser } = room);
    personId = (await srv.ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' }))
      .id;
    page = await (await phoneContext(browser)).newPage();
    await signInTrainee(page, url, 'awa');
    await page.locator('h1', { hasText: 'My courses' }).waitFor();
  });
  afterAll(async () => {
    await room?.close();
  });

  const sco = () => page.frameLocator('#scorm-frame').frameLocator('#sco');
  /** The player shows SCO `id` and the SCO has called Initialize (its page says so) with "true". */
  async function at(id: string, content: string) {
    await expect
      .poll(() => new URL(page.url()).pathname, { timeout: 20_000 })
      .toBe(`/courses/golf/scorm/${id}`);
    await expect.poll(() => sco().locator('#state').textContent(), { timeout: 20_000 }).toBe('initialized');
    expect(await sco().locator('#calls').textContent()).toBe('Initialize=true');
    expect(await sco().locator('#page').textContent()).toBe(content);
  }
  /** Every call the SCO made answered "true" (GetValue answers a count). */
  async function allTrue() {
    const calls = (await sco().locator('#calls').textContent())!.split(' ');
    expect(calls.filter((c) => !c.startsWith('GetValue=')).every((c) => c.endsWith('=true'))).toBe(true);
    expect(calls.at(-1)).toBe('Terminate=true');
  }
  const state = (id: string) => srv.ctx.scorm.attemptState(personId, 'golf', id);
  async function content(id: string, name: string) {
    await at(id, name);
    await sco().locator('#done').click();
  }
  async function quiz(id: string, n: number, pass: boolean, leaves = false) {
    await at(id, `assessment${n}`);
    await sco()
      .locator(pass ? '#pass' : '#fail')
      .click();
    await expect
      .poll(() => state(id)?.state.cmi['cmi.success_status'], { timeout: 20_000 })
      .toBe(pass ? 'passed' : 'failed');
    // A quiz whose end leads on by itself is gone from the frame by now; the box's record says it all.
    if (!leaves) await allTrue();
  }
  async function next() {
    // The quiz ended with no request: the player asked the box and shows Next once it leads somewhere.
    await expect.poll(() => page.locator('#scorm-next').isVisible(), { timeout: 20_000 }).toBe(true);
    await page.locator('#scorm-next').click();
  }

  it('content, quizzes, remediation of the failed one only, and the course passed', async () => {
    await page.goto(`${url}/courses/golf`);
    // choice="false": the course page links only where the course starts.
    expect(await page.locator('li[data-activity] a').count()).toBe(1);
    await page.locator('li[data-activity="playing_item"] a').click();
    await content('playing_item', 'playing');
    await content('etuqiette_item', 'etiquette');
    await content('handicapping_item', 'handicapping');
    await content('havingfun_item', 'havingfun');
    await quiz('test_1', 1, true);
    await next();
    await quiz('test_2', 2, true);
    await next();
    await quiz('test_3', 3, false);
    await next();
    await quiz('test_4', 4, true, true);
    expect(state('test_4')?.state.cmi['cmi.interactions.0.result']).toBe('correct');
    // The last quiz exits its parent; the wrapper is not satisfied, so it retries: flow into it passes
    // over what is mastered and lands on the content of the failed quiz, with no tap.
    await content('handicapping_item', 'handicapping');
    expect(state('handicapping_item')?.attemptNo).toBe(2);
    await quiz('test_3', 3, true);
    expect(state('test_3')?.attemptNo).toBe(2);
    const outline = srv.ctx.content.getCourse('golf', 'en')!;
    await expect
      .poll(() => srv.ctx.learning.courseProgress(personId, outline).result, { timeout: 20_000 })
      .toBe('passed');
    expect(srv.ctx.learning.courseProgress(personId, outline).completed).toBe(true);
    // Nothing is left to flow to (the last quiz is mastered, so skipped): no Next, Exit goes back.
    expect(await page.locator('#scorm-next').isVisible()).toBe(false);
    await page.locator('#scorm-exit').click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 20_000 }).toBe('/courses/golf');
    // Mastered content and quizzes were never launched a second time.
    for (const id of ['playing_item', 'etuqiette_item', 'havingfun_item', 'test_1', 'test_2', 'test_4'])
      expect(state(id)?.attemptNo).toBe(1);
  });
});
