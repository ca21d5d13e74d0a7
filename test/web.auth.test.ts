import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer } from './helpers/context.js';
import { Browserless } from './helpers/http.js';

type Server = Awaited<ReturnType<typeof testServer>>;

describe('sign-in, sessions, CSRF and Origin (real server, real SQLite)', () => {
  let s: Server;
  beforeAll(async () => {
    s = await testServer({
      signinRateLimit: { perAddressPerMinute: 50, perUsernamePerMinute: 3 },
      selfSignup: { enabled: true, classCode: 'CLASS-2026' },
    });
    await s.ctx.people.addTrainee({ username: 'awa', pin: '1234', displayName: 'Awa Diallo' });
    await s.ctx.people.addTrainee({ username: 'brahim', pin: '5678' });
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
  });
  afterAll(async () => s.cleanup());

  it('shows the sign-in page at / with the labels scripted checks rely on', async () => {
    const b = new Browserless(s.url, { 'accept-language': 'en' });
    const { status, html } = await b.page('/');
    expect(status).toBe(200);
    expect(html).toMatch(/<html lang="en" dir="ltr">/);
    expect(html).toMatch(/<label for="username">Username<\/label>/);
    expect(html).toMatch(/<label for="pin">PIN<\/label>/);
    expect(html).toMatch(/<button type="submit">Sign in<\/button>/);
    expect(b.cookies.get('fc_csrf')).toBeTruthy();
  });

  it('signs a trainee in with a session cookie stored as a hash, and signs out', async () => {
    const b = new Browserless(s.url);
    const res = await b.submit('/', '/signin', { username: 'AWA', pin: '1234' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('fc_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/);
    const token = b.cookies.get('fc_session')!;
    const rows = s.ctx.db.records.prepare('SELECT token_hash, role FROM sessions').all() as {
      token_hash: string;
      role: string;
    }[];
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.some((r) => r.role === 'trainee')).toBe(true);
    const home = await b.page('/');
    expect(home.html).toContain('Sign out');
    expect(home.html).not.toContain('<label for="pin">');

    const out = await b.submit('/', '/signout', {});
    expect(out.status).toBe(303);
    expect(b.cookies.has('fc_session')).toBe(false);
    // The old token no longer works even if replayed.
    const replay = await new Browserless(s.url).page('/', { cookie: `fc_session=${token}` });
    expect(replay.html).toContain('<label for="pin">');
  });

  it('refuses a wrong PIN, an unknown user and a coordinator at the trainee sign-in', async () => {
    for (const [username, pin] of [
      ['awa', '9999'],
      ['nobody', '1234'],
      ['coord', 'long-password-1'],
    ] as const) {
      const b = new Browserless(s.url);
      const res = await b.submit('/', '/signin', { username, pin });
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('Wrong username or PIN');
      expect(b.cookies.has('fc_session')).toBe(false);
    }
  });

  it('rate-limits sign-in per username with a clear message in the user language', async () => {
    const b = new Browserless(s.url, { 'accept-language': 'fr' });
    for (let i = 0; i < 3; i++) {
      const r = await b.submit('/', '/signin', { username: 'brahim', pin: '0000' });
      expect(r.status).toBe(401);
    }
    const blocked = await b.submit('/', '/signin', { username: 'brahim', pin: '5678' });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain(
      'Trop de tentatives pour cet identifiant depuis cet appareil. Attendez une minute et réessayez.',
    );
    const en = new Browserless(s.url, { 'accept-language': 'en' });
    const r = await en.submit('/', '/signin', { username: 'brahim', pin: '5678' });
    expect(r.status).toBe(429);
    expect(await r.text()).toContain(
      'Too many attempts for this username from this device. Wait a minute and try again.',
    );
    // Other usernames are not blocked by it.
    const ok = await new Browserless(s.url).submit('/', '/signin', { username: 'awa', pin: '1234' });
    expect(ok.status).toBe(303);
  });

  it('refuses a POST without the CSRF token, with a wrong one, or from another origin', async () => {
    const b = new Browserless(s.url);
    await b.page('/');
    const noToken = await b.post('/signin', { username: 'awa', pin: '1234' });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain('This form has expired');
    const wrong = await b.post('/signin', { _csrf: 'x'.repeat(43), username: 'awa', pin: '1234' });
    expect(wrong.status).toBe(403);
    const { html } = await b.page('/');
    const csrf = Browserless.csrfOf(html);
    const evil = await b.post(
      '/signin',
      { _csrf: csrf, username: 'awa', pin: '1234' },
      { origin: 'http://evil.example' },
    );
    expect(evil.status).toBe(403);
    expect(await evil.text()).toContain('did not come from this site');
    const nullOrigin = await b.post(
      '/signin',
      { _csrf: csrf, username: 'awa', pin: '1234' },
      { origin: 'null' },
    );
    expect(nullOrigin.status).toBe(403);
    const badReferer = await b.post(
      '/signin',
      { _csrf: csrf, username: 'awa', pin: '1234' },
      { origin: '', referer: 'http://evil.example/page' },
    );
    expect(badReferer.status).toBe(403);
    expect(b.cookies.has('fc_session')).toBe(false);
    // The same form from this site goes through.
    const good = await b.post('/signin', { _csrf: csrf, username: 'awa', pin: '1234' });
    expect(good.status).toBe(303);

    // Signed in: the token is the session's; the signed-out cookie token no longer counts.
    const signedOutToken = b.cookies.get('fc_csrf')!;
    const r = await b.post('/signout', { _csrf: signedOutToken });
    expect(r.status).toBe(403);
    expect(b.cookies.has('fc_session')).toBe(true);
    // ...except on the forms shown signed out: a sign-in form sent twice signs in again.
    const twice = await b.post('/signin', { _csrf: signedOutToken, username: 'awa', pin: '1234' });
    expect(twice.status).toBe(303);
  });

  it('never changes anything on GET: /signout by GET is not a route', async () => {
    const b = new Browserless(s.url);
    await b.submit('/', '/signin', { username: 'awa', pin: '1234' });
    const res = await b.get('/signout');
    expect(res.status).toBe(404);
    expect((await b.page('/')).html).toContain('Sign out');
  });

  it('keeps a trainee session away from /admin', async () => {
    const b = new Browserless(s.url);
    await b.submit('/', '/signin', { username: 'awa', pin: '1234' });
    for (const path of ['/admin', '/admin/', '/admin/trainees']) {
      const res = await b.get(path);
      expect(res.status).toBe(403);
    }
  });

  it('renders the sign-in page in French and Arabic (rtl), and the language picker sets a cookie', async () => {
    const fr = await new Browserless(s.url, { 'accept-language': 'fr-FR,fr;q=0.9' }).page('/');
    expect(fr.html).toMatch(/<html lang="fr" dir="ltr">/);
    expect(fr.html).toContain('Se connecter');
    const ar = await new Browserless(s.url, { 'accept-language': 'ar' }).page('/');
    expect(ar.html).toMatch(/<html lang="ar" dir="rtl">/);
    expect(ar.html).toContain('تسجيل الدخول');

    const b = new Browserless(s.url, { 'accept-language': 'en' });
    const res = await b.submit('/', '/language', { lang: 'ar', back: '/' });
    expect(res.status).toBe(303);
    expect(b.cookies.get('fc_lang')).toBe('ar');
    expect((await b.page('/')).html).toMatch(/<html lang="ar" dir="rtl">/);
    // A redirect target off the site is ignored.
    const off = await b.submit('/', '/language', { lang: 'fr', back: '//evil.example/' });
    expect(off.headers.get('location')).toBe('/');
  });

  it('stores the language of a signed-in trainee on the person', async () => {
    const b = new Browserless(s.url, { 'accept-language': 'en' });
    const p = await s.ctx.people.addTrainee({ username: 'chloe', pin: '4321' });
    await b.submit('/', '/signin', { username: 'chloe', pin: '4321' });
    await b.submit('/', '/language', { lang: 'fr', back: '/' });
    expect(s.ctx.people.get(p.id)!.language).toBe('fr');
    // Another device, no cookie: the person's language wins over Accept-Language.
    const other = new Browserless(s.url, { 'accept-language': 'ar' });
    await other.submit('/', '/signin', { username: 'chloe', pin: '4321' });
    expect((await other.page('/')).html).toMatch(/<html lang="fr"/);
  });

  it('signs up with the class code and refuses a wrong code, a taken name, mismatched PINs', async () => {
    const b = new Browserless(s.url, { 'accept-language': 'en' });
    const page = await b.page('/signup');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Class code');
    const base = { username: 'dina', displayName: 'Dina K', pin: '2468', pin2: '2468' };
    const wrong = await b.submit('/signup', '/signup', { ...base, classCode: 'WRONG' });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('This class code is not right');
    const mismatch = await b.submit('/signup', '/signup', { ...base, pin2: '2469', classCode: 'CLASS-2026' });
    expect(mismatch.status).toBe(400);
    const taken = await b.submit('/signup', '/signup', { ...base, username: 'awa', classCode: 'CLASS-2026' });
    expect(taken.status).toBe(409);
    expect(s.ctx.people.byUsername('dina')).toBeUndefined();
    const ok = await b.submit('/signup', '/signup', { ...base, classCode: 'CLASS-2026' });
    expect(ok.status).toBe(303);
    expect(b.cookies.has('fc_session')).toBe(true);
    const dina = s.ctx.people.byUsername('dina')!;
    expect(dina.displayName).toBe('Dina K');
    expect(dina.language).toBe('en');
    expect(await s.ctx.sessions.verify('dina', '2468', 'trainee')).toBeTruthy();
  });
});

describe('sign-up closed', () => {
  it('has no sign-up page and refuses the POST when self sign-up is off', async () => {
    const s = await testServer();
    try {
      const b = new Browserless(s.url);
      expect((await b.page('/')).html).not.toContain('/signup');
      expect((await b.get('/signup')).status).toBe(404);
      const r = await b.submit('/', '/signup', {
        username: 'x1',
        pin: '1234',
        pin2: '1234',
        classCode: 'anything',
      });
      expect(r.status).toBe(403);
      expect(s.ctx.people.byUsername('x1')).toBeUndefined();
    } finally {
      await s.cleanup();
    }
  });
});

describe('sign-in throttling stops guessing without locking out the person with the right PIN', () => {
  let s: Server;
  beforeAll(async () => {
    // The shipped limits: 5 tries a minute per username and address, 200 failures per address.
    s = await testServer({ selfSignup: { enabled: true, classCode: 'CLASS-2026' } });
    await s.ctx.people.addTrainee({ username: 'awa', pin: '1234' });
  });
  afterAll(async () => s.cleanup());

  // The test server trusts X-Forwarded-For from loopback (as behind the box's nginx): one header = one address.
  const from = (address: string, lang = 'en') =>
    new Browserless(s.url, { 'x-forwarded-for': address, 'accept-language': lang });

  it("an attacker's wrong PINs never stop the right PIN", async () => {
    const phone = from('10.0.0.7');
    expect((await phone.submit('/', '/signin', { username: 'awa', pin: '1234' })).status).toBe(303);
    expect(phone.cookies.get('fc_device')).toBeTruthy();
    await phone.submit('/', '/signout', {});

    const attacker = from('10.0.0.66');
    for (let i = 0; i < 5; i++)
      expect((await attacker.submit('/', '/signin', { username: 'awa', pin: `000${i}` })).status).toBe(401);
    const refused = await attacker.submit('/', '/signin', { username: 'awa', pin: '1234' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');

    // Awa's own phone (device cookie) signs in at once, even from the attacker's address (one NAT)...
    const sameNat = new Browserless(s.url, { 'x-forwarded-for': '10.0.0.66' });
    sameNat.cookies.set('fc_device', phone.cookies.get('fc_device')!);
    expect((await sameNat.submit('/', '/signin', { username: 'awa', pin: '1234' })).status).toBe(303);
    // ...and so does a browser she never used, from any other address.
    expect((await from('10.0.0.8').submit('/', '/signin', { username: 'awa', pin: '1234' })).status).toBe(
      303,
    );
    // A device cookie copied onto another username proves nothing.
    const forged = from('10.0.0.66');
    forged.cookies.set('fc_device', phone.cookies.get('fc_device')!);
    expect((await forged.submit('/', '/signin', { username: 'awa2', pin: '1234' })).status).toBe(401);
  });

  it('40 trainees behind one address sign in, each after a mistyped PIN, while one of them guesses', async () => {
    const people = Array.from({ length: 40 }, (_, i) => `nat${String(i).padStart(2, '0')}`);
    for (const u of people) await s.ctx.people.addTrainee({ username: u, pin: '4321' });
    const guesser = from('192.168.1.1');
    for (let i = 0; i < 8; i++) await guesser.submit('/', '/signin', { username: 'nat00', pin: `99${i}0` });
    const results = await Promise.all(
      people.map(async (u) => {
        const b = from('192.168.1.1');
        const wrong = await b.submit('/', '/signin', { username: u, pin: '1111' });
        const typo = await b.submit('/', '/signin', { username: u, pin: '4312' });
        const right = await b.submit('/', '/signin', { username: u, pin: '4321' });
        return [wrong.status, typo.status, right.status];
      }),
    );
    // nat00 is the guesser's target from this very address: only it waits, and only without its device.
    const byUser = new Map(people.map((u, i) => [u, results[i]!]));
    expect(byUser.get('nat00')![2]).toBe(429);
    for (const u of people.slice(1)) expect(byUser.get(u)).toEqual([401, 401, 303]);
  });

  it('mistyped class codes close sign-up for that address only', async () => {
    const attacker = from('10.0.0.99');
    let last = 0;
    for (let i = 0; i < 45; i++) {
      const r = await attacker.submit('/signup', '/signup', {
        username: `x${i}`,
        displayName: 'X',
        classCode: `WRONG-${i}`,
        pin: '1234',
        pin2: '1234',
      });
      last = r.status;
    }
    expect(last).toBe(429);
    const r = await from('10.0.0.100', 'fr').submit('/signup', '/signup', {
      username: 'nouvelle',
      displayName: 'Nouvelle',
      classCode: 'CLASS-2026',
      pin: '2468',
      pin2: '2468',
    });
    expect(r.status).toBe(303);
  });
});

describe('no dead ends around signing in and out', () => {
  let s: Server;
  beforeAll(async () => {
    s = await testServer();
    await s.ctx.people.addTrainee({ username: 'awa', pin: '1234' });
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'three green camels' });
  });
  afterAll(async () => s.cleanup());

  it('GET /signin (a reload after a wrong PIN) shows the sign-in page, in the visitor language', async () => {
    const b = new Browserless(s.url, { 'accept-language': 'fr' });
    expect((await b.submit('/', '/signin', { username: 'awa', pin: '9999' })).status).toBe(401);
    const again = await b.page('/signin');
    expect(again.status).toBe(200);
    expect(again.html).toContain('<label for="pin">Code PIN</label>');
    // Signed in, it goes home.
    await b.submit('/signin', '/signin', { username: 'awa', pin: '1234' });
    const home = await b.get('/signin');
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/');
  });

  it("a coordinator's sign-out lands on the admin sign-in, a trainee's on the trainee sign-in", async () => {
    const c = new Browserless(s.url);
    expect(
      (
        await c.submit('/admin/signin', '/admin/signin', {
          username: 'coord',
          password: 'three green camels',
        })
      ).status,
    ).toBe(303);
    const out = await c.submit('/admin', '/signout', {});
    expect(out.headers.get('location')).toBe('/admin/signin?signedout=1');
    const t = new Browserless(s.url);
    await t.submit('/', '/signin', { username: 'awa', pin: '1234' });
    expect((await t.submit('/', '/signout', {})).headers.get('location')).toBe('/?signedout=1');
  });
});
