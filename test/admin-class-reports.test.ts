import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless } from './helpers/http.js';
import { adminServer, type AdminServer, coordinatorClient } from './admin-helpers.js';

const COURSE = join(import.meta.dirname, 'fixtures/courses/fixture-course');
const RIGHT = { q1: ['b'], q2: ['a', 'c'], q3: ['false'], q4: ['112'] };

/**
 * "How is my class doing?": the reports count who started a course apart from who is formally enrolled,
 * filter by class (page and CSV), show ratings with comments (names hidden unless the box's setting says
 * so), and the class page shows its members' progress per course. Real server, real SQLite.
 */
describe('reports by class, started vs enrolled, ratings with comments', () => {
  let s: AdminServer;
  let cohortId = '';
  const c = 'fixture-course';
  const signedIn = (lang: string) => coordinatorClient(s.url, 'coord', 'long-password-1', lang);
  beforeAll(async () => {
    s = await adminServer();
    const { ctx } = s;
    await ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    ctx.content.installFolder(COURSE);
    const L = ctx.learning;
    // Four trainees take the course without formal enrolment (three finish and rate it); dede is enrolled
    // and does nothing.
    const person = (username: string, displayName = '') =>
      ctx.people.addTrainee({ username, pin: '2468', displayName });
    const awa = await person('awa', 'Awa Diallo');
    const bintou = await person('bintou');
    const chidi = await person('chidi');
    const eve = await person('eve');
    const dede = await person('dede');
    ctx.cohorts.enrolTrainee(dede.id, c);
    for (const who of [awa, bintou, chidi]) {
      await L.completeLesson(who, c, 'intro', 'en');
      await L.completeLesson(who, c, 'video', 'en');
      await L.submitQuiz(who, c, 'final-quiz', 'en', RIGHT);
    }
    await L.completeLesson(eve, c, 'intro', 'en');
    await L.rateCourse(awa, c, 4, 'Très utile « pratique » 👍');
    await L.rateCourse(bintou, c, 5, '');
    await L.rateCourse(chidi, c, 2, 'Trop long');
    const cohort = ctx.cohorts.create('Brigade Nord');
    cohortId = cohort.id;
    ctx.cohorts.addMembers(cohort.id, [awa.id, bintou.id, eve.id]);
    ctx.cohorts.enrolCohort(cohort.id, c);
  });
  afterAll(async () => s.cleanup());

  const cell = (html: string, col: string) => new RegExp(`data-col="${col}">(\\d+)<`).exec(html)?.[1];

  it('the course list says who started, apart from who is enrolled, for everyone and for one class', async () => {
    const b = await signedIn('en');
    // Everyone: 4 started (none enrolled by hand), 4 enrolled (dede + the class of 3 once enrolled), 3 completed.
    const all = (await b.page('/admin/reports')).html;
    expect(cell(all, 'started')).toBe('4');
    expect(cell(all, 'enrolled')).toBe('4');
    expect(cell(all, 'completed')).toBe('3');
    const cls = (await b.page(`/admin/reports?cohort=${cohortId}`)).html;
    expect(cls).toMatch(new RegExp(`<option value="${cohortId}" selected`));
    expect(cell(cls, 'started')).toBe('3');
    expect(cell(cls, 'enrolled')).toBe('3');
    expect(cell(cls, 'completed')).toBe('2');
    // An unknown class reads as everyone (no error, no text from the URL).
    expect(cell((await b.page('/admin/reports?cohort=nope')).html, 'started')).toBe('4');
  });

  it('the course report and its CSV keep the class; ratings show average, marks and anonymous comments', async () => {
    const b = await signedIn('fr');
    const { html } = await b.page(`/admin/reports/courses/${c}?cohort=${cohortId}`);
    expect(html).toContain('data-username="awa"');
    expect(html).toContain('data-username="bintou"');
    expect(html).not.toContain('data-username="chidi"');
    expect(html).not.toContain('data-username="dede"');
    expect(html).toContain('2 évaluations, moyenne 4,5 sur 5');
    expect(html).toContain('Très utile « pratique » 👍');
    expect(html).not.toContain('Trop long');
    expect(html).toContain('Les noms ne sont pas affichés');
    // The comment is shown without the trainee's name.
    const comments = /<ul class="comments"[^]*?<\/ul>/.exec(html)![0];
    expect(comments).not.toContain('Awa Diallo');
    expect(comments).toContain('Anonyme');
    const all = (await b.page(`/admin/reports/courses/${c}`)).html;
    expect(all).toContain('Trop long');
    expect(all).toContain('3 évaluations');
    // Counts through the catalogs' plurals: French "1 personne ajoutée", not "1 personnes ajoutées".
    expect((await b.page('/admin/cohorts?ok=membersAdded&n=1')).html).toContain('1 personne ajoutée.');
    expect((await b.page('/admin/cohorts?ok=membersAdded&n=0')).html).toContain('0 personne ajoutée.');
    expect((await b.page('/admin/cohorts?ok=membersAdded&n=2')).html).toContain('2 personnes ajoutées.');
    const ar = await signedIn('ar');
    expect((await ar.page('/admin/cohorts?ok=membersAdded&n=2')).html).toContain('تمت إضافة متدربَين.');
    const csv = await (await b.get(`/admin/reports/courses/${c}.csv?cohort=${cohortId}`)).text();
    const lines = csv.trim().split(/\r\n/);
    expect(lines).toHaveLength(4);
    // Headers and yes/no in the coordinator's language (French here).
    expect(lines[0]).toContain('nom d’utilisateur');
    expect(lines[0]).toContain('commencé');
    expect(lines[0]).not.toContain('started');
    // Split on ';' as a French Excel expects (its list separator), with the BOM.
    expect(lines[0]).toMatch(/^\ufeff?nom d’utilisateur;/);
    expect(lines[1]).toMatch(/;oui;/);
    expect(csv).not.toContain('chidi');
  });

  it('the class page shows each member’s progress in the class’s courses (ar)', async () => {
    const b = await signedIn('ar');
    const { html } = await b.page(`/admin/cohorts/${cohortId}`);
    expect(html).toContain('<html lang="ar" dir="rtl"');
    const row = (u: string) => new RegExp(`data-username="${u}"[^]*?</tr>`).exec(html)![0];
    expect(row('bintou')).toContain('مكتملة');
    expect(row('eve')).toMatch(/>\d+%</);
    expect(html).toContain('3 بدأوا');
  });
});

