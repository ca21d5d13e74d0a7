import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCourseBundle, generateContentKey } from '../src/content/course-bundle.js';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { tempDir } from './helpers/context.js';
import { ZipFile } from 'yazl';
import { Browserless } from './helpers/http.js';
import { adminServer, coordinatorClient, postFile, type AdminServer } from './admin-helpers.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');

describe('admin courses: upload a signed course bundle', () => {
  let s: AdminServer;
  let coord: Browserless;
  let bundle: string;
  const keys = tempDir('fieldclass-keys-');
  beforeAll(async () => {
    const key = generateContentKey(keys.dir);
    bundle = (await buildCourseBundle(FIXTURE, key.privateKeyPath, keys.dir)).path;
    s = await adminServer({ content: { trustedKeys: [key.publicKeyBase64], allowUnsigned: false } });
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    coord = await coordinatorClient(s.url, 'coord', 'long-password-1');
  });
  afterAll(async () => {
    await s.cleanup();
    keys.cleanup();
  });

  it('installs an uploaded bundle, says so, and records it in the audit log', async () => {
    const r = await postFile(coord, '/admin/courses', '/admin/courses/upload', {
      name: 'fixture-course-1.0.0.course.zip',
      data: readFileSync(bundle),
      type: 'application/zip',
    });
    expect(r.status).toBe(303);
    const { html } = await coord.page(r.headers.get('location')!);
    expect(html).toContain('Installed Fixture course 1.0.0.');
    const c = s.ctx.content.listInstalled();
    expect(c.map((x) => [x.id, x.version, x.signed])).toEqual([['fixture-course', '1.0.0', true]]);
    expect(s.ctx.audit.last('course.install')?.target).toBe('fixture-course');
  });

  it('refuses a tampered bundle with the importer’s reason and leaves the store as it was', async () => {
    const data = readFileSync(bundle);
    data[Math.floor(data.length / 2)]! ^= 0xff;
    const r = await postFile(coord, '/admin/courses', '/admin/courses/upload', {
      name: 'bad.zip',
      data,
      type: 'application/zip',
    });
    const { html } = await coord.page(r.headers.get('location')!);
    // A flipped byte breaks the zip itself (its checksums) before the signature is read.
    expect(html).toContain('The course was not installed: “bad.zip” is not a course file');
    expect(html).not.toContain(s.dir);
    expect(s.ctx.content.listInstalled()).toHaveLength(1);
    expect(s.ctx.audit.last('course.install_refused')?.details).toMatchObject({ file: 'bad.zip' });
  });

  it('says so when the same course file is uploaded again, in French too', async () => {
    const fr = new Browserless(s.url, { 'accept-language': 'fr' });
    expect(
      (await fr.submit('/admin/signin', '/admin/signin', { username: 'coord', password: 'long-password-1' }))
        .status,
    ).toBe(303);
    const r = await postFile(fr, '/admin/courses', '/admin/courses/upload', {
      name: 'fixture-course-1.0.0.course.zip',
      data: readFileSync(bundle),
      type: 'application/zip',
    });
    expect(r.headers.get('location')).toContain('ok=alreadyInstalled');
    const { html } = await fr.page(r.headers.get('location')!);
    expect(html).toContain('Fixture course 1.0.0 est déjà installé\u00a0: rien n’a changé.');
    // A zip that is not a course, on a box that takes only HQ's courses: said plainly, no setting, no variable.
    const zip = new ZipFile();
    zip.addBuffer(Buffer.from('notes'), 'notes.txt');
    zip.addBuffer(Buffer.from('<h1>hello</h1>'), 'index.html');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    const refused = await postFile(fr, '/admin/courses', '/admin/courses/upload', {
      name: 'notcourse.zip',
      data: Buffer.concat(chunks),
      type: 'application/zip',
    });
    expect(new URL(refused.headers.get('location')!, s.url).search).toMatch(/^\?err=[\w-]{16}$/);
    const page = (await fr.page(refused.headers.get('location')!)).html;
    expect(page).toContain('«\u00a0notcourse.zip\u00a0» n’est pas un cours du siège.');
    expect(page).not.toMatch(/allowUnsigned|FIELDCLASS_|tmp\/|unsigned zip/);
    expect(s.ctx.audit.last('course.install_refused')?.details).toEqual({
      code: 'unsigned_refused',
      file: 'notcourse.zip',
    });
  });
});

describe('admin courses: from a USB stick', () => {
  let s: AdminServer;
  let coord: Browserless;
  const stick = tempDir('fieldclass-stick-');
  beforeAll(async () => {
    const dir = join(stick.dir, 'fieldclass', 'courses');
    mkdirSync(dir, { recursive: true });
    cpSync(FIXTURE, join(dir, 'fixture-course'), { recursive: true });
    writeFileSync(join(stick.dir, 'holiday-photos.txt'), 'not a course');
    s = await adminServer({ content: { trustedKeys: [], allowUnsigned: true } }, { sticks: [stick.dir] });
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    coord = await coordinatorClient(s.url, 'coord', 'long-password-1');
  });
  afterAll(async () => {
    await s.cleanup();
    stick.cleanup();
  });

  it('lists what the stick holds and installs a course from it', async () => {
    const { html } = await coord.page('/admin/courses');
    expect(html).toContain('fieldclass/courses/fixture-course');
    expect(html).not.toContain('holiday-photos');
    const path = join(stick.dir, 'fieldclass', 'courses', 'fixture-course');
    const r = await coord.submit('/admin/courses', '/admin/courses/usb', { path });
    expect(r.headers.get('location')).toContain('ok=installed');
    expect(s.ctx.content.listInstalled().map((c) => [c.id, c.signed])).toEqual([['fixture-course', false]]);
    // Only what the stick lists can be installed: no path from the form is trusted.
    const other = await coord.submit('/admin/courses', '/admin/courses/usb', { path: FIXTURE });
    expect((await coord.page(other.headers.get('location')!)).html).toContain('no longer on a USB stick');
  });
});
