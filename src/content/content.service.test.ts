import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { openDatabase, type Db } from '../db/connection.js';
import { migrate } from '../db/migrate.js';
import { contentMigrations } from '../db/migrations/content.js';
import { parseRange } from './content.routes.js';
import { ContentService } from './content.service.js';
import { CHUNK_SIZE } from './course.importer.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');

let dir: string;
let db: Db;
let content: ContentService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fc-content-'));
  db = openDatabase(join(dir, 'content.db'), 'replaceable');
  migrate(db, contentMigrations);
  content = new ContentService(db, fixedClock(new Date('2026-01-01T00:00:00Z')), silentLogger);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of the fixture course at `version`, changed by `edit`. */
function course(version: string, edit: (d: string) => void = () => {}): string {
  const d = mkdtempSync(join(dir, 'src-'));
  cpSync(FIXTURE, d, { recursive: true });
  // Change only the version, byte for byte: "same content" means the same bytes in every file.
  const cj = readFileSync(join(d, 'course.json'), 'utf8');
  writeFileSync(join(d, 'course.json'), cj.replace('"version": "1.0.0"', `"version": "${version}"`));
  edit(d);
  return d;
}

function expectAppError(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    expect((e as AppError).message).toMatch(message);
    return;
  }
  throw new Error('expected a refusal');
}

