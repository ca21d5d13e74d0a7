import { Router, type Request } from 'express';
import { z } from 'zod';
import { notFound } from '../../core/errors.js';
import type { AttemptGrantService } from '../../learning/attempt-grants.service.js';
import type { ScormService } from '../../learning/scorm.service.js';
import type { PeopleService } from '../../people/people.service.js';
import type { RecordsService } from '../../records/records.service.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { field } from '../kit/fields.js';

export interface AttemptsDeps {
  people: PeopleService;
  records: RecordsService;
  grants: AttemptGrantService;
  scorm: ScormService;
}

/** A button on a trainee's history: the activity and the page's operation id (one per page shown). */
const activityForm = z.object({ courseId: field(200), activityId: field(200), op: field(64) });

/**
 * "Give another attempt" (a quiz) and "Reset SCORM attempt" (a SCO) on a trainee's history, through the
 * services the CLI uses (AttemptGrantService, ScormService.resetAttempt: each journals, applies and audits
 * in one write). Each runs under its button's operation id (AdminKit.once): a double click or a
 * resent form applies once and both answers are the first one's success.
 */
export function attemptsRouter(ctx: AttemptsDeps, kit: AdminKit): Router {
  const router = Router();
  const history = (req: Request) => `/admin/trainees/${String(req.params['id'])}/history`;
  const trainee = (req: Request) => {
    const p = ctx.people.get(String(req.params['id']));
    if (!p || p.role !== 'trainee') throw notFound('trainee');
    return p;
  };
  router.post(
    '/admin/trainees/:id/attempts',
    ...kit.action(
      activityForm,
      async (input, req, res) => {
        const person = trainee(req);
        const r = await kit.once(
          res,
          {
            op: input.op,
            action: 'attempts.grant',
            target: `${person.id}/${input.courseId}/${input.activityId}`,
          },
          () =>
            ctx.grants.grant({
              username: person.username,
              courseId: input.courseId,
              quizId: input.activityId,
              add: 1,
              by: kit.me(res).id,
            }),
        );
        kit.back(res, history(req), 'attemptGranted', { name: r.username });
      },
      history,
    ),
  );

  router.post(
    '/admin/trainees/:id/scorm-reset',
    ...kit.action(
      activityForm,
      async (input, req, res) => {
        const person = trainee(req);
        const what = {
          op: input.op,
          action: 'scorm.reset',
          target: `${person.id}/${input.courseId}/${input.activityId}`,
        };
        const r = await kit.once(res, what, () =>
          ctx.scorm.resetAttempt({
            username: person.username,
            courseId: input.courseId,
            activityId: input.activityId,
            by: kit.me(res).id,
          }),
        );
        kit.back(res, history(req), 'scormReset', { name: r.username });
      },
      history,
    ),
  );

  return router;
}
