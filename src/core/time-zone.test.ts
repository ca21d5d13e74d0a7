import { describe, expect, it } from 'vitest';
import { dayStarts, formatInstant, spreadsheetInstant, timeZoneSchema } from './time-zone.js';

describe('time zone', () => {
  it('the schema takes IANA names in any case (kept in their own spelling) and refuses offsets and made-up names', () => {
    expect(timeZoneSchema.parse('africa/dakar')).toBe('Africa/Dakar');
    expect(timeZoneSchema.parse(' Asia/Dubai ')).toBe('Asia/Dubai');
    expect(timeZoneSchema.parse(undefined)).toBe('UTC');
    for (const bad of ['+01:00', 'Mars/Olympus', '', 'Europe/Paris; rm -rf /']) {
      const r = timeZoneSchema.safeParse(bad);
      expect(r.success, bad).toBe(false);
      expect(r.error?.issues[0]?.message).toBe('timeZone');
    }
  });

  it('"today" and "this week" start at midnight where the box is, not at UTC midnight', () => {
    // 21:30 UTC on Monday 30 November is 11:30 on Tuesday 1 December in Kiritimati (UTC+14).
    const now = new Date('2026-11-30T21:30:00Z');
    const k = dayStarts(now, 'Pacific/Kiritimati');
    expect(k.today.toISOString()).toBe('2026-11-30T10:00:00.000Z');
    expect(k.week.toISOString()).toBe('2026-11-29T10:00:00.000Z');
    // ... and 13:30 on Monday in Los Angeles (UTC-8): Monday is the week's first day.
    const la = dayStarts(now, 'America/Los_Angeles');
    expect(la.today.toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(la.week.toISOString()).toBe('2026-11-30T08:00:00.000Z');
    const utc = dayStarts(now, 'UTC');
    expect(utc.today.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    // A day when the clocks change: midnight Paris on 29 March 2026 is still UTC+1 (the change is at 02:00).
    const paris = dayStarts(new Date('2026-03-29T12:00:00Z'), 'Europe/Paris');
    expect(paris.today.toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });

  it('shows an instant in the zone: for people with the zone named, for spreadsheets as a date-time', () => {
    const iso = '2026-11-30T21:30:05.123Z';
    expect(spreadsheetInstant(iso, 'Pacific/Kiritimati')).toBe('2026-12-01 11:30:05');
    expect(spreadsheetInstant(iso, 'UTC')).toBe('2026-11-30 21:30:05');
    expect(spreadsheetInstant('', 'UTC')).toBe('');
    expect(spreadsheetInstant('not a date', 'UTC')).toBe('not a date');
    expect(formatInstant(iso, 'fr', 'Pacific/Kiritimati')).toMatch(/^01\/12\/2026 11:30 UTC\+14$/);
    expect(formatInstant(iso, 'en', 'Africa/Dakar')).toMatch(/^30\/11\/2026, 21:30 GMT$/);
    // Just after midnight reads 00:04 in every language (Arabic once showed 24:04).
    for (const lang of ['en', 'fr', 'ar'] as const)
      expect(formatInstant('2026-12-01T00:04:00Z', lang, 'UTC'), lang).toContain('00:04');
    // Arabic: Western digits in day/month/year order, without the right-to-left marks between them.
    expect(formatInstant(iso, 'ar', 'UTC')).toMatch(/^30\/11\/2026، 21:30 UTC$/);
  });
});
