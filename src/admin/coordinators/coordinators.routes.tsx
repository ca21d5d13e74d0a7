import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { notFound } from '../../core/errors.js';
import type { SessionService } from '../../people/auth.service.js';
import { passwordSchema, usernameSchema } from '../../people/people.schema.js';
import type { PeopleService } from '../../people/people.service.js';
import type { RecordsService } from '../../records/records.service.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { field } from '../kit/fields.js';
import { CoordinatorPage, CoordinatorsPage } from './coordinators.pages.js';

export interface CoordinatorsDeps {
  people: PeopleService;
  records: RecordsService;
  sessions: SessionService;
}

/** A new coordinator (the service adds the password rules that need the username). */
const coordinatorForm = z.object({
  username: usernameSchema,
  displayName: field(120),
  password: passwordSchema,
  op: field(64),
});
/** A button on a coordinator's page: the page's operation id. */
const opForm = z.object({ op: field(64) });
/** A new password for another coordinator (or oneself), under the page's operation id. */
const passwordForm = z.object({ password: passwordSchema, op: field(64) });

/**
 * Coordinators: the list, "add a coordinator", and per coordinator deactivate / reactivate and a new
 * password. Those three run inside RecordsService.writeOnce with the page's operation id, with their audit
 * row in the same transaction: a double click applies once and both answers are the first one's success.
 * The last active coordinator is never deactivated (PeopleService refuses: 'last_coordinator').
 */
export function coordinatorsRouter(ctx: CoordinatorsDeps, kit: AdminKit): Router {
  const router = Router();
  const list = () => ctx.people.search({ role: 'coordinator', limit: 500, includeInactive: true }).rows;
  const here = (req: Request) => `/admin/coordinators/${String(req.params['id'])}`;
  const coordinator = (req: Request) => {
    const p = ctx.people.get(String(req.params['id']));
    if (!p || p.role !== 'coordinator') throw notFound('coordinator');
    return p;
  };
  /** The action and its audit row under the form's operation id (AdminKit.once). */
  const once = (res: Response, op: string, action: string, target: string, fn: () => void) =>
    kit.once(res, { op, action, target }, () => {
      fn();
      kit.audit(res, action, target);
      return true;
    });

  router.get('/admin/coordinators', (req, res) =>
    kit.show(res, <CoordinatorsPage page={kit.page(req, res)} rows={list()} />),
  );

  router.post(
    '/admin/coordinators',
    ...kit.form(
      coordinatorForm,
      (page, form) => <CoordinatorsPage page={page} rows={list()} form={form} />,
      async ({ op, ...input }, _req, res) => {
        const name = await kit.once(
          res,
          { op, action: 'coordinator.add', target: 'coordinators' },
          (username: string) => {
            kit.audit(res, 'coordinator.add', username);
            return username;
          },
          async () => (await ctx.people.addCoordinator(input)).username,
        );
        kit.back(res, '/admin/coordinators', 'added', { name });
      },
    ),
  );

  router.get('/admin/coordinators/:id', (req, res) =>
    kit.show(res, <CoordinatorPage page={kit.page(req, res)} person={coordinator(req)} />),
  );

  for (const [action, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    router.post(
      `/admin/coordinators/:id/${action}`,
      ...kit.action(
        opForm,
        async (input, req, res) => {
          const p = coordinator(req);
          await once(res, input.op, `coordinator.${action}`, p.username, () => {
            ctx.people.update(p.id, { active });
            // A deactivated coordinator's open sessions end now, not at their expiry.
            if (!active) ctx.sessions.destroyAll(p.id);
          });
          kit.back(res, here(req), active ? 'reactivated' : 'deactivated');
        },
        here,
      ),
    );
  }

  router.post(
    '/admin/coordinators/:id/password',
    ...kit.form(
      passwordForm,
      (page, form, req) => <CoordinatorPage page={page} person={coordinator(req)} form={form} />,
      async (input, req, res) => {
        const p = coordinator(req);
        const store = await ctx.people.preparePassword(p.id, input.password);
        await once(res, input.op, 'coordinator.password_reset', p.username, () => {
          store();
          // Someone else's password reset ends their sessions; one's own keeps this one.
          if (p.id !== kit.me(res).id) ctx.sessions.destroyAll(p.id);
        });
        kit.back(res, here(req), 'passwordReset', { name: p.username });
      },
    ),
  );

  return router;
}
