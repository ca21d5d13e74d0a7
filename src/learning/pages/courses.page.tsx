import type { CourseSummary } from '../../content/content.types.js';
import { Layout } from '../../web/layout.js';
import type { PageContext } from '../../web/page.js';
import type { ContinueTarget, CourseProgressSummary } from '../learning.types.js';
import { OpenActivity, ProgressBar, courseUrl, langAttrs, tr } from './parts.js';

/** "My courses": the place to continue at the top, then each course with its progress. */
export function CoursesPage({
  page,
  courses,
  progress,
  next,
}: {
  page: PageContext;
  courses: CourseSummary[];
  progress: Record<string, CourseProgressSummary>;
  next: ContinueTarget | null;
}) {
  const name = page.user?.person.displayName ?? '';
  return (
    <Layout page={page} title={tr(page, 'myCourses')}>
      <p class="muted">{tr(page, 'hello', { name })}</p>
      {next && (
        <section class="card continue" aria-labelledby="continue-title">
          <h2 id="continue-title">{tr(page, 'continueTitle')}</h2>
          <p>
            <strong dir="auto">{next.title}</strong>
            <br />
            <span class="muted">{tr(page, 'continueIn', { course: next.courseTitle })}</span>
          </p>
          <OpenActivity
            page={page}
            courseId={next.courseId}
            item={{ id: next.activityId, type: next.type }}
            label={tr(page, 'continue')}
            className="button"
          />
        </section>
      )}
      <h1>{tr(page, 'myCourses')}</h1>
      {courses.length === 0 && <p class="notice">{tr(page, 'noCourses')}</p>}
      <ul class="plain">
        {courses.map((c) => {
          const p = progress[c.id] ?? { percent: 0, completed: false, lastActivityAt: null };
          return (
            <li class="card course">
              <h2 {...langAttrs(c.language)}>
                <a href={courseUrl(c.id)}>{c.title}</a>
              </h2>
              {c.description && (
                <p class="muted" {...langAttrs(c.language)}>
                  {c.description}
                </p>
              )}
              <ProgressBar page={page} percent={p.percent} />
              {p.completed && <p class="status done">✓ {tr(page, 'courseDone')}</p>}
            </li>
          );
        })}
      </ul>
    </Layout>
  );
}
