import type { CourseOutline, LessonView, QuizView } from '../../content/content.types.js';
import type { Language } from '../../core/config.js';
import { percentText } from '../../core/language.js';
import { dirOf, languageNameIn } from '../../web/i18n.js';
import { RowLink, Csrf, Layout } from '../../web/layout.js';
import type { PageContext } from '../../web/page.js';
import type { ActivityProgress, QuizResult, QuizStatus } from '../learning.types.js';
import { OpenActivity, courseUrl, langAttrs, lessonUrl, quizUrl, tr, type LearningKey } from './parts.js';

const pct = (x: number) => Math.round(x * 100);
/** A score or pass mark (0..1) for a catalog's `{percent}`, written as the page's language writes it. */
const pctText = (page: PageContext, x: number) => percentText(page.lang, pct(x));

function ContentLanguageNote({ page, language }: { page: PageContext; language: LessonView['language'] }) {
  if (language === page.lang) return null;
  return (
    <p class="muted">{tr(page, 'contentLanguage', { language: languageNameIn(page.lang, language) })}</p>
  );
}

/** A lesson: the safe HTML stored at import (no script), then "Mark as done and continue". */
export function LessonPage({
  page,
  course,
  lesson,
  progress,
  operationId,
}: {
  page: PageContext;
  course: CourseOutline;
  lesson: LessonView;
  progress: ActivityProgress | undefined;
  /** A fresh operation id for "Mark as done" (src/records/operations.ts); the page script replaces it. */
  operationId: string;
}) {
  const done = progress?.completed === true;
  return (
    <Layout page={page} title={lesson.title}>
      <RowLink href={courseUrl(course.id)}>{tr(page, 'backToCourse')}</RowLink>
      <ContentLanguageNote page={page} language={lesson.language} />
      <article
        class="lesson"
        lang={lesson.language}
        dir={dirOf(lesson.language)}
        data-progress-course={course.id}
        data-progress-activity={lesson.activityId}
        data-ahead={`${lessonUrl(course.id, lesson.activityId)}/ahead`}
        data-title={lesson.title}
      >
        {/* Most lessons open with their own heading; add the title only when they do not. */}
        {!/^\s*<h1[\s>]/.test(lesson.html) && <h1>{lesson.title}</h1>}
        {/* Rendered from Markdown at import by the content store: escaped, no raw HTML, no script. */}
        <div class="lesson-body" dangerouslySetInnerHTML={{ __html: lesson.html }} />
      </article>
      {done && <p class="notice lesson-done">{tr(page, 'lessonDone')}</p>}
      <form
        method="post"
        action={`${lessonUrl(course.id, lesson.activityId)}/done`}
        class="next-step"
        data-queue="lesson.complete"
        data-course={course.id}
        data-activity={lesson.activityId}
        data-title={lesson.title}
      >
        <Csrf page={page} />
        <input type="hidden" name="op" value={operationId} />
        <button type="submit">{tr(page, 'markDone')}</button>
      </form>
      <script src={page.assetUrl('lesson.js')} defer />
    </Layout>
  );
}

