import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { openDatabase, type Db } from '../db/connection.js';
import { GroupCommitter } from './group-commit.js';
import { JournalReader, JournalRepo } from './journal.repo.js';
import { OPERATION_KEEP_DAYS, type Operation } from './operations.js';
import { OperationsRepo } from './operations.repo.js';
import { parseJournalBody, type JournalBodies, type JournalKind } from '../contract/journal.js';
import {
  ACTIVITY_TYPES,
  EXT,
  VERBS,
  activityIri,
  applianceHomePage,
  courseIri,
  type ActivityTypeKey,
  type VerbKey,
  type XapiResult,
  type XapiStatement,
} from '../contract/vocabulary.js';

/** The journal read through a connection of its own (RecordsService.openJournalReader). */
export type JournalReading = Pick<JournalReader, 'lastSeq' | 'iterate'> & { close(): void };

export interface StatementInput {
  person: { id: string; displayName: string };
  verb: VerbKey;
  courseId: string;
  /** '' for the course itself. */
  activityId: string;
  activityType: ActivityTypeKey;
  activityName?: string;
  courseVersion?: string;
  language?: string;
  registration?: string;
  result?: XapiResult;
  extensions?: Record<string, unknown>;
  /** Lets a caller (SCORM, imports) give its own id; otherwise a new UUID. */
  id?: string;
  /** Activity IRIs of the xAPI profiles the statement follows (contextActivities.category). */
  category?: string[];
}

/**
 * The journal: one append-only, gap-free sequence of everything that leaves the box (statements and the
 * roster changes HQ needs to read them). All writes to records.db go through `write` (group commit) or
 * `writeNow` so that derived state is updated in the same transaction as the journal row.
 */
