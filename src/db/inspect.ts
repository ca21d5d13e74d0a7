import { statSync } from 'node:fs';
import Database from 'better-sqlite3';

/** What a database file is, read without changing it (backup restore, doctor). */
export type DatabaseFileCheck =
  | { opens: false; error: string }
  | {
      opens: true;
      db: Database.Database;
      /** The check run: quick_check for files over `quickCheckAbove` bytes (O(n) instead of O(n log n)). */
      check: 'integrity_check' | 'quick_check';
      /** What the check said: ['ok'] when sound. */
      result: string[];
      ok: boolean;
      userVersion: number;
      size: number;
    };

/**
 * Open a database file read-only and check it: opens, integrity (or quick) check, schema version. The
 * caller reads what else it needs from `db` and closes it (`closeCheck`). One inspection for the backup
 * restore and the doctor.
 */
export function checkDatabaseFile(
  path: string,
  opts: { quickCheckAbove?: number; skipCheck?: boolean } = {},
): DatabaseFileCheck {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
  } catch (e) {
    return { opens: false, error: (e as Error).message };
  }
  try {
    const size = statSync(path).size;
    const check =
      opts.quickCheckAbove !== undefined && size > opts.quickCheckAbove ? 'quick_check' : 'integrity_check';
    // skipCheck: only what the file says (a reader that must not pay for a full check); reading the
    // version still fails on a file that is not a database.
    const result = opts.skipCheck
      ? ['ok']
      : (db.pragma(`${check}(20)`, { simple: false }) as Record<string, string>[]).map((r) =>
          String(Object.values(r)[0]),
        );
    const userVersion = db.pragma('user_version', { simple: true }) as number;
    return {
      opens: true,
      db,
      check,
      result,
      ok: result.length === 1 && result[0] === 'ok',
      userVersion,
      size,
    };
  } catch (e) {
    // Not a database at all ("file is not a database" shows on the first read).
    db.close();
    return { opens: false, error: (e as Error).message };
  }
}

export function closeCheck(c: DatabaseFileCheck): void {
  if (c.opens) c.db.close();
}
