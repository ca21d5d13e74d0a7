import type { Db } from '../db/connection.js';
import { AuditRepo, type AuditActor, type AuditFilter, type AuditRow } from './audit.repo.js';

export type { AuditActor, AuditFilter };
import type { RecordsService } from './records.service.js';

/** One coordinator action as shown on the audit page. */
export interface AuditEntry {
  id: number;
  at: string;
  actorId: string | null;
  actor: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
}

const toEntry = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: r.at,
  actorId: r.actor_id,
  actor: r.actor_username,
  action: r.action,
  target: r.target,
  details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
});

/**
 * The audit log of coordinator actions (who did what, when, to what). It stays on the box: it is not
 * part of the journal HQ reads. `recordTx` writes inside the caller's transaction, so an action and its
 * audit row commit together; `record` is its own write.
 */
export class AuditService {
  private readonly repo: AuditRepo;

  constructor(
    db: Db,
    private readonly records: RecordsService,
  ) {
    this.repo = new AuditRepo(db);
  }

  /** Only inside records.write/writeNow. */
  recordTx(actorId: string | null, action: string, target?: string | null, details?: object): number {
    return this.repo.insert(
      this.records.now(),
      actorId,
      action,
      target ?? null,
      details ? JSON.stringify(details) : null,
    );
  }

  record(actorId: string | null, action: string, target?: string | null, details?: object): number {
    return this.records.writeNow(() => this.recordTx(actorId, action, target, details));
  }

  /** Newest first. */
  list(opts: { limit?: number; offset?: number; filter?: AuditFilter } = {}): {
    rows: AuditEntry[];
    total: number;
  } {
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
    return {
      rows: this.repo.page(limit, Math.max(opts.offset ?? 0, 0), opts.filter).map(toEntry),
      total: this.repo.count(opts.filter),
    };
  }

  /** What the log's filters offer: its events, and the people who did something (and whether the box did). */
  choices(): { actions: string[]; people: AuditActor[]; noActor: boolean } {
    return { actions: this.repo.actions(), ...this.repo.actors() };
  }

  last(action: string): AuditEntry | undefined {
    const r = this.repo.last(action);
    return r && toEntry(r);
  }
}
