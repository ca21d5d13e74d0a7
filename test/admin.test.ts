import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { Browserless } from './helpers/http.js';
import { adminServer, coordinatorClient, postFile, type AdminServer } from './admin-helpers.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
const auditCount = (s: AdminServer) =>
  s.ctx.db.records.prepare('SELECT count(*) FROM audit').pluck().get() as number;
const loc = (r: Response) => r.headers.get('location') ?? '';
/**
 * The error a POST redirected back with, as the page shows it: the redirect carries only an id (`?err=`),
 * never the text.
 */
const errOf = async (b: Browserless, r: Response) => {
  expect(new URL(loc(r), 'http://x').searchParams.get('err')).toMatch(/^[\w-]{16}$/);
  return (await b.page(loc(r))).html;
};
/** A refused form: the same page again (not a redirect), with the error shown and what was typed. */
const refused = async (r: Response, status = 400) => {
  expect(r.status).toBe(status);
  return r.text();
};

describe('admin first run: setup code, then coordinators', () => {
  let s: AdminServer;
  beforeAll(async () => {
    s = await adminServer();
  });
  afterAll(async () => s.cleanup());

  it('sends /admin to the setup page while no coordinator exists, and takes only the latest code', async () => {
    const b = new Browserless(s.url, { 'accept-language': 'en' });
    const r = await b.get('/admin');
    expect(r.status).toBe(303);
    expect(loc(r)).toBe('/admin/setup');
    const first = s.ctx.setup.currentCode();
    // Stable until replaced on purpose: the log at start, the installer and the CLI show one code.
    expect(s.ctx.setup.currentCode()).toBe(first);
    const old = s.ctx.setup.issueCode();
    const code = s.ctx.setup.issueCode();
    expect(s.ctx.setup.currentCode()).toBe(code);
    const form = {
      username: 'amina',
      displayName: 'Amina',
      password: 'long-password-1',
      password2: 'long-password-1',
    };
    const wrong = await b.submit('/admin/setup', '/admin/setup', { ...form, code: old });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('setup code is not right');
    expect(s.ctx.people.count('coordinator')).toBe(0);
    const mismatch = await b.submit('/admin/setup', '/admin/setup', {
      ...form,
      code,
      password2: 'other-password',
    });
    expect(mismatch.status).toBe(400);
    const ok = await b.submit('/admin/setup', '/admin/setup', { ...form, code: code.toLowerCase() });
    expect(ok.status).toBe(303);
    expect(loc(ok)).toBe('/admin');
    expect((await b.page('/admin')).html).toContain('Dashboard');
    expect(s.ctx.people.byUsername('amina')?.role).toBe('coordinator');
    // The code is spent (cleared from the box), and the setup page is closed for good.
    expect(s.ctx.records.getMeta('admin_setup_code')).toBe('');
    const again = await new Browserless(s.url).get('/admin/setup');
    expect(loc(again)).toBe('/admin/signin');
    await expect(
      s.ctx.setup.complete(code, { username: 'mallory', password: 'long-password-2' }),
    ).rejects.toMatchObject({ code: 'setup_done' });
  });

  it('lets a coordinator add a coordinator, who can then sign in', async () => {
    const b = await coordinatorClient(s.url, 'amina', 'long-password-1');
    const r = await b.submit('/admin/coordinators', '/admin/coordinators', {
      username: 'karim',
      displayName: 'Karim',
      password: 'another-password',
    });
    expect(r.status).toBe(303);
    await coordinatorClient(s.url, 'karim', 'another-password');
    const audit = await b.page('/admin/audit');
    // Each event said in the coordinator's language, its code kept on the row.
    expect(audit.html).toContain('data-action="coordinator.add">Coordinator account added<');
    expect(audit.html).toContain('data-action="coordinator.setup">Box set up (first coordinator account)<');
  });
});

