import type { Config } from '../../core/config.js';
import { VERSION } from '../../core/paths.js';
import { dayStarts } from '../../core/time-zone.js';
import type { ConnectInfo } from '../../health/connect.js';
import { storageState, type HealthProbe, type HealthSnapshot } from '../../health/health.probe.js';
import type { ContentService } from '../../content/content.service.js';
import type { PeopleService } from '../../people/people.service.js';
import type { AdminReportsService } from '../reports.service.js';

/** What the sync side tells the dashboard (from src/bundles when present). */
export interface SyncSummary {
  lastExportAt: string | null;
  pendingRows: number;
  lastAckAt: string | null;
  notAcknowledged: number;
}

export interface Dashboard {
  activeNow: number;
  activeToday: number;
  completionsThisWeek: number;
  courses: number;
  trainees: number;
  sync: SyncSummary | null;
  health: HealthSnapshot;
  version: string;
  boxTime: string;
  /** How trainees reach the box (addresses, Wi-Fi), for the "How trainees connect" card and its QR codes. */
  connect: ConnectInfo;
  /** How busy the box is, in words a coordinator reads (from the load per core). */
  load: 'quiet' | 'busy' | 'overloaded' | null;
  /** Free bytes on the data dir's file system (statfs, as /healthz reads it). */
  storageFreeBytes: number | null;
  warnings: { storageFull: boolean; lowDisk: boolean; hot: boolean; underVoltage: boolean };
}

/**
 * The load per core as a coordinator understands it: below half of every core, quiet; up to a little
 * queueing, busy; beyond, pages wait (a Pi 4 serving a class sits around 0.3).
 */
export function loadLevel(cpuLoad: number | null): Dashboard['load'] {
  if (cpuLoad === null) return null;
  return cpuLoad < 0.5 ? 'quiet' : cpuLoad < 1.2 ? 'busy' : 'overloaded';
}

/** Start of the day and of the week (Monday) of `now` in the box's time zone: the coordinator's "today". */
export function periodStarts(
  now: Date,
  timeZone: string,
): { today: string; week: string; fifteenMin: string } {
  const { today, week } = dayStarts(now, timeZone);
  return {
    today: today.toISOString(),
    week: week.toISOString(),
    fifteenMin: new Date(now.getTime() - 15 * 60_000).toISOString(),
  };
}

/** Gather the dashboard: counts from the journal tail, sync state, and a health snapshot. */
export async function buildDashboard(deps: {
  config: Config;
  now: Date;
  timeZone: string;
  reports: AdminReportsService;
  content: ContentService;
  people: PeopleService;
  probe: HealthProbe;
  sync: () => SyncSummary | null;
  connect: ConnectInfo;
}): Promise<Dashboard> {
  const p = periodStarts(deps.now, deps.timeZone);
  const health = await deps.probe.snapshot(deps.config.dataDir);
  // The same test as /healthz and the 507 answers: full is "less free than a class's writes need".
  const storage = storageState(deps.config.dataDir);
  return {
    ...deps.reports.activity(p),
    courses: deps.content.listInstalled().filter((c) => c.active).length,
    sync: deps.sync(),
    health,
    version: VERSION,
    boxTime: deps.now.toISOString(),
    connect: deps.connect,
    load: loadLevel(health.cpuLoad),
    storageFreeBytes: storage.freeBytes,
    warnings: {
      storageFull: storage.full,
      lowDisk:
        !storage.full &&
        health.diskFreeBytes !== null &&
        health.diskFreeBytes < deps.config.admin.lowDiskMb * 1024 * 1024,
      hot: health.cpuTempC !== null && health.cpuTempC >= deps.config.admin.highTempC,
      underVoltage: !!health.throttling?.underVoltageNow,
    },
  };
}
