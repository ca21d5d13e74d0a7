import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isAppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { parseOperationId } from '../records/operations.js';
import type { ContentService } from '../content/content.service.js';
import { requireRole } from '../people/auth.middleware.js';
import { dirOf } from '../web/i18n.js';
import { pageContext } from '../web/page.js';
import { sendPage } from '../web/render.js';
import { sent, validate } from '../web/validate.js';
import { COMMENT_MAX, type LearningService } from './learning.service.js';
import type { ScormService } from './scorm.service.js';
import { LessonPage, QuizPage, ResultPage } from './pages/activity.pages.js';
import { CoursesPage } from './pages/courses.page.js';
import { OutlinePage } from './pages/outline.page.js';
import { activityUrl, courseUrl, lessonUrl, quizUrl, type LearningKey } from './pages/parts.js';

/**
 * Every action form carries its operation id (put there by the box, or by the page script): a double tap
 * or a resend after a timeout is applied once. A form from before operation ids (none sent) gets a new
 * one; one that is not an operation id is refused (400 operation_id_invalid).
 */
const opField = {
  op: z
    .unknown()
    .optional()
    .transform((op) => (op === undefined ? newId() : parseOperationId(op))),
};
const actionForm = z.object(opField);

/** A quiz's answers: `q_<question id>` fields, each sent once or several times (checkboxes). */
const quizForm = z
  .looseObject({ ...opField, courseVersion: z.string().max(64).optional().catch(undefined) })
  .transform(({ op, courseVersion, ...fields }) => {
    const answers: Record<string, string[]> = {};
    for (const [name, v] of Object.entries(fields))
      if (name.startsWith('q_'))
        answers[name.slice(2)] = (Array.isArray(v) ? v : [v]).filter(
          (x): x is string => typeof x === 'string' && x.trim() !== '',
        );
    return { op, courseVersion, answers };
  });

/** A rating and its comment, judged by the handler (the outline shows what is wrong, under the course). */
const ratingForm = z.object({
  ...opField,
  rating: z.coerce.number().int().min(1).max(5).optional().catch(undefined),
  comment: sent(100_000),
});

/**
 * The trainee site: My courses (at `/` when signed in), course outline, lessons, quizzes and results,
 * course rating. Pipeline: session (app) -> Origin + CSRF on POST (app) -> requireRole('trainee') ->
 * handler. Every action is a POST answered with 303 only after LearningService's write is durable.
 */
/** What the trainee site uses (a box's context has all of it). */
export interface LearningRouterDeps {
  content: ContentService;
  learning: LearningService;
  scorm: ScormService;
  /** admin.ratingNames: whether reports show trainees' names beside ratings (the rating form says which). */
  config: { admin: { ratingNames: boolean } };
}

