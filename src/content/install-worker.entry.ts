import { parentPort, workerData } from 'node:worker_threads';
import { fixedClock } from '../core/clock.js';
import { isAppError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { openDatabase } from '../db/connection.js';
import { ContentService } from './content.service.js';
import { importHere, type ImportOptions } from './course-bundle.js';
import type { InstallJob, InstallReply } from './install-worker.js';

/**
 * The install worker's thread (started by install-worker.ts, one per import): its own content.db
 * connection (already migrated by the box), the import, one reply. Its ContentService logs nothing and has
 * no listeners: the serving thread logs the install and writes the journal's course row when it hears.
 */
async function main(job: InstallJob): Promise<InstallReply> {
  const db = openDatabase(job.dbPath, 'replaceable');
  try {
    const content = new ContentService(db, fixedClock(new Date(job.installedAt)), silentLogger);
    const result = await importHere(content, job.input, job.policy, job.opts as ImportOptions);
    return { ok: true, result };
  } catch (e) {
    if (isAppError(e))
      return {
        ok: false,
        app: {
          code: e.code,
          message: e.message,
          status: e.status,
          ...(e.details ? { details: e.details } : {}),
          ...(e.params ? { params: e.params } : {}),
        },
      };
    const err = e as { message?: unknown; code?: unknown };
    return {
      ok: false,
      error: {
        message: typeof err.message === 'string' ? err.message : String(e),
        ...(err.code !== undefined ? { code: err.code } : {}),
      },
    };
  } finally {
    db.close();
  }
}

parentPort?.postMessage(await main(workerData as InstallJob));
