/**
 * POST /api/bundles under attack, against a real HQ HTTP server: limits are checked before a byte of the
 * body is spooled, strangers cannot fill the disk or keep a genuine box out, /healthz says when disk is low.
 */
import { request, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MANIFEST_HEADER,
  SIGNATURE_HEADER,
  UPLOAD_PATH,
  uploadHeaders,
} from '../src/contract/bundle-format.js';
import { bundleServices } from '../src/bundles/bundles.module.js';
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
import { testContext } from './helpers/context.js';

const MiB = 1024 * 1024;
let hq: ReturnType<typeof testHq>;
let server: RunningHqServer;
let dir: string;
let box: Box;
let b1: WrittenTestBundle;
let free: number | null;
let rows: Journal['rows'];

async function setup(config: Record<string, unknown>): Promise<void> {
  hq = testHq({ config, diskFree: () => free });
  box = makeBox('Box A', 'Dakar');
  hq.appliances.enrol(box.enrolRequest);
  const j = new Journal();
  j.person({ id: 'p1', externalId: 'OFF-1' });
  for (let i = 0; i < 20; i++)
    j.statement({ person: 'p1', course: 'c1', activity: 'l1', verb: 'experienced' });
  rows = j.rows;
  b1 = await writeBundle(box, dir, { bundleSeq: 1, rows });
  server = await startHqServer(hq);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fc-hq-upload-'));
  free = 50 * 1024 * MiB;
});
afterEach(async () => {
  await server.close();
  hq.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw upload: headers now, then `send` bytes, then (unless `hold`) the end. Resolves with the answer. */
function rawUpload(
  headers: Record<string, string | number>,
  opts: { send?: Buffer; hold?: boolean; chunked?: boolean } = {},
): { req: ClientRequest; answer: Promise<Answer> } {
  const u = new URL(server.url + UPLOAD_PATH);
  const req = request({
    host: u.hostname,
    port: u.port,
    path: u.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/zip', ...headers },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', (e) => reject(e));
  });
  answer.catch(() => undefined); // a destroyed request rejects; the tests that care await it
  req.flushHeaders();
  if (opts.send) req.write(opts.send);
  if (!opts.hold) req.end();
  return { req, answer };
}

const code = (a: Answer): string => (JSON.parse(a.body) as { error: { code: string } }).error.code;
const incoming = (): string[] => {
  try {
    return readdirSync(join(hq.dir, 'incoming'));
  } catch {
    return [];
  }
};
/** Wait until the server has spooled `n` uploads (their temp files exist). */
async function spooling(n: number): Promise<void> {
  for (let i = 0; i < 200 && incoming().length < n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(incoming()).toHaveLength(n);
}

describe('POST /api/bundles: limits before the body', () => {
  it('a declared size over maxUploadBytes is refused (413) before a byte is spooled; so is a chunked body once it passes the limit', async () => {
    await setup({ maxUploadBytes: 2 * MiB });
    const big = rawUpload({ 'content-length': 300 * MiB }, { hold: true });
    const a = await big.answer;
    big.req.destroy();
    expect(a.status).toBe(413);
    expect(code(a)).toBe('bundle_too_large');
    expect(incoming()).toEqual([]);

    const chunked = rawUpload({ 'transfer-encoding': 'chunked' }, { send: Buffer.alloc(3 * MiB, 1) });
    const c = await chunked.answer.catch(() => ({ status: 0, headers: {}, body: '' }));
    // Either the 413 arrives, or the server cut the connection once past the limit: never a stored file.
    if (c.status !== 0) expect(c.status).toBe(413);
    await new Promise((r) => setTimeout(r, 50));
    expect(incoming()).toEqual([]);
  });

  it('signed headers: a forged signature (422) or an unknown key (403) is refused before the body; a body that is not the announced bundle is refused (422); a Content-Length that is not the signed size (422)', async () => {
    await setup({});
    const bytes = readFileSync(b1.path);
    const h = uploadHeaders(bytes);
    expect(Buffer.from(h[MANIFEST_HEADER]!, 'base64').length).toBeGreaterThan(100);
    const before = dumpDb(hq.db.hq);
    const stranger = makeBox('Stranger');
    const forgedSig = rawUpload(
      {
        ...h,
        [SIGNATURE_HEADER]: h[SIGNATURE_HEADER]!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
        'content-length': bytes.length,
      },
      { hold: true },
    );
    const a = await forgedSig.answer;
    forgedSig.req.destroy();
    expect(a.status).toBe(422); // a non-canonical or non-verifying signature is refused with its own code
    expect(code(a)).toMatch(/^bundle_signature_(invalid|malformed)$/);
    const j = new Journal();
    j.person({ id: 'q' });
    const sb = readFileSync(
      (await writeBundle(stranger, dir, { bundleSeq: 1, rows: j.rows, name: 's.zip' })).path,
    );
    const unknown = rawUpload({ ...uploadHeaders(sb), 'content-length': sb.length }, { hold: true });
    const u = await unknown.answer;
    unknown.req.destroy();
    expect(u.status).toBe(403);
    expect(code(u)).toBe('bundle_key_unknown');
    expect(incoming()).toEqual([]);

    const wrongSize = rawUpload({ ...h, 'content-length': bytes.length + 1 }, { hold: true });
    const w = await wrongSize.answer;
    wrongSize.req.destroy();
    expect([w.status, code(w)]).toEqual([422, 'bundle_size_mismatch']);

    // Box A's signed headers of bundle 1 on the body of another bundle of the same size: refused once
    // the body's manifest is read, nothing imported.
    const twin = readFileSync((await writeBundle(box, dir, { bundleSeq: 2, rows, name: 'twin.zip' })).path);
    expect(twin.length).toBe(bytes.length);
    const swapped = await fetch(server.url + UPLOAD_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/zip', ...h },
      body: new Uint8Array(twin),
    });
    expect(swapped.status).toBe(422);
    expect(((await swapped.json()) as { error: { code: string } }).error.code).toBe(
      'bundle_manifest_mismatch',
    );
    expect(dumpDb(hq.db.hq)).toBe(before);

    const ok = await fetch(server.url + UPLOAD_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/zip', ...h },
      body: new Uint8Array(bytes),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'imported', bundleSeq: 1 });
  });
});