describe('ratings with names when the box says so', () => {
  let s: AdminServer;
  beforeAll(async () => {
    s = await adminServer({ admin: { ratingNames: true } });
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    s.ctx.content.installFolder(COURSE);
    const awa = await s.ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' });
    for (const a of ['intro', 'video']) await s.ctx.learning.completeLesson(awa, 'fixture-course', a, 'en');
    await s.ctx.learning.submitQuiz(awa, 'fixture-course', 'final-quiz', 'en', RIGHT);
    await s.ctx.learning.rateCourse(awa, 'fixture-course', 3, 'Correct');
  });
  afterAll(async () => s.cleanup());

  it('shows the trainee’s name beside the comment', async () => {
    const b = new Browserless(s.url, { 'accept-language': 'en' });
    await b.submit('/admin/signin', '/admin/signin', { username: 'coord', password: 'long-password-1' });
    const { html } = await b.page('/admin/reports/courses/fixture-course');
    const comments = /<ul class="comments"[^]*?<\/ul>/.exec(html)![0];
    expect(comments).toContain('<bdi>Awa Diallo</bdi>');
    expect(html).not.toContain('Names are not shown');
  });

  it('the trainee’s rating form says the reports show their name (ar)', async () => {
    const t = new Browserless(s.url, { 'accept-language': 'ar' });
    expect((await t.submit('/', '/signin', { username: 'awa', pin: '2468' })).status).toBe(303);
    const { html } = await t.page('/courses/fixture-course');
    expect(html).toContain('data-rating-names="shown"');
    expect(html).toContain('تعرض التقارير اسمك بجانب تقييمك وتعليقك.');
  });
});