describe('admin security: roles, CSRF, Origin, rate limit, no GET changes anything', () => {
  let s: AdminServer;
  let coord: Browserless;
  beforeAll(async () => {
    s = await adminServer({ signinRateLimit: { perAddressPerMinute: 100, perUsernamePerMinute: 3 } });
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    await s.ctx.people.addTrainee({ username: 'awa', pin: '1234' });
    coord = await coordinatorClient(s.url, 'coord', 'long-password-1');
  });
  afterAll(async () => s.cleanup());

  it('never lets a trainee session reach /admin, GET or POST', async () => {
    const t = new Browserless(s.url);
    expect((await t.submit('/', '/signin', { username: 'awa', pin: '1234' })).status).toBe(303);
    const { html } = await t.page('/');
    const csrf = Browserless.csrfOf(html);
    for (const path of [
      '/admin',
      '/admin/trainees',
      '/admin/reports',
      '/admin/backups',
      '/admin/trainees.csv',
    ]) {
      expect((await t.get(path)).status, path).toBe(403);
    }
    const post = await t.post('/admin/coordinators', {
      _csrf: csrf,
      username: 'evil',
      password: 'long-password-9',
    });
    expect(post.status).toBe(403);
    expect(s.ctx.people.byUsername('evil')).toBeUndefined();
    // Nor does a trainee's PIN open the coordinator sign-in.
    const b = new Browserless(s.url);
    expect(
      (await b.submit('/admin/signin', '/admin/signin', { username: 'awa', password: '1234' })).status,
    ).toBe(401);
  });

  it('sends signed-out visitors to the sign-in page and refuses their POSTs', async () => {
    const b = new Browserless(s.url);
    const r = await b.get('/admin/trainees');
    expect(r.status).toBe(303);
    expect(loc(r)).toBe('/admin/signin');
    const { html } = await b.page('/admin/signin');
    const p = await b.post('/admin/trainees', {
      _csrf: Browserless.csrfOf(html),
      username: 'x1',
      pin: '1234',
    });
    expect(p.status).toBe(401);
  });

  it('refuses a POST without the CSRF token or from another origin', async () => {
    const before = s.ctx.people.count('trainee');
    expect((await coord.post('/admin/trainees', { username: 'nocsrf', pin: '1234' })).status).toBe(403);
    const { html } = await coord.page('/admin/trainees/new');
    const bad = await coord.post(
      '/admin/trainees',
      { _csrf: Browserless.csrfOf(html), username: 'cross', pin: '1234' },
      { origin: 'http://evil.example' },
    );
    expect(bad.status).toBe(403);
    expect(s.ctx.people.count('trainee')).toBe(before);
  });

  it('rate-limits coordinator sign-in per username', async () => {
    const b = new Browserless(s.url);
    for (let i = 0; i < 3; i++)
      expect(
        (await b.submit('/admin/signin', '/admin/signin', { username: 'karima', password: 'wrong-password' }))
          .status,
      ).toBe(401);
    const blocked = await b.submit('/admin/signin', '/admin/signin', {
      username: 'karima',
      password: 'wrong-password',
    });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('Too many attempts');
  });

  it('changes nothing on any GET', async () => {
    const before = {
      audit: auditCount(s),
      seq: s.ctx.records.lastSeq(),
      backups: s.ctx.backups.list().length,
    };
    for (const path of [
      '/admin',
      '/admin/trainees',
      '/admin/trainees/new',
      '/admin/trainees/import',
      '/admin/trainees.csv',
      '/admin/cohorts',
      '/admin/courses',
      '/admin/reports',
      '/admin/sync',
      '/admin/schedule',
      '/admin/backups',
      '/admin/audit',
      '/admin/coordinators',
    ]) {
      const r = await coord.get(path);
      expect(r.status, path).toBe(200);
    }
    expect(auditCount(s)).toBe(before.audit);
    expect(s.ctx.records.lastSeq()).toBe(before.seq);
    expect(s.ctx.backups.list().length).toBe(before.backups);
  });

  it('sets helmet headers without HSTS or upgrade-insecure-requests', async () => {
    const r = await coord.get('/admin');
    expect(r.headers.get('strict-transport-security')).toBeNull();
    expect(r.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('admin dashboard: counts, health, warnings, clock', () => {
  let s: AdminServer;
  let coord: Browserless;
  beforeAll(async () => {
    s = await adminServer();
    s.ctx.content.installFolder(FIXTURE);
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    const awa = await s.ctx.people.addTrainee({ username: 'awa', pin: '1234' });
    await s.ctx.learning.completeLesson(awa, 'fixture-course', 'intro', 'en');
    coord = await coordinatorClient(s.url, 'coord', 'long-password-1');
  });
  afterAll(async () => s.cleanup());

  it('shows activity counts and the probe figures, and warns of low disk and heat', async () => {
    s.probe.values = {
      diskFreeBytes: 100 * 1024 * 1024,
      cpuTempC: 82,
      throttling: {
        raw: '0x50005',
        underVoltageNow: true,
        throttledNow: true,
        underVoltageSinceBoot: true,
        throttledSinceBoot: true,
      },
    };
    const { html } = await coord.page('/admin');
    expect(html).toMatch(/<span class="value">1<\/span><span class="label">Active now/);
    expect(html).toMatch(/Disk space is low: \u2066?100 MB\u2069? left/);
    expect(html).toContain('The box is hot (82 °C)');
    expect(html).toContain('Under-voltage');
    expect(html).toContain('data-box-time=');
    s.probe.values = {};
    const calm = await coord.page('/admin');
    expect(calm.html).not.toContain('Disk space is low');
    expect(calm.html).not.toContain('The box is hot');
  });

  it('sets the box clock from the browser through the clock helper, recorded as an audit event', async () => {
    const time = '2027-03-04T05:06:07.000Z';
    const r = await coord.submit('/admin', '/admin/clock', { browserTime: time });
    expect(r.status).toBe(303);
    expect(loc(r)).toContain('ok=clockSet');
    expect(s.clock.calls.map((d) => d.toISOString())).toEqual([time]);
    expect(s.ctx.audit.last('clock.set')?.details).toMatchObject({ to: time });
    s.clock.failWith = 'sudo: a password is required';
    const f = await coord.submit('/admin', '/admin/clock', { browserTime: time });
    expect(loc(f)).toContain('err=');
    const shown = await coord.page(loc(f));
    // Plain words, never what the system command printed (that is in the server log: admin-clock.test.ts).
    expect(shown.html).toContain('The box’s clock was not changed');
    expect(shown.html).not.toContain('sudo');
    expect(s.ctx.audit.last('clock.set.failed')?.details).toMatchObject({ to: time, code: 'clock_not_set' });
    expect(Object.keys(s.ctx.audit.last('clock.set.failed')?.details ?? {}).sort()).toEqual([
      'code',
      'from',
      'to',
    ]);
    const junk = await coord.submit('/admin', '/admin/clock', { browserTime: 'yesterday' });
    expect(await errOf(coord, junk)).toContain('valid time');
  });
});

describe('admin trainees, cohorts, courses, reports', () => {
  let s: AdminServer;
  let coord: Browserless;
  beforeAll(async () => {
    s = await adminServer();
    s.ctx.content.installFolder(FIXTURE);
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    coord = await coordinatorClient(s.url, 'coord', 'long-password-1');
  });
  afterAll(async () => s.cleanup());

  it('adds, searches, pages, edits, deactivates and resets the PIN of trainees', async () => {
    for (let i = 0; i < 60; i++)
      await s.ctx.people.addTrainee({ username: `t${String(i).padStart(3, '0')}`, pin: '1234' });
    const add = await coord.submit('/admin/trainees/new', '/admin/trainees', {
      username: 'Zainab',
      pin: '4321',
      displayName: 'Zainab K',
      externalId: 'OF-77',
      agency: 'Police',
      gender: 'female',
      language: 'ar',
    });
    expect(add.status).toBe(303);
    const id = s.ctx.people.byUsername('zainab')!.id;
    const dup = await coord.submit('/admin/trainees/new', '/admin/trainees', {
      username: 'zainab',
      pin: '1111',
    });
    const dupPage = await refused(dup, 409);
    expect(dupPage).toContain('already taken');
    expect(dupPage).toContain('value="zainab"');
    const badPin = await coord.submit('/admin/trainees/new', '/admin/trainees', {
      username: 'newbie',
      pin: '12',
    });
    const pinPage = await refused(badPin);
    expect(pinPage).toContain('PIN must be 4 to 8 digits');
    expect(pinPage).toContain('value="newbie"');
    expect(s.ctx.people.byUsername('newbie')).toBeUndefined();

    const page1 = await coord.page('/admin/trainees');
    expect(page1.html).toContain('61 found');
    expect(page1.html).toContain('Page 1 of 2');
    const page2 = await coord.page('/admin/trainees?q=&offset=50');
    expect(page2.html).toContain('Page 2 of 2');
    const found = await coord.page('/admin/trainees?q=of-77');
    expect(found.html).toContain('1 found');
    expect(found.html).toContain('Zainab');

    await coord.submit(`/admin/trainees/${id}`, `/admin/trainees/${id}`, {
      displayName: 'Zainab Karimi',
      agency: 'Gendarmerie',
      gender: 'female',
      externalId: 'OF-77',
      language: 'ar',
    });
    expect(s.ctx.people.get(id)).toMatchObject({ displayName: 'Zainab Karimi', agency: 'Gendarmerie' });

    // Deactivating ends the trainee's sessions; the record stays.
    const t = new Browserless(s.url);
    await t.submit('/', '/signin', { username: 'zainab', pin: '4321' });
    expect((await t.page('/')).html).toContain('action="/signout"');
    await coord.submit(`/admin/trainees/${id}`, `/admin/trainees/${id}/deactivate`, {});
    expect(s.ctx.people.get(id)?.active).toBe(false);
    expect((await t.page('/')).html).not.toContain('action="/signout"');
    expect((await coord.page('/admin/trainees?q=zainab')).html).toContain('0 found');
    expect((await coord.page('/admin/trainees?q=zainab&inactive=1')).html).toContain('1 found');
    await coord.submit(`/admin/trainees/${id}`, `/admin/trainees/${id}/reactivate`, {});
    const pin = await coord.submit(`/admin/trainees/${id}`, `/admin/trainees/${id}/pin`, { pin: '98765' });
    expect(loc(pin)).toContain('ok=pinReset');
    expect(await s.ctx.people.authenticate('zainab', '98765')).toBeTruthy();

    const csv = await coord.get('/admin/trainees.csv');
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.headers.get('content-disposition')).toContain('trainees.csv');
    expect(bytes.toString('utf8')).toContain('Zainab,Zainab Karimi,OF-77,Gendarmerie,female,ar,yes');
  });

  it('creates a cohort, adds trainees, enrols it (journalled), and a class code signs trainees up into it', async () => {
    const c = await coord.submit('/admin/cohorts', '/admin/cohorts', { name: 'Police class 2027' });
    const cohortPath = loc(c).split('?')[0]!;
    const cohortId = cohortPath.split('/').pop()!;
    expect(s.ctx.cohorts.get(cohortId)?.name).toBe('Police class 2027');
    // The same form sent twice (a double click): one class, one audit row, both answers open it.
    const form = await coord.page('/admin/cohorts');
    const op = /name="op" value="([^"]+)"/.exec(form.html)![1]!;
    const twice = { _csrf: Browserless.csrfOf(form.html), op, name: 'Night class' };
    const [d1, d2] = await Promise.all([
      coord.post('/admin/cohorts', twice),
      coord.post('/admin/cohorts', twice),
    ]);
    expect(d1.status).toBe(303);
    expect(loc(d2)).toBe(loc(d1));
    expect(s.ctx.cohorts.list().filter((x) => x.name === 'Night class')).toHaveLength(1);
    const creates = s.ctx.db.records
      .prepare("SELECT count(*) FROM audit WHERE action = 'cohort.create' AND target = 'Night class'")
      .pluck()
      .get();
    expect(creates).toBe(1);
    const dup = await coord.submit('/admin/cohorts', '/admin/cohorts', { name: 'police CLASS 2027' });
    const dupPage = await refused(dup, 409);
    expect(dupPage).toContain('already exists');
    expect(dupPage).toContain('value="police CLASS 2027"');
    const unknown = await coord.submit(cohortPath, `${cohortPath}/members`, { usernames: 't001, nobody' });
    // The known name is added; the unknown one comes back, named beside the field, to correct.
    const unknownPage = await refused(unknown);
    expect(unknownPage).toContain('Added to the class: 1. Not added, unknown usernames: 1');
    expect(unknownPage).toContain('no trainee has these usernames: nobody.');
    expect(unknownPage).toMatch(/>nobody<\/textarea>/);
    expect(s.ctx.cohorts.get(cohortId)?.members).toBe(1);
    await coord.submit(cohortPath, `${cohortPath}/members`, { usernames: 't001, t002\nt003' });
    expect(s.ctx.cohorts.get(cohortId)?.members).toBe(3);
    const seqBefore = s.ctx.records.lastSeq();
    const enrol = await coord.submit(cohortPath, `${cohortPath}/enrol`, { courseId: 'fixture-course' });
    expect(loc(enrol)).toContain('n=3');
    const kinds = s.ctx.db.records
      .prepare('SELECT kind, body FROM journal WHERE seq > ? ORDER BY seq')
      .all(seqBefore) as { kind: string; body: string }[];
    expect(kinds.filter((k) => k.kind === 'enrolment')).toHaveLength(3);
    expect(JSON.parse(kinds.find((k) => k.kind === 'enrolment')!.body)).toMatchObject({
      courseId: 'fixture-course',
      cohortId,
      active: true,
    });
    expect(
      kinds.some((k) => k.kind === 'cohort' && (JSON.parse(k.body) as { type: string }).type === 'course'),
    ).toBe(true);
    // A trainee added later is enrolled in the cohort's courses too.
    await coord.submit(cohortPath, `${cohortPath}/members`, { usernames: 't004' });
    expect(s.ctx.cohorts.enrolmentsOf(s.ctx.people.byUsername('t004')!.id).map((e) => e.courseId)).toEqual([
      'fixture-course',
    ]);

    // Class code: sign-up is closed in config, but a cohort's code opens it and puts the trainee in the cohort.
    const bad = await coord.submit(cohortPath, `${cohortPath}/code`, { code: 'no' });
    expect(await refused(bad)).toContain('class code must be 4 to 32');
    await coord.submit(cohortPath, `${cohortPath}/code`, { code: 'police-27' });
    expect(s.ctx.cohorts.get(cohortId)?.classCode).toBe('POLICE-27');
    const t = new Browserless(s.url, { 'accept-language': 'en' });
    const wrong = await t.submit('/signup', '/signup', {
      username: 'selfie',
      displayName: 'Self',
      classCode: 'WRONG-1',
      pin: '2468',
      pin2: '2468',
    });
    expect(wrong.status).toBe(403);
    const r = await t.submit('/signup', '/signup', {
      username: 'selfie',
      displayName: 'Self',
      classCode: 'Police-27',
      pin: '2468',
      pin2: '2468',
    });
    expect(r.status).toBe(303);
    const selfie = s.ctx.people.byUsername('selfie')!;
    expect(s.ctx.cohorts.cohortsOf(selfie.id).map((x) => x.id)).toEqual([cohortId]);
    expect(s.ctx.cohorts.enrolmentsOf(selfie.id).map((e) => e.courseId)).toEqual(['fixture-course']);
    // Removing the code closes sign-up again.
    await coord.submit(cohortPath, `${cohortPath}/code`, { code: '' });
    expect((await new Browserless(s.url).get('/signup')).status).toBe(404);
  });

  it('lists courses with version and languages, disables and enables, and shows the importer error on upload', async () => {
    const { html } = await coord.page('/admin/courses');
    expect(html).toContain('Fixture course');
    expect(html).toContain('1.0.0');
    // Language names in the coordinator's language, not codes.
    expect(html).toContain('English, French');
    await coord.submit('/admin/courses', '/admin/courses/fixture-course/active', { active: '0' });
    expect(s.ctx.content.listInstalled()[0]!.active).toBe(false);
    await coord.submit('/admin/courses', '/admin/courses/fixture-course/active', { active: '1' });
    expect(s.ctx.content.listInstalled()[0]!.active).toBe(true);
    const up = await postFile(coord, '/admin/courses', '/admin/courses/upload', {
      name: 'broken.zip',
      data: 'this is not a zip',
      type: 'application/zip',
    });
    expect(up.status).toBe(303);
    const shown = await errOf(coord, up);
    // Said for a coordinator: the file's name, no path of the box, no zip library's words (D9).
    expect(shown).toContain('The course was not installed: “broken.zip” is not a course file');
    expect(shown).not.toContain(s.dir);
    expect(shown).not.toMatch(/central directory|End of|tmp\//);
    expect(s.ctx.content.listInstalled()).toHaveLength(1);
    expect(s.ctx.audit.last('course.install_refused')?.details).toEqual({
      code: 'zip_invalid',
      file: 'broken.zip',
    });
    // A crafted link shows no banner of its own text (phishing): the page knows no such error.
    const crafted = await coord.page(
      '/admin/courses?err=' + encodeURIComponent('Call 0800 to keep your box'),
    );
    expect(crafted.html).not.toContain('class="error"');
    expect(crafted.html).not.toMatch(/>[^<]*0800/);
  });

  it('reports a course: trainees by progress, score, last activity, an SVG chart, and CSV; and a trainee history', async () => {
    const t1 = s.ctx.people.byUsername('t001')!;
    const t2 = s.ctx.people.byUsername('t002')!;
    await s.ctx.learning.completeLesson(t1, 'fixture-course', 'intro', 'en');
    await s.ctx.learning.completeLesson(t1, 'fixture-course', 'video', 'en');
    await s.ctx.learning.openLesson(t2, 'fixture-course', 'intro', 'en');
    // t002 answers the final quiz all wrong: the report says failed (the coordinator can give an attempt).
    const wrong = { q1: ['a'], q2: ['b'], q3: ['true'], q4: ['999'] };
    expect((await s.ctx.learning.submitQuiz(t2, 'fixture-course', 'final-quiz', 'en', wrong)).passed).toBe(
      false,
    );
    const { html } = await coord.page('/admin/reports/courses/fixture-course');
    expect(html).toMatch(/data-username="t001">.*?data-result="pending">in progress</s);
    expect(html).toMatch(/data-username="t002">.*?data-result="failed">failed</s);
    expect(html).toContain('0 passed · 1 failed');
    const list = await coord.page('/admin/reports');
    expect(list.html).toMatch(/data-course="fixture-course">.*?data-col="failed">1</s);
    expect(html).toMatch(/<ol class="bars">.*?data-band="0"/s);
    expect(html).toContain('Trainees by progress');
    const rows = [...html.matchAll(/data-username="([^"]+)"/g)].map((m) => m[1]);
    expect(rows[0]).toBe('t001');
    expect(rows).toContain('t002');
    expect(rows).toContain('selfie'); // enrolled, not started
    expect(html).toMatch(/data-username="t001">.*?67%/s);
    const csv = await coord.get('/admin/reports/courses/fixture-course.csv');
    const text = Buffer.from(await csv.arrayBuffer());
    expect([...text.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = text.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toContain('username,name,external id');
    expect(lines[1]).toMatch(/^t001,t001,,,,yes,yes,yes,2,3,67,no,in progress,,/);
    const hist = await coord.page(`/admin/trainees/${t1.id}/history`);
    expect(hist.html).toContain('Introduction');
    expect(hist.html).toContain('completed');
    const hcsv = await (await coord.get(`/admin/trainees/${t1.id}/history.csv`)).text();
    expect(hcsv).toContain('urn:fieldclass:course:fixture-course/intro');
    expect((await coord.get('/admin/reports/courses/no-such-course')).status).toBe(404);
  });
});

describe('admin backups, schedule, sync, audit', () => {
  let s: AdminServer;
  let coord: Browserless;
  beforeAll(async () => {
    s = await adminServer({ backup: { keep: 2 } });
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    await s.ctx.people.addTrainee({ username: 'awa', pin: '1234' });
    coord = await coordinatorClient(s.url, 'coord', 'long-password-1');
  });
  afterAll(async () => s.cleanup());

  it('backs up now, rotates to backup.keep, and downloads a backup', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await coord.submit('/admin/backups', '/admin/backups', {});
      expect(loc(r)).toContain('ok=backupDone');
    }
    const list = s.ctx.backups.list();
    expect(list).toHaveLength(2);
    const { html } = await coord.page('/admin/backups');
    expect(html).toContain(list[0]!.name);
    const dl = await coord.submit('/admin/backups', '/admin/backups/download', { name: list[0]!.name });
    expect(dl.status).toBe(200);
    const body = Buffer.from(await dl.arrayBuffer());
    expect(body.subarray(0, 15).toString()).toBe('SQLite format 3');
    expect(s.ctx.audit.last('backup.download')?.target).toBe(list[0]!.name);
    const sneaky = await coord.submit('/admin/backups', '/admin/backups/download', { name: '../records.db' });
    expect(sneaky.status).toBe(303);
    expect(await errOf(coord, sneaky)).toContain('backup ../records.db not found');
  });

  it('lists the jobs with their schedules, runs one now and keeps a saved schedule', async () => {
    const { scheduler } = s.server;
    scheduler.start();
    try {
      const { html } = await coord.page('/admin/schedule');
      for (const job of ['export', 'backup', 'health-snapshot', 'cleanup'])
        expect(html).toContain(`data-job="${job}"`);
      const run = await coord.submit('/admin/schedule', '/admin/schedule/cleanup/run', {});
      expect(loc(run)).toContain('outcome=ok');
      const after = await coord.page('/admin/schedule');
      // What the run did, said from its message key (the French and Arabic pages: admin-language e2e).
      expect(after.html).toMatch(/data-job="cleanup">.*?Removed: expired sign-ins 0/s);
      // A run recorded before message keys still shows its English text, marked as such.
      s.ctx.db.records
        .prepare(
          `INSERT INTO job_runs (job, started_at, finished_at, outcome, message, duration_ms)
           VALUES ('export', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', 'ok', 'fieldclass-x-b000009.zip', 5)`,
        )
        .run();
      expect((await coord.page('/admin/schedule')).html).toMatch(
        /data-job="export">.*?<span lang="en" dir="ltr">fieldclass-x-b000009\.zip</s,
      );
      const bad = await coord.submit('/admin/schedule', '/admin/schedule/backup', {
        kind: 'daily',
        time: 'every night',
      });
      const badPage = await refused(bad);
      expect(badPage).toContain('write the hour and minute as HH:MM');
      expect(badPage).toMatch(/value="every night"/);
      const ok = await coord.submit('/admin/schedule', '/admin/schedule/backup', {
        kind: 'daily',
        time: '3:00',
      });
      expect(loc(ok)).toContain('ok=scheduleSaved');
      expect((await coord.page('/admin/schedule')).html).toMatch(/data-job="backup">.*?Every day at 03:00/s);
      // The running scheduler took the new schedule at once.
      expect(scheduler.list().find((j) => j.name === 'backup')?.schedule).toBe('0 3 * * *');
      const { allJobs } = await import('../src/app/jobs.js');
      expect(allJobs(s.ctx).find((j) => j.name === 'backup')?.schedule).toBe('0 3 * * *');
    } finally {
      await scheduler.stop();
    }
  });

  it('exports now from the Sync page and offers the bundle for download', async () => {
    const r = await coord.submit('/admin/sync', '/admin/sync/export', {});
    expect(loc(r)).toContain('ok=exported');
    const { html } = await coord.page('/admin/sync');
    expect(html).toContain('/admin/sync/bundles/1');
    const dl = await coord.get('/admin/sync/bundles/1');
    expect(dl.headers.get('content-type')).toBe('application/zip');
    const again = await coord.submit('/admin/sync', '/admin/sync/export', {});
    expect(loc(again)).toContain('ok=nothingPending');
  });

  it('keeps an audit log of coordinator actions, newest first', async () => {
    const { html } = await coord.page('/admin/audit');
    const actions = [...html.matchAll(/data-action="([a-z_.]+)"/g)].map((m) => m[1]);
    expect(actions[0]).toBe('sync.export');
    expect(actions).toContain('backup.create');
    expect(actions).toContain('job.schedule');
    expect(actions).toContain('coordinator.signin');
    // Details as "name: value", not JSON.
    expect(html).not.toContain('{&quot;');
    expect(html).toMatch(/data-action="job.schedule">Task schedule changed<.*?schedule: \u2066[^<]+\u2069/s);
  });
});
