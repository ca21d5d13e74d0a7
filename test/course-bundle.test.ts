import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import {
  buildCourseBundle,
  generateContentKey,
  importContent,
  type ContentPolicy,
} from '../src/content/course-bundle.js';
import { ZipSource } from '../src/content/zip-reader.js';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { SCORM_FIXTURES, writeRawZip, zipFolder } from './fixtures/scorm/make-zip.js';
import { testContext } from './helpers/context.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
const tmp = mkdtempSync(join(tmpdir(), 'fc-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hq = generateContentKey(join(tmp, 'hq'));
const other = generateContentKey(join(tmp, 'other'));
const trusted: ContentPolicy = { trustedKeys: [hq.publicKeyBase64], allowUnsigned: false };

/** Copy a course folder and set its version (and optionally change a lesson). */
function courseCopy(name: string, version: string, lessonExtra = ''): string {
  const dir = join(tmp, name);
  cpSync(FIXTURE, dir, { recursive: true });
  const cj = JSON.parse(readFileSync(join(dir, 'course.json'), 'utf8')) as { version: string };
  cj.version = version;
  writeFileSync(join(dir, 'course.json'), JSON.stringify(cj, null, 2));
  if (lessonExtra)
    writeFileSync(
      join(dir, 'lessons', 'intro.en.md'),
      readFileSync(join(dir, 'lessons', 'intro.en.md'), 'utf8') + lessonExtra,
    );
  return dir;
}

/** Everything in content.db that matters, to prove a refusal changed nothing. */
function dump(ctx: ReturnType<typeof testContext>): string {
  const db = ctx.db.content;
  return JSON.stringify([
    db.prepare('SELECT id, version, kind, signed, signed_by, digest FROM courses ORDER BY id').all(),
    db.prepare('SELECT course_id, path, sha256 FROM course_files ORDER BY 1, 2').all(),
    db.prepare('SELECT count(*) AS n, sum(length(data)) AS bytes FROM chunks').get(),
  ]);
}

describe('course bundles', () => {
  let ctx: ReturnType<typeof testContext>;
  beforeEach(() => {
    ctx = testContext();
  });
  afterEach(() => ctx.cleanup());

  it('keygen writes a 0600 private key and refuses to overwrite it', () => {
    expect(statSync(hq.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(hq.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(() => generateContentKey(join(tmp, 'hq'))).toThrow(/already exists/);
  });

  it('builds, verifies and installs a signed native course, marked signed by the key', async () => {
    const b = await buildCourseBundle(courseCopy('v1', '1.0.0'), hq.privateKeyPath, join(tmp, 'out'));
    expect(b.path).toMatch(/fixture-course-1\.0\.0\.course\.zip$/);
    expect(b.manifest.course).toMatchObject({ id: 'fixture-course', version: '1.0.0', kind: 'native' });
    expect(b.manifest.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256) && f.size >= 0)).toBe(true);
    const r = await importContent(ctx.content, b.path, trusted);
    expect(r).toMatchObject({ status: 'installed', signed: true, signedBy: hq.keyId, kind: 'native' });
    expect(ctx.content.listInstalled()[0]).toMatchObject({
      id: 'fixture-course',
      signed: true,
      signedBy: hq.keyId,
    });
    // Again: same version, same content: nothing changes.
    expect((await importContent(ctx.content, b.path, trusted)).status).toBe('unchanged');
  });

  it('builds a signed bundle from a SCORM zip and installs it as scorm2004', async () => {
    const zip = zipFolder(join(SCORM_FIXTURES, 'scorm2004-multi'), join(tmp, 'multi.zip'));
    const b = await buildCourseBundle(zip, hq.privateKeyPath, join(tmp, 'out-scorm'), {
      id: 'checkpoint',
      version: '1.2.0',
    });
    expect(b.manifest.course).toMatchObject({ id: 'checkpoint', version: '1.2.0', kind: 'scorm2004' });
    const r = await importContent(ctx.content, b.path, trusted);
    expect(r).toMatchObject({ status: 'installed', kind: 'scorm2004', signed: true, activities: 3 });
    expect(ctx.content.fileByPath('checkpoint', 'content/brief.html')).toBeDefined();
  });

  it('carries a large stored file of a SCORM zip through build and install byte for byte', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 123);
    const manifest = readFileSync(join(SCORM_FIXTURES, 'scorm12-single', 'imsmanifest.xml'));
    const index = readFileSync(join(SCORM_FIXTURES, 'scorm12-single', 'sco', 'index.html'));
    writeRawZip(join(tmp, 'stored.zip'), [
      { name: 'imsmanifest.xml', data: manifest, deflate: true },
      { name: 'sco/index.html', data: index },
      { name: 'sco/clip.mp4', data: big },
    ]);
    const b = await buildCourseBundle(join(tmp, 'stored.zip'), hq.privateKeyPath, join(tmp, 'out-stored'), {
      id: 'stored',
    });
    await importContent(ctx.content, b.path, trusted);
    const f = ctx.content.fileByPath('stored', 'sco/clip.mp4')!;
    expect(f.size).toBe(big.length);
    expect(ctx.content.readBlob(f.sha256, 0, big.length - 1).equals(big)).toBe(true);
  });

  it('refuses an untrusted key, a tampered byte, an added file, with the store unchanged', async () => {
    const good = await buildCourseBundle(courseCopy('t1', '1.0.0'), hq.privateKeyPath, join(tmp, 'tamper'));
    const before = dump(ctx);
    await expect(
      importContent(ctx.content, good.path, { trustedKeys: [other.publicKeyBase64], allowUnsigned: true }),
    ).rejects.toThrow(/does not verify with any trusted content key/);
    await expect(
      importContent(ctx.content, good.path, { trustedKeys: [], allowUnsigned: true }),
    ).rejects.toThrow(/trusts no content key/);

    // Flip one byte inside a stored media file (png is stored, not deflated).
    const zip = await ZipSource.open(good.path);
    const bytes = readFileSync(good.path);
    zip.close();
    const png = readFileSync(join(FIXTURE, 'media', 'photo.png'));
    const at = bytes.indexOf(png.subarray(0, 64));
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(bytes);
    tampered[at + 40] = tampered[at + 40]! ^ 0xff;
    writeFileSync(join(tmp, 'tampered.zip'), tampered);
    await expect(importContent(ctx.content, join(tmp, 'tampered.zip'), trusted)).rejects.toThrow(
      /CRC-32 mismatch|SHA-256 differs/,
    );

    // Re-pack with an extra file the manifest does not list.
    const src = await ZipSource.open(good.path);
    const entries = src.files().map((name) => ({ name, data: src.read(name) }));
    src.close();
    writeRawZip(join(tmp, 'extra.zip'), [...entries, { name: 'files/media/extra.png', data: png }]);
    await expect(importContent(ctx.content, join(tmp, 'extra.zip'), trusted)).rejects.toThrow(
      /files\/media\/extra.png: in the zip but not in the manifest/,
    );

    // A changed manifest (signature no longer matches).
    const m = entries.find((e) => e.name === 'manifest.json')!;
    const changed = entries.map((e) =>
      e.name === 'manifest.json'
        ? { ...e, data: Buffer.from(m.data.toString().replace('"1.0.0"', '"9.0.0"')) }
        : e,
    );
    writeRawZip(join(tmp, 'manifest.zip'), changed);
    await expect(importContent(ctx.content, join(tmp, 'manifest.zip'), trusted)).rejects.toThrow(
      /does not verify/,
    );
    expect(dump(ctx)).toBe(before);
  });

  it('refuses a downgrade and the same version with different content; the installed version keeps serving', async () => {
    const v2 = await buildCourseBundle(courseCopy('d2', '2.0.0'), hq.privateKeyPath, join(tmp, 'down2'));
    const v1 = await buildCourseBundle(courseCopy('d1', '1.0.0'), hq.privateKeyPath, join(tmp, 'down1'));
    const v2b = await buildCourseBundle(
      courseCopy('d2b', '2.0.0', '\nChanged.\n'),
      hq.privateKeyPath,
      join(tmp, 'down2b'),
    );
    expect((await importContent(ctx.content, v2.path, trusted)).status).toBe('installed');
    const before = dump(ctx);
    await expect(importContent(ctx.content, v1.path, trusted)).rejects.toThrow(
      /older than the installed version 2\.0\.0/,
    );
    await expect(importContent(ctx.content, v2b.path, trusted)).rejects.toThrow(
      /already installed with different content/,
    );
    expect(dump(ctx)).toBe(before);
    expect(ctx.content.getLesson('fixture-course', 'intro', 'en')).toBeDefined();
  });

  it('upgrades in one step, keeping the activity ids', async () => {
    const v1 = await buildCourseBundle(courseCopy('u1', '1.0.0'), hq.privateKeyPath, join(tmp, 'up1'));
    const v11 = await buildCourseBundle(
      courseCopy('u11', '1.1.0', '\nNew paragraph.\n'),
      hq.privateKeyPath,
      join(tmp, 'up11'),
    );
    await importContent(ctx.content, v1.path, trusted);
    const ids = ctx.content
      .getCourse('fixture-course', 'en')!
      .modules.flatMap((m) => m.items.map((i) => i.id));
    const r = await importContent(ctx.content, v11.path, trusted);
    expect(r).toMatchObject({ status: 'upgraded', previousVersion: '1.0.0', version: '1.1.0' });
    expect(
      ctx.content.getCourse('fixture-course', 'en')!.modules.flatMap((m) => m.items.map((i) => i.id)),
    ).toEqual(ids);
  });

  it('refuses unsigned content unless allowed, then marks it unsigned', async () => {
    const zip = zipFolder(join(SCORM_FIXTURES, 'scorm12-single'), join(tmp, 'single.zip'));
    await expect(importContent(ctx.content, zip, trusted)).rejects.toThrow(/unsigned SCORM package/);
    await expect(importContent(ctx.content, FIXTURE, trusted)).rejects.toThrow(/unsigned course folder/);
    expect(ctx.content.listInstalled()).toEqual([]);
    const r = await importContent(ctx.content, zip, { ...trusted, allowUnsigned: true });
    expect(r).toMatchObject({ status: 'installed', id: 'fixturescorm12', kind: 'scorm12', signed: false });
    expect(ctx.content.listCourses('en')[0]).toMatchObject({ kind: 'scorm12', signed: false });
  });
});
