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
  type StatementKey,
  statementIdOfKey,
  writeStatementKey,
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
/**
 * Statements whose ids are claimed together, in key order. Each claim is one insert at a random place in
 * statement_ids (ids are random UUIDs); taken in key order, a run's inserts walk that b-tree once from
 * left to right instead of jumping, so far fewer of its pages are read back and spilled once it outgrows
 * the import's page cache (at a million statements: 38 s of CPU instead of 59). A statement's facts are
 * applied as it comes, as if its claim will succeed (what every statement of a box that syncs normally
 * does); a claim that fails takes them back (takeBack): a duplicate by a delta of -1, anything else by
 * deriving its local person again at finish from the statements that count. Claims of one
 * id stay in row order, and a claim's outcome depends only on the rows holding its id, so the order of
 * claims of different ids changes nothing.
 */
const CLAIM_RUN = 20_000;

/**
 * The statements whose ids are still to be claimed (see CLAIM_RUN): their keys and rows in arrays made
 * once per import and reused for every run, so that a run allocates nothing that lives long (objects
 * kept across a run were promoted to V8's old space and raised the import's peak memory by 40 MB). What
 * a statement says is read back from the journal on the rare conflict.
 */
class ClaimRun {
  /** 16-byte keys, one per slot; a slot whose id has no 16-byte key has its text in `texts`. */
  private readonly keys = Buffer.alloc(CLAIM_RUN * 16);
  private readonly texts = new Map<number, string>();
  /** The first six bytes of a slot's key as a number (text keys: -1): what a run is sorted on. */
  private readonly order = new Float64Array(CLAIM_RUN);
  private readonly epochs = new Float64Array(CLAIM_RUN);
  private readonly seqs = new Float64Array(CLAIM_RUN);
  length = 0;

  /** Add a statement; true when the run is full. */
  push(id: string, epoch: number, seq: number): boolean {
    const i = this.length++;
    if (writeStatementKey(id, this.keys, i * 16)) this.order[i] = this.keys.readUIntBE(i * 16, 6);
    else {
      this.texts.set(i, id);
      this.order[i] = -1;
    }
    this.epochs[i] = epoch;
    this.seqs[i] = seq;
    return this.length === CLAIM_RUN;
  }

  /** Each statement in key order (claims of one id, and text keys, in row order), then empty the run. */
  drain(claim: (key: StatementKey, epoch: number, seq: number) => void): void {
    const n = this.length;
    const { order } = this;
    const byKey = new Uint32Array(n).map((_, i) => i).sort((a, b) => order[a]! - order[b]! || a - b);
    for (const i of byKey)
      claim(this.texts.get(i) ?? this.keys.subarray(i * 16, i * 16 + 16), this.epochs[i]!, this.seqs[i]!);
    this.length = 0;
    this.texts.clear();
  }
}

export class IngestBatch {
  private readonly deltas = new Map<string, ProgressDelta>();
  private readonly cache = new Map<string, string>();
  /** Local persons whose statement was displaced by an earlier claimant: derived again at finish. */
  private readonly displaced = new Map<number, Set<string>>();
  private readonly claims = new ClaimRun();
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
    this.apply(r, f);
    if (r.kind === 'statement') this.queueClaim(r);
  }

  /** Derive from a row HQ already holds (rebuilding derived state), without inserting it. */
  replay(r: IncomingRow): void {
    const f = factsOf(r.kind, r.ref, parseBody(r), r.seq);
    this.apply(r, f);
    if (r.kind === 'statement') this.queueClaim(r);
  }

  private queueClaim(r: IncomingRow): void {
    if (this.claims.push(r.ref, r.epoch, r.seq)) this.flushClaims();
  }

  /** Claim the waiting statements' ids in key order (see CLAIM_RUN). */
  private flushClaims(): void {
    this.claims.drain((key, epoch, seq) => this.claim(key, epoch, seq));
  }

  private displace(applianceNo: number, localId: string): void {
    let set = this.displaced.get(applianceNo);
    if (!set) this.displaced.set(applianceNo, (set = new Set()));
    set.add(localId);
  }

  /**
   * Take a statement's id (its facts were applied as it came: see CLAIM_RUN). When another row holds the
   * id and comes first (by claimOrder), this row is held out (and listed) and its facts are taken back.
   * When this row comes first, it takes the id: the rows that held it are held out, and the holder's
   * local person is derived again at finish, unless the holder was the same statement (same appliance,
   * same body), whose facts are this row's: then this row's are taken back instead.
   */
  private claim(key: StatementKey, epoch: number, seq: number): void {
    if (this.repo.claimId(key, this.applianceNo, epoch, seq)) return;
    // The row is in the journal already (inserted, or replayed from it).
    const row = this.repo.existing(this.applianceNo, epoch, seq)!;
    const me: StatementClaimant = {
      appliance_no: this.applianceNo,
      appliance_id: this.applianceId,
      epoch,
      seq,
      body: row.body,
      recorded_at: row.recorded_at,
    };
    const holder = this.repo.holderOf(key);
    if (!holder) throw new Error(`statement id ${statementIdOfKey(key)} claimed without a holder row`);
    if (claimOrder(me, holder) > 0) {
      const reason = heldReason(me, holder);
      this.countHeld(reason);
      this.repo.hold(me, key, reason);
      this.takeBack(key, me, reason);
      return;
    }
    this.repo.setHolder(key, me.appliance_no, me.epoch, me.seq);
    for (const o of [holder, ...this.repo.heldOf(key)]) this.repo.hold(o, key, heldReason(o, me));
    const reason = heldReason(holder, me);
    this.countHeld(reason);
    if (reason === 'duplicate') this.takeBack(key, me, reason);
    else this.displace(holder.appliance_no, actorOf(holder.body));
  }

  /**
   * Take back the facts of a statement that does not count. The same statement counted already (a
   * duplicate) only added one to its activity's statement count: a delta of -1 takes it back (its other
   * fields are maxima, minima and flags equal to the counted statement's). Anything else: its local
   * person is derived again at finish from the statements that count.
   */
  private takeBack(key: StatementKey, me: StatementClaimant, reason: HeldReason): void {
    const f = factsOf('statement', statementIdOfKey(key), JSON.parse(me.body), me.seq, true);
    if (f?.type === 'progress') {
      if (reason === 'duplicate') this.addDelta({ ...f.delta, statements: -1 });
      else this.displace(this.applianceNo, f.delta.localId);
    } else if (f?.type === 'rating') this.displace(this.applianceNo, f.localId);
  }

  private countHeld(reason: HeldReason): void {
    if (reason === 'duplicate') this.result.duplicates++;
    else this.result.heldOut++;
  }

  private apply(r: Pick<IncomingRow, 'epoch' | 'seq'>, f: RowFacts): void {
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
    this.flushClaims();
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
    // A few persons: bodies not naming any of them are skipped unparsed. Many (a bundle of copied ids):
    // every body is read, so the scan stays one pass over the journal whatever their number.
    const needles = locals.size <= 16 ? [...locals].map((l) => JSON.stringify(l)) : null;
    const deltas = new Map<string, ProgressDelta>();
    const ratings: { f: Extract<RowFacts, { type: 'rating' }>; epoch: number; seq: number }[] = [];
    // Read whole, then written: no write while a statement iterates.
    for (const row of this.repo.countedStatementsOf(applianceNo)) {
      if (needles && !needles.some((n) => row.body.includes(n))) continue;
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
