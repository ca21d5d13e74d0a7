import { z } from 'zod';
import { languageSchema, type Language } from '../core/config.js';

/**
 * The native course format (content-bundles/README.md): the shape of course.json and of a quiz file.
 * Structural rules live here; rules that need several files at once (every language present, media that
 * exists, quiz variants that agree) are checked by the importer, which names the file and the field.
 */
const idPattern = /^[a-z0-9][a-z0-9-]*$/;
export const courseIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'must be 3 to 64 characters: a-z, 0-9 and "-", not starting with "-"');
const itemId = z.string().regex(idPattern, 'must use only a-z, 0-9 and "-", not starting with "-"');
const text = z.string().trim().min(1, 'must not be empty');
/** A text per language; which languages must be present is checked against "languages". */
const texts = z.record(z.string(), z.string());

export const versionSchema = z
  .string()
  .regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}$/, 'must be a version x.y.z, such as 1.0.0');

const itemSchema = z.strictObject({
  id: itemId,
  type: z.enum(['lesson', 'quiz']),
  title: texts,
  file: z
    .string()
    .regex(
      /^(lessons|quizzes)\/[A-Za-z0-9][A-Za-z0-9_-]*$/,
      'must be "lessons/<name>" or "quizzes/<name>", without language or extension',
    ),
});

const moduleSchema = z.strictObject({
  id: itemId,
  title: texts,
  items: z.array(itemSchema).min(1, 'a module needs at least one item'),
});

export const courseJsonSchema = z.strictObject({
  id: courseIdSchema,
  version: versionSchema,
  language: languageSchema,
  languages: z.array(languageSchema).min(1),
  title: texts,
  description: texts,
  modules: z.array(moduleSchema).min(1, 'a course needs at least one module'),
  /**
   * The item ids that decide pass/fail (src/contract/outcomes.ts); default: every quiz. An empty list:
   * nothing is assessed (the course has no pass/fail).
   */
  assessed: z.array(itemId).optional(),
  /**
   * When a quiz's review shows the correct answers: "final" (default) once the trainee has passed the
   * quiz or has no attempt left, so that a retry is not a copy; "always" after every attempt.
   */
  showCorrectAnswers: z.enum(['final', 'always']).default('final'),
});
export type CourseJson = z.infer<typeof courseJsonSchema>;
export type CourseItemJson = z.infer<typeof itemSchema>;

const option = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must use only letters, digits, "-" and "_"'),
  text,
});
const feedback = z
  .strictObject({ correct: z.string().default(''), incorrect: z.string().default('') })
  .default({ correct: '', incorrect: '' });
const qid = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must use only letters, digits, "-" and "_"');

const questionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    id: qid,
    type: z.literal('single'),
    prompt: text,
    options: z.array(option).min(2, 'needs at least two options'),
    answer: z.string(),
    feedback,
  }),
  z.strictObject({
    id: qid,
    type: z.literal('multiple'),
    prompt: text,
    options: z.array(option).min(2, 'needs at least two options'),
    answer: z.array(z.string()).min(1, 'needs at least one correct option'),
    feedback,
  }),
  z.strictObject({ id: qid, type: z.literal('truefalse'), prompt: text, answer: z.boolean(), feedback }),
  z.strictObject({
    id: qid,
    type: z.literal('short'),
    prompt: text,
    accepted: z.array(text).min(1, 'needs at least one accepted answer'),
    feedback,
  }),
]);

export const quizJsonSchema = z.strictObject({
  passMark: z.number().min(0).max(1),
  attemptsAllowed: z.number().int().min(0),
  questions: z.array(questionSchema).min(1, 'a quiz needs at least one question'),
});
export type QuizJson = z.infer<typeof quizJsonSchema>;
export type QuestionJson = QuizJson['questions'][number];

/**
 * Turn a zod error into lines `<file>: <where>: <what>`, naming list entries by their id when they have
 * one (`module m1: item final-quiz: title`, `question q3: answer`).
 */
export function describeIssues(file: string, err: z.ZodError, input: unknown): string[] {
  return err.issues.map((issue) => {
    const parts: string[] = [];
    let node: unknown = input;
    const path = issue.path;
    for (let i = 0; i < path.length; i++) {
      const key = path[i];
      const next = path[i + 1];
      const child: unknown =
        node && typeof node === 'object'
          ? (node as Record<PropertyKey, unknown>)[key as PropertyKey]
          : undefined;
      const label = { modules: 'module', items: 'item', questions: 'question', options: 'option' }[
        String(key)
      ];
      if (label && typeof next === 'number') {
        const entry: unknown = Array.isArray(child) ? child[next] : undefined;
        const id = entry && typeof entry === 'object' ? (entry as Record<string, unknown>)['id'] : undefined;
        parts.push(typeof id === 'string' && id ? `${label} ${id}` : `${label} #${next + 1}`);
        node = entry;
        i++;
        continue;
      }
      parts.push(String(key));
      node = child;
    }
    let message = issue.message;
    if (issue.code === 'unrecognized_keys')
      message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    else if (issue.code === 'invalid_type' && /received undefined/.test(issue.message))
      message = 'is required';
    else if (issue.code === 'invalid_union' && message.startsWith('Invalid discriminator value')) {
      const expected = /Expected (.+)$/.exec(message)?.[1] ?? '';
      message = `must be one of ${expected
        .split(' | ')
        .map((v) => `"${v.replace(/'/g, '')}"`)
        .join(', ')}`;
    }
    return parts.length ? `${file}: ${parts.join(': ')}: ${message}` : `${file}: ${message}`;
  });
}

export function missingLanguages(t: Record<string, string>, languages: readonly Language[]): Language[] {
  return languages.filter((l) => typeof t[l] !== 'string' || t[l].trim() === '');
}