/** A quiz form. The view holds prompts and options only: the answers stay on the server. */
export function QuizPage({
  page,
  course,
  quiz,
  status,
  operationId,
  error,
}: {
  page: PageContext;
  course: CourseOutline;
  quiz: QuizView;
  status: QuizStatus;
  /** A fresh operation id for this submission (src/records/operations.ts); the page script may replace it. */
  operationId: string;
  error?: LearningKey | undefined;
}) {
  const out = status.attemptsLeft === 0;
  return (
    <Layout page={page} title={quiz.title}>
      <RowLink href={courseUrl(course.id)}>{tr(page, 'backToCourse')}</RowLink>
      <ContentLanguageNote page={page} language={quiz.language} />
      <h1 {...langAttrs(quiz.language)}>{quiz.title}</h1>
      {error && (
        <p class="error" role="alert">
          {tr(page, error)}
        </p>
      )}
      <ul class="facts muted">
        <li>{tr(page, 'passMark', { percent: pctText(page, quiz.passMark) })}</li>
        <li>
          {status.attemptsLeft === null
            ? tr(page, 'attemptsUnlimited')
            : tr(page, 'attemptsLeft', { n: status.attemptsLeft })}
        </li>
        {status.bestScore !== null && (
          <li>{tr(page, 'bestScore', { percent: pctText(page, status.bestScore) })}</li>
        )}
      </ul>
      {status.passed && !out && <p class="notice">{tr(page, 'alreadyPassed')}</p>}
      {out ? (
        <>
          <p class="error" role="alert">
            {tr(page, 'noAttemptsLeft')}
          </p>
          {status.attemptsUsed > 0 && (
            <RowLink href={`${quizUrl(course.id, quiz.activityId)}/result`}>
              {tr(page, 'resultTitle', { quiz: quiz.title })}
            </RowLink>
          )}
        </>
      ) : (
        <form
          method="post"
          action={quizUrl(course.id, quiz.activityId)}
          class="quiz"
          data-queue="quiz.submit"
          data-course={course.id}
          data-activity={quiz.activityId}
          data-title={quiz.title}
        >
          <Csrf page={page} />
          <input type="hidden" name="op" value={operationId} />
          {/* Answers sent late (from a phone's queue) to a course replaced since are refused, not misgraded. */}
          <input type="hidden" name="courseVersion" value={course.version} />
          <p class="muted">{tr(page, 'quizIntro')}</p>
          {quiz.questions.map((q, i) => {
            const name = `q_${q.id}`;
            const hintId = `${name}-hint`;
            return (
              <fieldset class="card question" aria-describedby={hintId}>
                <legend>{tr(page, 'question', { n: i + 1 })}</legend>
                <p class="prompt" {...langAttrs(quiz.language)}>
                  {q.prompt}
                </p>
                {q.type === 'short' ? (
                  <>
                    <label for={name} id={hintId}>
                      {tr(page, 'yourAnswer')}
                    </label>
                    <input id={name} name={name} type="text" autocomplete="off" maxLength={200} dir="auto" />
                  </>
                ) : (
                  <>
                    <p class="muted hint" id={hintId}>
                      {tr(page, q.type === 'multiple' ? 'chooseMany' : 'chooseOne')}
                    </p>
                    {(q.type === 'truefalse'
                      ? [
                          { id: 'true', text: tr(page, 'true') },
                          { id: 'false', text: tr(page, 'false') },
                        ]
                      : (q.options ?? [])
                    ).map((o) => (
                      <label class="choice">
                        <input
                          type={q.type === 'multiple' ? 'checkbox' : 'radio'}
                          name={name}
                          value={o.id}
                          required={q.type !== 'multiple'}
                        />
                        <span {...langAttrs(q.type === 'truefalse' ? page.lang : quiz.language)}>
                          {o.text}
                        </span>
                      </label>
                    ))}
                  </>
                )}
              </fieldset>
            );
          })}
          <p>
            <button type="submit">{tr(page, 'submit')}</button>
          </p>
        </form>
      )}
    </Layout>
  );
}

/**
 * Answer values in words: option ids become their texts (in the quiz's language), true/false the page's
 * words, a short answer stays as typed; several are joined, none is "No answer".
 */
function answerText(
  page: PageContext,
  q: QuizView['questions'][number] | undefined,
  values: string[],
  quizLang: Language,
) {
  if (!values.length) return <em>{tr(page, 'noAnswer')}</em>;
  if (q?.type === 'truefalse') return values.map((v) => tr(page, v === 'true' ? 'true' : 'false')).join(', ');
  // What the trainee typed may be in any script: let the browser find its direction.
  if (q?.type === 'short') return <bdi dir="auto">{values.join(' · ')}</bdi>;
  const texts = values.map((v) => q?.options?.find((o) => o.id === v)?.text ?? v);
  return <bdi {...langAttrs(quizLang)}>{texts.join(' · ')}</bdi>;
}

