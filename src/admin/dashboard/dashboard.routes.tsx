import { Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { Config } from '../../core/config.js';
import type { ContentService } from '../../content/content.service.js';
import type { HealthProbe } from '../../health/health.probe.js';
import type { PeopleService } from '../../people/people.service.js';
import type { TimeZoneService } from '../../records/time-zone.service.js';
import type { StaticAssets } from '../../web/static-assets.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import type { AdminReportsService } from '../reports.service.js';
import type { AdminSyncService } from '../sync/sync.service.js';
import type { BoxClockService } from './clock.service.js';
import { connectInfo } from '../../health/connect.js';
import { buildDashboard } from './dashboard.js';
import { DashboardPage } from './dashboard.pages.js';

export interface DashboardDeps {
  config: Config;
  clock: Clock;
  adminReports: AdminReportsService;
  content: ContentService;
  people: PeopleService;
  healthProbe: HealthProbe;
  adminSync: AdminSyncService;
  boxClock: BoxClockService;
  timeZone: TimeZoneService;
  /** The box's network settings file (its Wi-Fi name and passphrase), read for the connect card. */
  networkConf: string;
}

/** The time the browser sent (its own clock), within years a box can really be in. */
const clockForm = z.object({
  browserTime: z
    .string()
    .default('')
    .transform((raw) => new Date(raw))
    .refine(
      (t) => !Number.isNaN(t.getTime()) && t.getUTCFullYear() >= 2020 && t.getUTCFullYear() <= 2100,
      'browserTime',
    ),
  op: z.string().max(64).default(''),
});

/** The dashboard (activity, sync, box health) and "set the box clock from this device". */
export function dashboardRouter(ctx: DashboardDeps, kit: AdminKit): Router {
  const router = Router();

  router.get('/admin', async (req, res) => {
    const d = await buildDashboard({
      config: ctx.config,
      now: ctx.clock.now(),
      timeZone: ctx.timeZone.get(),
      reports: ctx.adminReports,
      content: ctx.content,
      people: ctx.people,
      probe: ctx.healthProbe,
      sync: () => ctx.adminSync.summary(),
      // The port this page was served on: the one phones use too (unless the box's nginx is in front).
      connect: connectInfo(
        { ...ctx.config, port: req.socket.localPort ?? ctx.config.port },
        { networkConf: ctx.networkConf },
      ),
    });
    const assets = req.app.locals['assets'] as StaticAssets;
    kit.show(res, <DashboardPage page={kit.page(req, res)} d={d} adminJs={assets.url('admin.js')} />);
  });

  router.post(
    '/admin/clock',
    ...kit.action(
      clockForm,
      async ({ browserTime, op }, _req, res) => {
        // Set once under the form's operation id (the service audits either outcome): a double click
        // does not set the clock a second time from a time already gone by.
        await kit.once(
          res,
          { op, action: 'box.clock', target: 'box' },
          () => true,
          () => ctx.boxClock.setFromBrowser(kit.me(res).id, browserTime),
        );
        kit.back(res, '/admin', 'clockSet');
      },
      () => '/admin',
    ),
  );

  return router;
}
