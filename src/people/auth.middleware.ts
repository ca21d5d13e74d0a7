import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Config } from '../core/config.js';
import {
  DEVICE_COOKIE,
  SESSION_COOKIE,
  randomToken,
  safeEqual,
  type SessionService,
} from './auth.service.js';
import type { Person, Role, SessionUser } from './people.types.js';
import { negotiateLanguage } from '../web/i18n.js';
import { webError } from '../web/web.errors.js';
import '../web/locals.js';
import {
  UNSAFE_METHODS,
  allowedOrigins,
  cookiesOf,
  foreignOrigin,
  sentCsrfToken,
  setCookie as setCookieWith,
} from '../web/security.js';

export { cookiesOf };

/** Double-submit CSRF cookie for forms shown to signed-out visitors (sign-in, sign-up, language). */
export const CSRF_COOKIE = 'fc_csrf';
/** The language a signed-out visitor picked. */
export const LANG_COOKIE = 'fc_lang';

/** POST targets of forms shown to signed-out visitors. */
const SIGNED_OUT_FORMS = new Set(['/signin', '/signup', '/language', '/admin/signin']);

/** Set-Cookie with the box's defaults: HttpOnly, SameSite=Lax, Path=/, no Secure (plain HTTP LAN). */
export function setCookie(res: Response, name: string, value: string, maxAgeSeconds?: number): void {
  setCookieWith(res, name, value, maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {});
}

/**
 * Start a session for a person who has just proved who they are, and give the browser its cookie; the
 * browser's device cookie now names this person too, so the sign-in throttle never refuses them here.
 */
export async function startSession(res: Response, sessions: SessionService, person: Person): Promise<void> {
  const { token, maxAgeSeconds } = await sessions.create(person);
  setCookie(res, SESSION_COOKIE, token, maxAgeSeconds);
  const device = sessions.devices.add(cookiesOf(res.req)[DEVICE_COOKIE], person.username);
  setCookie(res, DEVICE_COOKIE, device, DEVICE_COOKIE_DAYS * 24 * 3600);
}

const DEVICE_COOKIE_DAYS = 400;

/** Whether this browser holds a device cookie for this username (a sign-in here succeeded before). */
export function trustedDevice(req: Request, sessions: SessionService, username: string): boolean {
  return sessions.devices.trusts(cookiesOf(req)[DEVICE_COOKIE], username);
}

export function clearCookie(res: Response, name: string): void {
  setCookie(res, name, '', 0);
}

/**
 * Session, language and CSRF token for every request: sets `res.locals.user`, `lang` and `csrfToken`.
 * One indexed read per request (the session joined with its person); nothing is written.
 */
export function sessionMiddleware(config: Config, sessions: SessionService): RequestHandler {
  return (req, res, next) => {
    const cookies = cookiesOf(req);
    const token = cookies[SESSION_COOKIE];
    const user = token ? sessions.lookup(token) : undefined;
    if (user) res.locals.user = user;
    res.locals.lang = negotiateLanguage(
      req.headers['accept-language'],
      config.languages,
      config.defaultLanguage,
      user?.person.language ?? cookies[LANG_COOKIE] ?? null,
    );
    if (user) res.locals.csrfToken = user.csrfToken;
    else {
      let csrf = cookies[CSRF_COOKIE];
      if (!csrf || !/^[\w-]{20,100}$/.test(csrf)) {
        csrf = randomToken();
        // Only worth a Set-Cookie on pages that may hold a form; harmless elsewhere.
        if (req.method === 'GET' || req.method === 'HEAD') setCookie(res, CSRF_COOKIE, csrf);
      }
      res.locals.csrfToken = csrf;
    }
    next();
  };
}

/**
 * Every state-changing request must come from this site: its Origin (or, when a browser sent none, its
 * Referer) must be the request's own host or one of `config.allowedOrigins`; and it must carry the CSRF
 * token of its session (signed in) or of the double-submit cookie (signed out), as the `_csrf` form field
 * or an `X-CSRF-Token` header. A request with neither Origin nor Referer (a script, curl) is judged by
 * its token alone. Refusals are AppError 403 with codes `bad_origin` and `bad_csrf`.
 */
export function csrfMiddleware(config: Config): RequestHandler {
  const allowed = allowedOrigins(config.allowedOrigins);
  return (req, res, next) => {
    if (!UNSAFE_METHODS.has(req.method)) return next();
    const origin = foreignOrigin(req, allowed);
    if (origin !== null) return next(webError('bad_origin', { origin }));
    const sent = sentCsrfToken(req);
    const user = res.locals.user;
    const cookieToken = cookiesOf(req)[CSRF_COOKIE];
    // Forms shown signed out also pass with their cookie token when a session exists by now (a sign-in
    // form tapped twice on slow Wi-Fi must not end on "form expired").
    const ok =
      !!sent &&
      ((user !== undefined && safeEqual(sent, user.csrfToken)) ||
        ((!user || SIGNED_OUT_FORMS.has(req.path)) && !!cookieToken && safeEqual(sent, cookieToken)));
    if (!ok) {
      return next(webError('bad_csrf'));
    }
    next();
  };
}

/**
 * Only a signed-in person of this role gets through. Signed out: a GET is redirected to the sign-in page
 * (`signInPath`), anything else is 401. Signed in with another role: 403 (a trainee never reaches /admin).
 */
export function requireRole(role: Role, opts: { signInPath?: string } = {}): RequestHandler {
  const signInPath = opts.signInPath ?? (role === 'coordinator' ? '/admin/signin' : '/');
  return (req: Request, res: Response, next: NextFunction) => {
    const user = res.locals.user;
    if (!user) {
      if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(303, signInPath);
      return next(webError('unauthenticated'));
    }
    if (user.role !== role) return next(webError('wrong_role', { role }));
    next();
  };
}

/**
 * Keep a role out of a whole area: mounted on /admin so that a trainee session never reaches it, whatever
 * the admin routes do (signed-out visitors go on to the admin sign-in).
 */
export function denyRole(role: Role): RequestHandler {
  return (_req, res, next) => {
    if (res.locals.user?.role === role) return next(webError('wrong_role', { role }));
    next();
  };
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** The signed-in user (people's session middleware), or undefined when signed out. */
      user?: SessionUser & { role: Role };
    }
  }
}
