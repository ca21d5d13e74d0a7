import { Router, type Request } from 'express';
import { AppError, invalid } from '../core/errors.js';
import { hqError } from './hq.errors.js';
import {
  MANIFEST_HEADER,
  SIGNATURE_HEADER,
  bundleError,
  type UploadReceipt,
} from '../contract/bundle-format.js';
import type { Logger } from '../core/logger.js';
import type { HqConfig } from './hq.config.js';
import type { ImportService } from './import.service.js';
import { discard, spoolUpload, statusForRefusal, UploadBusy, UploadGate } from './hq-upload.js';

/** Content-Length as a number, undefined when absent (chunked); a malformed one is refused. */
function contentLength(req: Request): number | undefined {
  const v = req.headers['content-length'];
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v)) throw invalid('Content-Length is not a number');
  return Number(v);
}

/**
 * POST /api/bundles: a box uploads one bundle (body = the zip's bytes). No session, no cookie: the
 * bundle's own signature authenticates it, and the import checks it like any other. Before a byte of the
 * body is read: the declared size against `maxUploadBytes` (413); a signed manifest in the headers
 * (MANIFEST_HEADER) is verified (key, signature, appliance, revocation: 403/422) and fixes the exact size;
 * then the UploadGate admits it or answers 429/503 with Retry-After. The body is spooled with a hard cap
 * and an idle timeout, then imported. Answers the receipt of docs/bundle-format.md, or
 * `{error: {code, message}}`.
 */
export function hqBundlesRouter(ctx: {
  config: HqConfig;
  logger: Logger;
  imports: ImportService;
  diskFree: () => number | null;
}): Router {
  const router = Router();
  const gate = new UploadGate(ctx.config.uploads, ctx.diskFree);
  router.post('/api/bundles', async (req, res) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/zip' && type !== 'application/octet-stream')
      throw hqError('unsupported_media_type');
    const max = ctx.config.maxUploadBytes;
    const declared = contentLength(req);
    if (declared !== undefined && declared > max)
      throw bundleError('bundle_too_large', `the upload is ${declared} bytes (at most ${max})`, 413);

    const manifestHeader = req.headers[MANIFEST_HEADER];
    const signatureHeader = req.headers[SIGNATURE_HEADER];
    let announced: Buffer | undefined;
    let cap = declared ?? max;
    let applianceId: string | undefined;
    if (typeof manifestHeader === 'string' && typeof signatureHeader === 'string') {
      announced = Buffer.from(manifestHeader, 'base64');
      const pre = await ctx.imports.preflight(announced, signatureHeader).catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'not_found')
          throw bundleError('bundle_key_unknown', e.message, 403);
        // The same refusal (code, params) with the status a box acts on.
        if (e instanceof AppError)
          throw new AppError(e.code, e.message, statusForRefusal(e.code), e.details, e.params);
        throw e;
      });
      if (pre.bytes > max)
        throw bundleError('bundle_too_large', `the bundle is ${pre.bytes} bytes (at most ${max})`, 413);
      if (declared !== undefined && declared !== pre.bytes)
        throw hqError('bundle_size_mismatch', { declared, bytes: pre.bytes });
      cap = pre.bytes;
      applianceId = pre.manifest.applianceId;
    }

    let release: () => void;
    try {
      release = gate.admit({ address: req.ip ?? '', bytes: cap, ...(applianceId ? { applianceId } : {}) });
    } catch (e) {
      if (e instanceof UploadBusy) {
        res.setHeader('Retry-After', String(e.retryAfterSeconds));
        // The body is not read: close the connection rather than drain what a stranger sends.
        res.setHeader('Connection', 'close');
        ctx.logger.warn({ ip: req.ip, code: e.code, applianceId }, 'upload not admitted');
      }
      throw e;
    }
    let path: string | undefined;
    try {
      path = await spoolUpload(req, ctx.config.dataDir, cap, ctx.config.uploads.idleTimeoutSeconds * 1000);
      const o = await ctx.imports.importFile(path, 'upload', announced);
      ctx.logger.info(
        { applianceId: o.applianceId, bundleSeq: o.bundleSeq, status: o.status, code: o.code, ip: req.ip },
        'bundle upload',
      );
      // The import's refusal as it was coded (a refusal always has its code and params).
      if (o.status === 'refused')
        throw new AppError(
          o.code ?? 'internal',
          o.reason ?? '',
          statusForRefusal(o.code),
          undefined,
          o.params,
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
        duplicates: o.duplicates ?? 0,
        heldOut: o.heldOut ?? 0,
        gaps: o.gaps ?? [],
      };
      res.setHeader('Cache-Control', 'no-store');
      res.json(receipt);
    } finally {
      release();
      if (path) discard(path);
    }
  });
  return router;
}
