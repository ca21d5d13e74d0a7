import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminServer, type AdminServer, coordinatorClient } from './admin-helpers.js';

/**
 * A refused admin form comes back as the same page (not a redirect), in the coordinator's language, with
 * what was typed still in the fields and the message beside the field at fault; nothing is written.
 */
describe('admin forms keep what was typed and say what is wrong, in French and Arabic', () => {
  let s: AdminServer;
  const signedIn = (lang: string) => coordinatorClient(s.url, 'coord', 'long-password-1', lang);
  beforeAll(async () => {
    s = await adminServer();
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
  });
  afterAll(async () => s.cleanup());

  it('a new trainee with a bad PIN (fr): 400, the French message under the PIN, every typed value kept', async () => {
    const fr = await signedIn('fr');
    const r = await fr.submit('/admin/trainees/new', '/admin/trainees', {
      username: 'zoé',
      pin: '12',
      displayName: 'Zoé Martin',
      externalId: 'OF-12',
      agency: 'Gendarmerie',
      gender: 'female',
      language: 'fr',
    });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('<html lang="fr" dir="ltr"');
    expect(html).toContain('Rien n’a été enregistré\u00a0: vérifiez les champs signalés ci-dessous.');
    expect(html).toContain('<input id="pin" aria-invalid="true" aria-describedby="pin-error pin-hint"');
    expect(html).toContain('<p class="field-error" id="pin-error">le code PIN doit avoir 4 à 8 chiffres</p>');
    for (const v of ['zoé', 'Zoé Martin', 'OF-12', 'Gendarmerie']) expect(html).toContain(`value="${v}"`);
    expect(html).toMatch(/<option value="female" selected/);
    expect(html).toMatch(/<option value="fr" selected/);
    // The PIN itself is never written back into the page.
    expect(html).not.toContain('value="12"');
    expect(s.ctx.people.byUsername('zoé')).toBeUndefined();
  });

  it('a coordinator with a common password (ar): 400, RTL page, the Arabic rule under the password, username kept', async () => {
    const ar = await signedIn('ar');
    const r = await ar.submit('/admin/coordinators', '/admin/coordinators', {
      username: 'karim',
      displayName: 'كريم',
      password: 'password123',
    });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('<html lang="ar" dir="rtl"');
    expect(html).toContain('لم يُحفظ شيء: راجع الحقول المشار إليها أدناه.');
    expect(html).toContain('8 أحرف على الأقل؛ ليست كلمة مرور شائعة، ولا اسم المستخدم، ولا حرفاً واحداً مكرراً.');
    expect(html).toContain(
      '<p class="field-error" id="password-error">كلمة المرور هذه من أكثر الكلمات شيوعاً',
    );
    expect(html).toContain('value="karim"');
    expect(html).toContain('value="كريم"');
    expect(html).not.toContain('password123');
    expect(s.ctx.people.byUsername('karim')).toBeUndefined();
  });

  it('a refusal that is not about one field (ar, a class that exists): 409, the catalog text, the name kept', async () => {
    s.ctx.cohorts.create('Police 2027');
    const ar = await signedIn('ar');
    const r = await ar.submit('/admin/cohorts', '/admin/cohorts', { name: 'police 2027' });
    expect(r.status).toBe(409);
    const html = await r.text();
    expect(html).toContain('dir="rtl"');
    expect(html).toContain('توجد بالفعل مجموعة باسم &quot;police 2027&quot;');
    expect(html).toContain('value="police 2027"');
  });

  it('a refused schedule (fr) comes back in its own job row, the other rows as saved', async () => {
    const fr = await signedIn('fr');
    const r = await fr.submit('/admin/schedule', '/admin/schedule/backup', {
      kind: 'daily',
      time: 'chaque nuit',
    });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toMatch(/data-job="backup">[\s\S]*?aria-invalid="true"[^>]*value="chaque nuit"/);
    expect(html).toContain('écrivez l’heure et les minutes sous la forme HH:MM');
    // The other cards show their schedules as saved, their forms closed.
    expect(html).toMatch(/data-job="cleanup">[\s\S]*?Tous les jours à 03:15/);
    expect(s.ctx.audit.last('job.schedule')).toBeFalsy();
  });

  it('a button with bad input (fr) goes back with the message in French', async () => {
    const fr = await signedIn('fr');
    const r = await fr.submit('/admin', '/admin/clock', { browserTime: 'hier' });
    expect(r.status).toBe(303);
    const shown = await fr.page(r.headers.get('location')!);
    expect(shown.html).toContain('le navigateur n’a pas envoyé une heure valide');
    // The message alone: never the field's code name in front of it.
    expect(shown.html).not.toContain('browserTime:');
    expect(s.clock.calls).toEqual([]);
  });

  it('a button whose field is refused (ar, fr) names the field by its label, or not at all, with a fix', async () => {
    const t = await s.ctx.people.addTrainee({ username: 'awa', pin: '2468' });
    const c = s.ctx.cohorts.create('Morning class');
    const page = `/admin/cohorts/${c.id}`;
    const ar = await signedIn('ar');
    // A class code typed wrong on the one-line form: the Arabic message beside it, under its label's name.
    const code = await ar.submit(page, `${page}/code`, { code: 'a b' });
    expect(code.status).toBe(400);
    const html = await code.text();
    expect(html).toMatch(/class="field-error" id="code-error">[^<]*يجب أن يتكون رمز الصف/);
    expect(html).toContain('value="a b"');
    // A button's field refused (a removed member id far too long): the flash says what to do, no code name.
    const fr = await signedIn('fr');
    const long = await fr.submit(page, `${page}/members/remove`, { personId: 'x'.repeat(300) });
    const flash = (await fr.page(long.headers.get('location')!)).html;
    expect(flash).toContain('doit avoir au plus 100 caractères : raccourcissez-le');
    expect(flash).not.toMatch(/personId|op:/);
    // A field the kit knows by its label: named so, in the reader's language.
    const pin = await fr.submit(`/admin/trainees/${t.id}`, `/admin/trainees/${t.id}/pin`, { pin: '1' });
    expect(await pin.text()).toContain('le code PIN doit avoir 4 à 8 chiffres');
  });
});
