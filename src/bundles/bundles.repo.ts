import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

export type BundleState = 'written' | 'copied' | 'acknowledged';

/** A row of the records `bundles` table (the box's log of bundle files it wrote). */
export interface BundleRecord {
  seq: number;
  epoch: number;
  from_seq: number;
  to_seq: number;
  sha256: string;
  prev_sha256: string | null;
  file: string;
  bytes: number;
  state: BundleState;
  reexport: number;
  created_at: string;
  copied_at: string | null;
  uploaded_at: string | null;
  acknowledged_at: string | null;
  upload_attempts: number;
  last_error: string | null;
}

/** SQL on `bundles`; statements prepared once. Writes only inside RecordsService.writeNow. */
export class BundlesRepo {
  private readonly insertStmt: Statement;
  private readonly lastStmt: Statement;
  private readonly listStmt: Statement;
  private readonly bySeqStmt: Statement;
  private readonly byFileStmt: Statement;
  private readonly copiedStmt: Statement;
  private readonly ackStmt: Statement;
  private readonly attemptStmt: Statement;
  private readonly pendingStmt: Statement;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO bundles (seq, epoch, from_seq, to_seq, sha256, prev_sha256, file, bytes, state, reexport, created_at)
       VALUES (@seq, @epoch, @from_seq, @to_seq, @sha256, @prev_sha256, @file, @bytes, 'written', @reexport, @created_at)`,
    );
    this.lastStmt = db.prepare('SELECT * FROM bundles ORDER BY seq DESC LIMIT 1');
    this.listStmt = db.prepare('SELECT * FROM bundles ORDER BY seq');
    this.bySeqStmt = db.prepare('SELECT * FROM bundles WHERE seq = ?');
    this.byFileStmt = db.prepare('SELECT * FROM bundles WHERE file = ?');
    this.copiedStmt = db.prepare(
      `UPDATE bundles SET copied_at = ?, state = CASE WHEN state = 'written' THEN 'copied' ELSE state END WHERE seq = ?`,
    );
    this.ackStmt = db.prepare(
      `UPDATE bundles SET state = 'acknowledged', acknowledged_at = ?, uploaded_at = ?, last_error = NULL WHERE seq = ?`,
    );
    this.attemptStmt = db.prepare(
      'UPDATE bundles SET upload_attempts = upload_attempts + 1, last_error = ? WHERE seq = ?',
    );
    this.pendingStmt = db.prepare("SELECT * FROM bundles WHERE state != 'acknowledged' ORDER BY seq");
  }

  insert(
    r: Omit<
      BundleRecord,
      'state' | 'copied_at' | 'uploaded_at' | 'acknowledged_at' | 'upload_attempts' | 'last_error'
    >,
  ): void {
    this.insertStmt.run(r);
  }
  last(): BundleRecord | undefined {
    return this.lastStmt.get() as BundleRecord | undefined;
  }
  list(): BundleRecord[] {
    return this.listStmt.all() as BundleRecord[];
  }
  bySeq(seq: number): BundleRecord | undefined {
    return this.bySeqStmt.get(seq) as BundleRecord | undefined;
  }
  byFile(file: string): BundleRecord | undefined {
    return this.byFileStmt.get(file) as BundleRecord | undefined;
  }
  markCopied(seq: number, at: string): void {
    this.copiedStmt.run(at, seq);
  }
  markAcknowledged(seq: number, at: string): void {
    this.ackStmt.run(at, at, seq);
  }
  recordAttempt(seq: number, error: string | null): void {
    this.attemptStmt.run(error, seq);
  }
  notAcknowledged(): BundleRecord[] {
    return this.pendingStmt.all() as BundleRecord[];
  }
}
