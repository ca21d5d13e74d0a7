import { jobsError } from './jobs.errors.js';
import type { RecordsService } from '../records/records.service.js';
import type { Job } from './job.types.js';
import { isStoredSchedule, SCHEDULE_OFF } from './simple-schedule.js';

const OVERRIDE = (name: string) => `job_schedule:${name}`;

/**
 * A coordinator's schedule for a job (records meta: a cron expression, or `off`), or undefined to keep
 * the configured one.
 */
export function scheduleOverride(records: RecordsService, name: string): string | undefined {
  const v = records.getMeta(OVERRIDE(name));
  return v && isStoredSchedule(v) ? v : undefined;
}

/** Whether a schedule may be saved: `off`, or a cron expression of digits and `* / , -` node-cron takes. */
export function isSavableSchedule(s: string): boolean {
  return s === SCHEDULE_OFF || (/^[\d*/,\- ]{9,100}$/.test(s) && isStoredSchedule(s));
}

/** Save a coordinator's schedule for a job (cron or `off`); refuses an invalid cron expression, naming it. */
export function setScheduleOverride(records: RecordsService, name: string, schedule: string): string {
  const s = schedule.trim().replace(/\s+/g, ' ');
  if (!isSavableSchedule(s)) throw jobsError('schedule_invalid', { schedule });
  records.writeNow(() => records.setMeta(OVERRIDE(name), s));
  return s;
}

/** The job with the coordinator's schedule when one was saved. */
export function withScheduleOverride(records: RecordsService, job: Job): Job {
  const s = scheduleOverride(records, job.name);
  return s ? { ...job, schedule: s } : job;
}
