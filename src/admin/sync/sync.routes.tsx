import { createReadStream } from 'node:fs';
import { Router } from 'express';
import { z } from 'zod';
import { validate } from '../../web/validate.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { field } from '../kit/fields.js';
import type { StickCopyResult } from '../../bundles/usb-copy.service.js';
import type { UploadOutcome } from '../../bundles/upload.service.js';

/** A button of the Sync page: its operation id. */
const opForm = z.object({ op: field(64) });
import { SyncPage } from './sync.pages.js';
import type { AdminSyncService } from './sync.service.js';

/** Sync: the bundles, export now, copy to USB sticks, upload to HQ (each audited). */
export function syncRouter(ctx: { adminSync: AdminSyncService }, kit: AdminKit): Router {
  const router = Router();
  const sync = ctx.adminSync;
  const here = () => '/admin/sync';

  router.get('/admin/sync', (req, res) => {
    kit.show(
      res,
      <SyncPage
        page={kit.page(req, res)}
        available
        bundles={sync.list()}
        pendingRows={sync.pendingRows()}
        uploadConfigured={sync.uploadConfigured()}
        sticks={sync.sticks()}
      />,
    );
  });

  const seqParam = validate(z.object({ seq: z.string().max(20) }));
  router.get('/admin/sync/bundles/:seq', seqParam, (_req, res) => {
    const b = sync.file(seqParam.input(res).seq);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="${b.name}"`);
    res.setHeader('Cache-Control', 'no-store');
    createReadStream(b.path).pipe(res);
  });

  router.post(
    '/admin/sync/export',
    ...kit.action(
      opForm,
      async (input, _req, res) => {
        // Each button below runs under its operation id (AdminKit.once): a double click acts once and
        // both answers say the first outcome (not "an export is already running").
        const n = await kit.once(
          res,
          { op: input.op, action: 'sync.export', target: 'bundles' },
          (n: number) => {
            kit.audit(res, 'sync.export', null, { bundles: n });
            return n;
          },
          () => sync.export(),
        );
        kit.back(res, '/admin/sync', n ? 'exported' : 'nothingPending', { n });
      },
      here,
    ),
  );

  router.post(
    '/admin/sync/usb',
    ...kit.action(
      opForm,
      async (input, _req, res) => {
        const results = await kit.once(
          res,
          { op: input.op, action: 'sync.usb_copy', target: 'bundles' },
          (results: StickCopyResult[]) => {
            kit.audit(res, 'sync.usb_copy', null, {
              results: results.map((r) => ({
                stick: r.stick,
                copied: r.copied.length,
                failed: r.failed.length,
              })),
            });
            return results;
          },
          () => sync.copyToUsb(),
        );
        const problem = sync.usbProblem(results);
        if (problem) throw problem;
        kit.back(res, '/admin/sync', 'saved');
      },
      here,
    ),
  );

  router.post(
    '/admin/sync/upload',
    ...kit.action(
      opForm,
      async (input, _req, res) => {
        const r = await kit.once(
          res,
          { op: input.op, action: 'sync.upload', target: 'bundles' },
          (r: UploadOutcome) => {
            kit.audit(res, 'sync.upload', null, {
              acknowledged: r.acknowledged.length,
              pending: r.pending.length,
              refused: r.refused.length,
            });
            return r;
          },
          () => sync.upload(),
        );
        const problem = sync.uploadProblem(r);
        if (problem) throw problem;
        kit.back(res, '/admin/sync', 'saved');
      },
      here,
    ),
  );

  return router;
}
