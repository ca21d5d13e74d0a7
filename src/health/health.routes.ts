import { Router } from 'express';
import { storageState } from './health.probe.js';
import { VERSION } from '../core/paths.js';
import { databaseProbe } from '../db/connection.js';
import type { Db } from '../db/connection.js';
import type { RecordsService } from '../records/records.service.js';

/**
 * GET /healthz: 200 with status, version and database state; 503 when a database does not answer. A box
 * that answers but cannot save (storage full) stays 200 with `status: "degraded"` and the reason, so an
 * upgrade script or a monitor can tell "running but full" from "down".
 */
export function healthRouter(ctx: {
  db: Record<string, Db>;
  records: RecordsService;
  config: { dataDir: string };
}): Router {
  const router = Router();
  const probe = databaseProbe(ctx.db);
  router.get('/healthz', (_req, res) => {
    const { ok, databases } = probe();
    const storage = storageState(ctx.config.dataDir);
    const reasons = storage.full ? ['storage_full'] : [];
    res.status(ok ? 200 : 503).setHeader('Cache-Control', 'no-store');
    res.json({
      status: ok && !reasons.length ? 'ok' : 'degraded',
      ...(reasons.length ? { reasons } : {}),
      storage,
      version: VERSION,
      applianceId: ctx.records.applianceId,
      epoch: ctx.records.epoch,
      lastSeq: ctx.records.lastSeq(),
      // Group-commit counters since start: SQLite commits (fsyncs of the WAL) and the writes they carried.
      records: { commits: ctx.records.committer.commits, writes: ctx.records.committer.writes },
      databases,
    });
  });
  return router;
}
