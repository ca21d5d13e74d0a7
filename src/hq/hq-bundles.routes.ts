import { Router } from 'express';
import { AppError } from '../core/errors.js';
import type { UploadReceipt } from '../bundles/bundle-format.js';
import type { Logger } from '../core/logger.js';
import type { HqConfig } from './hq.config.js';
import type { ImportService } from './import.service.js';
import { discard, spoolUpload, statusForRefusal } from './hq-upload.js';

/**
 * POST /api/bundles: a box uploads one bundle (body = the zip's bytes). No session, no cookie: the
 * bundle's own signature authenticates it, and the import checks it like any other. Answers the receipt
 * of docs/bundle-format.md, or `{error: {code, message}}` with 413 / 403 / 409 / 422.
 */
export function hqBundlesRouter(ctx: { config: HqConfig; logger: Logger; imports: ImportService }): Router {
  const router = Router();
  router.post('/api/bundles', async (req, res) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/zip' && type !== 'application/octet-stream')
      throw new AppError('unsupported_media_type', 'send the bundle as Content-Type: application/zip', 415);
    const max = ctx.config.maxUploadBytes;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > max)
      throw new AppError('bundle_too_large', `the upload is ${declared} bytes (at most ${max})`, 413);
    const path = await spoolUpload(req, ctx.config.dataDir, max);
    try {
      const o = await ctx.imports.importFile(path, 'upload');
      ctx.logger.info(
        { applianceId: o.applianceId, bundleSeq: o.bundleSeq, status: o.status, code: o.code, ip: req.ip },
        'bundle upload',
      );
      if (o.status === 'refused')
        throw new AppError(
          o.code ?? 'bundle_refused',
          o.reason ?? 'bundle refused',
          statusForRefusal(o.code),
        );
      const receipt: UploadReceipt & Record<string, unknown> = {
        status: o.status,
        applianceId: o.applianceId!,
        bundleSeq: o.bundleSeq!,
        sha256: o.sha256!,
        epoch: o.epoch,
        fromSeq: o.fromSeq,
        toSeq: o.toSeq,
        newRows: o.newRows ?? 0,
        gaps: o.gaps ?? [],
      };
      res.setHeader('Cache-Control', 'no-store');
      res.json(receipt);
    } finally {
      discard(path);
    }
  });
  return router;
}
