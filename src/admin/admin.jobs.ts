import cron from 'node-cron';
import { AppError } from '../core/errors.js';
import type { Job } from '../jobs/job.types.js';
import type { AppContext } from '../main.js';
import type { RecordsService } from '../records/records.service.js';
import { bytes } from './admin.layout.js';
import { MaintenanceRepo } from './maintenance.repo.js';

const OVERRIDE = (name: string) => `job_schedule:${name}`;

/** A coordinator's schedule for a job (records meta), or undefined to keep the configured one. */
export function scheduleOverride(records: RecordsService, name: string): string | undefined {
  const v = records.getMeta(OVERRIDE(name));
  return v && cron.validate(v) ? v : undefined;
}

/** Save a coordinator's schedule for a job; refuses an invalid cron expression, naming it. */
export function setScheduleOverride(records: RecordsService, name: string, schedule: string): string {
  const s = schedule.trim().replace(/\s+/g, ' ');
  if (!/^[\d*/,\- ]{9,100}$/.test(s) || !cron.validate(s))
    throw new AppError(
      'invalid',
      `"${schedule}" is not a cron schedule such as "30 1 * * *" (minute hour day month weekday)`,
    );
  records.writeNow(() => records.setMeta(OVERRIDE(name), s));
  return s;
}

/** The job with the coordinator's schedule when one was saved. */
export function withScheduleOverride(ctx: AppContext, job: Job): Job {
  const s = scheduleOverride(ctx.records, job.name);
  return s ? { ...job, schedule: s } : job;
}

/**
 * The admin's jobs: nightly backup of records.db (config backup.schedule, rotation backup.keep), a health
 * snapshot (logged, warnings raised), and cleanup of expired sessions and old job runs.
 */
export function adminJobs(ctx: AppContext): Job[] {
  const maintenance = new MaintenanceRepo(ctx.db.records);
  return [
    {
      name: 'backup',
      schedule: ctx.config.backup.schedule,
      description: 'online backup of the records database, keeping the newest ones',
      async run() {
        const b = await ctx.backups.create();
        return `${b.name} (${bytes(b.bytes)})`;
      },
    },
    {
      name: 'health-snapshot',
      schedule: ctx.config.admin.healthSchedule,
      description: 'record the box health (disk, temperature, power) and warn in the log',
      async run() {
        const h = await ctx.healthProbe.snapshot(ctx.config.dataDir);
        const warnings: string[] = [];
        if (h.diskFreeBytes !== null && h.diskFreeBytes < ctx.config.admin.lowDiskMb * 1048576)
          warnings.push(`low disk: ${bytes(h.diskFreeBytes)} free`);
        if (h.cpuTempC !== null && h.cpuTempC >= ctx.config.admin.highTempC)
          warnings.push(`hot: ${Math.round(h.cpuTempC)} °C`);
        if (h.throttling?.underVoltageNow) warnings.push('under-voltage');
        if (warnings.length) ctx.logger.warn({ health: h }, `box health: ${warnings.join(', ')}`);
        const summary = `load ${h.cpuLoad ?? '?'}, ${h.cpuTempC ?? '?'} °C, disk free ${bytes(h.diskFreeBytes)}`;
        return warnings.length ? `${summary}; WARNING ${warnings.join(', ')}` : summary;
      },
    },
    {
      name: 'cleanup',
      schedule: ctx.config.admin.cleanupSchedule,
      description: 'remove expired sessions, old job runs and operation ids past their 30 days',
      run() {
        const now = ctx.clock.now();
        const cutoff = new Date(now.getTime() - ctx.config.admin.keepJobRunsDays * 86_400_000).toISOString();
        const r = ctx.records.writeNow(() => ({
          sessions: maintenance.deleteExpiredSessions(now.toISOString()),
          runs: maintenance.deleteJobRunsBefore(cutoff),
        }));
        const ops = ctx.records.pruneOperations();
        return `${r.sessions} expired session(s), ${r.runs} old job run(s), ${ops} old operation id(s) removed`;
      },
    },
  ];
}
