import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { Request, Response } from 'express';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Render a page component to HTML (preact escapes every text and attribute by default). */
export function renderPage(vnode: VNode): string {
  return '<!doctype html>' + renderToString(vnode);
}

// Pages are small and made per request: a low brotli quality compresses them nearly as well as the
// default (11) for a fraction of the CPU, which matters on a Pi serving a whole class.
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_MODE]: 1 } };
const MIN_COMPRESS = 1024;

/** Send a page, compressed by Accept-Encoding (brotli, else gzip); never cached (it is per user). */
export function sendPage(res: Response, vnode: VNode, status = 200): void {
  const html = Buffer.from(renderPage(vnode));
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Vary', 'Accept-Encoding');
  const req: Request | undefined = res.req;
  const accept = String(req?.headers['accept-encoding'] ?? '');
  if (html.length >= MIN_COMPRESS && /\bbr\b/.test(accept)) {
    res.setHeader('Content-Encoding', 'br');
    res.end(brotliCompressSync(html, BROTLI));
  } else if (html.length >= MIN_COMPRESS && /\bgzip\b/.test(accept)) {
    res.setHeader('Content-Encoding', 'gzip');
    res.end(gzipSync(html, { level: 1 }));
  } else res.end(html);
}
