import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { Language } from '../core/config.js';
import type { Clock } from '../core/clock.js';
import { notFound } from '../core/errors.js';
import { contentError } from './content.errors.js';
import type { Logger } from '../core/logger.js';
import { publishAtomically, tempPathFor } from '../core/atomic-file.js';
import type { Db } from '../db/connection.js';
import { ContentRepo, ENC, type CourseRow } from './content.repo.js';
import { FolderSource, type CourseSource } from './course-source.js';
import {
  CHUNK_SIZE,
  compareVersions,
  prepareNativeCourse,
  type PreparedCourse,
  type QuizViewData,
} from './course.importer.js';
import type {
  ActivityType,
  ContentReader,
  CourseKind,
  CourseOutline,
  CourseSummary,
  LessonView,
  QuizKey,
  QuizView,
  StoredFile,
} from './content.types.js';
import { stillLater, type ScormLater, type ScormPackageInfo } from './scorm/scorm-package.js';

export interface InstallOptions {
  /** Verified against a trusted HQ key (course bundles, issue 5); folders are unsigned. */
  signed?: boolean;
  signedBy?: string;
  /** Where it came from, for the record (a folder path, a bundle file name). */
  source?: string;
}

export interface InstallResult {
  status: 'installed' | 'upgraded' | 'unchanged';
  id: string;
  version: string;
  previousVersion?: string;
  title: string;
  languages: Language[];
  activities: number;
  files: number;
  /** Media bytes newly written to the store (blobs already present are shared, not copied). */
  bytesStored: number;
  warnings: string[];
  /** SCORM: what the package uses that the box plays differently (content.messages.ts says it). */
  later?: ScormLater[];
}

/** A row of `content list`. */
export interface InstalledCourse {
  id: string;
  version: string;
  title: string;
  languages: Language[];
  kind: CourseKind;
  signed: boolean;
  signedBy: string | null;
  active: boolean;
  installedAt: string;
  activities: number;
  source: string;
  /** course.json `assessed`; null = every quiz. */
  assessed: string[] | null;
  /** SCORM: what the package uses that the box plays differently. */
  later?: ScormLater[];
}

export interface MaterializeResult {
  dir: string;
  written: number;
  skipped: number;
  deleted: number;
}

const COMPRESS_MAX = 32 * 1024 * 1024;
const CACHE_NAME = /^[0-9a-f]{64}\.[a-z0-9]+(\.gz|\.br)?$/;
const TEMP_NAME = /^\.[0-9a-f]{64}\.[a-z0-9]+(\.gz|\.br)?\..+\.tmp$/;

type Texts = Record<string, string>;

function pick(texts: Texts, lang: Language, fallback: string): string {
  return texts[lang] ?? texts[fallback] ?? Object.values(texts)[0] ?? '';
}

/**
 * The content store: installs courses (one transaction each) and answers the rest of the box through
 * `ContentReader`. Outlines, lessons and quiz views are small and hot: they are cached in memory per
 * course and language, and the cache is dropped whenever a course changes.
 */
export class ContentService implements ContentReader {
  private readonly repo: ContentRepo;
  private readonly cache = new Map<string, unknown>();

  constructor(
    readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.repo = new ContentRepo(db);
  }

  // ---- reading ------------------------------------------------------------------------------------

  private cached<T>(key: string, load: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const v = load();
    if (this.cache.size > 5000) this.cache.clear();
    this.cache.set(key, v);
    return v;
  }

  private summary(row: CourseRow, lang: Language): CourseSummary {
    const languages = JSON.parse(row.languages) as Language[];
    const language = languages.includes(lang) ? lang : (row.language as Language);
    return {
      id: row.id,
      version: row.version,
      kind: row.kind as CourseKind,
      title: pick(JSON.parse(row.titles) as Texts, language, row.language),
      description: pick(JSON.parse(row.descriptions) as Texts, language, row.language),
      language,
      languages,
      signed: row.signed === 1,
      active: row.active === 1,
      installedAt: row.installed_at,
      activityCount: row.activity_count,
      assessed: row.assessed === null ? null : (JSON.parse(row.assessed) as string[]),
    };
  }

  /** The language a course is shown in: the one asked for when the course has it, else its default. */
  private langFor(courseId: string, lang: Language): { row: CourseRow; lang: Language } | undefined {
    const row = this.cached(`row:${courseId}`, () => this.repo.getCourse(courseId));
    if (!row || row.active !== 1) return undefined;
    const languages = JSON.parse(row.languages) as Language[];
    return { row, lang: languages.includes(lang) ? lang : (row.language as Language) };
  }

