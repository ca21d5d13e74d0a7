import { Router } from 'express';
import type { BundleServices } from '../bundles/bundles.module.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import type { ErrorSpec } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ContentService } from '../content/content.service.js';
import type { ClockSetter } from '../health/clock-setter.js';
import type { HealthProbe } from '../health/health.probe.js';
import type { Scheduler } from '../jobs/scheduler.js';
import { requireRole } from '../people/auth.middleware.js';
import type { SessionService } from '../people/auth.service.js';
import type { CohortService } from '../people/cohorts.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { AuditService } from '../records/audit.service.js';
import type { BackupService } from '../records/backup.service.js';
import type { RecordsService } from '../records/records.service.js';
import type { TimeZoneService } from '../records/time-zone.service.js';
import { auditRouter } from './audit/audit.routes.js';
import { backupsRouter } from './backups/backups.routes.js';
import { cohortsRouter } from './cohorts/cohorts.routes.js';
import { coordinatorsRouter } from './coordinators/coordinators.routes.js';
import { CourseInstallService } from './courses/course-install.service.js';
import { coursesRouter } from './courses/courses.routes.js';
import { BoxClockService } from './dashboard/clock.service.js';
import { dashboardRouter } from './dashboard/dashboard.routes.js';
import { AdminKit } from './kit/admin.middleware.js';
import type { AdminReportsService } from './reports.service.js';
import { reportsRouter } from './reports/reports.routes.js';
import { scheduleRouter } from './schedule/schedule.routes.js';
import type { AttemptGrantService } from '../learning/attempt-grants.service.js';
import type { ScormService } from '../learning/scorm.service.js';
import { setupRouter } from './setup/setup.routes.js';
import type { SetupService } from './setup/setup.service.js';
import { AdminSyncService } from './sync/sync.service.js';
import { syncRouter } from './sync/sync.routes.js';
import { TraineeImportService } from './trainees/trainee-imports.service.js';
import { traineesRouter } from './trainees/trainees.routes.js';
import { attemptsRouter } from './trainees/attempts.routes.js';

/** What the admin uses: a box's context and the process's scheduler. */
export interface AdminDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  records: RecordsService;
  people: PeopleService;
  sessions: SessionService;
  cohorts: CohortService;
  content: ContentService;
  audit: AuditService;
  backups: BackupService;
  timeZone: TimeZoneService;
  setup: SetupService;
  adminReports: AdminReportsService;
  healthProbe: HealthProbe;
  clockSetter: ClockSetter;
  networkConf: string;
  grants: AttemptGrantService;
  scorm: ScormService;
  bundles: BundleServices;
  scheduler: Scheduler;
  /** Every error code's text in en/fr/ar (the app's catalogs), for the messages shown after a POST. */
  errors: ReadonlyMap<string, ErrorSpec>;
}

/**
 * The coordinator's admin under /admin, one router per area over the admin kit. Pipeline: session (app)
 * -> Origin + CSRF on every POST (app) -> denyRole('trainee') (app) -> first run and sign-in -> requireRole(
 * 'coordinator') -> the areas. Every change is a POST read through validate(schema), answered with a
 * redirect (PRG) and written to the audit log; a refused form comes back with what was typed. No GET
 * changes anything. The admin's own services (held per app: the pending CSV imports live in memory) are
 * built here from the context's.
 */
export function adminRouter(ctx: AdminDeps): Router {
  const router = Router();
  const kit = new AdminKit({
    audit: ctx.audit,
    records: ctx.records,
    errors: ctx.errors,
    timeZone: ctx.timeZone,
  });
  const areas = {
    ...ctx,
    adminSync: new AdminSyncService(ctx.bundles),
    boxClock: new BoxClockService(ctx),
    traineeImports: new TraineeImportService(ctx),
    courseInstall: new CourseInstallService({
      config: ctx.config,
      content: ctx.content,
      logger: ctx.logger,
      sticks: () => ctx.bundles.usb.sticks(),
    }),
  };

  router.use(setupRouter(areas, kit));

  // Everything below is for signed-in coordinators only (first run goes to the setup page).
  router.use('/admin', (req, res, next) => {
    if (ctx.setup.needsSetup() && !res.locals.user) {
      if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(303, '/admin/setup');
    }
    next();
  });
  router.use('/admin', requireRole('coordinator', { signInPath: '/admin/signin' }));

  router.use(dashboardRouter(areas, kit));
  router.use(traineesRouter(areas, kit));
  router.use(attemptsRouter(areas, kit));
  router.use(cohortsRouter(areas, kit));
  router.use(coursesRouter(areas, kit));
  router.use(reportsRouter(areas, kit));
  router.use(syncRouter(areas, kit));
  router.use(scheduleRouter(areas, kit));
  router.use(backupsRouter(areas, kit));
  router.use(auditRouter(areas, kit));
  router.use(coordinatorsRouter(areas, kit));
  return router;
}
