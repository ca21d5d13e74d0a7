import { z } from 'zod';
import type { Language } from './language.js';

/**
 * THE time-zone setting and the one way to show an instant to a person. Timestamps are stored and sent
 * as UTC ISO strings everywhere; only what a person reads is shown in the configured zone (an IANA name,
 * e.g. `Africa/Dakar`), in their language, with the zone named so that nobody guesses.
 */
export const timeZoneName = z
  .string()
  .transform((s) => s.trim())
  .refine(isTimeZone, { message: 'timeZone' })
  .transform(canonicalTimeZone);
/** The setting as configs hold it: a zone name, UTC when none is given. */
export const timeZoneSchema = timeZoneName.default('UTC');

/** The zone's own spelling (`africa/dakar` -> `Africa/Dakar`), as node-cron and the formatter expect it. */
export function canonicalTimeZone(name: string): string {
  return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
}

export function isTimeZone(name: string): boolean {
  // Intl also takes offsets ("+01:00") and legacy names; the box keeps region names people recognise.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(name)) return false;
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
      // h23, not hour12: false: in Arabic hour12: false picks h24 and shows 00:04 as 24:04.
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formats.set(key, f);
  }
  // Arabic's format carries right-to-left marks between the digits: shown left to right (a date cell is
  // isolated as LTR) they turn 30/11/2026 into 30.2026/11/. Western digits read the same way without them.
  return f.format(d).replace(/\u200f/g, '');
}

/** The zones a coordinator can choose from (the runtime's IANA list, UTC first). */
export function timeZoneNames(): string[] {
  return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of an instant in a zone (numbers; hour 0-23). */
function wallClock(d: Date, timeZone: string) {
  let f = partsFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    partsFormats.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(d)) p[x.type] = x.value;
  return {
    year: Number(p['year']),
    month: Number(p['month']),
    day: Number(p['day']),
    hour: Number(p['hour']),
    minute: Number(p['minute']),
    second: Number(p['second']),
    /** 0 = Monday ... 6 = Sunday. */
    weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p['weekday'] ?? ''),
  };
}

/** Minutes the zone is ahead of UTC at that instant (Africa/Dakar 0, Asia/Dubai 240). */
function offsetMinutes(d: Date, timeZone: string): number {
  const w = wallClock(d, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(d.getTime() / 1000) * 1000) / 60_000);
}

/** The instant a wall-clock time happens in a zone (the later offset wins across a change). */
function instantOf(y: number, m: number, day: number, timeZone: string): Date {
  const guess = Date.UTC(y, m - 1, day);
  const first = guess - offsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess - offsetMinutes(new Date(first), timeZone) * 60_000);
}

/**
 * Midnight of `now`'s day and of its week's Monday in the zone, as instants: "today" and "this week" for
 * the coordinator are their own days, not UTC's.
 */
export function dayStarts(now: Date, timeZone: string): { today: Date; week: Date } {
  const w = wallClock(now, timeZone);
  const monday = new Date(Date.UTC(w.year, w.month - 1, w.day - Math.max(0, w.weekday)));
  return {
    today: instantOf(w.year, w.month, w.day, timeZone),
    week: instantOf(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), timeZone),
  };
}

/**
 * An instant as a spreadsheet reads a date-time: `2026-12-01 10:06:06`, the wall clock in the zone (the
 * column header names the zone). Empty or unreadable input is returned as it is.
 */
export function spreadsheetInstant(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const w = wallClock(d, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)}:${two(w.second)}`;
}
