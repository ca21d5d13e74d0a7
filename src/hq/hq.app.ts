import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { VERSION } from '../core/paths.js';
import { databaseProbe } from '../db/connection.js';
import { errorMiddleware, notFoundMiddleware } from '../web/errors.middleware.js';
import { securityHeaders } from '../web/security.js';
import { StaticAssets } from '../web/static-assets.js';
import { hqBundlesRouter } from './hq-bundles.routes.js';
import type { HqContext } from './hq.context.js';
import { hqAuthRouter, hqStaffRouter } from './hq.routes.js';
import { hqCsrfMiddleware, hqSessionMiddleware } from './hq.web.js';

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
  app.use(hqStaffRouter(ctx, assets));
  app.use(notFoundMiddleware);
  app.use(errorMiddleware(ctx.logger));
  return app;
}

export interface RunningHqServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Listen on the configured port (0 picks a free one, for tests). */
export async function startHqServer(ctx: HqContext): Promise<RunningHqServer> {
  const app = createHqApp(ctx);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(ctx.config.port, ctx.config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : ctx.config.port;
  const host = ctx.config.host === '0.0.0.0' ? '127.0.0.1' : ctx.config.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
