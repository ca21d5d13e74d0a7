export type ProgressStatus = 'not_started' | 'started' | 'completed' | 'failed' | 'passed';

export interface ActivityProgress {
  courseId: string;
  activityId: string;
  status: ProgressStatus;
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

/**
 * Statement extensions the learning feature adds (beside EXT in src/records/xapi.ts). They make every
 * statement self-contained, so derived state can be rebuilt from the journal alone.
 */
export const LEARNING_EXT = {
  /** result.extensions of 'progressed': how far into a lesson the trainee got, 0..100 (the cmi5 IRI). */
  progress: 'https://w3id.org/xapi/cmi5/result/extensions/progress',
  /** Quiz attempt number (1, 2...) on 'answered', 'passed' and 'failed'. */
  attempt: 'urn:fieldclass:ext:attempt',
  /** On 'answered': the quiz and the question inside it. */
  quizId: 'urn:fieldclass:ext:quiz-id',
  questionId: 'urn:fieldclass:ext:question-id',
  questionType: 'urn:fieldclass:ext:question-type',
  /**
   * result.extensions of 'answered': the exact list of values given; of 'passed'/'failed': the whole
   * attempt, question id -> values (what the attempts table keeps).
   */
  answers: 'urn:fieldclass:ext:answers',
} as const;
