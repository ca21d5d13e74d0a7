import { constants, accessSync, existsSync, statSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { isAppError } from '../core/errors.js';
import { openDatabase } from '../db/connection.js';
import { checkDatabaseFile, closeCheck } from '../db/inspect.js';
import type { Migration } from '../db/migrate.js';
import { contentMigrations } from '../db/migrations/content.js';
import { countActiveCourses } from '../content/content.repo.js';
import { recordsMigrations } from '../db/migrations/records.js';
import { readRecordsFacts, type RecordsFileFacts } from '../records/records-file.repo.js';
import { configFrom, type GlobalFlags } from './context.js';

export type Level = 'OK' | 'WARN' | 'FAIL';
export interface Check {
  level: Level;
  name: string;
  /** What was found, and for WARN/FAIL what to do about it. */
  message: string;
}

const MB = 1024 * 1024;
/** Databases bigger than this get `quick_check` (O(n)) instead of the full `integrity_check`. */
const FULL_CHECK_MAX_BYTES = 256 * MB;
export const DISK_WARN_BYTES = 1024 * MB;
export const DISK_FAIL_BYTES = 200 * MB;

const DATABASES: { name: string; file: string; migrations: readonly Migration[]; required: boolean }[] = [
  { name: 'records', file: 'records.db', migrations: recordsMigrations, required: true },
  { name: 'content', file: 'content.db', migrations: contentMigrations, required: false },
];

const human = (bytes: number): string =>
  bytes >= 1024 * MB ? `${(bytes / 1024 / MB).toFixed(1)} GB` : `${Math.round(bytes / MB)} MB`;

/**
 * Check a data dir without changing it: config, the dir, free disk, each database (opens, integrity,
 * schema version), the records database's durability settings, the journal and the export cursor.
 */
export function runDoctor(flags: GlobalFlags): Check[] {
  const checks: Check[] = [];
  const add = (level: Level, name: string, message: string) => checks.push({ level, name, message });

  // Config first: it names the data dir. An invalid config still lets the rest be checked.
  let dataDir = resolve(flags.data ?? process.env['FIELDCLASS_DATA_DIR'] ?? './data');
  try {
    const config = configFrom(flags);
    dataDir = config.dataDir;
    add('OK', 'config', 'parses');
  } catch (e) {
    const msg = isAppError(e) || e instanceof Error ? e.message : String(e);
    add('FAIL', 'config', `${msg.replace(/\n/g, '; ')} — fix that field in config.json or the environment`);
  }

  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    add(
      'FAIL',
      'data dir',
      `${dataDir} does not exist — run \`fieldclass migrate --data ${dataDir}\` or start the box once`,
    );
    return checks;
  }
  try {
    accessSync(dataDir, constants.W_OK);
    const probe = join(dataDir, `.doctor-${process.pid}.tmp`);
    writeFileSync(probe, 'ok');
    unlinkSync(probe);
    add('OK', 'data dir', `${dataDir} exists and is writable`);
  } catch (e) {
    add(
      'FAIL',
      'data dir',
      `${dataDir} is not writable (${(e as Error).message}) — check its owner and permissions`,
    );
  }

  try {
    const s = statfsSync(dataDir);
    const free = s.bavail * s.bsize;
    if (free < DISK_FAIL_BYTES)
      add(
        'FAIL',
        'disk',
        `${human(free)} free — the box may stop recording; free space or export and remove old bundles`,
      );
    else if (free < DISK_WARN_BYTES)
      add('WARN', 'disk', `${human(free)} free (under 1 GB) — free some space soon`);
    else add('OK', 'disk', `${human(free)} free`);
  } catch (e) {
    add('WARN', 'disk', `cannot read free space: ${(e as Error).message}`);
  }

  for (const d of DATABASES) {
    const path = join(dataDir, d.file);
    if (!existsSync(path)) {
      add(
        d.required ? 'FAIL' : 'WARN',
        d.name,
        `${d.file} is missing — ${d.required ? 'restore it from a backup, or ' : ''}start the box or run \`fieldclass migrate\` to create it`,
      );
      continue;
    }
    const c = checkDatabaseFile(path, { quickCheckAbove: FULL_CHECK_MAX_BYTES });
    if (!c.opens) {
      add(
        'FAIL',
        d.name,
        `${d.file} does not open: ${c.error} — restore it from ${join(dataDir, 'backups')}`,
      );
      continue;
    }
    try {
      const { check: pragma, size } = c;
      if (!c.ok) {
        add(
          'FAIL',
          d.name,
          `${d.file} fails ${pragma}: ${c.result.slice(0, 3).join('; ')} — stop the box and restore it from ${join(dataDir, 'backups')}` +
            (d.name === 'content'
              ? ' (or delete content.db: courses are installed again from their bundles)'
              : ''),
        );
        continue;
      }
      const version = c.userVersion;
      const latest = d.migrations.length;
      if (version < latest)
        add(
          'WARN',
          d.name,
          `${d.file}: ${pragma} ok, schema version ${version} of ${latest} — run \`fieldclass migrate\``,
        );
      else if (version > latest)
        add(
          'FAIL',
          d.name,
          `${d.file}: schema version ${version} is newer than this fieldclass (${latest}) — upgrade fieldclass`,
        );
      else add('OK', d.name, `${d.file}: ${pragma} ok, schema version ${version}, ${human(size)}`);
      if (d.name === 'records' && version >= 1) checkRecords(readRecordsFacts(c.db), path, add);
    } catch (e) {
      add('FAIL', d.name, `${d.file}: ${(e as Error).message} — restore it from ${join(dataDir, 'backups')}`);
    } finally {
      closeCheck(c);
    }
  }

  try {
    const courses = join(dataDir, 'content.db');
    if (existsSync(courses)) {
      const db = new Database(courses, { readonly: true, fileMustExist: true });
      try {
        const n = countActiveCourses(db);
        if (n === 0)
          add(
            'WARN',
            'courses',
            'no course installed — run `fieldclass content import <course>` (or start the box, which installs the samples)',
          );
        else add('OK', 'courses', `${n} course(s) installed and active`);
      } finally {
        db.close();
      }
    }
  } catch (e) {
    add('WARN', 'courses', `cannot count courses: ${(e as Error).message}`);
  }
  return checks;
}

