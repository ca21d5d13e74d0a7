import { Router } from 'express';
import { VERSION } from '../core/paths.js';
import { databaseProbe } from '../db/connection.js';
import type { Db } from '../db/connection.js';
import type { RecordsService } from '../records/records.service.js';

/** GET /healthz: 200 with status, version and database state; 503 when a database does not answer. */
export function healthRouter(ctx: { db: Record<string, Db>; records: RecordsService }): Router {
  const router = Router();
  const probe = databaseProbe(ctx.db);
  router.get('/healthz', (_req, res) => {
    const { ok, databases } = probe();
    res.status(ok ? 200 : 503).setHeader('Cache-Control', 'no-store');
    res.json({
      status: ok ? 'ok' : 'degraded',
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
