import cron from 'node-cron';

/**
 * A job's schedule as a coordinator says it ("every day at 01:30", "on Monday and Thursday at 18:00",
 * "every 6 hours", "off") and the cron expression it is stored as. Cron stays the stored form (config,
 * records meta, node-cron, which reads it in the box's one time zone); this is only the way a person
 * reads and edits it. A stored expression these words cannot say is kept and shown as it is (`custom`).
 */
export type SimpleSchedule =
  | { kind: 'minutes'; every: number }
  | { kind: 'hours'; every: number }
  | { kind: 'daily'; time: string }
  /** `days`: cron weekdays, 0 = Sunday ... 6 = Saturday, sorted, at least one. */
  | { kind: 'weekly'; days: number[]; time: string }
  | { kind: 'off' }
  | { kind: 'custom'; cron: string };

export type ScheduleKind = SimpleSchedule['kind'];

/** What a job "off" is stored as (records meta): no cron task is made, "run now" still works. */
export const SCHEDULE_OFF = 'off';

/** The steps offered: those that divide the hour or the day, so the runs are evenly spaced every day. */
export const MINUTE_STEPS = [1, 2, 5, 10, 15, 20, 30] as const;
export const HOUR_STEPS = [1, 2, 3, 4, 6, 8, 12] as const;

/** The weekdays in the order a week is shown (Monday first), as cron numbers. */
export const WEEK = [1, 2, 3, 4, 5, 6, 0] as const;

const two = (n: number) => String(n).padStart(2, '0');

/**
 * A time of day as people write it: `01:30`, `1:30`, `1h30`, `18h`, `18` -> [hour, minute]; anything
 * else undefined.
 */
export function parseTime(s: string): [number, number] | undefined {
  const m = /^([01]?\d|2[0-3])(?:\s*[:hH.]\s*([0-5]\d)?)?$/.exec(s.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0)] : undefined;
}

/** A time of day as the form shows it back: `01:30`. */
export const timeText = (h: number, m: number) => `${two(h)}:${two(m)}`;

/** The cron expression (or `off`) a simple schedule is stored as. */
export function toCron(s: SimpleSchedule): string {
  switch (s.kind) {
    case 'minutes':
      return s.every === 1 ? '* * * * *' : `*/${s.every} * * * *`;
    case 'hours':
      return s.every === 1 ? '0 * * * *' : `0 */${s.every} * * *`;
    case 'daily':
    case 'weekly': {
      const [h, m] = parseTime(s.time) ?? [0, 0];
      const days = s.kind === 'daily' ? '*' : [...new Set(s.days)].sort((a, b) => a - b).join(',');
      return `${m} ${h} * * ${days}`;
    }
    case 'off':
      return SCHEDULE_OFF;
    case 'custom':
      return s.cron;
  }
}

const int = (s: string, max: number): number | undefined =>
  /^\d{1,2}$/.test(s) && Number(s) <= max ? Number(s) : undefined;

/** `1-5`, `0,6`, `1,3-4` -> cron weekdays (7 is Sunday too); undefined when it is not such a list. */
function weekdays(field: string): number[] | undefined {
  const days = new Set<number>();
  for (const part of field.split(',')) {
    const r = /^(\d)(?:-(\d))?$/.exec(part);
    if (!r) return undefined;
    const from = Number(r[1]);
    const to = r[2] === undefined ? from : Number(r[2]);
    if (from > 7 || to > 7 || to < from) return undefined;
    for (let d = from; d <= to; d++) days.add(d % 7);
  }
  return [...days].sort((a, b) => a - b);
}

/** How a stored schedule reads in the simple form; `custom` when the words cannot say it. */
export function fromCron(stored: string): SimpleSchedule {
  const s = stored.trim().replace(/\s+/g, ' ');
  if (s === SCHEDULE_OFF) return { kind: 'off' };
  const f = s.split(' ');
  const custom = { kind: 'custom', cron: s } as const;
  if (f.length !== 5) return custom;
  const [min, hour, dom, mon, dow] = f as [string, string, string, string, string];
  if (dom !== '*' || mon !== '*') return custom;
  if (hour === '*' && dow === '*') {
    if (min === '*') return { kind: 'minutes', every: 1 };
    const n = /^\*\/(\d+)$/.exec(min);
    if (n && (MINUTE_STEPS as readonly number[]).includes(Number(n[1])))
      return { kind: 'minutes', every: Number(n[1]) };
    if (min === '0') return { kind: 'hours', every: 1 };
    return custom;
  }
  if (min === '0' && dow === '*') {
    const n = /^\*\/(\d+)$/.exec(hour);
    if (n && (HOUR_STEPS as readonly number[]).includes(Number(n[1])))
      return { kind: 'hours', every: Number(n[1]) };
  }
  const m = int(min, 59);
  const h = int(hour, 23);
  if (m === undefined || h === undefined) return custom;
  const time = timeText(h, m);
  if (dow === '*') return { kind: 'daily', time };
  const days = weekdays(dow);
  if (!days) return custom;
  return days.length === 7 ? { kind: 'daily', time } : { kind: 'weekly', days, time };
}

/** Whether a stored schedule is one the scheduler can run: a cron expression node-cron takes, or `off`. */
export function isStoredSchedule(s: string): boolean {
  return s === SCHEDULE_OFF || cron.validate(s);
}
