import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { launchChromium, phoneContext } from '../helpers/browser.js';
import { adminServer, type AdminServer } from '../admin-helpers.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
/** Set FIELDCLASS_SCREENSHOTS=<dir> to keep screenshots of the admin (dashboard en/ar, phone and laptop). */
const SHOTS = process.env['FIELDCLASS_SCREENSHOTS'];

/** 50 trainees as Excel (French locale) saves them: BOM, semicolons, CRLF. */
function classCsv(): Buffer {
  const lines = ['username;pin;name;external id;agency;gender'];
  for (let i = 1; i <= 50; i++) {
    const n = String(i).padStart(2, '0');
    lines.push(`officer${n};${String(1000 + i)};Officer ${n};OF-${n};Police;${i % 2 ? 'female' : 'male'}`);
  }
  return Buffer.from('\ufeff' + lines.join('\r\n') + '\r\n');
}

describe('a coordinator runs a class in a real Chromium', () => {
  let s: AdminServer;
  let browser: Browser;
  let laptop: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    s = await adminServer();
    s.ctx.content.installFolder(FIXTURE);
    browser = await launchChromium();
    laptop = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      acceptDownloads: true,
    });
    page = await laptop.newPage();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.cleanup();
  });

  const shot = async (p: Page, name: string) => {
    if (SHOTS) await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  it('first run, CSV import of 50, cohort enrolment, a trainee completes a lesson, the report and its CSV show it', async () => {
    // First run: the box logged a setup code (here: asked for directly, as `fieldclass admin setup-code` does).
    const code = s.ctx.setup.issueCode();
    await page.goto(s.url + '/admin');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Set up this box');
    await page.getByLabel('Setup code').fill(code);
    await page.getByLabel('Username').fill('amina');
    await page.getByLabel('Name', { exact: true }).fill('Amina Coordinator');
    await page.getByLabel('Password', { exact: true }).fill('long-password-1');
    await page.getByLabel('Password again').fill('long-password-1');
    await page.getByRole('button', { name: 'Create the coordinator account' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Dashboard');

    // A class, then 50 trainees from a CSV straight into it.
    await page.getByRole('link', { name: 'Classes' }).click();
    await page.getByLabel('New class').fill('Police class A');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Police class A');

    await page.goto(s.url + '/admin/trainees/import');
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'class-a.csv', mimeType: 'text/csv', buffer: classCsv() });
    await page.getByLabel('Add them to the class').selectOption({ label: 'Police class A' });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toBe('50 trainees are ready to import.');
    await page.getByRole('button', { name: 'Import 50 trainees' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toBe('50 trainees imported.');
    expect(s.ctx.people.count('trainee')).toBe(50);

    // Enrol the class in the course.
    await page.getByRole('link', { name: 'Classes' }).click();
    await page.getByRole('link', { name: 'Police class A' }).click();
    await page.getByLabel('Enrol in a course').selectOption({ label: 'Fixture course' });
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toBe('Enrolled 50 trainees.');

    // One of them completes a lesson on a phone (a second browser context: another person, another session).
    const phone = await phoneContext(browser, { locale: 'en-US' });
    const tp = await phone.newPage();
    await tp.goto(s.url + '/');
    await tp.getByLabel('Username').fill('officer07');
    await tp.getByLabel('PIN').fill('1007');
    await tp.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => tp.locator('h1').textContent()).toBe('My courses');
    await tp.getByRole('link', { name: 'Fixture course' }).click();
    await tp.getByRole('button', { name: 'Introduction' }).click();
    await tp.getByRole('button', { name: 'Mark as done and continue' }).click();
    await expect.poll(() => tp.locator('article.lesson h1').first().textContent()).toBe('Watch');
    // The trainee cannot open the admin.
    const denied = await tp.goto(s.url + '/admin');
    expect(denied?.status()).toBe(403);
    await phone.close();

    // The coordinator sees it in the course report, first by progress, and downloads the CSV.
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('link', { name: 'Fixture course' }).first().click();
    await expect
      .poll(() => page.locator('#report tbody tr').first().getAttribute('data-username'))
      .toBe('officer07');
    expect(await page.locator('#report tbody tr').first().textContent()).toContain('33%');
    expect(await page.locator('figure.chart .bars li').count()).toBe(6);
    await shot(page, 'admin-report-laptop-en');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('report-fixture-course.csv');
    const csv = readFileSync(await download.path());
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = csv.toString('utf8').slice(1).split('\r\n');
    expect(rows).toHaveLength(52); // header + 50 + final empty line
    // enrolled, started, active, activities done, activities, progress %, completed, result, score %, last activity
    expect(rows[1]).toMatch(
      /^officer07,Officer 07,OF-07,Police,female,yes,yes,yes,1,3,33,no,in progress,,20\d\d-/,
    );
  });

  it('renders the dashboard in English and Arabic on a phone and a laptop', async () => {
    s.probe.values = { diskFreeBytes: 300 * 1024 * 1024, cpuTempC: 78 };
    for (const [name, viewport] of [
      ['laptop', { width: 1280, height: 800 }],
      ['phone', { width: 360, height: 740 }],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.goto(s.url + '/admin');
      await expect.poll(() => page.locator('h1').textContent()).toBe('Dashboard');
      // Nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        viewport.width,
      );
      await shot(page, `admin-dashboard-${name}-en`);
    }
    await page.getByRole('button', { name: 'العربية' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('لوحة المتابعة');
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    for (const [name, viewport] of [
      ['phone', { width: 360, height: 740 }],
      ['laptop', { width: 1280, height: 800 }],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.goto(s.url + '/admin');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        viewport.width,
      );
      expect(await page.locator('.warning').first().textContent()).toContain('المساحة الحرة قليلة');
      await shot(page, `admin-dashboard-${name}-ar`);
    }
    s.probe.values = {};
  });
  it('shows each row’s CSV mistakes on a phone in Arabic, with nothing imported', async () => {
    const phone = await phoneContext(browser, { locale: 'ar' });
    await phone.addCookies(await laptop.cookies());
    const p = await phone.newPage();
    await p.goto(s.url + '/admin/trainees/import');
    const bad =
      '\ufeffusername;pin;name;gender\r\nofficer07;1234;Dup;female\r\nnew1;12;Short pin;male\r\nnew2;5555;"Two\nlines";robot\r\n';
    await p
      .locator('input[type=file]')
      .setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await p.locator('form[enctype] button[type=submit]').click();
    await expect.poll(() => p.locator('tr.bad').count()).toBe(3);
    expect(await p.locator('tr[data-line="3"] ul.errors').textContent()).toContain(
      'يجب أن يتكون الرمز السري من 4 إلى 8 أرقام',
    );
    expect(await p.locator('tr[data-line="4"] ul.errors').textContent()).toContain('الجنس «robot»');
    expect(await p.locator('html').getAttribute('dir')).toBe('rtl');
    expect(s.ctx.people.byUsername('new1')).toBeUndefined();
    await shot(p, 'admin-import-errors-phone-ar');
    await phone.close();
  });
});
