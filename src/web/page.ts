import type { Request, Response } from 'express';
import { z } from 'zod';
import { languageSchema, type Language } from '../core/config.js';
import type { Brand } from './brand.js';
import { dirOf } from './i18n.js';
import type { StaticAssets } from './static-assets.js';
import './locals.js';

/**
 * The signed-in person as the page frame sees it (the kit knows no feature: people's session middleware
 * puts its user on res.locals, which has this shape).
 */
export interface PageUser {
  role: string;
  person: { id: string; displayName: string };
}

/** What every page template needs to know about its request, built from `res.locals` in one place. */
export interface PageContext {
  lang: Language;
  dir: 'ltr' | 'rtl';
  csrf: string;
  user: PageUser | undefined;
  cssUrl: string;
  /** Fingerprinted URL of an asset in src/web/assets. */
  assetUrl: (name: string) => string;
  /** The path of this page (the language picker comes back to it). */
  path: string;
  languages: readonly Language[];
  /** The organisation's name and logo from the config. */
  brand: Brand;
}

export function pageContext(req: Request, res: Response): PageContext {
  const assets = req.app.locals['assets'] as StaticAssets;
  const languages = req.app.locals['languages'] as readonly Language[] | undefined;
  return {
    lang: res.locals.lang,
    dir: dirOf(res.locals.lang),
    csrf: res.locals.csrfToken,
    user: res.locals.user,
    cssUrl: assets.url('app.css'),
    assetUrl: (name) => assets.url(name),
    path: req.originalUrl,
    languages: languages ?? ['en', 'fr', 'ar'],
    brand: req.app.locals['brand'] as Brand,
  };
}

/** A redirect target from a form: only a path on this site ("/x", never "//host" or "http:"). */
export function localPath(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length < 500
    ? value
    : fallback;
}

/**
 * The language picker's form (box and HQ alike): the language asked for (undefined when it is not one),
 * and the local path to come back to.
 */
export const languageForm = z.object({
  lang: languageSchema.optional().catch(undefined),
  back: z
    .unknown()
    .optional()
    .transform((v) => localPath(v)),
});
