import type { Config } from '../core/config.js';
import type { Job } from '../jobs/job.types.js';
import type { BundleServices } from './bundles.module.js';

/**
 * Bundle jobs: nightly export (config export.schedule), copy to a USB stick when one is mounted (every
 * minute), and upload to HQ (config hq.uploadSchedule, only when hq.url is set).
 */
export function bundleJobs(deps: { config: Config; bundles: BundleServices }): Job[] {
  const { config, bundles: services } = deps;
  const jobs: Job[] = [
    {
      name: 'export',
      schedule: config.export.schedule,
      description: 'write a signed progress bundle of everything not yet exported',
      async run() {
        const written = await services.exporter.export();
        return written.length ? written.map((b) => b.path).join(', ') : 'nothing pending';
      },
    },
    {
      name: 'usb-copy',
      schedule: '* * * * *',
      description: 'copy the outbox to a USB stick when one is plugged in',
      run() {
        const results = services.usb.copyAll();
        if (results.length === 0) return 'no USB stick';
        const failed = results.flatMap((r) => r.failed);
        const summary = results.map((r) => `${r.stick}: ${r.copied.length} copied`).join('; ');
        if (failed.length) throw new Error(`${summary}; failed: ${failed.map((f) => f.reason).join('; ')}`);
        return summary;
      },
    },
  ];
  if (config.hq.url) {
    jobs.push({
      name: 'upload',
      schedule: config.hq.uploadSchedule,
      description: 'send bundles to HQ when a connection exists',
      async run() {
        const r = await services.uploader.uploadPending();
        const parts = [`${r.acknowledged.length} acknowledged`];
        if (r.pending.length) parts.push(`${r.pending.length} pending`);
        if (r.refused.length) parts.push(`${r.refused.length} refused`);
        if (r.refused.length)
          throw new Error(parts.join(', ') + ': ' + r.refused.map((x) => x.message).join('; '));
        return parts.join(', ');
      },
    });
  }
  return jobs;
}