  /** Active courses (and inactive ones too when asked, for the admin), in the language asked for. */
  listCourses(lang: Language, opts: { includeInactive?: boolean } = {}): CourseSummary[] {
    const all = this.cached(`list:${lang}`, () => this.repo.listCourses().map((r) => this.summary(r, lang)));
    return opts.includeInactive ? all : all.filter((c) => c.active);
  }

  /** The outline of an active course, or 404 not_found: where a trainee's request about a course starts. */
  activeCourse(courseId: string, lang: Language): CourseOutline {
    const c = this.getCourse(courseId, lang);
    if (!c) throw notFound(`course ${courseId}`);
    return c;
  }

  /** The outline of an active course; undefined for unknown or disabled courses. */
  getCourse(courseId: string, lang: Language): CourseOutline | undefined {
    const at = this.langFor(courseId, lang);
    if (!at) return undefined;
    return this.cached(`outline:${courseId}:${at.lang}`, () => {
      const acts = this.repo.activities(courseId);
      return {
        ...this.summary(at.row, at.lang),
        modules: this.repo.modules(courseId).map((m) => ({
          id: m.module_id,
          title: pick(JSON.parse(m.titles) as Texts, at.lang, at.row.language),
          items: acts
            .filter((a) => a.module_id === m.module_id)
            .map((a) => ({
              id: a.activity_id,
              type: a.type as ActivityType,
              title: pick(JSON.parse(a.titles) as Texts, at.lang, at.row.language),
            })),
        })),
      };
    });
  }

  private activityTitle(courseId: string, activityId: string, lang: Language): string | undefined {
    const outline = this.getCourse(courseId, lang);
    for (const m of outline?.modules ?? [])
      for (const it of m.items) if (it.id === activityId) return it.title;
    return undefined;
  }

  getLesson(courseId: string, activityId: string, lang: Language): LessonView | undefined {
    const at = this.langFor(courseId, lang);
    if (!at) return undefined;
    return this.cached(`lesson:${courseId}:${activityId}:${at.lang}`, () => {
      const html = this.repo.lessonHtml(courseId, activityId, at.lang);
      const title = this.activityTitle(courseId, activityId, at.lang);
      return html === undefined || title === undefined
        ? undefined
        : { courseId, activityId, title, language: at.lang, html };
    });
  }

  getQuiz(courseId: string, activityId: string, lang: Language): QuizView | undefined {
    const at = this.langFor(courseId, lang);
    if (!at) return undefined;
    return this.cached(`quiz:${courseId}:${activityId}:${at.lang}`, () => {
      const view = this.repo.quizView(courseId, activityId, at.lang);
      const title = this.activityTitle(courseId, activityId, at.lang);
      if (view === undefined || title === undefined) return undefined;
      return { courseId, activityId, title, language: at.lang, ...(JSON.parse(view) as QuizViewData) };
    });
  }

  /** Answers and feedback, for grading on the server only. Not cached: read once per submission. */
  getQuizKey(courseId: string, activityId: string, lang: Language): QuizKey | undefined {
    const at = this.langFor(courseId, lang);
    if (!at) return undefined;
    const key = this.repo.quizKey(courseId, activityId, at.lang);
    return key === undefined ? undefined : (JSON.parse(key) as QuizKey);
  }

  getBlob(sha256: string): (StoredFile & { ext: string }) | undefined {
    const b = this.repo.blob(sha256);
    if (!b) return undefined;
    return {
      sha256: b.sha256,
      ext: b.ext,
      size: b.size,
      type: b.type,
      ...(b.gzip_size !== null ? { gzipSize: b.gzip_size } : {}),
      ...(b.brotli_size !== null ? { brotliSize: b.brotli_size } : {}),
    };
  }

  /**
   * Bytes [start, end] (inclusive) of a blob or of its stored compressed variant. Reads only the chunks
   * that hold the range; callers stream large ranges in pieces.
   */
  readBlob(
    sha256: string,
    start: number,
    end: number,
    encoding: 'identity' | 'gzip' | 'br' = 'identity',
  ): Buffer {
    if (end < start) return Buffer.alloc(0);
    const first = Math.floor(start / CHUNK_SIZE);
    const last = Math.floor(end / CHUNK_SIZE);
    const parts = this.repo.chunks(sha256, ENC[encoding], first, last);
    if (parts.length !== last - first + 1) throw notFound(`blob ${sha256} range`);
    const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const offset = start - first * CHUNK_SIZE;
    return buf.subarray(offset, offset + (end - start + 1));
  }

