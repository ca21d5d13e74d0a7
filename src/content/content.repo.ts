import type { Db } from '../db/connection.js';

export interface CourseRow {
  id: string;
  version: string;
  kind: string;
  language: string;
  languages: string;
  titles: string;
  descriptions: string;
  digest: string;
  signed: number;
  signed_by: string | null;
  source: string;
  active: number;
  installed_at: string;
  /** JSON array of the assessed item ids; null = every quiz. */
  assessed: string | null;
  activity_count: number;
}

export interface BlobRow {
  sha256: string;
  ext: string;
  type: string;
  size: number;
  gzip_size: number | null;
  brotli_size: number | null;
}

export interface ActivityRow {
  activity_id: string;
  type: string;
  module_id: string;
  ord: number;
  titles: string;
  file: string;
}

export const ENC = { identity: 0, gzip: 1, br: 2 } as const;

/** Courses enabled in a content database (doctor reads a file it opened read-only, no repo needed). */
export function countActiveCourses(db: Db): number {
  return db.prepare('SELECT count(*) FROM courses WHERE active = 1').pluck().get() as number;
}

class WithDb {
  constructor(readonly db: Db) {}
}

/** All SQL of the content store, each statement prepared once (subclass fields run after `db` is set). */
export class ContentRepo extends WithDb {
  private readonly courseCols = `c.*, (SELECT count(*) FROM activities a WHERE a.course_id = c.id) AS activity_count`;
  private readonly sListCourses = this.db.prepare(`SELECT ${this.courseCols} FROM courses c ORDER BY c.id`);
  private readonly sGetCourse = this.db.prepare(`SELECT ${this.courseCols} FROM courses c WHERE c.id = ?`);
  private readonly sModules = this.db.prepare(
    'SELECT module_id, titles FROM modules WHERE course_id = ? ORDER BY ord',
  );
  private readonly sActivities = this.db.prepare(
    'SELECT activity_id, type, module_id, ord, titles, file FROM activities WHERE course_id = ? ORDER BY ord',
  );
  private readonly sActivity = this.db.prepare(
    'SELECT activity_id, type, module_id, ord, titles, file FROM activities WHERE course_id = ? AND activity_id = ?',
  );
  private readonly sLesson = this.db.prepare(
    'SELECT html FROM lessons WHERE course_id = ? AND activity_id = ? AND lang = ?',
  );
  private readonly sQuizView = this.db.prepare(
    'SELECT view FROM quiz_views WHERE course_id = ? AND activity_id = ? AND lang = ?',
  );
  private readonly sQuizKey = this.db.prepare(
    'SELECT key FROM quiz_keys WHERE course_id = ? AND activity_id = ? AND lang = ?',
  );
  private readonly sBlob = this.db.prepare('SELECT * FROM blobs WHERE sha256 = ?');
  private readonly sAllBlobs = this.db.prepare('SELECT * FROM blobs ORDER BY sha256');
  private readonly sChunks = this.db
    .prepare('SELECT data FROM chunks WHERE sha256 = ? AND enc = ? AND n BETWEEN ? AND ? ORDER BY n')
    .pluck();
  private readonly sSetActive = this.db.prepare('UPDATE courses SET active = ? WHERE id = ?');
  private readonly sMetaGet = this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  private readonly sMetaSet = this.db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  private readonly sCourseCount = this.db.prepare('SELECT count(*) FROM courses').pluck();
  private readonly sFileByPath = this.db.prepare(
    'SELECT sha256, size, type FROM course_files WHERE course_id = ? AND path = ? AND served = 1',
  );
  private readonly sScorm = this.db.prepare('SELECT info FROM scorm_packages WHERE course_id = ?').pluck();
  private readonly sInsertScorm = this.db.prepare(
    'INSERT INTO scorm_packages (course_id, info) VALUES (?, ?)',
  );

  // Writes (install).
  private readonly sDeleteCourse = this.db.prepare('DELETE FROM courses WHERE id = ?');
  private readonly sInsertCourse = this.db.prepare(
    `INSERT INTO courses (id, version, kind, language, languages, titles, descriptions, digest, signed,
       signed_by, source, active, installed_at, assessed)
     VALUES (@id, @version, @kind, @language, @languages, @titles, @descriptions, @digest, @signed,
       @signed_by, @source, @active, @installed_at, @assessed)`,
  );
  private readonly sInsertModule = this.db.prepare(
    'INSERT INTO modules (course_id, module_id, ord, titles) VALUES (?, ?, ?, ?)',
  );
  private readonly sInsertActivity = this.db.prepare(
    'INSERT INTO activities (course_id, activity_id, type, module_id, ord, titles, file) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  private readonly sInsertLesson = this.db.prepare(
    'INSERT INTO lessons (course_id, activity_id, lang, html) VALUES (?, ?, ?, ?)',
  );
  private readonly sInsertQuizView = this.db.prepare(
    'INSERT INTO quiz_views (course_id, activity_id, lang, view) VALUES (?, ?, ?, ?)',
  );
  private readonly sInsertQuizKey = this.db.prepare(
    'INSERT INTO quiz_keys (course_id, activity_id, lang, key) VALUES (?, ?, ?, ?)',
  );
  private readonly sInsertFile = this.db.prepare(
    'INSERT INTO course_files (course_id, version, path, sha256, size, type, served) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  private readonly sInsertBlob = this.db.prepare(
    'INSERT INTO blobs (sha256, ext, type, size, gzip_size, brotli_size) VALUES (?, ?, ?, ?, ?, ?)',
  );
  private readonly sInsertChunk = this.db.prepare(
    'INSERT INTO chunks (sha256, enc, n, data) VALUES (?, ?, ?, ?)',
  );
  private readonly sDeleteOrphanChunks = this.db.prepare(
    'DELETE FROM chunks WHERE sha256 NOT IN (SELECT sha256 FROM course_files WHERE served = 1)',
  );
  private readonly sDeleteOrphanBlobs = this.db.prepare(
    'DELETE FROM blobs WHERE sha256 NOT IN (SELECT sha256 FROM course_files WHERE served = 1)',
  );

