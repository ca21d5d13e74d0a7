import type { Statement } from 'better-sqlite3';
import type { AdjustmentBody, CourseBody, JournalKind } from '../contract/journal.js';
import type { Db } from '../db/connection.js';

/** A journal row as HQ stores it (what the box exported, plus where it came from). */
export interface HqJournalRow {
  appliance_no: number;
  epoch: number;
  seq: number;
  kind: JournalKind;
  ref: string;
  body: string;
  recorded_at: string;
}

/** What one batch of statements adds to one (local person, course, activity). */
export interface ProgressDelta {
  localId: string;
  courseId: string;
  activityId: string;
  statements: number;
  attempts: number;
  bestScore: number | null;
  completed: number;
  passed: number;
  failed: number;
  firstAt: string;
  lastAt: string;
}

export interface PeopleRosterRow {
  localId: string;
  personId: string;
  /** (agency, external id) normalised (claimKeyOf), null without an external id. */
  claimKey: string | null;
  username: string | null;
  displayName: string | null;
  externalId: string | null;
  agency: string | null;
  gender: string | null;
  language: string | null;
  active: number;
  updatedAt: string | null;
  epoch: number;
  seq: number;
}

/** A journal row that claims a statement id. */
export interface StatementClaimant {
  appliance_no: number;
  appliance_id: string;
  epoch: number;
  seq: number;
  body: string;
  recorded_at: string;
}

/** Why a statement is held out: see migration 4 (src/db/migrations/hq.ts). */
export type HeldReason = 'duplicate' | 'fork' | 'other_appliance';

export interface HeldStatementRow {
  appliance_id: string;
  appliance_name: string;
  epoch: number;
  seq: number;
  statement_id: string;
  reason: HeldReason;
  holder_appliance_id: string;
  holder_appliance_name: string;
  holder_epoch: number;
  holder_seq: number;
}

/** A statement id as statement_ids and held_statements store it (migration 8): 16 bytes or the text. */
export type StatementKey = Buffer | string;

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The key of a statement id: a UUID in canonical lower-case form (what boxes write) as its 16 bytes,
 * anything else as its text. A blob never equals a text in SQLite, so keys are equal exactly when the
 * ids are; the smaller key keeps the statement_ids b-tree (one random insert per statement) small.
 */
export function statementKey(id: string): StatementKey {
  const b = Buffer.allocUnsafe(16);
  return writeStatementKey(id, b, 0) ? b : id;
}

/**
 * Write a statement id's 16-byte key into `target` at `offset` when it has one (a canonical lower-case
 * UUID); false for any other id, whose key is its text (statementKey).
 */
export function writeStatementKey(id: string, target: Buffer, offset: number): boolean {
  if (!CANONICAL_UUID.test(id)) return false;
  target.write(id.replaceAll('-', ''), offset, 16, 'hex');
  return true;
}