const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('ContentService install', () => {
  it('installs a course and reads it back through ContentReader', () => {
    const r = content.installFolder(FIXTURE);
    expect(r).toMatchObject({ status: 'installed', id: 'fixture-course', version: '1.0.0', activities: 3 });
    expect(content.listCourses('fr')).toEqual([
      expect.objectContaining({
        id: 'fixture-course',
        title: 'Cours de test',
        language: 'fr',
        activityCount: 3,
      }),
    ]);
    // A language the course does not have falls back to its default.
    const outline = content.getCourse('fixture-course', 'ar')!;
    expect(outline.language).toBe('en');
    expect(outline.modules.map((m) => [m.id, m.items.map((i) => i.id)])).toEqual([
      ['m1', ['intro', 'video']],
      ['m2', ['final-quiz']],
    ]);
    expect(content.getLesson('fixture-course', 'intro', 'fr')).toMatchObject({
      title: 'Introduction',
      language: 'fr',
    });
    expect(content.getLesson('fixture-course', 'final-quiz', 'en')).toBeUndefined();
    expect(content.getQuiz('fixture-course', 'final-quiz', 'fr')!.questions[0]).toEqual({
      id: 'q1',
      type: 'single',
      prompt: "Que faire d'abord ?",
      options: [
        { id: 'a', text: 'Des photos' },
        { id: 'b', text: 'Sécuriser la scène' },
      ],
    });
    expect(content.getQuizKey('fixture-course', 'final-quiz', 'fr')!.questions[3]).toEqual({
      id: 'q4',
      type: 'short',
      accepted: ['112', 'cent douze'],
      feedback: { correct: 'Oui.', incorrect: "C'est le 112." },
    });
    expect(content.getCourse('nope', 'en')).toBeUndefined();
  });

  it('stores media as content-addressed chunks and reads any range of them', () => {
    content.installFolder(FIXTURE);
    const bytes = readFileSync(join(FIXTURE, 'media/clip.webm'));
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(content.getBlob(sha)).toMatchObject({ size: bytes.length, type: 'video/webm' });
    expect(content.readBlob(sha, 0, bytes.length - 1).equals(bytes)).toBe(true);
    expect(content.readBlob(sha, 1000, 1999).equals(bytes.subarray(1000, 2000))).toBe(true);
    const svg = readFileSync(join(FIXTURE, 'media/diagram.svg'));
    const svgBlob = content.getBlob(createHash('sha256').update(svg).digest('hex'))!;
    expect(svgBlob.gzipSize).toBeGreaterThan(0);
    const gz = content.readBlob(svgBlob.sha256, 0, svgBlob.gzipSize! - 1, 'gzip');
    expect(gunzipSync(gz).equals(svg)).toBe(true);
  });

  it('reads ranges across chunk boundaries of a large blob', () => {
    const big = Buffer.alloc(CHUNK_SIZE * 2 + 12345);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
    content.installFolder(
      course('1.0.0', (d) => {
        writeFileSync(join(d, 'media/big.pdf'), big);
        writeFileSync(join(d, 'lessons/intro.en.md'), '[big](../media/big.pdf)\n![p](../media/photo.png)\n');
      }),
    );
    const sha = createHash('sha256').update(big).digest('hex');
    expect(db.prepare('SELECT count(*) AS n FROM chunks WHERE sha256 = ?').get(sha)).toEqual({ n: 3 });
    const s = CHUNK_SIZE - 10;
    const e = CHUNK_SIZE * 2 + 10;
    expect(content.readBlob(sha, s, e).equals(big.subarray(s, e + 1))).toBe(true);
    expect(content.readBlob(sha, 0, big.length - 1).equals(big)).toBe(true);
  });

  it('same version and same content is a no-op; different content is refused', () => {
    content.installFolder(FIXTURE);
    expect(content.installFolder(course('1.0.0')).status).toBe('unchanged');
    const changed = course('1.0.0', (d) => writeFileSync(join(d, 'lessons/intro.en.md'), '# Changed\n'));
    expectAppError(
      () => content.installFolder(changed),
      'version_conflict',
      /already installed with different content/,
    );
    expect(content.getLesson('fixture-course', 'intro', 'en')!.html).toContain('Secure the scene');
  });

  it('upgrades keep activity ids and progress-relevant ids; a downgrade is refused', () => {
    content.installFolder(FIXTURE);
    const v2 = course('1.1.0', (d) => {
      writeFileSync(join(d, 'lessons/intro.en.md'), '# Introduction, second edition\n');
      writeFileSync(join(d, 'lessons/intro.fr.md'), '# Introduction, deuxième édition\n');
    });
    const r = content.installFolder(v2);
    expect(r).toMatchObject({ status: 'upgraded', previousVersion: '1.0.0', version: '1.1.0' });
    expect(
      content.getCourse('fixture-course', 'en')!.modules.flatMap((m) => m.items.map((i) => i.id)),
    ).toEqual(['intro', 'video', 'final-quiz']);
    expect(content.getLesson('fixture-course', 'intro', 'en')!.html).toContain('second edition');
    // Media the new lessons no longer show is still a file of the course, so it stays stored.
    const photo = createHash('sha256')
      .update(readFileSync(join(FIXTURE, 'media/photo.png')))
      .digest('hex');
    expect(content.getBlob(photo)).toBeDefined();
    expectAppError(
      () => content.installFolder(course('0.9.0')),
      'version_lower',
      /older than the installed version 1\.1\.0/,
    );
    expect(content.listCourses('en')[0]!.version).toBe('1.1.0');
  });

  it('a failing install leaves the previous version served, and nothing of the new one', () => {
    content.installFolder(FIXTURE);
    const before = { files: count('course_files'), blobs: count('blobs'), chunks: count('chunks') };
    expect(content.getCourse('fixture-course', 'en')!.version).toBe('1.0.0');
    // A real failure inside the transaction, after the old rows were deleted and new blobs written.
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON blobs WHEN NEW.ext = 'mp3'
             BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`);
    const v2 = course('2.0.0', (d) => {
      writeFileSync(join(d, 'media/new.png'), 'new picture');
      writeFileSync(join(d, 'media/sound.mp3'), 'ID3 sound');
      writeFileSync(join(d, 'lessons/intro.en.md'), '![n](../media/new.png) ![s](../media/sound.mp3)\n');
    });
    expect(() => content.installFolder(v2)).toThrow(/disk full/);
    expect(content.getCourse('fixture-course', 'en')!.version).toBe('1.0.0');
    expect(content.getLesson('fixture-course', 'intro', 'en')!.html).toContain('Secure the scene');
    expect({ files: count('course_files'), blobs: count('blobs'), chunks: count('chunks') }).toEqual(before);
    db.exec('DROP TRIGGER boom');
    expect(content.installFolder(v2).status).toBe('upgraded');
    expect(content.getLesson('fixture-course', 'intro', 'en')!.html).toContain('<audio controls');
  });

  it('an invalid course changes nothing', () => {
    content.installFolder(FIXTURE);
    const broken = course('3.0.0', (d) => {
      const p = join(d, 'quizzes/final.en.json');
      writeFileSync(p, readFileSync(p, 'utf8').replace('"answer": "b"', '"answer": "d"'));
    });
    expectAppError(
      () => content.installFolder(broken),
      'course_invalid',
      /^quizzes\/final\.en\.json: question q1: answer "d" is not among the options$/m,
    );
    expect(content.listCourses('en')[0]!.version).toBe('1.0.0');
  });

  it('disabled courses are hidden from trainees and kept for the admin', () => {
    content.installFolder(FIXTURE);
    expect(content.getCourse('fixture-course', 'en')).toBeDefined(); // warm the cache
    content.setActive('fixture-course', false);
    expect(content.listCourses('en')).toEqual([]);
    expect(content.listCourses('en', { includeInactive: true })[0]!.active).toBe(false);
    expect(content.getCourse('fixture-course', 'en')).toBeUndefined();
    expect(content.getLesson('fixture-course', 'intro', 'en')).toBeUndefined();
    // An upgrade keeps it disabled.
    content.installFolder(course('1.0.1'));
    expect(content.listInstalled()[0]).toMatchObject({ version: '1.0.1', active: false });
    content.setActive('fixture-course', true);
    expect(content.getCourse('fixture-course', 'en')!.version).toBe('1.0.1');
    expect(() => content.setActive('nope', true)).toThrow(/not installed/);
  });

  it('installAllIn installs good courses and reports broken ones', () => {
    const root = join(dir, 'samples');
    mkdirSync(root);
    cpSync(FIXTURE, join(root, 'good'), { recursive: true });
    cpSync(FIXTURE, join(root, 'bad'), { recursive: true });
    rmSync(join(root, 'bad', 'course.json'));
    expect(content.everInstalled()).toBe(false);
    const r = content.installAllIn(root);
    expect(r.installed.map((c) => c.id)).toEqual(['fixture-course']);
    expect(r.failed.map((f) => f.folder)).toEqual([join(root, 'bad')]);
    expect(r.failed[0]!.error).toMatch(/course\.json: missing/);
    expect(content.everInstalled()).toBe(true);
  });

  it('materializes blobs as <sha256>.<ext> files, skipping existing and removing stale ones', () => {
    content.installFolder(FIXTURE);
    const out = join(dir, 'cache');
    const first = content.materialize(out);
    const files = readdirSync(out).sort();
    const blobs = db.prepare('SELECT sha256, ext, gzip_size, brotli_size FROM blobs').all() as {
      sha256: string;
      ext: string;
      gzip_size: number | null;
      brotli_size: number | null;
    }[];
    const expected = blobs
      .flatMap((b) => [
        `${b.sha256}.${b.ext}`,
        ...(b.gzip_size !== null ? [`${b.sha256}.${b.ext}.gz`] : []),
        ...(b.brotli_size !== null ? [`${b.sha256}.${b.ext}.br`] : []),
      ])
      .sort();
    expect(files).toEqual(expected);
    expect(first.written).toBe(expected.length);
    for (const b of blobs) {
      const body = readFileSync(join(out, `${b.sha256}.${b.ext}`));
      expect(createHash('sha256').update(body).digest('hex')).toBe(b.sha256);
    }
    const stale = `${'0'.repeat(64)}.png`;
    writeFileSync(join(out, stale), 'old');
    writeFileSync(join(out, 'README'), 'not ours');
    const second = content.materialize(out);
    expect(second).toMatchObject({ written: 0, skipped: expected.length, deleted: 1 });
    expect(existsSync(join(out, stale))).toBe(false);
    expect(existsSync(join(out, 'README'))).toBe(true);
  });
});

describe('parseRange', () => {
  it('parses single, open, suffix and multiple ranges', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual([{ start: 0, end: 99 }]);
    expect(parseRange('bytes=900-', 1000)).toEqual([{ start: 900, end: 999 }]);
    expect(parseRange('bytes=-100', 1000)).toEqual([{ start: 900, end: 999 }]);
    expect(parseRange('bytes=0-0, 10-19', 1000)).toEqual([
      { start: 0, end: 0 },
      { start: 10, end: 19 },
    ]);
    expect(parseRange('bytes=990-2000', 1000)).toEqual([{ start: 990, end: 999 }]);
  });
  it('unsatisfiable gives [], nonsense is ignored', () => {
    expect(parseRange('bytes=1000-', 1000)).toEqual([]);
    expect(parseRange('bytes=5-1', 1000)).toBeUndefined();
    expect(parseRange('items=0-1', 1000)).toBeUndefined();
    expect(parseRange('bytes=abc', 1000)).toBeUndefined();
  });
});