describe('POST /api/bundles under attack', () => {
  it('strangers hold every unsigned slot and the spool quota: 429/503 with Retry-After; a genuine box still uploads; slots free when they stall', async () => {
    await setup({
      uploads: {
        perAddress: 2,
        total: 3,
        spoolQuotaBytes: 3 * MiB,
        idleTimeoutSeconds: 1,
        retryAfterSeconds: 30,
      },
    });
    const from = (ip: string, bytes: number) =>
      rawUpload({ 'x-forwarded-for': ip, 'content-length': bytes }, { send: Buffer.alloc(16), hold: true });
    const a1 = from('10.0.0.1', MiB);
    const a2 = from('10.0.0.1', MiB);
    await spooling(2);
    const a3 = await from('10.0.0.1', 1000).answer;
    expect([a3.status, code(a3), a3.headers['retry-after']]).toEqual([429, 'upload_busy', '30']);
    const b1q = from('10.0.0.2', 2 * MiB); // 1 + 1 + 2 MiB > the 3 MiB quota
    const q = await b1q.answer;
    expect([q.status, code(q), q.headers['retry-after']]).toEqual([503, 'upload_quota', '30']);
    const b2 = from('10.0.0.2', 1000);
    await spooling(3);
    const c = await from('10.0.0.3', 1000).answer;
    expect([c.status, code(c)]).toEqual([429, 'upload_busy']);

    // An older box (no manifest headers) waits like everyone else...
    const bytes = readFileSync(b1.path);
    const old = await fetch(server.url + UPLOAD_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/zip' },
      body: new Uint8Array(bytes),
    });
    expect(old.status).toBe(429);
    // ...but a box of this version, whose headers carry its signed manifest, is admitted apart.
    const genuine = await fetch(server.url + UPLOAD_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/zip', ...uploadHeaders(bytes) },
      body: new Uint8Array(bytes),
    });
    expect(genuine.status).toBe(200);
    expect(await genuine.json()).toMatchObject({ status: 'imported', applianceId: box.applianceId });

    // The strangers stall: after the idle timeout their slots and reservations are free again.
    const stalled = await Promise.all([a1.answer, a2.answer, b2.answer].map((p) => p.catch(() => undefined)));
    expect(stalled.map((s) => s?.status)).toEqual([408, 408, 408]);
    for (const r of [a1, a2, b2]) r.req.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(incoming()).toEqual([]);
    const later = await fetch(server.url + UPLOAD_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/zip', 'x-forwarded-for': '10.0.0.1' },
      body: new Uint8Array(bytes),
    });
    expect(later.status).toBe(200);
    expect(await later.json()).toMatchObject({ status: 'already_imported' });
  });

  it('a real box’s upload job gets through while strangers hold every unsigned slot', async () => {
    await setup({ uploads: { perAddress: 1, total: 1, idleTimeoutSeconds: 30 } });
    const boxCtx = testContext({ hq: { url: server.url } });
    try {
      hq.appliances.enrol(boxCtx.identity.request());
      boxCtx.records.writeNow(() => {
        boxCtx.records.appendJournal('person', 'p1', {
          id: 'p1',
          role: 'trainee',
          username: 'amina',
          displayName: 'Amina',
          externalId: 'OFF-7',
          agency: null,
          gender: null,
          language: null,
          active: true,
          updatedAt: '2026-01-01T00:00:00.000Z',
        });
        boxCtx.records.appendStatement(
          boxCtx.records.buildStatement({
            person: { id: 'p1', displayName: 'Amina' },
            verb: 'experienced',
            courseId: 'c1',
            activityId: 'a1',
            activityType: 'lesson',
          }),
        );
      });
      const { exporter, uploader } = bundleServices(boxCtx);
      await exporter.export();
      const stranger = rawUpload({ 'content-length': MiB }, { send: Buffer.alloc(16), hold: true });
      await spooling(1);
      const r = await uploader.uploadPending({ attempts: 1 });
      expect(r).toMatchObject({ acknowledged: [1], pending: [], refused: [] });
      stranger.req.destroy();
    } finally {
      boxCtx.cleanup();
    }
  });

  it('low disk: /healthz says degraded, uploads are answered 503 with Retry-After and nothing is spooled', async () => {
    await setup({ uploads: { minFreeDiskBytes: 100 * MiB } });
    let h = await fetch(`${server.url}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ status: 'ok', disk: { status: 'ok' } });
    free = 100 * MiB + 1000;
    h = await fetch(`${server.url}/healthz`);
    expect(h.status).toBe(200);
    free = 99 * MiB;
    h = await fetch(`${server.url}/healthz`);
    expect(h.status).toBe(503);
    expect(await h.json()).toMatchObject({
      status: 'degraded',
      databases: { hq: 'ok' },
      disk: { status: 'low', freeBytes: 99 * MiB },
    });
    const bytes = readFileSync(b1.path);
    const res = await fetch(server.url + UPLOAD_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/zip', ...uploadHeaders(bytes) },
      body: new Uint8Array(bytes),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('disk_low');
    expect(incoming()).toEqual([]);
  });
});
