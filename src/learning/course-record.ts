import type { Language } from '../core/config.js';
import { courseBodySchema, type CourseBody } from '../contract/journal.js';
import { defaultAssessed } from '../contract/outcomes.js';
import type { ContentService } from '../content/content.service.js';
import type { ScormPackageInfo } from '../content/scorm/scorm-package.js';
import type { RecordsService } from '../records/records.service.js';

/**
 * The journal's `course` row of an installed course: what the outcomes module needs to decide a
 * course's completion and pass/fail, and what HQ cannot otherwise know (its items, which are assessed,
 * pass marks). Built from the content store; null when the course is not installed or is disabled
 * beyond reading.
 */
export function courseBody(content: ContentService, courseId: string): CourseBody | null {
  const installed = content.listInstalled().find((c) => c.id === courseId);
  if (!installed) return null;
  const titles: Record<string, string> = {};
  const activityTitles = new Map<string, Record<string, string>>();
  let outline: ReturnType<ContentService['getCourse']>;
  for (const lang of installed.languages) {
    const o = content.getCourse(courseId, lang);
    if (!o) continue;
    outline ??= o;
    titles[lang] = o.title;
    for (const m of o.modules)
      for (const i of m.items) {
        const t = activityTitles.get(i.id) ?? {};
        t[lang] = i.title;
        activityTitles.set(i.id, t);
      }
  }
  if (!outline) return null;
  const lang: Language = outline.language;
  const scorm = installed.kind === 'native' ? undefined : (content.scormInfo(courseId) as ScormPackageInfo);
  const activities: CourseBody['activities'] = outline.modules.flatMap((m) =>
    m.items.map((i) => {
      const a: CourseBody['activities'][number] = {
        id: i.id,
        type: i.type,
        titles: activityTitles.get(i.id) ?? {},
      };
      if (i.type === 'quiz') {
        const key = content.getQuizKey(courseId, i.id, lang);
        if (key) a.passMark = key.passMark;
      }
      const mastery = scorm?.activities[i.id]?.masteryScore;
      if (mastery !== undefined) a.masteryScore = mastery / 100;
      return a;
    }),
  );
  return courseBodySchema.parse({
    id: courseId,
    version: installed.version,
    kind: installed.kind,
    titles,
    activities,
    assessed: installed.kind === 'native' ? (installed.assessed ?? defaultAssessed(activities)) : [],
  });
}

/**
 * Append a `course` journal row for every installed course version that has none yet (ref
 * `<course>@<version>`). Run at start-up and after every install, upgrade or enabling; idempotent.
 */
export function journalCourses(content: ContentService, records: RecordsService): number {
  let added = 0;
  for (const c of content.listInstalled()) {
    const ref = `${c.id}@${c.version}`;
    if (records.hasJournalRow('course', ref)) continue;
    const body = courseBody(content, c.id);
    if (!body) continue;
    records.writeNow(() => {
      if (!records.hasJournalRow('course', ref)) {
        records.appendJournal('course', ref, body);
        added++;
      }
    });
  }
  return added;
}
