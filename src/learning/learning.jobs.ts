import type { Job } from '../jobs/job.types.js';
import type { ScormService } from './scorm.service.js';

/** A SCORM launch quiet this long without a commit (the runtime commits every 5 minutes while open) is closed. */
export const SCORM_LAUNCH_TIMEOUT_MINUTES = 30;

/** The learning feature's jobs, built from the services they use. */
export function learningJobs(ctx: { scorm: ScormService }): Job[] {
  return [
    {
      name: 'scorm-close-stale',
      schedule: '*/5 * * * *',
      description: `close SCORM launches with no commit for ${SCORM_LAUNCH_TIMEOUT_MINUTES} minutes (as suspended, or as a normal exit the SCO chose)`,
      async run() {
        const n = await ctx.scorm.closeStaleLaunches(SCORM_LAUNCH_TIMEOUT_MINUTES);
        return n ? { key: 'scorm_closed', params: { n } } : { key: 'scorm_none' };
      },
    },
  ];
}
