import { Router } from 'express';
import type { Language } from '../../core/language.js';
import { z } from 'zod';
import { jobsError } from '../../jobs/jobs.errors.js';
import { isSavableSchedule, setScheduleOverride } from '../../jobs/schedule-overrides.js';
import type { JobStatus, Scheduler } from '../../jobs/scheduler.js';
import type { Clock } from '../../core/clock.js';
import { timeZoneName } from '../../core/time-zone.js';
import type { RecordsService } from '../../records/records.service.js';
import type { TimeZoneService } from '../../records/time-zone.service.js';
import { adminError } from '../admin.errors.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { field } from '../kit/fields.js';
import { sentList } from '../../web/validate.js';
import type { FieldKey } from '../../core/validation.js';
import {
  HOUR_STEPS,
  MINUTE_STEPS,
  parseTime,
  timeText,
  toCron,
  type SimpleSchedule,
} from '../../jobs/simple-schedule.js';
import { SchedulePage, type JobView } from './schedule.pages.js';
import { tJobs, type JobMessageKey } from '../../jobs/jobs.messages.js';

/**
 * A job's schedule as the coordinator chooses it (simple-schedule.ts): how often, then the fields that
 * choice uses, each refused beside its own field (a time as HH:MM, at least one day, a cron a technician
 * typed). Read into the cron expression (or `off`) it is stored as.
 */
const scheduleForm = z
  .object({
    job: field(100),
    kind: z.enum(['minutes', 'hours', 'daily', 'weekly', 'off', 'custom']),
    minutes: field(3),
    hours: field(3),
    time: field(8),
    days: sentList(1),
    cron: field(100),
    op: field(64),
  })
  .superRefine((v, c) => {
    const issue = (path: string, message: FieldKey) => c.addIssue({ code: 'custom', path: [path], message });
    if (v.kind === 'minutes' && !MINUTE_STEPS.some((n) => String(n) === v.minutes))
      issue('minutes', 'invalidChoice');
    if (v.kind === 'hours' && !HOUR_STEPS.some((n) => String(n) === v.hours)) issue('hours', 'invalidChoice');
    if ((v.kind === 'daily' || v.kind === 'weekly') && !parseTime(v.time)) issue('time', 'scheduleTime');
    if (v.kind === 'weekly' && !v.days.some((d) => /^[0-6]$/.test(d))) issue('days', 'scheduleDays');
    if (v.kind === 'custom' && !isSavableSchedule(v.cron.trim().replace(/\s+/g, ' ')))
      issue('cron', 'scheduleCron');
  })
  .transform((v): { job: string; schedule: SimpleSchedule; op: string } => {
    const [h, m] = parseTime(v.time) ?? [0, 0];
    const time = timeText(h, m);
    const schedule: SimpleSchedule =
      v.kind === 'minutes'
        ? { kind: 'minutes', every: Number(v.minutes) }
        : v.kind === 'hours'
          ? { kind: 'hours', every: Number(v.hours) }
          : v.kind === 'daily'
            ? { kind: 'daily', time }
            : v.kind === 'weekly'
              ? { kind: 'weekly', time, days: v.days.filter((d) => /^[0-6]$/.test(d)).map(Number) }
              : v.kind === 'off'
                ? { kind: 'off' }
                : { kind: 'custom', cron: v.cron };
    return { job: v.job, schedule, op: v.op };
  });

/** The days ticked in a refused schedule form (checkboxes of one name: typedValues keeps only single values). */
const tickedDays = (body: unknown): number[] =>
  [(body as { days?: unknown } | undefined)?.days]
    .flat()
    .filter((d): d is string => typeof d === 'string' && /^[0-6]$/.test(d))
    .map(Number);
/** The box's time zone, checked by the one schema (core/time-zone.ts): a refused name comes back beside its field. */
const timeZoneForm = z.object({ timeZone: field(64).pipe(timeZoneName), op: field(64) });
/** "Run now": its button's operation id. */
const opForm = z.object({ op: field(64) });

