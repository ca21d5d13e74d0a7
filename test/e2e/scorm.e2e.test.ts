import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importContent } from '../../src/content/course-bundle.js';
import type { ScormService } from '../../src/learning/scorm.service.js';
import type { XapiStatement } from '../../src/contract/vocabulary.js';
import { LAN_HOSTS, launchChromium, phoneContext } from '../helpers/browser.js';
import { testServer } from '../helpers/context.js';
import { freePort } from '../helpers/http.js';
import { SCORM_FIXTURES, zipFolder } from '../fixtures/scorm/make-zip.js';

const tmp = mkdtempSync(join(tmpdir(), 'fc-scorm-e2e-'));
const unsigned = { trustedKeys: [], allowUnsigned: true };
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Srv = Awaited<ReturnType<typeof testServer>>;

/**
 * A box whose app the browser reaches as http://class.lan:<port>; packages on http://classpkg.lan:<port>
 * (their own site, as provisioned), or on the app's host name at another port (`npm start` by IP).
 */
async function setup(mode: 'lan' | 'same-host' = 'lan'): Promise<{
  srv: Srv;
  scorm: ScormService;
  personId: string;
  url: string;
  pkgOrigin: string;
  hosts: Record<string, string>;
}> {
  const pkgPort = await freePort();
  const pkgOrigin = mode === 'lan' ? `http://${LAN_HOSTS.packages}` : `http://${LAN_HOSTS.app}:${pkgPort}`;
  const srv = await testServer({ scorm: { port: pkgPort, publicOrigin: pkgOrigin } });
  const hosts = {
    [LAN_HOSTS.app]: srv.url,
    [mode === 'lan' ? LAN_HOSTS.packages : `${LAN_HOSTS.app}:${pkgPort}`]: `http://127.0.0.1:${pkgPort}`,
  };
  await importContent(
    srv.ctx.content,
    zipFolder(join(SCORM_FIXTURES, 'scorm12-single'), join(tmp, 'single.zip')),
    unsigned,
    { id: 'radio' },
  );
  await importContent(
    srv.ctx.content,
    zipFolder(join(SCORM_FIXTURES, 'scorm2004-multi'), join(tmp, 'multi.zip')),
    unsigned,
    { id: 'checkpoint' },
  );
  await importContent(
    srv.ctx.content,
    zipFolder(join(SCORM_FIXTURES, 'scorm2004-sequencing'), join(tmp, 'sequencing.zip')),
    unsigned,
    { id: 'search' },
  );
  await importContent(
    srv.ctx.content,
    zipFolder(join(SCORM_FIXTURES, 'hostile'), join(tmp, 'hostile.zip')),
    unsigned,
  );
  const person = await srv.ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' });
  const scorm = srv.ctx.scorm;
  return { srv, scorm, personId: person.id, url: `http://${LAN_HOSTS.app}`, pkgOrigin, hosts };
}

async function signIn(page: Page, url: string) {
  await page.goto(url + '/');
  await page.getByLabel('Username').fill('awa');
  await page.getByLabel('PIN').fill('2468');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('h1', { hasText: 'My courses' }).waitFor();
}

function statements(srv: Srv, courseId: string): XapiStatement[] {
  return (
    srv.ctx.db.records.prepare(`SELECT body FROM journal WHERE kind = 'statement' ORDER BY seq`).all() as {
      body: string;
    }[]
  )
    .map((r) => JSON.parse(r.body) as XapiStatement)
    .filter((s) => s.context.extensions?.['urn:fieldclass:ext:course-id'] === courseId);
}
const verbs = (s: XapiStatement[]) =>
  s.map(
    (x) => `${x.verb.display['en-US']}:${String(x.context.extensions?.['urn:fieldclass:ext:activity-id'])}`,
  );

