import { cpSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCourseBundle, generateContentKey } from '../src/content/course-bundle.js';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { tempDir } from './helpers/context.js';
import { Browserless } from './helpers/http.js';
import { adminServer, coordinatorClient, type AdminServer } from './admin-helpers.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');

/**
 * Every admin form, sent as a double submit does: the page's form (its CSRF token and its operation id)
 * sent twice at once, then a third time after both answered (a resend, a back button). Each acts once (one
 * audit row; one trainee, one backup, one code...) and the three answers are the first outcome, never an
 * error made by the first one's effect. Real server, real SQLite; Chromium's native double click is in
 * test/e2e/admin-double-click.e2e.test.ts.
 */
describe('the same admin form sent three times acts once and answers with the first outcome', () => {
  let s: AdminServer;
  let b: Browserless;
  let awaId = '';
  let cohortId = '';
  let bundle = '';
  const keys = tempDir('fieldclass-keys-');
  const stick = tempDir('fieldclass-stick-');
  beforeAll(async () => {
    const key = generateContentKey(keys.dir);
    bundle = (await buildCourseBundle(FIXTURE, key.privateKeyPath, keys.dir)).path;
    mkdirSync(join(stick.dir, 'fieldclass', 'courses'), { recursive: true });
    cpSync(FIXTURE, join(stick.dir, 'fieldclass', 'courses', 'fixture-course'), { recursive: true });
    s = await adminServer(
      { content: { trustedKeys: [key.publicKeyBase64], allowUnsigned: true } },
      { sticks: [stick.dir] },
    );
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    awaId = (await s.ctx.people.addTrainee({ username: 'awa', pin: '2468' })).id;
    await s.ctx.people.addTrainee({ username: 'binta', pin: '2468' });
    cohortId = s.ctx.cohorts.create('Morning class').id;
    b = await coordinatorClient(s.url, 'coord', 'long-password-1');
  });
  afterAll(async () => {
    await s?.cleanup();
    keys.cleanup();
    stick.cleanup();
  });

  const audits = (action: string) =>
    s.ctx.db.records.prepare('SELECT count(*) FROM audit WHERE action = ?').pluck().get(action) as number;

  /** The hidden and shown values of the page's form that posts to `action` (the first holding `has`). */
  const formOf = (html: string, action: string, has = '') => {
    for (const m of html.matchAll(/<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
      if (m[1]!.split('?')[0] !== action || !m[2]!.includes(has)) continue;
      const fields = Object.fromEntries(
        [...m[2]!.matchAll(/<input\b[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"/g)].map((x) => [
          x[1]!,
          x[2]!.replace(/&amp;/g, '&'),
        ]),
      );
      expect(fields['op'], `${action}: the form's operation id`).toMatch(/^[0-9a-f-]{36}$/);
      return fields;
    }
    throw new Error(`no form posting to ${action} with ${has}`);
  };

  /** Send the form twice at once, then once more; every answer the same, none an error. */
  const thrice = async (pagePath: string, action: string, typed: Record<string, string>, has = '') => {
    const fields = { ...formOf((await b.page(pagePath)).html, action, has), ...typed };
    const [r1, r2] = await Promise.all([b.post(action, fields), b.post(action, fields)]);
    const r3 = await b.post(action, fields);
    const answers = [r1, r2, r3].map((r) => `${r.status} ${r.headers.get('location') ?? ''}`);
    expect(new Set(answers).size, answers.join(' | ')).toBe(1);
    expect(answers[0]).not.toMatch(/err=/);
    return r1;
  };

  it('trainees: add, edit, new PIN, enrol, deactivate, reactivate', async () => {
    const add = await thrice('/admin/trainees/new', '/admin/trainees', { username: 'zoe', pin: '1357' });
    expect(add.headers.get('location')).toContain('ok=added');
    expect(audits('trainee.add')).toBe(1);
    expect(s.ctx.people.search({ role: 'trainee', query: 'zoe' }).total).toBe(1);

    const page = `/admin/trainees/${awaId}`;
    await thrice(page, page, { displayName: 'Awa Ba' }, 'name="displayName"');
    expect(audits('trainee.edit')).toBe(1);
    expect(s.ctx.people.get(awaId)?.displayName).toBe('Awa Ba');

    await thrice(page, `${page}/pin`, { pin: '9753' });
    expect(audits('trainee.pin_reset')).toBe(1);
    expect(await s.ctx.people.authenticate('awa', '9753')).toBeTruthy();

    s.ctx.content.installFolder(FIXTURE);
    const enrol = await thrice(page, `${page}/enrol`, { courseId: 'fixture-course' });
    expect(enrol.headers.get('location')).toContain('n=1');
    expect(audits('enrolment.add')).toBe(1);

    await thrice(page, `${page}/deactivate`, {});
    await thrice(page, `${page}/reactivate`, {});
    expect([audits('trainee.deactivate'), audits('trainee.reactivate')]).toEqual([1, 1]);
    expect(s.ctx.people.get(awaId)?.active).toBe(true);
  });

  it('classes: create, new class code, add members (one unknown), enrol, remove a member', async () => {
    const created = await thrice('/admin/cohorts', '/admin/cohorts', { name: 'Evening class' });
    expect(created.headers.get('location')).toMatch(/\/admin\/cohorts\/[^?]+\?ok=saved/);
    expect(audits('cohort.create')).toBe(1);

    const page = `/admin/cohorts/${cohortId}`;
    await thrice(page, `${page}/code`, {}, 'name="generate"');
    expect(audits('cohort.class_code')).toBe(1);

    // One known name, one unknown: the known one added once, the three answers the same refusal page.
    const fields = {
      ...formOf((await b.page(page)).html, `${page}/members`),
      usernames: 'binta nobody',
    };
    const answers = await Promise.all([b.post(`${page}/members`, fields), b.post(`${page}/members`, fields)]);
    answers.push(await b.post(`${page}/members`, fields));
    for (const r of answers) {
      expect(r.status).toBe(400);
      const html = await r.text();
      expect(html).toContain('nobody');
      expect(html).not.toContain('binta\n');
    }
    expect(audits('cohort.members_add')).toBe(1);
    expect(s.ctx.cohorts.get(cohortId)?.members).toBe(1);

    const enrol = await thrice(page, `${page}/enrol`, { courseId: 'fixture-course' });
    expect(enrol.headers.get('location')).toContain('ok=enrolled');
    expect(audits('cohort.enrol')).toBe(1);

    await thrice(page, `${page}/members/remove`, {});
    expect(audits('cohort.member_remove')).toBe(1);
    expect(s.ctx.cohorts.get(cohortId)?.members).toBe(0);
  });

  it('courses: disable, install from a USB stick, upload a bundle', async () => {
    await thrice('/admin/courses', '/admin/courses/fixture-course/active', {});
    expect(audits('course.disable')).toBe(1);

    const installs = audits('course.install');
    const usb = await thrice('/admin/courses', '/admin/courses/usb', {});
    expect(usb.headers.get('location')).toMatch(/ok=(installed|alreadyInstalled)/);
    expect(audits('course.install')).toBe(installs + 1);

    // The upload is multipart: the same file and operation id, twice at once and once more.
    const { html } = await b.page('/admin/courses');
    const op = Browserless.opOf(html, '/admin/courses/upload')!;
    expect(op).toMatch(/^[0-9a-f-]{36}$/);
    const send = () => {
      const form = new FormData();
      form.append('op', op);
      form.append('file', new Blob([new Uint8Array(readFileSync(bundle))]), 'fixture.course.zip');
      return fetch(`${s.url}/admin/courses/upload?_csrf=${encodeURIComponent(Browserless.csrfOf(html))}`, {
        method: 'POST',
        redirect: 'manual',
        body: form,
        headers: {
          accept: 'text/html',
          origin: s.url,
          cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        },
      });
    };
    const rs = await Promise.all([send(), send()]);
    rs.push(await send());
    const where = rs.map((r) => r.headers.get('location'));
    expect(new Set(where).size, where.join(' | ')).toBe(1);
    expect(where[0]).toMatch(/ok=(installed|alreadyInstalled)/);
    expect(audits('course.install')).toBe(installs + 2);
    // Nothing of the three copies is left behind in the upload folder.
    expect(readdirSync(join(s.dir, 'tmp')).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('coordinators, backups, sync: add a coordinator, back up, download, export, copy to USB', async () => {
    await thrice('/admin/coordinators', '/admin/coordinators', {
      username: 'bineta',
      password: 'a-long-password-9',
    });
    expect(audits('coordinator.add')).toBe(1);

    const before = s.ctx.backups.list().length;
    const done = await thrice('/admin/backups', '/admin/backups', {});
    expect(done.headers.get('location')).toContain('ok=backupDone');
    expect(s.ctx.backups.list().length).toBe(before + 1);
    expect(audits('backup.create')).toBe(1);

    const name = s.ctx.backups.list()[0]!.name;
    const fields = formOf((await b.page('/admin/backups')).html, '/admin/backups/download', name);
    const downloads = await Promise.all([
      b.post('/admin/backups/download', fields),
      b.post('/admin/backups/download', fields),
    ]);
    for (const r of downloads) {
      expect(r.status).toBe(200);
      expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    expect(audits('backup.download')).toBe(1);

    const exported = await thrice('/admin/sync', '/admin/sync/export', {});
    expect(exported.headers.get('location')).toMatch(/ok=exported&n=1/);
    expect(audits('sync.export')).toBe(1);

    await thrice('/admin/sync', '/admin/sync/usb', {});
    expect(audits('sync.usb_copy')).toBe(1);
    expect(readdirSync(join(stick.dir, 'fieldclass', 'outbox')).length).toBeGreaterThan(0);
  });

  it('schedule, time zone, clock: save a schedule, save the zone, run a job now, set the clock', async () => {
    await thrice('/admin/schedule', '/admin/time-zone', { timeZone: 'Africa/Dakar' });
    expect(audits('box.time_zone')).toBe(1);
    expect(s.ctx.timeZone.get()).toBe('Africa/Dakar');

    await thrice(
      '/admin/schedule',
      '/admin/schedule/backup',
      { kind: 'daily', time: '02:15', job: 'backup' },
      'name="time"',
    );
    expect(audits('job.schedule')).toBe(1);

    s.server.scheduler.start();
    try {
      const ran = await thrice('/admin/schedule', '/admin/schedule/cleanup/run', {});
      expect(ran.headers.get('location')).toContain('ok=ran');
      expect(audits('job.run')).toBe(1);
      expect(
        s.ctx.db.records.prepare("SELECT count(*) FROM job_runs WHERE job = 'cleanup'").pluck().get(),
      ).toBe(1);
    } finally {
      await s.server.scheduler.stop();
    }

    const when = new Date(Date.now() + 3_600_000).toISOString();
    await thrice('/admin', '/admin/clock', { browserTime: when });
    expect(s.clock.calls).toHaveLength(1);
  });
});

describe('first-run setup sent twice makes one coordinator and signs both answers in', () => {
  let s: AdminServer;
  beforeAll(async () => {
    s = await adminServer();
  });
  afterAll(() => s?.cleanup());

  it('a double submit of the setup form: one coordinator, both answers signed in at /admin', async () => {
    const b = new Browserless(s.url, { 'accept-language': 'fr' });
    const { html } = await b.page('/admin/setup');
    const fields = {
      _csrf: Browserless.csrfOf(html),
      op: Browserless.opOf(html, '/admin/setup')!,
      code: s.ctx.setup.currentCode(),
      username: 'coord',
      password: 'long-password-1',
      password2: 'long-password-1',
      timeZone: 'Africa/Dakar',
    };
    // At once, as a double click sends them (a later resend carries the page's CSRF token of before the
    // sign-in, which the new session refuses: 403, as for any form of a page shown before signing in).
    const rs = await Promise.all([b.post('/admin/setup', fields), b.post('/admin/setup', fields)]);
    expect(rs.map((r) => `${r.status} ${r.headers.get('location')}`)).toEqual(Array(2).fill('303 /admin'));
    expect(s.ctx.people.count('coordinator')).toBe(1);
    expect((await b.get('/admin')).status).toBe(200);
    // Another form (another operation id) finds the setup closed, as before.
    const late = new Browserless(s.url);
    const { _csrf: _used, op: _op, ...typed } = fields;
    const other = await late.submit('/admin/signin', '/admin/setup', typed);
    expect(other.headers.get('location')).toBe('/admin/signin');
  });
});
