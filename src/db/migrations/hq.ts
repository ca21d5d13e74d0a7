import type { Migration } from '../migrate.js';
import { widenCheck } from '../schema-edit.js';
import { foldKey, personSortKey } from '../../core/text-keys.js';

/**
 * hq.db: precious. `journal` holds every row imported from every appliance, keyed by where it came from
 * ((appliance, epoch, seq)); everything else about learners is derived from it in the import transaction,
 * with union semantics (max, or, sum over distinct journal rows) so that any import order gives one answer.
 * `appliance_no` is a small integer stand-in for the appliance id so the big tables stay compact.
 * Add a migration at the end; never edit one that has shipped.
 */
/** The outcome columns of person_courses and local_courses (migration 6). */
const OUTCOME_COLUMNS = `enrolled INTEGER NOT NULL, rating INTEGER, started INTEGER NOT NULL, completed INTEGER NOT NULL,
        result TEXT NOT NULL, score REAL, attempts INTEGER NOT NULL, done INTEGER NOT NULL, last_at TEXT,`;

export const hqMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'hq-initial',
    up: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      CREATE TABLE appliances (
        no               INTEGER PRIMARY KEY,
        id               TEXT NOT NULL UNIQUE,
        name             TEXT NOT NULL,
        location         TEXT NOT NULL DEFAULT '',
        public_key       TEXT NOT NULL,
        key_id           TEXT NOT NULL UNIQUE,
        requested_at     TEXT,
        enrolled_at      TEXT NOT NULL,
        revoked_from_seq INTEGER,
        revoked_at       TEXT
      );

      -- One row per bundle accepted; the same bundle again is a no-op, so nothing is added. Nothing here
      -- depends on import order (how many rows were new is reported, not stored).
      CREATE TABLE imports (
        appliance_no INTEGER NOT NULL REFERENCES appliances(no),
        epoch        INTEGER NOT NULL,
        bundle_seq   INTEGER NOT NULL,
        sha256       TEXT NOT NULL,
        prev_sha256  TEXT,
        from_seq     INTEGER NOT NULL,
        to_seq       INTEGER NOT NULL,
        rows_total   INTEGER NOT NULL,
        imported_at  TEXT NOT NULL,
        outcome      TEXT NOT NULL CHECK (outcome IN ('imported')),
        PRIMARY KEY (appliance_no, epoch, bundle_seq)
      ) WITHOUT ROWID;

      -- Bundles refused because they contradict what HQ already holds (same bundle sequence with other
      -- content, or a journal row with the same (epoch, seq) but another body).
      CREATE TABLE forks (
        appliance_no    INTEGER NOT NULL REFERENCES appliances(no),
        epoch           INTEGER NOT NULL,
        bundle_seq      INTEGER NOT NULL,
        sha256          TEXT NOT NULL,
        existing_sha256 TEXT,
        journal_seq     INTEGER,
        reason          TEXT NOT NULL,
        detected_at     TEXT NOT NULL,
        PRIMARY KEY (appliance_no, epoch, bundle_seq, sha256)
      ) WITHOUT ROWID;

      CREATE TABLE journal (
        appliance_no INTEGER NOT NULL,
        epoch        INTEGER NOT NULL,
        seq          INTEGER NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('statement', 'person', 'cohort', 'enrolment')),
        ref          TEXT NOT NULL,
        body         TEXT NOT NULL,
        recorded_at  TEXT NOT NULL,
        PRIMARY KEY (appliance_no, epoch, seq)
      );
      CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
        BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
      CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
        BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;

      -- (appliance, local person) -> resolved person. The roster fields are those of the latest roster row
      -- (by epoch, seq); a person first seen in a statement has no roster row yet (roster_seq NULL).
      CREATE TABLE people (
        appliance_no INTEGER NOT NULL,
        local_id     TEXT NOT NULL,
        person_id    TEXT NOT NULL,
        username     TEXT,
        display_name TEXT,
        external_id  TEXT,
        agency       TEXT,
        gender       TEXT,
        language     TEXT,
        active       INTEGER NOT NULL DEFAULT 1,
        updated_at   TEXT,
        roster_epoch INTEGER,
        roster_seq   INTEGER,
        PRIMARY KEY (appliance_no, local_id)
      ) WITHOUT ROWID;
      CREATE INDEX people_person ON people(person_id);

      -- Derived per local person (appliance, local id) and activity; '' is the course itself.
      CREATE TABLE local_progress (
        appliance_no INTEGER NOT NULL,
        local_id     TEXT NOT NULL,
        course_id    TEXT NOT NULL,
        activity_id  TEXT NOT NULL,
        statements   INTEGER NOT NULL,
        attempts     INTEGER NOT NULL,
        best_score   REAL,
        completed    INTEGER NOT NULL,
        passed       INTEGER NOT NULL,
        failed       INTEGER NOT NULL,
        first_at     TEXT NOT NULL,
        last_at      TEXT NOT NULL,
        PRIMARY KEY (appliance_no, local_id, course_id, activity_id)
      ) WITHOUT ROWID;

      -- Derived per resolved person: the union of local_progress over every (appliance, local id) that
      -- resolves to the person (best score, any completion, attempts summed).
      CREATE TABLE progress (
        person_id   TEXT NOT NULL,
        course_id   TEXT NOT NULL,
        activity_id TEXT NOT NULL,
        statements  INTEGER NOT NULL,
        attempts    INTEGER NOT NULL,
        best_score  REAL,
        completed   INTEGER NOT NULL,
        passed      INTEGER NOT NULL,
        failed      INTEGER NOT NULL,
        first_at    TEXT NOT NULL,
        last_at     TEXT NOT NULL,
        PRIMARY KEY (person_id, course_id, activity_id)
      ) WITHOUT ROWID;
      CREATE INDEX progress_course ON progress(course_id, activity_id);

      -- Latest enrolment row per (appliance, local person, course).
      CREATE TABLE enrolments (
        appliance_no INTEGER NOT NULL,
        local_id     TEXT NOT NULL,
        course_id    TEXT NOT NULL,
        cohort_id    TEXT,
        active       INTEGER NOT NULL,
        epoch        INTEGER NOT NULL,
        seq          INTEGER NOT NULL,
        PRIMARY KEY (appliance_no, local_id, course_id)
      ) WITHOUT ROWID;
      CREATE INDEX enrolments_course ON enrolments(course_id);

      -- Latest rating per (appliance, local person, course), by (epoch, seq).
      CREATE TABLE ratings (
        appliance_no INTEGER NOT NULL,
        local_id     TEXT NOT NULL,
        course_id    TEXT NOT NULL,
        rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment      TEXT NOT NULL DEFAULT '',
        rated_at     TEXT NOT NULL,
        epoch        INTEGER NOT NULL,
        seq          INTEGER NOT NULL,
        PRIMARY KEY (appliance_no, local_id, course_id)
      ) WITHOUT ROWID;

      CREATE TABLE users (
        id           TEXT PRIMARY KEY,
        username     TEXT NOT NULL,
        username_key TEXT NOT NULL UNIQUE,
        secret_hash  TEXT NOT NULL,
        active       INTEGER NOT NULL DEFAULT 1,
        created_at   TEXT NOT NULL
      );
      CREATE TABLE sessions (
        token_hash  TEXT PRIMARY KEY,
        user_id     TEXT NOT NULL REFERENCES users(id),
        csrf_secret TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        expires_at  TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX sessions_user ON sessions(user_id);
    `,
  },
  {
    version: 2,
    name: 'hq-revocation-epoch',
    // A revocation point is (epoch, seq): the epoch is chosen by whoever holds the key, so a sequence alone
    // could be escaped by writing a new epoch. A revocation made before this migration ("from sequence N")
    // becomes "from 1:N", which refuses every later epoch: stricter, never weaker.
    // revocation_held: what HQ held of each earlier epoch when the key was revoked (rows beyond are refused).
    up: `
      ALTER TABLE appliances ADD COLUMN revoked_from_epoch INTEGER;
      UPDATE appliances SET revoked_from_epoch = 1 WHERE revoked_from_seq IS NOT NULL;
      CREATE TABLE revocation_held (
        appliance_no INTEGER NOT NULL REFERENCES appliances(no),
        epoch        INTEGER NOT NULL,
        held_to_seq  INTEGER NOT NULL,
        PRIMARY KEY (appliance_no, epoch)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'hq-format-2-outcomes',
    // Bundle format 2: journal kinds 'course' and 'adjustment' (the CHECK widened in place: the journal
    // holds millions of rows). Course definitions and attempt grants derived from them. Progress is now
    // read by the shared outcomes module (src/contract/outcomes.ts): attempts are the highest attempt per
    // local person (summed over a person's boxes) and answered questions are no activity, so the derived
    // tables are rebuilt from the journal once (meta derived_rebuild, done by openHqContext).
    up: (db) => {
      widenCheck(
        db,
        'journal',
        "CHECK (kind IN ('statement', 'person', 'cohort', 'enrolment'))",
        "CHECK (kind IN ('statement', 'person', 'cohort', 'enrolment', 'course', 'adjustment'))",
      );
      db.exec(`
        -- One row per course version any box declared (body: the contract's course body, JSON).
        CREATE TABLE course_defs (
          course_id TEXT NOT NULL,
          version   TEXT NOT NULL,
          body      TEXT NOT NULL,
          PRIMARY KEY (course_id, version)
        ) WITHOUT ROWID;

        -- Coordinators' adjustments (attempt grants...), one row per adjustment id.
        CREATE TABLE adjustments (
          id           TEXT PRIMARY KEY,
          appliance_no INTEGER NOT NULL,
          local_id     TEXT NOT NULL,
          course_id    TEXT NOT NULL,
          activity_id  TEXT NOT NULL,
          type         TEXT NOT NULL,
          amount       INTEGER NOT NULL,
          at           TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX adjustments_local ON adjustments(appliance_no, local_id);

        INSERT INTO meta (key, value) SELECT 'derived_rebuild', '1' WHERE EXISTS (SELECT 1 FROM journal);
      `);
    },
  },
  {
    version: 4,
    name: 'hq-statement-ids',
    // A statement id is counted once. statement_ids: the row that holds each id, the first by
    // (recorded_at, appliance id, epoch, seq) - an order that does not depend on import order, so any
    // order gives one state. Every other row with that id stays in the journal but is held out of the
    // derived tables, the reports and the xAPI export, listed in held_statements with why: 'duplicate'
    // (same appliance, same body), 'fork' (same appliance, another body), 'other_appliance' (another
    // appliance holds the id: a stolen key cannot take a genuine box's statements away, nor block its
    // bundles). Derived state is rebuilt once so that rows imported before this version are judged too.
    up: `
      CREATE TABLE statement_ids (
        id           TEXT PRIMARY KEY,
        appliance_no INTEGER NOT NULL,
        epoch        INTEGER NOT NULL,
        seq          INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE held_statements (
        appliance_no INTEGER NOT NULL,
        epoch        INTEGER NOT NULL,
        seq          INTEGER NOT NULL,
        statement_id TEXT NOT NULL,
        reason       TEXT NOT NULL CHECK (reason IN ('duplicate', 'fork', 'other_appliance')),
        PRIMARY KEY (appliance_no, epoch, seq)
      ) WITHOUT ROWID;
      CREATE INDEX held_statements_id ON held_statements(statement_id);
      INSERT OR IGNORE INTO meta (key, value) SELECT 'derived_rebuild', '1' WHERE EXISTS (SELECT 1 FROM journal);
    `,
  },
  {
    version: 5,
    name: 'hq-people-matches',
    // A person is identified at HQ by (agency, external id): people.claim_key, normalised. Two boxes
    // claiming one key stay two people until HQ staff confirm the match (person_matches, one decision per
    // box's claim): a roster row from another box can no longer rename a person or credit them by
    // claiming their external id. Decisions are staff's, not derived: a rebuild keeps them. Person ids
    // change (box-scoped until merged), so derived tables are rebuilt once.
    up: `
      ALTER TABLE people ADD COLUMN claim_key TEXT;
      CREATE INDEX people_claim ON people(claim_key) WHERE claim_key IS NOT NULL;
      CREATE TABLE person_matches (
        claim_key    TEXT NOT NULL,
        appliance_no INTEGER NOT NULL REFERENCES appliances(no),
        decision     TEXT NOT NULL CHECK (decision IN ('merged', 'rejected')),
        decided_by   TEXT NOT NULL,
        decided_at   TEXT NOT NULL,
        PRIMARY KEY (claim_key, appliance_no)
      ) WITHOUT ROWID;
      INSERT OR IGNORE INTO meta (key, value) SELECT 'derived_rebuild', '1' WHERE EXISTS (SELECT 1 FROM journal);
    `,
  },
  {
    version: 6,
    name: 'hq-course-results',
    // Each (person, course)'s outcome, as the outcomes module (src/contract/outcomes.ts) computes it from
    // the activity rows, the enrolments, the ratings and the course's latest definition, kept up to date by
    // the import (hq/course-results.ts): the reports count and page these rows in SQL instead of computing
    // every outcome again per request. person_courses is per resolved person, local_courses per box's
    // local person (the report's per-appliance figures). A row exists for every (person, course) with
    // activity, an active enrolment or a rating; result '' = no activity yet. They are filled once from the
    // existing derived tables (meta course_results_rebuild, done by openHqContext; no journal re-read).
    up: `
      CREATE TABLE person_courses (
        person_id TEXT NOT NULL,
        course_id TEXT NOT NULL,
        ${OUTCOME_COLUMNS}
        PRIMARY KEY (person_id, course_id)
      ) WITHOUT ROWID;
      CREATE INDEX person_courses_course ON person_courses(course_id);
      CREATE TABLE local_courses (
        appliance_no INTEGER NOT NULL,
        local_id     TEXT NOT NULL,
        course_id    TEXT NOT NULL,
        ${OUTCOME_COLUMNS}
        PRIMARY KEY (appliance_no, local_id, course_id)
      ) WITHOUT ROWID;
      CREATE INDEX local_courses_course ON local_courses(course_id);
      INSERT OR IGNORE INTO meta (key, value)
        SELECT 'course_results_rebuild', '1' WHERE EXISTS (SELECT 1 FROM journal);
    `,
  },
  {
    version: 7,
    name: 'hq-persons',
    // One row per resolved person with the attributes of their latest roster row (display name, username,
    // external id, agency, gender), the names of the boxes they were seen on, the name they sort by and
    // their search text (folded: no accents, lower case), kept by the import beside person_courses: the
    // Trainees page joins one row per person instead of ranking every box's roster rows per request.
    // Filled once with the course results (meta course_results_rebuild).
    up: `
      CREATE TABLE persons (
        person_id    TEXT PRIMARY KEY,
        display_name TEXT,
        username     TEXT,
        external_id  TEXT,
        agency       TEXT,
        gender       TEXT,
        appliances   TEXT NOT NULL,
        sort_name    TEXT NOT NULL,
        search       TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX persons_sort ON persons(sort_name, person_id);
      INSERT OR IGNORE INTO meta (key, value)
        SELECT 'course_results_rebuild', '1' WHERE EXISTS (SELECT 1 FROM journal);
    `,
  },
  {
    version: 8,
    name: 'hq-statement-id-keys',
    // statement_ids gets one random-key insert per statement imported: the import's largest cost at a
    // million statements, as its b-tree outgrows the page cache. An id that is a UUID in the canonical
    // lower-case form (what every box writes) is stored as its 16 bytes (a blob), any other id as its
    // text: a blob never equals a text, so two ids are the same exactly when their texts were, and the
    // tree is about 40% smaller. held_statements.statement_id holds the same key (the repo turns it back
    // into text, statementIdOfKey). The rows are converted in place; nothing is derived again.
    up: (db) => {
      const hex = (n: number) => '[0-9a-f]'.repeat(n);
      const uuid = `'${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}'`;
      const key = (col: string) =>
        `CASE WHEN ${col} GLOB ${uuid} THEN unhex(replace(${col}, '-', '')) ELSE ${col} END`;
      db.exec(`
        CREATE TABLE statement_ids_new (
          id           BLOB PRIMARY KEY,
          appliance_no INTEGER NOT NULL,
          epoch        INTEGER NOT NULL,
          seq          INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO statement_ids_new SELECT ${key('id')}, appliance_no, epoch, seq FROM statement_ids;
        DROP TABLE statement_ids;
        ALTER TABLE statement_ids_new RENAME TO statement_ids;
        CREATE TABLE held_statements_new (
          appliance_no INTEGER NOT NULL,
          epoch        INTEGER NOT NULL,
          seq          INTEGER NOT NULL,
          statement_id BLOB NOT NULL,
          reason       TEXT NOT NULL CHECK (reason IN ('duplicate', 'fork', 'other_appliance')),
          PRIMARY KEY (appliance_no, epoch, seq)
        ) WITHOUT ROWID;
        INSERT INTO held_statements_new
          SELECT appliance_no, epoch, seq, ${key('statement_id')}, reason FROM held_statements;
        DROP TABLE held_statements;
        ALTER TABLE held_statements_new RENAME TO held_statements;
        CREATE INDEX held_statements_id ON held_statements(statement_id);
      `);
    },
  },
  {
    version: 9,
    name: 'hq-agency-key',
    // A person's agency folded as the claim key folds it (core/text-keys foldKey: NFKC, spaces collapsed,
    // no case): the course report groups by it and the Trainees page filters by it, so "Police" from one
    // box and " police " from another are one agency. Computed here for the persons rows HQ holds (one
    // row per person, nothing else read); the import keeps it from then on (hq/course-results.ts).
    up: (db) => {
      db.exec("ALTER TABLE persons ADD COLUMN agency_key TEXT NOT NULL DEFAULT ''");
      const set = db.prepare('UPDATE persons SET agency_key = ? WHERE person_id = ?');
      const rows = db
        .prepare("SELECT person_id, agency FROM persons WHERE coalesce(agency, '') <> ''")
        .all() as { person_id: string; agency: string }[];
      for (const r of rows) set.run(foldKey(r.agency), r.person_id);
    },
  },
  {
    version: 10,
    name: 'hq-natural-name-order',
    // The Trainees list in a natural order ("Stagiaire 2" before "stagiaire 10", case and accents
    // folded): persons.sort_name becomes a key compared in binary order (core/text-keys personSortKey),
    // so persons_sort still serves the list. The keys of the persons rows HQ holds are recomputed here,
    // from the name columns of the same rows (one pass over persons, nothing else read or derived again;
    // the index is updated with the rows). The import writes the new keys from then on.
    up: (db) => {
      const set = db.prepare('UPDATE persons SET sort_name = ? WHERE person_id = ?');
      const rows = db.prepare('SELECT person_id, display_name, username FROM persons').all() as {
        person_id: string;
        display_name: string | null;
        username: string | null;
      }[];
      for (const r of rows) set.run(personSortKey(r.display_name, r.username, r.person_id), r.person_id);
    },
  },
];
