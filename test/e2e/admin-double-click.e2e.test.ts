import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { doubleSubmit, launchChromium } from '../helpers/browser.js';
import { adminServer, type AdminServer } from '../admin-helpers.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
const WRONG = { q1: ['a'], q2: ['b'], q3: ['true'], q4: ['999'] };

/**
 * A coordinator double-clicks "Give another attempt" in a real Chromium: one attempt is granted, one
 * audit row, and the page shows the success, no error.
 */
describe('a double click on an admin button applies once and shows the success', () => {
  let s: AdminServer;
  let browser: Browser;
  let awaId = '';
  beforeAll(async () => {
    s = await adminServer();
    s.ctx.content.installFolder(FIXTURE);
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    const awa = await s.ctx.people.addTrainee({ username: 'awa', pin: '2468' });
    awaId = awa.id;
    await s.ctx.learning.submitQuiz(awa, 'fixture-course', 'final-quiz', 'en', WRONG);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.cleanup();
  });

  it('double-clicks "Accorder une autre tentative" (fr, phone size)', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR' });
    const page = await ctx.newPage();
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/attempts')) posts.push(r.url());
    });
    await page.goto(s.url + '/admin/signin');
    await page.getByLabel('Nom d’utilisateur').fill('coord');
    await page.getByLabel('Mot de passe').fill('long-password-1');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL((u) => !u.pathname.endsWith('/signin'));
    await page.goto(`${s.url}/admin/trainees/${awaId}/history`);
    await doubleSubmit(
      page,
      page.getByRole('button', { name: 'Accorder une autre tentative' }),
      /ok=attemptGranted/,
    );
    await expect.poll(() => page.locator('[role=status]').textContent()).toContain('Une tentative de plus');
    expect(await page.locator('[role=alert]').count()).toBe(0);
    const count = (sql: string) => s.ctx.db.records.prepare(sql).pluck().get() as number;
    expect(count(`SELECT count(*) FROM audit WHERE action = 'attempts.grant'`)).toBe(1);
    expect(count(`SELECT count(*) FROM journal WHERE kind = 'adjustment'`)).toBe(1);
    // Chromium sends a double-clicked submit once (a second submission of a form whose navigation is
    // pending is dropped); a form sent twice with the same id is test/admin-attempts.test.ts.
    expect(posts).toHaveLength(1);
    await ctx.close();
  });

  it('double-clicks each kind of admin form (fr, phone size): the first outcome, no error, done once', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR' });
    const page = await ctx.newPage();
    await page.goto(s.url + '/admin/signin');
    await page.getByLabel('Nom d’utilisateur').fill('coord');
    await page.getByLabel('Mot de passe').fill('long-password-1');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL((u) => !u.pathname.endsWith('/signin'));
    const count = (sql: string, ...p: string[]) =>
      s.ctx.db.records
        .prepare(sql)
        .pluck()
        .get(...p) as number;
    const audits = (action: string) => count('SELECT count(*) FROM audit WHERE action = ?', action);
    const firstOutcome = async (notice: string) => {
      await expect.poll(() => page.locator('[role=status]').first().textContent()).toContain(notice);
      expect(await page.locator('[role=alert]').count()).toBe(0);
    };

    // A typed form: a new trainee.
    await page.goto(`${s.url}/admin/trainees/new`);
    await page.getByLabel('Nom d’utilisateur').fill('zoe');
    await page.locator('#pin').fill('1357');
    await doubleSubmit(page, page.getByRole('button', { name: 'Ajouter' }), /ok=added/);
    await firstOutcome('zoe');
    expect(audits('trainee.add')).toBe(1);

    // A one-line toolbar form: a class.
    await page.goto(`${s.url}/admin/cohorts`);
    await page.locator('#name').fill('Groupe du soir');
    await doubleSubmit(page, page.locator('form[action="/admin/cohorts"] button[type=submit]'), /ok=saved/);
    expect(audits('cohort.create')).toBe(1);
    expect(count("SELECT count(*) FROM cohorts WHERE name = 'Groupe du soir'")).toBe(1);

    // Buttons (PostButton): back up now, export now.
    await page.goto(`${s.url}/admin/backups`);
    await doubleSubmit(page, page.locator('form[action="/admin/backups"] button'), /ok=backupDone/);
    await firstOutcome('Sauvegarde');
    expect(audits('backup.create')).toBe(1);
    expect(s.ctx.backups.list()).toHaveLength(1);

    await page.goto(`${s.url}/admin/sync`);
    await doubleSubmit(
      page,
      page.locator('form[action="/admin/sync/export"] button'),
      /ok=(exported|nothingPending)/,
    );
    expect(await page.locator('[role=alert]').count()).toBe(0);
    expect(audits('sync.export')).toBe(1);
    await ctx.close();
  });
});
