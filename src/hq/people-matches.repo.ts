import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

export type MatchDecision = 'merged' | 'rejected';

/** A box's person claiming an (agency, external id), as stored. */
export interface ClaimRow {
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
  /** The name HQ shows for this claim's resolved person (persons: the latest roster row over boxes). */
  shown_name: string | null;
}

/** SQL of people across boxes: the contested claims with HQ staff's decisions (hq.db). */
export class PeopleMatchesRepo {
  private readonly contested: Statement;
  private readonly upsert: Statement;

  constructor(db: Db) {
    this.contested = db.prepare(
      `WITH contested AS (
         SELECT claim_key FROM people WHERE claim_key IS NOT NULL
          GROUP BY claim_key HAVING count(DISTINCT appliance_no) > 1)
       SELECT pe.claim_key, pe.appliance_no, a.id AS appliance_id, a.name AS appliance_name, pe.local_id,
              pe.display_name, pe.username, pe.external_id, pe.agency, pe.gender,
              coalesce((SELECT sum(lp.statements) FROM local_progress lp
                         WHERE lp.appliance_no = pe.appliance_no AND lp.local_id = pe.local_id), 0) AS statements,
              m.decision, m.decided_by, m.decided_at, ps.display_name AS shown_name
         FROM people pe
         JOIN contested c ON c.claim_key = pe.claim_key
         JOIN appliances a ON a.no = pe.appliance_no
         LEFT JOIN person_matches m ON m.claim_key = pe.claim_key AND m.appliance_no = pe.appliance_no
         LEFT JOIN persons ps ON ps.person_id = pe.person_id
        ORDER BY pe.claim_key, a.no, pe.local_id`,
    );
    this.upsert = db.prepare(
      `INSERT INTO person_matches (claim_key, appliance_no, decision, decided_by, decided_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (claim_key, appliance_no) DO UPDATE SET
         decision = excluded.decision, decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
    );
  }

  /** Every claim of an (agency, external id) that two or more boxes claim, with its decision. */
  claims(): ClaimRow[] {
    return this.contested.all() as ClaimRow[];
  }

  setDecision(claimKey: string, applianceNo: number, decision: MatchDecision, by: string, at: string): void {
    this.upsert.run(claimKey, applianceNo, decision, by, at);
  }
}
