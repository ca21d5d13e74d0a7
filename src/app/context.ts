import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../core/config.js';
import { systemClock, type Clock } from '../core/clock.js';
import { createLogger, type Logger } from '../core/logger.js';
import { openDatabase, type Db } from '../db/connection.js';
import { migrate } from '../db/migrate.js';
import { recordsMigrations } from '../db/migrations/records.js';
import { contentMigrations } from '../db/migrations/content.js';
import { ContentService } from '../content/content.service.js';
import { SAMPLE_COURSES_DIR } from '../core/paths.js';
import { LearningService } from '../learning/learning.service.js';
import { journalCourses } from '../learning/course-record.js';
import { AttemptGrantService } from '../learning/attempt-grants.service.js';
import { PeopleService } from '../people/people.service.js';
import { SessionService } from '../people/auth.service.js';
import { RecordsService } from '../records/records.service.js';
import { IdentityService } from '../bundles/identity.service.js';
import { ScormService } from '../learning/scorm.service.js';
import { AuditService } from '../records/audit.service.js';
import { TimeZoneService } from '../records/time-zone.service.js';
import { BackupService } from '../records/backup.service.js';
import { CohortService } from '../people/cohorts.service.js';
import { SetupService } from '../admin/setup/setup.service.js';
import { AdminReportsService } from '../admin/reports.service.js';
import { SystemHealthProbe, type HealthProbe } from '../health/health.probe.js';
import { CommandClockSetter, type ClockSetter } from '../health/clock-setter.js';
import { NETWORK_CONF } from '../health/connect.js';
import { bundleServices, type BundleServices } from '../bundles/bundles.module.js';
import type { StickProbe } from '../bundles/usb-copy.service.js';

/** Everything a running box (or a CLI command) works with, built once from the config. */
export interface AppContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: { records: Db; content: Db };
  records: RecordsService;
  people: PeopleService;
  sessions: SessionService;
  content: ContentService;
  learning: LearningService;
  scorm: ScormService;
  /** Coordinator admin (src/admin, src/health, people/cohorts, records/audit + backup). */
  cohorts: CohortService;
  audit: AuditService;
  /** Extra quiz attempts a coordinator gives (learning/attempt-grants.service.ts). */
  grants: AttemptGrantService;
  /** THE box's time zone (records meta): every date people read and every job's schedule. */
  timeZone: TimeZoneService;
  backups: BackupService;
  setup: SetupService;
  adminReports: AdminReportsService;
  healthProbe: HealthProbe;
  clockSetter: ClockSetter;
  /** The network settings file the installer writes (the dashboard shows the Wi-Fi to join from it). */
  networkConf: string;
  /** The appliance's Ed25519 signing identity (key pair made at first start). */
  identity: IdentityService;
  /**
   * Export, USB copy and upload, built once per process: the admin's "Export now", the scheduled export
   * and the CLI share one exporter, whose running flag (and the lock file) keeps exports from overlapping.
   */
  bundles: BundleServices;
  close(): void;
}

export interface ContextOptions {
  logger?: Logger;
  clock?: Clock;
  /** Tests give a fake probe and clock setter; the box uses systeminformation and the sudo helper. */
  healthProbe?: HealthProbe;
  clockSetter?: ClockSetter;
  /** The box's network settings (Wi-Fi name and passphrase); default /etc/fieldclass/network.conf. */
  networkConf?: string;
  /** Where USB sticks are found (tests: a temp folder); default: mounts under config.export.usbRoots. */
  stickProbe?: StickProbe;
}

/**
 * Wire config -> databases (migrated) -> services. Opens each database once; starts no work (no listen,
 * no schedule): `startServer` (app/box.app.ts) and the scheduler (app/jobs.ts) do that.
 */
export function openContext(config: Config, opts: ContextOptions = {}): AppContext {
  mkdirSync(config.dataDir, { recursive: true });
  const logger = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const recordsDb = openDatabase(join(config.dataDir, 'records.db'), 'precious');
  const m = migrate(recordsDb, recordsMigrations, { now: clock.now() });
  if (m.from !== m.to) logger.info({ db: 'records', ...m }, 'migrated');
  const records = new RecordsService(recordsDb, clock, config.recording);
  records.ensureIdentityMeta();
  const identity = new IdentityService(config, () => records.applianceId, clock);
  if (identity.ensure()) logger.info({ keyId: identity.show().keyId }, 'appliance key pair made');
  const people = new PeopleService(recordsDb, records);
  const sessions = new SessionService(recordsDb, records, people, clock, config.sessions.ttlHours);
  // Content is replaceable: delete content.db and the courses are installed again from their sources.
  const contentDb = openDatabase(join(config.dataDir, 'content.db'), 'replaceable');
  const cm = migrate(contentDb, contentMigrations, { now: clock.now() });
  if (cm.from !== cm.to) logger.info({ db: 'content', ...cm }, 'migrated');
  const content = new ContentService(contentDb, clock, logger);
  if (config.installSampleCourses && !content.everInstalled()) {
    const r = content.installAllIn(SAMPLE_COURSES_DIR);
    for (const c of r.installed) logger.info({ course: c.id, version: c.version }, 'sample course installed');
    if (r.failed.length)
      logger.error({ failed: r.failed.map((f) => f.folder) }, 'some sample courses were not installed');
  }
  const learning = new LearningService(recordsDb, records, content, people);
  // The journal's `course` rows (what HQ needs to compute outcomes): catch up now, then on every install
  // and every enabling (a disabled course's outline cannot be read, so it gets its row when enabled).
  journalCourses(content, records);
  content.onCoursesChanged(() => journalCourses(content, records));
  const audit = new AuditService(recordsDb, records);
  const scorm = new ScormService(recordsDb, records, content, learning, people, clock, audit);
  const grants = new AttemptGrantService(records, content, people, learning, audit);
  const cohorts = new CohortService(recordsDb, records, people);
  const backups = new BackupService(recordsDb, config.dataDir, clock, config.backup.keep);
  const setup = new SetupService(records, people, audit);
  const timeZone = new TimeZoneService(records);
  const adminReports = new AdminReportsService(recordsDb, content, learning, people, cohorts, records);
  const db = { records: recordsDb, content: contentDb };
  const bundles = bundleServices(
    { config, clock, logger, records, db, identity },
    opts.stickProbe ? { probe: opts.stickProbe } : {},
  );
  return {
    config,
    logger,
    clock,
    db,
    records,
    people,
    sessions,
    content,
    learning,
    scorm,
    cohorts,
    audit,
    grants,
    timeZone,
    backups,
    setup,
    adminReports,
    healthProbe: opts.healthProbe ?? new SystemHealthProbe(),
    clockSetter: opts.clockSetter ?? new CommandClockSetter(config.admin.setClockCommand),
    networkConf: opts.networkConf ?? NETWORK_CONF,
    identity,
    bundles,
    close() {
      records.committer.flush();
      recordsDb.close();
      contentDb.close();
    },
  };
}
