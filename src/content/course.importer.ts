import { createHash } from 'node:crypto';
import type { Language } from '../core/config.js';
import type { AppError } from '../core/errors.js';
import { contentError } from './content.errors.js';
import type { CourseSource } from './course-source.js';
import {
  courseJsonSchema,
  describeIssues,
  missingLanguages,
  quizJsonSchema,
  type CourseJson,
  type QuizJson,
} from './course.schema.js';
import type { ActivityType, CourseKind, QuestionView, QuizKey } from './content.types.js';
import { renderLesson } from './markdown.js';
import { extOf, mediaTypeOf, NATIVE_MEDIA_EXTS } from './media-types.js';

/** Piece size used to hash and store large files without holding them whole. */
export const CHUNK_SIZE = 256 * 1024;
/** At most this many problems are listed in one refusal (the rest are counted). */
const MAX_ERRORS = 50;

export interface PreparedFile {
  path: string;
  sha256: string;
  size: number;
  type: string;
  ext: string;
  /** Stored as a blob and served at /c/<sha256>.<ext>. */
  served: boolean;
  compress: boolean;
}

export interface QuizViewData {
  passMark: number;
  attemptsAllowed: number;
  questions: QuestionView[];
}

/** A course checked, rendered and hashed, ready to be written in one transaction. */
export interface PreparedCourse {
  id: string;
  version: string;
  kind: CourseKind;
  language: Language;
  languages: Language[];
  titles: Record<string, string>;
  descriptions: Record<string, string>;
  digest: string;
  modules: { id: string; ord: number; titles: Record<string, string> }[];
  activities: {
    id: string;
    type: ActivityType;
    moduleId: string;
    ord: number;
    titles: Record<string, string>;
    file: string;
  }[];
  lessons: { activityId: string; lang: Language; html: string }[];
  quizzes: { activityId: string; lang: Language; view: QuizViewData; key: QuizKey }[];
  files: PreparedFile[];
  warnings: string[];
  /** SCORM packages only: what the runtime needs (src/content/scorm/scorm-package.ts). */
  scorm?: unknown;
  /** course.json `assessed` (native courses); absent = every quiz. */
  assessed?: string[];
}

/** The refusal of an invalid course: every problem found, each naming its file and field. */
export function courseInvalid(
  source: string,
  errors: string[],
  extra: Record<string, unknown> = {},
): AppError {
  const shown = errors.slice(0, MAX_ERRORS);
  const more = errors.length > shown.length ? `\n(and ${errors.length - shown.length} more problems)` : '';
  return contentError(
    'course_invalid',
    { detail: `${shown.join('\n')}${more}` },
    { source, errors: shown, ...extra },
  );
}

function sha256Of(source: CourseSource, path: string): string {
  const h = createHash('sha256');
  for (const piece of source.pieces(path, 1024 * 1024)) h.update(piece);
  return h.digest('hex');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function readText(source: CourseSource, path: string, errors: string[]): string | undefined {
  try {
    return utf8.decode(source.read(path)).replace(/^\uFEFF/, '');
  } catch {
    errors.push(`${path}: not valid UTF-8 text`);
    return undefined;
  }
}

function parseJson(source: CourseSource, path: string, errors: string[]): unknown {
  const textOf = readText(source, path, errors);
  if (textOf === undefined) return undefined;
  try {
    return JSON.parse(textOf) as unknown;
  } catch (e) {
    errors.push(`${path}: not valid JSON: ${(e as Error).message}`);
    return undefined;
  }
}

/** Read only the id and version of a course folder (cheap; to decide whether to import at all). */
export function readCourseHeader(source: CourseSource): { id: string; version: string } | undefined {
  if (!source.files().includes('course.json')) return undefined;
  try {
    const j = JSON.parse(source.read('course.json').toString('utf8')) as { id?: unknown; version?: unknown };
    return typeof j.id === 'string' && typeof j.version === 'string'
      ? { id: j.id, version: j.version }
      : undefined;
  } catch {
    return undefined;
  }
}

/** sha256 over the sorted (path, sha256) list: what "the same content" means for a version. */
export function digestOf(files: readonly { path: string; sha256: string }[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)))
    h.update(`${f.path}\0${f.sha256}\n`);
  return h.digest('hex');
}

function checkCourseSemantics(c: CourseJson, errors: string[]): void {
  const F = 'course.json';
  const langs = c.languages;
  if (new Set(langs).size !== langs.length) errors.push(`${F}: languages: a language is listed twice`);
  if (!langs.includes(c.language))
    errors.push(`${F}: languages: must include the default language "${c.language}"`);
  const need = (where: string, t: Record<string, string>) => {
    for (const l of missingLanguages(t, langs)) errors.push(`${F}: ${where}: missing the "${l}" text`);
    for (const k of Object.keys(t))
      if (!langs.includes(k as Language))
        errors.push(`${F}: ${where}: "${k}" is not one of the course's languages`);
  };
  need('title', c.title);
  need('description', c.description);
  const moduleIds = new Set<string>();
  const itemIds = new Set<string>();
  for (const m of c.modules) {
    if (moduleIds.has(m.id)) errors.push(`${F}: module ${m.id}: id "${m.id}" is used by two modules`);
    moduleIds.add(m.id);
    need(`module ${m.id}: title`, m.title);
    for (const it of m.items) {
      const where = `module ${m.id}: item ${it.id}`;
      if (itemIds.has(it.id)) errors.push(`${F}: ${where}: id "${it.id}" is used by two items`);
      itemIds.add(it.id);
      need(`${where}: title`, it.title);
      const folder = it.type === 'lesson' ? 'lessons/' : 'quizzes/';
      if (!it.file.startsWith(folder))
        errors.push(`${F}: ${where}: file: a ${it.type} must be in ${folder} (got "${it.file}")`);
    }
  }
  for (const id of c.assessed ?? [])
    if (!itemIds.has(id)) errors.push(`${F}: assessed: "${id}" is not the id of an item of the course`);
}

