import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneContext, signInTrainee } from '../helpers/browser.js';
import { scormClassroom } from '../helpers/scorm.js';

/**
 * The SCORM runtime as content sees it, in a real Chromium with the app on http://class.lan and the
 * packages on http://classpkg.lan: every call answered as the RTE books say when it is made, no call
 * dropped at any rate, and no session lost when the tab closes.
 */
const tmp = mkdtempSync(join(tmpdir(), 'fc-scorm-rt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// SCORM 2004 4th Edition RTE, 3.1.7 (error codes) and 4.2 (data model): [call, element, value] ->
// [result, GetLastError()].
type Row = [string, string, string, string, string];
const RTE_2004: Row[] = [
  ['Initialize', '', '', 'false', '103'],
  ['GetValue', 'cmi._version', '', '1.0', '0'],
  ['GetValue', 'cmi.interactions._count', '', '0', '0'],
  ['GetValue', 'cmi.interactions._children', '', '*', '0'],
  ['GetValue', 'cmi.objectives._count', '', '2', '0'],
  ['GetValue', 'cmi.objectives.0.id', '', 'obj-primary', '0'],
  ['GetValue', 'cmi.objectives.1.id', '', 'obj-radio', '0'],
  ['GetValue', 'cmi.completion_threshold', '', '0.8', '0'],
  ['GetValue', 'cmi.time_limit_action', '', 'exit,message', '0'],
  ['GetValue', 'cmi.mode', '', 'normal', '0'],
  ['GetValue', 'cmi.score._children', '', '*', '0'],
  ['GetValue', 'cmi.bogus', '', '', '401'],
  ['SetValue', 'cmi.bogus', '1', 'false', '401'],
  ['SetValue', 'cmi.completion_status', 'banana', 'false', '406'],
  ['SetValue', 'cmi.success_status', 'maybe', 'false', '406'],
  ['SetValue', 'cmi.learner_id', 'mallory', 'false', '404'],
  ['SetValue', 'cmi._version', '2.0', 'false', '404'],
  ['SetValue', 'cmi.interactions._count', '3', 'false', '404'],
  ['GetValue', 'cmi.exit', '', '', '405'],
  ['GetValue', 'cmi.session_time', '', '', '405'],
  ['SetValue', 'cmi.score.scaled', '2', 'false', '407'],
  ['SetValue', 'cmi.progress_measure', '-1', 'false', '407'],
  ['SetValue', 'cmi.interactions.5.id', 'q5', 'false', '351'],
  ['GetValue', 'cmi.interactions.0.id', '', '', '301'],
  ['SetValue', 'cmi.interactions.0.id', 'q0', 'true', '0'],
  ['SetValue', 'cmi.interactions.0.learner_response', 'a', 'false', '408'],
  ['SetValue', 'cmi.interactions.0.type', 'choice', 'true', '0'],
  ['SetValue', 'cmi.interactions.0.learner_response', 'a', 'true', '0'],
  ['GetValue', 'cmi.interactions._count', '', '1', '0'],
  ['SetValue', 'cmi.exit', 'later', 'false', '406'],
  ['SetValue', 'cmi.location', 'p1', 'true', '0'],
  ['GetValue', 'cmi.location', '', 'p1', '0'],
  ['Commit', 'x', '', 'false', '201'],
  ['GetLastError', '', '', '201', '201'],
];

// SCORM 1.2 RTE, 3.3.2 (error codes) and 3.4 (data model).
const RTE_12: [string, string, string, string, string][] = [
  ['LMSGetValue', 'cmi.core._children', '', '', '301'],
  ['LMSInitialize', '', '', 'true', '0'],
  ['LMSInitialize', '', '', 'false', '101'],
  ['LMSGetValue', 'cmi._version', '', '3.4', '0'],
  ['LMSGetValue', 'cmi.core._children', '', '*', '0'],
  ['LMSGetValue', 'cmi.interactions._count', '', '0', '0'],
  ['LMSGetValue', 'cmi.interactions._children', '', '*', '0'],
  ['LMSGetValue', 'cmi.student_data.mastery_score', '', '70', '0'],
  ['LMSGetValue', 'cmi.core.lesson_status', '', 'not attempted', '0'],
  ['LMSGetValue', 'cmi.bogus', '', '', '201'],
  ['LMSSetValue', 'cmi.bogus', '1', 'false', '201'],
  ['LMSSetValue', 'cmi.core.lesson_status', 'banana', 'false', '405'],
  ['LMSSetValue', 'cmi.core.student_id', 'mallory', 'false', '403'],
  ['LMSSetValue', 'cmi.core._children', 'x', 'false', '402'],
  ['LMSGetValue', 'cmi.core.exit', '', '', '404'],
  ['LMSSetValue', 'cmi.core.score.raw', '101', 'false', '405'],
  ['LMSSetValue', 'cmi.core.score.raw', 'abc', 'false', '405'],
  ['LMSSetValue', 'cmi.interactions.0.id', 'q0', 'true', '0'],
  ['LMSGetValue', 'cmi.interactions.0.id', '', '', '404'],
  ['LMSGetValue', 'cmi.interactions._count', '', '1', '0'],
  ['LMSSetValue', 'cmi.core.lesson_location', 'p1', 'true', '0'],
  ['LMSCommit', '', '', 'true', '0'],
  ['LMSFinish', 'x', '', 'false', '201'],
];

const CHILDREN: Record<string, string[]> = {
  'LMSGetValue cmi.interactions._children': [
    'id',
    'objectives',
    'time',
    'type',
    'correct_responses',
    'weighting',
    'student_response',
    'result',
    'latency',
  ],
  'LMSGetValue cmi.core._children': [
    'student_id',
    'student_name',
    'lesson_location',
    'credit',
    'lesson_status',
    'entry',
    'score',
    'total_time',
    'lesson_mode',
    'exit',
    'session_time',
  ],
  'GetValue cmi.interactions._children': [
    'id',
    'type',
    'objectives',
    'timestamp',
    'correct_responses',
    'weighting',
    'learner_response',
    'result',
    'latency',
    'description',
  ],
  'GetValue cmi.score._children': ['scaled', 'raw', 'min', 'max'],
};

describe('the SCORM runtime in a real Chromium (class.lan / classpkg.lan)', () => {
  let browser: Browser;
  let room: Awaited<ReturnType<typeof scormClassroom>>;
  let srv: typeof room.srv;
  let url: string;
  let personId: string;

  beforeAll(async () => {
    room = await scormClassroom({ probe: 'probe2004', probe12: 'probe12' }, tmp);
    ({ srv, browser, url } = room);
    personId = (await srv.ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' }))
      .id;
  });
  afterAll(async () => {
    await room?.close();
  });

  async function signedIn(): Promise<Page> {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await signInTrainee(page, url, 'awa');
    await page.locator('h1', { hasText: 'My courses' }).waitFor();
    return page;
  }
  const sco = (page: Page) => page.frameLocator('#scorm-frame').frameLocator('iframe#sco');
  const cmi = (activity: string) =>
    srv.ctx.scorm.attemptState(personId, activity === 'probe12' ? 'probe12' : 'probe', activity)?.state.cmi;

  function check(actual: [string, string, string, string, string][], expected: typeof actual): void {
    expect(actual.map((r) => r.slice(0, 3))).toEqual(expected.map((r) => r.slice(0, 3)));
    actual.forEach((row, i) => {
      const want = expected[i]!;
      const [call, el, , result, error] = row;
      const label = `${call}(${el})`;
      if (want[3] === '*') {
        expect(result.length, label).toBeGreaterThan(0);
        const children = CHILDREN[`${call} ${el}`];
        expect(children, label).toBeDefined();
        expect(result.split(',').sort(), label).toEqual([...children!].sort());
      } else expect(result, label).toBe(want[3]);
      expect(error, label).toBe(want[4]);
    });
  }

  it('SCORM 2004: every call answers what the RTE book says (values, _count, _children, _version, error codes)', async () => {
    const page = await signedIn();
    // controlMode choice="false": the outline links only the SCO to start with; the others are reached by flow.
    await page.goto(`${url}/courses/probe`);
    expect(await page.locator('li[data-activity="probe"] a').count()).toBe(1);
    expect(await page.locator('li[data-activity="bare"] a').count()).toBe(0);
    expect(await page.locator('li[data-activity="bare"]').textContent()).toContain(
      'Initialize and Terminate only',
    );
    await page.goto(`${url}/courses/probe/scorm/probe`);
    expect(await page.locator('.scorm-toc a').count()).toBe(0);
    await sco(page).locator('#table').click();
    await expect.poll(() => sco(page).locator('#results').textContent(), { timeout: 15_000 }).not.toBe('');
    check(JSON.parse((await sco(page).locator('#results').textContent())!) as Row[], RTE_2004);
    await page.context().close();
  });

  it('SCORM 1.2: every call answers what the RTE says (error codes 101-405)', async () => {
    const page = await signedIn();
    await page.goto(`${url}/courses/probe12/scorm/probe12`);
    await sco(page).locator('#table').click();
    await expect.poll(() => sco(page).locator('#results').textContent(), { timeout: 15_000 }).not.toBe('');
    check(JSON.parse((await sco(page).locator('#results').textContent())!) as Row[], RTE_12);
    await expect.poll(() => cmi('probe12')?.['cmi.core.lesson_location']).toBe('p1');
    expect(cmi('probe12')?.['cmi.interactions.0.id']).toBe('q0');
    await page.context().close();
  });

  it('a burst of 500 interactions, then score and status: all kept, and read back on relaunch', async () => {
    const page = await signedIn();
    // The table test left its interaction q0 (its tab closed without a Commit: the beacon kept it).
    const ids = () => Object.keys(cmi('probe') ?? {}).filter((k) => /^cmi\.interactions\.\d+\.id$/.test(k));
    const before = ids().length;
    await page.goto(`${url}/courses/probe/scorm/probe`);
    await sco(page).locator('#burst').click();
    expect(await sco(page).locator('#burstOut').textContent()).toBe(`500:${before + 500}:true`);
    const last = before + 499;
    await expect
      .poll(() => cmi('probe')?.[`cmi.interactions.${last}.id`], { timeout: 15_000 })
      .toBe('burst-499');
    expect(ids()).toHaveLength(before + 500);
    expect(cmi('probe')).toMatchObject({
      [`cmi.interactions.${before}.id`]: 'burst-0',
      [`cmi.interactions.${before}.result`]: 'incorrect',
      [`cmi.interactions.${before + 1}.learner_response`]: 'true',
      'cmi.score.scaled': '0.73',
      'cmi.score.raw': '73',
      'cmi.success_status': 'passed',
      'cmi.completion_status': 'completed',
    });
    const outline = srv.ctx.content.getCourse('probe', 'en')!;
    await expect
      .poll(() => srv.ctx.learning.courseProgress(personId, outline).activities['probe'])
      .toMatchObject({ status: 'passed', bestScore: 0.73 });
    // Relaunch: the SCO finds its interactions through _count.
    await page.goto(`${url}/courses/probe/scorm/probe`);
    await expect.poll(() => sco(page).locator('#entry').textContent(), { timeout: 15_000 }).toBe('resume');
    const count = await page
      .frameLocator('#scorm-frame')
      .locator('body')
      .evaluate(() =>
        (window as unknown as { API_1484_11: { GetValue(e: string): string } }).API_1484_11.GetValue(
          'cmi.interactions._count',
        ),
      );
    expect(count).toBe(String(before + 500));
    await page.context().close();
  });

  it('closing the tab keeps the session: a bookmark set without Commit is saved, and the next launch resumes', async () => {
    const page = await signedIn();
    await page.goto(`${url}/courses/probe/scorm/probe`);
    await expect.poll(() => sco(page).locator('#entry').textContent(), { timeout: 15_000 }).not.toBe('');
    await sco(page).locator('#bookmark').click();
    await expect
      .poll(() => sco(page).locator('#location').textContent(), { timeout: 15_000 })
      .toBe('bookmarked');
    // No Commit, no Terminate: the tab is closed (pagehide -> beacon).
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => cmi('probe')?.['cmi.location'], { timeout: 15_000 }).toBe('slide-7');
    expect(cmi('probe')?.['cmi.suspend_data']).toBe('seen=1..7');
    const again = await page.context().newPage();
    await again.goto(`${url}/courses/probe/scorm/probe`);
    await expect.poll(() => sco(again).locator('#entry').textContent(), { timeout: 15_000 }).toBe('resume');
    expect(await sco(again).locator('#location').textContent()).toBe('slide-7');
    await again.context().close();
  });

  it('a 2004 SCO that only calls Initialize and Terminate is completed and satisfied (SN End Attempt Process)', async () => {
    const page = await signedIn();
    await page.goto(`${url}/courses/probe/scorm/bare`);
    await expect.poll(() => sco(page).locator('#out').textContent(), { timeout: 15_000 }).toBe('initialized');
    await sco(page).locator('#end').click();
    await expect.poll(() => sco(page).locator('#out').textContent()).toBe('terminated:true');
    const outline = srv.ctx.content.getCourse('probe', 'en')!;
    await expect
      .poll(() => srv.ctx.learning.courseProgress(personId, outline).activities['bare']?.status, {
        timeout: 15_000,
      })
      .toBe('passed');
    expect(srv.ctx.scorm.attemptState(personId, 'probe', 'bare')?.state.cmi['cmi.completion_status']).toBe(
      'completed',
    );
    await page.context().close();
  });

  it('while the SCO runs, unsaved changes are committed within 30 s, and a quiet SCO still every 5 minutes', async () => {
    // The wrapper's timers on Playwright's clock: time is moved on, not waited for.
    const context = await phoneContext(browser);
    await context.clock.install();
    const page = await context.newPage();
    const commits: number[] = [];
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/rt/commit')
        commits.push(r.status());
    });
    await signInTrainee(page, url, 'awa');
    await page.goto(`${url}/courses/probe/scorm/probe`);
    await expect.poll(() => sco(page).locator('#entry').textContent(), { timeout: 15_000 }).not.toBe('');
    const probe = page.frames().find((f) => f.url().includes('probe.html'));
    expect(probe).toBeDefined();
    const set = (value: string) =>
      probe!.evaluate(
        (v) =>
          (
            window.parent as unknown as { API_1484_11: { SetValue(el: string, v: string): string } }
          ).API_1484_11.SetValue('cmi.location', v),
        value,
      );

    // A change and no Commit: the next 30-second tick sends it.
    expect(await set('slide-30s')).toBe('true');
    await page.clock.runFor(30_000);
    await expect.poll(() => cmi('probe')?.['cmi.location'], { timeout: 15_000 }).toBe('slide-30s');
    await expect.poll(() => commits.length).toBeGreaterThan(0);
    expect(commits.every((s) => s === 200)).toBe(true);

    // Nothing changed: two more minutes send nothing; five minutes send the heartbeat.
    const quiet = commits.length;
    await page.clock.runFor(120_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(commits.length).toBe(quiet);
    await page.clock.runFor(300_000);
    await expect.poll(() => commits.length, { timeout: 15_000 }).toBeGreaterThan(quiet);
    expect(commits.every((s) => s === 200)).toBe(true);
    expect(cmi('probe')?.['cmi.location']).toBe('slide-30s');
    await context.close();
  });
});
