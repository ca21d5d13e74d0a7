import type { Language } from '../core/config.js';

/**
 * The contract between the content store (what is installed) and the features that show and grade it.
 * Views never hold correct answers; `QuizKey` is read on the server only, when grading.
 */
export type CourseKind = 'native' | 'scorm12' | 'scorm2004';
export type ActivityType = 'lesson' | 'quiz' | 'sco';

export interface CourseSummary {
  id: string;
  version: string;
  kind: CourseKind;
  /** Title and description in the language asked for, or the course's default language. */
  title: string;
  description: string;
  language: Language;
  languages: Language[];
  signed: boolean;
  active: boolean;
  installedAt: string;
  /** Activities that count towards completion (lessons, quizzes, SCOs). */
  activityCount: number;
  /** course.json `assessed` (the items that decide pass/fail); null = every quiz. */
  assessed: string[] | null;
}

export interface OutlineItem {
  id: string;
  type: ActivityType;
  title: string;
}

export interface CourseOutline extends CourseSummary {
  modules: { id: string; title: string; items: OutlineItem[] }[];
}

export interface LessonView {
  courseId: string;
  activityId: string;
  title: string;
  language: Language;
  /** Safe HTML rendered at import (no raw script); media URLs point at /c/<sha256>.<ext>. */
  html: string;
}

export type QuestionType = 'single' | 'multiple' | 'truefalse' | 'short';

export interface QuestionView {
  id: string;
  type: QuestionType;
  prompt: string;
  /** For single and multiple; true/false questions get their options from the message catalog. */
  options?: { id: string; text: string }[];
}

export interface QuizView {
  courseId: string;
  activityId: string;
  title: string;
  language: Language;
  /** 0..1 */
  passMark: number;
  /** 0 = unlimited */
  attemptsAllowed: number;
  questions: QuestionView[];
}

export interface QuestionKey {
  id: string;
  type: QuestionType;
  /** Option ids (single: one; multiple: all of them), or 'true' / 'false'. */
  correct?: string[];
  /** Accepted answers for short questions, compared after trim, case-fold and Unicode normalisation. */
  accepted?: string[];
  feedback: { correct: string; incorrect: string };
}

export interface QuizKey {
  passMark: number;
  attemptsAllowed: number;
  /** course.json `showCorrectAnswers`; absent in keys stored before it existed (= 'final'). */
  showCorrectAnswers?: 'final' | 'always';
  questions: QuestionKey[];
}

/** A file of an installed course, content-addressed. */
export interface StoredFile {
  sha256: string;
  size: number;
  type: string;
  /** Set when a compressed variant was stored at import (text assets). */
  gzipSize?: number;
  brotliSize?: number;
}

/** What the rest of the box may ask of the content store. */
export interface ContentReader {
  listCourses(lang: Language, opts?: { includeInactive?: boolean }): CourseSummary[];
  getCourse(courseId: string, lang: Language): CourseOutline | undefined;
  activeCourse(courseId: string, lang: Language): CourseOutline;
  getLesson(courseId: string, activityId: string, lang: Language): LessonView | undefined;
  getQuiz(courseId: string, activityId: string, lang: Language): QuizView | undefined;
  getQuizKey(courseId: string, activityId: string, lang: Language): QuizKey | undefined;
  /** SCORM: the manifest's mastery score of each SCO that has one (0..100, 1.2 adlcp:masteryscore). */
  masteryScores(courseId: string): ReadonlyMap<string, number>;
  /** A blob by its hash (for /c/<sha256>.<ext>). */
  getBlob(sha256: string): StoredFile | undefined;
  /** Read [start, end] (inclusive) of a blob, or a stored compressed variant of it. */
  readBlob(sha256: string, start: number, end: number, encoding?: 'identity' | 'gzip' | 'br'): Buffer;
}
