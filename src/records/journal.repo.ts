import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import type { JournalKind } from '../contract/journal.js';
import type { XapiStatement } from '../contract/vocabulary.js';

export interface JournalRow {
  seq: number;
  epoch: number;
  kind: JournalKind;
  ref: string;
  body: string;
  recorded_at: string;
}

/** Reading the journal in sequence order: all a read-only connection needs (the exporter's). */
export class JournalReader {
  protected readonly maxSeq: Statement;
  private readonly range: Statement;

  constructor(db: Db) {
    this.maxSeq = db.prepare('SELECT coalesce(max(seq), 0) AS n FROM journal').pluck();
    this.range = db.prepare('SELECT * FROM journal WHERE seq > ? AND seq <= ? ORDER BY seq');
  }

  lastSeq(): number {
    return this.maxSeq.get() as number;
  }

  /** Rows in (afterSeq, toSeq]; an iterator, so memory stays flat (call return() when leaving early). */
  iterate(afterSeq: number, toSeq: number): IterableIterator<JournalRow> {
    return this.range.iterate(afterSeq, toSeq) as IterableIterator<JournalRow>;
  }
}

export class JournalRepo extends JournalReader {
  private readonly insert: Statement;
  private readonly metaGet: Statement;
  private readonly metaSet: Statement;
  private readonly byActor: Statement;
  private readonly byRef: Statement;

  constructor(db: Db) {
    super(db);
    this.insert = db.prepare(
      'INSERT INTO journal (seq, epoch, kind, ref, body, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.metaGet = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
    this.metaSet = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.byRef = db.prepare('SELECT 1 FROM journal WHERE kind = ? AND ref = ? LIMIT 1').pluck();
    this.byActor = db
      .prepare(
        `SELECT body FROM journal WHERE kind = 'statement'
           AND json_extract(body, '$.actor.account.name') = ? ORDER BY seq DESC LIMIT ?`,
      )
      .pluck();
  }

  /** Explicit seq = max + 1 inside the caller's transaction: gap-free because the journal is append-only. */
  append(epoch: number, kind: JournalKind, ref: string, body: string, at: string): number {
    const seq = (this.maxSeq.get() as number) + 1;
    this.insert.run(seq, epoch, kind, ref, body, at);
    return seq;
  }

  /** Whether a row of `kind` with `ref` exists (index journal_ref). */
  has(kind: JournalKind, ref: string): boolean {
    return this.byRef.get(kind, ref) !== undefined;
  }

  getMeta(key: string): string | undefined {
    return this.metaGet.get(key) as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.metaSet.run(key, value);
  }

  statementsForActor(personId: string, limit: number): XapiStatement[] {
    return (this.byActor.all(personId, limit) as string[]).map((b) => JSON.parse(b) as XapiStatement);
  }
}
