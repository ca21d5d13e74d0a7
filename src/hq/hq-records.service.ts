import { createHash } from 'node:crypto';
import { AppError } from '../core/errors.js';
import { foldKey } from '../core/text-keys.js';
import { bundleError } from '../contract/bundle-format.js';
import type { Db } from '../db/connection.js';
import {
  JournalBodyError,
  isJournalKind,
  parseJournalBody,
  type AdjustmentBody,
  type CourseBody,
  type EnrolmentBody,
  type JournalBodies,
  type PersonBody,
} from '../contract/journal.js';
import { statementEffect } from '../contract/outcomes.js';
import { CourseResults } from './course-results.js';
import type { XapiStatement } from '../contract/vocabulary.js';
import {
  HqJournalRepo,
  type HeldReason,
  type HeldStatementRow,
  type HqJournalRow,
  type ProgressDelta,
  type StatementClaimant,
  statementKey,
} from './hq-journal.repo.js';

/** A journal row as it arrives from a bundle, body as JSON text (what HQ stores). */
export interface IncomingRow {
  seq: number;
  epoch: number;
  kind: string;
  ref: string;
  body: string;
  recorded_at: string;
}

/** What HQ derives from one row: small, so a bundle's rows can be held between verifying and writing. */
export type RowFacts =
  | { type: 'progress'; delta: ProgressDelta }
  | { type: 'rating'; localId: string; courseId: string; rating: number; comment: string; at: string }
  | {
      type: 'person';
      localId: string;
      username: string | null;
      displayName: string | null;
      externalId: string | null;
      agency: string | null;
      gender: string | null;
      language: string | null;
      active: number;
      updatedAt: string | null;
    }
  | { type: 'enrolment'; localId: string; courseId: string; cohortId: string | null; active: boolean }
  | { type: 'course'; body: CourseBody }
  | { type: 'adjustment'; body: AdjustmentBody }
  | null;

export interface ApplyResult {
  rows: number;
  inserted: number;
  statements: number;
  /** New rows whose statement id HQ already held with the same body from the same appliance: not counted. */
  duplicates: number;
  /** Statements held out of the reports and the xAPI export (a fork of an id, or another appliance's id). */
  heldOut: number;
}

/**
 * Which of two rows with one statement id holds it: the first by (recorded_at, appliance id, epoch, seq).
 * A total order that does not depend on import order (any import order gives one state).
 */
export function claimOrder(a: StatementClaimant, b: StatementClaimant): number {
  if (a.recorded_at !== b.recorded_at) return a.recorded_at < b.recorded_at ? -1 : 1;
  if (a.appliance_id !== b.appliance_id) return a.appliance_id < b.appliance_id ? -1 : 1;
  return a.epoch - b.epoch || a.seq - b.seq;
}

/** What each reason means, as the CLI says it (the pages say it from their catalog). */
export const HELD_TEXT: Record<HeldReason, string> = {
  duplicate: 'the same statement again from the same appliance (not counted twice)',
  fork: 'the same statement id with another body from the same appliance (held out)',
  other_appliance: 'a statement id another appliance holds (held out)',
};

/** Why `row` is held out when `holder` holds its statement id. */
export function heldReason(row: StatementClaimant, holder: StatementClaimant): HeldReason {
  if (row.appliance_no !== holder.appliance_no) return 'other_appliance';
  return row.body === holder.body ? 'duplicate' : 'fork';
}

/**
 * The id HQ gives a person. A person is identified at HQ by (agency, external id) - the claim key - but
 * one box's claim does not make another box's person theirs: until HQ staff confirm the match
 * (`merged`), a claim is scoped to its box, so a roster row from another box can neither rename a person
 * nor credit them. Without an external id: (appliance, local id). Deterministic, so import order cannot
 * change it.
 */
export function resolvePersonId(
  applianceId: string,
  localId: string,
  claimKey: string | null,
  merged = false,
): string {
  const key = claimKey
    ? merged
      ? `claim\0${claimKey}`
      : `box\0${applianceId}\0${claimKey}`
    : `local\0${applianceId}\0${localId}`;
  return 'p-' + createHash('sha256').update(key).digest('hex').slice(0, 32);
}

