import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AuditFilter, AuditService } from '../../records/audit.service.js';
import { validate } from '../../web/validate.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import type { FormState } from '../kit/form.js';
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
  /** One page of the log under a filter, with the filter form as it is shown back. */
  function show(
    req: Request,
    res: Response,
    offset: number,
    filter: AuditFilter | undefined,
    form: FormState,
    status?: number,
  ): void {
    const r = ctx.audit.list({ limit: PAGE, offset, ...(filter ? { filter } : {}) });
    kit.show(
      res,
      <AuditPage
        page={kit.page(req, res)}
        rows={r.rows}
        total={r.total}
        offset={offset}
        limit={PAGE}
        choices={ctx.audit.choices()}
        form={form}
      />,
      status,
    );
  }
  const filter = validate(auditQuery, {
    // Unreadable: the whole log, with the filter as typed and the message beside the field at fault.
    invalid: (f, req, res) => show(req, res, 0, undefined, { values: f.values, fields: f.fields }, 400),
  });
  router.get('/admin/audit', filter, (req, res) => {
    const { event, person } = filter.input(res);
    const auditFilter = {
      action: event || undefined,
      actorId: person && person !== NO_ACTOR ? person : undefined,
      noActor: person === NO_ACTOR,
    };
    show(req, res, kit.offset(req), auditFilter, { values: { event, person }, fields: [] });
  });
  return router;
}
