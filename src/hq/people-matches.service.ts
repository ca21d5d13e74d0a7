import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import { AppError, notFound } from '../core/errors.js';
import type { Db } from '../db/connection.js';
import { resolvePersonId, type HqRecordsService } from './hq-records.service.js';

export type MatchDecision = 'merged' | 'rejected';

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
}

interface ClaimRow {
  claim_key: string;
  appliance_no: number;
  appliance_id: string;
  appliance_name: string;
  local_id: string;
  display_name: string | null;
  username: string | null;
  external_id: string | null;
  agency: string | null;
  gender: string | null;
  statements: number;
  decision: MatchDecision | null;
  decided_by: string | null;
  decided_at: string | null;
}

const matchId = (claimKey: string): string =>
  createHash('sha256').update(claimKey).digest('hex').slice(0, 12);

/** People across boxes: the matches HQ staff confirm or reject (`hq people`, the People page). */
export class PeopleMatchesService {
  private readonly claims: Statement;
  private readonly upsertDecision: Statement;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly records: HqRecordsService,
  ) {
    this.claims = db.prepare(
      `WITH contested AS (
         SELECT claim_key FROM people WHERE claim_key IS NOT NULL
          GROUP BY claim_key HAVING count(DISTINCT appliance_no) > 1)
       SELECT pe.claim_key, pe.appliance_no, a.id AS appliance_id, a.name AS appliance_name, pe.local_id,
              pe.display_name, pe.username, pe.external_id, pe.agency, pe.gender,
              coalesce((SELECT sum(lp.statements) FROM local_progress lp
                         WHERE lp.appliance_no = pe.appliance_no AND lp.local_id = pe.local_id), 0) AS statements,
              m.decision, m.decided_by, m.decided_at
         FROM people pe
         JOIN contested c ON c.claim_key = pe.claim_key
         JOIN appliances a ON a.no = pe.appliance_no
         LEFT JOIN person_matches m ON m.claim_key = pe.claim_key AND m.appliance_no = pe.appliance_no
        ORDER BY pe.claim_key, a.no, pe.local_id`,
    );
    this.upsertDecision = db.prepare(
      `INSERT INTO person_matches (claim_key, appliance_no, decision, decided_by, decided_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (claim_key, appliance_no) DO UPDATE SET
         decision = excluded.decision, decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
    );
  }

  /** Every match, pending ones first. */
  list(): PersonMatch[] {
    const byKey = new Map<string, PersonMatch>();
    for (const r of this.claims.all() as ClaimRow[]) {
      let m = byKey.get(r.claim_key);
      if (!m) {
        m = {
          id: matchId(r.claim_key),
          externalId: r.external_id ?? '',
          agency: r.agency ?? '',
          pending: false,
          claims: [],
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
      const rows = (this.claims.all() as ClaimRow[]).filter((r) => matchId(r.claim_key) === id);
      if (rows.length === 0) throw notFound(`match ${id}`);
      const key = rows[0]!.claim_key;
      const boxes = new Map(rows.map((r) => [r.appliance_id, r.appliance_no]));
      let chosen: number[];
      if (opts.applianceIds?.length) {
        chosen = opts.applianceIds.map((a) => {
          const no = boxes.get(a);
          if (no === undefined)
            throw new AppError('invalid', `appliance ${a} has no person in match ${id}`, 400);
          return no;
        });
      } else {
        const undecided = rows.filter((r) => !r.decision).map((r) => r.appliance_no);
        chosen = undecided.length ? undecided : [...boxes.values()];
      }
      const at = this.clock.now().toISOString();
      for (const no of new Set(chosen)) this.upsertDecision.run(key, no, decision, opts.by, at);
      const repo = this.records.repo;
      const rebuild = new Set<string>();
      const idOf = new Map(rows.map((r) => [r.appliance_no, r.appliance_id]));
      for (const c of repo.claimsOf(key)) {
        const next = resolvePersonId(
          idOf.get(c.appliance_no)!,
          c.local_id,
          key,
          repo.decision(key, c.appliance_no) === 'merged',
        );
        if (next === c.person_id) continue;
        repo.setPerson(c.appliance_no, c.local_id, next);
        rebuild.add(c.person_id);
        rebuild.add(next);
      }
      for (const p of rebuild) repo.rebuildPerson(p);
      return new Set(chosen).size;
    })();
  }
}
