import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

export interface ApplianceRow {
  no: number;
  id: string;
  name: string;
  location: string;
  public_key: string;
  key_id: string;
  requested_at: string | null;
  enrolled_at: string;
  /** Revocation point (epoch, seq); both null while the key is trusted. 1:1 = the key is dead. */
  revoked_from_epoch: number | null;
  revoked_from_seq: number | null;
  revoked_at: string | null;
}

export interface ImportRow {
  appliance_no: number;
  epoch: number;
  bundle_seq: number;
  sha256: string;
  prev_sha256: string | null;
  from_seq: number;
  to_seq: number;
  rows_total: number;
  imported_at: string;
  outcome: 'imported';
}

export interface ForkRow {
  appliance_no: number;
  epoch: number;
  bundle_seq: number;
  sha256: string;
  existing_sha256: string | null;
  journal_seq: number | null;
  reason: string;
  detected_at: string;
}

/** SQL for enrolled appliances, the bundles imported from them, and the forks detected. */
export class AppliancesRepo {
  private readonly byIdStmt: Statement;
  private readonly byKeyStmt: Statement;
  private readonly allStmt: Statement;
  private readonly insertStmt: Statement;
  private readonly revokeStmt: Statement;
  private readonly importOf: Statement;
  private readonly importByHash: Statement;
  private readonly insertImport: Statement;
  private readonly importsOf: Statement;
  private readonly insertFork: Statement;
  private readonly forksOf: Statement;
  private readonly heldStatementsOf: Statement;
  private readonly snapshotHeldStmt: Statement;
  private readonly heldOf: Statement;

  constructor(db: Db) {
    this.byIdStmt = db.prepare('SELECT * FROM appliances WHERE id = ?');
    this.byKeyStmt = db.prepare('SELECT * FROM appliances WHERE key_id = ?');
    this.allStmt = db.prepare('SELECT * FROM appliances ORDER BY name, id');
    this.insertStmt = db.prepare(
      `INSERT INTO appliances (id, name, location, public_key, key_id, requested_at, enrolled_at)
       VALUES (@id, @name, @location, @public_key, @key_id, @requested_at, @enrolled_at)`,
    );
    this.revokeStmt = db.prepare(
      'UPDATE appliances SET revoked_from_epoch = ?, revoked_from_seq = ?, revoked_at = ? WHERE no = ?',
    );
    // The highest sequence HQ holds of each epoch before the revoked one (the journal's primary key
    // (appliance_no, epoch, seq) answers it without a scan of the rows).
    this.snapshotHeldStmt = db.prepare(
      `INSERT OR IGNORE INTO revocation_held (appliance_no, epoch, held_to_seq)
       SELECT appliance_no, epoch, MAX(seq) FROM journal WHERE appliance_no = ? AND epoch < ? GROUP BY epoch`,
    );
    this.heldOf = db.prepare(
      'SELECT epoch, held_to_seq FROM revocation_held WHERE appliance_no = ? ORDER BY epoch',
    );
    this.importOf = db.prepare(
      'SELECT * FROM imports WHERE appliance_no = ? AND epoch = ? AND bundle_seq = ?',
    );
    this.importByHash = db.prepare('SELECT * FROM imports WHERE appliance_no = ? AND sha256 = ?');
    this.insertImport = db.prepare(
      `INSERT INTO imports (appliance_no, epoch, bundle_seq, sha256, prev_sha256, from_seq, to_seq,
                            rows_total, imported_at, outcome)
       VALUES (@appliance_no, @epoch, @bundle_seq, @sha256, @prev_sha256, @from_seq, @to_seq,
               @rows_total, @imported_at, @outcome)`,
    );
    this.importsOf = db.prepare('SELECT * FROM imports WHERE appliance_no = ? ORDER BY epoch, bundle_seq');
    this.insertFork = db.prepare(
      `INSERT OR IGNORE INTO forks (appliance_no, epoch, bundle_seq, sha256, existing_sha256, journal_seq,
                                    reason, detected_at)
       VALUES (@appliance_no, @epoch, @bundle_seq, @sha256, @existing_sha256, @journal_seq, @reason,
               @detected_at)`,
    );
    this.forksOf = db.prepare('SELECT * FROM forks WHERE appliance_no = ? ORDER BY epoch, bundle_seq');
    this.heldStatementsOf = db.prepare(
      'SELECT reason, count(*) AS n FROM held_statements WHERE appliance_no = ? GROUP BY reason',
    );
  }

  byId(id: string): ApplianceRow | undefined {
    return this.byIdStmt.get(id) as ApplianceRow | undefined;
  }
  byKeyId(keyId: string): ApplianceRow | undefined {
    return this.byKeyStmt.get(keyId) as ApplianceRow | undefined;
  }
  all(): ApplianceRow[] {
    return this.allStmt.all() as ApplianceRow[];
  }
  insert(a: Omit<ApplianceRow, 'no' | 'revoked_from_epoch' | 'revoked_from_seq' | 'revoked_at'>): void {
    this.insertStmt.run(a);
  }
  revoke(no: number, fromEpoch: number, fromSeq: number, at: string): void {
    this.revokeStmt.run(fromEpoch, fromSeq, at, no);
  }
  /** Record what HQ holds of each epoch before `epoch` (kept from the first revocation on). */
  snapshotHeld(no: number, epoch: number): void {
    this.snapshotHeldStmt.run(no, epoch);
  }
  held(no: number): { epoch: number; held_to_seq: number }[] {
    return this.heldOf.all(no) as { epoch: number; held_to_seq: number }[];
  }
  importAt(applianceNo: number, epoch: number, bundleSeq: number): ImportRow | undefined {
    return this.importOf.get(applianceNo, epoch, bundleSeq) as ImportRow | undefined;
  }
  importWithHash(applianceNo: number, sha256: string): ImportRow | undefined {
    return this.importByHash.get(applianceNo, sha256) as ImportRow | undefined;
  }
  addImport(r: ImportRow): void {
    this.insertImport.run(r);
  }
  imports(applianceNo: number): ImportRow[] {
    return this.importsOf.all(applianceNo) as ImportRow[];
  }
  addFork(f: ForkRow): boolean {
    return this.insertFork.run(f).changes === 1;
  }
  /** How many of an appliance's statements are held out, by reason. */
  heldCounts(applianceNo: number): Record<'duplicate' | 'fork' | 'other_appliance', number> {
    const out = { duplicate: 0, fork: 0, other_appliance: 0 };
    for (const r of this.heldStatementsOf.all(applianceNo) as { reason: keyof typeof out; n: number }[])
      out[r.reason] = r.n;
    return out;
  }

  forks(applianceNo: number): ForkRow[] {
    return this.forksOf.all(applianceNo) as ForkRow[];
  }
}
