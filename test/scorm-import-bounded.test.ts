import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/app/box.app.js';
import { openContext } from '../src/app/context.js';
import { testConfig } from '../src/core/config.js';
import { silentLogger } from '../src/core/logger.js';
import { importContent } from '../src/content/course-bundle.js';
import { CHUNK_SIZE } from '../src/content/course.importer.js';
import { ZipSource } from '../src/content/zip-reader.js';
import { Browserless } from './helpers/http.js';
import { tempDir, testContext } from './helpers/context.js';
import { writeLargeEntryScorm } from './fixtures/scorm/make-zip.js';
import { adminServer, coordinatorClient, postFile, type AdminServer } from './admin-helpers.js';

/**
 * Bounded import: a package with a large deflated entry installs through the streaming zip reader (the
 * peak memory of a 500 MB entry is the benchmark's, test/bench/scorm-import.bench.mjs); here, what it
 * does: the bytes stored are the bytes packed, uploads go to <data>/tmp as a stream and leave nothing
 * there, and the serving box empties <data>/tmp at start.
 */
const ENTRY_BYTES = 48 * 1024 * 1024 + 12345; // not a multiple of the chunk size: the last chunk is short
const policy = { trustedKeys: [], allowUnsigned: true };
const tmp = tempDir('fieldclass-bounded-');
let zipPath: string;
let want: { sha256: string; entry: string };

beforeAll(async () => {
  zipPath = join(tmp.dir, 'large.zip');
  want = await writeLargeEntryScorm(zipPath, ENTRY_BYTES);
});
afterAll(() => tmp.cleanup());

/** sha256 of a stored blob read back through the store, in ranges that cross chunk boundaries. */
function storedSha(ctx: ReturnType<typeof testContext>, sha256: string, size: number): string {
  const h = createHash('sha256');
  const step = 3 * CHUNK_SIZE + 1000;
  for (let off = 0; off < size; off += step)
    h.update(ctx.content.readBlob(sha256, off, Math.min(size, off + step) - 1));
  return h.digest('hex');
}

describe('bounded import of a large deflated entry', () => {
  it('the zip reader streams the entry in exact pieces whose bytes hash right', async () => {
    const z = await ZipSource.open(zipPath);
    try {
      expect(z.size(want.entry)).toBe(ENTRY_BYTES);
      const h = createHash('sha256');
      let pieces = 0;
      let total = 0;
      for (const p of z.pieces(want.entry, CHUNK_SIZE)) {
        // Every piece but the last is exactly the chunk size (the store numbers chunks by offset).
        if (total + p.length < ENTRY_BYTES) expect(p.length).toBe(CHUNK_SIZE);
        h.update(p);
        total += p.length;
        pieces++;
      }
      expect(total).toBe(ENTRY_BYTES);
      expect(pieces).toBe(Math.ceil(ENTRY_BYTES / CHUNK_SIZE));
      expect(h.digest('hex')).toBe(want.sha256);
    } finally {
      z.close();
    }
  });

  it('`content import` installs it with the bytes packed, stored and served', async () => {
    const ctx = testContext();
    try {
      const r = await importContent(ctx.content, zipPath, policy);
      expect(r.status).toBe('installed');
      const f = ctx.content.fileByPath(r.id, want.entry);
      expect(f).toEqual({ sha256: want.sha256, size: ENTRY_BYTES, type: 'video/mp4' });
      expect(storedSha(ctx, want.sha256, ENTRY_BYTES)).toBe(want.sha256);
      // The same zip again changes nothing (same version, same content).
      expect((await importContent(ctx.content, zipPath, policy)).status).toBe('unchanged');
    } finally {
      ctx.cleanup();
    }
  });

  it('a deflated entry that holds other bytes than its CRC says is refused, the store unchanged', async () => {
    const ctx = testContext();
    try {
      const bad = join(tmp.dir, 'corrupt.zip');
      const bytes = readFileSync(zipPath);
      // Flip one byte in the middle of the large entry's compressed data.
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0x55;
      writeFileSync(bad, bytes);
      await expect(importContent(ctx.content, bad, policy)).rejects.toThrow(/CRC-32|corrupt|lying/);
      expect(ctx.content.listInstalled()).toEqual([]);
      expect(ctx.db.content.prepare('SELECT count(*) FROM chunks').pluck().get()).toBe(0);
    } finally {
      ctx.cleanup();
    }
  });
});

