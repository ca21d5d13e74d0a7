import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { adminRouter } from '../admin/admin.routes.js';
import { cleanUploadTemp } from '../admin/courses/course-install.service.js';
import { contentRouter } from '../content/content.routes.js';
import { healthRouter } from '../health/health.routes.js';
import type { Scheduler } from '../jobs/scheduler.js';
import { learningRouter } from '../learning/learning.routes.js';
import { operationsRouter } from '../learning/operations.routes.js';
import { scormRouter } from '../learning/scorm.routes.js';
import { ScormScripts } from '../learning/scorm.scripts.js';
import { authRouter } from '../people/auth.routes.js';
import { csrfMiddleware, denyRole, sessionMiddleware } from '../people/auth.middleware.js';
import { errorMiddleware, notFoundMiddleware } from '../web/errors.middleware.js';
import { securityHeaders } from '../web/security.js';
import { StaticAssets } from '../web/static-assets.js';
import { loadBrand } from '../web/brand.js';
import type { AppContext } from './context.js';
import { boxErrors } from './errors.js';
import { createScheduler } from './jobs.js';
import { listen, listenError, localUrl } from './listen.js';
import { startPackageServer } from './scorm-package.app.js';

/**
 * Compose the box's express app: security headers, static assets, then one router per feature, mounted here
 * and nowhere else, then the one error middleware. Each router is given the services it uses.
 */
export function createApp(ctx: AppContext, scheduler: Scheduler): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('etag', false);
  app.use(securityHeaders({ frameAncestors: ["'self'"] }));

  const assets = new StaticAssets();
  app.locals['assets'] = assets;
  app.locals['brand'] = loadBrand(ctx.config, assets);
  app.use(healthRouter(ctx));
  app.use(assets.middleware);
  // Feature routers are mounted below, in this one place.
  app.use(contentRouter(ctx.content));
  // Pages and forms: session -> language -> Origin + CSRF on every POST -> feature routers.
  app.locals['languages'] = ctx.config.languages;
  app.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 500 }));
  app.use(sessionMiddleware(ctx.config, ctx.sessions));
  app.use(csrfMiddleware(ctx.config));
  app.use('/admin', denyRole('trainee'));
  app.use(authRouter(ctx));
  app.use(scormRouter(ctx));
  app.use(learningRouter(ctx));
  app.use(operationsRouter(ctx));
  app.use(adminRouter({ ...ctx, scheduler, errors: boxErrors }));
  app.use(notFoundMiddleware);
  app.use(errorMiddleware(ctx.logger, boxErrors));
  return app;
}

export interface RunningServer {
  server: Server;
  url: string;
  /** The scheduler the admin pages were given (started by the serve command, not by tests). */
  scheduler: Scheduler;
  close(): Promise<void>;
}

/**
 * Listen on the configured port (0 picks a free one, for tests), with the SCORM package origin beside it.
 * The scheduler is passed in (the serve command starts it); without one, one is made and left stopped.
 */
export async function startServer(
  ctx: AppContext,
  opts: { scheduler?: Scheduler } = {},
): Promise<RunningServer> {
  // Uploads cut short by a crash or a power cut (the box is switched off at the wall) are left in
  // <data>/tmp: the serving box is the only writer there, so it empties it before it listens.
  const removed = cleanUploadTemp(ctx.config.dataDir);
  if (removed) ctx.logger.info({ removed }, 'removed unfinished uploads from <data>/tmp');
  const scheduler = opts.scheduler ?? createScheduler(ctx);
  const app = createApp(ctx, scheduler);
  // SCORM package content is untrusted: it is served from its own origin (another port).
  // A box on any free port (tests) puts its package origin on any free port too, unless its public
  // origin is configured (then that port is the one browsers are sent to).
  const packagePort = ctx.config.port === 0 && !ctx.config.scorm.publicOrigin ? 0 : ctx.config.scorm.port;
  const packages = await startPackageServer(
    ctx.content,
    ScormScripts.shared(),
    ctx.scorm,
    ctx.config.defaultLanguage,
    packagePort,
    ctx.config.host,
  ).catch((e: unknown) => {
    throw listenError(e, packagePort, '--scorm-port or FIELDCLASS_SCORM_PORT');
  });
  app.locals['scormPackagePort'] = packages.port;
  const main = await listen(app, ctx.config.port, ctx.config.host).catch(async (e: unknown) => {
    await packages.close();
    throw listenError(e, ctx.config.port, '--port or FIELDCLASS_PORT');
  });
  main.server.keepAliveTimeout = 65_000;
  return {
    server: main.server,
    url: localUrl(ctx.config.host, main.port),
    scheduler,
    close: async () => {
      await packages.close();
      await main.close();
    },
  };
}
