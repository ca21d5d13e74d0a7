import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { CHUNK_SIZE } from '../src/content/course.importer.js';
import { testServer } from './helpers/context.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A raw HTTP request (no automatic decompression, unlike fetch). */
function raw(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let srv: Awaited<ReturnType<typeof testServer>>;
let srcDir: string;
const big = Buffer.alloc(CHUNK_SIZE * 3 + 777);
const svg = readFileSync(join(FIXTURE, 'media/diagram.svg'));
const webm = readFileSync(join(FIXTURE, 'media/clip.webm'));

beforeAll(async () => {
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 8)) & 0xff;
  srcDir = mkdtempSync(join(tmpdir(), 'fc-http-course-'));
  cpSync(FIXTURE, srcDir, { recursive: true });
  writeFileSync(join(srcDir, 'media/big.pdf'), big);
  writeFileSync(
    join(srcDir, 'lessons/intro.en.md'),
    readFileSync(join(FIXTURE, 'lessons/intro.en.md'), 'utf8') + '\n[big](../media/big.pdf)\n',
  );
  srv = await testServer();
  srv.ctx.content.installFolder(srcDir);
});
afterAll(async () => {
  await srv.cleanup();
  rmSync(srcDir, { recursive: true, force: true });
});

describe('GET /c/<sha256>.<ext>', () => {
  it('serves a blob with its type, ETag and immutable caching; 304 on If-None-Match', async () => {
    const url = `${srv.url}/c/${sha(webm)}.webm`;
    const r = await raw(url);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('video/webm');
    expect(r.headers['etag']).toBe(`"${sha(webm)}"`);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(r.headers['content-length']).toBe(String(webm.length));
    expect(r.body.equals(webm)).toBe(true);
    const again = await raw(url, { 'If-None-Match': `"${sha(webm)}"` });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const other = await raw(url, { 'If-None-Match': '"something-else"' });
    expect(other.status).toBe(200);
  });

  it('answers HEAD with the headers and no body', async () => {
    const r = await raw(`${srv.url}/c/${sha(big)}.pdf`, {}, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(big.length));
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.body.length).toBe(0);
    const ranged = await raw(`${srv.url}/c/${sha(big)}.pdf`, { Range: 'bytes=10-19' }, 'HEAD');
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-range']).toBe(`bytes 10-19/${big.length}`);
  });

  it('serves byte ranges across chunks (206), suffix ranges, and 416 when unsatisfiable', async () => {
    const url = `${srv.url}/c/${sha(big)}.pdf`;
    const start = CHUNK_SIZE - 5;
    const end = CHUNK_SIZE * 2 + 5;
    const r = await raw(url, { Range: `bytes=${start}-${end}` });
    expect(r.status).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes ${start}-${end}/${big.length}`);
    expect(r.headers['content-length']).toBe(String(end - start + 1));
    expect(r.body.equals(big.subarray(start, end + 1))).toBe(true);

    const open = await raw(url, { Range: `bytes=${CHUNK_SIZE * 3}-` });
    expect(open.status).toBe(206);
    expect(open.body.equals(big.subarray(CHUNK_SIZE * 3))).toBe(true);

    const suffix = await raw(url, { Range: 'bytes=-100' });
    expect(suffix.body.equals(big.subarray(big.length - 100))).toBe(true);

    const bad = await raw(url, { Range: `bytes=${big.length}-` });
    expect(bad.status).toBe(416);
    expect(bad.headers['content-range']).toBe(`bytes */${big.length}`);

    const whole = await raw(url);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(big)).toBe(true);
  });

  it('serves several ranges as multipart/byteranges', async () => {
    const r = await raw(`${srv.url}/c/${sha(big)}.pdf`, { Range: 'bytes=0-9, 300000-300009' });
    expect(r.status).toBe(206);
    const ct = String(r.headers['content-type']);
    const boundary = /boundary=(.+)$/.exec(ct)![1]!;
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    const text = r.body.toString('latin1');
    const parts = text.split(`--${boundary}`).slice(1, -1);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toContain(`Content-Range: bytes 0-9/${big.length}`);
    expect(parts[1]).toContain(`Content-Range: bytes 300000-300009/${big.length}`);
    const bodyOf = (p: string) => Buffer.from(p.slice(p.indexOf('\r\n\r\n') + 4, -2), 'latin1');
    expect(bodyOf(parts[0]!).equals(big.subarray(0, 10))).toBe(true);
    expect(bodyOf(parts[1]!).equals(big.subarray(300000, 300010))).toBe(true);
  });

  it('ignores Range when If-Range does not match the ETag', async () => {
    const r = await raw(`${srv.url}/c/${sha(big)}.pdf`, { Range: 'bytes=0-9', 'If-Range': '"old"' });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(big.length);
  });

  it('serves stored brotli and gzip variants of text by Accept-Encoding', async () => {
    const url = `${srv.url}/c/${sha(svg)}.svg`;
    const br = await raw(url, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toBe('Accept-Encoding');
    expect(br.headers['content-type']).toBe('image/svg+xml');
    expect(br.headers['content-security-policy']).toMatch(/^sandbox;/);
    expect(brotliDecompressSync(br.body).equals(svg)).toBe(true);
    const gz = await raw(url, { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(svg)).toBe(true);
    const noBr = await raw(url, { 'Accept-Encoding': 'br;q=0, gzip' });
    expect(noBr.headers['content-encoding']).toBe('gzip');
    const plain = await raw(url);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(svg)).toBe(true);
    // Video is never compressed.
    const video = await raw(`${srv.url}/c/${sha(webm)}.webm`, { 'Accept-Encoding': 'br, gzip' });
    expect(video.headers['content-encoding']).toBeUndefined();
  });

  it('404s unknown hashes and malformed names', async () => {
    expect((await raw(`${srv.url}/c/${'a'.repeat(64)}.png`)).status).toBe(404);
    expect((await raw(`${srv.url}/c/nothash.png`)).status).toBe(404);
    expect((await raw(`${srv.url}/c/${sha(webm)}`)).status).toBe(404);
  });

  it('lesson HTML points at URLs the server answers', async () => {
    const html = srv.ctx.content.getLesson('fixture-course', 'intro', 'en')!.html;
    const urls = [...html.matchAll(/(?:src|href)="(\/c\/[^"]+)"/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThanOrEqual(4);
    for (const u of urls) expect((await raw(`${srv.url}${u}`, {}, 'HEAD')).status).toBe(200);
  });
});
