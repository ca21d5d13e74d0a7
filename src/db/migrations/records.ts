import type { Migration } from '../migrate.js';
import { widenCheck } from '../schema-edit.js';

/**
 * records.db: precious. Everything that leaves the box goes through `journal` (one order, gap-free `seq`);
 * progress, attempts and ratings are derived beside it in the same transaction.
 * Add a migration at the end; never edit one that has shipped.
 */
export const recordsMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'records-initial',
    up: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      CREATE TABLE people (
        id           TEXT PRIMARY KEY,
        role         TEXT NOT NULL CHECK (role IN ('trainee', 'coordinator')),
        username     TEXT NOT NULL,
        username_key TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL DEFAULT '',
        secret_hash  TEXT NOT NULL,
        external_id  TEXT,
        agency       TEXT,
        gender       TEXT CHECK (gender IN ('female', 'male', 'other', 'undisclosed')),
        language     TEXT,
        active       INTEGER NOT NULL DEFAULT 1,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      );
      CREATE INDEX people_role ON people(role, active);
      CREATE INDEX people_external ON people(external_id) WHERE external_id IS NOT NULL;

      CREATE TABLE cohorts (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        class_code TEXT UNIQUE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE cohort_members (
        cohort_id TEXT NOT NULL REFERENCES cohorts(id),
        person_id TEXT NOT NULL REFERENCES people(id),
        added_at  TEXT NOT NULL,
        PRIMARY KEY (cohort_id, person_id)
      ) WITHOUT ROWID;
      CREATE INDEX cohort_members_person ON cohort_members(person_id);
      CREATE TABLE enrolments (
        person_id  TEXT NOT NULL REFERENCES people(id),
        course_id  TEXT NOT NULL,
        cohort_id  TEXT REFERENCES cohorts(id),
        created_at TEXT NOT NULL,
        PRIMARY KEY (person_id, course_id)
      ) WITHOUT ROWID;
      CREATE INDEX enrolments_course ON enrolments(course_id);

      CREATE TABLE sessions (
        token_hash   TEXT PRIMARY KEY,
        person_id    TEXT NOT NULL REFERENCES people(id),
        role         TEXT NOT NULL,
        csrf_secret  TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        expires_at   TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX sessions_person ON sessions(person_id);

      -- Append-only. seq is INTEGER PRIMARY KEY without AUTOINCREMENT and rows are never deleted,
      -- so a committed seq is always max+1: gap-free by construction.
      CREATE TABLE journal (
        seq         INTEGER PRIMARY KEY,
        epoch       INTEGER NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('statement', 'person', 'cohort', 'enrolment')),
        ref         TEXT NOT NULL,
        body        TEXT NOT NULL,
        recorded_at TEXT NOT NULL
      );
      CREATE INDEX journal_ref ON journal(kind, ref);
      CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
        BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
      CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
        BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;

      -- Derived: one row per (person, course, activity); activity_id '' is the course itself.
      CREATE TABLE progress (
        person_id   TEXT NOT NULL,
        course_id   TEXT NOT NULL,
        activity_id TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('started', 'completed', 'failed', 'passed')),
        best_score  REAL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        position    TEXT,
        last_seq    INTEGER NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (person_id, course_id, activity_id)
      ) WITHOUT ROWID;
      CREATE INDEX progress_course ON progress(course_id, activity_id);

      -- Derived: quiz attempts and SCORM CMI state per person, activity and attempt.
      CREATE TABLE attempts (
        person_id   TEXT NOT NULL,
        course_id   TEXT NOT NULL,
        activity_id TEXT NOT NULL,
        attempt_no  INTEGER NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('quiz', 'scorm')),
        state       TEXT NOT NULL DEFAULT '{}',
        score       REAL,
        status      TEXT,
        started_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (person_id, course_id, activity_id, attempt_no)
      ) WITHOUT ROWID;

      CREATE TABLE ratings (
        person_id TEXT NOT NULL,
        course_id TEXT NOT NULL,
        rating    INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment   TEXT NOT NULL DEFAULT '',
        rated_at  TEXT NOT NULL,
        PRIMARY KEY (person_id, course_id)
      ) WITHOUT ROWID;

      CREATE TABLE bundles (
        seq             INTEGER PRIMARY KEY,
        epoch           INTEGER NOT NULL,
        from_seq        INTEGER NOT NULL,
        to_seq          INTEGER NOT NULL,
        sha256          TEXT NOT NULL,
        prev_sha256     TEXT,
        file            TEXT NOT NULL,
        bytes           INTEGER NOT NULL,
        state           TEXT NOT NULL DEFAULT 'written',
        created_at      TEXT NOT NULL,
        copied_at       TEXT,
        uploaded_at     TEXT,
        acknowledged_at TEXT
      );

      CREATE TABLE job_runs (
        id          INTEGER PRIMARY KEY,
        job         TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        outcome     TEXT,
        message     TEXT,
        duration_ms INTEGER
      );
      CREATE INDEX job_runs_job ON job_runs(job, id);

      CREATE TABLE audit (
        id       INTEGER PRIMARY KEY,
        at       TEXT NOT NULL,
        actor_id TEXT,
        action   TEXT NOT NULL,
        target   TEXT,
        details  TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'bundles-reexport-upload',
    up: `
      ALTER TABLE bundles ADD COLUMN reexport INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE bundles ADD COLUMN upload_attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE bundles ADD COLUMN last_error TEXT;
      CREATE INDEX bundles_state ON bundles(state, seq);
    `,
  },
  {
    version: 3,
    name: 'journal-actor-index',
    // A trainee's own statements (CLI `progress`, the admin's trainee history) without reading the
    // whole journal: an index on the statement's actor, for statements only.
    up: `
      CREATE INDEX journal_actor ON journal (json_extract(body, '$.actor.account.name')) WHERE kind = 'statement';
    `,
  },
  {
    version: 4,
    name: 'journal-format-2-operations-grants',
    // Bundle format 2: journal kinds 'course' and 'adjustment', the CHECK widened in place (the journal
    // may hold millions of rows). Progress keeps completion apart from pass/fail (a SCO can be completed
    // and failed; a submitted quiz is completed whatever its score): status ranks started < completed <
    // failed < passed (src/contract/outcomes.ts). Operation ids (records/operations.ts) and attempt grants.
    up: (db) => {
      widenCheck(
        db,
        'journal',
        "CHECK (kind IN ('statement', 'person', 'cohort', 'enrolment'))",
        "CHECK (kind IN ('statement', 'person', 'cohort', 'enrolment', 'course', 'adjustment'))",
      );
      db.exec(`
        ALTER TABLE progress ADD COLUMN completed INTEGER NOT NULL DEFAULT 0;
        UPDATE progress SET completed = 1
         WHERE status IN ('completed', 'passed') OR (status = 'failed' AND attempts > 0);

        -- One row per operation a person asked for (a quiz submission...): claimed in the transaction of
        -- the write it guards, so a repeat gets the first result and writes nothing. Kept >= 30 days.
        CREATE TABLE operations (
          id         TEXT PRIMARY KEY,
          person_id  TEXT NOT NULL,
          action     TEXT NOT NULL,
          target     TEXT NOT NULL,
          result     TEXT NOT NULL,
          created_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX operations_created ON operations(created_at);

        -- Derived from the journal's 'adjustment' rows: extra attempts per (person, quiz), summed.
        CREATE TABLE attempt_grants (
          person_id   TEXT NOT NULL,
          course_id   TEXT NOT NULL,
          activity_id TEXT NOT NULL,
          granted     INTEGER NOT NULL,
          PRIMARY KEY (person_id, course_id, activity_id)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 5,
    name: 'progress-failed-outranks-completed',
    // Before 4, `completed` outranked `failed` in the progress merge, so a SCO that completed and failed
    // was stored 'completed' (shown done, its course "passed"). Status is derived from the journal: one
    // pass over the failed statements gives back what the merge now says (failed outranks completed; a
    // passed row stays passed). The extension IRIs are the contract's (src/contract/vocabulary.ts EXT),
    // written out here because a migration is a snapshot and db/ imports only core/.
    up: (db) => {
      db.exec(`
        UPDATE progress SET status = 'failed'
         WHERE status = 'completed'
           AND (person_id, course_id, activity_id) IN (
             SELECT json_extract(body, '$.actor.account.name'),
                    json_extract(body, '$.context.extensions."urn:fieldclass:ext:course-id"'),
                    json_extract(body, '$.context.extensions."urn:fieldclass:ext:activity-id"')
               FROM journal
              WHERE kind = 'statement'
                AND json_extract(body, '$.verb.id') = 'http://adlnet.gov/expapi/verbs/failed');
      `);
    },
  },
  {
    version: 6,
    name: 'job-run-message-keys',
    // A job's result in the coordinator's language: the run keeps a message key and its params (JSON)
    // beside the English text. Older rows keep only their text (shown as it is, marked English).
    up: (db) => {
      db.exec(`
        ALTER TABLE job_runs ADD COLUMN message_key TEXT;
        ALTER TABLE job_runs ADD COLUMN message_params TEXT;
      `);
    },
  },
];
