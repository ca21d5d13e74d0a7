import type { Db } from '../db/connection.js';

interface Pending {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: writes that arrive within `windowMs` of each other run in one SQLite transaction (one
 * fsync of the WAL), each inside its own savepoint so that one failing write does not undo the others.
 * Each promise resolves only after the whole batch has committed, i.e. once the write is durable.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Number of SQLite commits so far (the benchmark reports commits per acknowledged write). */
  commits = 0;
  writes = 0;

  constructor(
    private readonly db: Db,
    private readonly windowMs: number,
    private readonly maxBatch: number,
  ) {}

  /** Queue `fn` to run inside the next batch transaction; resolves with its result once durable. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.windowMs);
    });
  }

  /** Run `fn` in a transaction of its own right now (CLI commands, start-up). */
  runNow<T>(fn: () => T): T {
    const result = this.db.transaction(fn)();
    this.commits++;
    this.writes++;
    return result;
  }

  /** Commit whatever is queued now. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.db.transaction(() => {
        for (const p of batch) {
          try {
            // A nested better-sqlite3 transaction is a savepoint: a throw rolls back this write only.
            outcomes.push({ ok: true, value: this.db.transaction(p.fn)() });
          } catch (e) {
            outcomes.push({ ok: false, value: e });
          }
        }
      })();
    } catch (e) {
      // The commit itself failed (disk full, I/O error): nothing in this batch is durable.
      for (const p of batch) p.reject(e);
      return;
    }
    this.commits++;
    this.writes += batch.length;
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.value);
      else p.reject(o.value);
    });
  }
}
