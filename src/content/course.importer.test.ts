import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../core/errors.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { FolderSource } from './course-source.js';
import { compareVersions, prepareNativeCourse } from './course.importer.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the fixture course, changed by `edit`. */
function courseWith(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'fc-course-'));
  dirs.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  edit(dir);
  return dir;
}

function editJson(dir: string, file: string, change: (j: Record<string, unknown>) => void): void {
  const p = join(dir, file);
  const j = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
  change(j);
  writeFileSync(p, JSON.stringify(j, null, 2));
}

/** The lines of the refusal of a broken course. */
function refusal(dir: string): string[] {
  try {
    prepareNativeCourse(new FolderSource(dir));
  } catch (e) {
    if (!isAppError(e)) throw e;
    expect(e.code).toBe('course_invalid');
    return e.message.split('\n');
  }
  throw new Error('the course was accepted');
}

type Q = { id: string; answer?: unknown; options?: { id: string; text: string }[]; type?: string };
const questions = (j: Record<string, unknown>) => j['questions'] as Q[];
const modules = (j: Record<string, unknown>) =>
  j['modules'] as { id: string; title: Record<string, string>; items: Record<string, unknown>[] }[];

describe('prepareNativeCourse', () => {
  it('accepts the fixture course: lessons rendered safe, quiz views without answers', () => {
    const p = prepareNativeCourse(new FolderSource(FIXTURE));
    expect(p.id).toBe('fixture-course');
    expect(p.activities.map((a) => a.id)).toEqual(['intro', 'video', 'final-quiz']);
    expect(p.lessons).toHaveLength(4);
    const intro = p.lessons.find((l) => l.activityId === 'intro' && l.lang === 'en')!.html;
    expect(intro).not.toContain('<script>');
    expect(intro).toContain('&lt;script&gt;');
    expect(intro).toMatch(/<img src="\/c\/[0-9a-f]{64}\.png" alt="A test photo"/);
    expect(intro).toMatch(/<a href="\/c\/[0-9a-f]{64}\.pdf" download="checklist.pdf">checklist<\/a>/);
    const video = p.lessons.find((l) => l.activityId === 'video' && l.lang === 'fr')!.html;
    expect(video).toMatch(/<video controls preload="metadata" playsinline src="\/c\/[0-9a-f]{64}\.webm"/);
    expect(video).toMatch(/<track kind="captions" src="\/c\/[0-9a-f]{64}\.vtt" srclang="fr"/);
    const quiz = p.quizzes.find((q) => q.lang === 'en')!;
    expect(JSON.stringify(quiz.view)).not.toMatch(/answer|accepted|correct|feedback/);
    expect(quiz.key.questions.map((q) => q.correct ?? q.accepted)).toEqual([
      ['b'],
      ['a', 'c'],
      ['false'],
      ['112', 'one one two'],
    ]);
    expect(p.warnings).toEqual([]);
  });

  it('names file and field for each broken course of the corpus', () => {
    const corpus: [string, (dir: string) => void, string][] = [
      [
        'answer not among options',
        (d) => editJson(d, 'quizzes/final.en.json', (j) => void (questions(j)[0]!.answer = 'd')),
        'quizzes/final.en.json: question q1: answer "d" is not among the options',
      ],
      [
        'multiple answer not among options',
        (d) => editJson(d, 'quizzes/final.fr.json', (j) => void (questions(j)[1]!.answer = ['a', 'z'])),
        'quizzes/final.fr.json: question q2: answer "z" is not among the options',
      ],
      [
        'variants disagree on the answer',
        (d) => editJson(d, 'quizzes/final.fr.json', (j) => void (questions(j)[0]!.answer = 'a')),
        'quizzes/final.fr.json: question q1: answer differs from quizzes/final.en.json',
      ],
      [
        'variants disagree on question ids',
        (d) => editJson(d, 'quizzes/final.fr.json', (j) => void (questions(j)[3]!.id = 'q9')),
        'quizzes/final.fr.json: questions: the question ids (q1,q2,q3,q9) differ from quizzes/final.en.json (q1,q2,q3,q4)',
      ],
      [
        'pass mark out of range',
        (d) => editJson(d, 'quizzes/final.en.json', (j) => void (j['passMark'] = 70)),
        'quizzes/final.en.json: passMark: Too big: expected number to be <=1',
      ],
      [
        'unknown question type',
        (d) => editJson(d, 'quizzes/final.en.json', (j) => void (questions(j)[2]!.type = 'essay')),
        'quizzes/final.en.json: question q3: type: must be one of "single", "multiple", "truefalse", "short"',
      ],
      [
        'duplicate question id',
        (d) => {
          for (const l of ['en', 'fr'])
            editJson(d, `quizzes/final.${l}.json`, (j) => void (questions(j)[1]!.id = 'q1'));
        },
        'quizzes/final.en.json: question q1: id "q1" is used by two questions',
      ],
      [
        'quiz not JSON',
        (d) => writeFileSync(join(d, 'quizzes/final.en.json'), '{ nope'),
        'quizzes/final.en.json: not valid JSON',
      ],
      [
        'missing lesson language',
        (d) => unlinkSync(join(d, 'lessons/intro.fr.md')),
        'lessons/intro.fr.md: missing (lesson intro, language fr, in course.json)',
      ],
      [
        'missing media',
        (d) => writeFileSync(join(d, 'lessons/intro.en.md'), '![x](../media/nothere.png)\n'),
        'lessons/intro.en.md: image "../media/nothere.png": media/nothere.png is not in the course',
      ],
      [
        'media outside the course',
        (d) => writeFileSync(join(d, 'lessons/intro.en.md'), '![x](../../secret.png)\n'),
        'lessons/intro.en.md: image "../../secret.png": points outside the course folder',
      ],
      [
        'remote image',
        (d) => writeFileSync(join(d, 'lessons/intro.en.md'), '![x](http://example.org/a.png)\n'),
        'lessons/intro.en.md: image "http://example.org/a.png": must be a file of the course (the box has no internet)',
      ],
      [
        'link to a quiz file',
        (d) => writeFileSync(join(d, 'lessons/intro.en.md'), '[answers](../quizzes/final.en.json)\n'),
        'lessons/intro.en.md: link "../quizzes/final.en.json": only media files can be linked (quizzes/final.en.json is not one)',
      ],
      [
        'media type not allowed',
        (d) => writeFileSync(join(d, 'media/run.exe'), 'MZ'),
        'media/run.exe: .exe not allowed in media/ (allowed: png, jpg, jpeg, webp, gif, svg, webm, mp4, mp3, ogg, vtt, pdf)',
      ],
      [
        'bad course id',
        (d) => editJson(d, 'course.json', (j) => void (j['id'] = 'Bad Id')),
        'course.json: id: must be 3 to 64 characters: a-z, 0-9 and "-", not starting with "-"',
      ],
      [
        'bad version',
        (d) => editJson(d, 'course.json', (j) => void (j['version'] = '1.0')),
        'course.json: version: must be a version x.y.z, such as 1.0.0',
      ],
      [
        'title missing a language',
        (d) => editJson(d, 'course.json', (j) => void delete modules(j)[0]!.title['fr']),
        'course.json: module m1: title: missing the "fr" text',
      ],
      [
        'duplicate activity id',
        (d) => editJson(d, 'course.json', (j) => void (modules(j)[1]!.items[0]!['id'] = 'intro')),
        'course.json: module m2: item intro: id "intro" is used by two items',
      ],
      [
        'misspelt field',
        (d) =>
          editJson(d, 'course.json', (j) => {
            const it = modules(j)[0]!.items[0]!;
            it['flie'] = it['file'];
            delete it['file'];
          }),
        'course.json: module m1: item intro: unknown field "flie"',
      ],
      [
        'default language not among languages',
        (d) => editJson(d, 'course.json', (j) => void (j['language'] = 'ar')),
        'course.json: languages: must include the default language "ar"',
      ],
      [
        'quiz in lessons/',
        (d) => editJson(d, 'course.json', (j) => void (modules(j)[1]!.items[0]!['file'] = 'lessons/final')),
        'course.json: module m2: item final-quiz: file: a quiz must be in quizzes/ (got "lessons/final")',
      ],
      [
        'no course.json',
        (d) => unlinkSync(join(d, 'course.json')),
        'course.json: missing (a course folder holds course.json at its root)',
      ],
      [
        'symlink',
        (d) => symlinkSync('/etc/passwd', join(d, 'media/passwd.png')),
        'media/passwd.png: symbolic links are not allowed in a course',
      ],
    ];
    for (const [name, edit, expected] of corpus) {
      const lines = (() => {
        try {
          return refusal(courseWith(edit));
        } catch (e) {
          // FolderSource refuses some problems (symlinks) before validation even starts.
          if (isAppError(e)) return e.message.split('\n');
          throw e;
        }
      })();
      expect(
        lines.some((l) => l === expected || l.startsWith(expected)),
        `${name}: got\n${lines.join('\n')}`,
      ).toBe(true);
    }
  });

  it('lists every problem at once, not only the first', () => {
    const lines = refusal(
      courseWith((d) => {
        editJson(d, 'quizzes/final.en.json', (j) => void (questions(j)[0]!.answer = 'd'));
        unlinkSync(join(d, 'lessons/video.en.md'));
      }),
    );
    expect(lines).toContain('lessons/video.en.md: missing (lesson video, language en, in course.json)');
    expect(lines).toContain('quizzes/final.en.json: question q1: answer "d" is not among the options');
  });

  it('warns about unused media and stray files without refusing', () => {
    const p = prepareNativeCourse(
      new FolderSource(
        courseWith((d) => {
          writeFileSync(join(d, 'media/unused.png'), 'png');
          writeFileSync(join(d, 'NOTES.txt'), 'notes');
          writeFileSync(join(d, '.DS_Store'), 'junk');
        }),
      ),
    );
    expect(p.warnings).toEqual([
      'NOTES.txt: not part of the course format; kept but unused',
      'media/unused.png: not used by any lesson or quiz',
    ]);
    expect(p.files.map((f) => f.path)).not.toContain('.DS_Store');
  });

  it('compares versions numerically', () => {
    expect(compareVersions('1.10.0', '1.9.9')).toBe(1);
    expect(compareVersions('2.0.0', '2.0.0')).toBe(0);
    expect(compareVersions('0.9.0', '1.0.0')).toBe(-1);
  });
});
