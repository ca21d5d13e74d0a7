import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { notFound } from '../core/errors.js';
import { hqError } from './hq.errors.js';
import type { Db } from '../db/connection.js';
import type { HqRecordsService } from './hq-records.service.js';
import { PeopleMatchesRepo, type MatchDecision } from './people-matches.repo.js';

export type { MatchDecision };

/** One box's person claiming an (agency, external id) that another box's person claims too. */
export interface MatchClaim {
  applianceId: string;
  applianceName: string;
  localId: string;
  displayName: string | null;
  username: string | null;
  gender: string | null;
  /** Statements HQ counted for this box's person. */
  statements: number;
  decision: MatchDecision | null;
  decidedBy: string | null;
  decidedAt: string | null;
}

/**
 * A match: people on two or more boxes with one (agency, external id). Until HQ staff decide, each box's
 * person stays a person of their own (nothing is merged on a claim alone); `merged` claims become one
 * person, `rejected` ones stay apart. Pending while any claim is undecided.
 */
export interface PersonMatch {
  /** Short stable id (from the claim key) that `hq people merge|reject` take. */
  id: string;
  externalId: string;
  agency: string;
  pending: boolean;
  claims: MatchClaim[];
  /**
   * The merged claims carry different names: HQ shows one of them (the latest roster row over the boxes,
   * `shown`), and no box's row renames the person silently, so staff see the others here.
   */
  nameConflict: { names: string[]; shown: string | null } | null;
}

const matchId = (claimKey: string): string =>
  createHash('sha256').update(claimKey).digest('hex').slice(0, 12);

/** People across boxes: the matches HQ staff confirm or reject (`hq people`, the People page). */
export class PeopleMatchesService {
  private readonly repo: PeopleMatchesRepo;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly records: HqRecordsService,
  ) {
    this.repo = new PeopleMatchesRepo(db);
  }

  /** Every match, pending ones first. */
  list(): PersonMatch[] {
    const byKey = new Map<string, PersonMatch>();
    const shown = new Map<string, string | null>();
    for (const r of this.repo.claims()) {
      let m = byKey.get(r.claim_key);
      if (!m) {
        m = {
          id: matchId(r.claim_key),
          externalId: r.external_id ?? '',
          agency: r.agency ?? '',
          pending: false,
          claims: [],
          nameConflict: null,
        };
        byKey.set(r.claim_key, m);
      }
      m.claims.push({
        applianceId: r.appliance_id,
        applianceName: r.appliance_name,
        localId: r.local_id,
        displayName: r.display_name,
        username: r.username,
        gender: r.gender,
        statements: r.statements,
        decision: r.decision,
        decidedBy: r.decided_by,
        decidedAt: r.decided_at,
      });
      if (!r.decision) m.pending = true;
      if (r.decision === 'merged') shown.set(r.claim_key, r.shown_name);
    }
    for (const [key, m] of byKey) {
      const names = [
        ...new Set(
          m.claims.filter((c) => c.decision === 'merged' && c.displayName).map((c) => c.displayName!),
        ),
      ];
      if (names.length > 1) m.nameConflict = { names, shown: shown.get(key) ?? null };
    }
    return [...byKey.values()].sort((a, b) => Number(b.pending) - Number(a.pending));
  }

  /**
   * Merge (one person) or reject (stay apart) the claims of these boxes in a match (all its undecided
   * claims when none is named; every claim when none is undecided). The persons whose id changes are
   * derived again from their boxes' progress, in one transaction. Returns the claims decided.
   */
  decide(
    id: string,
    decision: MatchDecision,
    opts: { by: string; applianceIds?: readonly string[] },
  ): number {
    return this.db.transaction(() => {
      const rows = this.repo.claims().filter((r) => matchId(r.claim_key) === id);
      if (rows.length === 0) throw notFound(`match ${id}`);
      const key = rows[0]!.claim_key;
      const boxes = new Map(rows.map((r) => [r.appliance_id, r.appliance_no]));
      let chosen: number[];
      if (opts.applianceIds?.length) {
        chosen = opts.applianceIds.map((a) => {
          const no = boxes.get(a);
          if (no === undefined) throw hqError('match_box_unknown', { box: a, match: id });
          return no;
        });
      } else {
        const undecided = rows.filter((r) => !r.decision).map((r) => r.appliance_no);
        chosen = undecided.length ? undecided : [...boxes.values()];
      }
      const at = this.clock.now().toISOString();
      for (const no of new Set(chosen)) this.repo.setDecision(key, no, decision, opts.by, at);
      this.records.reresolveClaim(key, new Map(rows.map((r) => [r.appliance_no, r.appliance_id])));
      return new Set(chosen).size;
    })();
  }
}
