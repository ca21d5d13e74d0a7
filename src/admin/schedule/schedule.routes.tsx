import { Router } from 'express';
import { z } from 'zod';
import { jobsError } from '../../jobs/jobs.errors.js';
import { setScheduleOverride } from '../../jobs/schedule-overrides.js';
import type { Scheduler } from '../../jobs/scheduler.js';
import type { Clock } from '../../core/clock.js';
import { timeZoneName } from '../../core/time-zone.js';
import type { RecordsService } from '../../records/records.service.js';
import type { TimeZoneService } from '../../records/time-zone.service.js';
import { adminError } from '../admin.errors.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { field, noInput } from '../kit/fields.js';
import { SchedulePage } from './schedule.pages.js';

const scheduleForm = z.object({ schedule: field(100), job: field(100) });
/** The box's time zone, checked by the one schema (core/time-zone.ts): a refused name comes back beside its field. */
const timeZoneForm = z.object({ timeZone: field(64).pipe(timeZoneName) });

/** Schedule: each job's cron (saved in records meta, taken by the scheduler at once) and "run now". */
export function scheduleRouter(
  ctx: { records: RecordsService; scheduler: Scheduler; timeZone: TimeZoneService; clock: Clock },
  kit: AdminKit,
): Router {
  const router = Router();
  const { scheduler } = ctx;
  const here = () => '/admin/schedule';
  const now = () => ctx.clock.now().toISOString();

  router.get('/admin/schedule', (req, res) => {
    // The scheduler holds the saved schedules (taken at creation and on every save), started or not.
    kit.show(
      res,
      <SchedulePage
        page={kit.page(req, res)}
        jobs={scheduler.list()}
        available={scheduler.isStarted()}
        now={now()}
      />,
    );
  });

  router.post(
    '/admin/time-zone',
    ...kit.form(
      timeZoneForm,
      (page, form) => (
        <SchedulePage
          page={page}
          jobs={scheduler.list()}
          available={scheduler.isStarted()}
          now={now()}
          zoneForm={form}
        />
      ),
      (input, _req, res) => {
        const before = ctx.timeZone.get();
        // The scheduler follows the setting (TimeZoneService.onChange): its tasks are made again in the zone.
        const zone = ctx.timeZone.set(input.timeZone);
        if (zone !== before) kit.audit(res, 'box.time_zone', zone, { from: before });
        kit.back(res, '/admin/schedule', 'timeZoneSaved', { name: zone });
      },
    ),
  );

  router.post(
    '/admin/schedule/:job',
    ...kit.form(
      scheduleForm,
      (page, form, req) => (
        <SchedulePage
          page={page}
          jobs={scheduler.list()}
          available={scheduler.isStarted()}
          now={now()}
          form={form}
          formJob={String(req.params['job'])}
        />
      ),
      (input, _req, res) => {
        const name = input.job;
        if (!scheduler.has(name)) throw jobsError('job_unknown', { job: name });
        const s = setScheduleOverride(ctx.records, name, input.schedule);
        // The scheduler takes it now (a running one replaces its cron task); the next start reads it too.
        scheduler.reschedule(name, s);
        kit.audit(res, 'job.schedule', name, { schedule: s });
        kit.back(res, '/admin/schedule', 'scheduleSaved');
      },
    ),
  );

  router.post(
    '/admin/schedule/:job/run',
    ...kit.action(
      noInput,
      async (_input, req, res) => {
        if (!scheduler.isStarted()) throw adminError('scheduler_stopped');
        const name = String(req.params['job']);
        kit.audit(res, 'job.run', name);
        const r = await scheduler.runNow(name);
        kit.back(res, '/admin/schedule', 'ran', { job: r.job, outcome: r.outcome });
      },
      here,
    ),
  );

  return router;
}
