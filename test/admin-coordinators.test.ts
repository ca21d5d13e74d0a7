import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless } from './helpers/http.js';
import { adminServer, type AdminServer, coordinatorClient } from './admin-helpers.js';

/**
 * Coordinators' accounts from the web: deactivate / reactivate and a new password, by another
 * coordinator, each under the page's operation id (a double submit applies and audits once), the last
 * active coordinator kept, in the coordinator's language. Real server, real SQLite.
 */
describe('coordinator accounts from the Coordinators page', () => {
  let s: AdminServer;
  let awaId = '';
  let binetaId = '';
  beforeAll(async () => {
    s = await adminServer();
    awaId = (await s.ctx.people.addCoordinator({ username: 'awa', password: 'long-password-1' })).id;
    binetaId = (await s.ctx.people.addCoordinator({ username: 'bineta', password: 'long-password-2' })).id;
  });
  afterAll(() => s.cleanup());

  const signedIn = (lang: string, username = 'awa', password = 'long-password-1') =>
    coordinatorClient(s.url, username, password, lang);
  /** The fields of the form posting to `action` (hidden ones: CSRF and the operation id). */
  const formFields = (html: string, action: string) => {
    const form = new RegExp(`<form method="post" action="${action}"[^]*?</form>`).exec(html)?.[0];
    expect(form, action).toBeTruthy();
    return Object.fromEntries(
      [...form!.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
  };
  const audits = (action: string) =>
    s.ctx.db.records.prepare('SELECT count(*) FROM audit WHERE action = ?').pluck().get(action) as number;

  it('deactivating twice with the same form applies once, ends their sessions, and says so in French', async () => {
    const bineta = await signedIn('fr', 'bineta', 'long-password-2');
    expect((await bineta.get('/admin')).status).toBe(200);
    const b = await signedIn('fr');
    const list = await b.page('/admin/coordinators');
    expect(list.html).toContain(`href="/admin/coordinators/${binetaId}"`);
    expect(list.html).toContain('Actif');
    const { html } = await b.page(`/admin/coordinators/${binetaId}`);
    const fields = formFields(html, `/admin/coordinators/${binetaId}/deactivate`);
    expect(fields['op']).toMatch(/^[0-9a-f-]{36}$/);
    const [r1, r2] = await Promise.all([
      b.post(`/admin/coordinators/${binetaId}/deactivate`, fields),
      b.post(`/admin/coordinators/${binetaId}/deactivate`, fields),
    ]);
    for (const r of [r1, r2]) {
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toContain('ok=deactivated');
    }
    expect(audits('coordinator.deactivate')).toBe(1);
    expect(s.ctx.people.get(binetaId)?.active).toBe(false);
    // Her open session ended, and her password no longer signs her in.
    expect((await bineta.get('/admin')).status).not.toBe(200);
    const again = new Browserless(s.url, { 'accept-language': 'fr' });
    const refused = await again.submit('/admin/signin', '/admin/signin', {
      username: 'bineta',
      password: 'long-password-2',
    });
    expect(refused.status).not.toBe(303);
    const page = await b.page(r1.headers.get('location')!);
    expect(page.html).toContain('Compte désactivé. Ses enregistrements sont conservés.');
    expect(page.html).toContain('Réactiver');
  });

  it('the last active coordinator is not deactivated: refused in Arabic, nothing changed', async () => {
    const b = await signedIn('ar');
    const { html } = await b.page(`/admin/coordinators/${awaId}`);
    const r = await b.post(
      `/admin/coordinators/${awaId}/deactivate`,
      formFields(html, `/admin/coordinators/${awaId}/deactivate`),
    );
    expect(r.status).toBe(303);
    const location = r.headers.get('location')!;
    expect(location).toContain('err=');
    expect(s.ctx.people.get(awaId)?.active).toBe(true);
    const shown = await b.page(location);
    expect(shown.html).toMatch(/[\u0600-\u06FF]/);
    expect(shown.html).not.toMatch(/last active coordinator/i);
    expect(audits('coordinator.deactivate')).toBe(1);
  });

  it('reactivated, then a new password set twice by the same form: once, the old one refused, the new one works', async () => {
    const b = await signedIn('en');
    let { html } = await b.page(`/admin/coordinators/${binetaId}`);
    const re = await b.post(
      `/admin/coordinators/${binetaId}/reactivate`,
      formFields(html, `/admin/coordinators/${binetaId}/reactivate`),
    );
    expect(re.headers.get('location')).toContain('ok=reactivated');
    expect(s.ctx.people.get(binetaId)?.active).toBe(true);

    ({ html } = await b.page(`/admin/coordinators/${binetaId}`));
    const fields = {
      ...formFields(html, `/admin/coordinators/${binetaId}/password`),
      password: 'river-stone-42',
    };
    const [r1, r2] = await Promise.all([
      b.post(`/admin/coordinators/${binetaId}/password`, fields),
      b.post(`/admin/coordinators/${binetaId}/password`, fields),
    ]);
    for (const r of [r1, r2]) {
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toContain('ok=passwordReset');
    }
    expect(audits('coordinator.password_reset')).toBe(1);
    expect(await s.ctx.people.authenticate('bineta', 'long-password-2')).toBeUndefined();
    expect((await s.ctx.people.authenticate('bineta', 'river-stone-42'))?.id).toBe(binetaId);
  });

  it('a refused password comes back in French with the rule beside the field and the same operation id', async () => {
    const b = await signedIn('fr');
    const { html } = await b.page(`/admin/coordinators/${binetaId}`);
    const fields = formFields(html, `/admin/coordinators/${binetaId}/password`);
    const r = await b.post(`/admin/coordinators/${binetaId}/password`, { ...fields, password: 'password' });
    expect(r.status).toBe(400);
    const back = await r.text();
    expect(back).toContain('class="field-error"');
    expect(back).toContain(`name="op" value="${fields['op']}"`);
    expect(back).not.toMatch(/Error:|password:/);
    expect(audits('coordinator.password_reset')).toBe(1);
    expect((await s.ctx.people.authenticate('bineta', 'river-stone-42'))?.id).toBe(binetaId);
  });
});
