import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPLOAD_PATH, uploadReceiptSchema } from '../src/contract/bundle-format.js';
import { startHqServer, type RunningHqServer } from '../src/app/hq.app.js';
import {
  dumpDb,
  Journal,
  makeBox,
  testHq,
  writeBundle,
  type Box,
  type WrittenTestBundle,
} from './hq.fixtures.js';

let hq: ReturnType<typeof testHq>;
let server: RunningHqServer;
let dir: string;
let box: Box;
let b1: WrittenTestBundle;
let b2: WrittenTestBundle;

beforeAll(async () => {
  hq = testHq();
  dir = mkdtempSync(join(tmpdir(), 'fc-hq-http-'));
  box = makeBox('Box A', 'Dakar');
  hq.appliances.enrol(box.enrolRequest);
  await hq.users.add('amina', 'correct horse battery');
  const j = new Journal();
  j.person({ id: 'p1', externalId: 'OFF-1', gender: 'female', agency: 'Police', displayName: 'Awa Diop' });
  for (let i = 0; i < 6; i++)
    j.statement({ person: 'p1', course: 'c1', activity: 'l1', verb: 'experienced' });
  j.statement({ person: 'p1', course: 'c1', activity: 'quiz', verb: 'passed', score: 0.8 });
  j.statement({ person: 'p1', course: 'c1', verb: 'completed' });
  j.statement({ person: 'p1', course: 'c1', verb: 'rated', raw: 5 });
  b1 = await writeBundle(box, dir, { bundleSeq: 1, rows: j.range(1, 5) });
  b2 = await writeBundle(box, dir, { bundleSeq: 2, rows: j.range(6, 10), prevSha256: b1.sha256 });
  server = await startHqServer(hq);
});
afterAll(async () => {
  await server.close();
  hq.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const upload = (body: Buffer, type = 'application/zip') =>
  fetch(server.url + UPLOAD_PATH, {
    method: 'POST',
    headers: { 'content-type': type },
    body: new Uint8Array(body),
  });

describe('GET /healthz', () => {
  it('answers 200 with status, version, role and the state of hq.db', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', role: 'hq', databases: { hq: 'ok' } });
  });
});

describe('POST /api/bundles (boxes: authenticated by the bundle signature)', () => {
  it('answers the receipt; the same bundle again is already_imported', async () => {
    const res = await upload(readFileSync(b1.path));
    expect(res.status).toBe(200);
    const receipt = uploadReceiptSchema.parse(await res.json());
    expect(receipt).toEqual({
      status: 'imported',
      applianceId: box.applianceId,
      bundleSeq: 1,
      sha256: b1.sha256,
    });
    const again = await upload(readFileSync(b1.path));
    expect(again.status).toBe(200);
    expect(uploadReceiptSchema.parse(await again.json()).status).toBe('already_imported');
  });

  it('refuses bad bundles with the documented status and code, changing nothing', async () => {
    const before = dumpDb(hq.db.hq);
    const flipped = readFileSync(b2.path);
    flipped[flipped.length - 200] = flipped[flipped.length - 200]! ^ 1;
    let res = await upload(flipped);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^bundle_/);

    const stranger = makeBox('Stranger');
    const j = new Journal();
    j.person({ id: 'z' });
    const sb = await writeBundle(stranger, dir, { bundleSeq: 1, rows: j.range(1, 1) });
    res = await upload(readFileSync(sb.path));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bundle_key_unknown');

    res = await upload(Buffer.from('hello'), 'text/plain');
    expect(res.status).toBe(415);
    expect(dumpDb(hq.db.hq)).toBe(before);
  });

  it('answers 409 for a fork', async () => {
    const j = new Journal();
    j.person({ id: 'other' });
    const f = await writeBundle(box, dir, { bundleSeq: 1, rows: j.range(1, 1), name: 'fork.zip' });
    const res = await upload(readFileSync(f.path));
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bundle_fork');
  });
});

/** A small cookie jar for one staff browser. */
class Browser {
  cookies = new Map<string, string>();
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(server.url + path, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      if (v) this.cookies.set(k!, v);
      else this.cookies.delete(k!);
    }
    return res;
  }
  async csrf(path: string): Promise<string> {
    const html = await (await this.fetch(path)).text();
    return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  }
  post(path: string, form: Record<string, string>, origin = server.url): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams(form).toString(),
    });
  }
}