export function learningRouter(ctx: LearningRouterDeps): Router {
  const router = Router();
  const trainee = requireRole('trainee');
  const { content, learning } = ctx;

  const user = (res: Response) => res.locals.user!.person;
  const action = validate(actionForm);
  const quizAnswers = validate(quizForm);
  const rated = validate(ratingForm);
  const course = (req: Request, res: Response) =>
    content.activeCourse(String(req.params['courseId']), res.locals.lang);

  router.get('/', trainee, (req, res) => {
    const person = user(res);
    const lang = res.locals.lang;
    sendPage(
      res,
      <CoursesPage
        page={pageContext(req, res)}
        courses={content.listCourses(lang)}
        progress={learning.progressSummary(person.id)}
        next={learning.continueWhereLeft(person.id, lang)}
      />,
    );
  });

  const outline = async (
    req: Request,
    res: Response,
    status = 200,
    opts: { thanked?: boolean; error?: LearningKey } = {},
  ) => {
    const c = course(req, res);
    const person = user(res);
    // A SCORM 2004 package's sequencing rules decide which SCOs may be opened now.
    const sequencing = c.kind === 'scorm2004' ? await ctx.scorm.sequencing(person.id, c.id) : undefined;
    const progress = learning.courseProgress(person.id, c);
    // controlMode choice="false": the trainee may not pick a SCO; only the one to start or continue is linked.
    const pkg = c.kind === 'native' ? undefined : ctx.scorm.packageOf(c.id);
    const items = c.modules.flatMap((m) => m.items).map((i) => i.id);
    // A sequenced package starts where SN Start (or a suspended SCO) says; others at the first unfinished item.
    const entry =
      (sequencing ? await ctx.scorm.entry(person.id, c.id, res.locals.lang) : undefined) ??
      progress.next?.activityId ??
      items[0];
    const unlinked = pkg && !pkg.controlMode.choice ? new Set(items.filter((id) => id !== entry)) : undefined;
    sendPage(
      res,
      <OutlinePage
        page={pageContext(req, res)}
        course={c}
        progress={progress}
        rating={learning.getRating(person.id, c.id)}
        ratingNames={ctx.config.admin.ratingNames}
        locked={sequencing?.disabled}
        hidden={pkg ? new Set([...(sequencing?.hidden ?? []), ...ctx.scorm.invisible(c.id)]) : undefined}
        unlinked={unlinked}
        operationId={newId()}
        {...opts}
      />,
      status,
    );
  };

  router.get('/courses/:courseId', trainee, (req, res) =>
    outline(req, res, 200, { thanked: req.query['rated'] === '1' }),
  );

  router.post('/courses/:courseId/lessons/:activityId/open', trainee, async (req, res) => {
    const c = course(req, res);
    const id = String(req.params['activityId']);
    await learning.openLesson(user(res), c.id, id, res.locals.lang);
    res.redirect(303, lessonUrl(c.id, id));
  });

  router.get('/courses/:courseId/lessons/:activityId', trainee, (req, res) => {
    const c = course(req, res);
    const lesson = content.getLesson(c.id, String(req.params['activityId']), res.locals.lang);
    if (!lesson) throw notFound('lesson');
    const progress = learning.courseProgress(user(res).id, c).activities[lesson.activityId];
    sendPage(
      res,
      <LessonPage
        page={pageContext(req, res)}
        course={c}
        lesson={lesson}
        progress={progress}
        operationId={newId()}
      />,
    );
  });

  /**
   * What the lesson page's script keeps on the phone for reading offline: the items after this lesson in
   * its module, in outline order, lessons with their HTML (the page fetches their images itself; video is
   * left out as too large). Reads nothing of the trainee's and writes nothing.
   */
  router.get('/courses/:courseId/lessons/:activityId/ahead', trainee, (req, res) => {
    const c = course(req, res);
    const id = String(req.params['activityId']);
    const module = c.modules.find((m) => m.items.some((i) => i.id === id && i.type === 'lesson'));
    if (!module) throw notFound('lesson');
    const rest = module.items.slice(module.items.findIndex((i) => i.id === id) + 1);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      courseId: c.id,
      items: rest.map((item) => {
        const url = activityUrl(c.id, item);
        const lesson = item.type === 'lesson' ? content.getLesson(c.id, item.id, res.locals.lang) : undefined;
        return {
          id: item.id,
          type: item.type,
          url,
          title: item.title,
          ...(lesson && {
            lang: lesson.language,
            dir: dirOf(lesson.language),
            html: lesson.html,
            doneUrl: `${url}/done`,
          }),
        };
      }),
    });
  });

  router.post('/courses/:courseId/lessons/:activityId/done', trainee, action, async (req, res) => {
    const c = course(req, res);
    const act = { opId: action.input(res).op };
    const id = String(req.params['activityId']);
    const { next } = await learning.completeLessonAndContinue(user(res), c.id, id, res.locals.lang, act);
    if (!next) return res.redirect(303, `${courseUrl(c.id)}#rating`);
    res.redirect(303, activityUrl(c.id, { id: next.activityId, type: next.type }));
  });

  const quizOf = (req: Request, res: Response) => {
    const c = course(req, res);
    const quiz = content.getQuiz(c.id, String(req.params['activityId']), res.locals.lang);
    if (!quiz) throw notFound('quiz');
    return { c, quiz };
  };

  router.get('/courses/:courseId/quizzes/:activityId', trainee, (req, res) => {
    const { c, quiz } = quizOf(req, res);
    const status = learning.quizStatus(user(res).id, c.id, quiz.activityId);
    sendPage(
      res,
      <QuizPage page={pageContext(req, res)} course={c} quiz={quiz} status={status} operationId={newId()} />,
    );
  });

  router.post('/courses/:courseId/quizzes/:activityId', trainee, quizAnswers, async (req, res) => {
    const { c, quiz } = quizOf(req, res);
    const form = quizAnswers.input(res);
    const answers: Record<string, string[]> = {};
    for (const q of quiz.questions) answers[q.id] = form.answers[q.id] ?? [];
    const version = form.courseVersion;
    const act = { opId: form.op };
    try {
      await learning.submitQuiz(user(res), c.id, quiz.activityId, res.locals.lang, answers, act, version);
    } catch (e) {
      if (isAppError(e) && e.code === 'no_attempts_left')
        return res.redirect(303, quizUrl(c.id, quiz.activityId));
      // Answers to a version of the course replaced since: the new quiz is shown, saying why.
      if (isAppError(e) && e.code === 'course_replaced') {
        const status = learning.quizStatus(user(res).id, c.id, quiz.activityId);
        return sendPage(
          res,
          <QuizPage
            page={pageContext(req, res)}
            course={c}
            quiz={quiz}
            status={status}
            operationId={newId()}
            error="courseReplaced"
          />,
          409,
        );
      }
      throw e;
    }
    res.redirect(303, `${quizUrl(c.id, quiz.activityId)}/result`);
  });

  router.get('/courses/:courseId/quizzes/:activityId/result', trainee, (req, res) => {
    const { c, quiz } = quizOf(req, res);
    const person = user(res);
    const result = learning.lastQuizResult(person.id, c.id, quiz.activityId, res.locals.lang);
    if (!result) return res.redirect(303, quizUrl(c.id, quiz.activityId));
    const n = learning.courseProgress(person.id, c).next;
    const next = n && n.activityId !== quiz.activityId ? { id: n.activityId, type: n.type } : null;
    sendPage(
      res,
      <ResultPage page={pageContext(req, res)} course={c} quiz={quiz} result={result} next={next} />,
    );
  });

  router.post('/courses/:courseId/rating', trainee, rated, async (req, res) => {
    const c = course(req, res);
    const person = user(res);
    const { rating, comment, op } = rated.input(res);
    if (rating === undefined) return outline(req, res, 400, { error: 'badRating' });
    if (comment.trim().length > COMMENT_MAX) return outline(req, res, 400, { error: 'commentTooLong' });
    await learning.rateCourse(person, c.id, rating, comment, { opId: op });
    res.redirect(303, `${courseUrl(c.id)}?rated=1#rating`);
  });

  return router;
}
