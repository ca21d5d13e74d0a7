import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Request, Response, NextFunction } from 'express';
import { WEB_ASSETS_DIR } from '../core/paths.js';

interface Asset {
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
  type: string;
  etag: string;
  url: string;
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
};

/**
 * The app's own CSS/JS/icons, read once at start, compressed once, and served from memory under
 * fingerprinted URLs (`/static/app.<hash>.css`) with year-long immutable caching.
 */
export class StaticAssets {
  private readonly byName = new Map<string, Asset>();
  private readonly byUrl = new Map<string, Asset>();

  constructor(dir = WEB_ASSETS_DIR) {
    for (const name of readdirSync(dir)) {
      const body = readFileSync(join(dir, name));
      const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
      const ext = extname(name);
      const url = `/static/${name.slice(0, -ext.length)}.${hash}${ext}`;
      const asset: Asset = {
        body,
        gzip: gzipSync(body, { level: 9 }),
        br: brotliCompressSync(body),
        type: TYPES[ext] ?? 'application/octet-stream',
        etag: `"${hash}"`,
        url,
      };
      this.byName.set(name, asset);
      this.byUrl.set(url, asset);
    }
  }

  /** The fingerprinted URL of an asset, for templates. */
  url(name: string): string {
    const a = this.byName.get(name);
    if (!a) throw new Error(`no static asset ${name}`);
    return a.url;
  }

  middleware = (req: Request, res: Response, next: NextFunction): void => {
    const asset = this.byUrl.get(req.path);
    if (!asset) return next();
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('ETag', asset.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    if (req.headers['if-none-match'] === asset.etag) {
      res.status(304).end();
      return;
    }
    const accept = String(req.headers['accept-encoding'] ?? '');
    if (/\bbr\b/.test(accept)) {
      res.setHeader('Content-Encoding', 'br');
      res.end(asset.br);
    } else if (/\bgzip\b/.test(accept)) {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(asset.gzip);
    } else res.end(asset.body);
  };
}
