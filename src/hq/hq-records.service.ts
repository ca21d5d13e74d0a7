import { createHash } from 'node:crypto';
import { AppError } from '../core/errors.js';
import type { Db } from '../db/connection.js';
import { EXT } from '../records/xapi.js';
import { HqJournalRepo, type HqJournalRow, type ProgressDelta } from './hq-journal.repo.js';

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
  | null;

export interface ApplyResult {
  rows: number;
  inserted: number;
  statements: number;
}

const KINDS = new Set(['statement', 'person', 'cohort', 'enrolment']);

/**
 * The id HQ gives a person: from the external id when the box knows one (so one officer on two boxes is
 * one person), otherwise from (appliance, local id). Deterministic, so import order cannot change it.
 */
export function resolvePersonId(applianceId: string, localId: string, externalId: string | null): string {
  const ext = normalizeExternalId(externalId);
  const key = ext ? `ext\0${ext}` : `local\0${applianceId}\0${localId}`;
  return 'p-' + createHash('sha256').update(key).digest('hex').slice(0, 32);
}

export const normalizeExternalId = (v: string | null): string | null => v?.normalize('NFKC').trim() || null;

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

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Extract what HQ derives from a row's body (statement -> progress or rating; roster rows). */
export function factsOf(kind: string, ref: string, body: unknown): RowFacts {
  const b = obj(body);
  if (!b) return null;
  if (kind === 'statement') {
    const localId = str(obj(obj(b['actor'])?.['account'])?.['name']);
    const ext = obj(obj(b['context'])?.['extensions']);
    const courseId = str(ext?.[EXT.courseId]);
    if (!localId || courseId === null) return null;
    const activityId = str(ext?.[EXT.activityId]) ?? '';
    const verb = str(obj(b['verb'])?.['id']) ?? '';
    const v = verb.slice(verb.lastIndexOf('/') + 1);
    const result = obj(b['result']);
    const at = str(b['timestamp']) ?? '';
    const score = obj(result?.['score']);
    if (v === 'rated') {
      const raw = typeof score?.['raw'] === 'number' ? Math.round(score['raw']) : null;
      if (raw === null || raw < 1 || raw > 5) return null;
      const comment = str(result?.['response']) ?? str(ext?.[EXT.comment]) ?? '';
      return { type: 'rating', localId, courseId, rating: raw, comment, at };
    }
    const scaled = score?.['scaled'];
    const success = result?.['success'];
    return {
      type: 'progress',
      delta: {
        localId,
        courseId,
        activityId,
        statements: 1,
        attempts: v === 'passed' || v === 'failed' ? 1 : 0,
        bestScore: typeof scaled === 'number' && Number.isFinite(scaled) ? scaled : null,
        completed: v === 'completed' || v === 'passed' || result?.['completion'] === true ? 1 : 0,
        passed: v === 'passed' || success === true ? 1 : 0,
        failed: v === 'failed' || success === false ? 1 : 0,
        firstAt: at,
        lastAt: at,
      },
    };
  }
  if (kind === 'person') {
    return {
      type: 'person',
      localId: str(b['id']) ?? ref,
      username: str(b['username']),
      displayName: str(b['displayName']),
      externalId: normalizeExternalId(str(b['externalId'])),
      agency: str(b['agency']),
      gender: str(b['gender']),
      language: str(b['language']),
      active: b['active'] === false ? 0 : 1,
      updatedAt: str(b['updatedAt']),
    };
  }
  if (kind === 'enrolment') {
    const localId = str(b['personId']) ?? str(b['person_id']);
    const courseId = str(b['courseId']) ?? str(b['course_id']);
    if (!localId || !courseId) return null;
    const active = !(b['active'] === false || b['removed'] === true || b['action'] === 'remove');
    return {
      type: 'enrolment',
      localId,
      courseId,
      cohortId: str(b['cohortId']) ?? str(b['cohort_id']),
      active,
    };
  }
  return null;
}

/**
 * HQ's records: applies journal rows from one bundle inside the caller's transaction. Rows HQ lacks are
 * inserted (INSERT OR IGNORE by (appliance, epoch, seq)); a row that contradicts a stored one throws
 * JournalForkError; only new rows contribute to derived state, and every derived update is a union (max,
 * or, sum over distinct rows, latest by (epoch, seq)), so any import order gives one state.
 */
export class HqRecordsService {
  readonly repo: HqJournalRepo;

  constructor(private readonly db: Db) {
    this.repo = new HqJournalRepo(db);
  }

