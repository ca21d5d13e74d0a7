import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import { createLogger, type Logger } from '../core/logger.js';
import { openDatabase, type Db } from '../db/connection.js';
import { migrate } from '../db/migrate.js';
import { diskOf } from '../health/health.probe.js';
import { hqMigrations } from '../db/migrations/hq.js';
import type { BundleLimits } from '../contract/bundle-format.js';
import { AppliancesService } from '../hq/appliances.service.js';
import type { HqConfig } from '../hq/hq.config.js';
import { HqRecordsService } from '../hq/hq-records.service.js';
import { HqUsersService } from '../hq/hq-users.service.js';
import { ImportService } from '../hq/import.service.js';
import { PeopleMatchesService } from '../hq/people-matches.service.js';
import { ReportsService } from '../hq/reports.service.js';
import { XapiExportService } from '../hq/xapi-export.service.js';

/** Everything HQ works with (separate from a box's AppContext): hq.db and its services. */
export interface HqContext {
  config: HqConfig;
  logger: Logger;
  clock: Clock;
  db: { hq: Db };
  appliances: AppliancesService;
  records: HqRecordsService;
  imports: ImportService;
  /** People across boxes: matches HQ staff merge or reject. */
  people: PeopleMatchesService;
  reports: ReportsService;
  users: HqUsersService;
  xapi: XapiExportService;
  /** Free bytes on the data dir's disk (null when unknown): upload admission and /healthz. */
  diskFree: () => number | null;
  close(): void;
}

export interface HqContextOptions {
  logger?: Logger;
  clock?: Clock;
  /** Bundle limits (tests use small ones for zip bombs). */
  limits?: Partial<BundleLimits>;
  /** Free disk bytes (tests pretend a full disk); default statfs of the data dir. */
  diskFree?: () => number | null;
}

export const HQ_DB_FILE = 'hq.db';

/** Open (creating if need be) the HQ data dir and hq.db, migrated; starts no work. */
export function openHqContext(config: HqConfig, opts: HqContextOptions = {}): HqContext {
  mkdirSync(config.dataDir, { recursive: true });
  const logger = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const db = openDatabase(join(config.dataDir, HQ_DB_FILE), 'precious');
  // HQ runs on a server disk, not a box's SD card, and one bundle writes a few MB: checkpoint the WAL every
  // ~40 MB rather than every 4 MB, so that importing hundreds of bundles is not one checkpoint per bundle.
  db.pragma('wal_autocheckpoint = 10000');
  try {
    const m = migrate(db, hqMigrations, { now: clock.now() });
    if (m.from !== m.to) logger.info({ db: 'hq', ...m }, 'migrated');
  } catch (e) {
    db.close();
    throw e;
  }
  const appliances = new AppliancesService(db, clock);
  const records = new HqRecordsService(db);
  if (records.rebuildPending()) {
    records.rebuildDerived();
    logger.info('derived records rebuilt from the journal (upgrade)');
  } else if (records.courseResultsPending()) {
    records.rebuildCourseResults();
    logger.info('course results derived again (upgrade)');
  }
  const imports = new ImportService(db, clock, logger, appliances, records, opts.limits);
  return {
    config,
    logger,
    clock,
    db: { hq: db },
    appliances,
    records,
    imports,
    people: new PeopleMatchesService(db, clock, records),
    reports: new ReportsService(db, appliances, config.reports.showRatingNames),
    users: new HqUsersService(db, clock, config.sessions.ttlHours),
    xapi: new XapiExportService(records, config.homePage),
    diskFree: opts.diskFree ?? (() => diskOf(config.dataDir)?.free ?? null),
    close() {
      db.close();
    },
  };
}