export const normalizeExternalId = (v: string | null): string | null => v?.normalize('NFKC').trim() || null;

/** (agency, external id) as one key: the agency folded (foldKey: NFKC, spaces collapsed, no case), the id NFKC. Null without an id. */
export function claimKeyOf(agency: string | null, externalId: string | null): string | null {
  const ext = normalizeExternalId(externalId);
  if (!ext) return null;
  return `${foldKey(agency)}\0${ext}`;
}

/** Thrown inside the import transaction when a row contradicts one HQ already holds. */
export class JournalForkError extends AppError {
  constructor(
    readonly epoch: number,
    readonly seq: number,
  ) {
    super(
      'bundle_fork',
      `journal row ${epoch}:${seq} differs from the one already imported from this appliance`,
      409,
    );
  }
}

/**
 * What HQ derives from a row, its body read through the contract's schema for its kind (a body that
 * does not match is refused: `bundle_payload_invalid`, naming the row). Statements mean what the shared
 * outcomes module says they mean. `checked`: the same bytes were read through the schema already (the
 * import's pass 2 reads again the rows pass 1 checked; the file's hashes are checked again at its end,
 * and a file changed in between rolls the transaction back), so the schema is not run twice.
 */
export function factsOf(kind: string, ref: string, body: unknown, seq?: number, checked = false): RowFacts {
  if (!isJournalKind(kind))
    throw bundleError('bundle_payload_invalid', `journal row ${seq ?? ref}: unknown kind "${kind}"`);
  let b;
  try {
    b = checked ? (body as JournalBodies[typeof kind]) : parseJournalBody(kind, body);
  } catch (e) {
    if (!(e instanceof JournalBodyError)) throw e;
    throw bundleError('bundle_payload_invalid', `journal row ${seq ?? ref} (${kind}): ${e.detail}`);
  }
  switch (kind) {
    case 'statement': {
      const s = b as JournalBodies['statement'];
      // The row's ref is how HQ finds a statement id without reading bodies: it must be the body's id.
      if (s.id !== ref)
        throw bundleError(
          'bundle_payload_invalid',
          `journal row ${seq ?? ref} (statement): ref "${ref}" is not the statement's id "${s.id}"`,
        );
      const meaning = statementEffect(s as unknown as XapiStatement);
      if (!meaning) return null;
      if (meaning.type === 'rating') {
        const r = meaning.effect;
        return {
          type: 'rating',
          localId: r.personId,
          courseId: r.courseId,
          rating: r.rating,
          comment: r.comment,
          at: s.timestamp,
        };
      }
      const e = meaning.effect;
      return {
        type: 'progress',
        delta: {
          localId: e.personId,
          courseId: e.courseId,
          activityId: e.activityId,
          statements: 1,
          attempts: e.attempt,
          bestScore: e.score,
          completed: e.completed ? 1 : 0,
          passed: e.passed ? 1 : 0,
          failed: e.failed ? 1 : 0,
          firstAt: s.timestamp,
          lastAt: s.timestamp,
        },
      };
    }
    case 'person': {
      const p = b as PersonBody;
      return {
        type: 'person',
        localId: p.id,
        username: p.username,
        displayName: p.displayName,
        externalId: normalizeExternalId(p.externalId),
        agency: p.agency,
        gender: p.gender,
        language: p.language,
        active: p.active ? 1 : 0,
        updatedAt: p.updatedAt,
      };
    }
    case 'enrolment': {
      const e = b as EnrolmentBody;
      return {
        type: 'enrolment',
        localId: e.personId,
        courseId: e.courseId,
        cohortId: e.cohortId,
        active: e.active,
      };
    }
    case 'course':
      return { type: 'course', body: b as CourseBody };
    case 'adjustment':
      return { type: 'adjustment', body: b as AdjustmentBody };
    default:
      return null;
  }
}

/**
 * HQ's records: applies journal rows from one bundle inside the caller's transaction. Rows HQ lacks are
 * inserted (INSERT OR IGNORE by (appliance, epoch, seq)); a row that contradicts a stored one throws
 * JournalForkError; only new rows contribute to derived state, and every derived update is a union (max,
 * or, sum over distinct rows, latest by (epoch, seq)), so any import order gives one state.
 */
