import type { AppContext } from '../main.js';
import { ExportService } from './export.service.js';
import { UploadService } from './upload.service.js';
import { UsbCopyService, mountedSticks, type StickProbe } from './usb-copy.service.js';

/** The box side of progress bundles, built from a context (CLI commands and jobs share this). */
export interface BundleServices {
  exporter: ExportService;
  usb: UsbCopyService;
  uploader: UploadService;
}

export function bundleServices(
  ctx: AppContext,
  opts: { probe?: StickProbe; maxRowsPerBundle?: number } = {},
): BundleServices {
  const exporter = new ExportService(
    {
      config: ctx.config,
      clock: ctx.clock,
      logger: ctx.logger,
      records: ctx.records,
      recordsDb: ctx.db.records,
      identity: ctx.identity,
    },
    { maxRowsPerBundle: opts.maxRowsPerBundle ?? ctx.config.export.maxRowsPerBundle },
  );
  const deps = { records: ctx.records, bundles: exporter.bundles, clock: ctx.clock, logger: ctx.logger };
  return {
    exporter,
    usb: new UsbCopyService(deps, opts.probe ?? mountedSticks(ctx.config.export.usbRoots)),
    uploader: new UploadService({ ...deps, hqUrl: ctx.config.hq.url }),
  };
}
