import { Router } from 'express';
import { z } from 'zod';
import type { AuditService } from '../../records/audit.service.js';
import { validate } from '../../web/validate.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { AuditPage, NO_ACTOR } from './audit.pages.js';

const PAGE = 100;

/**
 * The log's filter, from the query string: an event code and a person (an id, or NO_ACTOR for the box), each
 * blank for "all". A value no select offers (a typed URL) is refused beside its field.
 */
const auditQuery = z.object({
  event: z
    .string()
    .max(64)
    .regex(/^[a-z0-9_.]*$/, 'invalidChoice')
    .default(''),
  person: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9_-]*$/, 'invalidChoice')
    .default(''),
});

/** The audit log: every coordinator action, newest first, by pages, filtered by event and by person. */
export function auditRouter(ctx: { audit: AuditService }, kit: AdminKit): Router {
  const router = Router();
  const filter = validate(auditQuery, {
    // Unreadable: the whole log, with the filter as typed and the message beside the field at fault.
    invalid: (f, req, res) => {
      const r = ctx.audit.list({ limit: PAGE, offset: 0 });
      kit.show(
        res,
        <AuditPage
          page={kit.page(req, res)}
          rows={r.rows}
          total={r.total}
          offset={0}
          limit={PAGE}
          choices={ctx.audit.choices()}
          form={{ values: f.values, fields: f.fields }}
        />,
        400,
      );
    },
  });
  router.get('/admin/audit', filter, (req, res) => {
    const { event, person } = filter.input(res);
    const offset = kit.offset(req);
    const r = ctx.audit.list({
      limit: PAGE,
      offset,
      filter: {
        action: event || undefined,
        actorId: person && person !== NO_ACTOR ? person : undefined,
        noActor: person === NO_ACTOR,
      },
    });
    kit.show(
      res,
      <AuditPage
        page={kit.page(req, res)}
        rows={r.rows}
        total={r.total}
        offset={offset}
        limit={PAGE}
        choices={ctx.audit.choices()}
        form={{ values: { event, person }, fields: [] }}
      />,
    );
  });
  return router;
}
