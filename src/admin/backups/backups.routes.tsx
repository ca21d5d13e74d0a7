import { createReadStream } from 'node:fs';
import { Router } from 'express';
import { z } from 'zod';
import type { BackupService } from '../../records/backup.service.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { field, noInput } from '../kit/fields.js';
import { BackupsPage } from './backups.pages.js';

const downloadForm = z.object({ name: field(200) });

/** Backups of records.db: list, back up now, download one (each audited). */
export function backupsRouter(ctx: { backups: BackupService }, kit: AdminKit): Router {
  const router = Router();
  const here = () => '/admin/backups';

  router.get('/admin/backups', (req, res) =>
    kit.show(res, <BackupsPage page={kit.page(req, res)} backups={ctx.backups.list()} />),
  );

  router.post(
    '/admin/backups',
    ...kit.action(
      noInput,
      async (_input, _req, res) => {
        const b = await ctx.backups.create();
        kit.audit(res, 'backup.create', b.name, { bytes: b.bytes });
        kit.back(res, '/admin/backups', 'backupDone', { name: b.name });
      },
      here,
    ),
  );

  // A POST (not a GET): a copy of every record leaving the box is an action worth an audit row, and no GET
  // writes anything. The browser saves the answer as a file (Content-Disposition: attachment).
  router.post(
    '/admin/backups/download',
    ...kit.action(
      downloadForm,
      (input, _req, res) => {
        const b = ctx.backups.file(input.name);
        kit.audit(res, 'backup.download', b.name);
        res.setHeader('Content-Type', 'application/vnd.sqlite3');
        res.setHeader('Content-Disposition', `attachment; filename="${b.name}"`);
        res.setHeader('Cache-Control', 'no-store');
        createReadStream(b.path).pipe(res);
      },
      here,
    ),
  );

  return router;
}