  // ---- admin --------------------------------------------------------------------------------------

  /** Every installed course, for `content list` and the admin; titles in `lang` when the course has it. */
  listInstalled(lang?: Language): InstalledCourse[] {
    return this.repo.listCourses().map((r) => ({
      id: r.id,
      version: r.version,
      title: pick(JSON.parse(r.titles) as Texts, lang ?? (r.language as Language), r.language),
      languages: JSON.parse(r.languages) as Language[],
      kind: r.kind as CourseKind,
      signed: r.signed === 1,
      signedBy: r.signed_by,
      active: r.active === 1,
      installedAt: r.installed_at,
      activities: r.activity_count,
      assessed: r.assessed === null ? null : (JSON.parse(r.assessed) as string[]),
      source: r.source,
      ...this.laterOf(r.id),
    }));
  }

  /** Hide a course from trainees (or show it again). Progress is kept either way. */
  setActive(courseId: string, active: boolean): void {
    if (!this.repo.setActive(courseId, active))
      throw contentError('course_not_installed', { course: courseId });
    this.cache.clear();
    if (active) for (const fn of this.changedListeners) fn();
  }

  /** Whether any course was ever installed in this store (first-start sample install runs once). */
  everInstalled(): boolean {
    return this.repo.meta('first_install_at') !== undefined || this.repo.courseCount() > 0;
  }

  // ---- installing ---------------------------------------------------------------------------------

  /** Check and install a native course folder. See `install`. */
  installFolder(dir: string, opts: InstallOptions = {}): InstallResult {
    return this.install(new FolderSource(dir), { source: dir, ...opts });
  }

  /**
   * Install or upgrade a course from any source, in ONE transaction: until it commits, the previous
   * version (if any) keeps being served, and a failure leaves the store exactly as it was. Refuses an
   * invalid course (every problem named), a version lower than the installed one, and the installed
   * version with different content; the installed version with the same content is a no-op.
   */
  install(source: CourseSource, opts: InstallOptions = {}): InstallResult {
    const prepared = prepareNativeCourse(source);
    return this.installPrepared(prepared, source, opts);
  }

  private checkVersion(p: PreparedCourse): CourseRow | undefined {
    const cur = this.repo.getCourse(p.id);
    if (!cur) return undefined;
    const cmp = compareVersions(p.version, cur.version);
    if (cmp < 0)
      throw contentError('version_lower', { course: p.id, version: p.version, installed: cur.version });
    if (cmp === 0 && cur.digest !== p.digest)
      throw contentError('version_conflict', { course: p.id, version: p.version });
    return cur;
  }

  /**
   * Install a course already checked and hashed by a preparer (native, SCORM, or the inside of a
   * verified course bundle). Same rules and one transaction as `install`.
   */
  installPreparedCourse(p: PreparedCourse, source: CourseSource, opts: InstallOptions = {}): InstallResult {
    return this.installPrepared(p, source, opts);
  }

  /** Where and when an install on another connection writes (the install worker's job). */
  installTarget(): { dbPath: string; installedAt: string } {
    return { dbPath: this.db.name, installedAt: this.clock.now().toISOString() };
  }

  /** The SCORM data of an installed SCORM course (JSON as stored; see ScormPackageInfo). */
  scormInfo(courseId: string): unknown {
    return this.cached(`scorm:${courseId}`, () => {
      const t = this.repo.scormInfo(courseId);
      return t === undefined ? undefined : (JSON.parse(t) as unknown);
    });
  }

  private laterOf(courseId: string): { later?: ScormLater[] } {
    const later = stillLater(
      (this.scormInfo(courseId) as Pick<ScormPackageInfo, 'later'> | undefined)?.later,
    );
    return later.length ? { later } : {};
  }

  masteryScores(courseId: string): ReadonlyMap<string, number> {
    return this.cached(`mastery:${courseId}`, () => {
      const info = this.scormInfo(courseId) as
        { activities: Record<string, { masteryScore?: number }> } | undefined;
      return new Map(
        Object.entries(info?.activities ?? {}).flatMap(([id, a]) =>
          a.masteryScore === undefined ? [] : [[id, a.masteryScore] as const],
        ),
      );
    });
  }

  /** A served file of an installed course by path (the SCORM package origin serves by path). */
  fileByPath(courseId: string, path: string): { sha256: string; size: number; type: string } | undefined {
    return this.repo.fileByPath(courseId, path);
  }

