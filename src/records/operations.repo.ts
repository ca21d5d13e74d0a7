import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import type { Operation } from './operations.js';
import { recordsError } from './records.errors.js';

/** SQL on `operations` (records.db). Only inside a records transaction. */
export class OperationsRepo {
  private readonly get: Statement;
  private readonly put: Statement;
  private readonly prune: Statement;

  constructor(db: Db) {
    this.get = db.prepare('SELECT person_id, action, target, result FROM operations WHERE id = ?');
    this.put = db.prepare(
      'INSERT INTO operations (id, person_id, action, target, result, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.prune = db.prepare('DELETE FROM operations WHERE created_at < ?');
  }

  /**
   * `{ replay: result }` when this person already did this action on this target with this id; undefined
   * when the id is new; 409 when the id belongs to another person, action or target.
   */
  claim(op: Operation): { replay: unknown } | undefined {
    const row = this.get.get(op.id) as
      { person_id: string; action: string; target: string; result: string } | undefined;
    if (!row) return undefined;
    if (row.person_id !== op.personId || row.action !== op.action || row.target !== op.target)
      throw recordsError('operation_conflict');
    return { replay: JSON.parse(row.result) as unknown };
  }

  record(op: Operation, result: unknown, at: string): void {
    this.put.run(op.id, op.personId, op.action, op.target, JSON.stringify(result ?? null), at);
  }

  /** Forget operations recorded before `before` (ISO time). */
  pruneBefore(before: string): number {
    return this.prune.run(before).changes;
  }
}
