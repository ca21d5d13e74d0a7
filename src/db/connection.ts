import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Records are precious (WAL, synchronous=FULL: a commit is on disk when it returns); content is
 * replaceable (it can be imported again from its bundle), so it trades durability for speed.
 */
export type DbKind = 'precious' | 'replaceable';

/** Open a database once per process, with the pragmas its kind needs. `:memory:` works for tests. */
export function openDatabase(path: string, kind: DbKind, opts: { readonly?: boolean } = {}): Db {
  const db = new Database(path, { readonly: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma(kind === 'precious' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  // Keep WAL checkpoints small so a Pi's SD card sees short, regular writes.
  db.pragma('wal_autocheckpoint = 1000');
  return db;
}

/**
 * A health check over named databases (statements prepared once): each answers 'ok' or its error, and
 * `ok` is false when any does not answer. Used by the box's and HQ's `/healthz`.
 */
export function databaseProbe(
  dbs: Record<string, Db>,
): () => { ok: boolean; databases: Record<string, string> } {
  const probes = Object.entries(dbs).map(([name, db]) => [name, db.prepare('SELECT 1')] as const);
  return () => {
    const databases: Record<string, string> = {};
    let ok = true;
    for (const [name, probe] of probes) {
      try {
        probe.get();
        databases[name] = 'ok';
      } catch (e) {
        ok = false;
        databases[name] = (e as Error).message;
      }
    }
    return { ok, databases };
  };
}