  private readonly changedListeners: (() => void)[] = [];

  /**
   * Call `fn` after each install or upgrade commits and after a course is enabled: when a course's
   * outline becomes readable (the journal's `course` row is written there).
   */
  onCoursesChanged(fn: () => void): void {
    this.changedListeners.push(fn);
  }

  private installPrepared(p: PreparedCourse, source: CourseSource, opts: InstallOptions): InstallResult {
    const base = {
      id: p.id,
      version: p.version,
      title: p.titles[p.language] ?? p.id,
      languages: p.languages,
      activities: p.activities.length,
      files: p.files.length,
      warnings: p.warnings,
      ...((p.scorm as Pick<ScormPackageInfo, 'later'> | undefined)?.later?.length
        ? { later: (p.scorm as Pick<ScormPackageInfo, 'later'>).later! }
        : {}),
    };
    const before = this.checkVersion(p);
    if (before && before.version === p.version) return { status: 'unchanged', ...base, bytesStored: 0 };

    let bytesStored = 0;
    const now = this.clock.now().toISOString();
    this.db.transaction(() => {
      // Checked again inside the transaction: another writer may have installed meanwhile.
      const cur = this.checkVersion(p);
      if (cur && cur.version === p.version) return;
      this.repo.deleteCourse(p.id);
      this.repo.insertCourse({
        id: p.id,
        version: p.version,
        kind: p.kind,
        language: p.language,
        languages: JSON.stringify(p.languages),
        titles: JSON.stringify(p.titles),
        descriptions: JSON.stringify(p.descriptions),
        digest: p.digest,
        signed: opts.signed ? 1 : 0,
        signed_by: opts.signedBy ?? null,
        source: opts.source ?? source.name,
        active: cur ? cur.active : 1,
        installed_at: now,
        assessed: p.assessed ? JSON.stringify(p.assessed) : null,
      });
      for (const m of p.modules) this.repo.insertModule(p.id, m.id, m.ord, JSON.stringify(m.titles));
      for (const a of p.activities)
        this.repo.insertActivity(p.id, {
          id: a.id,
          type: a.type,
          module_id: a.moduleId,
          ord: a.ord,
          titles: JSON.stringify(a.titles),
          file: a.file,
        });
      for (const l of p.lessons) this.repo.insertLesson(p.id, l.activityId, l.lang, l.html);
      if (p.scorm !== undefined) this.repo.insertScorm(p.id, JSON.stringify(p.scorm));
      for (const q of p.quizzes)
        this.repo.insertQuiz(p.id, q.activityId, q.lang, JSON.stringify(q.view), JSON.stringify(q.key));
      for (const f of p.files) {
        this.repo.insertFile(p.id, p.version, f);
        if (f.served && !this.repo.blob(f.sha256)) bytesStored += this.storeBlob(source, f);
      }
      this.repo.deleteOrphanBlobs();
      if (this.repo.meta('first_install_at') === undefined) this.repo.setMeta('first_install_at', now);
    })();
    const result: InstallResult = before
      ? { status: 'upgraded', ...base, previousVersion: before.version, bytesStored }
      : { status: 'installed', ...base, bytesStored };
    this.installed(result);
    return result;
  }

  /**
   * After an install committed, here or on another connection (the install worker writes content.db
   * through its own): forget what was cached, log it, and tell the listeners (the journal's course row).
   */
  installed(result: InstallResult): void {
    if (result.status === 'unchanged') return;
    this.cache.clear();
    this.logger.info(
      { course: result.id, version: result.version, status: result.status, bytesStored: result.bytesStored },
      'course installed',
    );
    for (const fn of this.changedListeners) fn();
  }

