import { Router } from 'express';
import type { AuditService } from '../../records/audit.service.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { AuditPage } from './audit.pages.js';

const PAGE = 100;

/** The audit log: every coordinator action, newest first, by pages. */
export function auditRouter(ctx: { audit: AuditService }, kit: AdminKit): Router {
  const router = Router();
  router.get('/admin/audit', (req, res) => {
    const offset = kit.offset(req);
    const r = ctx.audit.list({ limit: PAGE, offset });
    kit.show(
      res,
      <AuditPage page={kit.page(req, res)} rows={r.rows} total={r.total} offset={offset} limit={PAGE} />,
    );
  });
  return router;
}
