import { describe, expect, it } from 'vitest';
import type { QuizKey } from '../content/content.types.js';
import { gradeQuiz, isCorrect, normaliseAnswer, validateAnswers } from './grading.js';

const fb = { correct: 'yes', incorrect: 'no' };
const key: QuizKey = {
  passMark: 0.75,
  attemptsAllowed: 2,
  questions: [
    { id: 'q1', type: 'single', correct: ['b'], feedback: fb },
    { id: 'q2', type: 'multiple', correct: ['a', 'c'], feedback: fb },
    { id: 'q3', type: 'truefalse', correct: ['false'], feedback: fb },
    { id: 'q4', type: 'short', accepted: ['Straße', 'chain of custody'], feedback: fb },
  ],
};
const q = (i: number) => key.questions[i]!;

describe('grading', () => {
  it('single choice: exactly the right option', () => {
    expect(isCorrect(q(0), ['b'])).toBe(true);
    expect(isCorrect(q(0), ['a'])).toBe(false);
    expect(isCorrect(q(0), ['b', 'a'])).toBe(false);
    expect(isCorrect(q(0), [])).toBe(false);
    expect(isCorrect(q(0), undefined)).toBe(false);
  });

  it('multiple choice: the exact set; a partial or padded selection is wrong', () => {
    expect(isCorrect(q(1), ['c', 'a'])).toBe(true);
    expect(isCorrect(q(1), ['a', 'c', 'a'])).toBe(true);
    expect(isCorrect(q(1), ['a'])).toBe(false);
    expect(isCorrect(q(1), ['a', 'b', 'c'])).toBe(false);
    expect(isCorrect(q(1), [])).toBe(false);
  });

  it('true/false', () => {
    expect(isCorrect(q(2), ['false'])).toBe(true);
    expect(isCorrect(q(2), ['true'])).toBe(false);
    expect(isCorrect(q(2), ['true', 'false'])).toBe(false);
  });

  it('short answers compare after trim, NFKC and case folding', () => {
    expect(isCorrect(q(3), ['  STRASSE '])).toBe(true); // ß folds to ss
    expect(isCorrect(q(3), ['ｃｈａｉｎ　ｏｆ　ｃｕｓｔｏｄｙ'])).toBe(true); // full-width forms
    expect(isCorrect(q(3), ['Chain   of\tCustody'])).toBe(true);
    expect(isCorrect(q(3), ['chain of custod'])).toBe(false);
    expect(isCorrect(q(3), [''])).toBe(false);
    expect(normaliseAnswer('\u0065\u0301')).toBe('\u00e9'); // combining accent composes
    expect(normaliseAnswer('ΟΔΟΣ')).toBe(normaliseAnswer('οδος'));
    // Arabic-Indic and Persian digits read as the digits they are.
    expect(normaliseAnswer('المادة ٣٣')).toBe('المادة 33');
    expect(normaliseAnswer('۱۱۲')).toBe('112');
  });

  it('score is the share of questions right; pass at score >= passMark', () => {
    const all = gradeQuiz(key, { q1: ['b'], q2: ['a', 'c'], q3: ['false'], q4: ['strasse'] });
    expect(all).toMatchObject({ score: 1, correctCount: 4, total: 4, passed: true });
    const three = gradeQuiz(key, { q1: ['b'], q2: ['a'], q3: ['false'], q4: ['strasse'] });
    expect(three.score).toBe(0.75);
    expect(three.passed).toBe(true);
    expect(three.questions.map((x) => x.correct)).toEqual([true, false, true, true]);
    expect(three.questions[1]!.feedback).toBe('no');
    const two = gradeQuiz(key, { q1: ['b'], q3: ['false'] });
    expect(two).toMatchObject({ score: 0.5, passed: false });
    expect(gradeQuiz({ ...key, passMark: 0.7 }, {}).passed).toBe(false);
  });

  it('passes at exactly the pass mark despite binary fractions', () => {
    const tenth: QuizKey = {
      passMark: 0.7,
      attemptsAllowed: 0,
      questions: Array.from({ length: 10 }, (_, i) => ({
        id: `q${i}`,
        type: 'single' as const,
        correct: ['a'],
        feedback: fb,
      })),
    };
    const answers = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`q${i}`, ['a']]));
    expect(gradeQuiz(tenth, answers)).toMatchObject({ correctCount: 7, passed: true });
  });

  it('refuses answers that do not fit the quiz, naming what is wrong', () => {
    expect(() => validateAnswers(key, { q9: ['a'] })).toThrow(/question "q9" is not in this quiz/);
    expect(() => validateAnswers(key, { q1: 'b' })).toThrow(/q1.*list of strings/);
    expect(() => validateAnswers(key, { q4: ['x'.repeat(501)] })).toThrow(/longer than 500/);
    expect(() => validateAnswers(key, null)).toThrow(/answers: must be an object/);
    expect(validateAnswers(key, { q1: ['b'] })).toEqual({ q1: ['b'] });
  });
});
