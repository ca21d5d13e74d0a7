import { westernDigits } from '../core/text-keys.js';
import { learningError } from './learning.errors.js';
import type { QuestionKey, QuizKey } from '../content/content.types.js';

/** Limits on what a submitted quiz may hold (a form is untrusted input). */
export const ANSWER_LIMITS = { valuesPerQuestion: 50, valueLength: 500 } as const;

/**
 * Normalise a short answer before comparing: Unicode NFKC (full-width and compatibility forms fold to
 * their plain form), full case folding (upper then lower maps "ß" to "ss" and final sigma to sigma),
 * trimmed, inner runs of white space collapsed to one space, and Arabic-Indic and Persian digits read
 * as 0-9 (NFKC leaves them alone, and a trainee typing "٣٣" means 33).
 */
export function normaliseAnswer(s: string): string {
  const folded = s
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .trim()
    .replace(/\s+/gu, ' ');
  return westernDigits(folded);
}

/** The answers to one question, deduplicated, empty values dropped. */
function values(answers: readonly string[] | undefined): string[] {
  return [...new Set((answers ?? []).filter((a) => a.trim() !== ''))];
}

/**
 * Whether `answers` answers `key` correctly. single and true/false: exactly the one right value;
 * multiple: exactly the set of right options (a partly right selection is wrong); short: one answer
 * that equals an accepted answer after `normaliseAnswer`.
 */
export function isCorrect(key: QuestionKey, answers: readonly string[] | undefined): boolean {
  const given = values(answers);
  const correct = key.correct ?? [];
  switch (key.type) {
    case 'single':
      return given.length === 1 && correct.length === 1 && given[0] === correct[0];
    case 'truefalse':
      return given.length === 1 && correct.length === 1 && given[0]!.trim().toLowerCase() === correct[0];
    case 'multiple': {
      const want = new Set(correct);
      return given.length === want.size && want.size > 0 && given.every((g) => want.has(g));
    }
    case 'short': {
      if (given.length !== 1) return false;
      const g = normaliseAnswer(given[0]!);
      return (key.accepted ?? []).some((a) => normaliseAnswer(a) === g);
    }
  }
}

export interface GradedQuestion {
  id: string;
  correct: boolean;
  feedback: string;
  /** What the trainee gave, deduplicated (stored in the attempt and the 'answered' statement). */
  given: string[];
}

export interface GradedQuiz {
  /** 0..1: the share of questions answered right. */
  score: number;
  correctCount: number;
  total: number;
  passed: boolean;
  questions: GradedQuestion[];
}

/**
 * Check the shape of submitted answers: only questions of this quiz, lists of strings within limits.
 * Unanswered questions are allowed (they count as wrong). Throws answers_invalid naming the problem
 * (the English detail for the log and JSON; the trainee reads the code's text in their language).
 */
export function validateAnswers(key: QuizKey, answers: unknown): Record<string, string[]> {
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers))
    throw learningError('answers_invalid', { detail: 'must be an object of question id -> list of answers' });
  const ids = new Set(key.questions.map((q) => q.id));
  const out: Record<string, string[]> = {};
  for (const [qid, v] of Object.entries(answers as Record<string, unknown>)) {
    if (!ids.has(qid))
      throw learningError('answers_invalid', { detail: `question "${qid}" is not in this quiz` });
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      throw learningError('answers_invalid', { detail: `question "${qid}": must be a list of strings` });
    if (v.length > ANSWER_LIMITS.valuesPerQuestion)
      throw learningError('answers_invalid', {
        detail: `question "${qid}": more than ${ANSWER_LIMITS.valuesPerQuestion} answers`,
      });
    if (v.some((x) => x.length > ANSWER_LIMITS.valueLength))
      throw learningError('answers_invalid', {
        detail: `question "${qid}": an answer is longer than ${ANSWER_LIMITS.valueLength} characters`,
      });
    out[qid] = v;
  }
  return out;
}

/** Grade a whole quiz. Pass when score >= passMark (with a tolerance for binary fractions such as 7/10). */
export function gradeQuiz(key: QuizKey, answers: Record<string, readonly string[]>): GradedQuiz {
  const questions = key.questions.map((q): GradedQuestion => {
    const correct = isCorrect(q, answers[q.id]);
    return {
      id: q.id,
      correct,
      feedback: correct ? q.feedback.correct : q.feedback.incorrect,
      given: values(answers[q.id]),
    };
  });
  const correctCount = questions.filter((q) => q.correct).length;
  const total = questions.length;
  const score = total === 0 ? 0 : correctCount / total;
  return { score, correctCount, total, passed: score + 1e-9 >= key.passMark, questions };
}
