import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../core/logger.js';
import { AppError, isAppError, isStorageFull, storageFull } from '../core/errors.js';
import { ErrorPage } from './error-page.js';
import { pageContext } from './page.js';
import { sendPage } from './render.js';

/**
 * The one error middleware: AppError keeps its status and stable code; anything else is a logged 500.
 * JSON for the API and clients that ask for it; plain text for non-browser clients; for browsers (Accept
 * text/html) a page in the visitor's language.
 */
export function errorMiddleware(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = isAppError(err)
      ? err
      : isStorageFull(err)
        ? storageFull()
        : (err as { type?: string }).type === 'entity.too.large'
          ? new AppError('too_large', 'request too large', 413)
          : new AppError('internal', 'something went wrong on the box', 500);
    if (e.code === 'storage_full')
      logger.error({ url: req.originalUrl }, 'storage full: a write was refused');
    else if (e.status >= 500) logger.error({ err, url: req.originalUrl }, 'request failed');
    if (res.headersSent) return;
    const accept = req.headers.accept ?? '';
    const wantsJson = req.path.startsWith('/api/') || accept.includes('application/json');
    res.status(e.status);
    if (wantsJson)
      res.json({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } });
    else if (accept.includes('text/html') && res.locals.lang) {
      sendPage(
        res,
        <ErrorPage
          page={pageContext(req, res)}
          code={e.code}
          status={e.status}
          detail={e.status === 400 || e.status === 409 ? e.message : undefined}
        />,
        e.status,
      );
    } else res.type('text/plain; charset=utf-8').send(`${e.status} ${e.message}`);
  };
}

export function notFoundMiddleware(req: Request, _res: Response, next: NextFunction): void {
  next(new AppError('not_found', `${req.path} not found`, 404));
}
