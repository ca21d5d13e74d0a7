import type { Db } from './connection.js';

/**
 * Change the text of one CHECK constraint in place, by SQLite's documented procedure for changes that
 * do not alter the stored format (https://www.sqlite.org/lang_altertable.html#otheralter): inside the
 * caller's transaction, writable_schema on, edit the table's SQL in sqlite_schema, bump schema_version,
 * writable_schema off, integrity_check. Unlike copying the table, this costs nothing on a journal of
 * millions of rows. Only for WIDENING a check (every existing row still satisfies the new one).
 * better-sqlite3 runs SQLite in defensive mode, which forbids writing sqlite_schema: unsafe mode lifts
 * it for the duration of the edit only.
 */
export function widenCheck(db: Db, table: string, from: string, to: string): void {
  if (!db.inTransaction) throw new Error('widenCheck must run inside a transaction (a migration)');
  const sql = db
    .prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?")
    .pluck()
    .get(table) as string | undefined;
  if (!sql) throw new Error(`widenCheck: no table ${table}`);
  if (sql.includes(to)) return;
  if (sql.split(from).length !== 2)
    throw new Error(`widenCheck: ${table} does not hold ${from} exactly once`);
  const version = db.pragma('schema_version', { simple: true }) as number;
  db.unsafeMode(true);
  try {
    db.pragma('writable_schema = ON');
    db.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?").run(
      sql.replace(from, to),
      table,
    );
    db.pragma(`schema_version = ${version + 1}`);
    db.pragma('writable_schema = OFF');
  } finally {
    db.unsafeMode(false);
  }
  const check = db.pragma('integrity_check', { simple: true });
  if (check !== 'ok') throw new Error(`widenCheck: integrity_check after editing ${table}: ${String(check)}`);
}