describe('SCORM in a real Chromium', () => {
  let browser: Browser;
  let env: Awaited<ReturnType<typeof setup>>;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    env = await setup();
    browser = await launchChromium({ hosts: env.hosts });
    context = await phoneContext(browser);
    page = await context.newPage();
    await signIn(page, env.url);
  });
  afterAll(async () => {
    await browser?.close();
    await env?.srv.cleanup();
  });

  const sco = () => page.frameLocator('#scorm-frame').frameLocator('#sco');

  it('SCORM 1.2: launch, commit, resume on relaunch, finish with mastery score; completion in the outline and the statements', async () => {
    const { srv, scorm, personId, url } = env;
    await page.goto(`${url}/courses/radio/scorm/radio-sco`);
    await expect.poll(() => sco().locator('#found').textContent(), { timeout: 15_000 }).toBe('api found');
    expect(await sco().locator('#entry').textContent()).toBe('ab-initio');
    expect(await sco().locator('#location').textContent()).toBe('(none)');
    expect(await sco().locator('#student').textContent()).toBe('Awa Diallo');
    expect(await sco().locator('#query').textContent()).toBe('?mode=training');
    await sco().locator('#page2').click();
    await expect
      .poll(() => scorm.attemptState(personId, 'radio', 'radio-sco')?.state.cmi['cmi.core.lesson_location'])
      .toBe('page-2');
    expect(scorm.attemptState(personId, 'radio', 'radio-sco')!.state.cmi['cmi.suspend_data']).toBe(
      'visited=1,2',
    );
    expect(verbs(statements(srv, 'radio'))).toEqual([
      'launched:',
      'initialized:radio-sco',
      'progressed:radio-sco',
    ]);
    // The first launch never terminated (the trainee went elsewhere): the next launch closes it as
    // suspended, since the SCO asked for a suspend.

    // Relaunch: resumes where it was left.
    await page.goto(`${url}/courses/radio/scorm/radio-sco`);
    await expect.poll(() => sco().locator('#entry').textContent(), { timeout: 15_000 }).toBe('resume');
    expect(await sco().locator('#location').textContent()).toBe('page-2');
    expect(await sco().locator('#suspend').textContent()).toBe('visited=1,2');

    await sco().locator('#finish').click();
    await expect
      .poll(
        () => srv.ctx.learning.courseProgress(personId, srv.ctx.content.getCourse('radio', 'en')!).completed,
      )
      .toBe(true);
    const st = scorm.attemptState(personId, 'radio', 'radio-sco')!;
    expect(st.state.cmi).toMatchObject({
      'cmi.core.score.raw': '90',
      'cmi.interactions.0.id': 'q-channel',
      'cmi.interactions.0.result': 'correct',
      'cmi.objectives.0.id': 'obj-radio',
    });
    expect(Object.values(st.state.sessions).reduce((a, b) => a + b, 0)).toBe(210);
    await expect
      .poll(() => verbs(statements(srv, 'radio')).slice(3))
      .toEqual([
        'suspended:radio-sco',
        'initialized:radio-sco',
        'completed:radio-sco',
        'passed:radio-sco',
        'completed:',
        'terminated:radio-sco',
      ]);
    const passed = statements(srv, 'radio').find((s) => s.verb.display['en-US'] === 'passed')!;
    expect(passed.result).toMatchObject({ success: true, score: { scaled: 0.9, raw: 90, min: 0, max: 100 } });
    expect(
      srv.ctx.learning.courseProgress(personId, srv.ctx.content.getCourse('radio', 'en')!).activities[
        'radio-sco'
      ],
    ).toMatchObject({
      status: 'passed',
      bestScore: 0.9,
    });
    await page.goto(`${url}/courses/radio`);
    expect(await page.locator('main').textContent()).toContain('Radio procedure');
    // The outline opens SCOs in the player.
    expect(await page.locator('main a[href="/courses/radio/scorm/radio-sco"]').count()).toBeGreaterThan(0);
    await page.goto(`${url}/`);
    expect(await page.locator('main').textContent()).toContain('100%');
  });

  it('SCORM 2004: completion threshold, resume, flow navigation to the next SCO, passing score, asset; course completed', async () => {
    const { srv, scorm, personId, url } = env;
    await page.goto(`${url}/courses/checkpoint/scorm/sco-brief`);
    await expect.poll(() => sco().locator('#found').textContent(), { timeout: 15_000 }).toBe('api found');
    expect(await sco().locator('#threshold').textContent()).toBe('0.75');
    expect(await sco().locator('#entry').textContent()).toBe('ab-initio');
    await sco().locator('#half').click();
    await expect
      .poll(() => scorm.attemptState(personId, 'checkpoint', 'sco-brief')?.state.cmi['cmi.location'])
      .toBe('slide-3');
    const outline = srv.ctx.content.getCourse('checkpoint', 'en')!;
    expect(srv.ctx.learning.courseProgress(personId, outline).activities['sco-brief']!.status).toBe(
      'started',
    );

    await page.goto(`${url}/courses/checkpoint/scorm/sco-brief`);
    await expect.poll(() => sco().locator('#entry').textContent(), { timeout: 15_000 }).toBe('resume');
    expect(await sco().locator('#location').textContent()).toBe('slide-3');
    await sco().locator('#done').click();
    // adl.nav.request = continue: the player moves on to the next SCO, as the flow control mode allows.
    await expect
      .poll(() => page.url(), { timeout: 15_000 })
      .toMatch(/\/courses\/checkpoint\/scorm\/sco-check$/);
    // It reported completion only: with objectiveSetByContent false (the default) the SN End Attempt
    // Process marks its objective satisfied.
    expect(srv.ctx.learning.courseProgress(personId, outline).activities['sco-brief']!.status).toBe('passed');

    await expect.poll(() => sco().locator('#found').textContent(), { timeout: 15_000 }).toBe('api found');
    expect(await sco().locator('#query').textContent()).toBe('?step=1');
    expect(await sco().locator('#passing').textContent()).toBe('0.6');
    await sco().locator('#answer').click();
    await expect
      .poll(() => srv.ctx.learning.courseProgress(personId, outline).activities['sco-check']?.status)
      .toBe('passed');

    // The asset: opening it completes it, and with it the course.
    // Below the 75vh frame: scroll first (a tap on an off-screen link does nothing in phone emulation).
    await page.getByRole('link', { name: 'Next' }).scrollIntoViewIfNeeded();
    await page.getByRole('link', { name: 'Next' }).click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/\/scorm\/handout$/);
    await expect
      .poll(() => srv.ctx.learning.courseProgress(personId, outline).completed, { timeout: 15_000 })
      .toBe(true);
    expect(await page.frameLocator('#scorm-frame').frameLocator('#sco').locator('h1').textContent()).toBe(
      'Handout',
    );
    const v = verbs(statements(srv, 'checkpoint'));
    expect(v).toContain('completed:sco-brief');
    expect(v).toContain('passed:sco-check');
    expect(v).toContain('completed:handout');
    expect(v).toContain('completed:');
  });

  it('SCORM 2004 sequencing: Practice is disabled until Rules is passed; the course completes by rollup', async () => {
    const { srv, scorm, personId, url } = env;
    const outline = srv.ctx.content.getCourse('search', 'en')!;
    // Before Rules is passed, the pre-condition rule (global objective g-rules unknown) disables Practice.
    const refused = await page.goto(`${url}/courses/search/scorm/sco-practice`);
    expect(refused?.status()).toBe(403);
    expect(await page.locator('main').textContent()).toMatch(/not available yet/i);
    expect(scorm.attemptState(personId, 'search', 'sco-practice')).toBeUndefined();
    // The course outline lists Practice as not available yet, without a link.
    await page.goto(`${url}/courses/search`);
    const practiceItem = page.locator('li[data-activity="sco-practice"]');
    expect(await practiceItem.textContent()).toContain('Not available yet');
    expect(await practiceItem.locator('a').count()).toBe(0);
    expect(await page.locator('li[data-activity="sco-rules"] a').count()).toBe(1);

    await page.goto(`${url}/courses/search/scorm/sco-rules`);
    await expect.poll(() => sco().locator('#found').textContent(), { timeout: 15_000 }).toBe('api found');
    expect(await page.locator('.scorm-toc a', { hasText: 'Practice' }).count()).toBe(0);
    expect(await page.locator('.scorm-toc').textContent()).toContain('Not available yet');
    expect(await page.getByRole('link', { name: 'Next' }).count()).toBe(0);
    // Failing Rules does not open Practice.
    await sco().locator('#fail').click();
    await expect
      .poll(() => scorm.attemptState(personId, 'search', 'sco-rules')?.state.cmi['cmi.success_status'])
      .toBe('failed');
    expect((await page.goto(`${url}/courses/search/scorm/sco-practice`))?.status()).toBe(403);

    // A new attempt at Rules, passed: Practice opens.
    await page.goto(`${url}/courses/search/scorm/sco-rules`);
    await expect.poll(() => sco().locator('#found').textContent(), { timeout: 15_000 }).toBe('api found');
    await sco().locator('#pass').click();
    await expect
      .poll(() => srv.ctx.learning.courseProgress(personId, outline).activities['sco-rules']?.status)
      .toBe('passed');
    await page.goto(`${url}/courses/search`);
    expect(await page.locator('li[data-activity="sco-practice"] a').count()).toBe(1);
    const opened = await page.goto(`${url}/courses/search/scorm/sco-practice`);
    expect(opened?.status()).toBe(200);
    await expect.poll(() => sco().locator('#found').textContent(), { timeout: 15_000 }).toBe('api found');
    expect(srv.ctx.learning.courseProgress(personId, outline).completed).toBe(false);
    await sco().locator('#pass').click();
    // Rollup: Rules and Practice completed and satisfied complete the course; Further reading is
    // excluded from rollup by its manifest and was never opened.
    await expect
      .poll(() => srv.ctx.learning.courseProgress(personId, outline).completed, { timeout: 15_000 })
      .toBe(true);
    expect(scorm.attemptState(personId, 'search', 'sco-extra')).toBeUndefined();
    expect(verbs(statements(srv, 'search'))).toContain('completed:');
  });
});

