import { z } from 'zod';
import type { Language } from './language.js';

/**
 * THE time-zone setting and the one way to show an instant to a person. Timestamps are stored and sent
 * as UTC ISO strings everywhere; only what a person reads is shown in the configured zone (an IANA name,
 * e.g. `Africa/Dakar`), in their language, with the zone named so that nobody guesses.
 */
export const timeZoneSchema = z
  .string()
  .default('UTC')
  .refine(isTimeZone, { message: 'an IANA time zone such as Africa/Dakar or UTC' });

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const LOCALES: Record<Language, string> = { en: 'en-GB', fr: 'fr-FR', ar: 'ar-u-nu-latn' };
const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * `2026-11-30T10:06:06.178Z` -> `30/11/2026, 11:06 CET` (en, Europe/Paris). Empty or unreadable input is
 * returned as it is (never an "Invalid Date" on a page). Arabic keeps Western digits (as the box does).
 */
export function formatInstant(
  iso: string | null | undefined,
  lang: Language,
  timeZone: string,
  opts: { seconds?: boolean } = {},
): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const key = `${lang}\0${timeZone}\0${opts.seconds ? 1 : 0}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALES[lang], {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      ...(opts.seconds ? { second: '2-digit' } : {}),
      hour12: false,
      timeZoneName: 'short',
    });
    formats.set(key, f);
  }
  return f.format(d);
}
