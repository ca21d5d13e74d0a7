import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { spreadsheetInstant } from '../src/core/time-zone.js';
import { Browserless } from './helpers/http.js';
import { adminServer, type AdminServer } from './admin-helpers.js';

const COURSE = join(import.meta.dirname, 'fixtures/courses/fixture-course');

/**
 * One time-zone setting on the box: chosen at first-run setup, changed on the Schedule page, checked by the
 * one schema (a bad name refused beside its field in the coordinator's language), and used by every date
 * the admin shows, the CSVs and the scheduler. The box's clock says 21:30 UTC on 30 November: in
 * Pacific/Kiritimati (UTC+14) it is already 1 December, 11:30.
 */
describe('the box’s time zone', () => {
  let s: AdminServer;
  const now = new Date('2026-11-30T21:30:00.000Z');
  beforeAll(async () => {
    s = await adminServer({}, { clock: fixedClock(now) });
    s.ctx.content.installFolder(COURSE);
  });
  afterAll(async () => {
    await s.server.scheduler.stop();
    await s.cleanup();
  });

  const fieldsOf = (html: string, action: string) => {
    const form = new RegExp(`<form method="post" action="${action}"[^]*?</form>`).exec(html)?.[0];
    expect(form, action).toBeTruthy();
    return Object.fromEntries(
      [...form!.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
  };

  it('first-run setup refuses a made-up zone beside its field (fr), keeps what was typed, then stores the canonical name', async () => {
    expect(s.ctx.timeZone.chosen()).toBe(false);
    const b = new Browserless(s.url, { 'accept-language': 'fr' });
    const form = {
      code: s.ctx.setup.currentCode(),
      username: 'awa',
      displayName: 'Awa Diallo',
      password: 'long-password-1',
      password2: 'long-password-1',
    };
    const page = await b.page('/admin/setup');
    expect(page.html).toContain('name="timeZone"');
    expect(page.html).toContain('<option value="Africa/Dakar"');
    const bad = await b.submit('/admin/setup', '/admin/setup', { ...form, timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('n’est pas un fuseau horaire');
    expect(html).toMatch(/id="timeZone"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="timeZone"/);
    expect(html).toContain('value="Mars/Olympus"');
    expect(html).toContain('value="Awa Diallo"');
    expect(s.ctx.setup.needsSetup()).toBe(true);
    const ok = await b.submit('/admin/setup', '/admin/setup', { ...form, timeZone: ' pacific/kiritimati ' });
    expect(ok.status).toBe(303);
    expect(s.ctx.timeZone.get()).toBe('Pacific/Kiritimati');
    expect(s.ctx.records.getMeta('time_zone')).toBe('Pacific/Kiritimati');
  });

  it('pages and CSVs show the box’s times in its zone, where the date is not UTC’s', async () => {
    const awa = await s.ctx.people.addTrainee({ username: 'binta', pin: '2468', displayName: 'Binta' });
    await s.ctx.learning.completeLesson(awa, 'fixture-course', 'intro', 'en');
    const b = new Browserless(s.url, { 'accept-language': 'fr' });
    expect(
      (await b.submit('/admin/signin', '/admin/signin', { username: 'awa', password: 'long-password-1' }))
        .status,
    ).toBe(303);
    // The audit log: the sign-in at 21:30 UTC on 30/11 is 11:30 on 01/12 in Kiritimati.
    const audit = await b.page('/admin/audit');
    expect(audit.html).toMatch(/01\/12\/2026[^<]*11:30/);
    expect(audit.html).not.toContain('30/11/2026');
    // The trainee's history page and its CSV (header names the zone; a date-time a spreadsheet reads).
    const history = await b.page(`/admin/trainees/${awa.id}/history`);
    expect(history.html).toMatch(/01\/12\/2026[^<]*11:30/);
    const csv = await (await b.get(`/admin/trainees/${awa.id}/history.csv`)).text();
    const [header, first] = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(header).toContain('(Pacific/Kiritimati)');
    expect(first).toMatch(/^2026-12-01 11:30:00[;,]/);
    // The course report CSV's last activity too.
    const report = await (await b.get('/admin/reports/courses/fixture-course.csv')).text();
    expect(report).toContain('(Pacific/Kiritimati)');
    expect(report).toContain('2026-12-01 11:30:00');
    expect(report).not.toContain('2026-11-30T21:30');
  });

  it('the Schedule page changes the zone (ar: a bad one refused beside the field) and the scheduler follows it', async () => {
    const scheduler = s.server.scheduler;
    scheduler.start();
    const b = new Browserless(s.url, { 'accept-language': 'ar' });
    expect(
      (await b.submit('/admin/signin', '/admin/signin', { username: 'awa', password: 'long-password-1' }))
        .status,
    ).toBe(303);
    const page = await b.page('/admin/schedule');
    expect(page.html).toContain('Pacific/Kiritimati');
    // The backup job runs at 01:30 in the box's zone (config '30 1 * * *').
    const backupNext = () => scheduler.list().find((j) => j.name === 'backup')!.nextRun!;
    expect(spreadsheetInstant(backupNext(), 'Pacific/Kiritimati')).toMatch(/ 01:30:00$/);
    const bad = await b.post('/admin/time-zone', {
      ...fieldsOf(page.html, '/admin/time-zone'),
      timeZone: '+01:00',
    });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('ليست منطقة زمنية');
    expect(badHtml).toContain('value="+01:00"');
    expect(s.ctx.timeZone.get()).toBe('Pacific/Kiritimati');
    // Twice, as a double tap sends it: the same answer, one audit row.
    const fields = { ...fieldsOf(page.html, '/admin/time-zone'), timeZone: 'Asia/Dubai' };
    const [r1, r2] = await Promise.all([
      b.post('/admin/time-zone', fields),
      b.post('/admin/time-zone', fields),
    ]);
    for (const r of [r1, r2]) {
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toContain('ok=timeZoneSaved');
    }
    const audits = s.ctx.db.records
      .prepare("SELECT count(*) FROM audit WHERE action = 'box.time_zone'")
      .pluck()
      .get() as number;
    expect(audits).toBe(1);
    expect(s.ctx.timeZone.get()).toBe('Asia/Dubai');
    expect(spreadsheetInstant(backupNext(), 'Asia/Dubai')).toMatch(/ 01:30:00$/);
    expect(new Date(backupNext()).getUTCHours()).toBe(21);
    const after = await b.page(r1.headers.get('location')!);
    expect(after.html).toContain('Asia/Dubai');
    expect(after.html).toContain('role="status"');
  });
});
