import express, { type Express } from 'express';
import type { AppContext } from '../main.js';
import { healthRouter } from '../health/health.routes.js';
import { contentRouter } from '../content/content.routes.js';
import { authRouter } from '../people/auth.routes.js';
import { learningRouter } from '../learning/learning.routes.js';
import { progressApiRouter } from '../learning/progress-api.routes.js';
import { adminRouter } from '../admin/admin.routes.js';
import { scormRouter } from '../learning/scorm.routes.js';
import { csrfMiddleware, denyRole, sessionMiddleware } from './auth.middleware.js';
import { errorMiddleware, notFoundMiddleware } from './errors.middleware.js';
import { securityHeaders } from './security.js';
import { StaticAssets } from './static-assets.js';
import { loadBrand } from './brand.js';

/**
 * Compose the express app: security headers, static assets, then one router per feature, mounted here
 * and nowhere else, then the one error middleware.
 */
export function createApp(ctx: AppContext): Express {
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
  app.use(progressApiRouter(ctx));
  app.use(adminRouter(ctx));
  app.use(notFoundMiddleware);
  app.use(errorMiddleware(ctx.logger));
  return app;
}
