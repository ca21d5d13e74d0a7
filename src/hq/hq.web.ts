import type { Request, RequestHandler, Response } from 'express';
import { webError } from '../web/web.errors.js';
import { newToken } from '../core/ids.js';
import { safeEqual } from '../people/auth.service.js';
import { negotiateLanguage } from '../web/i18n.js';
import {
  UNSAFE_METHODS,
  allowedOrigins,
  cookiesOf,
  foreignOrigin,
  sentCsrfToken,
  setCookie,
} from '../web/security.js';
import type { StaticAssets } from '../web/static-assets.js';
import '../web/locals.js';
import type { HqConfig } from './hq.config.js';
import type { HqPage } from './hq.pages.js';
import type { HqSession, HqUsersService } from './hq-users.service.js';

/** Cookie names of the HQ web (distinct from a box's, should both run on one host). */
export const HQ_SESSION_COOKIE = 'hq_session';
export const HQ_CSRF_COOKIE = 'hq_csrf';
export const HQ_LANG_COOKIE = 'hq_lang';

/**
 * HQ's request state, in the shape the box's session middleware gives it: `res.locals.lang` and
 * `csrfToken` (web/locals.ts), and the signed-in staff member as `res.locals.staff` (a box's person is
 * `res.locals.user`; the two never meet in one app).
 */
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** The signed-in HQ staff member (hqSessionMiddleware), or undefined when signed out. */
      staff?: HqSession;
    }
  }
}

/** HttpOnly, SameSite=Lax, Path=/ (Secure when HQ is reached over HTTPS). */
export function setHqCookie(req: Request, res: Response, name: string, value: string, maxAge?: number): void {
  setCookie(res, name, value, { secure: req.secure, ...(maxAge !== undefined ? { maxAge } : {}) });
}

/** Session (from hq.db), language and CSRF token of every request. Reads only. */
export function hqSessionMiddleware(config: HqConfig, users: HqUsersService): RequestHandler {
  return (req, res, next) => {
    const cookies = cookiesOf(req);
    const session = users.session(cookies[HQ_SESSION_COOKIE]);
    let csrf = session?.csrfToken ?? cookies[HQ_CSRF_COOKIE];
    if (!session && (!csrf || !/^[\w-]{20,100}$/.test(csrf))) {
      csrf = newToken();
      if (req.method === 'GET' || req.method === 'HEAD') setHqCookie(req, res, HQ_CSRF_COOKIE, csrf);
    }
    if (session) res.locals.staff = session;
    res.locals.csrfToken = csrf!;
    res.locals.lang = negotiateLanguage(
      req.headers['accept-language'],
      config.languages,
      config.defaultLanguage,
      cookies[HQ_LANG_COOKIE] ?? null,
    );
    next();
  };
}

/**
 * Every state-changing staff request: Origin (or Referer) must be HQ itself or an allowed origin, and the
 * CSRF token of the session (or of the double-submit cookie when signed out) must come as the `_csrf`
 * field, query parameter or X-CSRF-Token header. The box upload endpoint is not behind this (no cookie:
 * a bundle authenticates itself by its signature).
 */
export function hqCsrfMiddleware(config: HqConfig): RequestHandler {
  const allowed = allowedOrigins(config.allowedOrigins);
  return (req, res, next) => {
    if (!UNSAFE_METHODS.has(req.method)) return next();
    const origin = foreignOrigin(req, allowed);
    if (origin !== null) return next(webError('bad_origin', { origin }));
    const sent = sentCsrfToken(req);
    const expected = res.locals.csrfToken;
    if (!sent || !safeEqual(sent, expected)) return next(webError('bad_csrf'));
    next();
  };
}

/** Staff only: a GET goes to the sign-in page, anything else is 401. */
export const requireStaff: RequestHandler = (req, res, next) => {
  if (res.locals.staff) return next();
  if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(303, '/signin');
  next(webError('unauthenticated'));
};

export function pageOf(req: Request, res: Response, config: HqConfig, assets: StaticAssets): HqPage {
  const staff = res.locals.staff;
  return {
    lang: res.locals.lang,
    languages: config.languages,
    csrf: res.locals.csrfToken,
    cssUrl: assets.url('app.css'),
    path: req.path,
    timeZone: config.timeZone,
    ...(staff ? { username: staff.user.username } : {}),
  };
}
