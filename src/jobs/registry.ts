import { adminJobs, withScheduleOverride } from '../admin/admin.jobs.js';
import { bundleJobs } from '../bundles/bundles.jobs.js';
import { learningJobs } from '../learning/learning.jobs.js';
import type { AppContext } from '../main.js';
import type { Job, JobSource } from './job.types.js';

/** Every feature's jobs. To add a feature's jobs, append its JobSource here. */
export const jobSources: readonly JobSource[] = [bundleJobs, adminJobs, learningJobs];

export function allJobs(ctx: AppContext): Job[] {
  // A schedule a coordinator saved on the admin Schedule page (records meta) wins over the config.
  return jobSources.flatMap((source) => source(ctx)).map((j) => withScheduleOverride(ctx, j));
}
