import { Router } from 'express';
import { z } from 'zod';
import { passwordSchema, usernameSchema } from '../../people/people.schema.js';
import type { PeopleService } from '../../people/people.service.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { field } from '../kit/fields.js';
import { CoordinatorsPage } from './coordinators.pages.js';

/** A new coordinator (the service adds the password rules that need the username). */
const coordinatorForm = z.object({
  username: usernameSchema,
  displayName: field(120),
  password: passwordSchema,
});

/** Coordinators: the list and "add a coordinator" (audited). */
export function coordinatorsRouter(ctx: { people: PeopleService }, kit: AdminKit): Router {
  const router = Router();
  const list = () => ctx.people.search({ role: 'coordinator', limit: 500 }).rows;

  router.get('/admin/coordinators', (req, res) =>
    kit.show(res, <CoordinatorsPage page={kit.page(req, res)} rows={list()} />),
  );

  router.post(
    '/admin/coordinators',
    ...kit.form(
      coordinatorForm,
      (page, form) => <CoordinatorsPage page={page} rows={list()} form={form} />,
      async (input, _req, res) => {
        const p = await ctx.people.addCoordinator(input);
        kit.audit(res, 'coordinator.add', p.username);
        kit.back(res, '/admin/coordinators', 'added', { name: p.username });
      },
    ),
  );

  return router;
}
