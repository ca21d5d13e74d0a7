import type { Config } from '../core/config.js';
import type { Job } from '../jobs/job.types.js';
import type { BundleServices } from './bundles.module.js';
import { bundlesError } from './bundles.errors.js';

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
        return written.length
          ? { key: 'export_written', params: { n: written.length } }
          : { key: 'export_nothing' };
      },
    },
    {
      name: 'usb-copy',
      schedule: '* * * * *',
      description: 'copy the outbox to a USB stick when one is plugged in',
      run() {
        const results = services.usb.copyAll();
        if (results.length === 0) return { key: 'usb_no_stick' };
        const failed = results.flatMap((r) => r.failed);
        const copied = results.reduce((n, r) => n + r.copied.length, 0);
        if (failed.length)
          throw bundlesError('usb_copy_failed', {
            failed: failed.length,
            copied,
            reasons: failed.map((f) => f.reason).join('; '),
          });
        return { key: 'usb_copied', params: { n: copied } };
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
        const counts = { acknowledged: r.acknowledged.length, pending: r.pending.length };
        if (r.refused.length)
          throw bundlesError('upload_refused', {
            ...counts,
            refused: r.refused.length,
            reasons: r.refused.map((x) => x.message).join('; '),
          });
        return { key: 'upload_done', params: counts };
      },
    });
  }
  return jobs;
}
