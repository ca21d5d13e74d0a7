import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Db } from './connection.js';

/** A forward-only schema step. `version` numbers are 1, 2, 3... with no gaps. */
export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Db) => void);
}

export interface MigrateResult {
  from: number;
  to: number;
  backup?: string;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function hasUserTables(db: Db): boolean {
  const row = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
    n: number;
  };
  return row.n > 0;
}

/**
 * Apply the migrations newer than `PRAGMA user_version`, each in its own transaction. Before touching a
 * non-empty database on disk, a consistent copy is written beside it (`backups/<name>.v<from>.<time>.db`).
 * A database newer than this code refuses to open rather than being misread.
 */
export function migrate(db: Db, migrations: readonly Migration[], opts: { now?: Date } = {}): MigrateResult {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration ${m.name}: expected version ${i + 1}, got ${m.version}`);
  });
  const from = schemaVersion(db);
  const latest = migrations.length;
  if (from > latest) {
    throw new Error(
      `${db.name}: schema version ${from} is newer than this fieldclass (${latest}); upgrade fieldclass instead`,
    );
  }
  if (from === latest) return { from, to: from };
  let backup: string | undefined;
  if (db.name !== ':memory:' && db.name !== '' && hasUserTables(db)) {
    const dir = join(dirname(db.name), 'backups');
    mkdirSync(dir, { recursive: true });
    const stamp = (opts.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
    backup = join(dir, `${basename(db.name, '.db')}.v${from}.${stamp}.db`);
    if (!existsSync(backup)) db.prepare('VACUUM INTO ?').run(backup);
  }
  for (const m of migrations.slice(from)) {
    db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return backup ? { from, to: latest, backup } : { from, to: latest };
}
