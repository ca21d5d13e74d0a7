import type { CourseResult } from '../contract/outcomes.js';

export type ProgressStatus = 'not_started' | 'started' | 'completed' | 'failed' | 'passed';

export interface ActivityProgress {
  courseId: string;
  activityId: string;
  status: ProgressStatus;
  /** Completed or passed (a submitted quiz is completed whatever its score; status shows failed). */
  completed: boolean;
  /** Best scaled score 0..1, or null when never scored. */
  bestScore: number | null;
  attempts: number;
  position: string | null;
  updatedAt: string | null;
}

export interface CourseProgress {
  courseId: string;
  /** 0..100, share of the course's activities done (completed or passed). */
  percent: number;
  completed: boolean;
  /** Pass/fail by the outcomes module (src/contract/outcomes.ts). */
  result: CourseResult;
  activities: Record<string, ActivityProgress>;
  /** The first activity not yet done, in outline order. */
  next: { activityId: string; type: 'lesson' | 'quiz' | 'sco' } | null;
  lastActivityAt: string | null;
}

export interface QuizQuestionResult {
  id: string;
  correct: boolean;
  feedback: string;
  /** What the trainee gave: option ids, 'true'/'false', or the short answer typed. */
  given: string[];
  /** The right answer(s) in the same terms, or null while the review may not show them. */
  expected: string[] | null;
}

export interface QuizResult {
  courseId: string;
  activityId: string;
  attemptNo: number;
  /** 0..1 */
  score: number;
  /** The score as a count: correctCount of total questions right. */
  correctCount: number;
  total: number;
  passed: boolean;
  /** null when unlimited */
  attemptsLeft: number | null;
  /** Whether the review shows the correct answers (see course.json `showCorrectAnswers`). */
  answersShown: boolean;
  questions: QuizQuestionResult[];
  courseCompleted: boolean;
}

/** What `quizStatus` tells a quiz page before the trainee starts. */
export interface QuizStatus {
  attemptsUsed: number;
  /** null when unlimited */
  attemptsLeft: number | null;
  /** Best scaled score 0..1 so far, or null. */
  bestScore: number | null;
  passed: boolean;
}

/** One course on "My courses". */
export interface CourseProgressSummary {
  percent: number;
  completed: boolean;
  lastActivityAt: string | null;
}

/** "Continue where you left off". */
export interface ContinueTarget {
  courseId: string;
  activityId: string;
  type: 'lesson' | 'quiz' | 'sco';
  title: string;
  courseTitle: string;
}
