import type { Db } from '../db/connection.js';

/** The tables a records database has (a file without them is not one). */
export const RECORDS_TABLES = ['meta', 'people', 'journal', 'progress'] as const;

/** What a records database holds, as the backup restore and the doctor read it. */
export interface RecordsFileFacts {
  /** Records tables missing from the file (none in a records database). */
  missingTables: string[];
  applianceId: string | null;
  epoch: number;
  /** The journal's rows and first/last seq (gap-free when rows = last and first = 1). */
  journal: { rows: number; first: number; last: number };
  trainees: number;
  /** The export cursor: meta export_cursor or the last bundle's to_seq, the higher. */
  exportCursor: number;
  exportCursorMeta: string | null;
  journalMode: string;
}

/** Read a records database's facts (a file opened read-only; nothing is written). */
export function readRecordsFacts(db: Db): RecordsFileFacts {
  const tables = new Set(
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
  );
  const missingTables = RECORDS_TABLES.filter((t) => !tables.has(t));
  const journalMode = db.pragma('journal_mode', { simple: true }) as string;
  if (missingTables.length)
    return {
      missingTables,
      applianceId: null,
      epoch: 1,
      journal: { rows: 0, first: 0, last: 0 },
      trainees: 0,
      exportCursor: 0,
      exportCursorMeta: null,
      journalMode,
    };
  const meta = (k: string) =>
    (db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(k) as string | undefined) ?? null;
  const j = db
    .prepare(
      'SELECT count(*) AS rows, coalesce(min(seq), 0) AS first, coalesce(max(seq), 0) AS last FROM journal',
    )
    .get() as { rows: number; first: number; last: number };
  const lastBundle = tables.has('bundles')
    ? (db.prepare('SELECT coalesce(max(to_seq), 0) FROM bundles').pluck().get() as number)
    : 0;
  const exportCursorMeta = meta('export_cursor');
  return {
    missingTables,
    applianceId: meta('appliance_id'),
    epoch: Number(meta('epoch') ?? '1'),
    journal: j,
    trainees: db.prepare("SELECT count(*) FROM people WHERE role = 'trainee'").pluck().get() as number,
    exportCursor: Math.max(Number(exportCursorMeta ?? 0), lastBundle),
    exportCursorMeta,
    journalMode,
  };
}