export class HqRecordsService {
  private readonly repo: HqJournalRepo;
  private readonly results: CourseResults;

  constructor(private readonly db: Db) {
    this.repo = new HqJournalRepo(db);
    this.results = new CourseResults(db);
  }

  /** Start applying one bundle's rows; call `add` for each row, then `finish`. Inside a transaction. */
  begin(applianceNo: number, applianceId: string): IngestBatch {
    if (!this.db.inTransaction) throw new Error('HqRecordsService.begin must run inside a transaction');
    this.results.reset();
    return new IngestBatch(this.repo, this.results, applianceNo, applianceId);
  }

  /**
   * Derive everything again from the journal HQ holds (after an upgrade that changed what is derived:
   * meta `derived_rebuild`, set by a migration). One transaction; the same rules as an import, so the
   * result equals importing every bundle again.
   */
  rebuildDerived(): void {
    this.db.transaction(() => {
      this.repo.clearDerived();
      for (const a of this.repo.appliances()) {
        const batch = this.begin(a.no, a.id);
        for (const r of this.repo.rowsOf(a.no)) batch.replay(r);
        batch.finish();
      }
      this.repo.clearRebuildFlag();
      this.results.rebuildDone();
    })();
  }

  /** Whether a migration asked for `rebuildDerived`. */
  rebuildPending(): boolean {
    return this.repo.rebuildPending();
  }

  /**
   * Each (person, course)'s outcome (person_courses, local_courses) computed again from the derived
   * activity rows, enrolments and ratings, without re-reading the journal: what migration 6 asks for
   * (meta course_results_rebuild), and the from-scratch answer the import's upkeep must equal.
   */
  rebuildCourseResults(): void {
    this.db.transaction(() => this.results.rebuild())();
  }

  /** Whether a migration asked for `rebuildCourseResults`. */
  courseResultsPending(): boolean {
    return this.results.rebuildPending();
  }

  /**
   * A claim's persons resolved again after HQ staff decided on it (inside their transaction): each box's
   * person whose id changes is moved, and both persons derived again from their boxes' progress.
   */
  reresolveClaim(claimKey: string, applianceIdOf: ReadonlyMap<number, string>): void {
    this.results.reset();
    const rebuild = new Set<string>();
    for (const c of this.repo.claimsOf(claimKey)) {
      const next = resolvePersonId(
        applianceIdOf.get(c.appliance_no)!,
        c.local_id,
        claimKey,
        this.repo.decision(claimKey, c.appliance_no) === 'merged',
      );
      if (next === c.person_id) continue;
      this.repo.setPerson(c.appliance_no, c.local_id, next);
      rebuild.add(c.person_id);
      rebuild.add(next);
    }
    for (const p of rebuild) {
      this.repo.rebuildPerson(p);
      this.results.wholePerson(p);
    }
    this.results.flush();
  }

  /** Every imported statement in (appliance, epoch, seq) order, streamed (the xAPI export). */
  statements(): ReturnType<HqJournalRepo['statements']> {
    return this.repo.statements();
  }

  /** A box's local persons with their resolved person (the xAPI export's actors). */
  peopleOf(applianceNo: number): ReturnType<HqJournalRepo['peopleOf']> {
    return this.repo.peopleOf(applianceNo);
  }

  /** Every held-out statement with the row that holds its id (for HQ staff). */
  heldStatements(): HeldStatementRow[] {
    return this.repo.heldStatements();
  }

  /** Apply rows in one transaction (tests and tools that have rows rather than a bundle). */
  applyRows(applianceNo: number, applianceId: string, rows: Iterable<IncomingRow>): ApplyResult {
    return this.db.transaction(() => {
      const batch = this.begin(applianceNo, applianceId);
      for (const r of rows) batch.add(r);
      return batch.finish();
    })();
  }
}