  /** Write one file's bytes as chunks (plus gzip/brotli variants for text), checking its hash. */
  private storeBlob(source: CourseSource, f: PreparedCourse['files'][number]): number {
    const h = createHash('sha256');
    let n = 0;
    let size = 0;
    for (const piece of source.pieces(f.path, CHUNK_SIZE)) {
      h.update(piece);
      // No copy: SQLite copies a bound blob (SQLITE_TRANSIENT), and sources may reuse their piece buffer.
      // (Copying here was ~60 MB of extra peak RSS installing a 200 MB bundle.)
      this.repo.insertChunk(f.sha256, ENC.identity, n++, piece);
      size += piece.length;
    }
    if (h.digest('hex') !== f.sha256 || size !== f.size)
      throw contentError('course_changed', { file: f.path });
    let gzipSize: number | null = null;
    let brotliSize: number | null = null;
    let stored = size;
    if (f.compress && size > 256 && size <= COMPRESS_MAX) {
      const body = source.read(f.path);
      const gz = gzipSync(body, { level: 9 });
      const br = brotliCompressSync(body, {
        params: {
          [zlibConstants.BROTLI_PARAM_QUALITY]: size <= 4 * 1024 * 1024 ? 11 : 6,
          [zlibConstants.BROTLI_PARAM_SIZE_HINT]: size,
        },
      });
      // A variant is only worth keeping when it saves something.
      if (gz.length < size * 0.9) {
        gzipSize = gz.length;
        stored += this.storeVariant(f.sha256, ENC.gzip, gz);
      }
      if (br.length < size * 0.9) {
        brotliSize = br.length;
        stored += this.storeVariant(f.sha256, ENC.br, br);
      }
    }
    this.repo.insertBlob({
      sha256: f.sha256,
      ext: f.ext,
      type: f.type,
      size,
      gzip_size: gzipSize,
      brotli_size: brotliSize,
    });
    return stored;
  }

  private storeVariant(sha256: string, enc: number, data: Buffer): number {
    for (let n = 0, off = 0; off < data.length; n++, off += CHUNK_SIZE)
      this.repo.insertChunk(sha256, enc, n, data.subarray(off, off + CHUNK_SIZE));
    return data.length;
  }

  /**
   * Install every course folder under `dir` (the sample courses, on first start). A broken course is
   * logged with its problems and skipped; the others still install.
   */
  installAllIn(dir: string): { installed: InstallResult[]; failed: { folder: string; error: string }[] } {
    const installed: InstallResult[] = [];
    const failed: { folder: string; error: string }[] = [];
    if (!existsSync(dir)) return { installed, failed };
    for (const name of readdirSync(dir).sort()) {
      const folder = join(dir, name);
      if (name.startsWith('.') || !statSync(folder).isDirectory()) continue;
      try {
        installed.push(this.installFolder(folder, { signed: false, source: `sample:${name}` }));
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        failed.push({ folder, error });
        this.logger.error({ folder, error }, 'sample course not installed');
      }
    }
    return { installed, failed };
  }

  // ---- materialized cache -------------------------------------------------------------------------

  /**
   * Write every blob as `<dir>/<sha256>.<ext>` (with `.gz` / `.br` beside text files) so that a
   * sendfile server can serve /c/ directly, e.g. nginx:
   *   location /c/ { alias <dir>/; gzip_static on; expires max; add_header Cache-Control immutable; }
   * Files already there with the right size are kept, files of blobs no longer stored are deleted, and
   * every write is atomic (temp file, rename). The store stays the source of truth: the folder can be
   * deleted and rebuilt at any time.
   */
  materialize(dir: string): MaterializeResult {
    mkdirSync(dir, { recursive: true });
    const wanted = new Map<string, { sha256: string; enc: 'identity' | 'gzip' | 'br'; size: number }>();
    for (const b of this.repo.allBlobs()) {
      const name = `${b.sha256}.${b.ext}`;
      wanted.set(name, { sha256: b.sha256, enc: 'identity', size: b.size });
      if (b.gzip_size !== null)
        wanted.set(`${name}.gz`, { sha256: b.sha256, enc: 'gzip', size: b.gzip_size });
      if (b.brotli_size !== null)
        wanted.set(`${name}.br`, { sha256: b.sha256, enc: 'br', size: b.brotli_size });
    }
    const result: MaterializeResult = { dir, written: 0, skipped: 0, deleted: 0 };
    for (const name of readdirSync(dir)) {
      if ((CACHE_NAME.test(name) && !wanted.has(name)) || TEMP_NAME.test(name)) {
        rmSync(join(dir, name), { force: true });
        result.deleted++;
      }
    }
    for (const [name, w] of wanted) {
      const path = join(dir, name);
      if (existsSync(path) && statSync(path).size === w.size) {
        result.skipped++;
        continue;
      }
      const tmp = tempPathFor(path);
      const fd = openSync(tmp, 'wx', 0o644);
      try {
        const step = 4 * CHUNK_SIZE;
        for (let off = 0; off < w.size; off += step) {
          const buf = this.readBlob(w.sha256, off, Math.min(w.size, off + step) - 1, w.enc);
          writeSync(fd, buf);
        }
      } catch (e) {
        closeSync(fd);
        rmSync(tmp, { force: true });
        throw e;
      }
      closeSync(fd);
      publishAtomically(tmp, path);
      result.written++;
    }
    return result;
  }
}
