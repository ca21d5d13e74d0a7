import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../core/logger.js';
import { AppError, isAppError } from '../core/errors.js';

/** The one error middleware: AppError keeps its status and stable code; anything else is a logged 500. */
export function errorMiddleware(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = isAppError(err)
      ? err
      : (err as { type?: string }).type === 'entity.too.large'
        ? new AppError('too_large', 'request too large', 413)
        : new AppError('internal', 'something went wrong on the box', 500);
    if (e.status >= 500) logger.error({ err, url: req.originalUrl }, 'request failed');
    if (res.headersSent) return;
    const wantsJson = req.path.startsWith('/api/') || (req.headers.accept ?? '').includes('application/json');
    res.status(e.status);
    if (wantsJson)
      res.json({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } });
    else res.type('text/plain; charset=utf-8').send(`${e.status} ${e.message}`);
  };
}

export function notFoundMiddleware(req: Request, _res: Response, next: NextFunction): void {
  next(new AppError('not_found', `${req.path} not found`, 404));
}