/**
 * Progress deltas (local person x activity) held before they are written: bounds an import's memory. Small,
 * so that they are written before V8 moves them to its old space: promoted and then dropped, they were
 * garbage that filled the old space until a full collection (HQ's peak memory grew with the bundle).
 */
const FLUSH_DELTAS = 1_000;
/** Local persons whose resolved person is remembered during one import (a lookup each otherwise). */
const CACHE_PERSONS = 50_000;

export class IngestBatch {
  private readonly deltas = new Map<string, ProgressDelta>();
  private readonly cache = new Map<string, string>();
  /** Local persons whose statement was displaced by an earlier claimant: derived again at finish. */
  private readonly displaced = new Map<number, Set<string>>();
  readonly result: ApplyResult = { rows: 0, inserted: 0, statements: 0, duplicates: 0, heldOut: 0 };

  constructor(
    private readonly repo: HqJournalRepo,
    private readonly results: CourseResults,
    private readonly applianceNo: number,
    private readonly applianceId: string,
  ) {}

  /** One row; `facts` when the caller already extracted them (else the body is parsed here). */
  add(r: IncomingRow, facts?: RowFacts): void {
    if (!isJournalKind(r.kind))
      throw bundleError('bundle_payload_invalid', `journal row ${r.seq}: unknown kind "${r.kind}"`);
    if (!Number.isSafeInteger(r.seq) || r.seq < 1 || !Number.isSafeInteger(r.epoch) || r.epoch < 1)
      throw bundleError('bundle_payload_invalid', `journal row ${r.seq}: invalid epoch or sequence`);
    const row: HqJournalRow = {
      appliance_no: this.applianceNo,
      epoch: r.epoch,
      seq: r.seq,
      kind: r.kind,
      ref: r.ref,
      body: r.body,
      recorded_at: r.recorded_at,
    };
    this.result.rows++;
    if (r.kind === 'statement') this.result.statements++;
    if (!this.repo.insert(row)) {
      const old = this.repo.existing(this.applianceNo, r.epoch, r.seq);
      if (
        !old ||
        old.body !== r.body ||
        old.kind !== r.kind ||
        old.ref !== r.ref ||
        old.recorded_at !== r.recorded_at
      )
        throw new JournalForkError(r.epoch, r.seq);
      return;
    }
    this.result.inserted++;
    const f = facts !== undefined ? facts : factsOf(r.kind, r.ref, parseBody(r), r.seq);
    if (r.kind === 'statement' && !this.claim(r)) return;
    this.apply(r, f);
  }

  /** Derive from a row HQ already holds (rebuilding derived state), without inserting it. */
  replay(r: IncomingRow): void {
    const f = factsOf(r.kind, r.ref, parseBody(r), r.seq);
    if (r.kind === 'statement' && !this.claim(r)) return;
    this.apply(r, f);
  }

  /**
   * Take the row's statement id. Returns whether its facts count: false when another row holds the id
   * (this one is held out, and listed), or when this row takes the id from a row of the same appliance
   * with the same body (that row's facts were the same and are counted already). When it takes the id
   * from a row with other facts, that row's local person is derived again at finish.
   */
  private claim(r: IncomingRow): boolean {
    const key = statementKey(r.ref);
    if (this.repo.claimId(key, this.applianceNo, r.epoch, r.seq)) return true;
    const me: StatementClaimant = {
      appliance_no: this.applianceNo,
      appliance_id: this.applianceId,
      epoch: r.epoch,
      seq: r.seq,
      body: r.body,
      recorded_at: r.recorded_at,
    };
    const holder = this.repo.holderOf(key);
    if (!holder) throw new Error(`statement id ${r.ref} claimed without a holder row`);
    if (claimOrder(me, holder) > 0) {
      this.countHeld(heldReason(me, holder));
      this.repo.hold(me, key, heldReason(me, holder));
      return false;
    }
    this.repo.setHolder(key, me.appliance_no, me.epoch, me.seq);
    for (const o of [holder, ...this.repo.heldOf(key)]) this.repo.hold(o, key, heldReason(o, me));
    const reason = heldReason(holder, me);
    this.countHeld(reason);
    if (reason === 'duplicate') return false;
    const localId = actorOf(holder.body);
    let set = this.displaced.get(holder.appliance_no);
    if (!set) this.displaced.set(holder.appliance_no, (set = new Set()));
    set.add(localId);
    return true;
  }

