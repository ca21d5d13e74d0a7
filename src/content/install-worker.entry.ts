import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { fixedClock } from '../core/clock.js';
import { isAppError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { openDatabase } from '../db/connection.js';
import { ContentService } from './content.service.js';
import { importHere, type ImportOptions } from './course-bundle.js';
import type { InstallJob, InstallReply } from './install-worker.js';
import { reclaimEvery } from './zip-reader.js';

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

// Memory: inflating a 500 MB entry (twice: hashed, then stored) turns over a GB of short-lived buffers
// outside V8's heap. Left to V8, they pile up to tens of MB before a collection, which on top of this
// thread's own copy of the modules took the box to 155-177 MB resident (measured: 129 MB when the install
// ran on the serving thread). Collecting this thread's small heap every 4 MB of entry data keeps it at
// 136-141 MB (target: under 150) for ~15% more import time (every 8 MB: 143-147 MB). V8's gc() is
// exposed for that; the flag can only be set this way (a worker's execArgv takes no V8 flags).
setFlagsFromString('--expose-gc');
reclaimEvery(4 * 1024 * 1024, runInNewContext('gc') as () => void);

parentPort?.postMessage(await main(workerData as InstallJob));
