import type { Migration } from '../migrate.js';

/**
 * content.db: replaceable (every course can be imported again from its folder or bundle). One row in
 * `courses` per installed course (its current version); everything else hangs off the course id and is
 * replaced in the one transaction that installs or upgrades it. Media bytes live in `blobs`/`chunks`,
 * content-addressed by SHA-256 and cut into fixed-size chunks so that HTTP Range reads touch only the
 * chunks they need. Add a migration at the end; never edit one that has shipped.
 */
export const contentMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'content-initial',
    up: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      CREATE TABLE courses (
        id           TEXT PRIMARY KEY,
        version      TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('native', 'scorm12', 'scorm2004')),
        language     TEXT NOT NULL,
        languages    TEXT NOT NULL,            -- JSON array
        titles       TEXT NOT NULL,            -- JSON {lang: text}
        descriptions TEXT NOT NULL,            -- JSON {lang: text}
        digest       TEXT NOT NULL,            -- sha256 over the sorted (path, sha256) list of its files
        signed       INTEGER NOT NULL DEFAULT 0,
        signed_by    TEXT,
        source       TEXT NOT NULL DEFAULT '',
        active       INTEGER NOT NULL DEFAULT 1,
        installed_at TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE modules (
        course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
        module_id TEXT NOT NULL,
        ord       INTEGER NOT NULL,
        titles    TEXT NOT NULL,
        PRIMARY KEY (course_id, module_id)
      ) WITHOUT ROWID;

      -- Activity ids are stable across versions and languages: progress in records.db refers to them.
      CREATE TABLE activities (
        course_id   TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
        activity_id TEXT NOT NULL,
        type        TEXT NOT NULL CHECK (type IN ('lesson', 'quiz', 'sco')),
        module_id   TEXT NOT NULL,
        ord         INTEGER NOT NULL,
        titles      TEXT NOT NULL,
        file        TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (course_id, activity_id)
      ) WITHOUT ROWID;

      -- Lesson HTML rendered (and made safe) at import, per language.
      CREATE TABLE lessons (
        course_id   TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
        activity_id TEXT NOT NULL,
        lang        TEXT NOT NULL,
        html        TEXT NOT NULL,
        PRIMARY KEY (course_id, activity_id, lang)
      ) WITHOUT ROWID;

      -- What a trainee may see of a quiz (no answers) ...
      CREATE TABLE quiz_views (
        course_id   TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
        activity_id TEXT NOT NULL,
        lang        TEXT NOT NULL,
        view        TEXT NOT NULL,
        PRIMARY KEY (course_id, activity_id, lang)
      ) WITHOUT ROWID;
      -- ... and the answers and feedback, kept apart and read only when grading.
      CREATE TABLE quiz_keys (
        course_id   TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
        activity_id TEXT NOT NULL,
        lang        TEXT NOT NULL,
        key         TEXT NOT NULL,
        PRIMARY KEY (course_id, activity_id, lang)
      ) WITHOUT ROWID;

      -- Every file of the installed version (sources and media); media files also have a blob.
      CREATE TABLE course_files (
        course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
        version   TEXT NOT NULL,
        path      TEXT NOT NULL,
        sha256    TEXT NOT NULL,
        size      INTEGER NOT NULL,
        type      TEXT NOT NULL,
        served    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (course_id, path)
      ) WITHOUT ROWID;
      CREATE INDEX course_files_sha ON course_files(sha256);

      CREATE TABLE blobs (
        sha256      TEXT PRIMARY KEY,
        ext         TEXT NOT NULL,
        type        TEXT NOT NULL,
        size        INTEGER NOT NULL,
        gzip_size   INTEGER,
        brotli_size INTEGER
      ) WITHOUT ROWID;

      -- enc: 0 identity, 1 gzip, 2 brotli. A rowid table: chunks are large, and SQLite keeps large rows
      -- out of the primary-key b-tree this way.
      CREATE TABLE chunks (
        sha256 TEXT NOT NULL,
        enc    INTEGER NOT NULL,
        n      INTEGER NOT NULL,
        data   BLOB NOT NULL,
        UNIQUE (sha256, enc, n)
      );
    `,
  },
  {
    version: 2,
    name: 'scorm-packages',
    up: `
      -- SCORM courses (kind scorm12 / scorm2004): version, sequencing control mode, TOC and, per
      -- activity (item identifier), the launch path and tracking data from imsmanifest.xml (JSON).
      CREATE TABLE scorm_packages (
        course_id TEXT PRIMARY KEY REFERENCES courses(id) ON DELETE CASCADE,
        info      TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'course-assessed',
    // course.json `assessed` (JSON array of item ids); NULL = the default, every quiz (contract/outcomes.ts).
    up: `ALTER TABLE courses ADD COLUMN assessed TEXT;`,
  },
];