  private countHeld(reason: HeldReason): void {
    if (reason === 'duplicate') this.result.duplicates++;
    else this.result.heldOut++;
  }

  private apply(r: IncomingRow, f: RowFacts): void {
    if (!f) return;
    if (f.type === 'progress') this.addDelta(f.delta);
    else if (f.type === 'rating') {
      this.repo.applyRating(
        this.applianceNo,
        f.localId,
        f.courseId,
        f.rating,
        f.comment,
        f.at,
        r.epoch,
        r.seq,
      );
      this.touched(f.localId, f.courseId);
    } else if (f.type === 'person') this.applyPerson(r.epoch, r.seq, f);
    else if (f.type === 'enrolment') {
      this.repo.applyEnrolment(this.applianceNo, f.localId, f.courseId, f.cohortId, f.active, r.epoch, r.seq);
      this.touched(f.localId, f.courseId);
    } else if (f.type === 'course') {
      if (this.repo.addCourseDef(f.body)) this.results.course(f.body.id);
    } else {
      const a = f.body;
      this.repo.addAdjustment(this.applianceNo, a);
      this.personOf(a.personId);
    }
  }

  /** A local person's course changed: its outcome rows (box and resolved person) are recomputed at flush. */
  private touched(localId: string, courseId: string): void {
    this.results.local(this.applianceNo, localId, courseId);
    this.results.person(this.personOf(localId), courseId);
  }

  private addDelta(d: ProgressDelta): void {
    mergeDelta(this.deltas, d);
    if (this.deltas.size >= FLUSH_DELTAS) this.flushDeltas();
  }

  /**
   * A roster row, applied as it comes (newer by (epoch, seq) wins). A changed person id (an external id
   * given or changed, a merge) moves the local person: both resolved persons are derived again from local
   * progress; deltas not yet written go to the new person when flushed.
   */
  private applyPerson(epoch: number, seq: number, p: Extract<RowFacts, { type: 'person' }>): void {
    const claimKey = claimKeyOf(p.agency, p.externalId);
    const merged = claimKey !== null && this.repo.decision(claimKey, this.applianceNo) === 'merged';
    const personId = resolvePersonId(this.applianceId, p.localId, claimKey, merged);
    const before = this.repo.rosterState(this.applianceNo, p.localId);
    const { type: _t, ...fields } = p;
    const taken = this.repo.applyRoster(this.applianceNo, { ...fields, personId, claimKey, epoch, seq });
    if (!taken) return;
    this.cache.delete(p.localId);
    this.results.personAttrs(personId);
    if (before && before.person_id !== personId) {
      if (this.repo.hasProgress(this.applianceNo, p.localId)) {
        this.repo.rebuildPerson(before.person_id);
        this.repo.rebuildPerson(personId);
      }
      // Enrolments and ratings move with the local person too.
      this.results.wholePerson(before.person_id);
      this.results.wholePerson(personId);
    }
  }

  /**
   * Write the progress deltas gathered so far (each a union into local_progress, and the resolved
   * person's row recomputed). Called every FLUSH_DELTAS keys and at finish, so memory is bounded by that,
   * not by the bundle.
   */
  private flushDeltas(): void {
    const courses = new Map<string, [string, string]>();
    for (const d of this.deltas.values()) {
      const personId = this.personOf(d.localId);
      this.repo.addLocalProgress(this.applianceNo, d);
      courses.set(personId + '\0' + d.courseId, [personId, d.courseId]);
      this.results.local(this.applianceNo, d.localId, d.courseId);
      this.results.person(personId, d.courseId);
    }
    for (const [personId, courseId] of courses.values()) this.repo.addProgress(personId, courseId);
    this.deltas.clear();
    this.results.flush();
    if (this.cache.size > CACHE_PERSONS) this.cache.clear();
  }

  finish(): ApplyResult {
    this.flushDeltas();
    for (const [applianceNo, locals] of this.displaced) this.deriveLocalAgain(applianceNo, locals);
    this.results.flush();
    return this.result;
  }

