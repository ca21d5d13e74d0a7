import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importContent } from '../src/content/course-bundle.js';
import { ZipSource } from '../src/content/zip-reader.js';
import { testContext } from './helpers/context.js';
import { writeRawZip, type RawEntry } from './fixtures/scorm/make-zip.js';

const tmp = mkdtempSync(join(tmpdir(), 'fc-zip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ok: RawEntry = { name: 'imsmanifest.xml', data: '<manifest/>' };

async function openWith(name: string, entries: RawEntry[]) {
  const p = join(tmp, `${name}.zip`);
  writeRawZip(p, entries);
  const z = await ZipSource.open(p);
  return z;
}

describe('zip reader refuses hazards before anything is read', () => {
  it.each([
    ['traversal', [ok, { name: '../evil.html', data: 'x' }], /"\.\." path/],
    ['nested traversal', [ok, { name: 'a/../../evil.html', data: 'x' }], /"\.\." path/],
    ['absolute path', [ok, { name: '/etc/passwd', data: 'x' }], /absolute path/],
    ['drive letter', [ok, { name: 'C:/x.html', data: 'x' }], /absolute path/],
    ['backslash', [ok, { name: 'a\\b.html', data: 'x' }], /backslash/],
    [
      'symlink',
      [ok, { name: 'link', data: '/etc/passwd', externalAttrs: (0o120777 << 16) >>> 0 }],
      /symbolic links/,
    ],
    ['duplicate', [ok, { name: 'a.html', data: '1' }, { name: 'a.html', data: '2' }], /duplicate name/],
    [
      'duplicate after case folding',
      [ok, { name: 'Index.HTML', data: '1' }, { name: 'index.html', data: '2' }],
      /duplicate name/,
    ],
    [
      'duplicate after NFC',
      [ok, { name: 'caf\u00e9.html', data: '1' }, { name: 'cafe\u0301.html', data: '2' }],
      /duplicate name/,
    ],
    ['zip bomb', [ok, { name: 'bomb.txt', data: Buffer.alloc(20 * 1024 * 1024), deflate: true }], /zip bomb/],
  ])('%s', async (name, entries, message) => {
    await expect(openWith(name.replace(/\W/g, '-'), entries)).rejects.toThrow(message);
  });

  it('refuses a lying declared size when the entry is read', async () => {
    const big = await openWith('lying-big', [
      ok,
      { name: 'a.txt', data: 'x'.repeat(5000), deflate: true, declaredSize: 100 },
    ]);
    expect(() => big.read('a.txt')).toThrow(/inflates to more than its declared 100 bytes|lying header/);
    big.close();
    const small = await openWith('lying-small', [
      ok,
      { name: 'a.txt', data: 'x'.repeat(100), deflate: true, declaredSize: 5000 },
    ]);
    expect(() => small.read('a.txt')).toThrow(/lying header/);
    small.close();
  });

  it('refuses a file that is not a zip, and too many entries', async () => {
    writeFileSync(join(tmp, 'not.zip'), 'hello');
    await expect(ZipSource.open(join(tmp, 'not.zip'))).rejects.toThrow(/not a readable zip/);
    const p = join(tmp, 'many.zip');
    writeRawZip(
      p,
      Array.from({ length: 30 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' })),
    );
    await expect(ZipSource.open(p, { maxEntries: 20 })).rejects.toThrow(/30 entries \(at most 20\)/);
  });

  it('reads stored and deflated entries, checking CRC', async () => {
    const z = await openWith('good', [
      ok,
      { name: 'dir/a.txt', data: 'hello', deflate: true },
      { name: 'b.bin', data: Buffer.from([1, 2, 3]) },
    ]);
    expect(z.files()).toEqual(['b.bin', 'dir/a.txt', 'imsmanifest.xml']);
    expect(z.read('dir/a.txt').toString()).toBe('hello');
    const got: number[] = [];
    for (const p of z.pieces('b.bin', 2)) got.push(...p);
    expect(got).toEqual([1, 2, 3]);
    z.close();
  });
});

describe('importing a hazardous zip', () => {
  it('is refused with the store unchanged', async () => {
    const ctx = testContext();
    try {
      const good = join(tmp, 'ok-first.zip');
      const manifest = `<?xml version="1.0"?><manifest identifier="safe-pkg" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
        <metadata><schemaversion>1.2</schemaversion></metadata><organizations default="o"><organization identifier="o"><title>Safe</title>
        <item identifier="i" identifierref="r"><title>I</title></item></organization></organizations>
        <resources><resource identifier="r" adlcp:scormtype="sco" href="index.html"/></resources></manifest>`;
      writeRawZip(good, [
        { name: 'imsmanifest.xml', data: manifest },
        { name: 'index.html', data: '<p>ok</p>' },
      ]);
      const policy = { trustedKeys: [], allowUnsigned: true };
      await importContent(ctx.content, good, policy);
      const dump = () =>
        JSON.stringify([
          ctx.db.content.prepare('SELECT id, version, digest FROM courses').all(),
          ctx.db.content.prepare('SELECT count(*) AS n FROM chunks').get(),
        ]);
      const before = dump();
      const hazards: RawEntry[][] = [
        [
          { name: 'imsmanifest.xml', data: manifest },
          { name: '../index.html', data: 'x' },
        ],
        [
          { name: 'imsmanifest.xml', data: manifest },
          { name: '/index.html', data: 'x' },
        ],
        [
          { name: 'imsmanifest.xml', data: manifest },
          { name: 'index.html', data: 'x', externalAttrs: (0o120777 << 16) >>> 0 },
        ],
        [
          { name: 'imsmanifest.xml', data: manifest },
          { name: 'index.html', data: '1' },
          { name: 'INDEX.html', data: '2' },
        ],
        [
          { name: 'imsmanifest.xml', data: manifest },
          { name: 'index.html', data: Buffer.alloc(30 * 1024 * 1024), deflate: true },
        ],
        [
          { name: 'imsmanifest.xml', data: manifest.replace('safe-pkg"', 'safe-pkg" version="2"') },
          { name: 'index.html', data: 'x'.repeat(4000), deflate: true, declaredSize: 10 },
        ],
      ];
      for (const [i, entries] of hazards.entries()) {
        const p = join(tmp, `hazard-${i}.zip`);
        writeRawZip(p, entries);
        await expect(importContent(ctx.content, p, policy), `hazard ${i}`).rejects.toThrow(
          /zip|symbolic|duplicate|lying|bomb|absolute|\.\./,
        );
        expect(dump()).toBe(before);
      }
    } finally {
      ctx.cleanup();
    }
  });
});