/** The statement id a key stands for (statementKey's inverse). */
export function statementIdOfKey(key: StatementKey): string {
  if (typeof key === 'string') return key;
  const h = key.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Per local person: attempts are the highest attempt closed on that box (src/contract/outcomes.ts). */
const UNION_SET = `
  statements = statements + excluded.statements,
  attempts   = max(attempts, excluded.attempts),
  best_score = coalesce(max(best_score, excluded.best_score), best_score, excluded.best_score),
  completed  = max(completed, excluded.completed),
  passed     = max(passed, excluded.passed),
  failed     = max(failed, excluded.failed),
  first_at   = min(first_at, excluded.first_at),
  last_at    = max(last_at, excluded.last_at)`;

/** SQL for HQ's journal and what is derived from it. Statements are prepared once. */
export class HqJournalRepo {
  private readonly insertRow: Statement;
  private readonly getRow: Statement;
  private readonly personOf: Statement;
  private readonly rosterOf: Statement;
  private readonly upsertRoster: Statement;
  private readonly insertProvisional: Statement;
  private readonly hasLocalProgress: Statement;
  private readonly upsertLocal: Statement;
  private readonly upsertProgress: Statement;
  private readonly insertCourseDef: Statement;
  private readonly rowsOfAppliance: Statement;
  private readonly insertAdjustment: Statement;
  private readonly deleteProgress: Statement;
  private readonly rebuildProgress: Statement;
  private readonly upsertEnrolment: Statement;
  private readonly upsertRating: Statement;
  private readonly iterateStatements: Statement;
  private readonly peopleOfAppliance: Statement;
  private readonly claimStatementId: Statement;
  private readonly decisionOf: Statement;
  private readonly claimsOfKey: Statement;
  private readonly setPersonOfLocal: Statement;
  private readonly holderOfId: Statement;
  private readonly setHolderOfId: Statement;
  private readonly heldOfId: Statement;
  private readonly upsertHeld: Statement;
  private readonly deleteHeld: Statement;
  private readonly heldStatementsAll: Statement;
  private readonly localStatementsOf: Statement;
  private readonly deleteLocalProgress: Statement;
  private readonly deleteLocalRatings: Statement;
  private readonly deleteUncounted: Statement;
  private readonly applianceList: Statement;
  private readonly rebuildFlag: Statement;
  private readonly deleteRebuildFlag: Statement;

  constructor(private readonly db: Db) {
    this.applianceList = db.prepare('SELECT no, id FROM appliances ORDER BY no');
    this.rebuildFlag = db.prepare("SELECT 1 FROM meta WHERE key = 'derived_rebuild'");
    this.deleteRebuildFlag = db.prepare("DELETE FROM meta WHERE key = 'derived_rebuild'");
    this.insertRow = db.prepare(
      `INSERT OR IGNORE INTO journal (appliance_no, epoch, seq, kind, ref, body, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.getRow = db.prepare(
      'SELECT kind, ref, body, recorded_at FROM journal WHERE appliance_no = ? AND epoch = ? AND seq = ?',
    );
    this.personOf = db
      .prepare('SELECT person_id FROM people WHERE appliance_no = ? AND local_id = ?')
      .pluck();
    this.rosterOf = db.prepare(
      'SELECT person_id, roster_epoch, roster_seq FROM people WHERE appliance_no = ? AND local_id = ?',
    );
    this.upsertRoster = db.prepare(
      `INSERT INTO people (appliance_no, local_id, person_id, username, display_name, external_id, agency,
                           gender, language, active, updated_at, roster_epoch, roster_seq, claim_key)
       VALUES (@applianceNo, @localId, @personId, @username, @displayName, @externalId, @agency,
               @gender, @language, @active, @updatedAt, @epoch, @seq, @claimKey)
       ON CONFLICT (appliance_no, local_id) DO UPDATE SET
         person_id = excluded.person_id, claim_key = excluded.claim_key, username = excluded.username, display_name = excluded.display_name,
         external_id = excluded.external_id, agency = excluded.agency, gender = excluded.gender,
         language = excluded.language, active = excluded.active, updated_at = excluded.updated_at,
         roster_epoch = excluded.roster_epoch, roster_seq = excluded.roster_seq
       WHERE roster_seq IS NULL OR (excluded.roster_epoch, excluded.roster_seq) > (roster_epoch, roster_seq)`,
    );
    this.insertProvisional = db.prepare(
      'INSERT OR IGNORE INTO people (appliance_no, local_id, person_id) VALUES (?, ?, ?)',
    );
    this.hasLocalProgress = db
      .prepare('SELECT 1 FROM local_progress WHERE appliance_no = ? AND local_id = ? LIMIT 1')
      .pluck();
    this.upsertLocal = db.prepare(
      `INSERT INTO local_progress (appliance_no, local_id, course_id, activity_id, statements, attempts,
                                   best_score, completed, passed, failed, first_at, last_at)
       VALUES (@applianceNo, @localId, @courseId, @activityId, @statements, @attempts, @bestScore,
               @completed, @passed, @failed, @firstAt, @lastAt)
       ON CONFLICT (appliance_no, local_id, course_id, activity_id) DO UPDATE SET ${UNION_SET}`,
    );
    // A resolved person's row is the union of their local rows (one per box): flags or'ed, best score,
    // attempts summed over boxes. Recomputed for the (person, course) the deltas of a flush touched: one
    // statement for all of a course's activities rather than one per activity (the import's hot path).
    this.upsertProgress = db.prepare(
      `INSERT INTO progress (person_id, course_id, activity_id, statements, attempts, best_score, completed,
                             passed, failed, first_at, last_at)
       SELECT pe.person_id, lp.course_id, lp.activity_id, sum(lp.statements), sum(lp.attempts),
              max(lp.best_score), max(lp.completed), max(lp.passed), max(lp.failed), min(lp.first_at),
              max(lp.last_at)
         FROM people pe
         JOIN local_progress lp ON lp.appliance_no = pe.appliance_no AND lp.local_id = pe.local_id
                               AND lp.course_id = @courseId
        WHERE pe.person_id = @personId
        GROUP BY lp.course_id, lp.activity_id
       ON CONFLICT (person_id, course_id, activity_id) DO UPDATE SET
         statements = excluded.statements, attempts = excluded.attempts, best_score = excluded.best_score,
         completed = excluded.completed, passed = excluded.passed, failed = excluded.failed,
         first_at = excluded.first_at, last_at = excluded.last_at`,
    );
    this.rowsOfAppliance = db.prepare(
      `SELECT epoch, seq, kind, ref, body, recorded_at FROM journal
        WHERE appliance_no = ? AND (epoch, seq) > (?, ?) ORDER BY epoch, seq LIMIT ?`,
    );
    this.insertCourseDef = db.prepare(
      'INSERT OR IGNORE INTO course_defs (course_id, version, body) VALUES (?, ?, ?)',
    );
    this.insertAdjustment = db.prepare(
      `INSERT OR IGNORE INTO adjustments (id, appliance_no, local_id, course_id, activity_id, type, amount, at)
       VALUES (@id, @applianceNo, @personId, @courseId, @activityId, @type, @amount, @at)`,
    );
    this.deleteProgress = db.prepare('DELETE FROM progress WHERE person_id = ?');
    this.rebuildProgress = db.prepare(
      `INSERT INTO progress (person_id, course_id, activity_id, statements, attempts, best_score, completed,
                             passed, failed, first_at, last_at)
       SELECT pe.person_id, lp.course_id, lp.activity_id, sum(lp.statements), sum(lp.attempts),
              max(lp.best_score), max(lp.completed), max(lp.passed), max(lp.failed), min(lp.first_at),
              max(lp.last_at)
         FROM people pe
         JOIN local_progress lp ON lp.appliance_no = pe.appliance_no AND lp.local_id = pe.local_id
        WHERE pe.person_id = ?
        GROUP BY lp.course_id, lp.activity_id`,
    );
    this.upsertEnrolment = db.prepare(
      `INSERT INTO enrolments (appliance_no, local_id, course_id, cohort_id, active, epoch, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (appliance_no, local_id, course_id) DO UPDATE SET
         cohort_id = excluded.cohort_id, active = excluded.active, epoch = excluded.epoch, seq = excluded.seq
       WHERE (excluded.epoch, excluded.seq) > (epoch, seq)`,
    );
    this.upsertRating = db.prepare(
      `INSERT INTO ratings (appliance_no, local_id, course_id, rating, comment, rated_at, epoch, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (appliance_no, local_id, course_id) DO UPDATE SET
         rating = excluded.rating, comment = excluded.comment, rated_at = excluded.rated_at,
         epoch = excluded.epoch, seq = excluded.seq
       WHERE (excluded.epoch, excluded.seq) > (epoch, seq)`,
    );
    // Held-out rows (another row holds their statement id) are not exported: an LRS refuses an id twice.
    this.iterateStatements = db.prepare(
      `SELECT j.appliance_no, j.epoch, j.seq, j.body, a.id AS appliance_id
         FROM journal j JOIN appliances a ON a.no = j.appliance_no
        WHERE j.kind = 'statement'
          AND NOT EXISTS (SELECT 1 FROM held_statements h
                           WHERE h.appliance_no = j.appliance_no AND h.epoch = j.epoch AND h.seq = j.seq)
        ORDER BY j.appliance_no, j.epoch, j.seq`,
    );
    this.decisionOf = db
      .prepare('SELECT decision FROM person_matches WHERE claim_key = ? AND appliance_no = ?')
      .pluck();
    this.claimsOfKey = db.prepare(
      'SELECT appliance_no, local_id, person_id FROM people WHERE claim_key = ? ORDER BY appliance_no, local_id',
    );
    this.setPersonOfLocal = db.prepare(
      'UPDATE people SET person_id = ? WHERE appliance_no = ? AND local_id = ?',
    );
    this.claimStatementId = db.prepare(
      'INSERT OR IGNORE INTO statement_ids (id, appliance_no, epoch, seq) VALUES (?, ?, ?, ?)',
    );
    const claimant = `j.appliance_no, j.epoch, j.seq, j.body, j.recorded_at, a.id AS appliance_id
         FROM journal j JOIN appliances a ON a.no = j.appliance_no`;
    this.holderOfId = db.prepare(
      `SELECT ${claimant} JOIN statement_ids s
          ON s.appliance_no = j.appliance_no AND s.epoch = j.epoch AND s.seq = j.seq
       WHERE s.id = ?`,
    );
    this.setHolderOfId = db.prepare(
      'UPDATE statement_ids SET appliance_no = ?, epoch = ?, seq = ? WHERE id = ?',
    );
    this.heldOfId = db.prepare(
      `SELECT ${claimant} JOIN held_statements h
          ON h.appliance_no = j.appliance_no AND h.epoch = j.epoch AND h.seq = j.seq
       WHERE h.statement_id = ?`,
    );
    this.upsertHeld = db.prepare(
      `INSERT INTO held_statements (appliance_no, epoch, seq, statement_id, reason) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (appliance_no, epoch, seq) DO UPDATE SET reason = excluded.reason`,
    );
    this.deleteHeld = db.prepare(
      'DELETE FROM held_statements WHERE appliance_no = ? AND epoch = ? AND seq = ?',
    );
    this.heldStatementsAll = db.prepare(
      `SELECT a.id AS appliance_id, a.name AS appliance_name, h.epoch, h.seq, h.statement_id, h.reason,
              ha.id AS holder_appliance_id, ha.name AS holder_appliance_name, s.epoch AS holder_epoch,
              s.seq AS holder_seq
         FROM held_statements h
         JOIN appliances a ON a.no = h.appliance_no
         JOIN statement_ids s ON s.id = h.statement_id
         JOIN appliances ha ON ha.no = s.appliance_no
        ORDER BY a.no, h.epoch, h.seq`,
    );
    this.localStatementsOf = db.prepare(
      `SELECT j.epoch, j.seq, j.kind, j.ref, j.body, j.recorded_at FROM journal j
        WHERE j.appliance_no = ? AND j.kind = 'statement'
          AND NOT EXISTS (SELECT 1 FROM held_statements h
                           WHERE h.appliance_no = j.appliance_no AND h.epoch = j.epoch AND h.seq = j.seq)
        ORDER BY j.epoch, j.seq`,
    );
    this.deleteLocalProgress = db.prepare(
      'DELETE FROM local_progress WHERE appliance_no = ? AND local_id = ?',
    );
    this.deleteLocalRatings = db.prepare('DELETE FROM ratings WHERE appliance_no = ? AND local_id = ?');
    const of = 'x.appliance_no = @a AND x.local_id = @l';
    this.deleteUncounted = db.prepare(
      `DELETE FROM people WHERE appliance_no = @a AND local_id = @l AND roster_seq IS NULL
          AND NOT EXISTS (SELECT 1 FROM local_progress x WHERE ${of})
          AND NOT EXISTS (SELECT 1 FROM ratings x WHERE ${of})
          AND NOT EXISTS (SELECT 1 FROM enrolments x WHERE ${of})
          AND NOT EXISTS (SELECT 1 FROM adjustments x WHERE ${of})`,
    );
    this.peopleOfAppliance = db.prepare(
      'SELECT local_id, person_id, external_id, agency FROM people WHERE appliance_no = ?',
    );
  }

  /** INSERT OR IGNORE: true when the row is new. */
  insert(r: HqJournalRow): boolean {
    return (
      this.insertRow.run(r.appliance_no, r.epoch, r.seq, r.kind, r.ref, r.body, r.recorded_at).changes === 1
    );
  }

  existing(
    applianceNo: number,
    epoch: number,
    seq: number,
  ): Pick<HqJournalRow, 'kind' | 'ref' | 'body' | 'recorded_at'> | undefined {
    return this.getRow.get(applianceNo, epoch, seq) as
      Pick<HqJournalRow, 'kind' | 'ref' | 'body' | 'recorded_at'> | undefined;
  }

  personOfLocal(applianceNo: number, localId: string): string | undefined {
    return this.personOf.get(applianceNo, localId) as string | undefined;
  }

  rosterState(
    applianceNo: number,
    localId: string,
  ): { person_id: string; roster_epoch: number | null; roster_seq: number | null } | undefined {
    return this.rosterOf.get(applianceNo, localId) as
      { person_id: string; roster_epoch: number | null; roster_seq: number | null } | undefined;
  }

  /** Newer roster rows win (by epoch, seq); returns true when the row was taken. */
  applyRoster(applianceNo: number, r: PeopleRosterRow): boolean {
    return this.upsertRoster.run({ applianceNo, ...r }).changes === 1;
  }

  ensurePerson(applianceNo: number, localId: string, personId: string): void {
    this.insertProvisional.run(applianceNo, localId, personId);
  }

  hasProgress(applianceNo: number, localId: string): boolean {
    return this.hasLocalProgress.get(applianceNo, localId) !== undefined;
  }

  addLocalProgress(applianceNo: number, d: ProgressDelta): void {
    this.upsertLocal.run({ applianceNo, ...d });
  }

  /** Recompute the resolved person's rows of a course (every activity), from their local rows. */
  addProgress(personId: string, courseId: string): void {
    this.upsertProgress.run({ personId, courseId });
  }

  /**
   * Every journal row of one appliance in (epoch, seq) order, read in pages of `page` rows: the caller
   * may write between rows (better-sqlite3 allows no write while a statement iterates).
   */
  *rowsOf(applianceNo: number, page = 2000): Generator<Omit<HqJournalRow, 'appliance_no'>> {
    let epoch = 0;
    let seq = 0;
    for (;;) {
      const rows = this.rowsOfAppliance.all(applianceNo, epoch, seq, page) as Omit<
        HqJournalRow,
        'appliance_no'
      >[];
      yield* rows;
      if (rows.length < page) return;
      ({ epoch, seq } = rows[rows.length - 1]!);
    }
  }

  /** A course version's definition (the first row seen of a version wins: a version never changes). */
  addCourseDef(c: CourseBody): boolean {
    return this.insertCourseDef.run(c.id, c.version, JSON.stringify(c)).changes === 1;
  }

  addAdjustment(applianceNo: number, a: AdjustmentBody): void {
    this.insertAdjustment.run({
      id: a.id,
      applianceNo,
      personId: a.personId,
      courseId: a.courseId,
      activityId: a.activityId,
      type: a.type,
      amount: a.type === 'attempt_grant' ? a.add : 0,
      at: a.at,
    });
  }

  /** Rebuild a resolved person's progress from the local progress of everyone that resolves to them. */
  rebuildPerson(personId: string): void {
    this.deleteProgress.run(personId);
    this.rebuildProgress.run(personId);
  }

  applyEnrolment(
    applianceNo: number,
    localId: string,
    courseId: string,
    cohortId: string | null,
    active: boolean,
    epoch: number,
    seq: number,
  ): void {
    this.upsertEnrolment.run(applianceNo, localId, courseId, cohortId, active ? 1 : 0, epoch, seq);
  }

  applyRating(
    applianceNo: number,
    localId: string,
    courseId: string,
    rating: number,
    comment: string,
    ratedAt: string,
    epoch: number,
    seq: number,
  ): void {
    this.upsertRating.run(applianceNo, localId, courseId, rating, comment, ratedAt, epoch, seq);
  }

  /** Every imported statement in (appliance, epoch, seq) order, streamed. */
  statements(): IterableIterator<{
    appliance_no: number;
    epoch: number;
    seq: number;
    body: string;
    appliance_id: string;
  }> {
    return this.iterateStatements.iterate() as IterableIterator<{
      appliance_no: number;
      epoch: number;
      seq: number;
      body: string;
      appliance_id: string;
    }>;
  }

  /** HQ staff's decision on a box's claim of (agency, external id), if any. */
  decision(claimKey: string, applianceNo: number): 'merged' | 'rejected' | undefined {
    return this.decisionOf.get(claimKey, applianceNo) as 'merged' | 'rejected' | undefined;
  }

  /** The local persons (of every box) claiming one (agency, external id). */
  claimsOf(claimKey: string): { appliance_no: number; local_id: string; person_id: string }[] {
    return this.claimsOfKey.all(claimKey) as { appliance_no: number; local_id: string; person_id: string }[];
  }

  setPerson(applianceNo: number, localId: string, personId: string): void {
    this.setPersonOfLocal.run(personId, applianceNo, localId);
  }

  /** Take a statement id (its key, statementKey) for a row; false when another row already holds it. */
  claimId(key: StatementKey, applianceNo: number, epoch: number, seq: number): boolean {
    return this.claimStatementId.run(key, applianceNo, epoch, seq).changes === 1;
  }

  /** The row holding a statement id (with its body and appliance), if any. */
  holderOf(key: StatementKey): StatementClaimant | undefined {
    return this.holderOfId.get(key) as StatementClaimant | undefined;
  }

  setHolder(key: StatementKey, applianceNo: number, epoch: number, seq: number): void {
    this.setHolderOfId.run(applianceNo, epoch, seq, key);
  }

  /** The rows held out because another row holds their statement id. */
  heldOf(key: StatementKey): StatementClaimant[] {
    return this.heldOfId.all(key) as StatementClaimant[];
  }

  hold(
    c: Pick<StatementClaimant, 'appliance_no' | 'epoch' | 'seq'>,
    key: StatementKey,
    reason: HeldReason,
  ): void {
    this.upsertHeld.run(c.appliance_no, c.epoch, c.seq, key, reason);
  }

  release(c: Pick<StatementClaimant, 'appliance_no' | 'epoch' | 'seq'>): void {
    this.deleteHeld.run(c.appliance_no, c.epoch, c.seq);
  }

  /** Every held-out statement with the row that holds its id (for HQ staff). */
  heldStatements(): HeldStatementRow[] {
    return (
      this.heldStatementsAll.all() as (Omit<HeldStatementRow, 'statement_id'> & {
        statement_id: StatementKey;
      })[]
    ).map((r) => ({ ...r, statement_id: statementIdOfKey(r.statement_id) }));
  }

  /** An appliance's statements that count (not held out), in (epoch, seq) order, streamed. */
  countedStatementsOf(applianceNo: number): IterableIterator<Omit<HqJournalRow, 'appliance_no'>> {
    return this.localStatementsOf.iterate(applianceNo) as IterableIterator<
      Omit<HqJournalRow, 'appliance_no'>
    >;
  }

  /** Forget a local person's progress and ratings (to derive them again from the journal). */
  clearLocal(applianceNo: number, localId: string): void {
    this.deleteLocalProgress.run(applianceNo, localId);
    this.deleteLocalRatings.run(applianceNo, localId);
  }

  /**
   * Forget a local person HQ knows only from statements (no roster row) when nothing of theirs counts any
   * more (no progress, rating, enrolment nor adjustment). Returns whether it was forgotten.
   */
  forgetUncounted(applianceNo: number, localId: string): boolean {
    return this.deleteUncounted.run({ a: applianceNo, l: localId }).changes === 1;
  }

  peopleOf(applianceNo: number): {
    local_id: string;
    person_id: string;
    external_id: string | null;
    agency: string | null;
  }[] {
    return this.peopleOfAppliance.all(applianceNo) as {
      local_id: string;
      person_id: string;
      external_id: string | null;
      agency: string | null;
    }[];
  }

  /** Empty everything derived from the journal (rebuildDerived refills it, in its transaction). */
  clearDerived(): void {
    this.db
      .exec(`DELETE FROM progress; DELETE FROM local_progress; DELETE FROM ratings; DELETE FROM enrolments;
      DELETE FROM course_defs; DELETE FROM adjustments; DELETE FROM people; DELETE FROM statement_ids;
      DELETE FROM held_statements; DELETE FROM person_courses; DELETE FROM local_courses;
      DELETE FROM persons;`);
  }

  /** Every enrolled appliance's number and id, in enrolment order. */
  appliances(): { no: number; id: string }[] {
    return this.applianceList.all() as { no: number; id: string }[];
  }

  /** Whether a migration asked for derived state to be rebuilt (meta derived_rebuild). */
  rebuildPending(): boolean {
    return this.rebuildFlag.get() !== undefined;
  }

  clearRebuildFlag(): void {
    this.deleteRebuildFlag.run();
  }
}
