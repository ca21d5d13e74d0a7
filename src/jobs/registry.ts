import { bundleJobs } from '../bundles/bundles.jobs.js';
import type { AppContext } from '../main.js';
import type { Job, JobSource } from './job.types.js';

/** Every feature's jobs. To add a feature's jobs, append its JobSource here. */
export const jobSources: readonly JobSource[] = [bundleJobs];

export function allJobs(ctx: AppContext): Job[] {
  return jobSources.flatMap((source) => source(ctx));
}
