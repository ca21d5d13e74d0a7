import express, { type Express } from 'express';
import { contentRouter } from '../content/content.routes.js';
import type { ContentService } from '../content/content.service.js';
import type { ScormScripts } from '../learning/scorm.scripts.js';
import { listen, type Listening } from './listen.js';

/**
 * The PACKAGE ORIGIN: a second HTTP listener that serves only the files of installed SCORM packages
 * (`/p/<course>/<version>/<path>`), the API wrapper page (`/w/`) and its two scripts (`/rt/`). SCORM
 * content is untrusted HTML/JS; being on another origin (another port, and ideally another host name:
 * see docs/ARCHITECTURE.md, "SCORM isolation") it cannot read the app's pages or DOM, and this server
 * has no route of the app, reads no cookie and sets none. Its CSP keeps package scripts talking to this
 * origin only (connect-src / form-action 'self'), and the player frames it in a sandbox without
 * top-navigation.
 */
export const PACKAGE_CSP = [
  "default-src 'self' data: blob:",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

function wrapperHtml(scripts: ScormScripts): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SCORM</title>
<style>html,body{margin:0;height:100%;overflow:hidden}iframe{border:0;width:100%;height:100%;display:block}</style>
</head><body><iframe id="sco" title="SCORM content" allow="fullscreen; autoplay"></iframe>
<script src="${scripts.byName.api.url}"></script>
<script src="${scripts.byName.wrapper.url}"></script>
</body></html>`;
}

/** Build the package-origin app (no listen). */
export function createPackageApp(content: ContentService, scripts: ScormScripts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const blobs = contentRouter(content);
  const wrapper = Buffer.from(wrapperHtml(scripts));
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    next();
  });
  app.get('/rt/:file', (req, res) => {
    const s = scripts.all.get(req.path);
    if (!s) return void res.status(404).type('text/plain').send('404 not found');
    s.send(req, res);
  });
  app.get('/w/', (_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; frame-src 'self'`,
    );
    res.end(wrapper);
  });
  app.get('/p/:courseId/:version/*path', (req, res, next) => {
    const courseId = String(req.params['courseId']);
    const raw = req.params['path'] as unknown;
    const path = (Array.isArray(raw) ? raw.map(String) : [String(raw)]).join('/');
    const course = content.listInstalled().find((c) => c.id === courseId);
    const file =
      course && course.active && course.version === req.params['version'] && course.kind !== 'native'
        ? content.fileByPath(courseId, path)
        : undefined;
    const blob = file ? content.getBlob(file.sha256) : undefined;
    if (!file || !blob) return void res.status(404).type('text/plain').send('404 not found');
    // Serve through the content store's blob route (Range, ETag, gzip/brotli, immutable caching: the URL
    // holds the version, and a version's content never changes), with this origin's CSP instead of the
    // blob route's sandbox.
    res.setHeader('Content-Security-Policy', PACKAGE_CSP);
    const setHeader = res.setHeader.bind(res);
    res.setHeader = ((name: string, value: string | number | readonly string[]) =>
      name.toLowerCase() === 'content-security-policy'
        ? res
        : setHeader(name, value)) as typeof res.setHeader;
    req.url = `/c/${blob.sha256}.${blob.ext}`;
    blobs(req, res, next);
  });
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('404 not found');
  });
  return app;
}

export type PackageServer = Listening;

/** Listen for the package origin (port 0 = any free port, for tests). */
export function startPackageServer(
  content: ContentService,
  scripts: ScormScripts,
  port: number,
  host: string,
): Promise<PackageServer> {
  return listen(createPackageApp(content, scripts), port, host);
}