/** The result of the last attempt: score, passed or not, feedback per question, attempts left. */
export function ResultPage({
  page,
  course,
  quiz,
  result,
  next,
}: {
  page: PageContext;
  course: CourseOutline;
  quiz: QuizView;
  result: QuizResult;
  next: { id: string; type: 'lesson' | 'quiz' | 'sco' } | null;
}) {
  const questions = new Map(quiz.questions.map((q, i) => [q.id, { n: i + 1, q }]));
  const canRetry = result.attemptsLeft === null || result.attemptsLeft > 0;
  return (
    <Layout page={page} title={tr(page, 'resultTitle', { quiz: quiz.title })}>
      <RowLink href={courseUrl(course.id)}>{tr(page, 'backToCourse')}</RowLink>
      <h1>{tr(page, 'resultTitle', { quiz: quiz.title })}</h1>
      <section class={`card verdict ${result.passed ? 'passed' : 'failed'}`} role="status">
        <p class="score" data-percent={pct(result.score)}>
          {tr(page, 'yourScore', { percent: pctText(page, result.score) })}
        </p>
        <p class="count">{tr(page, 'scoreCount', { n: result.correctCount, total: result.total })}</p>
        <p class={`status ${result.passed ? 'done' : 'failed'}`}>
          {result.passed ? tr(page, 'passed') : tr(page, 'failed')}
        </p>
        <p>
          {result.passed
            ? tr(page, 'passedText')
            : tr(page, 'failedText', { percent: pctText(page, quiz.passMark) })}
        </p>
        <p class="muted">
          {result.attemptsLeft === null
            ? tr(page, 'attemptsUnlimited')
            : tr(page, 'attemptsLeft', { n: result.attemptsLeft })}
        </p>
      </section>
      {result.courseCompleted && result.passed && <p class="notice">{tr(page, 'courseCompleted')}</p>}
      <h2>{tr(page, 'reviewTitle')}</h2>
      {!result.answersShown && <p class="muted">{tr(page, 'answersLater')}</p>}
      <ol class="plain feedback">
        {result.questions.map((r) => {
          const entry = questions.get(r.id);
          const say = (values: string[]) => answerText(page, entry?.q, values, quiz.language);
          return (
            <li class={`card ${r.correct ? 'correct' : 'incorrect'}`} data-question={r.id}>
              <p class="muted">{tr(page, 'question', { n: entry?.n ?? 0 })}</p>
              <p {...langAttrs(quiz.language)}>{entry?.q.prompt}</p>
              <p class="given">
                <span class="label">{tr(page, 'yourAnswerWas')}</span> {say(r.given)}
              </p>
              <p class={`status ${r.correct ? 'done' : 'failed'}`}>
                {r.correct ? `✓ ${tr(page, 'correct')}` : `✗ ${tr(page, 'incorrect')}`}
              </p>
              {r.expected && !r.correct && (
                <p class="expected">
                  <span class="label">{tr(page, 'correctAnswerIs')}</span> {say(r.expected)}
                </p>
              )}
              {r.feedback && <p {...langAttrs(quiz.language)}>{r.feedback}</p>}
            </li>
          );
        })}
      </ol>
      <p class="actions">
        {canRetry && !result.passed && (
          <a class="button" href={quizUrl(course.id, quiz.activityId)}>
            {tr(page, 'tryAgain')}
          </a>
        )}
        {next ? (
          <OpenActivity
            page={page}
            courseId={course.id}
            item={next}
            label={tr(page, 'nextActivity')}
            className={result.passed ? 'button' : 'button secondary'}
          />
        ) : (
          <a
            class={result.passed ? 'button' : 'button secondary'}
            href={result.courseCompleted ? `${courseUrl(course.id)}#rating` : courseUrl(course.id)}
          >
            {tr(page, 'backToCourse')}
          </a>
        )}
        {canRetry && result.passed && (
          <a class="button secondary" href={quizUrl(course.id, quiz.activityId)}>
            {tr(page, 'tryAgain')}
          </a>
        )}
      </p>
    </Layout>
  );
}
