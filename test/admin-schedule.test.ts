import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { spreadsheetInstant } from '../src/core/time-zone.js';
import { adminServer, type AdminServer, coordinatorClient } from './admin-helpers.js';

/**
 * Schedules as a coordinator says them, in the box's time zone (Africa/Casablanca here, UTC+1): the
 * Schedule page reads each job's cron in words, a simple form writes cron back (stored, taken by the
 * running scheduler at once), bad input comes back beside its field with what was typed, "off" stops the
 * cron task, and a cron the words cannot say is shown as it is and can be replaced.
 */
describe('the Schedule page in words', () => {
  let s: AdminServer;
  const zone = 'Africa/Casablanca';
  beforeAll(async () => {
    s = await adminServer({}, { clock: fixedClock(new Date('2026-12-01T10:00:00.000Z')) });
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    s.ctx.timeZone.set(zone);
    s.server.scheduler.start();
  });
  afterAll(async () => {
    await s.server.scheduler.stop();
    await s.cleanup();
  });
  const signedIn = (lang: string) => coordinatorClient(s.url, 'coord', 'long-password-1', lang);
  const card = (html: string, job: string) => {
    const m = new RegExp(`<section class="card job" data-job="${job}">([\\s\\S]*?)</section>`).exec(html);
    expect(m, job).toBeTruthy();
    return m![1]!;
  };
  const stored = (job: string) => s.server.scheduler.list().find((j) => j.name === job)!;

  it('reads the default schedules in words in en, fr and ar, with the zone', async () => {
    const en = (await (await signedIn('en')).page('/admin/schedule')).html;
    expect(card(en, 'backup')).toContain('Every day at 01:30');
    expect(card(en, 'backup')).toContain(`Times in ${zone}.`);
    expect(card(en, 'health-snapshot')).toContain('Every 15 minutes');
    expect(card(en, 'usb-copy')).toContain('Every minute');
    expect(card(en, 'backup')).toMatch(/<option value="daily" selected/);
    expect(card(en, 'backup')).toContain('value="01:30"');
    const fr = (await (await signedIn('fr')).page('/admin/schedule')).html;
    expect(card(fr, 'backup')).toContain('Tous les jours à 01:30');
    expect(card(fr, 'health-snapshot')).toContain('Toutes les 15 minutes');
    const ar = (await (await signedIn('ar')).page('/admin/schedule')).html;
    expect(card(ar, 'backup')).toContain('كل يوم الساعة 01:30');
    expect(card(ar, 'scorm-close-stale')).toContain('كل 5 دقائق');
    // No custom choice where the words say the schedule.
    expect(card(en, 'backup')).not.toContain('value="custom"');
  });

  it('saves chosen weekdays at a time written "7h" (fr), runs them at 07:00 in the box’s zone', async () => {
    const fr = await signedIn('fr');
    const r = await fr.submit('/admin/schedule', '/admin/schedule/export', {
      kind: 'weekly',
      time: '7h',
      days: ['1', '4'],
    });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toContain('ok=scheduleSaved');
    expect(s.ctx.records.getMeta('job_schedule:export')).toBe('0 7 * * 1,4');
    expect(stored('export').schedule).toBe('0 7 * * 1,4');
    // node-cron counts from the real time: the next run is a Monday or a Thursday, 07:00 in Casablanca,
    // within the coming week.
    const next = stored('export').nextRun!;
    expect(spreadsheetInstant(next, zone)).toMatch(/ 07:00:00$/);
    expect(['Mon', 'Thu']).toContain(
      new Intl.DateTimeFormat('en', { weekday: 'short', timeZone: zone }).format(new Date(next)),
    );
    expect(Date.parse(next) - Date.now()).toBeGreaterThan(0);
    expect(Date.parse(next) - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    const page = await fr.page(r.headers.get('location')!);
    expect(page.html).toContain('role="status"');
    expect(card(page.html, 'export')).toContain('Chaque lundi et jeudi à 07:00');
    expect(card(page.html, 'export')).toMatch(/name="days" value="1" checked/);
    expect(card(page.html, 'export')).toMatch(/name="days" value="2"\/>/);
    expect(s.ctx.audit.last('job.schedule')?.target).toBe('export');
  });

  it('refuses a bad time (fr) and no day ticked (ar) beside their fields, keeping what was typed', async () => {
    const before = s.ctx.records.getMeta('job_schedule:backup') ?? null;
    const fr = await signedIn('fr');
    const bad = await fr.submit('/admin/schedule', '/admin/schedule/backup', {
      kind: 'daily',
      time: '25:70',
    });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    const backup = card(html, 'backup');
    expect(backup).toContain('<details class="schedule-change" open');
    expect(backup).toMatch(
      /id="backup-time" aria-invalid="true" aria-describedby="backup-time-error[^"]*"[^>]*value="25:70"/,
    );
    expect(backup).toContain(
      '<p class="field-error" id="backup-time-error">écrivez l’heure et les minutes sous la forme HH:MM, par exemple 01:30 ou 18:00</p>',
    );
    // The other cards are as saved, closed.
    expect(card(html, 'cleanup')).not.toContain('aria-invalid');
    expect(card(html, 'cleanup')).toContain('<details class="schedule-change">');

    const ar = await signedIn('ar');
    const none = await ar.submit('/admin/schedule', '/admin/schedule/backup', {
      kind: 'weekly',
      time: '18:45',
    });
    expect(none.status).toBe(400);
    const arHtml = await none.text();
    expect(arHtml).toContain('dir="rtl"');
    const arBackup = card(arHtml, 'backup');
    expect(arBackup).toContain('اختر يوماً واحداً على الأقل');
    expect(arBackup).toMatch(/<fieldset class="s-days" aria-invalid="true"/);
    expect(arBackup).toContain('value="18:45"');
    expect(arBackup).toMatch(/<option value="weekly" selected/);
    expect(s.ctx.records.getMeta('job_schedule:backup') ?? null).toBe(before);
    expect(stored('backup').schedule).toBe('30 1 * * *');
  });

  it('turns a job off (no next run, "run now" still there) and on again every 6 hours', async () => {
    const en = await signedIn('en');
    const off = await en.submit('/admin/schedule', '/admin/schedule/health-snapshot', { kind: 'off' });
    expect(off.status).toBe(303);
    expect(s.ctx.records.getMeta('job_schedule:health-snapshot')).toBe('off');
    expect(stored('health-snapshot').schedule).toBe('off');
    expect(stored('health-snapshot').nextRun).toBeUndefined();
    const { allJobs } = await import('../src/app/jobs.js');
    expect(allJobs(s.ctx).find((j) => j.name === 'health-snapshot')?.schedule).toBe('off');
    const page = (await en.page('/admin/schedule')).html;
    expect(card(page, 'health-snapshot')).toContain('Off: runs only when someone presses “Run now”.');
    expect(card(page, 'health-snapshot')).toContain('action="/admin/schedule/health-snapshot/run"');
    const on = await en.submit('/admin/schedule', '/admin/schedule/health-snapshot', {
      kind: 'hours',
      hours: '6',
    });
    expect(on.status).toBe(303);
    expect(stored('health-snapshot').schedule).toBe('0 */6 * * *');
    // The next run is on a multiple of 6 hours in Casablanca (00, 06, 12, 18:00), within 6 hours.
    const next = stored('health-snapshot').nextRun!;
    expect(spreadsheetInstant(next, zone)).toMatch(/ (00|06|12|18):00:00$/);
    expect(Date.parse(next) - Date.now()).toBeGreaterThan(0);
    expect(Date.parse(next) - Date.now()).toBeLessThanOrEqual(6 * 3_600_000);
    expect(card((await en.page('/admin/schedule')).html, 'health-snapshot')).toContain('Every 6 hours');
  });

  it('shows a cron the words cannot say as it is, keeps it on save, and replaces it by a simple one', async () => {
    s.ctx.records.writeNow(() => s.ctx.records.setMeta('job_schedule:cleanup', '15 2 1 * *'));
    s.server.scheduler.reschedule('cleanup', '15 2 1 * *');
    const en = await signedIn('en');
    const page = card((await en.page('/admin/schedule')).html, 'cleanup');
    expect(page).toContain('A custom schedule, written in cron:');
    expect(page).toContain('<code dir="ltr">15 2 1 * *</code>');
    expect(page).toMatch(/<option value="custom" selected/);
    expect(page).toMatch(/name="cron" value="15 2 1 \* \*"/);
    const typo = await en.submit('/admin/schedule', '/admin/schedule/cleanup', {
      kind: 'custom',
      cron: '15 2 1 *',
    });
    expect(typo.status).toBe(400);
    const typoCard = card(await typo.text(), 'cleanup');
    expect(typoCard).toContain('is not a cron schedule such as');
    expect(typoCard).toContain('value="15 2 1 *"');
    expect(stored('cleanup').schedule).toBe('15 2 1 * *');
    const daily = await en.submit('/admin/schedule', '/admin/schedule/cleanup', {
      kind: 'daily',
      time: '04:05',
    });
    expect(daily.status).toBe(303);
    expect(stored('cleanup').schedule).toBe('5 4 * * *');
    const after = card((await en.page('/admin/schedule')).html, 'cleanup');
    expect(after).toContain('Every day at 04:05');
    expect(after).not.toContain('value="custom"');
  });
});
