import type { Config } from '../core/config.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/connection.js';
import type { RecordsService } from '../records/records.service.js';
import type { IdentityService } from './identity.service.js';
import { BundlesRepo } from './bundles.repo.js';
import { ExportService } from './export.service.js';
import { UploadService } from './upload.service.js';
import { UsbCopyService, mountedSticks, type StickProbe } from './usb-copy.service.js';

/** The box side of progress bundles (the context builds them once per process; CLI and jobs share them). */
export interface BundleServices {
  exporter: ExportService;
  usb: UsbCopyService;
  uploader: UploadService;
}

/** What bundle services are built from (a box's context has all of it). */
export interface BundleDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  records: RecordsService;
  db: { records: Db };
  identity: IdentityService;
}

export function bundleServices(
  deps: BundleDeps,
  opts: { probe?: StickProbe; maxRowsPerBundle?: number } = {},
): BundleServices {
  // One repo of the bundles table, shared by the three services (none exposes it).
  const bundles = new BundlesRepo(deps.db.records);
  const exporter = new ExportService(
    {
      bundles,
      config: deps.config,
      clock: deps.clock,
      logger: deps.logger,
      records: deps.records,
      identity: deps.identity,
    },
    { maxRowsPerBundle: opts.maxRowsPerBundle ?? deps.config.export.maxRowsPerBundle },
  );
  const common = { records: deps.records, bundles, clock: deps.clock, logger: deps.logger };
  return {
    exporter,
    usb: new UsbCopyService(common, opts.probe ?? mountedSticks(deps.config.export.usbRoots)),
    uploader: new UploadService({ ...common, hqUrl: deps.config.hq.url }),
  };
}
