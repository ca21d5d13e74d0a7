import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../core/logger.js';
import {
  AppError,
  coreError,
  isAppError,
  isStorageFull,
  storageFull,
  type ErrorSpec,
} from '../core/errors.js';
import { ErrorPage } from './error-page.js';
import { errorText } from './error-text.js';
import { pageContext } from './page.js';
import { sendPage } from './render.js';
import { webError } from './web.errors.js';

/**
 * A request body express could not read (body-parser: too large, malformed JSON, too many fields, an
 * unsupported charset) is the client's fault: 413 or 400 (415 for a charset), never 500.
 */
function bodyError(err: unknown): AppError | undefined {
  const b = err as { type?: unknown; status?: unknown };
  if (typeof b?.type !== 'string' || typeof b.status !== 'number' || b.status < 400 || b.status >= 500)
    return undefined;
  if (b.type === 'entity.too.large') return webError('too_large');
  const e = webError('bad_request');
  return b.status === 415 ? new AppError(e.code, e.message, 415) : e;
}

/** An error as a page shows it: its code, status, and its text in the reader's language (if any). */
export interface ShownError {
  code: string;
  status: number;
  text: string | undefined;
}

/** Renders the error page of an app (the box's by default; HQ has its own frame). */
export type ErrorPageRenderer = (req: Request, res: Response, error: ShownError) => void;

const boxErrorPage: ErrorPageRenderer = (req, res, e) =>
  sendPage(
    res,
    <ErrorPage page={pageContext(req, res)} code={e.code} status={e.status} text={e.text} />,
    e.status,
  );

/**
 * The one error middleware: an AppError keeps its stable code, and its status; anything else is a logged
 * 500. JSON for the API and clients that ask for it (the English message, and `text` in the reader's
 * language when a catalog has the code); plain text for non-browser clients; for browsers (Accept
 * text/html) a page in the reader's language (`errorPage`): the code's text from the catalogs given
 * (`errorCatalog` of every feature's kit), filled with the error's params.
 */
export function errorMiddleware(
  logger: Logger,
  catalog: ReadonlyMap<string, ErrorSpec>,
  errorPage: ErrorPageRenderer = boxErrorPage,
) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = isAppError(err)
      ? err
      : isStorageFull(err)
        ? storageFull()
        : (bodyError(err) ?? coreError('internal'));
    if (e.code === 'storage_full')
      logger.error({ url: req.originalUrl }, 'storage full: a write was refused');
    else if (e.status >= 500) logger.error({ err, url: req.originalUrl }, 'request failed');
    if (res.headersSent) return;
    const accept = req.headers.accept ?? '';
    const wantsJson = req.path.startsWith('/api/') || accept.includes('application/json');
    res.status(e.status);
    // What the reader is told, in their language, when a catalog has the code (a page script shows it).
    const text =
      res.locals.lang && (e.status < 500 || e.code === 'storage_full')
        ? errorText(e, res.locals.lang, catalog, () => undefined)
        : undefined;
    if (wantsJson)
      res.json({
        error: {
          code: e.code,
          message: e.message,
          ...(text !== undefined ? { text } : {}),
          ...(e.details ? { details: e.details } : {}),
        },
      });
    else if (accept.includes('text/html') && res.locals.lang)
      errorPage(req, res, { code: e.code, status: e.status, text });
    else res.type('text/plain; charset=utf-8').send(`${e.status} ${e.message}`);
  };
}

export function notFoundMiddleware(req: Request, _res: Response, next: NextFunction): void {
  next(coreError('not_found', { what: req.path }));
}