function checkRecords(
  facts: RecordsFileFacts,
  path: string,
  add: (l: Level, n: string, m: string) => void,
): void {
  const mode = facts.journalMode;
  if (mode !== 'wal')
    add(
      'FAIL',
      'durability',
      `records.db journal_mode is ${mode}, not wal — start the box (it sets WAL on open)`,
    );
  else {
    // synchronous is per connection: check what the box's own opener sets.
    const rw = openDatabase(path, 'precious');
    try {
      const sync = rw.pragma('synchronous', { simple: true }) as number;
      if (sync === 2 || sync === 3) add('OK', 'durability', 'records.db: WAL, synchronous=FULL');
      else
        add(
          'FAIL',
          'durability',
          `records.db opens with synchronous=${sync}, not FULL (2) — a fieldclass bug: report it`,
        );
    } finally {
      rw.close();
    }
  }
  const j = facts.journal;
  if (j.last !== j.rows || (j.rows > 0 && j.first !== 1))
    add(
      'FAIL',
      'journal',
      `not gap-free: ${j.rows} rows but seq ${j.first}..${j.last} — restore records.db from a backup and tell HQ`,
    );
  else add('OK', 'journal', `${j.rows} entries, seq 1..${j.last}, gap-free`);
  const cursor = facts.exportCursor;
  if (!Number.isFinite(cursor) || cursor > j.last)
    add(
      'FAIL',
      'export',
      `export cursor ${facts.exportCursorMeta ?? cursor} is past the last journal seq ${j.last} — records.db was restored from an older backup: start a new epoch before exporting`,
    );
  else add('OK', 'export', `export cursor ${cursor} <= last seq ${j.last} (${j.last - cursor} to export)`);
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check the data dir, databases (integrity, schema, durability, journal), free disk and config',
    )
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .option('-c, --config <file>', 'config file (default <data>/config.json)')
    .option('--json', 'print the checks as JSON')
    .action((opts: GlobalFlags & { json?: boolean }) => {
      let checks: Check[];
      try {
        checks = runDoctor(opts);
      } catch (e) {
        checks = [{ level: 'FAIL', name: 'doctor', message: (e as Error).message }];
      }
      if (opts.json) console.log(JSON.stringify(checks, null, 2));
      else for (const c of checks) console.log(`${c.level.padEnd(4)}  ${c.name.padEnd(10)}  ${c.message}`);
      const fails = checks.filter((c) => c.level === 'FAIL').length;
      const warns = checks.filter((c) => c.level === 'WARN').length;
      if (!opts.json)
        console.log(
          fails ? `${fails} problem(s) to fix` : warns ? `healthy, ${warns} warning(s)` : 'healthy',
        );
      if (fails) process.exitCode = 1;
    });
}
