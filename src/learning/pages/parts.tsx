import type { ActivityType, OutlineItem } from '../../content/content.types.js';
import type { Language } from '../../core/config.js';
import { percentText } from '../../core/language.js';
import { dirOf } from '../../web/i18n.js';
import { Csrf } from '../../web/layout.js';
import type { PageContext } from '../../web/page.js';
import { tLearning } from './learning.messages.js';

export type LearningKey = Parameters<typeof tLearning>[1];
export const tr = (page: PageContext, key: LearningKey, params?: Record<string, string | number>) =>
  tLearning(page.lang, key, params);

/** lang and dir for course text, which may be in another language than the page (a fallback). */
export const langAttrs = (lang: Language) => ({ lang, dir: dirOf(lang) });

const enc = encodeURIComponent;
export const courseUrl = (courseId: string) => `/courses/${enc(courseId)}`;
export const lessonUrl = (courseId: string, id: string) => `/courses/${enc(courseId)}/lessons/${enc(id)}`;
export const quizUrl = (courseId: string, id: string) => `/courses/${enc(courseId)}/quizzes/${enc(id)}`;
/** A SCO of a SCORM course: the player page (src/learning/scorm.routes.tsx). */
export const scoUrl = (courseId: string, id: string) => `/courses/${enc(courseId)}/scorm/${enc(id)}`;
export const activityUrl = (courseId: string, item: { id: string; type: ActivityType }) =>
  item.type === 'quiz'
    ? quizUrl(courseId, item.id)
    : item.type === 'sco'
      ? scoUrl(courseId, item.id)
      : lessonUrl(courseId, item.id);

/** A progress bar with its percent in words (the bar alone says nothing to a screen reader). */
export function ProgressBar({ page, percent }: { page: PageContext; percent: number }) {
  const label = tr(page, 'percentDone', { percent: percentText(page.lang, percent) });
  return (
    <div class="progress-row">
      <div
        class="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-label={tr(page, 'progress')}
      >
        <span style={`width:${percent}%`} />
      </div>
      <span class="percent">{label}</span>
    </div>
  );
}

/**
 * Go to an activity. Opening a lesson is recorded ('experienced'), so it is a POST (a GET never changes
 * anything): a small form whose button looks like a link. A quiz page records nothing until it is sent,
 * so it is a plain link.
 */
export function OpenActivity({
  page,
  courseId,
  item,
  label,
  className,
}: {
  page: PageContext;
  courseId: string;
  item: Pick<OutlineItem, 'id' | 'type'>;
  label: string;
  className?: string;
}) {
  // Quizzes record nothing until sent, SCOs record through their runtime: plain links.
  if (item.type === 'quiz' || item.type === 'sco')
    return (
      <a href={activityUrl(courseId, item)} class={className}>
        {label}
      </a>
    );
  return (
    <form method="post" action={`${lessonUrl(courseId, item.id)}/open`} class="inline">
      <Csrf page={page} />
      <button type="submit" class={className ?? 'link'}>
        {label}
      </button>
    </form>
  );
}
