import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import { writeFileAtomic } from '../core/atomic-file.js';
import { WEB_ASSETS_DIR } from '../core/paths.js';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};

/**
 * A file served from memory under a fingerprinted URL (`<prefix><name>.<hash><ext>`) with year-long
 * immutable caching. Compressed variants are made on first demand and kept: compressing at start would
 * cost start-up time on a Pi (the SCORM runtime alone is hundreds of KB).
 */
export class MemoryAsset {
  readonly url: string;
  readonly etag: string;
  readonly type: string;
  private gz: Buffer | undefined;
  private brotli: Buffer | undefined;

  constructor(
    readonly body: Buffer,
    fileName: string,
    urlPrefix: string,
  ) {
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const ext = extname(fileName);
    this.url = `${urlPrefix}${fileName.slice(0, fileName.length - ext.length)}.${hash}${ext}`;
    this.etag = `"${hash}"`;
    this.type = TYPES[ext] ?? 'application/octet-stream';
  }

  static fromFile(
    file: string,
    urlPrefix: string,
    fileName = file.slice(file.lastIndexOf('/') + 1),
  ): MemoryAsset {
    return new MemoryAsset(readFileSync(file), fileName, urlPrefix);
  }

  private get compressible(): boolean {
    return this.type.startsWith('text/') || this.type === 'image/svg+xml';
  }

  send(req: Request, res: Response): void {
    res.setHeader('Content-Type', this.type);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('ETag', this.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.headers['if-none-match'] === this.etag) {
      res.status(304).end();
      return;
    }
    const accept = this.compressible ? String(req.headers['accept-encoding'] ?? '') : '';
    if (/\bbr\b/.test(accept)) {
      this.brotli ??= brotliCompressSync(this.body, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: this.body.length > 65536 ? 9 : 11 },
      });
      res.setHeader('Content-Encoding', 'br');
      res.end(this.brotli);
    } else if (/\bgzip\b/.test(accept)) {
      this.gz ??= gzipSync(this.body, { level: 9 });
      res.setHeader('Content-Encoding', 'gzip');
      res.end(this.gz);
    } else res.end(this.body);
  }
}

/** The app's own CSS/JS/icons from src/web/assets, read once at start and served from memory. */
export class StaticAssets {
  private readonly byName = new Map<string, MemoryAsset>();
  private readonly byUrl = new Map<string, MemoryAsset>();

  constructor(dir = WEB_ASSETS_DIR) {
    for (const name of readdirSync(dir)) {
      const asset = MemoryAsset.fromFile(join(dir, name), '/static/', name);
      this.byName.set(name, asset);
      this.byUrl.set(asset.url, asset);
    }
  }

  /** Serve one more file (the organisation's logo from the config) beside the app's own assets. */
  add(name: string, body: Buffer): MemoryAsset {
    const asset = new MemoryAsset(body, name, '/static/');
    this.byName.set(name, asset);
    this.byUrl.set(asset.url, asset);
    return asset;
  }

  /** The fingerprinted URL of an asset, for templates. */
  url(name: string): string {
    const a = this.byName.get(name);
    if (!a) throw new Error(`no static asset ${name}`);
    return a.url;
  }

  /**
   * Copy the assets under their fingerprinted names into `<dir>/static/` (the content cache a sendfile
   * server serves, see `fieldclass content cache`); names of older versions are removed.
   */
  materialize(dir: string): { written: number; deleted: number } {
    const out = join(dir, 'static');
    mkdirSync(out, { recursive: true });
    const wanted = new Map([...this.byUrl].map(([url, a]) => [url.slice('/static/'.length), a]));
    let written = 0;
    let deleted = 0;
    for (const name of readdirSync(out))
      if (!wanted.has(name)) {
        rmSync(join(out, name), { force: true });
        deleted++;
      }
    for (const [name, a] of wanted)
      if (!existsSync(join(out, name))) {
        writeFileAtomic(join(out, name), a.body);
        written++;
      }
    return { written, deleted };
  }

  middleware = (req: Request, res: Response, next: NextFunction): void => {
    const asset = this.byUrl.get(req.path);
    if (!asset) return next();
    asset.send(req, res);
  };
}
