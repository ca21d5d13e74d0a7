import { createReadStream } from 'node:fs';
import { Router } from 'express';
import { z } from 'zod';
import { validate } from '../../web/validate.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { noInput } from '../kit/fields.js';
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
      noInput,
      async (_input, _req, res) => {
        const n = await sync.export();
        kit.audit(res, 'sync.export', null, { bundles: n });
        kit.back(res, '/admin/sync', n ? 'exported' : 'nothingPending', { n });
      },
      here,
    ),
  );

  router.post(
    '/admin/sync/usb',
    ...kit.action(
      noInput,
      (_input, _req, res) => {
        const results = sync.copyToUsb();
        kit.audit(res, 'sync.usb_copy', null, {
          results: results.map((r) => ({ stick: r.stick, copied: r.copied.length, failed: r.failed.length })),
        });
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
      noInput,
      async (_input, _req, res) => {
        const r = await sync.upload();
        kit.audit(res, 'sync.upload', null, {
          acknowledged: r.acknowledged.length,
          pending: r.pending.length,
          refused: r.refused.length,
        });
        const problem = sync.uploadProblem(r);
        if (problem) throw problem;
        kit.back(res, '/admin/sync', 'saved');
      },
      here,
    ),
  );

  return router;
}