  listCourses(): CourseRow[] {
    return this.sListCourses.all() as CourseRow[];
  }
  getCourse(id: string): CourseRow | undefined {
    return this.sGetCourse.get(id) as CourseRow | undefined;
  }
  courseCount(): number {
    return this.sCourseCount.get() as number;
  }
  modules(courseId: string): { module_id: string; titles: string }[] {
    return this.sModules.all(courseId) as { module_id: string; titles: string }[];
  }
  activities(courseId: string): ActivityRow[] {
    return this.sActivities.all(courseId) as ActivityRow[];
  }
  activity(courseId: string, activityId: string): ActivityRow | undefined {
    return this.sActivity.get(courseId, activityId) as ActivityRow | undefined;
  }
  lessonHtml(courseId: string, activityId: string, lang: string): string | undefined {
    return (this.sLesson.get(courseId, activityId, lang) as { html: string } | undefined)?.html;
  }
  quizView(courseId: string, activityId: string, lang: string): string | undefined {
    return (this.sQuizView.get(courseId, activityId, lang) as { view: string } | undefined)?.view;
  }
  quizKey(courseId: string, activityId: string, lang: string): string | undefined {
    return (this.sQuizKey.get(courseId, activityId, lang) as { key: string } | undefined)?.key;
  }
  blob(sha256: string): BlobRow | undefined {
    return this.sBlob.get(sha256) as BlobRow | undefined;
  }
  allBlobs(): BlobRow[] {
    return this.sAllBlobs.all() as BlobRow[];
  }
  chunks(sha256: string, enc: number, first: number, last: number): Buffer[] {
    return this.sChunks.all(sha256, enc, first, last) as Buffer[];
  }
  setActive(id: string, active: boolean): boolean {
    return this.sSetActive.run(active ? 1 : 0, id).changes > 0;
  }
  meta(key: string): string | undefined {
    return this.sMetaGet.get(key) as string | undefined;
  }
  setMeta(key: string, value: string): void {
    this.sMetaSet.run(key, value);
  }

  /** A served file of an installed course by its path (SCORM packages are served by path). */
  fileByPath(courseId: string, path: string): { sha256: string; size: number; type: string } | undefined {
    return this.sFileByPath.get(courseId, path) as { sha256: string; size: number; type: string } | undefined;
  }
  scormInfo(courseId: string): string | undefined {
    return this.sScorm.get(courseId) as string | undefined;
  }
  insertScorm(courseId: string, info: string): void {
    this.sInsertScorm.run(courseId, info);
  }

  deleteCourse(id: string): void {
    this.sDeleteCourse.run(id);
  }
  insertCourse(row: Omit<CourseRow, 'activity_count'>): void {
    this.sInsertCourse.run(row);
  }
  insertModule(courseId: string, moduleId: string, ord: number, titles: string): void {
    this.sInsertModule.run(courseId, moduleId, ord, titles);
  }
  insertActivity(courseId: string, a: Omit<ActivityRow, 'activity_id'> & { id: string }): void {
    this.sInsertActivity.run(courseId, a.id, a.type, a.module_id, a.ord, a.titles, a.file);
  }
  insertLesson(courseId: string, activityId: string, lang: string, html: string): void {
    this.sInsertLesson.run(courseId, activityId, lang, html);
  }
  insertQuiz(courseId: string, activityId: string, lang: string, view: string, key: string): void {
    this.sInsertQuizView.run(courseId, activityId, lang, view);
    this.sInsertQuizKey.run(courseId, activityId, lang, key);
  }
  insertFile(
    courseId: string,
    version: string,
    f: { path: string; sha256: string; size: number; type: string; served: boolean },
  ): void {
    this.sInsertFile.run(courseId, version, f.path, f.sha256, f.size, f.type, f.served ? 1 : 0);
  }
  insertBlob(b: BlobRow): void {
    this.sInsertBlob.run(b.sha256, b.ext, b.type, b.size, b.gzip_size, b.brotli_size);
  }
  insertChunk(sha256: string, enc: number, n: number, data: Buffer): void {
    this.sInsertChunk.run(sha256, enc, n, data);
  }
  /** Remove blobs that no installed course serves any more. */
  deleteOrphanBlobs(): number {
    this.sDeleteOrphanChunks.run();
    return this.sDeleteOrphanBlobs.run().changes;
  }
}
