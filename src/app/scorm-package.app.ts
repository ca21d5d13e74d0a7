import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { contentRouter } from '../content/content.routes.js';
import type { ContentService } from '../content/content.service.js';
import type { Language } from '../core/config.js';
import { isAppError } from '../core/errors.js';
import type { ScormScripts } from '../learning/scorm.scripts.js';
import {
  commitRequestSchema,
  launchRequestSchema,
  type CommitInput,
  type ScormService,
} from '../learning/scorm.service.js';
import { validate } from '../web/validate.js';
import { listen, type Listening } from './listen.js';

/**
 * The PACKAGE ORIGIN: a second HTTP listener that serves only the files of installed SCORM packages
 * (`/p/<course>/<version>/<path>`), the runtime page (`/w/<version>`) and its scripts (`/rt/`), and the
 * runtime's two calls, authenticated by the launch token alone (`POST /rt/launch`, `POST /rt/commit`). SCORM
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

function wrapperHtml(scripts: ScormScripts, version: 'scorm12' | 'scorm2004'): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SCORM</title>
<style>html,body{margin:0;height:100%;overflow:hidden}iframe{border:0;width:100%;height:100%;display:block}</style>
</head><body><iframe id="sco" title="SCORM content" allow="fullscreen; autoplay"></iframe>
<script src="${scripts.byName[version].url}"></script>
<script src="${scripts.byName.wrapper.url}"></script>
</body></html>`;
}

/** Build the package-origin app (no listen). */
export function createPackageApp(
  content: ContentService,
  scripts: ScormScripts,
  scorm: ScormService,
  lang: Language,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const blobs = contentRouter(content);
  const wrappers = {
    scorm12: Buffer.from(wrapperHtml(scripts, 'scorm12')),
    scorm2004: Buffer.from(wrapperHtml(scripts, 'scorm2004')),
  };
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
  app.get('/w/:version', (req, res) => {
    const v = req.params['version'];
    if (v !== 'scorm12' && v !== 'scorm2004')
      return void res.status(404).type('text/plain').send('404 not found');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; frame-src 'self'; connect-src 'self'`,
    );
    res.end(wrappers[v]);
  });
  // The runtime's calls: JSON, or a beacon's text/plain body; the launch token inside is the only
  // credential (no cookie is read, none is set; a page elsewhere cannot know a token).
  const body = express.json({ limit: '2mb', type: () => true });
  const noStore = (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  const launchStep = validate(launchRequestSchema);
  const commitStep = validate(commitRequestSchema);
  app.post('/rt/launch', noStore, body, launchStep, async (_req, res) => {
    res.json(await scorm.startLaunch(launchStep.input(res).token, lang));
  });
  app.post('/rt/commit', noStore, body, commitStep, async (_req, res) => {
    const { elapsed, set, ...rest } = commitStep.input(res);
    const input: CommitInput = {
      ...rest,
      ...(set !== undefined ? { set } : {}),
      ...(elapsed !== undefined ? { elapsed } : {}),
    };
    const r = await scorm.commitLaunch(input, lang);
    res.json({ result: true, errorCode: 0, ...r });
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
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = isAppError(err)
      ? err.status
      : typeof (err as { status?: unknown }).status === 'number'
        ? (err as { status: number }).status
        : 500;
    const code = isAppError(err) ? err.code : status === 500 ? 'internal' : 'invalid_request';
    res.status(status).json({ error: { code, message: isAppError(err) ? err.message : code } });
  });
  return app;
}

export type PackageServer = Listening;

/** Listen for the package origin (port 0 = any free port, for tests). */
export function startPackageServer(
  content: ContentService,
  scripts: ScormScripts,
  scorm: ScormService,
  lang: Language,
  port: number,
  host: string,
): Promise<PackageServer> {
  return listen(createPackageApp(content, scripts, scorm, lang), port, host);
}