describe('admin upload of a large package', () => {
  let s: AdminServer;
  let coord: Browserless;
  beforeAll(async () => {
    s = await adminServer({ content: { trustedKeys: [], allowUnsigned: true } });
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    coord = await coordinatorClient(s.url, 'coord', 'long-password-1');
  });
  afterAll(() => s.cleanup());
  const tmpFiles = () => (existsSync(join(s.dir, 'tmp')) ? readdirSync(join(s.dir, 'tmp')) : []);

  it('streams the upload to <data>/tmp and installs it while the box answers others; leaves nothing there', async () => {
    // A second connection to content.db, never waiting: its BEGIN IMMEDIATE fails while the install
    // holds the write lock (it does from its first chunk to its commit), and is rolled back at once
    // otherwise. The test runs in the box's process: with the install on the serving thread, this poll
    // could not even run until the install had finished.
    const probe = new Database(join(s.dir, 'content.db'), { timeout: 0 });
    const installing = (): boolean => {
      try {
        probe.exec('BEGIN IMMEDIATE');
        probe.exec('ROLLBACK');
        return false;
      } catch (e) {
        if ((e as { code?: string }).code === 'SQLITE_BUSY') return true;
        throw e;
      }
    };
    try {
      let answered = false;
      const upload = postFile(coord, '/admin/courses', '/admin/courses/upload', {
        name: 'large video.zip',
        data: readFileSync(zipPath),
        type: 'application/zip',
      }).then((r) => {
        answered = true;
        return r;
      });
      await expect.poll(installing, { timeout: 60_000, interval: 5 }).toBe(true);
      // Another request, a trainee's sign-in page and the health check, answered mid-install.
      const health = await fetch(`${s.url}/healthz`);
      expect(health.status).toBe(200);
      const signIn = await fetch(`${s.url}/`);
      expect(signIn.status).toBe(200);
      expect(installing()).toBe(true);
      expect(answered).toBe(false);
      const res = await upload;
      expect(res.status).toBe(303);
      expect(installing()).toBe(false);
      const { html } = await coord.page(res.headers.get('location')!);
      expect(html).toMatch(/Installed .+\./);
    } finally {
      probe.close();
    }
    const [course] = s.ctx.content.listInstalled();
    expect(s.ctx.content.fileByPath(course!.id, want.entry)?.sha256).toBe(want.sha256);
    expect(tmpFiles()).toEqual([]);
  });

  it('a refused upload leaves nothing in <data>/tmp either', async () => {
    const res = await postFile(coord, '/admin/courses', '/admin/courses/upload', {
      name: 'not-a-zip.zip',
      data: 'hello',
      type: 'application/zip',
    });
    expect(res.status).toBe(303);
    const { html } = await coord.page(res.headers.get('location')!);
    expect(html).toContain('The course was not installed:');
    expect(tmpFiles()).toEqual([]);
  });

  it('an upload cut off half-way is removed from <data>/tmp', async () => {
    const { html } = await coord.page('/admin/courses');
    const csrf = Browserless.csrfOf(html);
    const url = new URL(`${s.url}/admin/courses/upload?_csrf=${encodeURIComponent(csrf)}`);
    const boundary = 'cutcutcut';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.zip"\r\n` +
        'Content-Type: application/zip\r\n\r\n',
    );
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + 10 * 1024 * 1024),
        origin: url.origin,
        accept: 'text/html',
        cookie: [...coord.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    req.on('error', () => undefined);
    req.write(head);
    req.write(readFileSync(zipPath).subarray(0, 256 * 1024));
    // Wait until the box has started writing the upload (the real condition), then drop the connection.
    await expect.poll(() => tmpFiles().length, { timeout: 15_000 }).toBe(1);
    req.destroy();
    await expect.poll(() => tmpFiles(), { timeout: 15_000 }).toEqual([]);
  });
});

describe('<data>/tmp at start', () => {
  it('the serving box removes what an earlier run left there', async () => {
    const t = tempDir('fieldclass-tmpclean-');
    try {
      mkdirSync(join(t.dir, 'tmp', 'half-dir'), { recursive: true });
      writeFileSync(join(t.dir, 'tmp', 'abcd1234-course.zip'), 'half an upload');
      const ctx = openContext(
        testConfig({ dataDir: t.dir, port: 0, host: '127.0.0.1', installSampleCourses: false }),
        { logger: silentLogger },
      );
      const server = await startServer(ctx);
      try {
        expect(readdirSync(join(t.dir, 'tmp'))).toEqual([]);
      } finally {
        await server.close();
        ctx.close();
      }
    } finally {
      t.cleanup();
    }
  });
});
