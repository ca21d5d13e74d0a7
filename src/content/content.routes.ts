import { once } from 'node:events';
import { Router, type Request, type Response } from 'express';
import type { ContentService } from './content.service.js';
import { MEDIA_TYPES } from './media-types.js';

const FILE = /^([0-9a-f]{64})\.([a-z0-9]{1,8})$/;
/** Bytes read from the store per write: a few chunks, so a whole video never sits in memory. */
const PIECE = 1024 * 1024;
/** More ranges than this in one request is abuse, not a video player. */
const MAX_RANGES = 20;
export const SANDBOX_CSP =
  "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; media-src 'self'";

type Enc = 'identity' | 'gzip' | 'br';

/** Parse `Range: bytes=...` against a size. undefined: ignore the header (serve 200); []: unsatisfiable. */
export function parseRange(header: string, size: number): { start: number; end: number }[] | undefined {
  const m = /^bytes=(.+)$/.exec(header.trim());
  if (!m) return undefined;
  const specs = m[1]!.split(',');
  if (specs.length > MAX_RANGES) return undefined;
  const out: { start: number; end: number }[] = [];
  for (const raw of specs) {
    const spec = raw.trim();
    const r = /^(\d*)-(\d*)$/.exec(spec);
    if (!r || (r[1] === '' && r[2] === '')) return undefined;
    let start: number;
    let end: number;
    if (r[1] === '') {
      const suffix = Number(r[2]);
      if (suffix === 0) continue;
      start = Math.max(0, size - suffix);
      end = size - 1;
    } else {
      start = Number(r[1]);
      end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
      if (r[2] !== '' && Number(r[2]) < start) return undefined;
    }
    if (start >= size) continue;
    out.push({ start, end });
  }
  return out;
}

function pickEncoding(header: string, blob: { gzipSize?: number; brotliSize?: number }): Enc {
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(name, qp ? Number(qp.slice(2)) || 0 : 1);
  }
  const ok = (e: string) => (q.get(e) ?? q.get('*') ?? 0) > 0;
  if (blob.brotliSize !== undefined && ok('br')) return 'br';
  if (blob.gzipSize !== undefined && ok('gzip')) return 'gzip';
  return 'identity';
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** Wait until the socket can take more, or the client is gone; leaves no listener behind. */
async function drainOrClose(res: Response): Promise<void> {
  const ac = new AbortController();
  try {
    await Promise.race([
      once(res, 'drain', { signal: ac.signal }),
      once(res, 'close', { signal: ac.signal }),
    ]);
  } finally {
    ac.abort();
  }
}

/** Write [start, end] of a blob in pieces, waiting for the socket to drain; stops if the client left. */
async function pump(
  res: Response,
  content: ContentService,
  sha: string,
  start: number,
  end: number,
  enc: Enc,
): Promise<void> {
  for (let off = start; off <= end && !res.destroyed; off += PIECE) {
    let buf: Buffer;
    try {
      buf = content.readBlob(sha, off, Math.min(end, off + PIECE - 1), enc);
    } catch (e) {
      // Headers are gone already: cut the connection so the client sees a failed, not a short, body.
      res.destroy(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (!res.write(buf) && !res.destroyed) await drainOrClose(res);
  }
}

/**
 * `GET /c/<sha256>.<ext>`: content-addressed course media from the store. Immutable (the URL is the
 * hash), so: ETag = the hash, a year of caching, 304 on If-None-Match; HTTP Range (one or several
 * ranges, 206/416) for seeking video; a stored gzip/brotli variant for text types by Accept-Encoding.
 * Types that can run script when opened directly (svg) get a sandboxing CSP.
 */
export function contentRouter(content: ContentService): Router {
  const router = Router();
  router.get('/c/:file', async (req: Request, res: Response) => {
    const m = FILE.exec(String(req.params['file']));
    const blob = m ? content.getBlob(m[1]!) : undefined;
    if (!m || !blob) {
      res.status(404).type('text/plain; charset=utf-8').send('404 not found');
      return;
    }
    const sha = blob.sha256;
    const etag = `"${sha}"`;
    const compressible = blob.gzipSize !== undefined || blob.brotliSize !== undefined;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', blob.type);
    if (compressible) res.setHeader('Vary', 'Accept-Encoding');
    if (MEDIA_TYPES[blob.ext]?.active) res.setHeader('Content-Security-Policy', SANDBOX_CSP);
    if (etagMatches(req.headers['if-none-match'], etag)) {
      res.status(304).end();
      return;
    }
    const head = req.method === 'HEAD';
    const rangeHeader = req.headers.range;
    const ifRange = req.get('if-range');
    const rangeApplies = rangeHeader !== undefined && (ifRange === undefined || ifRange.trim() === etag);
    const ranges = rangeApplies ? parseRange(rangeHeader, blob.size) : undefined;

    if (ranges && ranges.length === 0) {
      res.status(416).setHeader('Content-Range', `bytes */${blob.size}`);
      res.end();
      return;
    }
    if (ranges && ranges.length === 1) {
      const { start, end } = ranges[0]!;
      res.status(206);
      res.setHeader('Content-Range', `bytes ${start}-${end}/${blob.size}`);
      res.setHeader('Content-Length', String(end - start + 1));
      if (head) return void res.end();
      await pump(res, content, sha, start, end, 'identity');
      if (!res.destroyed) res.end();
      return;
    }
    if (ranges) {
      const boundary = `fieldclass-${sha.slice(0, 16)}`;
      const parts = ranges.map((r) => ({
        ...r,
        header: Buffer.from(
          `\r\n--${boundary}\r\nContent-Type: ${blob.type}\r\nContent-Range: bytes ${r.start}-${r.end}/${blob.size}\r\n\r\n`,
        ),
      }));
      const trailer = Buffer.from(`\r\n--${boundary}--\r\n`);
      const length = parts.reduce((n, p) => n + p.header.length + (p.end - p.start + 1), trailer.length);
      res.status(206);
      res.setHeader('Content-Type', `multipart/byteranges; boundary=${boundary}`);
      res.setHeader('Content-Length', String(length));
      if (head) return void res.end();
      for (const p of parts) {
        if (res.destroyed) return;
        res.write(p.header);
        await pump(res, content, sha, p.start, p.end, 'identity');
      }
      if (!res.destroyed) res.end(trailer);
      return;
    }
    const enc = pickEncoding(String(req.headers['accept-encoding'] ?? ''), blob);
    const size = enc === 'br' ? blob.brotliSize! : enc === 'gzip' ? blob.gzipSize! : blob.size;
    if (enc !== 'identity') res.setHeader('Content-Encoding', enc);
    res.setHeader('Content-Length', String(size));
    if (head) return void res.end();
    await pump(res, content, sha, 0, size - 1, enc);
    if (!res.destroyed) res.end();
  });
  return router;
}
