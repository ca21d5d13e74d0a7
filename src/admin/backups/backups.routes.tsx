import { createReadStream } from 'node:fs';
import { Router } from 'express';
import { z } from 'zod';
import type { BackupService } from '../../records/backup.service.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { field } from '../kit/fields.js';
import { BackupsPage } from './backups.pages.js';

const downloadForm = z.object({ name: field(200), op: field(64) });
const opForm = z.object({ op: field(64) });

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
      opForm,
      async (input, _req, res) => {
        // Under the button's operation id (AdminKit.once): a double click makes one backup, not two.
        const name = await kit.once(
          res,
          { op: input.op, action: 'backup.create', target: 'backups' },
          (b: { name: string; bytes: number }) => {
            kit.audit(res, 'backup.create', b.name, { bytes: b.bytes });
            return b.name;
          },
          async () => {
            const { name, bytes } = await ctx.backups.create();
            return { name, bytes };
          },
        );
        kit.back(res, '/admin/backups', 'backupDone', { name });
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
      async (input, _req, res) => {
        const b = ctx.backups.file(input.name);
        // A double click downloads twice (each answer is the file) but is audited once.
        await kit.once(res, { op: input.op, action: 'backup.download', target: b.name }, () => {
          kit.audit(res, 'backup.download', b.name);
          return true;
        });
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
