import { adminJobs } from '../admin/admin.jobs.js';
import { bundleJobs } from '../bundles/bundles.jobs.js';
import { learningJobs } from '../learning/learning.jobs.js';
import type { Job } from '../jobs/job.types.js';
import { withScheduleOverride } from '../jobs/schedule-overrides.js';
import { Scheduler } from '../jobs/scheduler.js';
import type { AppContext } from './context.js';

/** Every feature's jobs, built from the services each uses. To add a feature's jobs, append them here. */
export function allJobs(ctx: AppContext): Job[] {
  // A schedule a coordinator saved on the admin Schedule page (records meta) wins over the config.
  return [...bundleJobs(ctx), ...adminJobs(ctx), ...learningJobs(ctx)].map((j) =>
    withScheduleOverride(ctx.records, j),
  );
}

/**
 * The box's scheduler over every job, not started: the serve command starts it; the box app is given it
 * (the admin's Schedule page lists its jobs, reschedules and runs them; "not running" until started).
 */
export function createScheduler(ctx: AppContext): Scheduler {
  return new Scheduler(ctx, allJobs(ctx));
}
