import type { Config } from '../core/config.js';
import type { Job } from '../jobs/job.types.js';
import type { BundleServices } from './bundles.module.js';
import { uploadFailure, usbCopyFailure } from './bundles.errors.js';

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
        const failure = usbCopyFailure(results);
        if (failure) throw failure;
        return { key: 'usb_copied', params: { n: results.reduce((n, r) => n + r.copied.length, 0) } };
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
        const failure = uploadFailure(r);
        if (failure) throw failure;
        return {
          key: 'upload_done',
          params: { acknowledged: r.acknowledged.length, pending: r.pending.length },
        };
      },
    });
  }
  return jobs;
}
