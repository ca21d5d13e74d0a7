import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { VERSION } from '../core/paths.js';
import { databaseProbe } from '../db/connection.js';
import { errorMiddleware, notFoundMiddleware } from '../web/errors.middleware.js';
import { securityHeaders } from '../web/security.js';
import { StaticAssets } from '../web/static-assets.js';
import { hqBundlesRouter } from '../hq/hq-bundles.routes.js';
import { hqAuthRouter, hqErrorPage, hqStaffRouter } from '../hq/hq.routes.js';
import { hqCsrfMiddleware, hqSessionMiddleware } from '../hq/hq.web.js';
import { hqErrors } from './errors.js';
import type { HqContext } from './hq.context.js';
import { listen, localUrl } from './listen.js';

/**
 * The HQ express app: security headers, static assets, health, the box upload endpoint (authenticated by
 * the bundle's signature, before any cookie handling), then staff pages behind session -> Origin + CSRF ->
 * sign-in, then the one error middleware.
 */
export function createHqApp(ctx: HqContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('etag', false);
  app.use(securityHeaders({ frameAncestors: ["'none'"] }));

  const assets = new StaticAssets();
  app.use(assets.middleware);
  const probe = databaseProbe(ctx.db);
  app.get('/healthz', (_req, res) => {
    const { ok, databases } = probe();
    // Low disk is "degraded" too: uploads are then answered 503 (uploads.minFreeDiskBytes).
    const free = ctx.diskFree();
    const diskLow = free !== null && free < ctx.config.uploads.minFreeDiskBytes;
    const healthy = ok && !diskLow;
    res.status(healthy ? 200 : 503).setHeader('Cache-Control', 'no-store');
    res.json({
      status: healthy ? 'ok' : 'degraded',
      version: VERSION,
      role: 'hq',
      databases,
      disk: {
        freeBytes: free,
        minFreeBytes: ctx.config.uploads.minFreeDiskBytes,
        status: diskLow ? 'low' : 'ok',
      },
    });
  });
  app.use(hqBundlesRouter(ctx));
  app.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 100 }));
  app.use(hqSessionMiddleware(ctx.config, ctx.users));
  app.use(hqCsrfMiddleware(ctx.config));
  app.use(hqAuthRouter(ctx, assets));
  app.use(hqStaffRouter(ctx, assets, hqErrors));
  app.use(notFoundMiddleware);
  app.use(errorMiddleware(ctx.logger, hqErrors, hqErrorPage(ctx.config, assets)));
  return app;
}

export interface RunningHqServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Listen on the configured port (0 picks a free one, for tests). */
export async function startHqServer(ctx: HqContext): Promise<RunningHqServer> {
  const l = await listen(createHqApp(ctx), ctx.config.port, ctx.config.host);
  return { server: l.server, url: localUrl(ctx.config.host, l.port), close: l.close };
}
