import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fsyncDir, publishAtomically, tempPathFor } from '../core/atomic-file.js';
import type { Clock } from '../core/clock.js';
import { isStorageFull, notFound, storageFull } from '../core/errors.js';
import type { Db } from '../db/connection.js';
import { checkDatabaseFile, closeCheck } from '../db/inspect.js';
import { recordsMigrations } from '../db/migrations/records.js';
import { readRecordsFacts } from './records-file.repo.js';
import { recordsError } from './records.errors.js';

/**
 * Backups this service writes and rotates; other files in the folder (migration copies) are left alone.
 * `records-<creation number>-<time>.db`: the number orders them, because the time comes from a clock that
 * can go back (no clock battery); names without a number (older versions) count as created before.
 */
export const BACKUP_NAME = /^records-(?:(\d{6,})-)?\d{8}T\d{6}Z(-\d+)?\.db$/;
const creationNumber = (name: string): number => Number(BACKUP_NAME.exec(name)?.[1] ?? 0);
/** Newest first: by creation number, then (older names) by name. */
const newestFirst = (a: string, b: string): number =>
  creationNumber(b) - creationNumber(a) || (a < b ? 1 : a > b ? -1 : 0);

export interface BackupFile {
  name: string;
  path: string;
  bytes: number;
  createdAt: string;
}

/** What a file holds when it is a fieldclass records database. */
export interface BackupInfo {
  applianceId: string;
  epoch: number;
  lastSeq: number;
  schemaVersion: number;
  trainees: number;
}

const stampOf = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/**
 * Online backups of records.db with the SQLite backup API (better-sqlite3 `db.backup()`): consistent
 * while the box keeps serving. Each backup is written to a temp name, fsynced and renamed, then the
 * oldest beyond `keep` are removed. `restore` is for a stopped box (the CLI).
 */
export class BackupService {
  readonly dir: string;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly clock: Clock,
    private readonly keep: number,
  ) {
    this.dir = join(dataDir, 'backups');
  }

  /** Write a new backup and rotate; returns the new file. */
  async create(): Promise<BackupFile> {
    mkdirSync(this.dir, { recursive: true });
    const stamp = stampOf(this.clock.now());
    const number = String(Math.max(0, ...this.names().map(creationNumber)) + 1).padStart(6, '0');
    let name = `records-${number}-${stamp}.db`;
    for (let i = 2; existsSync(join(this.dir, name)); i++) name = `records-${number}-${stamp}-${i}.db`;
    const finalPath = join(this.dir, name);
    const tmp = tempPathFor(finalPath);
    try {
      await this.db.backup(tmp);
      publishAtomically(tmp, finalPath);
    } catch (e) {
      rmSync(tmp, { force: true });
      // A full disk is said plainly (in the coordinator's language); anything else names the system's reason.
      if (isStorageFull(e)) throw storageFull();
      throw recordsError('backup_failed', { detail: (e as Error).message });
    }
    this.rotate();
    return this.describe(name);
  }

  private describe(name: string): BackupFile {
    const path = join(this.dir, name);
    const st = statSync(path);
    return { name, path, bytes: st.size, createdAt: st.mtime.toISOString() };
  }

  private names(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter((n) => BACKUP_NAME.test(n));
  }

  /** Backups, newest (last created) first, whatever the times in their names. */
  list(): BackupFile[] {
    return this.names()
      .sort(newestFirst)
      .map((n) => this.describe(n));
  }

  /** A backup by its file name (only names this service writes: no path can be smuggled in). */
  file(name: string): BackupFile {
    if (!BACKUP_NAME.test(name) || !existsSync(join(this.dir, name))) throw notFound(`backup ${name}`);
    return this.describe(name);
  }

  /** Remove the backups created first beyond `keep` (never the one just written, even after the clock went back). */
  rotate(): string[] {
    const removed: string[] = [];
    for (const b of this.list().slice(this.keep)) {
      rmSync(b.path, { force: true });
      removed.push(b.name);
    }
    return removed;
  }
}

/**
 * Check that a file is a fieldclass records database in good order: SQLite, `integrity_check` ok, the
 * records tables present, an appliance id, a schema this fieldclass can read. Throws 'backup_invalid'
 * naming what is wrong.
 */
export function inspectBackup(file: string): BackupInfo {
  // `detail` is the technician's finding, in English (only the CLI restores, on a stopped box).
  const invalidBackup = (detail: string) => recordsError('backup_invalid', { file, detail });
  if (!existsSync(file)) throw invalidBackup('no such file');
  const c = checkDatabaseFile(file);
  if (!c.opens) throw invalidBackup(`not a database (${c.error})`);
  try {
    if (!c.ok) throw invalidBackup(`the database is damaged (${c.result.slice(0, 3).join('; ')})`);
    const f = readRecordsFacts(c.db);
    if (f.missingTables.length)
      throw invalidBackup(`not a fieldclass records database (no ${f.missingTables[0]} table)`);
    if (!f.applianceId) throw invalidBackup('not a fieldclass records database (no appliance id)');
    if (c.userVersion > recordsMigrations.length)
      throw invalidBackup(`schema version ${c.userVersion} is newer than this fieldclass`);
    return {
      applianceId: f.applianceId,
      epoch: f.epoch,
      lastSeq: f.journal.last,
      schemaVersion: c.userVersion,
      trainees: f.trainees,
    };
  } finally {
    closeCheck(c);
  }
}

export interface RestoreResult {
  restored: BackupInfo;
  /** Where the database that was replaced now lives. */
  previous: string | null;
  /** The epoch the restored database continues with. */
  epoch: number;
}

/**
 * Put a backup in place of `<dataDir>/records.db`, for a STOPPED box (the CLI). Verifies the file first;
 * refuses a backup of another appliance (its key pair is not this box's); moves the current database
 * (with its -wal/-shm) aside into backups/ rather than deleting it; copies the backup in atomically.
 * The caller then opens the database and calls `finishRestore` to move to a new epoch.
 */
export function restoreBackup(
  dataDir: string,
  file: string,
  now: Date,
): RestoreResult & { epochFloor: number } {
  const info = inspectBackup(file);
  const target = join(dataDir, 'records.db');
  let epochFloor = info.epoch;
  let previous: string | null = null;
  if (existsSync(target)) {
    const current = inspectCurrent(target);
    if (current && current.applianceId !== info.applianceId)
      throw recordsError('backup_other_box', {
        file: basename(file),
        backupOf: info.applianceId,
        current: current.applianceId,
      });
    if (current) epochFloor = Math.max(epochFloor, current.epoch);
    const dir = join(dataDir, 'backups');
    mkdirSync(dir, { recursive: true });
    previous = join(dir, `replaced-${stampOf(now)}-records.db`);
    for (const suffix of ['-wal', '-shm', '']) {
      if (existsSync(target + suffix)) renameSync(target + suffix, previous + suffix);
    }
    fsyncDir(dir);
    fsyncDir(dataDir);
  }
  const tmp = tempPathFor(target);
  copyFileSync(file, tmp);
  publishAtomically(tmp, target);
  return { restored: info, previous, epoch: epochFloor + 1, epochFloor };
}

/** The current database's appliance id and epoch, or null when it cannot be read (damaged). */
function inspectCurrent(file: string): { applianceId: string; epoch: number } | null {
  const c = checkDatabaseFile(file, { skipCheck: true });
  if (!c.opens) return null;
  try {
    const f = readRecordsFacts(c.db);
    return f.applianceId ? { applianceId: f.applianceId, epoch: f.epoch } : null;
  } catch {
    return null;
  } finally {
    closeCheck(c);
  }
}
