import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Config } from './core/config.js';
import { AppError } from './core/errors.js';
import { systemClock, type Clock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import { openDatabase, type Db } from './db/connection.js';
import { migrate } from './db/migrate.js';
import { recordsMigrations } from './db/migrations/records.js';
import { contentMigrations } from './db/migrations/content.js';
import { ContentService } from './content/content.service.js';
import { SAMPLE_COURSES_DIR } from './core/paths.js';
import { LearningService } from './learning/learning.service.js';
import { PeopleService } from './people/people.service.js';
import { SessionService } from './people/auth.service.js';
import { RecordsService } from './records/records.service.js';
import { IdentityService } from './bundles/identity.service.js';
import { allJobs } from './jobs/registry.js';
import { Scheduler } from './jobs/scheduler.js';
import { createApp } from './web/app.js';
import { ScormScripts, startPackageServer } from './learning/scorm.package-app.js';
import { ScormService } from './learning/scorm.service.js';
import { AuditService } from './records/audit.service.js';
import { BackupService } from './records/backup.service.js';
import { CohortService } from './people/cohorts.service.js';
import { SetupService } from './admin/setup.service.js';
import { AdminReportsService } from './admin/reports.service.js';
import { SystemHealthProbe, type HealthProbe } from './health/health.probe.js';
import { CommandClockSetter, type ClockSetter } from './health/clock-setter.js';
import type { StickProbe } from './bundles/usb-copy.service.js';

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
  backups: BackupService;
  setup: SetupService;
  adminReports: AdminReportsService;
  healthProbe: HealthProbe;
  clockSetter: ClockSetter;
  /** The running scheduler, once `startScheduler` started it (the admin's Schedule page uses it). */
  scheduler?: Scheduler;
  /** Set only when ContextOptions.stickProbe was given (tests); the admin passes it to bundleServices. */
  stickProbe?: StickProbe;
  /** The appliance's Ed25519 signing identity (key pair made at first start). */
  identity: IdentityService;
  close(): void;
}

export interface ContextOptions {
  logger?: Logger;
  clock?: Clock;
  /** Tests give a fake probe and clock setter; the box uses systeminformation and the sudo helper. */
  healthProbe?: HealthProbe;
  clockSetter?: ClockSetter;
  /** Where USB sticks are found (tests: a temp folder); default: mounts under config.export.usbRoots. */
  stickProbe?: StickProbe;
}

/**
 * Wire config -> databases (migrated) -> services. Opens each database once; starts no work (no listen,
 * no schedule): `startServer` and the scheduler do that.
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
  const scorm = new ScormService(recordsDb, records, content, learning, people, clock);
  const audit = new AuditService(recordsDb, records);
  const cohorts = new CohortService(recordsDb, records, people);
  const backups = new BackupService(recordsDb, config.dataDir, clock, config.backup.keep);
  const setup = new SetupService(records, people, audit);
  const adminReports = new AdminReportsService(recordsDb, content, learning, people, cohorts, records);
  return {
    config,
    logger,
    clock,
    db: { records: recordsDb, content: contentDb },
    records,
    people,
    sessions,
    content,
    learning,
    scorm,
    cohorts,
    audit,
    backups,
    setup,
    adminReports,
    healthProbe: opts.healthProbe ?? new SystemHealthProbe(),
    clockSetter: opts.clockSetter ?? new CommandClockSetter(config.admin.setClockCommand),
    ...(opts.stickProbe ? { stickProbe: opts.stickProbe } : {}),
    identity,
    close() {
      records.committer.flush();
      recordsDb.close();
      contentDb.close();
    },
  };
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** A listen failure said in the box's terms: which setting, and what to do. */
function listenError(e: unknown, port: number, setting: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new AppError(
      'port_in_use',
      `port ${port} (${setting}) is already in use: is another fieldclass (or another server) running? Stop it, or choose another port with ${setting}`,
    );
  if (code === 'EACCES')
    return new AppError(
      'port_denied',
      `port ${port} (${setting}) needs privileges this user does not have: use a port above 1023`,
    );
  return e;
}

/** Listen on the configured port (0 picks a free one, for tests). */
export async function startServer(ctx: AppContext): Promise<RunningServer> {
  const app = createApp(ctx);
  // SCORM package content is untrusted: it is served from its own origin (another port).
  // A box on any free port (tests) puts its package origin on any free port too, unless its public
  // origin is configured (then that port is the one browsers are sent to).
  const packagePort = ctx.config.port === 0 && !ctx.config.scorm.publicOrigin ? 0 : ctx.config.scorm.port;
  const packages = await startPackageServer(
    ctx.content,
    ScormScripts.shared(),
    ctx.scorm,
    ctx.config.defaultLanguage,
    packagePort,
    ctx.config.host,
  ).catch((e: unknown) => {
    throw listenError(e, packagePort, 'scorm.port in the config');
  });
  app.locals['scormPackagePort'] = packages.port;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(ctx.config.port, ctx.config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  }).catch(async (e: unknown) => {
    await packages.close();
    throw listenError(e, ctx.config.port, '--port or FIELDCLASS_PORT');
  });
  server.keepAliveTimeout = 65_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : ctx.config.port;
  const host = ctx.config.host === '0.0.0.0' ? '127.0.0.1' : ctx.config.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: async () => {
      await packages.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/**
 * Start the scheduled jobs every feature declares (src/jobs/registry.ts). Separate from `startServer` so
 * that tests can run a server without timers; the serve command calls both.
 */
export function startScheduler(ctx: AppContext): Scheduler {
  const scheduler = new Scheduler(ctx, allJobs(ctx));
  scheduler.start();
  ctx.scheduler = scheduler;
  return scheduler;
}
