import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError } from '../core/errors.js';
import { PACKAGE_ROOT } from '../core/paths.js';

/**
 * The install worker: a course import (inflating, hashing, chunking and writing a package into content.db)
 * runs on a worker thread with its own content.db connection, so the serving thread keeps answering while
 * a 500 MB package installs (it reads content.db meanwhile: WAL; the worker holds the write lock until its
 * one transaction commits). One import at a time per process: a second waits its turn here rather than on
 * SQLite's busy timeout.
 *
 * The worker runs the built code (dist/content/install-worker.entry.js), also when the caller runs from
 * source (the tests build dist/ first). What crosses between the threads is plain data: the job, then the
 * result or the error (an AppError rebuilt with its code, status, params and details, so the admin still
 * says it in the coordinator's language; another error keeps its message and `code`, e.g. SQLITE_FULL).
 */
export interface InstallJob {
  /** The content.db file (the worker opens its own connection). */
  dbPath: string;
  /** The install's time (the caller's clock): courses.installed_at. */
  installedAt: string;
  input: string;
  policy: { trustedKeys: readonly string[]; allowUnsigned: boolean };
  opts: unknown;
}

/** What the worker posts back: exactly one message. */
export type InstallReply =
  | { ok: true; result: unknown }
  | {
      ok: false;
      app?: {
        code: string;
        message: string;
        status: number;
        details?: Record<string, unknown>;
        params?: Record<string, unknown>;
      };
      error?: { message: string; code?: unknown };
    };

export const INSTALL_WORKER_ENTRY = join(PACKAGE_ROOT, 'dist', 'content', 'install-worker.entry.js');

let queue: Promise<unknown> = Promise.resolve();

/** The error a reply carries, as it was thrown in the worker. */
export function replyError(reply: Extract<InstallReply, { ok: false }>): Error {
  if (reply.app) {
    const a = reply.app;
    return new AppError(a.code, a.message, a.status, a.details, a.params as AppError['params']);
  }
  const e = new Error(reply.error?.message ?? 'the install worker failed') as Error & { code?: unknown };
  if (reply.error?.code !== undefined) e.code = reply.error.code;
  return e;
}

function runOnce<T>(job: InstallJob): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const worker = new Worker(INSTALL_WORKER_ENTRY, { workerData: job });
    worker.once('message', (reply: InstallReply) => {
      settled = true;
      if (reply.ok) resolve(reply.result as T);
      else reject(replyError(reply));
    });
    worker.once('error', (e) => {
      if (settled) return;
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new Error(`the install worker stopped (exit code ${code}) without an answer`));
    });
  });
}

/** Run one install job on the worker, after the ones already queued; resolves with its result. */
export function runInstall<T>(job: InstallJob): Promise<T> {
  const run = queue.then(
    () => runOnce<T>(job),
    () => runOnce<T>(job),
  );
  queue = run.catch(() => undefined);
  return run;
}