describe.each([
  ['the app’s host name on another port (npm start by IP)', 'same-host'],
  ['their own site (class.lan / classpkg.lan, as provisioned)', 'lan'],
] as const)('a hostile package served from %s', (_name, mode) => {
  let browser: Browser;
  let env: Awaited<ReturnType<typeof setup>>;

  beforeAll(async () => {
    env = await setup(mode);
    browser = await launchChromium({ hosts: env.hosts });
  });
  afterAll(async () => {
    await browser?.close();
    await env?.srv.cleanup();
  });

  it('cannot read the session, call the app with the trainee’s rights, read the player or another course, or navigate away', async () => {
    const { srv, scorm, personId, url } = env;
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const cookiesToPackages: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(env.pkgOrigin) && r.headers()['cookie']) cookiesToPackages.push(r.url());
    });
    await signIn(page, url);
    // Course A runs first in the same browser: the hostile course B must find nothing of it.
    await page.goto(`${url}/courses/radio/scorm/radio-sco`);
    await expect
      .poll(() => page.frameLocator('#scorm-frame').frameLocator('#sco').locator('#found').textContent(), {
        timeout: 15_000,
      })
      .toBe('api found');
    await page.frameLocator('#scorm-frame').frameLocator('#sco').locator('#page2').click();
    await expect
      .poll(() => scorm.attemptState(personId, 'radio', 'radio-sco')?.state.cmi['cmi.core.lesson_location'])
      .toBe('page-2');
    const sessionBefore = (await context.cookies(url)).find((c) => c.name === 'fc_session')?.value;
    const journalBefore = srv.ctx.records.lastSeq();
    const player = `${url}/courses/hostile-package/scorm/evil`;
    await page.goto(player);
    const results = page.frameLocator('#scorm-frame').frameLocator('#sco').locator('#results');
    await expect
      .poll(async () => (await results.textContent()) ?? '', { timeout: 20_000 })
      .toContain('"done":"yes"');
    const r = JSON.parse((await results.textContent())!) as Record<string, string>;
    await page.waitForTimeout(500);

    expect(r['appOrigin']).toBe(url);
    expect(r['storage']).toMatch(/^(empty|denied)$/);
    if (r['storage'] === 'empty') expect(r['indexedDB']).toBe('empty');
    expect(r['launchWithoutToken']).toBe('401');
    expect(r['cookie']).toBe('empty');
    expect(r['fetchRelative']).toBe('404');
    expect(r['fetchApp']).toBe('blocked');
    expect(r['postApp']).toBe('blocked');
    expect(r['parentDom']).toBe('blocked');
    expect(r['parentCsrf']).toBe('blocked');
    expect(r['api']).toBe('committed');
    expect(page.url()).toBe(player);
    if (mode === 'lan') {
      // Another site: the app's cookies are never sent to packages, and package script cannot set
      // cookies the app receives (no shadowed session, no flood answering 431).
      expect(cookiesToPackages).toEqual([]);
      const jar = await context.cookies(url);
      expect(jar.filter((c) => c.name.startsWith('flood') || c.value === 'forged')).toEqual([]);
      expect(jar.find((c) => c.name === 'fc_session')?.value).toBe(sessionBefore);
      const home = await page.goto(`${url}/`);
      expect(home?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toContain('My courses');
    }

    // Nothing was recorded for the trainee but what the SCORM API reported: no rating, no other course,
    // and the forged "passed" message never reached the runtime.
    await expect
      .poll(
        () => scorm.attemptState(personId, 'hostile-package', 'evil')?.state.cmi['cmi.core.lesson_location'],
      )
      .toBe('evil-was-here');
    const after = srv.ctx.db.records
      .prepare(`SELECT kind, body FROM journal WHERE seq > ?`)
      .all(journalBefore) as { kind: string; body: string }[];
    const stmts = after.filter((x) => x.kind === 'statement').map((x) => JSON.parse(x.body) as XapiStatement);
    expect(after.every((x) => x.kind === 'statement')).toBe(true);
    expect(verbs(stmts)).toEqual(['launched:', 'initialized:evil', 'progressed:evil']);
    expect(srv.ctx.db.records.prepare('SELECT count(*) AS n FROM ratings').get()).toEqual({ n: 0 });
    expect(
      scorm.attemptState(personId, 'hostile-package', 'evil')!.state.cmi['cmi.core.lesson_status'],
    ).not.toBe('passed');
    await context.close();
  });
});
