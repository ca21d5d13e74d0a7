import type { Config } from '../core/config.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../db/connection.js';
import type { Logger } from '../core/logger.js';
import type { HealthProbe } from '../health/health.probe.js';
import type { Job } from '../jobs/job.types.js';
import type { BackupService } from '../records/backup.service.js';
import type { RecordsService } from '../records/records.service.js';
import { bytes } from './kit/admin.layout.js';
import { MaintenanceRepo } from './maintenance.repo.js';

/** What the admin's jobs use (a box's context has all of it). */
export interface AdminJobDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  db: { records: Db };
  records: RecordsService;
  backups: BackupService;
  healthProbe: HealthProbe;
}

/**
 * The admin's jobs: nightly backup of records.db (config backup.schedule, rotation backup.keep), a health
 * snapshot (logged, warnings raised), and cleanup of expired sessions and old job runs.
 */
export function adminJobs(ctx: AdminJobDeps): Job[] {
  const maintenance = new MaintenanceRepo(ctx.db.records);
  return [
    {
      name: 'backup',
      schedule: ctx.config.backup.schedule,
      description: 'online backup of the records database, keeping the newest ones',
      async run() {
        const b = await ctx.backups.create();
        return { key: 'backup_done', params: { name: b.name, size: bytes(b.bytes) } };
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
        const params = {
          free: bytes(h.diskFreeBytes),
          temp: h.cpuTempC === null ? '—' : `${Math.round(h.cpuTempC)} °C`,
        };
        if (h.throttling?.underVoltageNow) return { key: 'health_power', params };
        return { key: warnings.length ? 'health_warning' : 'health_ok', params };
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
        return { key: 'cleanup_done', params: { sessions: r.sessions, runs: r.runs, ops } };
      },
    },
  ];
}
