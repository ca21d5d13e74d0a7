import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { adminServer, type AdminServer, coordinatorClient } from './admin-helpers.js';

/**
 * The audit log as a coordinator reads it: filtered by event and by person (one schema reads the query;
 * a value no select offers is refused beside its field, in the reader's language), the pages keeping the
 * filter, dates in the box's zone, each entry's details as a sentence.
 */
describe('the audit log, filtered', () => {
  let s: AdminServer;
  let awaId = '';
  let karimId = '';
  beforeAll(async () => {
    // 21:30 UTC on 30 November is 11:30 on 1 December in Kiritimati (UTC+14).
    s = await adminServer({}, { clock: fixedClock(new Date('2026-11-30T21:30:00.000Z')) });
    awaId = (
      await s.ctx.people.addCoordinator({
        username: 'awa',
        password: 'long-password-1',
        displayName: 'Awa Diallo',
      })
    ).id;
    karimId = (await s.ctx.people.addCoordinator({ username: 'karim', password: 'long-password-2' })).id;
    s.ctx.timeZone.set('Pacific/Kiritimati');
    s.ctx.audit.record(null, 'box.time_zone', 'Pacific/Kiritimati', { from: 'UTC', via: 'cli' });
    for (let i = 0; i < 130; i++) s.ctx.audit.record(awaId, 'job.run', `cleanup`);
    s.ctx.audit.record(karimId, 'trainee.add', 'zoé');
    s.ctx.audit.record(karimId, 'course.install', 'police-101', { bytes: 48_213_112, status: 'installed' });
  });
  afterAll(async () => s.cleanup());

  const signedIn = (lang: string, user = 'awa', password = 'long-password-1') =>
    coordinatorClient(s.url, user, password, lang);
  const actions = (html: string) => [...html.matchAll(/data-action="([a-z_.]+)"/g)].map((m) => m[1]);

  it('offers the events and people of the log, and filters by event (fr), the pages keeping the filter', async () => {
    const fr = await signedIn('fr');
    const all = (await fr.page('/admin/audit')).html;
    expect(all).toContain('<option value>Tous les événements</option>');
    expect(all).toMatch(
      /<option value="trainee.add">Compte d’apprenant ajouté|<option value="trainee.add">[^<]+</,
    );
    expect(all).toContain(`<option value="${awaId}">Awa Diallo (awa)</option>`);
    expect(all).toContain('<option value="_box">Le boîtier ou sa ligne de commande</option>');
    const runs = (await fr.page('/admin/audit?event=job.run')).html;
    expect(new Set(actions(runs))).toEqual(new Set(['job.run']));
    expect(actions(runs)).toHaveLength(100);
    expect(runs).toMatch(/<option value="job.run" selected/);
    // The next page keeps the filter.
    const next = /<a href="(\/admin\/audit\?[^"]*offset=100[^"]*)"/.exec(runs)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toContain('event=job.run');
    const second = (await fr.page(next!)).html;
    expect(actions(second)).toHaveLength(30);
    expect(new Set(actions(second))).toEqual(new Set(['job.run']));
  });

  it('filters by person, and the box’s own entries apart; details as a sentence, dates in the zone (ar)', async () => {
    const ar = await signedIn('ar', 'karim', 'long-password-2');
    const karim = (await ar.page(`/admin/audit?person=${karimId}`)).html;
    // Karim's sign-in just now and the trainee he added; nothing of Awa's.
    expect(new Set(actions(karim))).toEqual(new Set(['trainee.add', 'course.install', 'coordinator.signin']));
    // A size in words a person reads, not a byte count.
    expect(karim).toContain('\u206646 MB\u2069');
    expect(karim).not.toContain('48213112');
    expect(karim).not.toContain('>awa<');
    const box = (await ar.page('/admin/audit?person=_box')).html;
    expect(actions(box)).toEqual(['box.time_zone']);
    expect(box).toContain('تم تغيير المنطقة الزمنية للجهاز');
    expect(box).toContain('<bdi>الجهاز أو سطر الأوامر فيه</bdi>');
    // "before: UTC؛ through: the command line", one sentence, no JSON; 11:30 on 1 December in Kiritimati.
    expect(box).toMatch(
      /<p class="audit-details"><span class="audit-detail">[^<]+: \u2066UTC\u2069<\/span>؛ <span/,
    );
    expect(box).not.toContain('{&quot;');
    expect(box).toMatch(/01\/12\/2026[^<]*11:30/);
    const both = (await ar.page(`/admin/audit?event=job.run&person=${karimId}`)).html;
    expect(actions(both)).toEqual([]);
    expect(both).toContain('لا شيء في السجل يطابق.');
  });

  it('refuses a filter no select offers beside its field (fr), showing the whole log', async () => {
    const fr = await signedIn('fr');
    const r = await fr.get('/admin/audit?event=%3Cscript%3E&person=karim%27');
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('<select name="event" aria-invalid="true" aria-describedby="event-error"');
    expect(html).toMatch(/<p class="field-error" id="event-error">ne fait pas partie des choix[^<]*<\/p>/);
    expect(html).toMatch(/<p class="field-error" id="person-error">ne fait pas partie des choix[^<]*<\/p>/);
    // The pages of the whole log shown do not carry the refused filter.
    expect(html).toContain('<a href="/admin/audit?offset=100">');
    expect(html).not.toContain('<script>');
    expect(actions(html).length).toBeGreaterThan(50);
  });
});