  /** Start applying one bundle's rows; call `add` for each row, then `finish`. Inside a transaction. */
  begin(applianceNo: number, applianceId: string): IngestBatch {
    if (!this.db.inTransaction) throw new Error('HqRecordsService.begin must run inside a transaction');
    return new IngestBatch(this.repo, applianceNo, applianceId);
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

interface Dated<T> {
  epoch: number;
  seq: number;
  facts: T;
}

export class IngestBatch {
  private readonly deltas = new Map<string, ProgressDelta>();
  private readonly persons: Dated<Extract<RowFacts, { type: 'person' }>>[] = [];
  private readonly enrolments: Dated<Extract<RowFacts, { type: 'enrolment' }>>[] = [];
  private readonly touched = new Set<string>();
  private readonly cache = new Map<string, string>();
  readonly result: ApplyResult = { rows: 0, inserted: 0, statements: 0 };

  constructor(
    private readonly repo: HqJournalRepo,
    private readonly applianceNo: number,
    private readonly applianceId: string,
  ) {}

  /** One row; `facts` when the caller already extracted them (else the body is parsed here). */
  add(r: IncomingRow, facts?: RowFacts): void {
    if (!KINDS.has(r.kind))
      throw new AppError('bundle_payload_invalid', `journal row ${r.seq}: unknown kind "${r.kind}"`);
    if (!Number.isSafeInteger(r.seq) || r.seq < 1 || !Number.isSafeInteger(r.epoch) || r.epoch < 1)
      throw new AppError('bundle_payload_invalid', `journal row ${r.seq}: invalid epoch or sequence`);
    const row: HqJournalRow = {
      appliance_no: this.applianceNo,
      epoch: r.epoch,
      seq: r.seq,
      kind: r.kind as HqJournalRow['kind'],
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
    const f = facts !== undefined ? facts : factsOf(r.kind, r.ref, parseBody(r));
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
      this.touched.add(f.localId);
    } else if (f.type === 'person') this.persons.push({ epoch: r.epoch, seq: r.seq, facts: f });
    else this.enrolments.push({ epoch: r.epoch, seq: r.seq, facts: f });
  }

  private addDelta(d: ProgressDelta): void {
    const key = `${d.localId}\0${d.courseId}\0${d.activityId}`;
    const prev = this.deltas.get(key);
    if (!prev) {
      this.deltas.set(key, { ...d });
      return;
    }
    prev.statements += d.statements;
    prev.attempts += d.attempts;
    if (d.bestScore !== null && (prev.bestScore === null || d.bestScore > prev.bestScore))
      prev.bestScore = d.bestScore;
    prev.completed |= d.completed;
    prev.passed |= d.passed;
    prev.failed |= d.failed;
    if (d.firstAt < prev.firstAt) prev.firstAt = d.firstAt;
    if (d.lastAt > prev.lastAt) prev.lastAt = d.lastAt;
  }

  /**
   * Roster first (a changed external id moves a local person to another resolved person: both are rebuilt
   * from local progress), then enrolments, then this bundle's progress, added under the current mapping.
   */
  finish(): ApplyResult {
    const rebuild = new Set<string>();
    for (const { epoch, seq, facts: p } of this.persons) {
      const personId = resolvePersonId(this.applianceId, p.localId, p.externalId);
      const before = this.repo.rosterState(this.applianceNo, p.localId);
      const { type: _t, ...fields } = p;
      const taken = this.repo.applyRoster(this.applianceNo, { ...fields, personId, epoch, seq });
      if (
        taken &&
        before &&
        before.person_id !== personId &&
        this.repo.hasProgress(this.applianceNo, p.localId)
      ) {
        rebuild.add(before.person_id);
        rebuild.add(personId);
      }
    }
    for (const personId of rebuild) this.repo.rebuildPerson(personId);
    for (const { epoch, seq, facts: e } of this.enrolments) {
      this.repo.applyEnrolment(this.applianceNo, e.localId, e.courseId, e.cohortId, e.active, epoch, seq);
      this.personOf(e.localId);
    }
    for (const localId of this.touched) this.personOf(localId);
    for (const d of this.deltas.values()) {
      const personId = this.personOf(d.localId);
      this.repo.addLocalProgress(this.applianceNo, d);
      this.repo.addProgress(personId, d);
    }
    return this.result;
  }

  /** The resolved person of a local id, making a provisional mapping when no roster row came yet. */
  private personOf(localId: string): string {
    let p = this.cache.get(localId);
    if (p) return p;
    p = this.repo.personOfLocal(this.applianceNo, localId);
    if (!p) {
      p = resolvePersonId(this.applianceId, localId, null);
      this.repo.ensurePerson(this.applianceNo, localId, p);
    }
    this.cache.set(localId, p);
    return p;
  }
}

function parseBody(r: IncomingRow): unknown {
  try {
    return JSON.parse(r.body);
  } catch {
    throw new AppError('bundle_payload_invalid', `journal row ${r.seq} (${r.kind}): body is not JSON`);
  }
}
