import express, { Router } from 'express';
import { z } from 'zod';
import type { ContentService } from '../content/content.service.js';
import { requireRole } from '../people/auth.middleware.js';
import { parseActedAt, parseOperationId } from '../records/operations.js';
import { validate } from '../web/validate.js';
import type { LearningService } from './learning.service.js';
import { activityUrl, courseUrl, quizUrl } from './pages/parts.js';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'not an id');
const lessonTarget = z.object({ courseId: id, activityId: id });
const common = {
  opId: z.string().max(64),
  /** When the trainee acted (the phone's clock, ISO): the statements' timestamp. */
  actedAt: z.string().max(40).optional(),
};

/**
 * One operation of the trainee site, as the page script sends it from the phone's queue: what was done
 * (`action`), to what (`target`), with what (`body`), and its operation id. The forms post the same
 * actions without JavaScript; both run the same LearningService calls.
 */
const operationSchema = z.discriminatedUnion('action', [
  z.object({ ...common, action: z.literal('lesson.open'), target: lessonTarget }),
  z.object({ ...common, action: z.literal('lesson.complete'), target: lessonTarget }),
  z.object({
    ...common,
    action: z.literal('lesson.progress'),
    target: lessonTarget,
    body: z.object({ progress: z.number().int().min(0).max(100) }),
  }),
  z.object({
    ...common,
    action: z.literal('quiz.submit'),
    target: lessonTarget,
    body: z.object({
      courseVersion: z.string().max(64).optional(),
      answers: z.record(id, z.array(z.string().max(2000)).max(50)),
    }),
  }),
  z.object({
    ...common,
    action: z.literal('course.rate'),
    target: z.object({ courseId: id }),
    body: z.object({ rating: z.number().int().min(1).max(5), comment: z.string().max(4000).default('') }),
  }),
]);
export type TraineeOperation = z.output<typeof operationSchema>;

/**
 * The trainee site's JSON API, called by the page scripts (pages work without it): POST /api/operations
 * takes one operation and answers what happened, `{ opId, result }`; a refusal is the error JSON (code,
 * English message, and `text` in the trainee's language). Each operation is applied once: sending the same
 * opId again answers the first result and writes nothing. Session, Origin and CSRF (header X-CSRF-Token)
 * are checked by the app-wide middleware before these run.
 */
export function operationsRouter(ctx: { content: ContentService; learning: LearningService }): Router {
  const router = Router();
  const trainee = requireRole('trainee');
  const json = express.json({ limit: '64kb' });
  const { content, learning } = ctx;
  const operation = validate(operationSchema);

  router.post('/api/operations', trainee, json, operation, async (_req, res) => {
    const o = operation.input(res);
    const person = res.locals.user!.person;
    const lang = res.locals.lang;
    const act = { opId: parseOperationId(o.opId), actedAt: o.actedAt && parseActedAt(o.actedAt) };
    const c = content.activeCourse(o.target.courseId, lang);
    const answer = (result: Record<string, unknown>) => res.json({ opId: act.opId, result });
    switch (o.action) {
      case 'lesson.open':
        await learning.openLesson(person, c.id, o.target.activityId, lang, act);
        return answer({});
      case 'lesson.progress':
        await learning.saveProgress(person, c.id, o.target.activityId, lang, o.body.progress, act);
        return answer({});
      case 'lesson.complete': {
        const r = await learning.completeLessonAndContinue(person, c.id, o.target.activityId, lang, act);
        return answer({
          courseCompleted: r.courseCompleted,
          url: r.next
            ? activityUrl(c.id, { id: r.next.activityId, type: r.next.type })
            : `${courseUrl(c.id)}#rating`,
        });
      }
      case 'quiz.submit': {
        const q = o.body;
        const r = await learning.submitQuiz(
          person,
          c.id,
          o.target.activityId,
          lang,
          q.answers,
          act,
          q.courseVersion,
        );
        return answer({
          score: r.score,
          percent: Math.round(r.score * 100),
          passed: r.passed,
          attemptsLeft: r.attemptsLeft,
          url: `${quizUrl(c.id, o.target.activityId)}/result`,
        });
      }
      case 'course.rate':
        await learning.rateCourse(person, c.id, o.body.rating, o.body.comment, act);
        return answer({ url: `${courseUrl(c.id)}?rated=1#rating` });
    }
  });

  /**
   * Is my session still valid? 204 after the same session, Origin and CSRF checks as every write, and no
   * write: the script asks before relying on the session, and the write benchmark uses it as its reference.
   */
  router.post('/api/ping', trainee, (_req, res) => {
    res.status(204).end();
  });
  return router;
}