function checkQuiz(file: string, q: QuizJson, errors: string[]): void {
  const ids = new Set<string>();
  for (const question of q.questions) {
    const where = `${file}: question ${question.id}`;
    if (ids.has(question.id)) errors.push(`${where}: id "${question.id}" is used by two questions`);
    ids.add(question.id);
    if (question.type === 'single' || question.type === 'multiple') {
      const optionIds = new Set<string>();
      for (const o of question.options) {
        if (optionIds.has(o.id)) errors.push(`${where}: option "${o.id}" is listed twice`);
        optionIds.add(o.id);
      }
      const answers = question.type === 'single' ? [question.answer] : question.answer;
      for (const a of answers)
        if (!optionIds.has(a)) errors.push(`${where}: answer "${a}" is not among the options`);
      if (question.type === 'multiple' && new Set(answers).size !== answers.length)
        errors.push(`${where}: answer lists an option twice`);
    }
  }
}

/** The parts of a quiz that must be the same in every language variant. */
function quizShape(q: QuizJson): string {
  return JSON.stringify({
    passMark: q.passMark,
    attemptsAllowed: q.attemptsAllowed,
    questions: q.questions.map((x) => ({
      id: x.id,
      type: x.type,
      options: 'options' in x ? x.options.map((o) => o.id) : undefined,
      answer: 'answer' in x ? x.answer : undefined,
    })),
  });
}

function compareVariants(file: string, base: string, q: QuizJson, ref: QuizJson, errors: string[]): void {
  if (q.passMark !== ref.passMark) errors.push(`${file}: passMark differs from ${base}`);
  if (q.attemptsAllowed !== ref.attemptsAllowed) errors.push(`${file}: attemptsAllowed differs from ${base}`);
  const ids = q.questions.map((x) => x.id).join(',');
  const refIds = ref.questions.map((x) => x.id).join(',');
  if (ids !== refIds) {
    errors.push(`${file}: questions: the question ids (${ids}) differ from ${base} (${refIds})`);
    return;
  }
  q.questions.forEach((x, i) => {
    const y = ref.questions[i]!;
    const where = `${file}: question ${x.id}`;
    if (x.type !== y.type)
      return void errors.push(`${where}: type "${x.type}" differs from ${base} ("${y.type}")`);
    if ('options' in x && 'options' in y) {
      const a = x.options.map((o) => o.id).join(',');
      const b = y.options.map((o) => o.id).join(',');
      if (a !== b) errors.push(`${where}: option ids (${a}) differ from ${base} (${b})`);
    }
    if ('answer' in x && 'answer' in y && JSON.stringify(x.answer) !== JSON.stringify(y.answer))
      errors.push(`${where}: answer differs from ${base}`);
  });
}

function quizParts(
  q: QuizJson,
  showCorrectAnswers: QuizKey['showCorrectAnswers'],
): { view: QuizViewData; key: QuizKey } {
  return {
    view: {
      passMark: q.passMark,
      attemptsAllowed: q.attemptsAllowed,
      questions: q.questions.map((x) =>
        x.type === 'single' || x.type === 'multiple'
          ? {
              id: x.id,
              type: x.type,
              prompt: x.prompt,
              options: x.options.map((o) => ({ id: o.id, text: o.text })),
            }
          : { id: x.id, type: x.type, prompt: x.prompt },
      ),
    },
    key: {
      passMark: q.passMark,
      attemptsAllowed: q.attemptsAllowed,
      showCorrectAnswers,
      questions: q.questions.map((x) => ({
        id: x.id,
        type: x.type,
        ...(x.type === 'single'
          ? { correct: [x.answer] }
          : x.type === 'multiple'
            ? { correct: [...x.answer] }
            : x.type === 'truefalse'
              ? { correct: [String(x.answer)] }
              : { accepted: [...x.accepted] }),
        feedback: { correct: x.feedback.correct, incorrect: x.feedback.incorrect },
      })),
    },
  };
}

/**
 * Check a native course completely, render its lessons and split its quizzes (views without answers,
 * keys apart), and hash every file. Reads the source; writes nothing. Throws AppError('course_invalid')
 * listing every problem found, each as `<file>: <field>: <what is wrong>`.
 */