  /**
   * Progress and ratings of these local persons derived again from the appliance's statements that count
   * (a statement of theirs is now held out). A scan of the appliance's journal: this happens only when a
   * row takes a statement id from another with other facts (a fork or a copied id), never in normal sync.
   */
  private deriveLocalAgain(applianceNo: number, locals: ReadonlySet<string>): void {
    for (const l of locals) this.repo.clearLocal(applianceNo, l);
    const needles = [...locals].map((l) => JSON.stringify(l));
    const deltas = new Map<string, ProgressDelta>();
    const ratings: { f: Extract<RowFacts, { type: 'rating' }>; epoch: number; seq: number }[] = [];
    // Read whole, then written: no write while a statement iterates (these are a few persons' rows).
    for (const row of this.repo.countedStatementsOf(applianceNo)) {
      if (!needles.some((n) => row.body.includes(n))) continue;
      const f = factsOf('statement', row.ref, parseBody(row), row.seq);
      if (f?.type === 'progress' && locals.has(f.delta.localId)) mergeDelta(deltas, f.delta);
      else if (f?.type === 'rating' && locals.has(f.localId))
        ratings.push({ f, epoch: row.epoch, seq: row.seq });
    }
    for (const { f, epoch, seq } of ratings)
      this.repo.applyRating(applianceNo, f.localId, f.courseId, f.rating, f.comment, f.at, epoch, seq);
    for (const d of deltas.values()) this.repo.addLocalProgress(applianceNo, d);
    for (const l of locals) {
      this.results.wholeLocal(applianceNo, l);
      const personId = this.repo.personOfLocal(applianceNo, l);
      if (personId) {
        // A person seen only in statements none of which counts now (another row holds their ids) is
        // forgotten, as if those statements had never come: what deriving from the journal again gives,
        // whatever the order the bundles came in.
        if (this.repo.forgetUncounted(applianceNo, l) && applianceNo === this.applianceNo)
          this.cache.delete(l);
        this.repo.rebuildPerson(personId);
        this.results.wholePerson(personId);
      }
    }
  }

  /** The resolved person of a local id, making a provisional mapping when no roster row came yet. */
  private personOf(localId: string): string {
    let p = this.cache.get(localId);
    if (p) return p;
    p = this.repo.personOfLocal(this.applianceNo, localId);
    if (!p) {
      p = resolvePersonId(this.applianceId, localId, null);
      this.repo.ensurePerson(this.applianceNo, localId, p);
      this.results.personAttrs(p);
    }
    this.cache.set(localId, p);
    return p;
  }
}

/** Add one statement's delta to a map of deltas by (local person, course, activity). */
function mergeDelta(deltas: Map<string, ProgressDelta>, d: ProgressDelta): void {
  const key = `${d.localId}\0${d.courseId}\0${d.activityId}`;
  const prev = deltas.get(key);
  if (!prev) {
    deltas.set(key, { ...d });
    return;
  }
  prev.statements += d.statements;
  // Within one box, attempts are the highest attempt closed (the outcomes module's rule).
  prev.attempts = Math.max(prev.attempts, d.attempts);
  if (d.bestScore !== null && (prev.bestScore === null || d.bestScore > prev.bestScore))
    prev.bestScore = d.bestScore;
  prev.completed |= d.completed;
  prev.passed |= d.passed;
  prev.failed |= d.failed;
  if (d.firstAt < prev.firstAt) prev.firstAt = d.firstAt;
  if (d.lastAt > prev.lastAt) prev.lastAt = d.lastAt;
}

/** The local person a statement body is about (actor.account.name, as the box writes it). */
function actorOf(body: string): string {
  const s = JSON.parse(body) as { actor?: { account?: { name?: unknown } } };
  const name = s.actor?.account?.name;
  return typeof name === 'string' ? name : '';
}

function parseBody(r: IncomingRow): unknown {
  try {
    return JSON.parse(r.body);
  } catch {
    throw bundleError('bundle_payload_invalid', `journal row ${r.seq} (${r.kind}): body is not JSON`);
  }
}
