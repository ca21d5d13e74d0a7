import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importContent } from '../src/content/course-bundle.js';
import { startPackageServer, type PackageServer } from '../src/app/scorm-package.app.js';
import { ScormScripts } from '../src/learning/scorm.scripts.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { testContext } from './helpers/context.js';

describe('the package origin', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fc-pkg-'));
  let ctx: ReturnType<typeof testContext>;
  let pkg: PackageServer;
  let base: string;

  beforeAll(async () => {
    ctx = testContext();
    await importContent(
      ctx.content,
      zipFolder(join(SCORM_FIXTURES, 'scorm2004-multi'), join(tmp, 'm.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'checkpoint' },
    );
    pkg = await startPackageServer(ctx.content, ScormScripts.shared(), ctx.scorm, 'en', 0, '127.0.0.1');
    base = `http://127.0.0.1:${pkg.port}`;
  });
  afterAll(async () => {
    await pkg.close();
    ctx.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('serves package files by path with its CSP, compressed at import, with ETag and Range, and never a cookie', async () => {
    const r = await fetch(`${base}/p/checkpoint/2.1.0/content/brief.html`, {
      headers: { 'accept-encoding': 'br', cookie: 'fc_session=secret' },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-encoding')).toBe('br');
    expect(r.headers.get('content-security-policy')).toMatch(/connect-src 'self'.*form-action 'self'/);
    expect(r.headers.get('content-security-policy')).not.toMatch(/sandbox/);
    expect(r.headers.get('cache-control')).toContain('immutable');
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(await r.text()).toContain('<h1>Briefing</h1>');
    const etag = r.headers.get('etag')!;
    expect(
      (await fetch(`${base}/p/checkpoint/2.1.0/content/brief.html`, { headers: { 'if-none-match': etag } }))
        .status,
    ).toBe(304);
    const part = await fetch(`${base}/p/checkpoint/2.1.0/content/brief.html`, {
      headers: { range: 'bytes=0-14' },
    });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('<!doctype html>');
  });

  it('serves nothing else: other versions, unknown paths, the app, native courses', async () => {
    for (const path of [
      '/p/checkpoint/9.9.9/content/brief.html',
      '/p/checkpoint/2.1.0/nope.html',
      '/courses',
      '/',
      '/signin',
      '/p/checkpoint/2.1.0/../../courses',
    ])
      expect((await fetch(base + path)).status, path).toBe(404);
  });

  it('serves the runtime pages and scripts; its calls need a launch token, never a cookie', async () => {
    for (const v of ['scorm12', 'scorm2004']) {
      const w = await fetch(`${base}/w/${v}`);
      expect(w.status).toBe(200);
      expect(w.headers.get('content-security-policy')).toContain("connect-src 'self'");
      const html = await w.text();
      const scripts = [...html.matchAll(/src="(\/rt\/[^"]+)"/g)].map((m) => m[1]!);
      expect(scripts).toHaveLength(2);
      for (const s of scripts)
        expect((await fetch(base + s)).headers.get('content-type')).toContain('javascript');
    }
    expect((await fetch(`${base}/w/other`)).status).toBe(404);
    for (const path of ['/rt/launch', '/rt/commit']) {
      const r = await fetch(base + path, {
        method: 'POST',
        headers: { cookie: 'fc_session=secret', 'content-type': 'text/plain' },
        body: JSON.stringify({ token: 'forged.token', seq: 1 }),
      });
      expect(r.status, path).toBe(401);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('launch_invalid');
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    const bad = await fetch(`${base}/rt/commit`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    // Read through the one validate(schema): a malformed call is a 400 naming the field, never a 500.
    for (const [path, payload] of [
      ['/rt/commit', { token: 'forged.token', seq: 'two' }],
      ['/rt/commit', { token: 'forged.token', seq: 1, terminate: 'yes' }],
      ['/rt/launch', { token: 42 }],
    ] as const) {
      const r = await fetch(base + path, { method: 'POST', body: JSON.stringify(payload) });
      expect(r.status, JSON.stringify(payload)).toBe(400);
      const e = ((await r.json()) as { error: { code: string; message: string } }).error;
      expect(e.code).toBe('invalid');
      expect(e.message).toMatch(/seq|terminate|token/);
    }
  });
});
