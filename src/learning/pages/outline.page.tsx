import type { CourseOutline } from '../../content/content.types.js';
import { percentText } from '../../core/language.js';
import { RowLink, Csrf, Layout } from '../../web/layout.js';
import type { PageContext } from '../../web/page.js';
import type { ActivityProgress, CourseProgress } from '../learning.types.js';
import { OpenActivity, ProgressBar, courseUrl, langAttrs, tr, type LearningKey } from './parts.js';

function statusOf(
  a: ActivityProgress | undefined,
  isNext: boolean,
): { key: LearningKey; cls: string; mark: string } {
  switch (a?.status) {
    case 'completed':
      return { key: 'statusDone', cls: 'done', mark: '✓' };
    case 'passed':
      return { key: 'statusPassed', cls: 'done', mark: '✓' };
    case 'failed':
      return { key: 'statusFailed', cls: 'failed', mark: '✗' };
    case 'started':
      return { key: isNext ? 'statusNext' : 'statusStarted', cls: isNext ? 'next' : 'started', mark: '●' };
    default:
      return isNext
        ? { key: 'statusNext', cls: 'next', mark: '➜' }
        : { key: 'statusNotStarted', cls: 'todo', mark: '○' };
  }
}

/** The course outline: modules, lessons and quizzes, what is done and what comes next; rating at the end. */
export function OutlinePage({
  page,
  course,
  progress,
  rating,
  ratingNames,
  thanked,
  error,
  locked,
  hidden,
  unlinked,
  operationId,
}: {
  page: PageContext;
  course: CourseOutline;
  progress: CourseProgress;
  /** A fresh operation id for the rating form (src/records/operations.ts); the page script replaces it. */
  operationId: string;
  /** SCOs a SCORM 2004 package's sequencing rules do not allow yet: listed, not linked. */
  locked?: ReadonlySet<string> | undefined;
  /** SCOs its rules hide from the table of contents. */
  hidden?: ReadonlySet<string> | undefined;
  /** SCOs listed without a link: the package's control mode has choice="false" (only flow reaches them). */
  unlinked?: ReadonlySet<string> | undefined;
  rating: { rating: number; comment: string } | null;
  /** The box's setting: do reports show the trainee's name beside their rating and comment? */
  ratingNames: boolean;
  /** Just rated: the thank-you is shown in the rating card, where the page lands (#rating). */
  thanked?: boolean | undefined;
  error?: LearningKey | undefined;
}) {
  const total = Object.keys(progress.activities).length;
  const done = Object.values(progress.activities).filter((a) => a.completed).length;
  return (
    <Layout page={page} title={course.title}>
      <RowLink href="/">{tr(page, 'backToCourses')}</RowLink>
      <h1 {...langAttrs(course.language)}>{course.title}</h1>
      {course.description && (
        <p class="muted" {...langAttrs(course.language)}>
          {course.description}
        </p>
      )}
      <ProgressBar page={page} percent={progress.percent} />
      <p class="muted">{tr(page, 'itemsDone', { done, total })}</p>
      {progress.completed && progress.result !== 'failed' && (
        <p class="notice course-complete" role="status">
          {tr(page, 'courseCompleted')}
        </p>
      )}
      {progress.result === 'failed' && (
        <p class="error course-failed" role="status">
          {tr(page, 'courseFailed')}
        </p>
      )}
      {course.modules.map((m, mi) => (
        <section class="card module">
          <h2 {...langAttrs(course.language)}>
            {mi + 1}. {m.title}
          </h2>
          <ol class="items">
            {m.items.map((item) => {
              if (hidden?.has(item.id)) return null;
              const a = progress.activities[item.id];
              const isNext = progress.next?.activityId === item.id;
              const isLocked = locked?.has(item.id) ?? false;
              const s = isLocked
                ? { key: 'statusLocked' as const, cls: 'locked', mark: '🔒' }
                : statusOf(a, isNext);
              return (
                <li class={`item ${s.cls}`} data-activity={item.id} data-status={a?.status ?? 'not_started'}>
                  <span class="mark" aria-hidden="true">
                    {s.mark}
                  </span>
                  <span class="item-main">
                    <span {...langAttrs(course.language)}>
                      {isLocked || unlinked?.has(item.id) ? (
                        item.title
                      ) : (
                        <OpenActivity page={page} courseId={course.id} item={item} label={item.title} />
                      )}
                    </span>
                    <span class="muted kind">
                      {tr(
                        page,
                        item.type === 'quiz' ? 'quiz' : item.type === 'lesson' ? 'lesson' : 'activity',
                      )}
                      {a?.bestScore != null &&
                        ` · ${tr(page, 'scoreShort', { percent: percentText(page.lang, Math.round(a.bestScore * 100)) })}`}
                    </span>
                  </span>
                  <span class={`status ${s.cls}`}>{tr(page, s.key)}</span>
                </li>
              );
            })}
          </ol>
        </section>
      ))}
      {progress.completed && (
        <RatingForm
          page={page}
          courseId={course.id}
          rating={rating}
          ratingNames={ratingNames}
          thanked={thanked}
          error={error}
          operationId={operationId}
        />
      )}
    </Layout>
  );
}

function RatingForm({
  page,
  courseId,
  rating,
  ratingNames,
  thanked,
  error,
  operationId,
}: {
  page: PageContext;
  courseId: string;
  operationId: string;
  rating: { rating: number; comment: string } | null;
  ratingNames: boolean;
  thanked?: boolean | undefined;
  error?: LearningKey | undefined;
}) {
  const form = (
    <form
      method="post"
      action={`${courseUrl(courseId)}/rating`}
      data-queue="course.rate"
      data-course={courseId}
    >
      <Csrf page={page} />
      <input type="hidden" name="op" value={operationId} />
      <fieldset class="stars">
        <legend>{tr(page, 'ratePrompt')}</legend>
        {([5, 4, 3, 2, 1] as const).map((n) => (
          <label class="choice">
            <input type="radio" name="rating" value={String(n)} required checked={rating?.rating === n} />
            <span>
              {n} – {tr(page, `rate${n}`)}
            </span>
          </label>
        ))}
      </fieldset>
      <label for="comment">{tr(page, 'comment')}</label>
      <textarea id="comment" name="comment" rows={3} maxLength={2000} aria-describedby="rating-privacy">
        {rating?.comment ?? ''}
      </textarea>
      <p class="muted" id="rating-privacy" data-rating-names={ratingNames ? 'shown' : 'hidden'}>
        {tr(page, ratingNames ? 'ratingNamed' : 'ratingAnonymous')}
      </p>
      <p>
        <button type="submit">{tr(page, 'sendRating')}</button>
      </p>
    </form>
  );
  return (
    <section class="card rating" id="rating" aria-labelledby="rating-title">
      <h2 id="rating-title">{tr(page, 'rateTitle')}</h2>
      {error && (
        <p class="error" role="alert">
          {tr(page, error)}
        </p>
      )}
      {thanked && rating && !error && (
        <p class="notice thanks" role="status">
          {tr(page, 'thanks')}
        </p>
      )}
      {rating ? (
        <>
          <p>{tr(page, 'yourRating', { n: rating.rating })}</p>
          {rating.comment && (
            <figure class="your-comment">
              <figcaption class="muted">{tr(page, 'yourComment')}</figcaption>
              <blockquote dir="auto">{rating.comment}</blockquote>
            </figure>
          )}
          <details open={!!error}>
            <summary>{tr(page, 'changeRating')}</summary>
            {form}
          </details>
        </>
      ) : (
        form
      )}
    </section>
  );
}