export class RecordsService {
  readonly committer: GroupCommitter;
  private readonly journal: JournalRepo;
  private readonly operations: OperationsRepo;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    opts: { groupCommitMs: number; maxBatch: number },
  ) {
    this.committer = new GroupCommitter(db, opts.groupCommitMs, opts.maxBatch);
    this.journal = new JournalRepo(db);
    this.operations = new OperationsRepo(db);
  }

  // Read on every statement: kept in memory, refreshed whenever this service changes them.
  private cachedApplianceId: string | undefined;
  private cachedEpoch: number | undefined;

  /** Appliance id and epoch (made by `ensureIdentityMeta` at first start). */
  get applianceId(): string {
    return (this.cachedApplianceId ??= this.journal.getMeta('appliance_id') ?? '');
  }
  get epoch(): number {
    return (this.cachedEpoch ??= Number(this.journal.getMeta('epoch') ?? '1'));
  }
  private forgetIdentity(): void {
    this.cachedApplianceId = undefined;
    this.cachedEpoch = undefined;
  }

  /** Make the appliance id and epoch at first start; idempotent. */
  ensureIdentityMeta(): { applianceId: string; epoch: number } {
    return this.writeNow(() => {
      if (!this.journal.getMeta('appliance_id')) this.journal.setMeta('appliance_id', newId());
      if (!this.journal.getMeta('epoch')) this.journal.setMeta('epoch', '1');
      this.forgetIdentity();
      return { applianceId: this.applianceId, epoch: this.epoch };
    });
  }

  /** Start a new epoch (after restoring a backup) so new sequence numbers never collide at HQ. */
  newEpoch(): number {
    return this.writeNow(() => {
      const next = this.epoch + 1;
      this.journal.setMeta('epoch', String(next));
      this.forgetIdentity();
      return next;
    });
  }

  getMeta(key: string): string | undefined {
    return this.journal.getMeta(key);
  }
  /** Only inside write/writeNow. */
  setMeta(key: string, value: string): void {
    this.journal.setMeta(key, value);
    if (key === 'epoch' || key === 'appliance_id') this.forgetIdentity();
  }

  /** Queue a write; resolves once it is durable (group commit). */
  write<T>(fn: () => T): Promise<T> {
    return this.committer.run(fn);
  }

  /**
   * `write` guarded by an operation id (src/records/operations.ts): the id is claimed in the same
   * transaction as `fn`'s writes. A repeat by the same person of the same action on the same target
   * resolves with the first result (JSON round-tripped) and writes nothing; a failing `fn` claims nothing
   * (its savepoint is rolled back), so a retry can succeed.
   */
  writeOnce<T>(op: Operation, fn: () => T): Promise<{ result: T; replayed: boolean }> {
    return this.committer.run(() => {
      const seen = this.operations.claim(op);
      if (seen) return { result: seen.replay as T, replayed: true };
      // fn runs synchronously inside this transaction: the statements it builds carry the acting time.
      const now = this.now();
      this.actedAt = op.actedAt !== undefined && op.actedAt < now ? op.actedAt : undefined;
      try {
        const result = fn();
        this.operations.record(op, result, now);
        return { result, replayed: false };
      } finally {
        this.actedAt = undefined;
      }
    });
  }

  /**
   * The first result of an operation already done (the same person, action and target: 409
   * operation_conflict otherwise), or undefined when the id is new. For an action with work to do before its
   * write (AdminKit.once): a repeat that comes after the first finished does not do that work again.
   */
  operationResult(op: Operation): { result: unknown } | undefined {
    const seen = this.operations.claim(op);
    return seen && { result: seen.replay };
  }

  /** While a writeOnce for an operation done earlier runs: when the person acted (statements' timestamp). */
  private actedAt: string | undefined;

  /** Forget operation ids older than OPERATION_KEEP_DAYS (the cleanup job). */
  pruneOperations(): number {
    const before = new Date(this.clock.now().getTime() - OPERATION_KEEP_DAYS * 86_400_000).toISOString();
    return this.writeNow(() => this.operations.pruneBefore(before));
  }

  /** A write in its own transaction, now (CLI, start-up, admin actions that need the result at once). */
  writeNow<T>(fn: () => T): T {
    return this.committer.runNow(fn);
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  /** Build an xAPI statement for an event on this box. */
  buildStatement(input: StatementInput): XapiStatement {
    const ext: Record<string, unknown> = {
      [EXT.courseId]: input.courseId,
      [EXT.activityId]: input.activityId,
    };
    if (input.courseVersion) ext[EXT.courseVersion] = input.courseVersion;
    Object.assign(ext, input.extensions);
    const stmt: XapiStatement = {
      id: input.id ?? newId(),
      actor: {
        objectType: 'Agent',
        name: input.person.displayName,
        account: { homePage: applianceHomePage(this.applianceId), name: input.person.id },
      },
      verb: { id: VERBS[input.verb], display: { 'en-US': input.verb } },
      object: {
        objectType: 'Activity',
        id: activityIri(input.courseId, input.activityId),
        definition: {
          type: ACTIVITY_TYPES[input.activityType],
          ...(input.activityName ? { name: { [input.language ?? 'en']: input.activityName } } : {}),
        },
      },
      context: {
        platform: 'fieldclass',
        ...(input.registration ? { registration: input.registration } : {}),
        ...(input.language ? { language: input.language } : {}),
        ...(input.activityId !== '' || input.category?.length
          ? {
              contextActivities: {
                ...(input.activityId !== ''
                  ? { parent: [{ id: courseIri(input.courseId), objectType: 'Activity' as const }] }
                  : {}),
                ...(input.category?.length
                  ? { category: input.category.map((id) => ({ id, objectType: 'Activity' as const })) }
                  : {}),
              },
            }
          : {}),
        extensions: ext,
      },
      timestamp: this.actedAt ?? this.now(),
    };
    if (input.result) stmt.result = input.result;
    return stmt;
  }

  /** Append a statement to the journal. Only inside write/writeNow. Returns its sequence number. */
  appendStatement(stmt: XapiStatement): number {
    return this.journal.append(this.epoch, 'statement', stmt.id, JSON.stringify(stmt), this.now());
  }

  /**
   * Append a row of another kind (person, cohort, enrolment, course, adjustment), checked against its
   * schema in the shared contract (src/contract/journal.ts): what HQ will read is what the box wrote.
   * Only inside write/writeNow. Returns its sequence number.
   */
  appendJournal<K extends Exclude<JournalKind, 'statement'>>(
    kind: K,
    ref: string,
    body: JournalBodies[K],
  ): number {
    const checked = parseJournalBody(kind, body);
    return this.journal.append(this.epoch, kind, ref, JSON.stringify(checked), this.now());
  }

  lastSeq(): number {
    return this.journal.lastSeq();
  }

  /** Whether the journal holds a row of `kind` with `ref` (a course version's row, an adjustment...). */
  hasJournalRow(kind: JournalKind, ref: string): boolean {
    return this.journal.has(kind, ref);
  }

  /** Journal rows in sequence order from `afterSeq` (exclusive); an iterator, so memory stays flat. */
  iterateJournal(afterSeq: number, toSeq = Number.MAX_SAFE_INTEGER) {
    return this.journal.iterate(afterSeq, toSeq);
  }

  /**
   * The journal through a read-only connection of its own (the exporter reads it while the box writes):
   * each read sees the rows committed when it starts. Close it when done.
   */
  openJournalReader(): JournalReading {
    const db = openDatabase(this.db.name, 'precious', { readonly: true });
    const reader = new JournalReader(db);
    return Object.assign(reader, { close: () => db.close() });
  }

  statementsFor(personId: string, limit = 500): XapiStatement[] {
    return this.journal.statementsForActor(personId, limit);
  }
}
