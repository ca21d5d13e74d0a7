import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importContent } from '../src/content/course-bundle.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { scormLaunch } from './helpers/scorm.js';
import { adminServer, type AdminServer, coordinatorClient } from './admin-helpers.js';

const COURSE = join(import.meta.dirname, 'fixtures/courses/fixture-course');
const WRONG = { q1: ['a'], q2: ['b'], q3: ['true'], q4: ['999'] };

/**
 * "Give another attempt" and "Reset SCORM attempt" from a trainee's history: through the grant and reset
 * services (journal + audit), under the page's operation id, so the same form sent twice applies once and
 * both answers are the success. Real server, real SQLite.
 */
describe('another attempt and a SCORM reset from the admin, once per click', () => {
  let s: AdminServer;
  const tmp = mkdtempSync(join(tmpdir(), 'fc-attempts-'));
  let awaId = '';
  beforeAll(async () => {
    s = await adminServer();
    const { ctx } = s;
    await ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    ctx.content.installFolder(COURSE);
    await importContent(
      ctx.content,
      zipFolder(join(SCORM_FIXTURES, 'scorm12-single'), join(tmp, 's.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'radio' },
    );
    const awa = await ctx.people.addTrainee({ username: 'awa', pin: '2468' });
    awaId = awa.id;
    await ctx.learning.submitQuiz(awa, 'fixture-course', 'final-quiz', 'en', WRONG);
    const l = await scormLaunch(ctx.scorm, awa, 'radio', 'radio-sco');
    await l.commit({ 'cmi.core.lesson_status': 'incomplete', 'cmi.core.lesson_location': 'p3' });
  });
  afterAll(async () => {
    await s.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  const signedIn = (lang: string) => coordinatorClient(s.url, 'coord', 'long-password-1', lang);
  /** The hidden fields of the button posting to `action` on the history page (what a browser sends). */
  const buttonFields = (html: string, action: string) => {
    const form = new RegExp(`<form method="post" action="${action}"[^]*?</form>`).exec(html)?.[0];
    expect(form, action).toBeTruthy();
    return Object.fromEntries(
      [...form!.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
  };
  const grants = () =>
    s.ctx.db.records
      .prepare(`SELECT count(*) FROM journal WHERE kind = 'adjustment'`)
      .pluck()
      .get() as number;
  const audits = (action: string) =>
    s.ctx.db.records.prepare('SELECT count(*) FROM audit WHERE action = ?').pluck().get(action) as number;

  it('the same "give another attempt" form sent twice grants one attempt and says so both times (fr)', async () => {
    const b = await signedIn('fr');
    const path = `/admin/trainees/${awaId}/history`;
    const { html } = await b.page(path);
    const fields = buttonFields(html, `/admin/trainees/${awaId}/attempts`);
    const before = s.ctx.learning.quizStatus(awaId, 'fixture-course', 'final-quiz').attemptsLeft;
    const [r1, r2] = await Promise.all([
      b.post(`/admin/trainees/${awaId}/attempts`, fields),
      b.post(`/admin/trainees/${awaId}/attempts`, fields),
    ]);
    for (const r of [r1, r2]) {
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toContain('ok=attemptGranted');
    }
    const after = s.ctx.learning.quizStatus(awaId, 'fixture-course', 'final-quiz').attemptsLeft;
    if (before !== null) expect(after).toBe(before + 1);
    expect(grants()).toBe(1);
    expect(audits('attempts.grant')).toBe(1);
    const page = await b.page(r1.headers.get('location')!);
    expect(page.html).toContain('Une tentative de plus a été accordée à awa.');
  });

  it('the same "reset SCORM attempt" form sent twice resets once; a new click with nothing in progress is refused in Arabic', async () => {
    const b = await signedIn('ar');
    const { html } = await b.page(`/admin/trainees/${awaId}/history`);
    const fields = buttonFields(html, `/admin/trainees/${awaId}/scorm-reset`);
    const r1 = await b.post(`/admin/trainees/${awaId}/scorm-reset`, fields);
    const r2 = await b.post(`/admin/trainees/${awaId}/scorm-reset`, fields);
    for (const r of [r1, r2]) {
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toContain('ok=scormReset');
    }
    expect(audits('scorm.reset')).toBe(1);
    expect(grants()).toBe(2);
    // A new click (a new page, a new id) with nothing in progress: the service's refusal, in Arabic.
    const again = buttonFields(
      (await b.page(`/admin/trainees/${awaId}/history`)).html,
      `/admin/trainees/${awaId}/scorm-reset`,
    );
    const r3 = await b.post(`/admin/trainees/${awaId}/scorm-reset`, again);
    expect(r3.headers.get('location')).toContain('err=');
    expect(decodeURIComponent(r3.headers.get('location')!)).not.toMatch(/has no attempt/);
    expect(audits('scorm.reset')).toBe(1);
  });

  it('an id that is not a UUID is refused and nothing is granted', async () => {
    const b = await signedIn('en');
    const { html } = await b.page(`/admin/trainees/${awaId}/history`);
    const fields = { ...buttonFields(html, `/admin/trainees/${awaId}/attempts`), op: 'nope' };
    const r = await b.post(`/admin/trainees/${awaId}/attempts`, fields);
    expect(r.headers.get('location')).toContain('err=');
    expect(audits('attempts.grant')).toBe(1);
  });
});