export function prepareNativeCourse(source: CourseSource): PreparedCourse {
  const errors: string[] = [];
  const warnings: string[] = [];
  const paths = source.files();
  if (!paths.includes('course.json'))
    throw courseInvalid(source.name, [
      `course.json: missing (a course folder holds course.json at its root)`,
    ]);
  const raw = parseJson(source, 'course.json', errors);
  if (errors.length) throw courseInvalid(source.name, errors);
  const parsed = courseJsonSchema.safeParse(raw);
  if (!parsed.success) throw courseInvalid(source.name, describeIssues('course.json', parsed.error, raw));
  const c = parsed.data;
  checkCourseSemantics(c, errors);
  if (errors.length) throw courseInvalid(source.name, errors);

  // Hash every file: the digest (what "same content" means) and the media URLs depend on it.
  const files: PreparedFile[] = [];
  const byPath = new Map<string, PreparedFile>();
  for (const path of paths) {
    const ext = extOf(path);
    const mt = mediaTypeOf(path);
    const inMedia = path.startsWith('media/');
    if (inMedia && !NATIVE_MEDIA_EXTS.has(ext)) {
      errors.push(
        `${path}: ${ext ? `.${ext}` : 'files without an extension'} not allowed in media/ (allowed: ${[...NATIVE_MEDIA_EXTS].join(', ')})`,
      );
      continue;
    }
    const f: PreparedFile = {
      path,
      sha256: sha256Of(source, path),
      size: source.size(path),
      type: mt?.type ?? 'application/octet-stream',
      ext,
      served: inMedia,
      compress: inMedia && (mt?.compress ?? false),
    };
    files.push(f);
    byPath.set(path, f);
  }
  const known = /^(course\.json|lessons\/.+\.md|quizzes\/.+\.json|media\/.+)$/;
  for (const p of paths)
    if (!known.test(p)) warnings.push(`${p}: not part of the course format; kept but unused`);

  const mediaResolver = {
    has: (p: string) => byPath.has(p),
    urlOf: (p: string) => {
      const f = byPath.get(p);
      return f?.served ? `/c/${f.sha256}.${f.ext}` : undefined;
    },
  };

  const referenced = new Set<string>(['course.json']);
  const lessons: PreparedCourse['lessons'] = [];
  const quizzes: PreparedCourse['quizzes'] = [];
  const modules: PreparedCourse['modules'] = [];
  const activities: PreparedCourse['activities'] = [];
  let ord = 0;
  c.modules.forEach((m, mi) => {
    modules.push({ id: m.id, ord: mi, titles: m.title });
    for (const it of m.items) {
      activities.push({
        id: it.id,
        type: it.type,
        moduleId: m.id,
        ord: ord++,
        titles: it.title,
        file: it.file,
      });
      if (it.type === 'lesson') {
        for (const lang of c.languages) {
          const file = `${it.file}.${lang}.md`;
          if (!byPath.has(file)) {
            errors.push(`${file}: missing (lesson ${it.id}, language ${lang}, in course.json)`);
            continue;
          }
          referenced.add(file);
          const src = readText(source, file, errors);
          if (src === undefined) continue;
          const r = renderLesson(src, file, lang, mediaResolver);
          errors.push(...r.errors);
          for (const u of r.used) referenced.add(u);
          lessons.push({ activityId: it.id, lang, html: r.html });
        }
      } else {
        let ref: { file: string; quiz: QuizJson } | undefined;
        const ordered = [c.language, ...c.languages.filter((l) => l !== c.language)];
        for (const lang of ordered) {
          const file = `${it.file}.${lang}.json`;
          if (!byPath.has(file)) {
            errors.push(`${file}: missing (quiz ${it.id}, language ${lang}, in course.json)`);
            continue;
          }
          referenced.add(file);
          const rawQuiz = parseJson(source, file, errors);
          if (rawQuiz === undefined) continue;
          const q = quizJsonSchema.safeParse(rawQuiz);
          if (!q.success) {
            errors.push(...describeIssues(file, q.error, rawQuiz));
            continue;
          }
          const before = errors.length;
          checkQuiz(file, q.data, errors);
          if (errors.length > before) continue;
          if (ref && quizShape(q.data) !== quizShape(ref.quiz))
            compareVariants(file, ref.file, q.data, ref.quiz, errors);
          if (!ref && lang === c.language) ref = { file, quiz: q.data };
          quizzes.push({ activityId: it.id, lang, ...quizParts(q.data, c.showCorrectAnswers) });
        }
      }
    }
  });
  if (errors.length) throw courseInvalid(source.name, errors);
  for (const f of files)
    if (!referenced.has(f.path) && known.test(f.path))
      warnings.push(`${f.path}: not used by any lesson or quiz`);

  return {
    id: c.id,
    version: c.version,
    kind: 'native',
    language: c.language,
    languages: c.languages,
    titles: c.title,
    descriptions: c.description,
    digest: digestOf(files),
    ...(c.assessed ? { assessed: c.assessed } : {}),
    modules,
    activities,
    lessons,
    quizzes,
    files,
    warnings,
  };
}

/** Compare two x.y.z versions (the contract's rule: HQ picks a course's latest definition by it). */
export { compareVersions } from '../contract/journal.js';
