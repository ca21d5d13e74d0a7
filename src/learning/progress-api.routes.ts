import express, { Router } from 'express';
import { z } from 'zod';
import type { LearningService } from './learning.service.js';
import { requireRole } from '../people/auth.middleware.js';
import { validate } from '../web/validate.js';

const progressSchema = z.object({
  courseId: z.string().min(1).max(64),
  activityId: z.string().min(1).max(64),
  progress: z.number().int().min(0).max(100),
});

/**
 * The small JSON API the lesson page's script calls (pages work without it). Session, Origin and CSRF
 * (header X-CSRF-Token) are checked by the app-wide middleware before these run.
 */
export function progressApiRouter(ctx: { learning: LearningService }): Router {
  const router = Router();
  const trainee = requireRole('trainee');
  const json = express.json({ limit: '2kb' });

  /** Durable reading progress: answers 204 only once the statement is on disk. */
  const progress = validate(progressSchema);
  router.post('/api/progress', trainee, json, progress, async (_req, res) => {
    const body = progress.input(res);
    const user = res.locals.user!;
    await ctx.learning.saveProgress(
      user.person,
      body.courseId,
      body.activityId,
      res.locals.lang,
      body.progress,
    );
    res.status(204).end();
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