/**
 * Schedule: each job's schedule in words ("every day at 01:30" in the box's zone), changed by a simple form
 * and saved as cron in records meta (taken by the scheduler at once), and "run now".
 */
export function scheduleRouter(
  ctx: { records: RecordsService; scheduler: Scheduler; timeZone: TimeZoneService; clock: Clock },
  kit: AdminKit,
): Router {
  const router = Router();
  const { scheduler } = ctx;
  const here = () => '/admin/schedule';
  const now = () => ctx.clock.now().toISOString();

  /**
   * What a run did, in the coordinator's language: a jobs catalog key (done) or an error code (failed),
   * with its params. Runs recorded before message keys have only their English text: undefined here.
   */
  const said = (run: NonNullable<JobStatus['lastRun']>, lang: Language): string | undefined => {
    if (!run.message_key) return undefined;
    let params: Record<string, string | number> | undefined;
    try {
      params = run.message_params
        ? (JSON.parse(run.message_params) as Record<string, string | number>)
        : undefined;
    } catch {
      params = undefined;
    }
    if (run.outcome === 'ok' && run.message_key in tJobs.catalog.en)
      return tJobs(lang, run.message_key as JobMessageKey, params);
    return kit.codeText(run.message_key, params, lang) ?? kit.codeText('internal', undefined, lang);
  };
  const jobs = (lang: Language): JobView[] =>
    scheduler.list().map((j) => ({ ...j, said: j.lastRun ? said(j.lastRun, lang) : undefined }));

  router.get('/admin/schedule', (req, res) => {
    // The scheduler holds the saved schedules (taken at creation and on every save), started or not.
    kit.show(
      res,
      <SchedulePage
        page={kit.page(req, res)}
        jobs={jobs(res.locals.lang)}
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
          jobs={jobs(page.lang)}
          available={scheduler.isStarted()}
          now={now()}
          zoneForm={form}
        />
      ),
      async (input, _req, res) => {
        const zone = await kit.once(res, { op: input.op, action: 'box.time_zone', target: 'box' }, () => {
          const before = ctx.timeZone.get();
          // The scheduler follows the setting (TimeZoneService.onChange): its tasks are made again in the zone.
          const zone = ctx.timeZone.set(input.timeZone);
          if (zone !== before) kit.audit(res, 'box.time_zone', zone, { from: before });
          return zone;
        });
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
          jobs={jobs(page.lang)}
          available={scheduler.isStarted()}
          now={now()}
          form={form}
          formJob={String(req.params['job'])}
          formDays={tickedDays(req.body)}
        />
      ),
      async (input, _req, res) => {
        const name = input.job;
        if (!scheduler.has(name)) throw jobsError('job_unknown', { job: name });
        await kit.once(res, { op: input.op, action: 'job.schedule', target: name }, () => {
          const s = setScheduleOverride(ctx.records, name, toCron(input.schedule));
          // The scheduler takes it now (a running one replaces its cron task); the next start reads it too.
          scheduler.reschedule(name, s);
          kit.audit(res, 'job.schedule', name, { schedule: s });
          return true;
        });
        kit.back(res, '/admin/schedule', 'scheduleSaved');
      },
    ),
  );

  router.post(
    '/admin/schedule/:job/run',
    ...kit.action(
      opForm,
      async (input, req, res) => {
        if (!scheduler.isStarted()) throw adminError('scheduler_stopped');
        const name = String(req.params['job']);
        // A double click runs the job once; both answers say how that run went.
        const r = await kit.once(
          res,
          { op: input.op, action: 'job.run', target: name },
          (r: { job: string; outcome: string }) => {
            kit.audit(res, 'job.run', name);
            return r;
          },
          async () => {
            const { job, outcome } = await scheduler.runNow(name);
            return { job, outcome };
          },
        );
        kit.back(res, '/admin/schedule', 'ran', { job: r.job, outcome: r.outcome });
      },
      here,
    ),
  );

  return router;
}