describe('HQ staff pages', () => {
  it('sends signed-out visitors to sign in; wrong passwords are refused and rate-limited', async () => {
    const b = new Browser();
    const home = await b.fetch('/');
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/signin');
    const csrf = await b.csrf('/signin');
    const bad = await b.post('/signin', { _csrf: csrf, username: 'amina', password: 'wrong password' });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain('Wrong username or password.');
    const noCsrf = await b.post('/signin', { username: 'amina', password: 'correct horse battery' });
    expect(noCsrf.status).toBe(403);
    const foreign = await b.post(
      '/signin',
      { _csrf: csrf, username: 'amina', password: 'x' },
      'http://evil.example',
    );
    expect(foreign.status).toBe(403);
    let last: Response | undefined;
    for (let i = 0; i < 6; i++)
      last = await b.post('/signin', { _csrf: csrf, username: 'amina', password: `nope${i}` });
    expect(last!.status).toBe(429);
    expect(await last!.text()).toContain('Too many attempts');
  });

  it('signs in, shows appliances and reports, downloads CSV, uploads bundles, signs out', async () => {
    const b = new Browser();
    const csrf = await b.csrf('/signin');
    // A fresh username window: the previous test locked "amina" out, so use a second account.
    await hq.users.add('moussa', 'another good password');
    const ok = await b.post('/signin', {
      _csrf: csrf,
      username: 'moussa',
      password: 'another good password',
    });
    expect(ok.status).toBe(303);
    const setCookie = ok.headers.getSetCookie().find((c) => c.startsWith('hq_session='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);

    const dash = await (await b.fetch('/')).text();
    expect(dash).toContain('Box A');
    expect(dash).toContain('Dakar');

    // Upload bundle 2 through the staff form (multipart), with the session's CSRF token.
    const token = await b.csrf('/upload');
    const form = new FormData();
    form.append('bundles', new Blob([readFileSync(b2.path)], { type: 'application/zip' }), 'b2.zip');
    form.append('bundles', new Blob([Buffer.from('garbage')], { type: 'application/zip' }), 'junk.zip');
    const up = await b.fetch(`/upload?_csrf=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { origin: server.url },
      body: form,
    });
    expect(up.status).toBe(422); // one of the two was refused
    const page = await up.text();
    expect(page).toContain('b2.zip: imported');
    expect(page).toMatch(/junk\.zip: refused: not a readable zip/);
    // The same refusal read in French: the code's text from HQ's catalog, not the English detail.
    const junk = new FormData();
    junk.append('bundles', new Blob([Buffer.from('garbage')], { type: 'application/zip' }), 'junk.zip');
    const fr = await b.fetch(`/upload?_csrf=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { origin: server.url, 'accept-language': 'fr' },
      body: junk,
    });
    expect(fr.status).toBe(422);
    const frPage = await fr.text();
    expect(frPage).toContain('lang="fr"');
    expect(frPage).toContain('junk.zip: ');
    expect(frPage).toContain('Ce fichier n’est pas un paquet lisible (zip abîmé ou tronqué).');
    expect(frPage).not.toContain('not a readable zip');
    const noToken = await b.fetch('/upload', { method: 'POST', headers: { origin: server.url }, body: form });
    expect(noToken.status).toBe(403);

    const courses = await (await b.fetch('/reports/courses')).text();
    expect(courses).toContain('c1');
    expect(courses).toContain('100 %');
    const trainees = await (await b.fetch('/reports/trainees')).text();
    expect(trainees).toContain('Awa Diop');
    const csv = await b.fetch('/reports/trainees.csv');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="fieldclass-trainees-/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.toString('utf8')).toContain('OFF-1');
    // The figures' definitions, in the reader's language, as comment lines above the header.
    expect(bytes.toString('utf8', 3)).toMatch(/^# Enrolled: .*\r\n(.*\r\n)*person,name,username,/);

    // French, then Arabic right to left.
    await b.post('/language', { _csrf: await b.csrf('/'), lang: 'ar', back: '/' });
    const ar = await (await b.fetch('/')).text();
    expect(ar).toContain('dir="rtl"');
    expect(ar).toContain('الأجهزة');

    const out = await b.post('/signout', { _csrf: await b.csrf('/') });
    expect(out.status).toBe(303);
    expect((await b.fetch('/')).status).toBe(303);
  });
});
