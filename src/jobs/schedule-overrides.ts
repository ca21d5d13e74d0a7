import cron from 'node-cron';
import { jobsError } from './jobs.errors.js';
import type { RecordsService } from '../records/records.service.js';
import type { Job } from './job.types.js';

const OVERRIDE = (name: string) => `job_schedule:${name}`;

/** A coordinator's schedule for a job (records meta), or undefined to keep the configured one. */
export function scheduleOverride(records: RecordsService, name: string): string | undefined {
  const v = records.getMeta(OVERRIDE(name));
  return v && cron.validate(v) ? v : undefined;
}

/** Save a coordinator's schedule for a job; refuses an invalid cron expression, naming it. */
export function setScheduleOverride(records: RecordsService, name: string, schedule: string): string {
  const s = schedule.trim().replace(/\s+/g, ' ');
  if (!/^[\d*/,\- ]{9,100}$/.test(s) || !cron.validate(s)) throw jobsError('schedule_invalid', { schedule });
  records.writeNow(() => records.setMeta(OVERRIDE(name), s));
  return s;
}

/** The job with the coordinator's schedule when one was saved. */
export function withScheduleOverride(records: RecordsService, job: Job): Job {
  const s = scheduleOverride(records, job.name);
  return s ? { ...job, schedule: s } : job;
}
