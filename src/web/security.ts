import { parse as parseCookies, serialize } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { z } from 'zod';
import { parseRequest } from './validate.js';

/**
 * The web security pieces the box's app and the HQ app share: headers, cookies, and the two halves of
 * every state-changing request's check (where it came from, and which CSRF token it carries).
 */

/**
 * Security headers for a plain-HTTP server on a LAN: no HSTS and no upgrade-insecure-requests (they
 * would break every phone), scripts from this origin only, and Referrer-Policy same-origin (with
 * no-referrer, Chromium sends `Origin: null` on our own form POSTs, which the origin check refuses).
 */
export function securityHeaders(opts: { frameAncestors: string[]; mediaSrc?: string[] }): RequestHandler {
  return helmet({
    strictTransportSecurity: false,
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'upgrade-insecure-requests': null,
        'script-src': ["'self'"],
        // blob: the lesson images a phone kept for reading offline (src/web/assets/offline.js).
        'img-src': ["'self'", 'data:', 'blob:'],
        'media-src': opts.mediaSrc ?? ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': opts.frameAncestors,
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
  });
}

export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function cookiesOf(req: Request): Record<string, string | undefined> {
  const header = req.headers.cookie;
  return header ? parseCookies(header) : {};
}

/** Set-Cookie: HttpOnly, SameSite=Lax, Path=/; Secure only when asked (the box is plain HTTP). */
export function setCookie(
  res: Response,
  name: string,
  value: string,
  opts: { maxAge?: number; secure?: boolean } = {},
): void {
  res.append(
    'Set-Cookie',
    serialize(name, value, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      ...(opts.secure ? { secure: true } : {}),
      ...(opts.maxAge !== undefined ? { maxAge: opts.maxAge } : {}),
    }),
  );
}

function originOf(value: string | undefined): string | null {
  if (!value) return null;
  try {
    return new URL(value).origin;
  } catch {
    return 'invalid';
  }
}

/** The configured extra origins, normalised. */
export function allowedOrigins(list: readonly string[]): Set<string> {
  return new Set(list.map((o) => originOf(o) ?? o));
}

/**
 * The origin a state-changing request came from when it is neither this server nor an allowed one (to
 * refuse it), else null. Origin is used, or Referer when a browser sent none; a request with neither (a
 * script, curl) is left to its CSRF token.
 */
export function foreignOrigin(req: Request, allowed: ReadonlySet<string>): string | null {
  const own = `${req.protocol}://${req.headers.host ?? ''}`;
  // The usual case, a browser posting to the page it came from, without parsing a URL.
  if (req.headers.origin === own) return null;
  const origin = req.headers.origin ? originOf(req.headers.origin) : originOf(req.headers.referer);
  if (origin === null) return null;
  return origin === own || allowed.has(origin) ? null : origin;
}

/** The CSRF field of a form or query string (read like any request input, before any route). */
const csrfField = z.object({ _csrf: z.string().max(200).optional().catch(undefined) });

/**
 * The CSRF token a request carries: `_csrf` form field, `X-CSRF-Token` header, or `?_csrf=` (a
 * multipart upload, whose body is read by its route after this check).
 */
export function sentCsrfToken(req: Request): string | undefined {
  const field = (from: 'body' | 'query') => {
    const r = parseRequest(csrfField, req, from);
    return r.success ? r.data._csrf : undefined;
  };
  return field('body') ?? req.get('x-csrf-token') ?? field('query');
}
